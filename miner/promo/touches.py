"""Every author's commits over the whole history, by component: what the expertise
map ranks and what merged branches are made of.

One diff-free pass (``git log --name-only``: git compares trees, never file
contents, so it costs a fraction of a ``--numstat`` pass) reads every commit with
its parents, mailmapped author and the components it touched. It runs on the side
while the author walk diffs the subject's own commits. Changed lines per author
need every commit's diff: they are counted only where ``miner collect
--all-authors`` has stored them (the rows are then read from the store, not git).

The rows are kept in the store per head, like the subject's selection, so a warm
run reads no history, and after new commits only ``old_head..HEAD`` is read.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from miner import gitcmd
from miner.collectors.gitlog import CO_AUTHORS, from_both_ends, parse_numstat
from miner.collectors.trailers import co_authors
from miner.identity import Matcher, canonical, is_bot
from miner.store import Selection, Store

# Bump when what a row holds changes: stored rows of an older shape are not reused.
TOUCHES_VERSION = "touches-4"
# NUL-framed, each record led by a mark drawn for the call (see gitcmd.framed_format):
# no byte in a subject, a name or a path can end a field.
_FIELDS = ("%H", "%P", "%at", "%aE", "%s", "%aN")
UNKNOWN = -1  # changed lines not known (the commit's diff is not in the store)
SQUASHED = re.compile(r"\(#(\d{1,12})\)\s*$")  # a squash-merged pull request: "Title (#12)"
_SQUASHED_RAW = re.compile(rb"\(#\d{1,12}\)")
MERGED_PR = re.compile(r"^Merge pull request #(\d{1,12})\b")  # GitHub's merge commit


def component_of(path: str) -> str:
    """The component a file belongs to: its folder, at most two levels deep
    (``miner/collectors/git.py`` -> ``miner/collectors``); top-level files: ``.``."""
    parts = path.split("/", 2)
    if len(parts) == 3:
        return f"{parts[0]}/{parts[1]}"
    return parts[0] if len(parts) == 2 else "."


class Touch(NamedTuple):
    """One commit as the expertise map and the branch grouping see it. A named tuple,
    not a frozen dataclass: a warm run builds 40,000 of them, four times faster."""

    sha: str
    parents: tuple[str, ...]
    time: int  # author date, Unix seconds
    email: str  # mailmap-resolved, lower-cased
    name: str  # mailmap-resolved
    subject: str  # a merge's (it names the branch or PR); else "(#12)" of a squashed PR, or ""
    components: tuple[tuple[str, int], ...]  # (component, changed lines or UNKNOWN)
    is_merge: bool = False


@dataclass(frozen=True)
class History:
    """Every commit reachable from the head, and whether line counts are known."""

    repo: str  # the repository's name, as evidence names it
    head: str  # HEAD's SHA: its first-parent line is the main line of merges
    touches: tuple[Touch, ...]
    lines_known: bool


def read_history(repo: gitcmd.Repo, store: Store | None, all_branches: bool = False) -> History:
    """Every commit at the current head: from the store when it holds this head, else
    from git (only what is new since a stored head that is an ancestor)."""
    root = str(repo.root)
    lines_known = store is not None and store.head(root, "--all" if all_branches else "HEAD") == (
        _tips(repo, all_branches)
    )
    key = _key(repo, all_branches, lines_known)
    head = _tips(repo, all_branches) or ""
    previous = store.selection(root, key) if store else None
    stored_head, kept = _unpack(previous)
    if stored_head == head:
        return History(repo.name, repo.head or "", kept, lines_known)
    revs = gitcmd.every_branch() if all_branches else [repo.head or "HEAD"]  # one snapshot
    if stored_head and not all_branches and _descends(repo.root, stored_head, head):
        revs = [head, f"^{stored_head}"]
    else:
        kept = ()
    encoder = _Encoder() if not kept and not lines_known else None
    fresh = list(_walk(repo.root, revs, encoder))
    if lines_known and store is not None:
        fresh = _with_lines(store, fresh)
    touches = (*kept, *fresh)
    if store is not None and repo.has_commits:
        text = encoder.text() if encoder is not None else _encode(touches)
        store.save_selection(root, key, Selection(head, ((text,),)))
    return History(repo.name, repo.head or "", touches, lines_known)


def _walk(root: Path, revs: list[str], encoder: _Encoder | None = None) -> list[Touch]:
    """The commits among ``revs`` in git's order; with two cores or more, read by two
    git processes, one from the newest commit and one from the oldest, until they
    meet (see ``from_both_ends``): they share the history evenly, however it is
    spread over time. With ``encoder``, each commit is also encoded for the store as
    it is read (see ``_Encoder``)."""
    mark = gitcmd.record_mark()
    fmt = f"--format={gitcmd.framed_format(mark, _FIELDS)}"
    cmd = ["log", "-z", "--name-only", "--no-renames", "--use-mailmap", "--no-color", fmt]

    # Each end is parsed as git prints it, by the thread that reads it: the promo
    # waits for this history anyway, and parsing after git is done would put it all
    # on the critical path (the report's mapping shares the interpreter meanwhile).
    def read(options: list[str], stop: gitcmd.Stop | None = None) -> Iterator[Touch]:
        parse = _Parser()
        out = gitcmd.stream(root, [*cmd, *options, *revs, "--"], chunk=1 << 20, stop=stop)
        for record in gitcmd.split_records(out, mark):
            parts = gitcmd.split_fields(record, len(_FIELDS))
            if parts is not None:  # git prints every field of every commit: always
                yield parse(parts)

    if gitcmd.usable_cores() < 2:
        return _listed(read([]), encoder, newest_first=True)
    ends = from_both_ends(partial(read, []), partial(read, ["--reverse"]), key=_sha)
    with ThreadPoolExecutor(max_workers=2) as pool:
        newest_end = pool.submit(_listed, ends[0], encoder, True)
        oldest_end = pool.submit(_listed, ends[1], encoder, False)
        newest, oldest = newest_end.result(), oldest_end.result()
    oldest.reverse()  # git's order: the newest end as read, then the oldest reversed
    return newest + oldest


def _listed(touches: Iterator[Touch], encoder: _Encoder | None, newest_first: bool) -> list[Touch]:
    """The commits of one end of the walk, encoded as they come when ``encoder``."""
    if encoder is None:
        return list(touches)
    found: list[Touch] = []
    rows = encoder.rows(newest_first)
    for touch in touches:
        found.append(touch)
        rows.add(touch)
    rows.close()
    return found


class _Encoder:
    """Commits as one JSON document, people and components listed once and named by
    index: a warm run parses it in one C call instead of 40,000 rows. JSON escapes
    every control character, so the text is one stored field.

    Encoded as the commits are read, by the threads that read them (while git still
    walks): each end's rows are written as JSON a batch at a time, the oldest end's
    reversed, so that once git is done the document is put together by joining text.
    People and components are numbered across both ends; commits share their tuple of
    components (see ``_Parser``), and each tuple is listed once per end."""

    BATCH = 2048

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.people: dict[tuple[str, str], int] = {}
        self.components: dict[str, int] = {}
        self._ends: list[_EncodedEnd] = []

    def rows(self, newest_first: bool) -> _EncodedEnd:
        end = _EncodedEnd(self, newest_first)
        self._ends.append(end)
        return end

    def index(self, table: dict[Any, int], key: Any) -> int:
        found = table.get(key)
        if found is None:
            with self._lock:  # numbered under the lock: both ends add to one table
                found = table.setdefault(key, len(table))
        return found

    def text(self) -> str:
        """The document, as ``_encode`` writes it for these commits in git's order."""
        ends = sorted(self._ends, key=lambda end: not end.newest_first)  # the newest end first
        pieces = [piece for end in ends for piece in end.in_order() if piece]
        head = json.dumps(
            {"people": list(self.people), "components": list(self.components)},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return f'{head[:-1]},"rows":[{",".join(pieces)}]}}'


class _EncodedEnd:
    """The rows of one end of the walk, as JSON text a batch at a time."""

    def __init__(self, encoder: _Encoder, newest_first: bool) -> None:
        self.encoder = encoder
        self.newest_first = newest_first
        self.pieces: list[str] = []
        self.pending: list[list[Any]] = []
        self.listed: dict[int, tuple[tuple[tuple[str, int], ...], list[list[int]]]] = {}

    def add(self, t: Touch) -> None:
        enc = self.encoder
        found = self.listed.get(id(t.components))
        if found is None:  # the tuple is kept with its id, which stays its own meanwhile
            listed = [[enc.index(enc.components, c), n] for c, n in t.components]
            found = self.listed[id(t.components)] = (t.components, listed)
        who = enc.index(enc.people, (t.email, t.name))
        self.pending.append([t.sha, t.parents, t.time, who, t.subject, found[1]])
        if len(self.pending) >= _Encoder.BATCH:
            self._write()

    def close(self) -> None:
        self._write()

    def _write(self) -> None:
        if not self.pending:
            return
        if not self.newest_first:
            self.pending.reverse()
        text = json.dumps(self.pending, ensure_ascii=False, separators=(",", ":"))
        self.pieces.append(text[1:-1])
        self.pending = []

    def in_order(self) -> list[str]:
        return self.pieces if self.newest_first else self.pieces[::-1]


def _sha(touch: Touch) -> str:
    return touch.sha


class _Parser:
    """Records into touches. Cheap on purpose (40,000 of them, beside the author
    walk): a history has far fewer people, paths and sets of components than
    commits, so each is decoded and cut once."""

    def __init__(self) -> None:
        self.people: dict[bytes, tuple[str, str]] = {}
        self.components: dict[bytes, str] = {}  # a raw path -> its component
        self.touched: dict[tuple[str, ...], tuple[tuple[str, int], ...]] = {}

    def __call__(self, parts: list[bytes]) -> Touch:
        sha, parents, at, email, subject, name, files = parts
        files = files.removeprefix(b"\0").removeprefix(b"\n")  # git's own framing of the list
        ident = email + b"\0" + name
        who = self.people.get(ident)
        if who is None:
            who = self.people[ident] = (
                gitcmd.one_line(email.decode("utf-8", "replace")).lower(),
                gitcmd.one_line(name.decode("utf-8", "replace")),
            )
        known = self.components
        found = {known.get(path) or self._component(path) for path in files.split(b"\0") if path}
        key = tuple(sorted(found))
        components = self.touched.get(key)
        if components is None:
            components = self.touched[key] = tuple((c, UNKNOWN) for c in key)
        is_merge = b" " in parents.strip()
        if is_merge:
            kept = gitcmd.one_line(subject.decode("utf-8", "replace"))
        else:  # of a squashed pull request's "Title (#12)", "(#12)" alone is kept
            tail = subject[subject.rfind(b"(#") :] if subject.endswith(b")") else b""
            kept = tail.decode() if _SQUASHED_RAW.fullmatch(tail) else ""
        # a date git cannot read counts as none
        time = gitcmd.seconds(at) or 0
        return Touch(
            sha.decode(),
            tuple(parents.decode().split()),
            time,
            who[0],
            who[1],
            kept,
            components,
            is_merge,
        )

    def _component(self, path: bytes) -> str:
        first = path.find(b"/")
        second = path.find(b"/", first + 1) if first >= 0 else -1
        raw = path[:second] if second >= 0 else path[:first] if first >= 0 else b"."
        found = self.components[path] = gitcmd.one_line(raw.decode("utf-8", "replace"))
        return found


def _with_lines(store: Store, touches: list[Touch]) -> list[Touch]:
    """Each commit's changed lines per component, from the rows ``collect
    --all-authors`` stored (merges have none: their work is in their commits)."""
    rows = store.commits([t.sha for t in touches if not t.is_merge])
    counted: list[Touch] = []
    for touch in touches:
        row = rows.get(touch.sha)
        if row is None:
            counted.append(touch)
            continue
        lines: Counter[str] = Counter()
        for path, (added, removed) in zip(*parse_numstat(row.numstat), strict=True):
            lines[gitcmd.one_line(component_of(path))] += added + removed
        comps = tuple((c, lines.get(c, 0)) for c, _ in touch.components)
        counted.append(
            Touch(
                touch.sha, touch.parents, touch.time, touch.email, touch.name, touch.subject, comps
            )
        )
    return counted


def _encode(touches: Iterable[Touch]) -> str:
    """Every commit as one JSON document (see ``_Encoder``), in the order given."""
    encoder = _Encoder()
    rows = encoder.rows(newest_first=True)
    for touch in touches:
        rows.add(touch)
    rows.close()
    return encoder.text()


def _unpack(selection: Selection | None) -> tuple[str, tuple[Touch, ...]]:
    """(head, commits) of a stored history; ("", ()) when there is none."""
    if selection is None or not selection.rows:
        return "", ()
    data = json.loads(selection.rows[0][0])
    people: list[list[str]] = data["people"]
    names = data["components"]
    return selection.head, tuple(
        Touch(
            sha,
            tuple(parents),
            at,
            people[who][0],
            people[who][1],
            subject,
            tuple((names[c], n) for c, n in comps),
            len(parents) > 1,
        )
        for sha, parents, at, who, subject, comps in data["rows"]
    )


def _key(repo: gitcmd.Repo, all_branches: bool, lines_known: bool) -> str:
    parts = [
        TOUCHES_VERSION,
        all_branches,
        lines_known,
        gitcmd.mailmap_digest(repo),
        repo.config_section("mailmap."),
    ]
    return "touches:" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _tips(repo: gitcmd.Repo, all_branches: bool) -> str:
    if not all_branches:
        return repo.head or ""
    return " ".join(sorted({sha for sha, _ in gitcmd.branch_tips(repo)}))


def _descends(root: Path, old: str, new: str) -> bool:
    return bool(old) and gitcmd.succeeds(root, "merge-base", "--is-ancestor", old, new)


def branch_commits(touches: Iterable[Touch], head: str, since: int = 0) -> dict[str, Touch]:
    """For each commit that came in through a merge on the first-parent line from
    ``head``: the merge that brought it (its branch is the merge's second-parent
    range). Merges are taken oldest first, so a branch merged twice keeps its
    commits with the first merge. Only merges and branch commits authored since
    ``since`` (Unix seconds) are followed: older ones cannot hold work of the period,
    and a warm run need not walk every branch of the history."""
    by_sha = {t.sha: t for t in touches}
    mainline: list[Touch] = []
    current = by_sha.get(head)
    while current is not None:
        mainline.append(current)
        current = by_sha.get(current.parents[0]) if current.parents else None
    on_main = {t.sha for t in mainline}
    owner: dict[str, Touch] = {}
    for merge in reversed(mainline):
        if not merge.is_merge or merge.time < since:
            continue
        stack = list(merge.parents[1:])
        while stack:
            sha = stack.pop()
            if sha in on_main or sha in owner or sha not in by_sha:
                continue
            if by_sha[sha].time < since:
                continue
            owner[sha] = merge
            stack.extend(by_sha[sha].parents)
    return owner


def merged_pulls(
    touches: Iterable[Touch], owners: dict[str, Touch], start: int, end: int
) -> dict[int, list[Touch]]:
    """The pull requests merged in ``[start, end)`` (Unix seconds) that Git names, with
    the commits each brought: the branch of a "Merge pull request #12" merge
    (``owners``, from ``branch_commits``), or a squashed "Title (#12)" commit itself.
    A rebase merge names no pull request: it is not seen."""
    found: dict[int, list[Touch]] = defaultdict(list)
    for t in touches:
        merge = owners.get(t.sha)
        if merge is not None:
            named = MERGED_PR.match(merge.subject) if start <= merge.time < end else None
        else:
            named = SQUASHED.search(t.subject) if start <= t.time < end and not t.is_merge else None
        if named:
            found[int(named[1])].append(t)
    return dict(found)


def co_authored(
    root: Path, matcher: Matcher, shas: Iterable[str]
) -> dict[str, tuple[tuple[str, str], ...]]:
    """For each of ``shas`` (the subject's co-authored commits, as the report found
    them): the other people on it, author and ``Co-authored-by:`` trailers, as
    (name, lower-cased email) resolved through the mailmap, bots left out. Peers are
    told apart by email, which the evidence does not carry (it names people only).
    Those commits alone are read, by one ``git log --no-walk``."""
    wanted = "".join(f"{sha}\n" for sha in dict.fromkeys(shas))
    if not wanted:
        return {}
    mark = gitcmd.record_mark()
    fields = ("%H", "%aN", "%aE", CO_AUTHORS)
    args = ["log", "--no-walk=unsorted", "--use-mailmap", "--no-color", "--stdin"]
    args.append(f"--format={gitcmd.framed_format(mark, fields)}")
    out = gitcmd.stream(root, args, stdin=wanted.encode())
    records = []
    for record in gitcmd.split_records(out, mark):
        parts = gitcmd.split_fields(record, len(fields))
        if parts is not None:
            sha, name, email, trailers = (p.decode("utf-8", "replace") for p in parts[:4])
            idents = [v for v in co_authors(trailers) if "<" in v]
            records.append((sha, name, email, idents))
    resolved = canonical(root, (i for r in records for i in r[3]))
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for sha, name, email, idents in records:
        people = [(name, email), *(resolved[i] for i in idents)]
        others: dict[str, str] = {}
        for n, e in people:
            if not matcher(n, e) and not is_bot(n, e):
                others.setdefault(e.strip().lower(), gitcmd.one_line(n) or "(no name)")
        found[sha] = tuple((n, e) for e, n in others.items())
    return found
