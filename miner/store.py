"""The evidence store: one SQLite file that makes re-runs nearly free.

What it keeps:
- ``commits``: what one ``git log --numstat`` pass says of a commit, by SHA. A SHA
  names its content, so a row never goes stale; a history rewrite only changes
  which SHAs are reachable, and that is asked of git on every run.
- ``selections``: for one repository, subject, period and mailmap, which commits
  were the subject's at which head. A re-run at the same head reads no history;
  after new commits it reads only ``old_head..HEAD``.
- ``heads``: the last commit collected per repository and ref (``miner collect``).
- ``mappings``: the areas a rule pack gave a commit (keyed by the pack's digest and
  what the rules can see of the commit), so a warm run does not evaluate again.
- ``titles``: a design document's title, by ``commit:path`` (fixed content, like a
  commit row), so a warm run reads no file contents.
- ``http_cache``: GitHub responses by URL with their ETag, so a re-run asks
  conditionally (a 304 costs nothing against the rate limit) and an interrupted
  collection resumes from what it had; and with the ``updated_at`` of the pull
  request or issue they describe, so a new token (every Actions run has one, and
  ETags are per token) reuses them without asking while that item is unchanged.

Selections, mappings and titles are worked out by miner's code, so their keys also
name the miner version that worked them out: an upgrade never serves an answer an
older version gave. A commit row is what git prints under miner's pinned settings;
a change to those is a schema step that drops the rows read before it.

Safety: every write is one transaction; a run killed at any point leaves the
previous state or the new one. A file that is not a SQLite database, or one written
by a newer miner, or a SQLite file whose tables are not a store's, is refused
before anything is written to it (no WAL switch, no table). Two processes share
a store through SQLite's own locking (WAL mode; a writer waits up to ``BUSY_SECONDS``).
"""

from __future__ import annotations

import errno
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from miner import __version__
from miner.errors import StoreError

SCHEMA_VERSION = 7
BUSY_SECONDS = 30.0
BATCH_ROWS = 500  # rows a transaction stores while git reads on: what is left at the end is little
_SQLITE_MAGIC = b"SQLite format 3\x00"
_HINT = "pass --store with another path, or delete the file to start afresh"

# Forward migrations: MIGRATIONS[n] takes a store from version n to n + 1.
MIGRATIONS: dict[int, str] = {
    0: """
    CREATE TABLE IF NOT EXISTS commits (
        sha TEXT PRIMARY KEY,
        author_name TEXT NOT NULL,
        author_email TEXT NOT NULL,
        author_time INTEGER NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        trailers TEXT NOT NULL,
        numstat BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS selections (
        repo TEXT NOT NULL,
        key TEXT NOT NULL,
        head TEXT NOT NULL,
        rows TEXT NOT NULL,
        PRIMARY KEY (repo, key)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS heads (
        repo TEXT NOT NULL,
        ref TEXT NOT NULL,
        head TEXT NOT NULL,
        PRIMARY KEY (repo, ref)
    ) WITHOUT ROWID;
    """,
    1: """
    CREATE TABLE IF NOT EXISTS http_cache (
        url TEXT PRIMARY KEY,
        etag TEXT NOT NULL,
        body TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    2: """
    CREATE TABLE IF NOT EXISTS mappings (
        pack TEXT NOT NULL,
        item TEXT NOT NULL,
        areas TEXT NOT NULL,
        PRIMARY KEY (pack, item)
    ) WITHOUT ROWID;
    """,
    3: """
    CREATE TABLE IF NOT EXISTS titles (
        spec TEXT PRIMARY KEY,
        title TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # The ``updated_at`` of the pull request or issue a cached answer belongs to.
    4: """
    ALTER TABLE http_cache ADD COLUMN version TEXT NOT NULL DEFAULT '';
    """,
    # Rows read before git's settings were pinned may hold what a user's config made
    # git print (a root commit without its diff); cached answers had no version.
    5: """
    DELETE FROM commits;
    DELETE FROM heads;
    DELETE FROM selections;
    DELETE FROM mappings;
    DELETE FROM titles;
    """,
    # Rows whose co-authors came from git's reading of trailers under the user's or the
    # repository's ``trailer.*`` settings (an alias could forge or hide one).
    6: """
    DELETE FROM commits;
    DELETE FROM heads;
    DELETE FROM selections;
    """,
}
_CREATED = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)")


def tables_at(version: int) -> set[str]:
    """The tables a store of schema ``version`` holds."""
    steps = (MIGRATIONS[step] for step in range(version))
    return {name for text in steps for name in _CREATED.findall(text)}


def produced(key: str) -> str:
    """``key`` for a result miner's code works out, with the version that worked it out."""
    return f"miner {__version__}\x1f{key}"


@dataclass(frozen=True)
class CommitRow:
    sha: str
    author_name: str
    author_email: str
    author_time: int
    subject: str
    body: str
    trailers: str
    numstat: bytes


@dataclass(frozen=True)
class Selection:
    head: str
    rows: tuple[tuple[str, ...], ...]
    skipped: tuple[str, ...] = ()  # commits git could not give whole, one line each


def default_store_path() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("contribution-miner") / "store.sqlite3"


def open_store(path: Path | None) -> Store:
    """The store at ``path``, else the default one, whose cache folder is made when
    missing. A path the user gave must be in a folder that exists: a typo in it makes
    no folders (as root, anywhere on the machine)."""
    if path is None:
        path = default_store_path()
        path.parent.mkdir(parents=True, exist_ok=True)
    return Store(path)


class Store:
    """An open evidence store; use as a context manager or call ``close``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        _refuse_foreign_file(path)
        if not path.parent.is_dir():
            raise StoreError(
                f"store {path}: folder {path.parent} does not exist",
                "create it first, or pass --store with another path",
            )
        try:
            self.db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise store_error(path, exc) from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        version = self._version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} was written by a newer miner (schema {version}, "
                f"this one knows {SCHEMA_VERSION})",
                "upgrade miner, or pass --store with another path",
            )
        self._refuse_foreign_tables(version)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            version = self._version()  # another process may have migrated meanwhile
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _refuse_foreign_tables(self, version: int) -> None:
        """Refuse, before any write, a database whose tables are not those of a store
        at its ``user_version``: another application's, whatever its version says.
        (A schema-0 file with no tables is new; one with some of ours, a first
        migration cut short.)"""
        found = self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        names = {r[0] for r in found if not str(r[0]).startswith("sqlite_")}
        ours = tables_at(version)
        if version == 0 and names <= tables_at(SCHEMA_VERSION):
            return
        if names != ours:
            raise StoreError(f"store {self.path} is another application's SQLite database", _HINT)

    def _version(self) -> int:
        row = self.db.execute("PRAGMA user_version").fetchone()
        return int(row[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: all of it lands, or none of it."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise store_error(self.path, exc) from exc

    def commits(self, shas: Sequence[str]) -> dict[str, CommitRow]:
        rows: dict[str, CommitRow] = {}
        for start in range(0, len(shas), 500):
            batch = shas[start : start + 500]
            marks = ",".join("?" * len(batch))
            query = f"SELECT * FROM commits WHERE sha IN ({marks})"  # noqa: S608 - marks only
            for row in self.db.execute(query, batch):
                rows[row[0]] = CommitRow(*row)
        return rows

    def add_commits(self, rows: Iterable[CommitRow]) -> int:
        """Insert rows in one transaction; returns how many were new."""
        before = self.db.total_changes
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO commits VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        r.sha,
                        r.author_name,
                        r.author_email,
                        r.author_time,
                        r.subject,
                        r.body,
                        r.trailers,
                        r.numstat,
                    )
                    for r in rows
                ),
            )
        return self.db.total_changes - before

    def titles(self, specs: Sequence[str]) -> dict[str, str]:
        """Stored titles of ``commit:path`` specs."""
        found: dict[str, str] = {}
        for start in range(0, len(specs), 500):
            batch = specs[start : start + 500]
            marks = ",".join("?" * len(batch))
            query = f"SELECT spec, title FROM titles WHERE spec IN ({marks})"  # noqa: S608
            rows = self.db.execute(query, [produced(spec) for spec in batch])
            found.update((spec.split("\x1f", 1)[1], title) for spec, title in rows)
        return found

    def add_titles(self, titles: dict[str, str]) -> None:
        if titles:
            with self.transaction():
                self.db.executemany(
                    "INSERT OR IGNORE INTO titles VALUES (?, ?)",
                    ((produced(spec), title) for spec, title in titles.items()),
                )

    def selection(self, repo: str, key: str) -> Selection | None:
        row = self.db.execute(
            "SELECT head, rows FROM selections WHERE repo = ? AND key = ?", (repo, produced(key))
        ).fetchone()
        if row is None:
            return None
        try:  # JSON: a name or an email may hold any byte but NUL and a newline
            found = json.loads(row[1])
            rows = tuple(tuple(str(x) for x in r) for r in found["rows"])
            return Selection(row[0], rows, tuple(str(x) for x in found["skipped"]))
        except (ValueError, TypeError, KeyError):  # not one this code wrote: walk afresh
            return None

    def save_selection(self, repo: str, key: str, selection: Selection) -> None:
        text = json.dumps({"rows": selection.rows, "skipped": selection.skipped})
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO selections VALUES (?, ?, ?, ?)",
                (repo, produced(key), selection.head, text),
            )

    def head(self, repo: str, ref: str) -> str | None:
        row = self.db.execute(
            "SELECT head FROM heads WHERE repo = ? AND ref = ?", (repo, ref)
        ).fetchone()
        return str(row[0]) if row else None

    def save_head(self, repo: str, ref: str, head: str) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO heads VALUES (?, ?, ?)", (repo, ref, head))


def store_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """What is true of a store SQLite could not use, and what to do about it: a
    read-only or full store is not damaged, and deleting it would not help."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith("SQLITE_READONLY") or name == "SQLITE_CANTOPEN":
        return StoreError(
            f"store {path} cannot be written: the file or its folder is read-only",
            "make both writable, or pass --store with a path you can write",
        )
    if name == "SQLITE_FULL" or getattr(exc, "errno", None) == errno.ENOSPC:
        return StoreError(
            f"store {path} cannot grow: the disk is full",
            "free some space, or pass --store with a path on another disk",
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StoreError(
            f"store {path} is busy: another miner has held it for {BUSY_SECONDS:.0f} s",
            "wait for it to finish, or pass --store with another path",
        )
    if name.startswith("SQLITE_IOERR"):
        return StoreError(f"store {path} cannot be read or written: {exc}", "check the disk")
    return StoreError(f"store {path} cannot be used: {exc}", _HINT)


def _refuse_foreign_file(path: Path) -> None:
    """Refuse, without writing to it, a path that holds something other than a store."""
    if path.is_dir():
        raise StoreError(f"store {path} is a directory", "pass --store with a file path")
    if not path.exists():
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"store {path} cannot be read: {exc.strerror}", _HINT) from exc
    if header and header != _SQLITE_MAGIC:
        raise StoreError(f"store {path} is not a SQLite file", _HINT)


class Cached(NamedTuple):
    etag: str
    body: str
    link: str  # the page's Link header: a 304 carries none
    version: str  # the ``updated_at`` of the item the answer is about, when known


class HttpCache:
    """The GitHub client's view of the store: bodies by URL with their ETag, and the
    ``updated_at`` of the pull request or issue they describe.

    ETags are specific to the token (GitHub answers ``Vary: Authorization``), and an
    Action gets a new token every run; the version lets any token reuse an answer
    about an item that has not changed since, without asking.

    The URL never carries the token (it travels in a header), so nothing secret
    is written here."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, url: str) -> Cached | None:
        row = self.store.db.execute(
            "SELECT etag, body, version FROM http_cache WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return None
        link, _, body = str(row[1]).partition("\n")
        return Cached(str(row[0]), body, link, str(row[2]))

    def put(self, url: str, etag: str, body: str, link: str = "", version: str = "") -> None:
        with self.store.transaction():
            self.store.db.execute(
                "INSERT OR REPLACE INTO http_cache (url, etag, body, version) VALUES (?, ?, ?, ?)",
                (url, etag, f"{link.replace(chr(10), ' ')}\n{body}", version),
            )


class CommitBatches:
    """Commits read from git, stored ``BATCH_ROWS`` at a time while git reads the next:
    rows are keyed by SHA, so a batch stored by a run that is then killed is simply
    there for the next run. Without a store, rows are dropped."""

    def __init__(self, store: Store | None) -> None:
        self.store = store
        self.rows: list[CommitRow] = []
        self.stored = 0  # rows new to the store so far

    def add(self, row: CommitRow) -> bool:
        """Keep ``row``; True when that filled a batch and stored it."""
        self.rows.append(row)
        if len(self.rows) < BATCH_ROWS:
            return False
        self.flush()
        return True

    def flush(self) -> None:
        if self.store and self.rows:
            self.stored += self.store.add_commits(self.rows)
        self.rows = []


class MappingCache:
    """Mappings already worked out, per rule-pack digest: loaded at once, saved a
    batch at a time while git reads on (``save`` stores the rest)."""

    def __init__(self, store: Store, pack: str) -> None:
        self.store = store
        self.pack = produced(pack)
        # read under the key they are saved under (the version with the digest)
        rows = store.db.execute("SELECT item, areas FROM mappings WHERE pack = ?", (self.pack,))
        self.known: dict[str, str] = dict(rows.fetchall())
        self.new: dict[str, str] = {}

    def get(self, item: str) -> str | None:
        return self.known.get(item)

    def put(self, item: str, areas: str) -> None:
        self.new[item] = areas
        if len(self.new) >= BATCH_ROWS:
            self.save()

    def save(self) -> None:
        if not self.new:
            return
        with self.store.transaction():
            self.store.db.executemany(
                "INSERT OR REPLACE INTO mappings VALUES (?, ?, ?)",
                ((self.pack, item, areas) for item, areas in self.new.items()),
            )
        self.new = {}
