"""Commits and tags from a local clone.

Periods are on the author date; git's ``--since`` filters on the committer date,
so the walk is widened by ``SINCE_SLACK`` and the author date filtered here.
Identities are mailmap-resolved by git itself.

Two walks run side by side: one with ``--author``, one with
``--grep=Co-authored-by:``. The author walk diffs as it goes (git diffs only the
commits that pass its filters), as plain ``git log --author --numstat`` would,
with the history split by committer date into one window per core, each read by
its own git process; unless ``miner collect --all-authors`` has stored the
history: then it reads no diffs and the store supplies them. Co-authored
commits, and any the store lacks, are diffed in one ``--numstat --stdin`` pass.

With a store, the selection is kept per head: a re-run at the same head reads no
history, and after new commits only ``old_head..HEAD`` is walked. A rewritten
history (the old head no longer an ancestor) is walked afresh, so dropped
commits drop out.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from miner import gitcmd
from miner.collectors.gitlog import (
    CO_AUTHORS,
    Commit,
    Skipped,
    authored_rows,
    rows_for,
    title_of,
)
from miner.collectors.landed import CoAuthored, Landed, SamePatch
from miner.collectors.ownership import Ownership
from miner.collectors.trailers import co_authors
from miner.identity import Matcher, canonical, parse_ident
from miner.model import Evidence, Period, Source, utc
from miner.store import CommitBatches, CommitRow, Selection, Store

# How far before the period the walk starts: room for commits whose committer
# date precedes their author date (clock skew, imported history).
SINCE_SLACK = timedelta(days=30)
AUTHOR, CO_AUTHOR = "author", "co-author"
# A tag in the period: (name, resolved email, unix date, subject), (resolved name, email).
_Tag = tuple[tuple[str, str, str, str], tuple[str, str]]


class GitHistory:
    """The subject's commits in a period, read once and shared by the git and docs collectors."""

    def __init__(
        self,
        repo: gitcmd.Repo,
        matcher: Matcher,
        period: Period,
        all_branches: bool = False,
        store: Store | None = None,
    ) -> None:
        self.repo = repo
        self.matcher = matcher
        self.period = period
        self.all_branches = all_branches
        self.store = store
        self._commits: list[tuple[Commit, str]] | None = None
        self._when_read: list[Callable[[list[tuple[Commit, str]]], None]] = []
        self._on_each: list[Callable[[Commit, str], None]] = []
        self._handed: set[str] = set()  # commits ``on_each`` has had: a read begun anew skips them
        self._walking: list[Callable[[], None]] = []
        self._rows_store = store  # where commit rows are read and kept (not with git replace)
        self._resolved: dict[str, tuple[str, str]] = {}  # trailer value -> (name, email)
        self.skipped: Skipped = []  # commits git could not give whole, one line each
        self._shared: tuple[Landed, Future[list[tuple[str, ...]]]] | None = None
        self._based: tuple[str, str, str] | None = None

    @property
    def co_since(self) -> int | None:
        """The committer date from which a walk of the whole history (the merges walk)
        can hand the co-author walk its candidates; None on git before 2.38, whose
        ``--since`` stops the co-author walk early (see ``_since_option``)."""
        return self._earliest if gitcmd.version() >= (2, 38) else None

    def share_walk(self, landed: Landed, walk: Future[list[tuple[str, ...]]]) -> None:
        """Take the co-author walk's candidates from ``landed``'s walk of the whole
        history, running as ``walk``, instead of walking the history once more."""
        if landed.co_since is not None:
            self._shared = (landed, walk)

    def when_walking(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once git is reading this history (or, when the store holds
        it, once it is being read from there): work for another thread can start then
        without slowing what starts git."""
        self._walking.append(callback)

    def _started(self) -> None:
        callbacks, self._walking = self._walking, []
        for callback in callbacks:
            callback()

    def on_each(self, callback: Callable[[Commit, str], None]) -> None:
        """Call ``callback`` with each commit and its role as it is read (register
        before the commits are read: a callback added later sees none)."""
        self._on_each.append(callback)

    def when_read(self, callback: Callable[[list[tuple[Commit, str]]], None]) -> None:
        """Call ``callback`` with every commit as soon as the last one has been read."""
        self._when_read.append(callback)

    def commits(self) -> list[tuple[Commit, str]]:
        """(commit, role), in no promised order; role is "author" or "co-author"."""
        if self._commits is None:
            for _ in self.stream():
                pass
        assert self._commits is not None
        return self._commits

    def stream(self) -> Iterator[tuple[Commit, str]]:
        """The same commits, yielded as they are read: the caller's work on one
        overlaps git's diffing of the next, on the other core."""
        if self._commits is not None:
            yield from self._commits
            return
        found: list[tuple[Commit, str]] = []
        if not self.repo.has_commits:
            self._started()
        else:
            for pair in self._read():
                found.append(pair)
                if pair[0].sha not in self._handed:
                    self._handed.add(pair[0].sha)
                    for each in self._on_each:
                        each(*pair)
                yield pair
        self._commits = found
        for callback in self._when_read:
            callback(found)

    def _read(self) -> Iterator[tuple[Commit, str]]:
        """The subject's commits at this head, from the stored selection when it is
        current, else from a walk of what is new (all of history after a rewrite)."""
        head, replaced, key = self._base()
        self._rows_store = None if replaced else self.store  # stored rows are as recorded
        root = str(self.repo.root)
        previous = self.store.selection(root, key) if self.store else None
        if previous is not None and previous.head == head:
            self._started()
            self.skipped.extend(previous.skipped)
            fresh = CommitBatches(self._rows_store)
            yield from self._rows(previous.rows, fresh)
            fresh.flush()
            return
        kept: tuple[tuple[str, ...], ...] = ()
        revs = self._revs()
        if previous is not None and not self.all_branches and self._descends(previous.head, head):
            kept, revs = previous.rows, [head, f"^{previous.head}"]
            self.skipped.extend(previous.skipped)
        fresh = CommitBatches(self._rows_store)
        if self._diff_while_walking():
            walked = yield from self._walk_diffing(revs, fresh)
            yield from self._rows(kept, fresh)
        else:
            self._started()
            walked = self._walk(revs)
            yield from self._rows([*kept, *walked], fresh)
        unique = tuple({r[0]: r for r in reversed([*kept, *walked])}.values())
        if self.store:
            notes = tuple(sorted(set(self.skipped)))
            self.store.save_selection(root, key, Selection(head, unique, notes))
        fresh.flush()

    def _revs(self) -> list[str]:
        """What the walks read: every branch, or the head resolved when the clone was
        opened (its SHA, not ``HEAD``: processes started one after another all read the
        same commits, even if a fetch moves ``HEAD`` meanwhile)."""
        if self.all_branches:
            return gitcmd.every_branch()
        return [self.repo.head or "HEAD"]

    def _walk_diffing(
        self, revs: list[str], fresh: CommitBatches
    ) -> Generator[tuple[Commit, str], None, list[tuple[str, ...]]]:
        """Yield the subject's commits among ``revs`` as the author walk diffs them,
        then those read meanwhile on the side: authored ones committed well after the
        period (rebased), found without diffs and diffed alone, and co-authored ones.
        Return their selection rows."""
        walked: list[tuple[str, ...]] = []
        # the period as Unix seconds: asked of every commit the walk reads
        start, end = self.period.start.timestamp(), self.period.end.timestamp()
        upto, last = self._diff_upto()
        pool = ThreadPoolExecutor(max_workers=2)
        try:
            co_authored = pool.submit(self._co_authored_read, revs)
            late = pool.submit(self._late_read, revs, upto) if upto is not None else None
            windows, both_ends = self._windows(upto, last)
            rows = authored_rows(
                self.repo.root, revs, self._author_filters(), windows, self.skipped, both_ends
            )
            self._started()  # the walks' git processes are being started
            for email, name, row in rows:
                if start <= row.author_time < end and self.matcher(name, email):
                    walked.append((row.sha, AUTHOR, name, email))
                    fresh.add(row)
                    yield Commit.from_row(row, name, email), AUTHOR
            mine = {sel[0] for sel in walked}
            for sel, row in [*(late.result() if late else []), *co_authored.result()]:
                if sel[0] not in mine:
                    mine.add(sel[0])
                    walked.append(sel)
                    fresh.add(row)
                    yield Commit.from_row(row, *sel[2:]), sel[1]
        finally:  # on an error or an abandoned walk, do not wait for the side walks
            pool.shutdown(wait=False, cancel_futures=True)
        return walked

    def _walk(self, revs: list[str]) -> list[tuple[str, ...]]:
        """Selection rows of the subject's commits among ``revs``, read without diffs."""
        pool = ThreadPoolExecutor(max_workers=1)
        try:
            co_authored = pool.submit(self._co_authored, revs)
            walked = self._authored(revs, self._since)
            mine = {sel[0] for sel in walked}
            return walked + [sel for sel in co_authored.result() if sel[0] not in mine]
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _co_authored_read(self, revs: list[str]) -> list[tuple[tuple[str, ...], CommitRow]]:
        """Co-authored commits with their diffs, read while the author walk runs."""
        return self._with_rows(self._co_authored(revs))

    def _late_read(self, revs: list[str], upto: int) -> list[tuple[tuple[str, ...], CommitRow]]:
        """The subject's commits committed after ``upto`` but authored in the period
        (rebased or merged late), found without diffs, then diffed."""
        return self._with_rows(self._authored(revs, self._since_option(upto + 1)))

    def _with_rows(
        self, selected: list[tuple[str, ...]]
    ) -> list[tuple[tuple[str, ...], CommitRow]]:
        shas = [sel[0] for sel in selected]
        rows = {row.sha: row for row in rows_for(self.repo.root, shas, skipped=self.skipped)}
        return [(sel, rows[sel[0]]) for sel in selected]

    def _rows(
        self, rows: Iterable[tuple[str, ...]], fresh: CommitBatches
    ) -> Iterator[tuple[Commit, str]]:
        """Commits for selection rows: stored ones from the store, the rest diffed in
        one ``--stdin`` pass and added to ``fresh``."""
        who = {row[0]: row[1:] for row in rows}
        stored = self._rows_store.commits(list(who)) if self._rows_store else {}
        missing = rows_for(self.repo.root, [s for s in who if s not in stored], False, self.skipped)
        for row, is_new in _chain(stored.values(), missing):
            if is_new:
                fresh.add(row)
            role, name, email = who[row.sha]
            yield Commit.from_row(row, name, email), role

    def _diff_while_walking(self) -> bool:
        """Whether the author walk should diff as it goes: not when a full collection
        (``miner collect --all-authors``) has stored the commits already."""
        if self._rows_store is None:
            return True
        root = str(self.repo.root)
        refs = ["--all"] if self.all_branches else ["HEAD", "--all"]
        return not any(self._rows_store.head(root, ref) for ref in refs)

    def _head(self) -> str:
        if not self.all_branches:
            return self.repo.head or ""
        tips = "\n".join(f"{sha} {ref}" for sha, ref in gitcmd.branch_tips(self.repo))
        return "refs:" + hashlib.sha256(tips.encode()).hexdigest()

    def _key(self, replaced: str) -> str:
        """What the selection depends on besides the head: who, when, the mailmap and
        any ``git replace`` refs."""
        config = self.repo.config_section("mailmap.")
        parts = {
            "subject": [
                self.matcher.subject.emails,
                self.matcher.subject.names,
                self.matcher.subject.logins,
            ],
            "period": [self.period.start.isoformat(), self.period.end.isoformat()],
            "all_branches": self.all_branches,
            "mailmap": gitcmd.mailmap_digest(self.repo),
            "mailmap_config": config,
            "mailmap_file": _digest_of(self.repo.config_value("mailmap.file")),
            "shallow": self.repo.shallow,
            "replaced": hashlib.sha256(replaced.encode()).hexdigest() if replaced else "",
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def _base(self) -> tuple[str, str, str]:
        """(head, ``git replace`` refs, key) of this run, worked out once: the
        selection and every side walk's rows are kept under them."""
        if self._based is None:
            replaced = gitcmd.replace_refs(self.repo.root) if self.store else ""
            self._based = (self._head(), replaced, self._key(replaced))
        return self._based

    def side_rows(self, name: str) -> list[tuple[str, ...]] | None:
        """What a side walk ``name`` kept for this subject, period and head, or None
        (call from the thread that owns the store)."""
        if self.store is None:
            return None
        head, _, key = self._base()
        kept = self.store.selection(str(self.repo.root), f"{name}:{key}")
        return list(kept.rows) if kept is not None and kept.head == head else None

    def save_side_rows(self, name: str, rows: list[tuple[str, ...]]) -> None:
        if self.store is not None:
            head, _, key = self._base()
            selection = Selection(head, tuple(rows))
            self.store.save_selection(str(self.repo.root), f"{name}:{key}", selection)

    def _descends(self, old: str, new: str) -> bool:
        return gitcmd.succeeds(self.repo.root, "merge-base", "--is-ancestor", old, new)

    @property
    def _since(self) -> str:
        return self._since_option(self._earliest)

    @property
    def _earliest(self) -> int:
        """The committer date the walks start at, in seconds."""
        moment = max(self.period.start - SINCE_SLACK, datetime(1970, 1, 1, tzinfo=UTC))
        return int(moment.timestamp())

    @staticmethod
    def _since_option(seconds: int) -> str:
        """A committer-date bound that filters without cutting the walk short: plain
        ``--since`` stops at the first older commit and hides its ancestors."""
        option = "--since-as-filter" if gitcmd.version() >= (2, 38) else "--since"
        return f"{option}={gitcmd.date(seconds)}"

    def _diff_upto(self) -> tuple[int | None, int]:
        """(upto, last): ``upto`` is the committer date the diffing walk stops at, when
        the period ended more than ``SINCE_SLACK`` ago and work was committed after
        that: the subject's later work is not diffed, and what was authored in the
        period but committed later is found by a walk without diffs. It is None (diff
        to the end) for a recent period, when nothing was committed after it, with
        ``--all-branches``, or on git before 2.38, whose ``--since`` stops the walk
        early and could lose commits between the two. ``last``: where the diffing
        windows end, so that they share the work evenly."""
        upto = int((self.period.end + SINCE_SLACK).timestamp())
        now = int(datetime.now(UTC).timestamp())
        if self.all_branches or gitcmd.version() < (2, 38):
            return None, min(upto, now)
        head = gitcmd.run(self.repo.root, "log", "-1", "--format=%ct", "HEAD").strip()
        last = int(head) if head.isdigit() else now
        if upto >= now or last <= upto:  # nothing committed after: no diffs to save
            return None, min(upto, now, max(last, self._earliest + 1))
        return upto, upto

    def _windows(self, upto: int | None, last: int) -> tuple[list[list[str]], bool]:
        """Committer-date filters that split the walked history into windows for the
        author walk's diffing git processes, and whether each window is read from both
        ends (see ``gitlog.from_both_ends``): two processes a window, which share its
        diffs evenly, one window for every two cores (at most ``gitcmd.MAX_PROCESSES``
        processes). Windows are equal spans of time from the walk's start to ``last``;
        the last one also takes everything after, up to ``upto`` when given.

        Each process still walks the whole history, which costs little next to the
        diffs it then shares. On git before 2.38 there is one window: plain ``--since``
        stops the walk at the first older commit, and a later window would lose the
        ancestors of a commit with a skewed date."""
        start, end = self._earliest, last
        until = [f"--until={gitcmd.date(upto)}"] if upto is not None else []
        processes = min(gitcmd.MAX_PROCESSES, gitcmd.usable_cores())
        parts = max(1, processes // 2)
        if parts < 2 or end - start < parts or gitcmd.version() < (2, 38):
            return [[self._since, *until]], processes > 1
        bounds = [start + (end - start) * i // parts for i in range(parts)]
        windows = [
            [self._since_option(low), f"--until={gitcmd.date(high - 1)}"]
            for low, high in itertools.pairwise(bounds)
        ]
        return [*windows, [self._since_option(bounds[-1]), *until]], True

    def _author_filters(self) -> list[str]:
        return ["-F", "-i", *(f"--author={p}" for p in self.matcher.git_author_patterns())]

    def _log(self, revs: list[str], fields: tuple[str, ...], *options: str) -> list[list[str]]:
        """The ``fields`` of each non-merge commit among ``revs`` from a diff-free
        ``git log``, identities resolved through the mailmap; the first field is %H,
        the second %at, and a commit whose date git cannot read is left out, noted."""
        found = []
        for record in gitcmd.framed(
            self.repo.root,
            ["log", "--no-merges", "--use-mailmap", "--no-color", *options, *revs, "--"],
            fields,
        ):
            if gitcmd.seconds(record[1]) is None:
                self._unreadable(record[0])
            else:
                found.append(record)
        return found

    def _unreadable(self, sha: str) -> None:
        self.skipped.append(f"commit {sha[:12]} left out: git cannot read its author date")

    def _authored(self, revs: list[str], since: str) -> list[tuple[str, ...]]:
        """(sha, role, name, email) of the subject's own commits among ``revs`` committed
        since ``since``; no diffs."""
        rows: list[tuple[str, ...]] = []
        fields = ("%H", "%at", "%aE", "%aN")
        for sha, at, email, name in self._log(revs, fields, *self._author_filters(), since):
            if utc(int(at)) in self.period and self.matcher(name, email):
                rows.append((sha, AUTHOR, name, email))
        return rows

    def _co_authored(self, revs: list[str]) -> list[tuple[str, ...]]:
        candidates = []
        for sha, at, email, trailers, name in self._co_records(revs):
            if utc(int(at)) in self.period:
                values = co_authors(trailers)
                idents = [v for v in values if "<" in v]
                candidates.append((sha, name, email, idents, values))
        resolved = canonical(self.repo.root, (i for c in candidates for i in c[4]))
        self._resolved = resolved  # one assignment: the main thread sees all of it or none
        return [
            (sha, CO_AUTHOR, name, email)
            for sha, name, email, idents, _ in candidates
            if any(self.matcher(*resolved[i]) for i in idents)
        ]

    def _co_records(self, revs: list[str]) -> list[list[str]] | list[CoAuthored]:
        """(sha, author date, email, trailers, name) of the commits among ``revs`` that
        mention ``Co-authored-by:``: from the merges walk when it reads the same
        history (checked by git's own filters, in one ``--stdin`` pass), else from a
        walk of their own."""
        options = ("-F", "-i", "--grep=co-authored-by:", self._since)
        full = self._revs()
        if self._shared is None or revs != full:
            return self._log(revs, ("%H", "%at", "%aE", CO_AUTHORS, "%aN"), *options)
        landed, walk = self._shared
        walk.result()
        seen = landed.co_authored
        if not seen:
            return []
        kept = set(
            gitcmd.lines(
                gitcmd.run(
                    self.repo.root,
                    "log", "--no-walk=unsorted", "--no-merges", *options, "--format=%H",
                    "--stdin", stdin="\n".join(r[0] for r in seen) + "\n",
                )
            )
        )  # fmt: skip
        found = []
        for record in seen:
            if record[0] not in kept:
                continue
            if gitcmd.seconds(record[1]) is None:
                self._unreadable(record[0])
            else:
                found.append(record)
        return found

    def others_on(self, commit: Commit) -> tuple[str, ...] | None:
        """The other people on ``commit`` by name only (emails stay private), or None
        while the co-author walk has not resolved its trailers yet."""
        resolved = self._resolved
        if any(ident not in resolved for ident in commit.co_authors):
            return None
        return self._others(commit, resolved)

    def co_author_names(self, commits: Iterable[Commit]) -> dict[str, tuple[str, ...]]:
        """``others_on`` for commits whose trailers the walk did not resolve (a stored
        selection has no walk): one batched mailmap look-up for all of them."""
        chosen = list(commits)
        resolved = canonical(self.repo.root, (i for c in chosen for i in c.co_authors))
        return {c.sha: self._others(c, resolved) for c in chosen}

    def _others(self, commit: Commit, resolved: dict[str, tuple[str, str]]) -> tuple[str, ...]:
        """The author (resolved by git already) and the co-authors, less every alias
        of the subject's."""
        people = [(commit.name, commit.email), *(resolved[i] for i in commit.co_authors)]
        return tuple(dict.fromkeys(n or "(no name)" for n, e in people if not self.matcher(n, e)))


def _digest_of(path: str) -> str:
    """The content digest of a file named in git config ('' when none or unreadable)."""
    return gitcmd.file_digest(Path(path).expanduser()) if path else ""


def _chain(
    stored: Iterable[CommitRow], fresh: Iterable[CommitRow]
) -> Iterator[tuple[CommitRow, bool]]:
    for row in stored:
        yield row, False
    for row in fresh:
        yield row, True


class GitCollector:
    """Commit evidence (authored and co-authored), the releases the subject tagged, and
    the work of others the subject merged or committed (see ``miner.collectors.landed``)."""

    def __init__(self, history: GitHistory) -> None:
        self.history = history
        self.repo = history.repo
        self._emails: set[str] = set()
        self._names: set[str] = set()
        self._items = 0
        self._lightweight_tags = 0
        self._skipped_tags: list[str] = []  # the subject's tags git cannot date
        self._patches = SamePatch(history.repo.root)

    def collect(self) -> Iterator[Evidence]:
        pool = ThreadPoolExecutor(max_workers=4)
        try:
            tags = pool.submit(self._tag_rows)  # read on the side while git walks
            landed = Landed(self.history)
            kept = landed.cached()
            walked = None
            if kept is None:
                landed.co_since = self.history.co_since
                walked = pool.submit(landed.walk)
                self.history.share_walk(landed, walked)  # one walk for both
            later = []
            owners = Ownership(self.history)
            for commit, role in self.history.stream():
                self._items += 1
                if role == AUTHOR:
                    owners.count(commit)
                others = self.history.others_on(commit) if commit.co_authors else ()
                if others is None or self._patches.repeats(commit):
                    later.append((commit, role))  # named or compared at the end, all at once
                else:
                    yield self._commit_evidence(commit, role, others)
            paths = owners.candidates()
            owned = owners.cached(paths)
            owning = pool.submit(owners.walk, paths) if owned is None else None
            same_as = pool.submit(
                self._patches.same_as, [c for c, _ in later]
            )  # while names resolve
            names = self.history.co_author_names(c for c, r in later if c.co_authors)
            same = same_as.result()
            for commit, role in later:
                others = names.get(commit.sha, ())
                yield self._commit_evidence(commit, role, others, same.get(commit.sha, ""))
            for tag in self._tags(*tags.result()):
                self._items += 1
                yield tag
            rows = kept if kept is not None else walked.result() if walked else []
            if kept is None:
                landed.save(rows)
            for item in landed.evidence(rows):
                self._items += 1
                yield item
            if owned is None:  # walked on the side while the items above were mapped
                owned = owning.result() if owning else []
                owners.save(paths, owned)
            for item in owners.evidence(owned):
                self._items += 1
                yield item
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _commit_evidence(
        self, c: Commit, role: str, co_authors: tuple[str, ...], same_work: str = ""
    ) -> Evidence:
        if role == AUTHOR:
            self._emails.add(c.author_email)
            self._names.add(c.name)
            matched = c.author_email
        else:
            mine = [i for i in c.co_authors if self.history.matcher(*parse_ident(i))]
            matched = parse_ident(mine[0])[1] if mine else ""
            if matched:
                self._emails.add(matched)
        return Evidence(
            id=f"git:{c.sha}",
            kind="commit",
            source="git",
            repo=self.repo.name,
            same_work=same_work,
            title=c.title,
            date=c.date,
            url=self.repo.commit_url(c.sha),
            stats=c.stats,
            paths=c.paths,
            file_lines=c.lines,
            message=c.message,
            role="author" if role == AUTHOR else "co-author",
            co_authors=co_authors,
            matched_as=matched,
        )

    def _tag_rows(self) -> tuple[list[_Tag], list[_Tag]]:
        """(annotated, lightweight) tags in the period whose tagger is resolved: for an
        annotated tag its recorded tagger; a lightweight tag records none, so its tagger
        is taken to be the author of the commit it names (a version bump tagged by the
        person who made it). Dates: the tagger date, or the tagged commit's committer
        date. Lightweight tags on others' commits are counted as a blind spot."""
        if not self.repo.has_commits:
            return [], []
        fields = (
            "%(objecttype)",
            "%(taggername)",
            "%(taggeremail)",
            "%(taggerdate:unix)",
            "%(authorname)",
            "%(authoremail)",
            "%(committerdate:unix)",
            "%(refname:short)",
            "%(contents:subject)",
        )
        period = self.history.period
        found: list[tuple[bool, list[str]]] = []
        rows = gitcmd.framed(self.repo.root, ["for-each-ref", "refs/tags"], fields, "%")
        for kind, tagger, tag_email, tag_at, author, author_email, commit_at, tag, subject in rows:
            annotated = kind == "tag" and bool(tagger or tag_email)
            if not annotated and kind != "commit":
                continue  # a tag that records no tagger, or names a tree or a blob
            when = gitcmd.seconds(tag_at if annotated else commit_at)
            who = f"{tagger} {tag_email}" if annotated else f"{author} {author_email}"
            if when is None:
                self._unreadable_tag(tag, who)
            elif utc(when) in period:
                found.append((annotated, [tag, who, str(when), subject]))
        resolved = canonical(self.repo.root, [r[1] for _, r in found])
        annotated_tags: list[_Tag] = []
        lightweight: list[_Tag] = []
        for is_annotated, (tag, who, at, subject) in found:
            person = resolved[who]
            entry = ((tag, person[1], at, subject), person)
            (annotated_tags if is_annotated else lightweight).append(entry)
        return annotated_tags, lightweight

    def _unreadable_tag(self, tag: str, who: str) -> None:
        """Note the subject's tag whose date git cannot read (a crafted object)."""
        if self.history.matcher(*canonical(self.repo.root, [who])[who]):
            self._skipped_tags.append(f"tag {tag} left out: git cannot read its date")

    def _tags(self, annotated: list[_Tag], lightweight: list[_Tag]) -> Iterator[Evidence]:
        for (name, email, at, subject), tagger in annotated:
            if not self.history.matcher(*tagger):
                continue
            self._emails.add(email)
            yield self._release(name, at, subject, email, inferred=False)
        for (name, email, at, subject), author in lightweight:
            if not self.history.matcher(*author):
                self._lightweight_tags += 1
                continue
            yield self._release(name, at, subject, email, inferred=True)

    def _release(self, name: str, at: str, subject: str, email: str, inferred: bool) -> Evidence:
        title = f"Tag {name}" + (" (tagger inferred)" if inferred else "")
        title = title_of(title + (f": {subject}" if subject and subject != name else ""))
        why = "lightweight tag on a commit you authored (the tagger is inferred)"
        return Evidence(
            id=f"git:tag:{name}",
            kind="release",
            source="git",
            repo=self.repo.name,
            title=title,
            date=utc(int(at)),
            url=self.repo.tag_url(name),
            message=f"{subject}\n\n{why}" if inferred else subject,
            matched_as=email,
        )

    def source(self) -> Source:
        spots = []
        if self.repo.shallow:
            spots.append(
                "shallow clone: history before the cut is missing; run `git fetch --unshallow`"
            )
        if self._lightweight_tags:
            spots.append(
                f"{self._lightweight_tags} lightweight tag(s) in the period record no tagger"
                " and name someone else's commit; they were not counted"
            )
        spots += sorted(set(self.history.skipped)) + self._skipped_tags
        return Source(
            kind="git",
            location=self.repo.name,
            items=self._items,
            blind_spots=tuple(spots),
            matched_emails=tuple(sorted(self._emails)),
            matched_names=tuple(sorted(self._names)),
        )
