"""Commits and tags from a local clone.

Periods are on the author date; git's ``--since`` filters on the committer date,
so the walk is widened by ``SINCE_SLACK`` and the author date filtered here.
Identities are mailmap-resolved by git itself.

Finding the subject's commits costs no diffs: one walk with ``--author`` and one
with ``--grep=Co-authored-by:`` run side by side. Only commits the store does not
hold yet are then diffed, in one ``--numstat --stdin`` pass. With a store, the
selection is kept per head: a re-run at the same head reads no history, and
after new commits only ``old_head..HEAD`` is walked. A rewritten history (the
old head no longer an ancestor) is walked afresh, so dropped commits drop out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from miner import gitcmd
from miner.collectors.gitlog import TRAILER_SEP, Commit, rows_for
from miner.identity import Matcher, canonical, parse_ident
from miner.model import Evidence, Period, Source, utc
from miner.store import CommitRow, Selection, Store

# How far before the period the walk starts: room for commits whose committer
# date precedes their author date (clock skew, imported history).
SINCE_SLACK = timedelta(days=30)
_SEP = "\x1f"
AUTHOR, CO_AUTHOR = "author", "co-author"


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

    def commits(self) -> list[tuple[Commit, str]]:
        """(commit, role) in author-date order; role is "author" or "co-author"."""
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
        if self.repo.has_commits:
            selection = self._select()
            who = {row[0]: row[1:] for row in selection.rows}
            stored = self.store.commits(list(who)) if self.store else {}
            fresh: list[CommitRow] = []
            missing = rows_for(self.repo.root, [s for s in who if s not in stored])
            for row, is_new in _chain(stored.values(), missing):
                if is_new:
                    fresh.append(row)
                role, name, email = who[row.sha]
                found.append((Commit.from_row(row, name, email), role))
                yield found[-1]
            if self.store and fresh:
                self.store.add_commits(fresh)
        found.sort(key=lambda pair: (pair[0].date, pair[0].sha))
        self._commits = found

    def _select(self) -> Selection:
        """The subject's commits at this head."""
        head = self._head()
        key = self._key()
        root = str(self.repo.root)
        previous = self.store.selection(root, key) if self.store else None
        if previous is not None and previous.head == head:
            return previous
        if previous is not None and not self.all_branches and self._descends(previous.head, head):
            rows = list(previous.rows) + self._scan([head, f"^{previous.head}"])
        else:
            rows = self._scan(["--all"] if self.all_branches else ["HEAD"])
        unique = tuple({r[0]: r for r in reversed(rows)}.values())
        selection = Selection(head, unique)
        if self.store:
            self.store.save_selection(root, key, selection)
        return selection

    def _head(self) -> str:
        if not self.all_branches:
            return self.repo.head or ""
        refs = gitcmd.run(self.repo.root, "for-each-ref", "--format=%(objectname) %(refname)")
        return "refs:" + hashlib.sha256(f"{self.repo.head}\n{refs}".encode()).hexdigest()

    def _key(self) -> str:
        """What the selection depends on besides the head: who, when, and the mailmap."""
        root = self.repo.root
        mailmap = root / ".mailmap"
        config = self.repo.config_section("mailmap.")
        parts = {
            "subject": [
                self.matcher.subject.emails,
                self.matcher.subject.names,
                self.matcher.subject.logins,
            ],
            "period": [self.period.start.isoformat(), self.period.end.isoformat()],
            "all_branches": self.all_branches,
            "mailmap": hashlib.sha256(mailmap.read_bytes()).hexdigest()
            if mailmap.is_file()
            else "",
            "mailmap_config": config,
            "mailmap_file": _digest_of(self.repo.config_value("mailmap.file")),
            "shallow": self.repo.shallow,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def _descends(self, old: str, new: str) -> bool:
        return gitcmd.succeeds(self.repo.root, "merge-base", "--is-ancestor", old, new)

    def _scan(self, revs: list[str]) -> list[tuple[str, ...]]:
        """(sha, role, name, email) of the subject's commits among ``revs``; no diffs.

        The two walks run side by side, one per core."""
        with ThreadPoolExecutor(max_workers=2) as pool:
            authored = pool.submit(self._authored, revs)
            co_authored = pool.submit(self._co_authored, revs)
            mine = authored.result()
            mine_shas = {row[0] for row in mine}
            return mine + [row for row in co_authored.result() if row[0] not in mine_shas]

    @property
    def _since(self) -> str:
        """A committer-date bound that filters without cutting the walk short: plain
        ``--since`` stops at the first older commit and hides its ancestors."""
        moment = max(self.period.start - SINCE_SLACK, datetime(1970, 1, 2, tzinfo=UTC))
        option = "--since-as-filter" if gitcmd.version() >= (2, 38) else "--since"
        return f"{option}=@{int(moment.timestamp())}"

    def _authored(self, revs: list[str]) -> list[tuple[str, ...]]:
        patterns = [f"--author={p}" for p in self.matcher.git_author_patterns()]
        out = gitcmd.run(
            self.repo.root,
            "log",
            "--no-merges",
            "--use-mailmap",
            "-F",
            "-i",
            *patterns,
            self._since,
            "--format=%H%x1f%at%x1f%aE%x1f%aN",
            *revs,
            "--",
        )
        rows: list[tuple[str, ...]] = []
        for line in gitcmd.lines(out):
            sha, at, email, name = line.split(_SEP, 3)  # a name may hold any byte: last
            if utc(int(at)) in self.period and self.matcher(name, email):
                rows.append((sha, AUTHOR, name, email))
        return rows

    def _co_authored(self, revs: list[str]) -> list[tuple[str, ...]]:
        out = gitcmd.run(
            self.repo.root,
            "log",
            "--no-merges",
            "--use-mailmap",
            "-F",
            "-i",
            "--grep=co-authored-by:",
            self._since,
            "--format=%H%x1f%at%x1f%aE%x1f"
            "%(trailers:key=Co-authored-by,valueonly,unfold,separator=%x1d)%x1f%aN",
            *revs,
            "--",
        )
        candidates = []
        for line in gitcmd.lines(out):
            sha, at, email, trailers, name = line.split(_SEP, 4)
            if utc(int(at)) in self.period:
                idents = [t.strip() for t in trailers.split(TRAILER_SEP) if "<" in t]
                candidates.append((sha, name, email, idents))
        resolved = canonical(self.repo.root, (i for c in candidates for i in c[3]))
        return [
            (sha, CO_AUTHOR, name, email)
            for sha, name, email, idents in candidates
            if any(self.matcher(*resolved[i]) for i in idents)
        ]

    def co_author_names(self) -> dict[str, tuple[str, ...]]:
        """Per commit SHA, the other people on it by name only (emails stay private).

        One batched mailmap look-up for every commit, so an alias of the subject's
        is never listed as someone else."""
        commits = [c for c, _ in self.commits() if c.co_authors]
        people = {c.sha: [(c.name, c.email), *map(parse_ident, c.co_authors)] for c in commits}
        resolved = canonical(
            self.repo.root, (f"{n} <{e}>" for group in people.values() for n, e in group)
        )
        names = {}
        for sha, group in people.items():
            others = (resolved[f"{n} <{e}>"] for n, e in group)
            names[sha] = tuple(
                dict.fromkeys(n or "(no name)" for n, e in others if not self.matcher(n, e))
            )
        return names


def _digest_of(path: str) -> str:
    """The content digest of a file named in git config ('' when none or unreadable)."""
    if not path:
        return ""
    try:
        return hashlib.sha256(Path(path).expanduser().read_bytes()).hexdigest()
    except OSError:
        return ""


def _chain(
    stored: Iterable[CommitRow], fresh: Iterable[CommitRow]
) -> Iterator[tuple[CommitRow, bool]]:
    for row in stored:
        yield row, False
    for row in fresh:
        yield row, True


class GitCollector:
    """Commit evidence (authored and co-authored) and tags the subject created."""

    def __init__(self, history: GitHistory) -> None:
        self.history = history
        self.repo = history.repo
        self._emails: set[str] = set()
        self._names: set[str] = set()
        self._items = 0
        self._lightweight_tags = 0

    def collect(self) -> Iterator[Evidence]:
        paired = []
        for commit, role in self.history.stream():
            self._items += 1
            if commit.co_authors:  # named once every commit is in: one mailmap look-up
                paired.append((commit, role))
            else:
                yield self._commit_evidence(commit, role, ())
        names = self.history.co_author_names()
        for commit, role in paired:
            yield self._commit_evidence(commit, role, names.get(commit.sha, ()))
        for tag in self._tags():
            self._items += 1
            yield tag

    def _commit_evidence(self, c: Commit, role: str, co_authors: tuple[str, ...]) -> Evidence:
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
            title=c.subject,
            date=c.date,
            url=self.repo.commit_url(c.sha),
            stats=c.stats,
            paths=tuple(f.path for f in c.files),
            message=c.body,
            role="author" if role == AUTHOR else "co-author",
            co_authors=co_authors,
            matched_as=matched,
        )

    def _tags(self) -> Iterator[Evidence]:
        if not self.repo.has_commits:
            return
        out = gitcmd.run(
            self.repo.root,
            "for-each-ref",
            "refs/tags",
            "--format=%(refname:short)%1f%(objecttype)%1f%(taggername)%1f%(taggeremail)"
            "%1f%(taggerdate:unix)%1f%(contents:subject)",
        )
        rows = [line.split(_SEP) for line in gitcmd.lines(out)]
        annotated = [r for r in rows if r[1] == "tag" and r[4]]
        self._lightweight_tags = len(rows) - len(annotated)
        in_period = [r for r in annotated if utc(int(r[4])) in self.history.period]
        resolved = canonical(self.repo.root, [f"{r[2]} {r[3]}" for r in in_period])
        for name, _, tagger, email, at, subject in in_period:
            when = utc(int(at))
            if not self.history.matcher(*resolved[f"{tagger} {email}"]):
                continue
            self._emails.add(email.strip("<>"))
            yield Evidence(
                id=f"git:tag:{name}",
                kind="release",
                source="git",
                repo=self.repo.name,
                title=f"Tag {name}" + (f": {subject}" if subject and subject != name else ""),
                date=when,
                url=self.repo.tag_url(name),
                message=subject,
                matched_as=email.strip("<>"),
            )

    def source(self) -> Source:
        spots = []
        if self.repo.shallow:
            spots.append(
                "shallow clone: history before the cut is missing; run `git fetch --unshallow`"
            )
        if self._lightweight_tags:
            spots.append(
                f"{self._lightweight_tags} lightweight tag(s) record no tagger and were not counted"
            )
        return Source(
            kind="git",
            location=self.repo.name,
            items=self._items,
            blind_spots=tuple(spots),
            matched_emails=tuple(sorted(self._emails)),
            matched_names=tuple(sorted(self._names)),
        )
