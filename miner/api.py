"""The library entry points that the CLI, the Action and the tests call."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from miner import gitcmd
from miner.collectors.base import Collector
from miner.collectors.docs import DocsCollector
from miner.collectors.git import GitCollector, GitHistory
from miner.collectors.gitlog import log_rows
from miner.collectors.notes import NotesCollector, default_notes_path
from miner.engine import RulePack, evaluate, load_pack
from miner.errors import RepositoryError, UsageError
from miner.identity import Matcher, default_author, resolve_subject
from miner.model import AreaSummary, Evidence, Mapped, Period, Report, Source, Subject
from miner.store import CommitRow, Store, default_store_path

GITHUB_BLIND_SPOT = (
    "GitHub not collected: pull requests, reviews, issues and work in other repositories "
    "are missing, so reviews, mentoring and influence are incomplete"
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
    notes: Path | None = None
    home_repos: tuple[str, ...] = ()
    all_branches: bool = False
    github: bool | None = None
    store: Path | None = None  # None: the default store under the user's cache folder
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def open_repos(paths: Iterable[Path]) -> list[gitcmd.Repo]:
    repos = [gitcmd.open_repo(p) for p in (list(paths) or [Path.cwd()])]
    for repo in repos:
        if not repo.has_commits:
            raise RepositoryError(
                f"{repo.root} has no commits yet", "commit something, or point miner at a clone"
            )
    return repos


def subject_for(repo: gitcmd.Repo, authors: tuple[str, ...]) -> Subject:
    return resolve_subject(repo.root, authors or (default_author(repo),))


def collect(
    config: Config, progress: Progress = _quiet
) -> tuple[Subject, list[Evidence], list[Source]]:
    """Run every collector for the subject and period; return the subject, items and sources."""
    if config.github:
        raise UsageError(
            "--github: GitHub collection is not available in this version yet",
            "run without --github; the report names what it could not see",
        )
    repos = open_repos(config.paths)
    subjects = [subject_for(repo, config.authors) for repo in repos]
    with Store(config.store or default_store_path()) as store:
        collectors: list[Collector] = []
        for repo, subject in zip(repos, subjects, strict=True):
            history = GitHistory(repo, Matcher(subject), config.period, config.all_branches, store)
            collectors += [GitCollector(history), DocsCollector(history)]
        collectors.append(NotesCollector(config.notes or default_notes_path(), config.period))
        items: list[Evidence] = []
        for collector in collectors:
            progress(f"collecting {collector.source().kind}: {collector.source().location}")
            items.extend(collector.collect())
    sources = [c.source() for c in collectors]
    sources.append(Source("github", "not collected", 0, (GITHUB_BLIND_SPOT,)))
    return _union(subjects), _dedupe(items), sources


def build_report(config: Config, progress: Progress = _quiet) -> Report:
    """Collect, map with the rule pack and assemble the report for ``config``."""
    pack = load_pack(config.rules)
    subject, items, sources = collect(config, progress)
    progress("mapping evidence to areas")
    home = frozenset(r.lower() for r in config.home_repos)
    mapped = evaluate(pack, items, home)
    mapped.sort(key=lambda m: (m.evidence.date, m.evidence.id))
    warnings = tuple(s for src in sources if src.kind == "git" for s in src.blind_spots)
    return Report(
        generated_at=config.now,
        subject=subject,
        period=config.period,
        sources=tuple(sources),
        rule_pack=pack.info,
        areas=summarize(pack, mapped),
        evidence=tuple(mapped),
        warnings=tuple(w for w in warnings if w.startswith("shallow")),
    )


def summarize(pack: RulePack, mapped: list[Mapped]) -> tuple[AreaSummary, ...]:
    """Every area of the pack in pack order, its items strongest first."""
    summaries = []
    for area in pack.areas:
        items = [m for m in mapped if any(x.area == area.id for x in m.mappings)]
        items.sort(key=lambda m: (-m.strength(area.id), m.evidence.date, m.evidence.id))
        summaries.append(AreaSummary(area, tuple(items)))
    return tuple(summaries)


def _union(subjects: list[Subject]) -> Subject:
    return Subject(
        emails=tuple(dict.fromkeys(e for s in subjects for e in s.emails)),
        names=tuple(dict.fromkeys(n for s in subjects for n in s.names)),
        logins=tuple(dict.fromkeys(x for s in subjects for x in s.logins)),
    )


def _dedupe(items: list[Evidence]) -> list[Evidence]:
    """One item per id: the same commit reached from two clones counts once."""
    return list({e.id: e for e in items}.values())


@dataclass(frozen=True)
class CollectResult:
    repo: str
    new: int  # commits this run read from git and stored
    up_to_date: bool  # nothing had changed since the last collection


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
    with Store(store_path or default_store_path()) as store:
        for repo in open_repos(paths):
            ref = "--all" if all_branches else "HEAD"
            root = str(repo.root)
            tips = _tips(repo, all_branches)
            old = store.head(root, ref)
            if old == tips:
                results.append(CollectResult(repo.name, 0, True))
                continue
            exclude = [f"^{t}" for t in old.split()] if old else []
            new = 0
            batch: list[CommitRow] = []
            for row in log_rows(repo.root, [ref, "--ignore-missing", *exclude]):
                batch.append(row)
                if len(batch) == BATCH:
                    new += store.add_commits(batch)
                    progress(f"{repo.name}: {new} commits stored")
                    batch = []
            new += store.add_commits(batch)
            store.save_head(root, ref, tips)
            results.append(CollectResult(repo.name, new, False))
    return results


BATCH = 5000


def _tips(repo: gitcmd.Repo, all_branches: bool) -> str:
    if not all_branches:
        return gitcmd.run(repo.root, "rev-parse", "HEAD").strip()
    refs = gitcmd.run(repo.root, "for-each-ref", "--format=%(objectname)")
    return " ".join(sorted(set(refs.split())))
