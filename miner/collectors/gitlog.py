"""Reading ``git log`` output: streamed, parsed without a diff it does not need.

Stored rows are commits as recorded: a collection for the store reads them with
``--no-replace-objects``, and a report in a repository with ``git replace`` refs
reads its commits from git, as plain ``git log`` shows them, never from the store.

Line counts are exactly what ``git log --numstat`` prints (renames detected as
git does by default, pinned with ``--find-renames`` so a user's ``diff.renames``
cannot make stored counts disagree; binary files counted as 0 lines). What is stored per commit
(``CommitRow``) is raw, mailmap-free data, so a changed ``.mailmap`` never makes
a stored row wrong.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar, cast

from miner import gitcmd
from miner.model import Stats, utc
from miner.store import CommitRow

T = TypeVar("T")
TRAILER_SEP = "\x1d"
_FIELDS = 6
# Records and fields are framed with three-byte marks: a message or a path may hold any
# single control byte, and the numstat part that follows cannot hold the marks.
_RECORD = b"\x1e\x1d\x1e"
_FIELD = b"\x1f\x1d\x1f"
_R, _F = "%x1e%x1d%x1e", "%x1f%x1d%x1f"
_RAW_FIELDS = (
    f"%H{_F}%an{_F}%ae{_F}%at{_F}%s{_F}"
    f"%(trailers:key=Co-authored-by,valueonly,unfold,separator=%x1d){_F}%b{_F}"
)
RAW_FORMAT = _R + _RAW_FIELDS
# The same, led by the mailmap-resolved email and name, for walks that select by author.
MAILMAPPED_FORMAT = f"{_R}%aE{_F}%aN{_F}{_RAW_FIELDS}"


@dataclass(frozen=True)
class FileChange:
    path: str
    additions: int
    deletions: int


@dataclass(frozen=True)
class Commit:
    """One commit of the subject's, with its mailmap-resolved author."""

    sha: str
    author_email: str  # as recorded in the commit
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

    @classmethod
    def from_row(cls, row: CommitRow, name: str, email: str) -> Commit:
        return cls(
            sha=row.sha,
            author_email=row.author_email,
            name=name,
            email=email,
            date=utc(row.author_time),
            subject=row.subject,
            body=row.body,
            co_authors=tuple(t.strip() for t in row.trailers.split(TRAILER_SEP) if t.strip()),
            files=parse_numstat(row.numstat),
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


def parse_record(record: bytes) -> CommitRow:
    parts = record.split(_FIELD, _FIELDS)
    sha, name, email, at, subject, trailers = (p.decode("utf-8", "replace") for p in parts[:6])
    body, _, numstat = parts[_FIELDS].rpartition(_FIELD)
    return CommitRow(
        sha=sha,
        author_name=name,
        author_email=email,
        author_time=int(at),
        subject=subject,
        body=body.decode("utf-8", "replace").strip(),
        trailers=trailers,
        numstat=numstat,
    )


def _records(chunks: Iterable[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        pending += chunk
        *records, pending = pending.split(_RECORD)
        yield from filter(None, records)
    if pending:
        yield pending


def parse_log(chunks: Iterable[bytes]) -> Iterator[CommitRow]:
    """Rows from the streamed output of ``git log -z --numstat --format=RAW_FORMAT``."""
    return map(parse_record, _records(chunks))


def parse_mailmapped(chunks: Iterable[bytes]) -> Iterator[tuple[str, str, CommitRow]]:
    """(resolved email, resolved name, row) from ``--format=MAILMAPPED_FORMAT`` output."""
    for record in _records(chunks):
        email, name, rest = record.split(_FIELD, 2)
        yield email.decode("utf-8", "replace"), name.decode("utf-8", "replace"), parse_record(rest)


def log_rows(repo: Path, revs: Sequence[str], raw: bool = False) -> Iterator[CommitRow]:
    """Every non-merge commit reachable from ``revs``, streamed in one pass; ``raw``:
    as recorded, without ``git replace`` replacements."""
    cmd = ["log", "-z", "--numstat", "--find-renames", "--no-merges", f"--format={RAW_FORMAT}"]
    cmd += [*revs, "--"]
    return parse_log(gitcmd.stream(repo, cmd, raw=raw))


def authored_rows(
    repo: Path, revs: Sequence[str], filters: Sequence[str], windows: Sequence[Sequence[str]]
) -> Iterator[tuple[str, str, CommitRow]]:
    """Non-merge commits among ``revs`` that pass git's ``filters`` (``--author``),
    diffed in the same pass: git diffs only what passes.

    Each of ``windows`` (committer-date filters that split the history between them)
    is read by its own git process, side by side, so the diffing spreads over the
    cores; the rows come in no particular order."""
    cmd = ["log", "-z", "--numstat", "--find-renames", "--no-merges", "--use-mailmap"]
    cmd += [*filters, f"--format={MAILMAPPED_FORMAT}"]
    streams = [parse_mailmapped(gitcmd.stream(repo, [*cmd, *w, *revs, "--"])) for w in windows]
    return streams[0] if len(streams) == 1 else side_by_side(streams)


_DONE = object()


def side_by_side(sources: Sequence[Iterator[T]], batch: int = 256, depth: int = 64) -> Iterator[T]:
    """The items of ``sources``, each drained by its own thread, as they arrive.

    The threads hand over lists of ``batch`` items through a queue of ``depth`` lists,
    so a slow reader holds git back instead of buffering the history in memory. An
    error in one source is raised here; when the reader stops (an error, or it has
    what it wants), every thread stops too and closes its source, which ends its git
    process."""
    found: queue.Queue[list[T] | BaseException | object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand(value: list[T] | BaseException | object) -> bool:
        while not stop.is_set():
            try:
                found.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def drain(source: Iterator[T]) -> None:
        items: list[T] = []
        try:
            for item in source:
                if stop.is_set():
                    return
                items.append(item)
                if len(items) == batch:
                    if not hand(items):
                        return
                    items = []
            hand(items)
        except BaseException as exc:  # handed to the reader, raised there
            hand(exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
            hand(_DONE)

    for source in sources:
        threading.Thread(target=drain, args=(source,), daemon=True).start()
    running = len(sources)
    try:
        while running:
            got = found.get()
            if got is _DONE:
                running -= 1
            elif isinstance(got, BaseException):
                raise got
            else:
                yield from cast(list[T], got)
    finally:
        stop.set()


def rows_split(
    repo: Path, shas: Sequence[str], parts: int, raw: bool = False
) -> Iterator[CommitRow]:
    """Exactly these commits, read by ``parts`` git processes side by side (each a
    run of consecutive ones, for git's caches); the rows come in no particular order."""
    size = -(-len(shas) // max(1, parts)) or 1
    chunks = [shas[start : start + size] for start in range(0, len(shas), size)]
    if len(chunks) <= 1:
        return rows_for(repo, shas, raw)
    return side_by_side([rows_for(repo, chunk, raw) for chunk in chunks])


def rows_for(repo: Path, shas: Sequence[str], raw: bool = False) -> Iterator[CommitRow]:
    """Exactly these commits, streamed from one ``--stdin`` pass."""
    if not shas:
        return iter(())
    cmd = ["log", "-z", "--numstat", "--find-renames", f"--format={RAW_FORMAT}"]
    cmd += ["--no-walk=unsorted", "--stdin"]
    stdin = ("\n".join(shas) + "\n").encode()
    return parse_log(gitcmd.stream(repo, cmd, stdin=stdin, raw=raw))
