"""The GitHub Action's steps, so that ``action.yml`` stays a list of one-line calls.

``action.yml`` runs ``python -m miner.action STEP`` for each step below, in order.
A step reads what the YAML hands it through ``env:`` (the inputs as ``INPUT_*``,
earlier steps' outputs as ``MINER_*``), never through ``${{ }}`` inside a script,
and answers through the runner's files: ``$GITHUB_OUTPUT`` and
``$GITHUB_STEP_SUMMARY``. ``prepare`` runs before the tool is installed, on the
Python that actions/setup-python found, so it imports only the standard library
and miner's pure modules (periods, errors); the heavy ones load in the steps after.

Expected failures end as one ``::error::`` annotation and exit 1 or 2, like the CLI.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from miner.errors import MinerError, UsageError
from miner.model import Period
from miner.periods import parse_period

if TYPE_CHECKING:
    from miner.ghclient import GitHubClient

SUMMARY_LIMIT = 1024 * 1024  # bytes of one step's job summary GitHub accepts
ISSUE_LIMIT = 65_536  # characters of an issue body GitHub accepts (the body stays below)
FORMATS = ("md", "html", "json")
COMMANDS = ("report", "promo")
DEFAULT_PERIOD = {"report": "last-quarter", "promo": "last-4-quarters"}
STORE_CACHE = "contribution-miner-store-v1"  # bump when a store can no longer be reused
BOT = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")
PUSH_TRIES = 3  # a team's matrix jobs push to one branch: rebase and retry on a race
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")

Env = Mapping[str, str]


@dataclass(frozen=True)
class Inputs:
    """The action's inputs, checked: every one arrives as text in ``INPUT_*``."""

    command: str
    authors: tuple[str, ...]
    period: str
    repos: tuple[str, ...]
    home_repos: tuple[str, ...]
    formats: tuple[str, ...]
    rules: str
    notes: str
    case: str
    level: str
    output_dir: str
    create_issue: bool
    commit: bool


def read_inputs(env: Env) -> Inputs:
    command = env.get("INPUT_COMMAND", "").strip().lower() or "report"
    if command not in COMMANDS:
        raise UsageError(f"command {command!r} is not one I run", "use report or promo")
    formats = _list(env.get("INPUT_FORMATS", "")) or FORMATS
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"formats: {', '.join(unknown)} unknown", "use any of md, html, json")
    inputs = Inputs(
        command=command,
        authors=_list(env.get("INPUT_AUTHOR", "")),
        period=env.get("INPUT_PERIOD", "").strip() or DEFAULT_PERIOD[command],
        repos=_list(env.get("INPUT_REPOS", "")) or _list(env.get("GITHUB_REPOSITORY", "")),
        home_repos=_list(env.get("INPUT_HOME_REPOS", "")),
        formats=tuple(dict.fromkeys(formats)),
        rules=env.get("INPUT_RULES", "").strip(),
        notes=env.get("INPUT_NOTES", "").strip(),
        case=env.get("INPUT_CASE", "").strip(),
        level=env.get("INPUT_LEVEL", "").strip(),
        output_dir=env.get("INPUT_OUTPUT_DIR", "").strip() or "reports",
        create_issue=_flag(env, "INPUT_CREATE_ISSUE", "create-issue"),
        commit=_flag(env, "INPUT_COMMIT", "commit"),
    )
    if command == "report" and (inputs.case or inputs.level):
        raise UsageError("case and level are for command: promo", "remove them, or use promo")
    return inputs


def _list(text: str) -> tuple[str, ...]:
    """Items separated by commas, spaces or new lines (a YAML block list pastes well)."""
    return tuple(dict.fromkeys(x for x in re.split(r"[,\s]+", text) if x))


def _flag(env: Env, name: str, label: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in ("", "false"):
        return False
    if value == "true":
        return True
    raise UsageError(f"{label}: {value!r} is not true or false", f"set {label}: true or false")


def inside(workspace: Path, given: str, label: str) -> Path:
    """``given`` (relative to the workspace) as an absolute path that stays inside it:
    the action writes and commits nowhere else."""
    if not given or Path(given).is_absolute():
        raise UsageError(f"{label} {given!r} must be a relative path", "e.g. reports/")
    path = (workspace / given).resolve()
    if not path.is_relative_to(workspace.resolve()):
        raise UsageError(f"{label} {given!r} leaves the workspace", "give a folder inside it")
    return path


def writable(workspace: Path, target: Path, *, within: bool = True) -> Path:
    """``target``, checked before the action writes or commits it: not a symlink (a
    workspace holds what the repository's authors committed, and a link there would
    make the action overwrite the file it points at), and, when ``within``, resolving
    to a place inside the workspace."""
    if target.is_symlink():
        raise MinerError(
            f"refused to write {target}: it is a symbolic link",
            "remove the link from the repository; the action writes plain files only",
        )
    if within and not target.resolve().is_relative_to(workspace.resolve()):
        raise MinerError(
            f"refused to write {target}: it resolves outside the workspace",
            "use an output-dir inside the checkout, without links out of it",
        )
    return target


# ------------------------------------------------------------------ periods
def resolve_period(text: str, now: datetime) -> Period:
    """The period a run covers. Relative forms are read against ``now``, the moment the
    run started: a scheduled run in the first days of a quarter asks for
    ``last-quarter`` and gets the quarter that just ended (a cron on 2 April
    gives Q1, on 2 May too; there is no "current, unfinished" reading)."""
    return parse_period(text, now)


def period_spec(period: Period) -> str:
    """A text that names exactly ``period`` whenever it is read again: the later steps
    must not read ``last-quarter`` anew (a run that crosses midnight at the end of a
    quarter would report another quarter than its cache key and outputs say)."""
    try:
        again = parse_period(period.label)
    except MinerError:
        again = None
    if again is not None and (again.start, again.end) == (period.start, period.end):
        return period.label
    last = period.end - timedelta(days=1)
    return f"{period.start:%Y-%m-%d}..{last:%Y-%m-%d}"


def safe_name(text: str) -> str:
    """``text`` fit for a file name, an artifact name and a cache key."""
    return _SAFE.sub("-", text).strip("-.") or "x"


# ------------------------------------------------------------ runner files
def write_outputs(env: Env, values: Mapping[str, str]) -> None:
    """Append step outputs to ``$GITHUB_OUTPUT``, each in heredoc form: a value may hold
    new lines, and a random delimiter that the value does not contain cannot be
    ended early by it (a report path or label cannot set another output)."""
    with Path(env["GITHUB_OUTPUT"]).open("a", encoding="utf-8") as out:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            while delimiter in value:  # pragma: no cover - a uuid4 collision
                delimiter = f"ghadelimiter_{uuid.uuid4()}"
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def annotation(kind: str, message: str) -> str:
    """A workflow command line; its data escaped so that nothing in ``message`` (a
    period, a path, a search query) can start a command of its own."""
    data = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::{kind}::{data}"


def cut_bytes(text: str, limit: int, note: str) -> tuple[str, bool]:
    """``text`` in at most ``limit`` UTF-8 bytes: whole when it fits, else cut at a line
    end (before a heading where one fits) with ``note`` after it."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text, False
    head = data[: max(0, limit - len(note.encode("utf-8")))].decode("utf-8", errors="ignore")
    return _at_block_end(head) + note, True


def cut_chars(text: str, limit: int, note: str) -> tuple[str, bool]:
    """``text`` in fewer than ``limit`` characters, counted as UTF-16 code units (never
    fewer than code points, so GitHub's count is met either way)."""
    if _units(text) < limit:
        return text, False
    room = limit - 1 - _units(note)
    head = text[:room]
    while _units(head) > room:  # characters outside the BMP count twice
        head = head[: -(_units(head) - room)]
    return _at_block_end(head) + note, True


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _at_block_end(head: str) -> str:
    """``head`` up to the start of its last heading: the report defines its reference
    links at the end of each block, so whole blocks keep their links; else up to its
    last line end."""
    end = head.rfind("\n#")
    if end <= 0:
        end = head.rfind("\n")
    return head[: end + 1] if end > 0 else head


def _server(env: Env) -> str:
    """The GitHub web address the run is on (GitHub Enterprise Server sets its own)."""
    return env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")


def run_url(env: Env) -> str:
    server = _server(env)
    return (
        f"{server}/{env.get('GITHUB_REPOSITORY', '')}/actions/runs/{env.get('GITHUB_RUN_ID', '')}"
    )


# -------------------------------------------------------------------- steps
def prepare(env: Env, now: datetime) -> dict[str, str]:
    """Check the inputs, fix the period, and name the venv, caches and artifact."""
    inputs = read_inputs(env)
    workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd())
    out_dir = inside(workspace, inputs.output_dir, "output-dir")
    period = resolve_period(inputs.period, now)
    temp = Path(env["RUNNER_TEMP"]) / "contribution-miner"
    venv = temp / "venv"
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    person = safe_name(_person(inputs.authors).lower())
    label = safe_name(period.label)
    store_prefix = f"{STORE_CACHE}/{person}/"  # "/" is in no safe name: ada/ never matches ada-x/
    run = f"{env.get('GITHUB_RUN_ID', '0')}-{env.get('GITHUB_RUN_ATTEMPT', '1')}"
    project = Path(env.get("GITHUB_ACTION_PATH") or Path(__file__).parent.parent)
    digest = hashlib.sha256((project / "pyproject.toml").read_bytes()).hexdigest()[:16]
    return {
        "period": period_spec(period),
        "label": period.label,
        "python": str(python),
        "venv": str(venv),
        "pip-cache": str(temp / "pip"),
        "pip-key": f"contribution-miner-pip-{env.get('RUNNER_OS', os.name)}-"
        f"{safe_name(env.get('INPUT_PYTHON_VERSION', ''))}-{digest}",
        "store": str(temp / "store" / "store.sqlite3"),
        # One key per run (a cache entry never changes once saved); restored by the
        # newest entry of this person and period (a run stopped by the rate limit
        # resumes), else the person's newest (earlier quarters' answers are reused).
        "store-key": f"{store_prefix}{label}/{run}",
        "store-restore": f"{store_prefix}{label}/\n{store_prefix}",
        "output-dir": str(out_dir),
        "artifact": f"contribution-miner-{person}-{label}",
        "upload": "true" if artifacts_served(env) else "false",
    }


def _person(authors: tuple[str, ...]) -> str:
    """Whom the caches and the artifact are named for: the first login given (a team
    passes emails too), else the first identity, else the token's user."""
    return next((a for a in authors if "@" not in a), authors[0] if authors else "token-user")


def artifacts_served(env: Env) -> bool:
    """Whether actions/upload-artifact (v4 and later) works here: on github.com and
    GHE.com, not yet on GitHub Enterprise Server, where the report is then kept by the
    job summary, ``commit`` or ``create-issue``."""
    host = urlsplit(_server(env)).hostname or ""
    return host == "github.com" or host.endswith(".ghe.com")


@dataclass(frozen=True)
class Written:
    files: tuple[Path, ...]  # in the output dir, in the order of the formats asked
    markdown: Path  # for the summary and the issue: in the output dir, or made aside
    partial: bool


def run(env: Env, now: datetime, promo: Callable[[list[str]], int] | None = None) -> dict[str, str]:
    """Collect and write the report files; ``promo`` runs ``miner promo`` (a test may
    pass its own)."""
    inputs = read_inputs(env)
    workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd())
    out_dir = inside(workspace, inputs.output_dir, "output-dir")
    aside = Path(env["RUNNER_TEMP"]) / "contribution-miner" / "aside"
    # The store's folder is the Action's own (``prepare`` put it under RUNNER_TEMP);
    # miner makes no folder for a store path it is given, so it is made here.
    store = [Path(env["MINER_STORE"]).parent] if env.get("MINER_STORE") else []
    for folder in (out_dir, aside, *store):
        folder.mkdir(parents=True, exist_ok=True)
    period = parse_period(env.get("MINER_PERIOD") or inputs.period, now)
    stem = safe_name(period.label if inputs.command == "report" else f"promo-{period.label}")
    if inputs.command == "promo":
        written = _promo(inputs, env, period, workspace, out_dir, aside, stem, promo)
    else:
        written = _report(inputs, env, period, now, workspace, out_dir, aside, stem)
    return {
        "reports": "\n".join(str(p.relative_to(workspace)) for p in written.files),
        "markdown": str(written.markdown),
        "period": period.label,
        "partial": "true" if written.partial else "false",
    }


def _report(
    inputs: Inputs,
    env: Env,
    period: Period,
    now: datetime,
    workspace: Path,
    out_dir: Path,
    aside: Path,
    stem: str,
) -> Written:
    from miner import api
    from miner.atomic import write_text
    from miner.report import render

    config = api.Config(
        period=period,
        authors=inputs.authors,
        rules=inputs.rules or None,
        notes=inside(workspace, inputs.notes, "notes") if inputs.notes else None,
        home_repos=inputs.home_repos,
        github=True,
        repos=inputs.repos,
        store=Path(env["MINER_STORE"]) if env.get("MINER_STORE") else None,
        now=now,
    )
    report = api.build_report(config)
    for warning in report.warnings:
        print(annotation("warning", warning))
    targets = _targets(inputs, workspace, out_dir, aside, stem)
    for fmt, target in targets.items():
        write_text(target, render(report, fmt))
    files = tuple(targets[fmt] for fmt in inputs.formats)
    return Written(files, targets["md"], report.partial)


def _targets(
    inputs: Inputs, workspace: Path, out_dir: Path, aside: Path, stem: str
) -> dict[str, Path]:
    """Each format's file (the formats asked in the output dir, Markdown aside when not
    asked: the summary and the issue need it), every one checked before any is written."""
    wanted = (*inputs.formats, *(() if "md" in inputs.formats else ("md",)))
    return {
        fmt: writable(
            workspace,
            (out_dir if fmt in inputs.formats else aside) / f"{stem}.{fmt}",
            within=fmt in inputs.formats,
        )
        for fmt in wanted
    }


def _promo(
    inputs: Inputs,
    env: Env,
    period: Period,
    workspace: Path,
    out_dir: Path,
    aside: Path,
    stem: str,
    runner: Callable[[list[str]], int] | None,
) -> Written:
    """``miner promo`` once per format (JSON first, which says whether it is partial)."""
    options = promo_options(inputs, env, period, workspace)
    targets = _targets(inputs, workspace, out_dir, aside, stem)
    json_target = writable(aside, aside / f"{stem}.json", within=False)
    wanted = {"json": targets.get("json", json_target), **targets}
    for fmt, target in wanted.items():
        code = (runner or _miner)([*options, "--format", fmt, "-o", str(target)])
        if code != 0:
            raise MinerError(f"miner promo failed (exit {code})", "see the line above")
    doc = json.loads(wanted["json"].read_text(encoding="utf-8"))
    files = tuple(targets[fmt] for fmt in inputs.formats)
    return Written(files, targets["md"], _partial(doc))


def promo_options(inputs: Inputs, env: Env, period: Period, workspace: Path) -> list[str]:
    """The ``miner promo`` command line for these inputs, without format and output."""
    args = ["promo", "--period", period_spec(period), "--github"]
    args += [x for a in inputs.authors for x in ("--author", a)]
    args += [x for r in inputs.repos for x in ("--repo", r)]
    args += [x for r in inputs.home_repos for x in ("--home-repo", r)]
    if inputs.rules:
        args += ["--rules", inputs.rules]
    if inputs.notes:
        args += ["--notes", str(inside(workspace, inputs.notes, "notes"))]
    if inputs.case:
        args += ["--case", str(inside(workspace, inputs.case, "case"))]
    if inputs.level:
        args += ["--level", inputs.level]
    if env.get("MINER_STORE"):
        args += ["--store", env["MINER_STORE"]]
    return args


def _miner(args: list[str]) -> int:
    return subprocess.run([sys.executable, "-m", "miner", *args], check=False).returncode


def _partial(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    sources = doc.get("sources") or []
    return bool(doc.get("partial")) or any(
        isinstance(s, dict) and s.get("partial") for s in sources
    )


def summary(env: Env) -> dict[str, str]:
    """Append the Markdown to the job summary, cut below GitHub's 1 MiB."""
    text = Path(env["MINER_MARKDOWN"]).read_text(encoding="utf-8")
    target = Path(env["GITHUB_STEP_SUMMARY"])
    used = target.stat().st_size if target.exists() else 0
    link = env.get("MINER_ARTIFACT_URL") or run_url(env)
    note = (
        "\n\n---\n> **Cut here:** the report is longer than a job summary can hold (1 MiB). "
        f"The whole report is in the artifact: {link}\n"
    )
    body, cut = cut_bytes(text, SUMMARY_LIMIT - used, note)
    with target.open("a", encoding="utf-8") as out:
        out.write(body)
    return {"summary-cut": "true" if cut else "false"}


# An address (left as it is), or an ``@`` that GitHub reads as a mention: one after
# anything but a letter, digit or underscore (``.@u``, ``/@u``, ``-@u``, ``@@u``).
_MENTION = re.compile(
    r"(?P<url>(?i:https?)://[A-Za-z0-9][^\s<>]*)|(?<![A-Za-z0-9_])@(?=[A-Za-z0-9])"
)


def quiet_mentions(text: str) -> str:
    """``text`` with every ``@login`` and ``@org/team`` kept readable but unable to
    notify anyone: an issue body pings whoever it names, and the names in a report come
    from commit messages and pull request titles that other people wrote. A word joiner
    after the ``@`` breaks the mention; emails (``ada@x.io``: after a letter, GitHub
    sees no mention) and http(s) addresses (a link's target must stay byte for byte)
    are left alone."""
    return _MENTION.sub(lambda m: m.group("url") or "@\u2060", text)


def issue(env: Env) -> dict[str, str]:
    """Open an issue in the workflow's repository with the report, the body kept under
    GitHub's limit and the whole report linked. A run for a period that already has
    its open issue (a re-run, or the run that completes a partial one) updates that
    issue instead of opening another."""
    from miner.ghclient import GitHubClient, api_url

    token = env.get("GH_TOKEN", "")
    if not token:
        raise UsageError("create-issue: no token", "the action passes github.token; keep it")
    text = quiet_mentions(Path(env["MINER_MARKDOWN"]).read_text(encoding="utf-8"))
    links = [f"- Artifact: {env.get('MINER_ARTIFACT_URL') or run_url(env)}"]
    if env.get("MINER_COMMITTED"):
        links.append(f"- In the repository: {env['MINER_COMMITTED']}")
    footer = "\n\n---\nThe whole report:\n" + "\n".join(links) + "\n"
    note = "\n\n> **Cut here:** the report is longer than an issue can hold." + footer
    body, cut = cut_chars(text + footer, ISSUE_LIMIT, note)
    stem = f"Contribution summary {env.get('MINER_LABEL', '')}"
    partial = " (partial)" if env.get("MINER_PARTIAL") == "true" else ""
    client = GitHubClient(api_url(None, dict(env)), token)
    issues = f"/repos/{env['GITHUB_REPOSITORY']}/issues"
    payload = {"title": stem + partial, "body": body}
    earlier = _open_issue(client, issues, stem)
    if earlier is None:
        answer = client.send("POST", issues, payload)
    else:
        answer = client.send("PATCH", f"{issues}/{earlier}", payload)
    return {"issue-url": str(answer.data.get("html_url", "")), "issue-cut": str(cut).lower()}


def _open_issue(client: GitHubClient, issues: str, stem: str) -> int | None:
    """The number of the open issue this action opened for the period, among the
    newest hundred open issues."""
    found = client.get(issues, {"state": "open", "per_page": 100}).data
    for item in found if isinstance(found, list) else []:
        mine = (item.get("user") or {}).get("login") == BOT[0] and "pull_request" not in item
        if mine and item.get("title") in (stem, f"{stem} (partial)"):
            return int(item["number"])
    return None


def commit(env: Env) -> dict[str, str]:
    """Commit the report files into the checked-out branch and push them, with the
    job's token in a header that is never written to the repository's config."""
    workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd())
    files = [f for f in env.get("MINER_REPORTS", "").splitlines() if f]
    ref = env.get("GITHUB_REF", "")
    if not ref.startswith("refs/heads/"):
        raise UsageError(f"commit: {ref or 'this run'} is not a branch", "run on a branch")
    git = _git(workspace, env)
    if git("rev-parse", "--is-inside-work-tree").returncode != 0:
        raise UsageError(
            "commit: the workspace is not a Git checkout",
            "add actions/checkout (persist-credentials: false) before this action",
        )
    for name in files:
        writable(workspace, workspace / name)
    git("add", "--", *files)
    if git("diff", "--cached", "--quiet").returncode == 0:
        return {"commit": ""}
    message = f"Contribution summary {env.get('MINER_LABEL', '')}"
    done = git("-c", f"user.name={BOT[0]}", "-c", f"user.email={BOT[1]}", "commit", "-qm", message)
    if done.returncode != 0:
        raise MinerError(f"commit: git commit failed: {done.stderr.strip()[:200]}")
    for _ in range(PUSH_TRIES):
        if git("push", "-q", "origin", f"HEAD:{ref}").returncode == 0:
            break
        if git("pull", "-q", "--rebase", "origin", ref).returncode != 0:
            raise MinerError("commit: the branch moved and the report does not rebase onto it")
    else:
        raise MinerError(f"commit: push to {ref} kept failing", "check contents: write")
    sha = git("rev-parse", "HEAD").stdout.strip()
    server = _server(env)
    first = f"{server}/{env.get('GITHUB_REPOSITORY', '')}/blob/{sha}/{files[0]}" if files else ""
    return {"commit": sha, "committed-url": first}


def _git(workspace: Path, env: Env) -> Callable[..., subprocess.CompletedProcess[str]]:
    """git in the workspace; the token travels as an extra header in the environment
    (as actions/checkout sets it), never on a command line nor in .git/config."""
    extra = dict(os.environ)
    token = env.get("GH_TOKEN", "")
    if token:
        import base64

        server = _server(env)
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        extra.update(
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0=f"http.{server}/.extraheader",
            GIT_CONFIG_VALUE_0=f"AUTHORIZATION: basic {basic}",
        )
    extra["GIT_TERMINAL_PROMPT"] = "0"

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "-C", str(workspace), *args],
            capture_output=True,
            text=True,
            env=extra,
            check=False,
        )

    return git


STEPS: dict[str, Callable[[Env, datetime], dict[str, str]]] = {
    "prepare": prepare,
    "run": lambda env, now: run(env, now),
    "summary": lambda env, _: summary(env),
    "issue": lambda env, _: issue(env),
    "commit": lambda env, _: commit(env),
}


def main(
    argv: list[str] | None = None, environ: Env | None = None, now: datetime | None = None
) -> int:
    """Run one step; its outputs go to ``$GITHUB_OUTPUT``. Returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    env = os.environ if environ is None else environ
    if len(args) != 1 or args[0] not in STEPS:
        print(f"usage: python -m miner.action {{{','.join(STEPS)}}}", file=sys.stderr)
        return 2
    try:
        outputs = STEPS[args[0]](env, now or datetime.now(UTC))
    except MinerError as exc:
        print(annotation("error", exc.line()))
        return exc.exit_code
    except OSError as exc:
        print(annotation("error", f"{args[0]}: {exc.strerror}: {exc.filename}"))
        return 1
    write_outputs(env, outputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
