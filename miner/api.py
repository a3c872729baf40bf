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
from miner.collectors.notes import NotesCollector, default_notes_path
from miner.engine import RulePack, evaluate, load_pack
from miner.errors import RepositoryError, UsageError
from miner.identity import Matcher, default_author, resolve_subject
from miner.model import AreaSummary, Evidence, Mapped, Period, Report, Source, Subject

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
    return resolve_subject(repo.root, authors or (default_author(repo.root),))


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
    collectors: list[Collector] = []
    for repo, subject in zip(repos, subjects, strict=True):
        progress(f"reading {repo.name}")
        history = GitHistory(repo, Matcher(subject), config.period, config.all_branches)
        collectors += [GitCollector(history), DocsCollector(history)]
    collectors.append(NotesCollector(config.notes or default_notes_path(), config.period))
    items: list[Evidence] = []
    for collector in collectors:
        items.extend(collector.collect())
    sources = [c.source() for c in collectors]
    sources.append(Source(kind="github", location="-", items=0, blind_spots=(GITHUB_BLIND_SPOT,)))
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
