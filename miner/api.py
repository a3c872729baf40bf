"""The library entry points that the CLI, the Action and the tests call."""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from miner import __version__, gitcmd
from miner.atomic import lock_path, same_file
from miner.collectors.base import Collector
from miner.collectors.docs import DocsCollector
from miner.collectors.git import GitCollector, GitHistory
from miner.collectors.gitlog import log_rows, rows_split
from miner.collectors.notes import NotesCollector, default_case_path, default_notes_path
from miner.config import COMMAND_LINE, GROUPS_NAME, OWNER_NAME, REPO_FILE, Settings, resolve
from miner.engine import RulePack, load_pack
from miner.engine.evaluate import CachedMapper, pack_digest
from miner.engine.loader import NO_PACK, resolve_pack_path
from miner.errors import PeriodError, RepositoryError, UsageError
from miner.identity import Matcher, default_author, is_email, name_seen, resolve_subject
from miner.model import (
    NOT_COLLECTED,
    AreaSummary,
    Evidence,
    Mapped,
    Period,
    Report,
    Source,
    Subject,
)
from miner.periods import parse_period
from miner.store import (
    CommitBatches,
    CommitRow,
    HttpCache,
    MappingCache,
    Selection,
    Store,
    default_store_path,
    open_store,
)

if TYPE_CHECKING:
    from miner.collectors.github import GitHubCollector
    from miner.promo.build import Promo, RepoFacts
    from miner.promo.case import Case, SkeletonResult

GITHUB_BLIND_SPOT = (
    "GitHub not collected: pull requests, reviews, issues and work in other repositories "
    "are missing, so reviews, mentoring and influence are incomplete"
)

NOTES_NOT_OWN = (
    "your notes file was not read: it speaks for you, and --author names someone else; "
    "pass --notes FILE for this person's notes"
)

CASE_NOT_OWN = (
    "your case file was not read: it speaks for you, and --author names someone else; "
    "pass --case FILE for this person's case"
)

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class Config:
    """Everything one run needs; built by the CLI or the Action, never global."""

    period: Period
    paths: tuple[Path, ...] = ()
    authors: tuple[str, ...] = ()
    rules: str | None = None
    rules_inside: Path | None = None  # rules from a clone's file: its packs stay in the clone
    notes: Path | None = None
    home_repos: tuple[str, ...] = ()
    all_branches: bool = False
    github: bool | None = None  # None: on when a token is available and there is a GitHub repo
    repos: tuple[str, ...] = ()  # OWNER/NAME on GitHub
    github_api_url: str | None = None
    rate_limit_wait: float = 60.0
    store: Path | None = None  # None: the default store under the user's cache folder
    # How ``github: true`` was set, for the error when no token is found: the user
    # may have set it in a config file and never typed ``--github``.
    github_set_by: str = "--github"
    # The user's own identities (their config file's ``author``): a report on them
    # is theirs, and their own notes file belongs in it.
    own_authors: tuple[str, ...] = ()
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def configure(paths: tuple[Path, ...], given: Mapping[str, Any]) -> tuple[Config, Settings]:
    """The run's ``Config``: each value from the command line (``given``, keyed by
    option name), else the repository's ``.miner.yaml``, else the user's config file,
    else the default; ``Settings`` says where each came from."""
    settings = resolve(given, paths)
    try:
        period = parse_period(settings["period"])
    except PeriodError as exc:
        if settings.origin("period") == COMMAND_LINE:
            raise
        raise PeriodError(f"{exc.message} (in {settings.origin('period')})", exc.hint) from exc
    config = Config(
        period=period,
        paths=paths,
        authors=tuple(settings["author"]),
        rules=settings["rules"],
        rules_inside=_clone_of(settings.origin("rules")),
        notes=settings["notes"],
        home_repos=tuple(settings["home-repo"]),
        all_branches=bool(given.get("all-branches")),
        github=settings["github"],
        repos=tuple(given.get("repo") or ()),
        github_api_url=settings["github-api-url"],
        rate_limit_wait=float(given.get("rate-limit-wait", 60.0)),
        store=settings["store"],
        github_set_by=settings.source("github"),
        own_authors=settings.mine,
    )
    _check_settings(config, settings)
    return config, settings


def _check_settings(config: Config, settings: Settings) -> None:
    """Settings that cannot give a report, refused before any work and named as the
    user set them: a store in a folder that does not exist, a pack that does not
    exist, a --notes file that does not exist, a period that has not begun."""
    store = config.store
    if store is not None and not store.parent.is_dir():
        raise UsageError(
            f"{settings.source('store')}: folder {store.parent} does not exist",
            "create it first, or give another path",
        )
    pack_name(settings)
    if settings.origin("notes") == COMMAND_LINE and config.notes and not config.notes.exists():
        raise UsageError(  # a notes file given and silently not read would lose the notes
            f"--notes {config.notes}: no such file",
            "check the path, or start it with `miner note add --notes FILE`",
        )
    if config.period.start > config.now:
        raise PeriodError(
            f"{settings.source('period')}: the period has not begun "
            f"(it starts {config.period.start:%Y-%m-%d})",
            "give a period that has started, e.g. this-quarter or last-quarter",
        )


def settings_here(given: Mapping[str, Any]) -> Settings:
    """The settings of a command that builds no report (``note``, ``rules``), from
    the same files a report in the current folder reads."""
    return resolve(given, ())


def notes_file(settings: Settings) -> Path:
    """The notes file a report reads and ``note`` writes: ``--notes``, else the
    config's ``notes``, else the user's own."""
    return settings["notes"] or default_notes_path()


def pack_name(settings: Settings) -> str | None:
    """The rule pack a report uses: a built-in pack's name or a file (None: the
    default); one that does not exist is refused, named as the user set it."""
    name: str | None = settings["rules"]
    try:
        resolve_pack_path(name)
    except UsageError as exc:
        raise UsageError(f"{settings.source('rules')}: {NO_PACK}", exc.hint) from exc
    return name


def rule_pack(settings: Settings) -> RulePack:
    """The rule pack a report with ``settings`` uses, loaded and checked."""
    return load_pack(pack_name(settings), _clone_of(settings.origin("rules")))


def _clone_of(origin: str) -> Path | None:
    """The clone whose ``.miner.yaml`` gave a setting; None for the user's own."""
    where = Path(origin)
    return where.parent if where.name == REPO_FILE else None


def open_repos(paths: Iterable[Path], github_only_ok: bool = False) -> list[gitcmd.Repo]:
    """The clones to read. With no path: the current directory, or none at all when
    it is not a repository and ``github_only_ok`` (``--repo`` given)."""
    given = list(paths)
    if not given and github_only_ok and not gitcmd.is_repository(Path.cwd()):
        return []
    repos = [gitcmd.open_repo(p) for p in (given or [Path.cwd()])]
    for repo in repos:
        if not repo.has_commits:
            raise RepositoryError(
                f"{repo.root} has no commits yet", "commit something, or point miner at a clone"
            )
    return repos


def subject_for(repo: gitcmd.Repo, authors: tuple[str, ...]) -> Subject:
    return resolve_subject(repo.root, authors or (default_author(repo),))


def check_repo_names(config: Config) -> None:
    """``--repo`` is a GitHub OWNER/NAME; ``--home-repo`` too, or a GitLab GROUP/.../NAME.
    Anything else would silently file the work under the wrong area."""
    for option, values, form in (
        ("--repo", config.repos, OWNER_NAME),
        ("--home-repo", config.home_repos, GROUPS_NAME),
    ):
        for value in values:
            if not form.fullmatch(value):
                raise UsageError(
                    f"{option} {value!r} is not OWNER/NAME", f"e.g. {option} pallets/click"
                )


@dataclass(frozen=True)
class Collected:
    subject: Subject
    items: list[Evidence]
    sources: list[Source]
    home: frozenset[str]
    mapped: list[Mapped]  # with a pack: each item with its areas, mapped as it arrived


def collect(
    config: Config,
    progress: Progress = _quiet,
    pack: RulePack | Callable[[], RulePack] | None = None,
    repos: list[gitcmd.Repo] | None = None,
) -> Collected:
    """Run every collector for the subject and period; with ``pack``, map each item as
    it arrives, while git is still reading the next ones. A ``pack`` given as a
    ``PackLoader`` starts loading once the first clone's history is being walked (else
    when the first item needs it): by then git is reading, a megabyte ahead.
    ``repos``: the clones, when the caller has opened them already."""
    if config.github_api_url:
        from miner.ghclient import api_url

        api_url(config.github_api_url)  # a bad URL is a usage error even when GitHub is off
    check_repo_names(config)
    if repos is None:
        repos = open_repos(config.paths, github_only_ok=bool(config.repos))
    authors = config.authors or _default_identity(repos)
    subjects = [resolve_subject(repo.root, authors) for repo in repos]
    if not repos and authors:  # GitHub alone: the subject is who --author names
        subjects = [resolve_subject(None, authors)]
        # ``zip`` below pairs each clone with its subject; here there is none.
    with open_store(config.store) as store:
        github = _github_collector(config, repos, subjects, store)
        if github is None:
            _check_without_github(config, repos)
        collectors: list[Collector] = []
        for repo, subject in zip(repos, subjects if repos else [], strict=True):
            history = GitHistory(repo, Matcher(subject), config.period, config.all_branches, store)
            if isinstance(pack, PackLoader):
                history.when_walking(pack.start)
            collectors += [GitCollector(history), DocsCollector(history)]
        notes = _notes_collector(config, repos, _area_ids(pack))
        if notes is not None:
            collectors.append(notes)
        if github is not None:
            collectors.append(github)
        home = home_repos(config, repos)
        mapper = _Mapper(pack, home, store) if pack is not None else None
        found: dict[str, Evidence] = {}  # by id: one thing seen twice counts once
        mapped: dict[str, Mapped] = {}
        for collector in collectors:
            if collector is github and mapper is not None:
                mapper.ready()  # a bad rule pack fails before any request to GitHub
            progress(f"collecting {collector.source().kind}: {collector.source().location}")
            for item in collector.collect():
                # the first seen stays (Git names a design doc best), and of the same
                # patch committed twice only the earlier commit
                key = item.same_work or item.id
                if not _keeps(found.get(key), item):
                    continue
                found[key] = item
                if mapper is not None:
                    mapped[key] = mapper(item)
        sources = [c.source() for c in collectors]
        if mapper is not None:
            mapper.save()
    if notes is None:
        sources.append(Source("notes", "not read", 0, (NOTES_NOT_OWN,)))
    if github is None:
        sources.append(Source("github", NOT_COLLECTED, 0, (GITHUB_BLIND_SPOT,)))
    subject = _union(subjects)
    if github is not None:
        subject = replace(subject, logins=tuple(dict.fromkeys((*subject.logins, *github.logins))))
    return Collected(subject, list(found.values()), sources, home, list(mapped.values()))


def _default_identity(repos: list[gitcmd.Repo]) -> tuple[str, ...]:
    """With no ``--author``: the clones' ``user.email``, which must be one person's."""
    emails = {default_author(repo).lower(): repo for repo in repos}
    if len(emails) > 1:
        seen = ", ".join(f"{email} in {repo.name}" for email, repo in emails.items())
        raise UsageError(
            f"the clones have different git config user.email ({seen})",
            "say who the report is about: --author EMAIL, repeatable for each of their emails",
        )
    return tuple(emails)


def _own_report(config: Config, repos: list[gitcmd.Repo]) -> bool:
    """Whether the subject is the default identity: no ``--author``, or only the
    clones' own ``user.email`` and the user's own configured identities."""
    own = {repo.config_value("user.email").strip().lower() for repo in repos} - {""}
    own |= {a.strip().lower() for a in config.own_authors}
    given = {a.strip().lower() for a in config.authors}
    return not given or (bool(own) and given <= own)


def _notes_collector(
    config: Config, repos: list[gitcmd.Repo], areas: Callable[[], frozenset[str]] | None
) -> NotesCollector | None:
    """The notes file given, else the user's own, which speaks only for the user."""
    if config.notes is not None:
        return NotesCollector(config.notes, config.period, areas)
    if _own_report(config, repos):
        return NotesCollector(default_notes_path(), config.period, areas)
    return None


def _check_without_github(config: Config, repos: list[gitcmd.Repo]) -> None:
    """With GitHub off, a bare ``--author`` word can only be an author name, and
    ``--repo`` outside a clone leaves nothing to read."""
    if not repos:
        raise UsageError(
            f"--repo {config.repos[0]} outside a clone needs GitHub, and it is off "
            "(no token, or --no-github)",
            "set GH_TOKEN or GITHUB_TOKEN (or `gh auth login`), or run inside a clone",
        )
    for value in config.authors:
        if is_email(value) or not value.strip():
            continue
        if not any(name_seen(repo.root, value) for repo in repos):
            raise UsageError(
                f"--author {value!r} is not an email, and no commit has that author name; "
                "with GitHub off it cannot be a login",
                "give an email or the exact name `git log` shows, or turn GitHub on",
            )


def _area_ids(
    pack: RulePack | Callable[[], RulePack] | None,
) -> Callable[[], frozenset[str]] | None:
    """The pack's area ids, asked for when the notes are read: a note for another
    area would count nowhere, so it is an error."""
    if pack is None:
        return None
    return lambda: frozenset(a.id for a in (pack if isinstance(pack, RulePack) else pack()).areas)


def _keeps(kept: Evidence | None, item: Evidence) -> bool:
    """Whether ``item`` takes the place of ``kept``: the first seen of one id stays; of
    two commits of one patch, the earlier (then the lower id), whichever git read first."""
    if kept is None:
        return True
    if kept.id == item.id:
        return False
    return (item.date, item.id) < (kept.date, kept.id)


class _Mapper:
    """``CachedMapper`` made at the first item, with the pack loaded then if need be."""

    def __init__(
        self, pack: RulePack | Callable[[], RulePack], home: frozenset[str], store: Store
    ) -> None:
        self._pack = pack
        self._home = home
        self._store = store
        self._cache: MappingCache | None = None
        self._mapper: CachedMapper | None = None

    def ready(self) -> CachedMapper:
        if self._mapper is None:
            pack = self._pack if isinstance(self._pack, RulePack) else self._pack()
            self._cache = MappingCache(self._store, pack_digest(pack))
            self._mapper = CachedMapper(pack, self._home, self._cache)
        return self._mapper

    def __call__(self, item: Evidence) -> Mapped:
        return self.ready()(item)

    def save(self) -> None:
        if self._cache is not None:
            self._cache.save()


def home_repos(config: Config, repos: Iterable[gitcmd.Repo]) -> frozenset[str]:
    """The team's own repositories: ``--home-repo``, else ``--repo`` and the clones'
    GitHub remotes. Work anywhere else counts towards influence."""
    chosen = config.home_repos or config.repos or tuple(r.name for r in repos if r.forge)
    return frozenset(name.lower() for name in chosen)


def _github_collector(
    config: Config, repos: list[gitcmd.Repo], subjects: list[Subject], store: Store
) -> GitHubCollector | None:

    if config.github is False:
        return None
    wanted = config.github or bool(config.repos) or any(r.forge == "github" for r in repos)
    if not wanted:
        return None
    from miner.collectors.github import GitHubCollector  # requests loads only when needed
    from miner.ghclient import GitHubClient, api_url, find_token

    token = find_token()
    if token is None:
        if config.github:
            raise UsageError(
                f"{config.github_set_by}: no GitHub token found",
                "set GH_TOKEN or GITHUB_TOKEN, or log in with `gh auth login`; or pass --no-github",
            )
        return None
    client = GitHubClient(
        api_url(config.github_api_url), token, HttpCache(store), max_wait=config.rate_limit_wait
    )
    logins = tuple(dict.fromkeys(x for s in subjects for x in s.logins))
    if not logins or not config.authors:
        logins = ()  # the token's own user, asked when collection starts
    home = tuple(
        config.home_repos or config.repos or (r.name for r in repos if r.forge == "github")
    )
    return GitHubCollector(client, logins, config.period, home)


class PackLoader:
    """The run's rule pack, loaded on a thread of its own once ``start`` is called
    (the collection calls it as soon as git walks the history: loading then takes
    none of the interpreter from the work that starts the walks); a call waits for
    the pack, starting the thread if need be, or raises what loading it raised. So
    a bad pack still fails where it is first needed, after the clones and the
    period were checked. The thread is a daemon: a run stopped by Ctrl-C does not
    wait for it."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._pack: Future[RulePack] = Future()
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, name="pack", daemon=True).start()

    def _load(self) -> None:
        try:
            self._pack.set_result(load_pack(self._config.rules, self._config.rules_inside))
        except BaseException as exc:  # raised where the pack is asked for
            self._pack.set_exception(exc)

    def __call__(self) -> RulePack:
        self.start()
        return self._pack.result()


def build_report(
    config: Config,
    progress: Progress = _quiet,
    pack: PackLoader | None = None,
    repos: list[gitcmd.Repo] | None = None,
) -> Report:
    """Collect, map with the rule pack and assemble the report for ``config``;
    ``pack``: the pack's loader, when the caller needs the pack too; ``repos``: the
    clones, when the caller has opened them already."""
    pack = pack or PackLoader(config)
    found = collect(config, progress, pack, repos)
    subject, sources = found.subject, found.sources
    mapped = found.mapped
    mapped.sort(key=lambda m: (m.evidence.date, m.evidence.id))
    return Report(
        generated_at=config.now,
        subject=subject,
        period=config.period,
        sources=tuple(sources),
        rule_pack=pack().info,
        areas=summarize(pack(), mapped),
        evidence=tuple(mapped),
        warnings=_warnings(subject, config.period, sources, mapped),
    )


def _warnings(
    subject: Subject, period: Period, sources: list[Source], mapped: list[Mapped]
) -> tuple[str, ...]:
    """What the reader must know before trusting the report: a shallow clone, a
    commit or tag git could not give whole, a source that stopped early, and a subject of
    whom nothing was found at all."""
    git = ("shallow", "commit ", "tag ")
    found = [
        spot
        for src in sources
        for spot in src.blind_spots
        if spot.startswith(("partial", "skipped")) or (src.kind == "git" and spot.startswith(git))
    ]
    if not any(m.evidence.source != "notes" for m in mapped):
        who = ", ".join(subject.emails + subject.names + subject.logins) or "the token's user"
        found.append(
            f"nothing found for {who} in {period.label}: check --author (an email or the "
            "exact name as `git log` shows it) and --period; `miner doctor` counts the commits"
        )
    return tuple(found)


def summarize(pack: RulePack, mapped: list[Mapped]) -> tuple[AreaSummary, ...]:
    """Every area of the pack in pack order, its items strongest first."""
    by_area: dict[str, list[Mapped]] = {area.id: [] for area in pack.areas}
    for item in mapped:  # one pass over the items, not one per area
        for area_id in dict.fromkeys(m.area for m in item.mappings):
            by_area[area_id].append(item)
    summaries = []
    for area in pack.areas:
        items = by_area[area.id]
        items.sort(key=lambda m: (-m.strength(area.id), m.evidence.date, m.evidence.id))
        summaries.append(AreaSummary(area, tuple(items)))
    return tuple(summaries)


def _union(subjects: list[Subject]) -> Subject:
    return Subject(
        emails=tuple(dict.fromkeys(e for s in subjects for e in s.emails)),
        names=tuple(dict.fromkeys(n for s in subjects for n in s.names)),
        logins=tuple(dict.fromkeys(x for s in subjects for x in s.logins)),
    )


@dataclass(frozen=True)
class CollectResult:
    repo: str
    new: int  # commits this run read from git and stored
    up_to_date: bool  # nothing had changed since the last collection
    skipped: tuple[str, ...] = ()  # commits git could not give whole, one line each


def collect_all_authors(
    paths: Iterable[Path],
    store_path: Path | None,
    all_branches: bool = False,
    progress: Progress = _quiet,
) -> list[CollectResult]:
    """Every author's non-merge commits over the whole history, into the store.

    Incremental: only commits not reachable from the tips collected last time are
    read (``--not OLD_TIPS``; tips gone after a rewrite are ignored). Rows are
    stored in batches, each its own transaction, and the tips are saved last, so
    an interrupted run loses nothing stored and the next run finishes the job.
    """
    results = []
    with open_store(store_path) as store:
        for repo in open_repos(paths):
            ref = "--all" if all_branches else "HEAD"
            root = str(repo.root)
            tips = _tips(repo, all_branches)
            old = store.head(root, ref)
            if old == tips:
                results.append(CollectResult(repo.name, 0, True))
                continue
            exclude = [f"^{t}" for t in old.split()] if old else []
            revs = gitcmd.every_branch() if all_branches else [ref]
            batches = CommitBatches(store)
            skipped: list[str] = []
            for row in _history(repo.root, [*revs, "--ignore-missing", *exclude], skipped):
                if batches.add(row):
                    progress(f"{repo.name}: {batches.stored} commits stored")
            batches.flush()
            store.save_head(root, ref, tips)
            notes = tuple(sorted(set(skipped)))
            results.append(CollectResult(repo.name, batches.stored, False, notes))
    return results


def _history(root: Path, revs: list[str], skipped: list[str]) -> Iterator[CommitRow]:
    """Every non-merge commit among ``revs``: one streamed pass, or with more than one
    core, the commits listed first (cheap, no diffs) and read by one git process per
    core side by side. Read as recorded, without ``git replace`` replacements: the
    store keeps commits by SHA."""
    parts = min(gitcmd.MAX_PROCESSES, gitcmd.usable_cores())
    if parts < 2:
        return log_rows(root, revs, raw=True, skipped=skipped)
    shas = gitcmd.lines(gitcmd.run(root, "rev-list", "--no-merges", *revs, "--", raw=True))
    return rows_split(root, shas, parts, raw=True, skipped=skipped)


def _tips(repo: gitcmd.Repo, all_branches: bool) -> str:
    if not all_branches:
        return repo.head or ""
    return " ".join(sorted({sha for sha, _ in gitcmd.branch_tips(repo)}))


def check_output(config: Config, output: Path | None, case: Path | None = None) -> None:
    """Refuse ``-o`` onto the store, the notes or the case file (``case``, else the
    default one): the report would replace them. No ``-o``, or ``-o -`` (standard
    output), replaces nothing."""
    if output is None or str(output) == "-":
        return
    output = output.expanduser()
    store = config.store or default_store_path()
    notes = config.notes or default_notes_path()
    case = case_path(config, case)
    own = {
        "evidence store": [store, *(Path(f"{store}{end}") for end in ("-wal", "-shm", "-journal"))],
        "notes file": [notes, lock_path(notes)],
        "case file": [case, lock_path(case)],
    }
    for what, paths in own.items():
        if any(same_file(output, path) for path in paths):
            raise UsageError(f"-o {output} is your {what}", "write the report to another file")


def case_path(config: Config, case: Path | None = None) -> Path:
    """The promotion case file: the one given, else ``case.yaml`` beside the notes."""
    return case or default_case_path(config.notes or default_notes_path())


def _case_file(
    config: Config, repos: list[gitcmd.Repo], case: Path | None, init: bool = False
) -> Case:
    """The case file given, which must exist unless it is being created; else the
    user's own, which, like their notes, speaks only for them: on a case about
    someone else it is not read (and ``--init-case`` would write their projects
    into it, so that needs ``--case``)."""
    from miner.promo.case import Case, read_case

    if case is not None:
        if not init and not case.exists():
            raise UsageError(
                f"--case {case}: no such file", "check the path, or create it with --init-case"
            )
        return read_case(case)
    path = case_path(config)
    if _own_report(config, repos):
        return read_case(path)
    if init:
        raise UsageError(
            "--init-case about someone else needs --case FILE: your own case file speaks for you",
            "pass --case with a file for this person's case",
        )
    return Case(path, skipped=CASE_NOT_OWN)


def build_promo(
    config: Config,
    level: str | None = None,
    case: Path | None = None,
    show_emails: bool = False,
    progress: Progress = _quiet,
    init: bool = False,
) -> Promo:
    """The promotion case for ``config``: the report, then projects, expertise and
    peers from every author's history, read on the side while the report's author
    walk runs, and the person's own words from the case file."""
    repos = open_repos(config.paths, github_only_ok=bool(config.repos))
    case_file = _case_file(config, repos, case, init)  # a bad case file fails before any work
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        histories = pool.submit(_history_facts, config, repos)
        from miner.promo.build import assemble  # once git has work: what is needed last

        loaded = PackLoader(config)
        report = build_report(config, progress, loaded, repos)
        pack = loaded()
        found = _with_co_authors(config, report, histories.result())
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return assemble(
        report,
        functools.partial(summarize, pack),
        level or pack.level or "(no target level: pass --level)",
        case_file,
        found,
        show_emails,
    )


@dataclass(frozen=True)
class _Facts:
    """One repository's facts, with what is needed to complete and keep them."""

    repo: gitcmd.Repo
    key: str  # where the store keeps them
    matcher: Matcher
    facts: RepoFacts


def _history_facts(config: Config, repos: list[gitcmd.Repo]) -> list[_Facts]:
    """What the case needs from every author's history, per repository: expertise,
    peers, the merges behind the subject's commits. Kept in the store per head,
    subject and period, so a warm run reads none of the history; else worked out
    from it (see ``promo.touches``). A full collection made once (``collect
    --all-authors``) is brought up to date first, so that changed lines are known."""
    from miner.promo.build import facts_from_json, repo_facts
    from miner.promo.touches import read_history

    found = []
    with open_store(config.store) as store:
        for repo in repos:
            ref = "--all" if config.all_branches else "HEAD"
            root = str(repo.root)
            collected = store.head(root, ref)
            if collected and collected != repo.head:
                collect_all_authors([repo.root], store.path, config.all_branches)
            matcher = Matcher(subject_for(repo, config.authors))
            key = _facts_key(repo, config, matcher, store.head(root, ref) or "")
            head = repo.head or ""
            kept = store.selection(root, key)
            if kept is not None and kept.head == head and kept.rows and not config.all_branches:
                found.append(_Facts(repo, key, matcher, facts_from_json(kept.rows[0][0])))
                continue
            history = read_history(repo, store, config.all_branches)
            # kept once complete: ``_with_co_authors`` adds the co-authors and saves them
            found.append(_Facts(repo, key, matcher, repo_facts(history, matcher, config.period)))
    return found


def _with_co_authors(config: Config, report: Report, found: list[_Facts]) -> list[RepoFacts]:
    """Each repository's facts with the people on the subject's co-authored commits
    (their emails tell peers apart): read once, from those commits alone, which the
    report names; the facts kept in the store hold them from then on."""
    from miner.promo.build import facts_json
    from miner.promo.touches import co_authored

    done = [f.facts for f in found]
    missing = [i for i, f in enumerate(found) if f.facts.co_authors is None]
    if not missing:
        return done
    with open_store(config.store) as store:
        for i in missing:
            f = found[i]
            shas = [
                m.evidence.id.removeprefix("git:")
                for m in report.evidence
                if m.evidence.kind == "commit"
                and m.evidence.co_authors
                and m.evidence.repo.lower() == f.facts.repo.lower()
            ]
            done[i] = replace(f.facts, co_authors=co_authored(f.repo.root, f.matcher, shas))
            if f.repo.head and not config.all_branches:
                selection = Selection(f.repo.head, ((facts_json(done[i]),),))
                store.save_selection(str(f.repo.root), f.key, selection)
    return done


def _facts_key(repo: gitcmd.Repo, config: Config, matcher: Matcher, collected: str) -> str:
    """What the facts depend on besides the head: the code that made them, the
    subject, the period, the mailmap and whether every author's lines are known."""
    from miner.promo.build import FACTS_VERSION
    from miner.promo.touches import TOUCHES_VERSION

    parts = [
        TOUCHES_VERSION,
        FACTS_VERSION,
        __version__,
        [matcher.subject.emails, matcher.subject.names, matcher.subject.logins],
        [config.period.start.isoformat(), config.period.end.isoformat()],
        gitcmd.mailmap_digest(repo),
        repo.config_section("mailmap."),
        collected,
    ]
    return "facts:" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def init_case(
    config: Config, level: str | None = None, case: Path | None = None, progress: Progress = _quiet
) -> SkeletonResult:
    """Write the case file's skeleton, or add to it the projects and keys it lacks;
    nothing already in it changes."""
    from miner.promo.build import KEY_PROJECTS
    from miner.promo.case import SkeletonEntry, write_skeleton

    promo = build_promo(config, level, case, progress=progress, init=True)
    entries = [
        SkeletonEntry(
            p.project.id,
            f"{p.project.name} ({p.project.start:%Y-%m-%d}..{p.project.end:%Y-%m-%d})",
        )
        for p in promo.projects[: KEY_PROJECTS * 3]
    ]
    weak = [g.area.area.id for g in promo.gaps]
    return write_skeleton(promo.case.path, entries, weak)
