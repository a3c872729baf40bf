"""The ``miner`` command line: parse, call ``miner.api``, print. No logic lives here."""

from __future__ import annotations

import functools
import gc
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from miner import __version__
from miner.atomic import write_text
from miner.errors import MinerError, RulePackError, UsageError
from miner.report.render import FORMATS, scrub

if TYPE_CHECKING:
    from miner.api import Config
    from miner.config import Settings
    from miner.engine import RulePack

PERIOD_HELP = (
    "2024Q2, 2024H1, 2024, 2024-04-01..2024-06-30, last-quarter, this-quarter, last-4-quarters"
)


def main() -> None:
    """Run the command line: expected failures become one line on stderr and an exit code."""
    try:
        cli.main(standalone_mode=False, prog_name="miner")
    except click.exceptions.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _fail(f"{exc.format_message()}{hint}", 2)
    except click.exceptions.Abort as exc:  # click's word for Ctrl-C (and an EOF at a prompt)
        if isinstance(exc.__cause__, KeyboardInterrupt):
            _fail("interrupted", 130)
        _fail("aborted", 1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except RulePackError as exc:
        for problem in exc.problems:
            _say(f"miner: {problem}", err=True)
        _fail(exc.line(), exc.exit_code)
    except MinerError as exc:
        _fail(exc.line(), exc.exit_code)
    except sqlite3.DatabaseError as exc:  # a store damaged past its header
        _fail(f"the evidence store cannot be read ({exc}); pass --store with another path", 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)


def entry() -> None:
    """The ``miner`` program: ``main``, then straight out of the process.

    A run is short and its objects (commits, evidence) hold no reference cycles, so
    the cycle collector is off: its passes over them cost a few percent of a report
    and free nothing. Once the output is flushed, the process leaves without the
    interpreter's teardown, which would free every object one by one (another few
    percent). Files and the store are closed by then; no thread is left running."""
    gc.disable()
    code = 0
    try:
        main()
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # a message, as sys.exit("...") prints it
            print(exc.code, file=sys.stderr)
            code = 1
    except KeyboardInterrupt:  # Ctrl-C after main's own handler, as a shell counts it
        code = 130
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler or coverage tool wants its normal exit to write out
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a reader gone, or a stream closed above
        code = code or 1
    os._exit(code)


def _fail(message: str, code: int) -> None:
    _say(f"miner: error: {message}", err=True)
    sys.exit(code)


def _say(text: str, err: bool = False) -> None:
    """Echo text that may hold what others wrote (a pack's keys, an id in a case file,
    a note): no terminal control sequence or bidi override reaches the screen."""
    click.echo(scrub(text), err=err)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, prog_name="miner")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Evidence for a promotion case, from your trail in Git and GitHub."""
    if ctx.invoked_subcommand is None:  # bare `miner`: what it can do, not an error
        click.echo(ctx.get_help())


_all_branches_option = click.option(
    "--all-branches", is_flag=True, help="Every branch, tag and remote ref, not only HEAD."
)
_store_option = click.option(
    "--store",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The evidence store (SQLite). Default: under your cache folder.",
)
_paths_argument = click.argument(
    "paths", nargs=-1, type=click.Path(path_type=Path, file_okay=True, exists=False)
)


def _period_option(default: str = "last-quarter") -> Callable[[Any], Any]:
    return click.option(
        "--period", "period_text", default=None, help=f"Default: {default}. One of {PERIOD_HELP}."
    )


_PERIOD = object()  # where the period option goes among the shared ones


@dataclass(frozen=True)
class RunOptions:
    """The options every command that builds a report shares, as given (None or
    empty: not given, so the config files or the default decide)."""

    paths: tuple[Path, ...]
    authors: tuple[str, ...]
    period_text: str | None
    fmt: str | None
    output: Path | None
    rules: str | None
    notes: Path | None
    home_repos: tuple[str, ...]
    all_branches: bool
    github: bool | None
    repos: tuple[str, ...]
    github_api_url: str | None
    rate_limit_wait: float
    store: Path | None

    def given(self) -> dict[str, Any]:
        """By option name, as ``api.configure`` takes them."""
        return {
            "author": self.authors,
            "period": self.period_text,
            "format": self.fmt,
            "rules": self.rules,
            "notes": self.notes,
            "home-repo": self.home_repos,
            "all-branches": self.all_branches,
            "github": self.github,
            "repo": self.repos,
            "github-api-url": self.github_api_url,
            "rate-limit-wait": self.rate_limit_wait,
            "store": self.store,
        }


_RUN_OPTIONS: list[Any] = [
    _paths_argument,
    click.option(
        "--author",
        "authors",
        multiple=True,
        help="Email, name or GitHub login; repeatable. Default: git config user.email.",
    ),
    _PERIOD,
    click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Default: md."),
    click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Write to FILE (whole or not at all) instead of stdout; - is stdout.",
    ),
    click.option("--rules", default=None, help="A rule pack file, or a built-in pack's name."),
    click.option(
        "--notes",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="A notes file (YAML). Default: yours, when the report is about you.",
    ),
    click.option(
        "--home-repo",
        "home_repos",
        multiple=True,
        help="OWNER/NAME of a team repository; repeatable.",
    ),
    _all_branches_option,
    click.option(
        "--github/--no-github",
        default=None,
        help="Collect from GitHub (default: when a token is available).",
    ),
    click.option(
        "--repo",
        "repos",
        multiple=True,
        help="OWNER/NAME on GitHub; repeatable. Outside a clone: GitHub only.",
    ),
    click.option(
        "--github-api-url",
        default=None,
        help="Default: $GITHUB_API_URL, else https://api.github.com; "
        "GitHub Enterprise Server: https://HOST/api/v3.",
    ),
    click.option(
        "--rate-limit-wait",
        type=click.FloatRange(0, 3600),
        default=60.0,
        show_default=True,
        help="Wait this long at most for a spent rate limit; longer: stop, report partial.",
    ),
    _store_option,
]


def _common(period: str = "last-quarter") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The shared report options, handed to the command as one ``RunOptions`` (its first
    argument); the command's own options come as keywords after it. ``period`` is the
    command's default period, as its help shows it."""
    names = [f.name for f in fields(RunOptions)]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def command(**kwargs: Any) -> Any:
            shared = RunOptions(**{name: kwargs.pop(name) for name in names})
            return func(shared, **kwargs)

        for option in reversed(_RUN_OPTIONS):
            command = (_period_option(period) if option is _PERIOD else option)(command)
        return command

    return decorate


def _configure(options: RunOptions) -> tuple[Config, Settings]:
    """(``api.Config``, ``config.Settings``) for the options, with the config files'
    warnings shown."""
    from miner import api

    config, settings = api.configure(options.paths, options.given())
    _warn(settings)
    return config, settings


def _settings_here(given: dict[str, Any]) -> Settings:
    """The settings a report in the current folder would use, with the config files'
    warnings shown: ``note`` and ``rules`` read the same notes file and pack."""
    from miner import api

    settings = api.settings_here(given)
    _warn(settings)
    return settings


def _warn(settings: Settings) -> None:
    """The config files' warnings, one line each on stderr."""
    for warning in settings.warnings:
        _say(f"miner: warning: {warning}", err=True)


def _pack(pack: str | None) -> RulePack:
    from miner import api

    return api.rule_pack(_settings_here({"rules": pack}))


def _notes_file(notes: Path | None) -> Path:
    from miner import api

    return api.notes_file(_settings_here({"notes": notes}))


@cli.command()
@_common()
def report(options: RunOptions) -> None:
    """Summarize one period (default: the last complete quarter), grouped by area.

    PATHS are the clones to read (default: the current folder); give several to
    report on work spread over repositories. Values not given come from the config
    files (see `miner doctor`)."""
    from miner import api
    from miner.report import render

    config, settings = _configure(options)
    api.check_output(config, options.output)
    with _progress() as progress:
        result = api.build_report(config, progress)
    for warning in result.warnings:
        _say(f"miner: warning: {warning}", err=True)
    _write(render(result, settings["format"]), options.output)


@cli.command()
@_common(period="last-4-quarters")
@click.option("--level", default=None, help="The target level. Default: the rule pack's.")
@click.option(
    "--case",
    "case",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Your case file (YAML). Default: case.yaml beside the notes file.",
)
@click.option(
    "--init-case", is_flag=True, help="Write the case file's skeleton, or add what it lacks."
)
@click.option("--peer-emails", is_flag=True, help="Show suggested peers' emails too.")
def promo(
    options: RunOptions, level: str | None, case: Path | None, init_case: bool, peer_emails: bool
) -> None:
    """Draft your promotion case (default: the last 4 quarters), keeping your own words.

    Takes the options of `miner report`; a config file's period is for reports, so
    without --period the case covers the last four complete quarters. Your summary,
    each project's impact and your plans come from the case file; `--init-case`
    writes its skeleton, or adds new project ids to it without changing your text."""
    from miner import api
    from miner.periods import parse_period
    from miner.report.promo import render_promo

    config, settings = _configure(options)
    if options.period_text is None:
        config = replace(config, period=parse_period("last-4-quarters"))
    api.check_output(config, options.output, case)
    with _progress() as progress:
        if init_case:
            done = api.init_case(config, level, case, progress)
            changed = done.projects or done.keys or done.plans
            verb = "wrote" if done.created else "updated" if changed else "checked"
            click.echo(
                f"{verb} {done.path}: {len(done.projects)} project(s), "
                f"{len(done.keys)} key(s), {len(done.plans)} plan slot(s) added"
            )
            return
        result = api.build_promo(config, level, case, peer_emails, progress)
    for warning in (*result.report.warnings, *result.warnings(str(result.case.path))):
        _say(f"miner: warning: {warning}", err=True)
    _write(render_promo(result, settings["format"]), options.output)


@cli.command()
@_paths_argument
@click.option("--all-authors", is_flag=True, help="Every author's commits, all of history.")
@click.option("--author", "authors", multiple=True, help="Email, name or GitHub login.")
@_period_option()
@_all_branches_option
@_store_option
def collect(
    paths: tuple[Path, ...],
    all_authors: bool,
    authors: tuple[str, ...],
    period_text: str | None,
    all_branches: bool,
    store: Path | None,
) -> None:
    """Fill or refresh the store only; reports then read from it.

    PATHS are the clones to read (default: the current folder)."""
    from miner import api

    if all_authors and (authors or period_text):
        raise UsageError(
            "--all-authors collects every author over all of history",
            "drop --author and --period, or drop --all-authors",
        )
    given = {"author": authors, "period": period_text, "store": store, "github": False}
    config, _ = api.configure(paths, {**given, "all-branches": all_branches})
    with _progress() as progress:
        if all_authors:
            for done in api.collect_all_authors(paths, config.store, all_branches, progress):
                for skipped in done.skipped:
                    _say(f"miner: warning: {skipped}", err=True)
                state = "up to date" if done.up_to_date else f"{done.new} new commits stored"
                _say(f"{done.repo}: {state}")
            return
        items = api.collect(config, progress).items
    commits = sum(1 for e in items if e.kind == "commit")
    click.echo(f"{commits} commits of yours in {config.period.label} are in the store")


@cli.group()
def rules() -> None:
    """Show the rule pack, run its examples, explain one rule.

    The pack is the one a report here uses: --rules, else `rules:` in the clone's
    .miner.yaml or your config file, else the built-in senior-sde."""


_rules_option = click.option(
    "--rules",
    "pack",
    default=None,
    help="A rule pack file, or a built-in pack's name. Default: the one a report here uses.",
)


@rules.command("list")
@_rules_option
def rules_list(pack: str | None) -> None:
    """Every area of the pack and the rules that feed it."""
    loaded = _pack(pack)
    _say(f"{loaded.info.name} v{loaded.info.version}: {loaded.path}")
    for area in loaded.areas:
        mine = [r for r in loaded.rules if r.area == area.id]
        _say(f"\n{area.id}: {area.title} ({len(mine)} rules)")
        for rule in mine:
            _say(f"  {rule.id:<28} w{rule.weight}  {rule.reason}")


@rules.command("test")
@_rules_option
def rules_test(pack: str | None) -> None:
    """Run every rule's examples; exit 1 if any does not do what it promises."""
    from miner.engine import run_examples

    loaded = _pack(pack)
    failures = run_examples(loaded)
    count = sum(len(r.must_match) + len(r.must_not_match) for r in loaded.rules)
    for failure in failures:
        should = "should match but does not" if failure.expected else "matches but should not"
        where = f"{failure.rule.path}:{failure.example.line}"  # a base pack's, if inherited
        click.echo(f"{where}: rule '{failure.rule.id}': example {should}", err=True)
    if failures:
        raise MinerError(f"{len(failures)} of {count} examples failed in {loaded.info.name}")
    _say(f"{loaded.info.name}: {len(loaded.rules)} rules, {count} examples, all pass")


@rules.command("explain")
@click.argument("rule_id")
@_rules_option
def rules_explain(rule_id: str, pack: str | None) -> None:
    """What one rule matches and why, with its examples."""
    import yaml

    loaded = _pack(pack)
    rule = loaded.rule(rule_id)
    if rule is None:
        import difflib  # only for a rule id that is not in the pack

        near = difflib.get_close_matches(rule_id, [r.id for r in loaded.rules], n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(near)}?" if near else "see `miner rules list`"
        raise UsageError(f"no rule '{rule_id}' in {loaded.info.name}", hint)
    area = loaded.area(rule.area)
    _say(f"{rule.id} ({rule.path}:{rule.line})")
    _say(f"area:   {area.id} ({area.title})")
    _say(f"reason: {rule.reason}")
    click.echo(f"weight: {rule.weight}")
    click.echo("when:")
    _say(_indent(yaml.safe_dump(_plain(rule.when.source), sort_keys=False)))
    for title, examples in (("matches", rule.must_match), ("does not match", rule.must_not_match)):
        click.echo(f"{title}:")
        for example in examples:  # as the pack writes them: YAML, one line each
            shown = yaml.safe_dump(_plain(example.fields), default_flow_style=True, width=1000)
            _say(f"  - {shown.strip()}")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.rstrip().splitlines())


@cli.group()
def note() -> None:
    """Your own notes: what no system records.

    The notes file is the one a report reads: --notes, else `notes:` in your
    config file, else yours (see `miner doctor`)."""


_notes_option = click.option(
    "--notes",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The notes file (YAML). Default: your config's notes, else yours.",
)


@note.command("add")
@click.argument("text")
@click.option("--area", required=True, help="The area it counts for (see `miner rules list`).")
@click.option("--date", "day", default=None, help="YYYY-MM-DD (default: today, UTC).")
@click.option("--link", default=None, help="An http(s) link to the evidence.")
@_notes_option
@_rules_option
def note_add(
    text: str, area: str, day: str | None, link: str | None, notes: Path | None, pack: str | None
) -> None:
    """Append TEXT to the notes file."""
    from miner import api
    from miner.collectors.notes import Note, add_note, note_link
    from miner.periods import parse_day

    settings = _settings_here({"notes": notes, "rules": pack})
    areas = [a.id for a in api.rule_pack(settings).areas]
    if area not in areas:
        raise UsageError(f"--area {area!r} is not an area", f"use one of: {', '.join(areas)}")
    if not text.strip():
        raise UsageError("the note is empty", "give the text to record")
    when = parse_day(day, "--date") if day else datetime.now(UTC).date()
    url = note_link(link) if link is not None else None
    if link is not None and url is None:
        raise UsageError(f"--link {link!r} is not an http(s) URL", "give a full https:// link")
    path = api.notes_file(settings)
    add_note(path, Note(when, area, text.strip(), url))
    click.echo(f"noted in {path}")


@note.command("list")
@_notes_option
def note_list(notes: Path | None) -> None:
    """Every note in the file, oldest first, with the id `note remove` takes."""
    from miner.collectors.notes import read_notes

    path = _notes_file(notes)
    found = sorted(read_notes(path), key=lambda n: n.day)
    if not found:
        click.echo(f"no notes in {path}", err=True)
    for n in found:
        line = f"{n.short_id}  {n.day}  {n.area:<12} {n.text}" + (f"  {n.link}" if n.link else "")
        _say(" ".join(line.split()))  # one line per note


@note.command("remove")
@click.argument("note_id")
@_notes_option
def note_remove(note_id: str, notes: Path | None) -> None:
    """Remove the note with NOTE_ID (see `miner note list`); the rest of the file stays."""
    from miner.collectors.notes import remove_note

    path = _notes_file(notes)
    gone = remove_note(path, note_id)
    _say(f"removed {gone.short_id} ({gone.day}, {gone.area}) from {path}")


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--author", "authors", multiple=True, help="The identity to check.")
@_store_option
@click.option(
    "--notes",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The notes file to check. Default: yours.",
)
@click.option("--github-api-url", default=None, help="Default: $GITHUB_API_URL or github.com.")
def doctor(
    path: Path,
    authors: tuple[str, ...],
    store: Path | None,
    notes: Path | None,
    github_api_url: str | None,
) -> None:
    """Check what miner needs, and where each setting comes from.

    Git, the repository (PATH, default: here), your identity, the store, notes and
    GitHub access; and each setting with the command line, config file or default
    it came from."""
    from miner import doctor as checks

    given = {"author": authors, "store": store, "notes": notes, "github-api-url": github_api_url}
    failed = False
    for check in checks.run_checks(path, given):
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[check.status]
        _say(f"[{mark}] {check.name}: {check.detail}")
        failed |= check.status == "fail"
    if failed:
        raise MinerError("some checks failed", "see the lines marked FAIL above")


def _write(text: str, output: Path | None) -> None:
    """Write to stdout (also for ``-o -``), or to ``output`` whole or not at all."""
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
        return
    target = output.expanduser()
    if not target.parent.is_dir():
        raise UsageError(f"-o {output}: folder {target.parent} does not exist", "create it first")
    try:
        write_text(target, text)
    except OSError as exc:
        raise MinerError(
            f"cannot write {output}: {exc.strerror}", "give -o a file, or - for standard output"
        ) from exc
    click.echo(f"wrote {output}", err=True)


@contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """Progress on stderr, only on a terminal and only once work has taken a second."""
    if not sys.stderr.isatty():
        yield lambda _: None
        return
    from rich.console import Console

    status = Console(stderr=True).status("collecting")
    timer = threading.Timer(1.0, status.start)
    timer.start()
    try:
        yield lambda message: status.update(message)
    finally:
        timer.cancel()
        status.stop()
