"""The values that collectors, the engine and the reporter exchange.

All of them are frozen: a collector yields ``Evidence``, the engine adds
``Mapping`` values beside it, and the reporter only reads. Timestamps are
timezone-aware UTC throughout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, get_args

Kind = Literal[
    "commit",
    "pull_request",
    "review",
    "review_comment",
    "issue",
    "issue_comment",
    "design_doc",
    "release",
    "note",
    # someone else's work the subject brought in: a merge commit of their branch or pull
    # request, or their commit committed (landed) by the subject
    "merge",
    "component",  # a part of the code (a source file) the subject owned in the period
]
KINDS: tuple[str, ...] = get_args(Kind)
# "committer": the subject merged or committed someone else's work (a "merge" item).
Role = Literal["author", "co-author", "reviewer", "commenter", "committer"]
ROLES: tuple[str, ...] = get_args(Role)


@dataclass(frozen=True)
class Period:
    """A half-open UTC interval ``[start, end)`` with the label the user gave."""

    label: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Period bounds must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("Period end must follow its start")

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Subject:
    """The person the report is about, as the user named them.

    ``emails`` are the canonical (mailmap-resolved) addresses to match;
    ``names`` match a mailmap-resolved author name exactly, never loosely;
    ``logins`` are GitHub logins.
    """

    emails: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    logins: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stats:
    additions: int = 0
    deletions: int = 0
    files: int = 0

    @property
    def changes(self) -> int:
        return self.additions + self.deletions


@dataclass(frozen=True)
class Evidence:
    """One thing the subject did, with where it came from."""

    id: str
    kind: Kind
    source: str
    repo: str
    title: str
    date: datetime
    url: str | None = None
    stats: Stats | None = None
    paths: tuple[str, ...] = ()
    message: str = ""
    labels: tuple[str, ...] = ()
    role: Role = "author"
    review_state: str | None = None
    newcomer_author: bool | None = None
    co_authors: tuple[str, ...] = ()
    state: str | None = None  # pull requests and issues: "open", "closed" or "merged"
    # Which email or login of the subject this item was matched on.
    matched_as: str = ""
    comments: int = 0  # a review: the line comments it made
    # A pull request: the commits that others reviewed; a review: the commits the
    # subject had reviewed on that pull request by then (this one included).
    review_rounds: int = 0
    # Each path's (lines added, lines removed), in the order of ``paths``; empty when
    # the source gives only totals.
    file_lines: tuple[tuple[int, int], ...] = ()
    # Items with the same key are one piece of work (the same patch committed twice);
    # empty: the item's own id.
    same_work: str = ""


@dataclass(frozen=True)
class Mapping:
    """Why one item counts for one area: the rule that matched and its reason."""

    area: str
    rule: str
    reason: str
    weight: int = 1


@dataclass(frozen=True)
class Mapped:
    """An item of evidence with every area it counts for."""

    evidence: Evidence
    mappings: tuple[Mapping, ...]
    home: bool = True
    # Lines changed in product code and in all (less lockfiles, generated and vendored
    # files), as the rule pack counts them; None: not worked out (the stats' total).
    size: tuple[int, int] | None = None

    @property
    def counted_lines(self) -> tuple[int, int]:
        """(lines changed in product code, lines that count as size) as the rule pack
        measured them; the stats' total for both when it did not (an item mapped
        before sizes were kept)."""
        if self.size is not None:
            return self.size
        total = self.evidence.stats.changes if self.evidence.stats else 0
        return total, total

    def strength(self, area: str | None = None) -> float:
        """How strongly the item speaks for ``area``: the heaviest rule that maps it
        there, then the lines it changed in product code, then the lines that count
        as size at all (lockfiles, generated and vendored files never do)."""
        weights = [m.weight for m in self.mappings if area is None or m.area == area]
        product, size = self.counted_lines
        return (
            (max(weights) if weights else 0) * 1_000_000 + min(product, 999) * 1000 + min(size, 999)
        )


NOT_COLLECTED = "not collected"  # a Source's location when its collector did not run


@dataclass(frozen=True)
class Source:
    """What one collector scanned, how much it found, and what it could not see."""

    kind: str
    location: str
    items: int
    blind_spots: tuple[str, ...] = ()
    matched_emails: tuple[str, ...] = ()
    matched_names: tuple[str, ...] = ()
    partial: bool = False


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    description: str
    hint: str


@dataclass(frozen=True)
class RulePackInfo:
    name: str
    version: str


@dataclass(frozen=True)
class AreaSummary:
    area: Area
    items: tuple[Mapped, ...]

    @property
    def gap(self) -> bool:
        return not self.items


@dataclass(frozen=True)
class Report:
    generated_at: datetime
    subject: Subject
    period: Period
    sources: tuple[Source, ...]
    rule_pack: RulePackInfo
    areas: tuple[AreaSummary, ...]
    evidence: tuple[Mapped, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def partial(self) -> bool:
        return any(s.partial for s in self.sources)

    @property
    def emails(self) -> tuple[str, ...]:
        found = {e for s in self.sources for e in s.matched_emails}
        return tuple(sorted(found | set(self.subject.emails)))

    @property
    def names(self) -> tuple[str, ...]:
        found = {n for s in self.sources for n in s.matched_names}
        return tuple(sorted(found | set(self.subject.names)))


def utc(timestamp: int | float) -> datetime:
    """A Unix timestamp as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp, tz=UTC)
