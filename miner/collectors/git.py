"""Commits and tags from a local clone, read with plain ``git`` in streamed passes.

Line counts are exactly what ``git log --numstat`` prints (renames detected as
git does by default, binary files counted as 0 lines). Identities are
mailmap-resolved by git itself. Periods are on the author date; git's
``--since`` filters on the committer date, so the walk is widened by
``SINCE_SLACK`` and the author date filtered here.

Three passes, none of which computes a diff it does not need:
1. the subject's commits (``--author``, no diffs) and their author dates;
2. commits with ``Co-authored-by:`` trailers (``--grep``, no diffs);
3. one ``--numstat`` pass over exactly the commits kept, read with ``--stdin``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from miner import gitcmd
from miner.identity import Matcher, canonical, parse_ident
from miner.model import Evidence, Period, Source, Stats, utc

# How far before the period the walk starts: room for commits whose committer
# date precedes their author date (clock skew, imported history).
SINCE_SLACK = timedelta(days=30)
_SEP, _REC = "\x1f", "\x1e"
_TRAILER_SEP = "\x1d"
_HEAD_FIELDS = 9
LOG_FORMAT = (
    "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aN%x1f%aE%x1f%at%x1f%s%x1f"
    "%(trailers:key=Co-authored-by,valueonly,separator=%x1d)%x1f%b%x1f"
)


@dataclass(frozen=True)
class FileChange:
    path: str
    additions: int
    deletions: int


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    name: str  # mailmap-resolved
    email: str  # mailmap-resolved
    date: datetime
    subject: str
    body: str
    co_authors: tuple[str, ...]  # raw "Name <email>" trailer values
    files: tuple[FileChange, ...]

    @property
    def stats(self) -> Stats:
        return Stats(
            additions=sum(f.additions for f in self.files),
            deletions=sum(f.deletions for f in self.files),
            files=len(self.files),
        )


def parse_numstat(raw: bytes) -> tuple[FileChange, ...]:
    """``git log -z --numstat`` entries: ``A\\tD\\tpath\\0`` or ``A\\tD\\t\\0old\\0new\\0``."""
    tokens = raw.split(b"\0")
    files: list[FileChange] = []
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b"\n")
        i += 1
        if not token:
            continue
        added, deleted, path = token.split(b"\t", 2)
        if not path:  # a rename or copy: the old and new paths follow
            path = tokens[i + 1]
            i += 2
        files.append(
            FileChange(
                path.decode("utf-8", "replace"),
                int(added) if added != b"-" else 0,
                int(deleted) if deleted != b"-" else 0,
            )
        )
    return tuple(files)


def parse_record(record: bytes) -> Commit:
    parts = record.split(b"\x1f", _HEAD_FIELDS)
    head = [p.decode("utf-8", "replace") for p in parts[:_HEAD_FIELDS]]
    sha, parents, an, ae, name, email, at, subject, trailers = head
    body, _, numstat = parts[_HEAD_FIELDS].rpartition(b"\x1f")
    return Commit(
        sha=sha,
        parents=tuple(parents.split()),
        author_name=an,
        author_email=ae,
        name=name,
        email=email,
        date=utc(int(at)),
        subject=subject,
        body=body.decode("utf-8", "replace").strip(),
        co_authors=tuple(t.strip() for t in trailers.split(_TRAILER_SEP) if t.strip()),
        files=parse_numstat(numstat),
    )


def parse_log(chunks: Iterable[bytes]) -> Iterator[Commit]:
    """Commits from the streamed output of ``git log -z --numstat --format=LOG_FORMAT``."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        *records, pending = pending.split(b"\x1e")
        for record in records:
            if record:
                yield parse_record(record)
    if pending:
        yield parse_record(pending)


def log_commits(repo: Path, args: list[str], stdin_shas: list[str] | None = None) -> list[Commit]:
    """Run one ``git log --numstat`` pass and parse it."""
    cmd = ["log", "-z", "--numstat", "--use-mailmap", f"--format={LOG_FORMAT}", *args]
    if stdin_shas is not None:
        cmd += ["--no-walk=unsorted", "--stdin"]
        return list(parse_log([gitcmd.run_bytes(repo, cmd, "\n".join(stdin_shas) + "\n")]))
    return list(parse_log(gitcmd.stream(repo, cmd)))


@dataclass(frozen=True)
class Authored:
    """A commit of the subject's, and whether they wrote it or co-wrote it."""

    commit: Commit
    role: str  # "author" or "co-author"


class GitHistory:
    """The subject's commits in a period, read once and shared by the git and docs collectors."""

    def __init__(
        self, repo: gitcmd.Repo, matcher: Matcher, period: Period, all_branches: bool = False
    ) -> None:
        self.repo = repo
        self.matcher = matcher
        self.period = period
        self.revs = ["--all"] if all_branches else ["HEAD"]
        self._commits: list[Authored] | None = None

    @property
    def since(self) -> str:
        return f"--since=@{int((self.period.start - SINCE_SLACK).timestamp())}"

    def commits(self) -> list[Authored]:
        if self._commits is None:
            self._commits = self._read() if self.repo.has_commits else []
        return self._commits

    def _read(self) -> list[Authored]:
        roles = dict.fromkeys(self._authored(), "author")
        for sha in self._co_authored():
            roles.setdefault(sha, "co-author")
        if not roles:
            return []
        found = log_commits(self.repo.root, [], stdin_shas=list(roles))
        found.sort(key=lambda c: (c.date, c.sha))
        return [Authored(c, roles[c.sha]) for c in found]

    def _authored(self) -> list[str]:
        patterns = [f"--author={p}" for p in self.matcher.git_author_patterns()]
        out = gitcmd.run(
            self.repo.root,
            "log",
            "--no-merges",
            "--use-mailmap",
            "-F",
            "-i",
            *patterns,
            self.since,
            "--format=%H%x1f%aN%x1f%aE%x1f%at",
            *self.revs,
            "--",
        )
        shas = []
        for line in gitcmd.lines(out):
            sha, name, email, at = line.split(_SEP)
            if utc(int(at)) in self.period and self.matcher(name, email):
                shas.append(sha)
        return shas

    def _co_authored(self) -> list[str]:
        out = gitcmd.run(
            self.repo.root,
            "log",
            "--no-merges",
            "-F",
            "-i",
            "--grep=co-authored-by:",
            self.since,
            "--format=%H%x1f%at%x1f%(trailers:key=Co-authored-by,valueonly,separator=%x1d)",
            *self.revs,
            "--",
        )
        candidates: list[tuple[str, list[str]]] = []
        for line in gitcmd.lines(out):
            sha, at, trailers = line.split(_SEP)
            if utc(int(at)) in self.period:
                idents = [t.strip() for t in trailers.split(_TRAILER_SEP) if "<" in t]
                candidates.append((sha, idents))
        resolved = canonical(self.repo.root, (i for _, idents in candidates for i in idents))
        return [
            sha
            for sha, idents in candidates
            if any(self.matcher(*resolved[i], explicit_only=False) for i in idents)
        ]

    def co_author_names(self, commit: Commit) -> tuple[str, ...]:
        """The other people on a commit, by name only (their emails stay private)."""
        people = [(commit.name, commit.email), *map(parse_ident, commit.co_authors)]
        resolved = canonical(self.repo.root, [f"{n} <{e}>" for n, e in people])
        names = [n or "(no name)" for n, e in resolved.values() if not self.matcher(n, e)]
        return tuple(dict.fromkeys(names))


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
        for authored in self.history.commits():
            self._items += 1
            yield self._commit_evidence(authored)
        for tag in self._tags():
            self._items += 1
            yield tag

    def _commit_evidence(self, authored: Authored) -> Evidence:
        c = authored.commit
        if authored.role == "author":
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
            role="author" if authored.role == "author" else "co-author",
            co_authors=self.history.co_author_names(c) if c.co_authors else (),
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
        resolved = canonical(self.repo.root, [f"{r[2]} {r[3]}" for r in annotated])
        for name, _, tagger, email, at, subject in annotated:
            when = utc(int(at))
            who = resolved[f"{tagger} {email}"]
            if when not in self.history.period or not self.history.matcher(*who):
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
