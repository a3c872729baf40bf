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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial
from pathlib import Path
from typing import TypeVar, cast

from miner import gitcmd
from miner.collectors.trailers import RAW_TRAILERS, co_author_lines
from miner.model import Stats, utc
from miner.store import CommitRow

T = TypeVar("T")
K = TypeVar("K")
# Trailer values are unfolded onto one line each: a newline is the one byte none holds.
TRAILER_SEP = "\n"
CO_AUTHORS = RAW_TRAILERS  # the block as written, read by ``trailers.co_authors``
# One field per NUL-ended slot (see ``gitcmd.framed_format``), the body last: the
# numstat part that follows starts after the last field's NUL.
RAW_FIELDS = ("%H", "%an", "%ae", "%at", "%s", CO_AUTHORS, "%b")
# The same, led by the mailmap-resolved email and name, for walks that select by author.
MAILMAPPED_FIELDS = ("%aE", "%aN", *RAW_FIELDS)
# What every diffing walk passes: numstat as ``git log --numstat`` counts it, never a
# program from the repository's config (external diff, textconv), UTF-8 text.
LOG_OPTIONS = (
    *("-z", "--numstat", "--find-renames", "--no-ext-diff", "--no-textconv"),
    *("--encoding=UTF-8", "--no-color", "--no-show-signature"),
)
TITLE_MAX = 1000  # characters of a title: longer than any real subject seen, far below a bomb


def title_of(text: str) -> str:
    """``text`` cut to ``TITLE_MAX`` characters, with an ellipsis when cut."""
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"


Skipped = list[str]  # one line per commit left out, naming it and why


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
    paths: tuple[str, ...]  # the files it changed, as ``git log --numstat`` lists them
    lines: tuple[tuple[int, int], ...]  # each path's (added, removed); binary: (0, 0)
    stats: Stats

    @cached_property  # asked for twice per commit (its title, its message)
    def title(self) -> str:
        """The subject as a title: a long one cut, with an ellipsis."""
        return title_of(self.subject)

    @property
    def message(self) -> str:
        """The body, led by the whole subject when the title had to cut it."""
        if self.title == self.subject:
            return self.body
        return f"{self.subject}\n\n{self.body}".strip()

    @classmethod
    def from_row(cls, row: CommitRow, name: str, email: str) -> Commit:
        paths, lines = parse_numstat(row.numstat)
        added = removed = 0
        for a, r in lines:
            added += a
            removed += r
        return cls(
            sha=row.sha,
            author_email=row.author_email,
            name=name,
            email=email,
            date=utc(row.author_time),
            subject=row.subject,
            body=row.body,
            co_authors=tuple(t.strip() for t in row.trailers.split(TRAILER_SEP) if t.strip()),
            paths=paths,
            lines=lines,
            stats=Stats(additions=added, deletions=removed, files=len(paths)),
        )


def parse_numstat(raw: bytes) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """``git log -z --numstat`` entries (``A\\tD\\tpath\\0`` or ``A\\tD\\t\\0old\\0new\\0``)
    as (paths, each path's (added, removed)); a binary file's ``-`` counts 0."""
    tokens = raw.split(b"\0")
    paths: list[str] = []
    lines: list[tuple[int, int]] = []
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
        paths.append(path.decode("utf-8", "replace"))
        lines.append((int(added) if added != b"-" else 0, int(deleted) if deleted != b"-" else 0))
    return tuple(paths), tuple(lines)


def parse_record(record: bytes, skipped: Skipped | None = None, lead: int = 0) -> CommitRow | None:
    """The row of one record (``lead`` fields before ``RAW_FIELDS``), or None, with a
    line in ``skipped``, when git could not give it whole: a date it could not read."""
    parts = gitcmd.split_fields(record, lead + len(RAW_FIELDS))
    if parts is None:
        sha = (record.split(b"\0", lead + 1)[lead:] or [b"?"])[0][:40]
        _skip(skipped, sha, "its record is incomplete")
        return None
    return _row(parts[lead:], skipped)


def _row(parts: list[bytes], skipped: Skipped | None) -> CommitRow | None:
    sha, name, email, at, subject, trailers, body, numstat = parts
    time = gitcmd.seconds(at)
    if time is None:
        _skip(skipped, sha, "git cannot read its author date")
        return None
    return CommitRow(
        sha=sha.decode(),
        author_name=name.decode("utf-8", "replace"),
        author_email=email.decode("utf-8", "replace"),
        author_time=time,
        subject=subject.decode("utf-8", "replace"),
        body=body.decode("utf-8", "replace").strip(),
        trailers=co_author_lines(trailers.decode("utf-8", "replace")),
        numstat=numstat,
    )


def _skip(skipped: Skipped | None, sha: bytes, why: str) -> None:
    if skipped is not None:
        skipped.append(f"commit {sha.decode('utf-8', 'replace')[:12]} left out: {why}")


def parse_log(
    chunks: Iterable[bytes], mark: bytes, skipped: Skipped | None = None
) -> Iterator[CommitRow]:
    """Rows from the streamed output of ``git log`` with ``log_format(mark)``."""
    for record in gitcmd.split_records(chunks, mark):
        row = parse_record(record, skipped)
        if row is not None:
            yield row


def parse_mailmapped(
    chunks: Iterable[bytes], mark: bytes, skipped: Skipped | None = None
) -> Iterator[tuple[str, str, CommitRow]]:
    """(resolved email, resolved name, row) from ``log_format(mark, MAILMAPPED_FIELDS)``."""
    for record in gitcmd.split_records(chunks, mark):
        parts = gitcmd.split_fields(record, len(MAILMAPPED_FIELDS))
        row = _row(parts[2:], skipped) if parts else parse_record(record, skipped, lead=2)
        if parts and row is not None:
            yield parts[0].decode("utf-8", "replace"), parts[1].decode("utf-8", "replace"), row


def log_format(mark: bytes, fields: Sequence[str] = RAW_FIELDS) -> str:
    return "--format=" + gitcmd.framed_format(mark, fields)


def log_rows(
    repo: Path, revs: Sequence[str], raw: bool = False, skipped: Skipped | None = None
) -> Iterator[CommitRow]:
    """Every non-merge commit reachable from ``revs``, streamed in one pass; ``raw``:
    as recorded, without ``git replace`` replacements."""
    mark = gitcmd.record_mark()
    cmd = ["log", *LOG_OPTIONS, "--no-merges", log_format(mark), *revs, "--"]
    return parse_log(gitcmd.stream(repo, cmd, raw=raw), mark, skipped)


_Mailmapped = tuple[str, str, CommitRow]  # (resolved email, resolved name, row)


def authored_rows(
    repo: Path,
    revs: Sequence[str],
    filters: Sequence[str],
    windows: Sequence[Sequence[str]],
    skipped: Skipped | None = None,
    both_ends: bool = False,
) -> Iterator[tuple[str, str, CommitRow]]:
    """Non-merge commits among ``revs`` that pass git's ``filters`` (``--author``),
    diffed in the same pass: git diffs only what passes.

    Each of ``windows`` (committer-date filters that split the history between them)
    is read by its own git process, side by side, so the diffing spreads over the
    cores; with ``both_ends``, by two: one from its newest commit, one from its
    oldest (``--reverse``), until they meet (see ``from_both_ends``), so that the
    two share its diffs evenly however they are spread over time. The rows come in
    no particular order."""
    mark = gitcmd.record_mark()
    cmd = ["log", *LOG_OPTIONS, "--no-merges", "--use-mailmap", *filters]
    cmd += [log_format(mark, MAILMAPPED_FIELDS)]

    def read(window: Sequence[str], stop: gitcmd.Stop | None = None) -> Iterator[_Mailmapped]:
        out = gitcmd.stream(repo, [*cmd, *window, *revs, "--"], stop=stop)
        return parse_mailmapped(out, mark, skipped)

    streams: list[Iterator[_Mailmapped]] = []
    for window in windows:
        if both_ends:
            newest, oldest = partial(read, window), partial(read, ["--reverse", *window])
            streams += from_both_ends(newest, oldest, key=lambda found: found[2].sha)
        else:
            streams.append(read(window))
    return streams[0] if len(streams) == 1 else side_by_side(streams)


def from_both_ends(
    forward: Callable[[gitcmd.Stop], Iterator[T]],
    backward: Callable[[gitcmd.Stop], Iterator[T]],
    key: Callable[[T], K],
) -> list[Iterator[T]]:
    """Two sources reading one list from its two ends, ``backward`` the same list in
    reverse (``git log --reverse``), each made with the ``gitcmd.Stop`` that ends it,
    to be drained side by side. Each stops where the two meet: at an item the other
    one read already (what one read first is the start of the list, what the other
    read is its end, and the two overlap), or when the other one has read the whole
    list; so together they yield every item once, and neither reads much past half.
    The one still reading when they meet is stopped at once, its git killed."""
    owner: dict[K, int] = {}
    stops = (gitcmd.Stop(), gitcmd.Stop())
    lock = threading.Lock()

    def end(me: int, source: Iterator[T]) -> Iterator[T]:
        other = stops[1 - me]
        try:
            for item in source:
                with lock:  # one end at a time: an item is claimed by one of them
                    if stops[me].stopped or owner.setdefault(key(item), me) != me:
                        break
                yield item
            other()  # they met, or this end read the whole list
        except gitcmd.Stopped:  # stopped by the other end: it read the rest
            return
        except BaseException:  # a failure: the other end's work is of no use now
            other()
            raise
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    return [end(0, forward(stops[0])), end(1, backward(stops[1]))]


_DONE = object()
FIRST_BATCH = 16


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
        size = min(batch, FIRST_BATCH)  # the reader has work soon, then larger batches
        try:
            for item in source:
                if stop.is_set():
                    return
                items.append(item)
                # a full batch, or a few items for a reader that has nothing left:
                # then it works while git diffs, not on a backlog after git is done
                if len(items) == size or (len(items) >= FIRST_BATCH and found.empty()):
                    if not hand(items):
                        return
                    items, size = [], batch
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
    repo: Path,
    shas: Sequence[str],
    parts: int,
    raw: bool = False,
    skipped: Skipped | None = None,
) -> Iterator[CommitRow]:
    """Exactly these commits, read by ``parts`` git processes side by side (each a
    run of consecutive ones, for git's caches); the rows come in no particular order."""
    size = -(-len(shas) // max(1, parts)) or 1
    chunks = [shas[start : start + size] for start in range(0, len(shas), size)]
    if len(chunks) <= 1:
        return rows_for(repo, shas, raw, skipped)
    return side_by_side([rows_for(repo, chunk, raw, skipped) for chunk in chunks])


def rows_for(
    repo: Path, shas: Sequence[str], raw: bool = False, skipped: Skipped | None = None
) -> Iterator[CommitRow]:
    """Exactly these commits, streamed from one ``--stdin`` pass."""
    if not shas:
        return iter(())
    mark = gitcmd.record_mark()
    cmd = ["log", *LOG_OPTIONS, log_format(mark), "--no-walk=unsorted", "--stdin"]
    stdin = ("\n".join(shas) + "\n").encode()
    return parse_log(gitcmd.stream(repo, cmd, stdin=stdin, raw=raw), mark, skipped)
