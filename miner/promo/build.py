"""The promotion case assembled from a report, the case file and every author's
history: projects, expertise, collaboration, peers, gaps.

Nothing here writes prose about impact: the summary and each project's impact come
from the person's case file, or are shown as empty slots.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta

from miner.identity import Matcher, is_bot, noreply_login
from miner.model import NOT_COLLECTED, AreaSummary, Evidence, Mapped, Period, Report
from miner.promo.case import Case
from miner.promo.projects import Project, group
from miner.promo.touches import UNKNOWN, History, Touch, branch_commits, merged_pulls

KEY_PROJECTS = 6
WEAK = 3  # an area with fewer items than this is weak
PEERS = 5
BRANCH_SLACK = timedelta(days=30)  # room for author dates skewed before the period
MAIN_AUTHOR_RANK = 3  # among the top this many authors of a component: a main author
# Bump when what RepoFacts holds changes: facts of an older shape are not reused.
FACTS_VERSION = "facts-2"


@dataclass(frozen=True)
class Share:
    """The subject's part of one component's work, and their rank among its authors."""

    commits: int
    total_commits: int
    rank: int  # by commits; 0 when the subject has none
    authors: int
    lines: int | None  # None: not known without every author's diffs
    total_lines: int | None
    lines_rank: int | None

    @property
    def commit_share(self) -> float:
        return self.commits / self.total_commits if self.total_commits else 0.0

    @property
    def line_share(self) -> float | None:
        if self.lines is None or not self.total_lines:
            return None
        return self.lines / self.total_lines


@dataclass(frozen=True)
class Reviewed:
    """The subject's reviews of one component's pull requests in the period: of the
    ``merged`` pull requests by others that Git names as merged into it (a "Merge
    pull request #N" merge or a squashed "Title (#N)"), the ``reviewed`` ones."""

    reviewed: int
    merged: int


@dataclass(frozen=True)
class Expertise:
    repo: str
    component: str
    period: Share
    history: Share
    reviews: Reviewed | None = None  # None: GitHub was not collected

    @property
    def main_author(self) -> bool:
        return any(
            0 < s.rank <= MAIN_AUTHOR_RANK and s.commit_share >= 0.1
            for s in (self.period, self.history)
        )


@dataclass(frozen=True)
class Peer:
    name: str  # their name in Git, else their GitHub login
    email: str  # shown only when asked for
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]  # evidence ids
    score: int
    login: str = ""  # their GitHub login, when reviews on GitHub name them


@dataclass(frozen=True)
class CaseProject:
    """A project as the case shows it: the grouping plus the person's words."""

    project: Project
    name: str
    impact: str
    named_by_case: bool


@dataclass(frozen=True)
class LeftOut:
    """An item the case file hides, with the person's reason."""

    id: str
    why: str
    title: str


@dataclass(frozen=True)
class Gap:
    area: AreaSummary
    plan: str


@dataclass(frozen=True)
class Promo:
    report: Report  # hidden items left out, pinned ones first in their areas
    level: str
    case: Case
    projects: tuple[CaseProject, ...]  # strongest first
    expertise: tuple[Expertise, ...]
    lines_known: bool
    peers: tuple[Peer, ...]
    # GitHub was collected, so each expertise row carries the subject's reviews
    reviews_known: bool
    pinned: frozenset[str]
    hidden: tuple[LeftOut, ...]
    gaps: tuple[Gap, ...]
    # The case file's stale ids, as (line, what): for stderr and the JSON, never the
    # document a committee reads.
    case_warnings: tuple[tuple[int, str], ...]
    show_emails: bool = False

    @property
    def key_projects(self) -> tuple[CaseProject, ...]:
        return self.projects[:KEY_PROJECTS]

    @property
    def other_projects(self) -> tuple[CaseProject, ...]:
        return self.projects[KEY_PROJECTS:]

    def warnings(self, where: str) -> tuple[str, ...]:
        """The case file's warnings as ``where:line: what`` (the path on stderr, the
        file's name alone in a document)."""
        return tuple(f"{where}:{line}: {what}" for line, what in self.case_warnings)


def assemble(
    report: Report,
    summarize: Callable[[list[Mapped]], tuple[AreaSummary, ...]],
    level: str,
    case: Case,
    facts: Iterable[RepoFacts],
    show_emails: bool = False,
) -> Promo:
    """The case from a finished report. ``summarize`` re-sorts areas (the api's
    ``summarize`` bound to the pack) once hidden items are gone."""
    facts = list(facts)
    warnings: list[tuple[int, str]] = []
    known = {m.evidence.id: m for m in report.evidence}
    hidden_ids = {h.id for h in case.hide}
    for h in case.hide:
        if h.id not in known:
            warnings.append((h.line, f"hidden id '{h.id}' matches no evidence (kept)"))
    pinned = frozenset(pid for pid, _ in case.pin if pid in known)
    for pid, line in case.pin:
        if pid not in known:
            warnings.append((line, f"pinned id '{pid}' matches no evidence (kept)"))
    kept = [m for m in report.evidence if m.evidence.id not in hidden_ids]
    areas = _pinned_first(summarize(kept), pinned)
    shown = replace(report, evidence=tuple(kept), areas=areas)
    branches = {f.repo.lower(): f.branches for f in facts}
    grouped = group(kept, branches)
    by_id = {p.id: p for p in grouped}  # an id merged into another still names its work
    projects = _merged(by_id, case, warnings)
    for pid, note in case.projects.items():
        if pid not in by_id:
            warnings.append((note.line, f"project id '{pid}' matches no project (kept)"))
    area_ids = {a.area.id for a in areas}
    for area_id, (_, line) in case.plan.items():
        if area_id not in area_ids:
            warnings.append((line, f"plan for '{area_id}', which is not an area (kept)"))
    matcher = Matcher(report.subject)
    github = any(s.kind == "github" and s.location != NOT_COLLECTED for s in report.sources)
    return Promo(
        report=shown,
        level=level,
        case=case,
        projects=_unique_names([_case_project(p, case) for p in projects]),
        expertise=_ranked(_with_reviews(facts, kept, report.evidence) if github else facts),
        lines_known=all(f.lines_known for f in facts) and bool(facts),
        peers=peers(kept, facts, matcher),
        reviews_known=github,
        pinned=pinned,
        hidden=tuple(
            LeftOut(h.id, h.why, known[h.id].evidence.title if h.id in known else "")
            for h in case.hide
        ),
        gaps=tuple(
            Gap(a, case.plan.get(a.area.id, ("", 0))[0]) for a in areas if len(a.items) < WEAK
        ),
        case_warnings=tuple(warnings),
        show_emails=show_emails,
    )


def _merged(
    by_id: dict[str, Project], case: Case, warnings: list[tuple[int, str]]
) -> tuple[Project, ...]:
    """The case file's ``merge`` applied to the projects ``by_id``: each list of ids
    becomes one project with the first one's id, name and signal; an id that matches
    nothing is warned about."""
    gone: set[str] = set()
    joined: dict[str, Project] = {}
    for ids, line in case.merge:
        for pid in ids:
            if pid not in by_id:
                warnings.append((line, f"merge names '{pid}', which matches no project (kept)"))
        found = [joined.get(pid, by_id[pid]) for pid in ids if pid in by_id and pid not in gone]
        if len(found) < 2:
            continue
        items = sorted(
            {m.evidence.id: m for p in found for m in p.items}.values(),
            key=lambda m: (m.evidence.date, m.evidence.id),
        )
        lead = found[0]
        joined[lead.id] = Project(lead.id, lead.name, lead.signal, tuple(items))
        gone |= {p.id for p in found[1:]}
    out = [joined.get(p.id, p) for p in by_id.values() if p.id not in gone]
    out.sort(key=lambda p: (-p.strength, p.start, p.id))
    return tuple(out)


def _ranked(facts: Iterable[RepoFacts]) -> tuple[Expertise, ...]:
    """Components where the subject did most in the period (commits, and pull requests
    reviewed) first, then over all history. Components the subject never committed to
    are kept only where they reviewed."""
    rows = [
        x
        for f in facts
        for x in f.expertise
        if x.history.commits or (x.reviews is not None and x.reviews.reviewed)
    ]
    return tuple(sorted(rows, key=_rank_key))


def _rank_key(x: Expertise) -> tuple[int, int, str, str]:
    reviewed = x.reviews.reviewed if x.reviews else 0
    return (-(x.period.commits + reviewed), -x.history.commits, x.repo, x.component)


_PULL_URL = re.compile(r"^https?://[^/?#]+/[^/?#]+/[^/?#]+/pull/(\d{1,12})(?!\d)")


def _with_reviews(
    facts: list[RepoFacts], kept: list[Mapped], everything: tuple[Mapped, ...]
) -> list[RepoFacts]:
    """Each row with the subject's share of its pull requests' reviews: the pull
    requests Git saw merged into the component, less the subject's own (their Git
    authorship, and the pull requests GitHub lists as theirs, hidden ones too), and
    of those the ones the subject reviewed (a review or line comment kept in the case)."""
    own = {_pull_of(m.evidence) for m in everything if m.evidence.kind == "pull_request"}
    reviewed = {
        _pull_of(m.evidence) for m in kept if m.evidence.kind in ("review", "review_comment")
    }
    out = []
    for f in facts:
        repo = f.repo.lower()
        rows = []
        for x in f.expertise:
            theirs = {n for n in f.merged_prs.get(x.component, ()) if (repo, n) not in own}
            done = sum(1 for n in theirs if (repo, n) in reviewed)
            rows.append(replace(x, reviews=Reviewed(done, len(theirs))))
        out.append(replace(f, expertise=tuple(rows)))
    return out


def _pull_of(e: Evidence) -> tuple[str, int]:
    """(repository, number) of the pull request a GitHub item is, or was made on."""
    if e.kind == "pull_request":
        number = e.id.rsplit("#", 1)[-1]
        return e.repo.lower(), int(number) if number.isdigit() and len(number) < 13 else -1
    found = _PULL_URL.match(e.url or "")
    return e.repo.lower(), int(found[1]) if found else -1


def _pinned_first(
    areas: tuple[AreaSummary, ...], pinned: frozenset[str]
) -> tuple[AreaSummary, ...]:
    return tuple(
        replace(a, items=tuple(sorted(a.items, key=lambda m: m.evidence.id not in pinned)))
        for a in areas
    )


def _case_project(project: Project, case: Case) -> CaseProject:
    note = case.projects.get(project.id)
    name = note.name if note and note.name else project.name
    return CaseProject(project, name, note.impact if note else "", bool(note and note.name))


def _unique_names(projects: list[CaseProject]) -> tuple[CaseProject, ...]:
    """Names miner worked out that two projects share get their dates, then their id
    too, so that a reader can tell the projects apart; names from the case file stay."""
    for describe in (_dated, lambda cp: f"{cp.name} ({cp.project.id})"):
        seen = Counter(cp.name.casefold() for cp in projects)
        projects = [
            replace(cp, name=describe(cp))
            if seen[cp.name.casefold()] > 1 and not cp.named_by_case
            else cp
            for cp in projects
        ]
    return tuple(projects)


def _dated(cp: CaseProject) -> str:
    start, end = f"{cp.project.start:%Y-%m-%d}", f"{cp.project.end:%Y-%m-%d}"
    return f"{cp.name} ({start})" if start == end else f"{cp.name} ({start} to {end})"


def component_name(component: str) -> str:
    """A component as a reader sees it: the repository's root is "top-level files"."""
    return "top-level files" if component == "." else component


# ------------------------------------------------------------------ history facts
@dataclass(frozen=True)
class RepoFacts:
    """What the case needs from one repository's whole history for one subject and
    period: small enough to keep in the store, so a warm run decodes no history.
    People are keyed by their mailmap-resolved email: two people who share a name
    stay two."""

    repo: str
    lines_known: bool
    expertise: tuple[Expertise, ...]
    mine: dict[str, int]  # component -> the subject's commits there in the period
    shared: dict[str, dict[str, int]]  # someone's email -> component -> their commits there
    names: dict[str, str]  # someone's email -> their name (the email shown only when asked)
    branches: dict[str, tuple[str, str]]  # the subject's commit -> (merge, merge subject)
    # component -> the pull requests by others (bots left out) Git saw merged into it
    # in the period
    merged_prs: dict[str, list[int]] = field(default_factory=dict)
    # the subject's co-authored commit -> the others on it, (name, email); None until
    # the report has found those commits (see ``touches.co_authored``)
    co_authors: dict[str, tuple[tuple[str, str], ...]] | None = None


def repo_facts(history: History, matcher: Matcher, period: Period) -> RepoFacts:
    """One pass over every commit: the expertise counts, the subject's and others'
    commits per component in the period, the merges that brought the subject's
    commits, and the pull requests merged into each component. Bots are never
    counted; the subject is matched once per identity."""
    start, end = int(period.start.timestamp()), int(period.end.timestamp())
    me = "\x00subject"
    people = _people(history.touches, matcher, me)
    everyone: dict[str, Counter[str]] = defaultdict(Counter)
    lines: dict[str, Counter[str]] = defaultdict(Counter)
    recent: dict[str, Counter[str]] = defaultdict(Counter)
    recent_lines: dict[str, Counter[str]] = defaultdict(Counter)
    unknown: set[str] = set()
    names: dict[str, str] = {}
    mine_shas: set[str] = set()
    for t in history.touches:
        who = people[(t.name, t.email)]
        if t.is_merge or who is None:
            continue
        in_period = start <= t.time < end
        if who == me and in_period:
            mine_shas.add(t.sha)
        elif in_period:
            names.setdefault(who, t.name)
        for component, changed in t.components:
            everyone[component][who] += 1
            if in_period:
                recent[component][who] += 1
            if changed == UNKNOWN:
                unknown.add(component)
                continue
            lines[component][who] += changed
            if in_period:
                recent_lines[component][who] += changed
    since = int((period.start - BRANCH_SLACK).timestamp())
    owners = branch_commits(history.touches, history.head, since)
    merged = _merged_prs(merged_pulls(history.touches, owners, start, end), people, me)
    rows = tuple(
        Expertise(
            history.repo,
            c,
            _share(me, recent[c], recent_lines[c] if c not in unknown else None),
            _share(me, everyone[c], lines[c] if c not in unknown else None),
        )
        for c in sorted(c for c in everyone if everyone[c][me] or c in merged)
    )
    mine = {c: n[me] for c, n in recent.items() if n[me]}
    shared: dict[str, dict[str, int]] = defaultdict(dict)
    for c in mine:
        for who, n in recent[c].items():
            if who != me:
                shared[who][c] = n
    return RepoFacts(
        repo=history.repo,
        lines_known=history.lines_known,
        expertise=rows,
        mine=mine,
        shared=dict(shared),
        names=names,
        branches={sha: (m.sha, m.subject) for sha, m in owners.items() if sha in mine_shas},
        merged_prs=merged,
    )


def _merged_prs(
    pulls: dict[int, list[Touch]], people: dict[tuple[str, str], str | None], me: str
) -> dict[str, list[int]]:
    """component -> the pull requests merged into it, less the subject's (any commit of
    theirs in it) and bots' (no commit by a person)."""
    found: dict[str, set[int]] = defaultdict(set)
    for number, commits in pulls.items():
        authors = {people[(t.name, t.email)] for t in commits}
        if me in authors or not authors - {None}:
            continue
        for t in commits:
            for component, _ in t.components:
                found[component].add(number)
    return {c: sorted(numbers) for c, numbers in sorted(found.items())}


def facts_json(facts: RepoFacts) -> str:
    return json.dumps(asdict(facts), ensure_ascii=False, separators=(",", ":"))


def facts_from_json(text: str) -> RepoFacts:
    data = json.loads(text)
    return RepoFacts(
        repo=data["repo"],
        lines_known=data["lines_known"],
        expertise=tuple(
            Expertise(x["repo"], x["component"], Share(**x["period"]), Share(**x["history"]))
            for x in data["expertise"]
        ),
        mine=data["mine"],
        shared=data["shared"],
        names=data["names"],
        branches={sha: (m[0], m[1]) for sha, m in data["branches"].items()},
        merged_prs=data["merged_prs"],
        co_authors=None
        if data["co_authors"] is None
        else {sha: tuple((n, e) for n, e in people) for sha, people in data["co_authors"].items()},
    )


def _people(
    touches: Iterable[Touch], matcher: Matcher, me: str
) -> dict[tuple[str, str], str | None]:
    """Each identity once: None for a bot, ``me`` for the subject, else the email
    (asking the matcher 40,000 times for 40 people costs a third of a second)."""
    found: dict[tuple[str, str], str | None] = {}
    for t in touches:
        key = (t.name, t.email)
        if key not in found:
            bot = is_bot(t.name, t.email)
            found[key] = None if bot else me if matcher(t.name, t.email) else t.email
    return found


def _share(me: str, commits: Counter[str], lines: Counter[str] | None) -> Share:
    mine = commits[me]
    lines_mine = lines[me] if lines is not None else None
    return Share(
        commits=mine,
        total_commits=sum(commits.values()),
        rank=_rank(commits, me) if mine else 0,
        authors=len(commits),
        lines=lines_mine,
        total_lines=sum(lines.values()) if lines is not None else None,
        lines_rank=_rank(lines, me) if lines is not None and lines_mine else None,
    )


def _rank(counts: Counter[str], me: str) -> int:
    return 1 + sum(1 for who, n in counts.items() if who != me and n > counts[me])


# ------------------------------------------------------------------ peers
def peers(items: list[Mapped], facts: list[RepoFacts], matcher: Matcher) -> tuple[Peer, ...]:
    """The people the subject worked with most: co-authors of their commits, reviews
    exchanged both ways (GitHub logins), then those who committed to the same
    components in the period. Each person once: people are told apart by their
    mailmap-resolved email (two who share a name stay two), and a Git identity with a
    GitHub noreply email (``12345+jdoe@users.noreply.github.com``) is the login it
    names. Never the subject (nor the logins GitHub matched them as), never a bot."""
    mine_logins = {m.evidence.matched_as.lower() for m in items if m.evidence.source == "github"}

    def is_me(name: str, email: str) -> bool:
        return matcher(name, email) or noreply_login(email) in mine_logins

    met = _Met(is_me)
    together = {sha: people for f in facts for sha, people in (f.co_authors or {}).items()}
    co_authored: dict[str, list[str]] = defaultdict(list)
    for m in items:
        e = m.evidence
        if e.co_authors:
            named = tuple((name, "") for name in e.co_authors)  # no facts: names alone
            people = together.get(e.id.removeprefix("git:"), named)
            for key in dict.fromkeys(met.person(name, email) for name, email in people):
                if key is not None:
                    co_authored[key].append(e.id)
    for key, ids in co_authored.items():
        met.add(key, 5 * len(ids), f"co-authored {len(ids)} commit{'s' * (len(ids) != 1)} with you")
        met.evidence[key] += ids
    for login, ids, text in _reviews_exchanged(items, is_me):
        key = f"login:{login.lower()}"
        met.logins.setdefault(key, login)
        met.add(key, 3 * len(ids), text)
        met.evidence[key] += ids
    shared: dict[str, Counter[str]] = defaultdict(Counter)
    mine: Counter[str] = Counter()
    for f in facts:
        mine.update(f.mine)
        for email, per in f.shared.items():
            key = met.person(f.names.get(email, ""), email)
            if key is not None:
                shared[key].update(per)
    for key, per in shared.items():
        top = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
        where = ", ".join(f"{component_name(c)} ({n} commit{'s' * (n != 1)})" for c, n in top)
        score = sum(min(n, mine[c]) for c, n in per.items())
        met.add(key, score, f"committed alongside you in {where}")
    return met.chosen(PEERS)


class _Met:
    """The people met while reading the evidence, each under one key: ``login:`` for a
    GitHub login or a noreply email, else ``email:``, else (an item with names only)
    ``name:``."""

    def __init__(self, is_me: Callable[[str, str], bool]) -> None:
        self.is_me = is_me
        self.names: dict[str, str] = {}  # from Git
        self.emails: dict[str, str] = {}
        self.logins: dict[str, str] = {}  # from GitHub
        self.reasons: dict[str, list[str]] = defaultdict(list)
        self.evidence: dict[str, list[str]] = defaultdict(list)
        self.score: Counter[str] = Counter()

    def person(self, name: str, email: str) -> str | None:
        """The key of a Git identity (None: the subject or a bot)."""
        if self.is_me(name, email) or is_bot(name, email):
            return None
        login = noreply_login(email)
        key = f"login:{login}" if login else f"email:{email.lower()}" if email else f"name:{name}"
        self.names.setdefault(key, name)
        if email:
            self.emails.setdefault(key, email.lower())
        return key

    def add(self, key: str, score: int, reason: str) -> None:
        self.score[key] += score
        self.reasons[key].append(reason)

    def chosen(self, count: int) -> tuple[Peer, ...]:
        def name(key: str) -> str:
            return self.names.get(key) or self.logins.get(key) or key.split(":", 1)[1]

        ranked = sorted(self.score.items(), key=lambda kv: (-kv[1], name(kv[0]), kv[0]))
        return tuple(
            Peer(
                name(key),
                self.emails.get(key, ""),
                tuple(self.reasons[key]),
                tuple(self.evidence[key]),
                n,
                self.logins.get(key, "") if key in self.names else "",
            )
            for key, n in ranked[:count]
        )


_REVIEWED_BY = re.compile(r"^Reviewed by: (.+)$", re.MULTILINE)
_PR_BY = re.compile(r"^Pull request by: (\S+)$", re.MULTILINE)


def _reviews_exchanged(
    items: list[Mapped], is_me: Callable[[str, str], bool]
) -> list[tuple[str, list[str], str]]:
    """(login, evidence ids, why) for each person who reviewed the subject's pull
    requests or whose pull requests the subject reviewed, from the notes the GitHub
    collector keeps on those items."""
    received: dict[str, list[str]] = defaultdict(list)
    given: dict[str, list[str]] = defaultdict(list)
    for m in items:
        e = m.evidence
        if e.kind == "pull_request":
            for found in _REVIEWED_BY.findall(e.message):
                for login in found.split(", "):
                    received[login.strip()].append(e.id)
        elif e.kind == "review":
            for login in _PR_BY.findall(e.message):
                given[login].append(e.id)
    out = []
    for login in sorted(set(received) | set(given)):
        if not login or is_me("", f"{login}@users.noreply.github.com") or is_bot(login, ""):
            continue
        parts = []
        if received[login]:
            n = len(received[login])
            parts.append(f"reviewed {n} pull request{'s' * (n != 1)} of yours")
        if given[login]:
            n = len(given[login])
            parts.append(f"you gave {n} review{'s' * (n != 1)} on their pull requests")
        out.append((login, [*received[login], *given[login]], "; ".join(parts)))
    return out
