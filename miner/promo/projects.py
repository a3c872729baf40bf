"""Evidence grouped into projects, deterministically, from the strongest signal.

With GitHub: pull requests that close or reference the same issue, share a milestone,
carry the same project-like label, or touch the same design document form one
project; reviews and comments join the pull request or issue they were made on. From Git alone: the
commits of one merged branch (a merge commit's second-parent range, or a squashed
"Title (#12)"), then runs of work in one component with no gap longer than
``GAP``; a design document joins the run of the component it names, else the run
around its date.

Every item gets keys; items that share a key are one project. A project's id is a
digest of its strongest key, so the same work gets the same id on every run.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from miner.collectors.docs import is_design_doc
from miner.model import Mapped
from miner.promo.touches import MERGED_PR, SQUASHED, component_of

GAP = timedelta(days=28)  # a longer pause in one component starts a new project
ITEM_LINES = 10  # what an item that counts for an area adds to a project's strength, in lines
_REF = re.compile(r"(?<![\w/.-])((?:[\w.-]+/[\w.-]+)?#\d+)\b")
_LINKED_NOTE = re.compile(r"^Linked issues: (.+)$", re.MULTILINE)
_MILESTONE_NOTE = re.compile(r"^Milestone: (.+)$", re.MULTILINE)
_PROJECT_LABEL = re.compile(r"^(?:project|epic|initiative|theme|area)\s*[:/-]", re.IGNORECASE)
_GH_NUMBER = re.compile(r"^https?://[^/]+/([^/]+/[^/]+)/(?:pull|issues)/(\d+)")
# Which key names a project, strongest first: an issue, a milestone, a label, a design doc,
# a pull request or merged branch, a component run.
_PRIORITY = ("issue", "milestone", "label", "doc", "pr", "merge", "run")
_PROJECT_KINDS = frozenset({"commit", "pull_request", "design_doc", "issue"})


@dataclass(frozen=True)
class Project:
    id: str
    name: str  # worked out here; the case file may give another
    signal: str  # what grouped it: issue, label, design doc, pull request, branch, component
    items: tuple[Mapped, ...]  # oldest first

    @property
    def start(self) -> datetime:
        return self.items[0].evidence.date

    @property
    def end(self) -> datetime:
        return self.items[-1].evidence.date

    @property
    def additions(self) -> int:
        return sum(m.evidence.stats.additions for m in self._sized if m.evidence.stats)

    @property
    def deletions(self) -> int:
        return sum(m.evidence.stats.deletions for m in self._sized if m.evidence.stats)

    @cached_property  # a frozen dataclass: worked out once, asked for by several sums
    def _sized(self) -> list[Mapped]:
        """Items whose lines count: pull requests, else commits (never both: a
        pull request's commits are the same lines), never docs counted twice."""
        prs = [m for m in self.items if m.evidence.kind == "pull_request" and m.evidence.stats]
        kind = "pull_request" if prs else "commit"
        return [m for m in self.items if m.evidence.kind == kind and m.evidence.stats]

    @property
    def areas(self) -> tuple[str, ...]:
        found = Counter(x.area for m in self.items for x in m.mappings)
        return tuple(a for a, _ in sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))

    @property
    def collaborators(self) -> tuple[str, ...]:
        return tuple(sorted({n for m in self.items for n in m.evidence.co_authors}))

    @cached_property  # ranks every project: asked for once per comparison key
    def strength(self) -> int:
        """How projects rank, strongest first (README, "Pre-fill your promotion case"):
        the heaviest rule weight among the items times the lines changed, product code
        in full and other counted lines at a tenth (lockfiles, generated and vendored
        files count nothing: the rule pack's ``size``), plus ``ITEM_LINES`` per item
        that counts for an area. Summing each item's strength instead would rank six
        one-line CI tweaks above one large feature."""
        weight = max((m.weight for item in self.items for m in item.mappings), default=0)
        product = other = 0
        for item in self._sized:
            p, size = item.counted_lines
            product, other = product + p, other + size - p
        counting = sum(1 for item in self.items if item.mappings)
        return weight * (product + other // 10 + ITEM_LINES * counting)


def group(
    items: Iterable[Mapped], branches: dict[str, dict[str, tuple[str, str]]]
) -> tuple[Project, ...]:
    """Projects among ``items``, strongest first. ``branches``: per repository, the
    merge (SHA, subject) that brought each commit in (see ``touches.branch_commits``)."""
    chosen = sorted(items, key=lambda m: (m.evidence.date, m.evidence.id))
    keys = {m.evidence.id: _keys(m, branches.get(m.evidence.repo, {})) for m in chosen}
    _add_runs(chosen, keys)
    _place_docs(chosen, keys)
    groups = _union(chosen, keys)
    projects = [
        _project(members, keys)
        for members in groups
        if any(m.evidence.kind in _PROJECT_KINDS for m in members)
    ]
    projects.sort(key=lambda p: (-p.strength, p.start, p.id))
    return tuple(projects)


def _keys(item: Mapped, merges: dict[str, tuple[str, str]]) -> set[str]:
    e = item.evidence
    repo = e.repo.lower()
    keys: set[str] = set()
    if e.kind == "pull_request":
        number = e.id.rsplit("#", 1)[-1]
        keys.add(f"pr:{repo}#{number}")
        for ref in _issue_refs(e.title + "\n" + e.message, repo):
            if ref != f"{repo}#{number}":
                keys.add(f"issue:{ref}")
        keys |= {
            f"label:{repo}:{label.lower()}" for label in e.labels if _PROJECT_LABEL.match(label)
        }
        keys |= {
            f"milestone:{repo}:{m.strip().lower()}" for m in _MILESTONE_NOTE.findall(e.message)
        }
        keys |= {f"doc:{repo}:{p}" for p in e.paths if is_design_doc(p)}
    elif e.kind == "issue":
        keys.add(f"issue:{repo}#{e.id.rsplit('#', 1)[-1]}")
        keys |= {
            f"label:{repo}:{label.lower()}" for label in e.labels if _PROJECT_LABEL.match(label)
        }
    elif e.kind in ("review", "review_comment", "issue_comment") and e.url:
        found = _GH_NUMBER.match(e.url)
        if found:
            ref = f"{found[1].lower()}#{found[2]}"
            keys.add(f"pr:{ref}" if "/pull/" in e.url else f"issue:{ref}")
    elif e.kind == "design_doc":
        keys |= {f"doc:{repo}:{p}" for p in e.paths}
    elif e.kind == "commit":
        keys |= _commit_keys(e.id.removeprefix("git:"), e.title, repo, merges)
        if not keys and e.paths and all(is_design_doc(p) for p in e.paths):
            keys |= {f"doc:{repo}:{p}" for p in e.paths}  # writing the doc: its project
    return keys


def _commit_keys(sha: str, title: str, repo: str, merges: dict[str, tuple[str, str]]) -> set[str]:
    squashed = SQUASHED.search(title)
    if squashed:
        return {f"pr:{repo}#{squashed[1]}"}
    merge = merges.get(sha)
    if merge is None:
        return set()
    pr = MERGED_PR.match(merge[1])
    return {f"pr:{repo}#{pr[1]}"} if pr else {f"merge:{repo}:{merge[0]}"}


def _issue_refs(text: str, repo: str) -> set[str]:
    """Issues a pull request closes or mentions: ``#12``, ``owner/name#12`` (also the
    "Linked issues:" line the GitHub collector adds)."""
    found = set()
    for ref in _REF.findall(text):
        where, _, number = ref.partition("#")
        found.add(f"{(where or repo).lower()}#{number}")
    for line in _LINKED_NOTE.findall(text):
        for ref in line.split(", "):
            where, _, number = ref.strip().partition("#")
            if number.isdigit():
                found.add(f"{(where or repo).lower()}#{number}")
    return found


def main_component(item: Mapped) -> str:
    """The component that holds most of a commit's changed lines (ties: the first
    by name); files outside design documents only, when there are any."""
    paths = [p for p in item.evidence.paths if not is_design_doc(p)] or list(item.evidence.paths)
    counted = Counter(component_of(p) for p in paths)
    if not counted:
        return "."
    return min(counted.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _add_runs(chosen: list[Mapped], keys: dict[str, set[str]]) -> None:
    """Commits with no stronger key: runs of work in one component, a new run after
    a pause longer than ``GAP``."""
    last: dict[tuple[str, str], tuple[datetime, str]] = {}
    for item in chosen:
        e = item.evidence
        if e.kind != "commit" or keys[e.id]:
            continue
        where = (e.repo.lower(), main_component(item))
        previous = last.get(where)
        if previous is None or e.date - previous[0] > GAP:
            previous = (e.date, f"run:{where[0]}:{where[1]}:{e.id.removeprefix('git:')}")
        last[where] = (e.date, previous[1])
        keys[e.id].add(previous[1])


def _place_docs(chosen: list[Mapped], keys: dict[str, set[str]]) -> None:
    """A design document no pull request brought joins the run of the
    component its name speaks of (``docs/design/upload.md`` and ``src/upload``),
    else the run whose dates are nearest to it, within ``GAP``."""
    runs: dict[str, tuple[datetime, datetime]] = {}
    for item in chosen:
        for key in keys[item.evidence.id]:
            if key.startswith("run:"):
                start, end = runs.get(key, (item.evidence.date, item.evidence.date))
                runs[key] = (min(start, item.evidence.date), max(end, item.evidence.date))
    linked = {k for m in chosen if m.evidence.kind == "pull_request" for k in keys[m.evidence.id]}
    for item in chosen:
        e = item.evidence
        if e.kind != "design_doc" or keys[e.id] & linked:
            continue
        repo = e.repo.lower()
        words = set(
            re.split(r"[^a-z0-9]+", e.paths[0].rsplit("/", 1)[-1].lower().rsplit(".", 1)[0])
        ) - {""}
        mine = {k: span for k, span in runs.items() if k.startswith(f"run:{repo}:")}
        named = [k for k in mine if _run_component(k, repo).rsplit("/", 1)[-1].lower() in words]
        near = [k for k, (s, t) in mine.items() if s - GAP <= e.date <= t + GAP]
        pick = named or near
        if pick:
            keys[e.id].add(min(pick, key=lambda k: (abs((mine[k][0] - e.date).total_seconds()), k)))


def _union(chosen: list[Mapped], keys: dict[str, set[str]]) -> list[list[Mapped]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for item in chosen:
        node = f"item:{item.evidence.id}"
        for key in keys[item.evidence.id]:
            a, b = find(node), find(key)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[Mapped]] = {}
    for item in chosen:
        if keys[item.evidence.id]:
            groups.setdefault(find(f"item:{item.evidence.id}"), []).append(item)
    return list(groups.values())


def _project(members: list[Mapped], keys: dict[str, set[str]]) -> Project:
    found = {k for m in members for k in keys[m.evidence.id]}
    lead = min(found, key=lambda k: (_PRIORITY.index(k.split(":", 1)[0]), k))
    digest = hashlib.sha256(lead.encode()).hexdigest()[:8]
    return Project(f"p-{digest}", _name(members), _signal(lead), tuple(members))


def _name(members: list[Mapped]) -> str:
    """A design doc's title, else the issue's, else the largest pull request's, else
    the largest commit's: largest by the lines the rule pack counts (product code
    first; a lockfile bump is never large), so a name says what the work was rather
    than which folder it touched."""
    by_kind: dict[str, list[Mapped]] = {}
    for m in members:
        by_kind.setdefault(m.evidence.kind, []).append(m)
    for kind in ("design_doc", "issue", "pull_request"):
        if kind in by_kind:
            return max(by_kind[kind], key=lambda m: (_size(m), m.evidence.id)).evidence.title
    largest = max(members, key=lambda m: (m.counted_lines, _size(m), m.evidence.id))
    return largest.evidence.title


def _run_component(key: str, repo: str) -> str:
    """The component of a ``run:REPO:COMPONENT:SHA`` key (a component may hold colons)."""
    return key.removeprefix(f"run:{repo}:").rsplit(":", 1)[0]


def _size(item: Mapped) -> int:
    return item.evidence.stats.changes if item.evidence.stats else 0


def _signal(lead: str) -> str:
    return {
        "issue": "issue",
        "milestone": "milestone",
        "label": "label",
        "doc": "design doc",
        "pr": "pull request",
        "merge": "merged branch",
        "run": "component",
    }[lead.split(":", 1)[0]]
