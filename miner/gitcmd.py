"""Plain ``git`` subprocesses: the one place the code talks to git."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from miner.errors import GitError, RepositoryError, UsageError

# Fixed, locale-free output whatever the user's environment says; a graft file is
# ignored (git has deprecated grafts for ``git replace``, which is read as git does):
# git reads grafts from a path that cannot exist, a file below the null device.
_ENV_OVERRIDES = {
    "LC_ALL": "C",
    "GIT_PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_GRAFT_FILE": str(Path(os.devnull) / "no-grafts"),
}

# Settings that would change what git prints for the formats miner parses, or run a
# program, pinned on every call over anything a global or a repository's config says:
# a signature check prints before the format and runs gpg.program; showRoot=false
# drops a root commit's diff; a comment character or separator hides trailers; an
# encoding, a colour, a diff algorithm, a size threshold or a relative diff changes
# text and counts.
PINNED = (
    "log.showSignature=false",
    "log.showRoot=true",
    "log.decorate=false",
    "log.abbrevCommit=false",
    "log.mailmap=false",
    "log.follow=false",
    "color.ui=false",
    "color.diff=false",
    "core.quotePath=false",
    "core.commentChar=#",
    "core.bigFileThreshold=512m",
    "core.fsmonitor=false",
    "i18n.logOutputEncoding=UTF-8",
    "trailer.separators=:",
    "diff.algorithm=default",
    "diff.relative=false",
    "diff.renameLimit=1000",
    "diff.ignoreSubmodules=none",
    f"diff.orderFile={os.devnull}",
    "advice.graftFileDeprecated=false",
)


def _env() -> dict[str, str]:
    return {**os.environ, **_ENV_OVERRIDES}


def _argv(repo: Path | None, args: Sequence[str], raw: bool = False) -> list[str]:
    """The command line for ``git args``: every call goes through here, pinned.

    ``raw``: objects as recorded, without ``git replace`` replacements; otherwise
    replacements apply as plain ``git log`` applies them, whatever the config says."""
    pins = [p for pin in PINNED for p in ("-c", pin)]
    replaced = ["--no-replace-objects", "-c", "core.useReplaceRefs=false"] if raw else []
    where = ["-C", str(repo)] if repo is not None else []
    return [git_path(), "--no-pager", *where, *pins, *replaced, *args]


def _failed(args: Sequence[str], code: int, stderr: str) -> BaseException:
    """The error for a git process that exited ``code``: Ctrl-C reaches git too (one
    process group), and a git killed by it means the user interrupted, not a failure."""
    if _interrupted(code):
        return KeyboardInterrupt()
    lines = stderr.strip().splitlines()
    return GitError(f"git {args[0]} failed: {lines[-1] if lines else code}")


def _interrupted(code: int) -> bool:
    """Whether a git that exited ``code`` died of the user's Ctrl-C."""
    return code in (-signal.SIGINT, 128 + signal.SIGINT)


def git_path() -> str:
    found = shutil.which("git")
    if not found:
        raise GitError("git is not installed or not on PATH", "install git 2.30 or newer")
    return found


def run(
    repo: Path, *args: str, check: bool = True, stdin: str | None = None, raw: bool = False
) -> str:
    """Run ``git -C repo args`` and return its stdout as text; ``raw``: objects as
    recorded, without ``git replace`` replacements."""
    proc = subprocess.run(
        _argv(repo, args, raw),
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=_env(),
        check=False,
    )
    if check and proc.returncode != 0:
        raise _failed(args, proc.returncode, proc.stderr)
    return proc.stdout


class Stopped(Exception):
    """A streaming git was stopped on purpose (``Stop``): what it printed last may be
    cut short, so its output ends here, without its last record."""


class Stop:
    """Stops streaming git processes from another thread: each ``stream`` given this
    handle raises ``Stopped`` at once instead of reading on, and one started after
    the call stops as soon as it starts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: list[subprocess.Popen[bytes]] = []
        self.stopped = False

    def __call__(self) -> None:
        with self._lock:
            self.stopped = True
            running, self._running = self._running, []
        for proc in running:
            with contextlib.suppress(OSError):  # it ended meanwhile
                proc.kill()

    def _watch(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            if not self.stopped:
                self._running.append(proc)
                return
        proc.kill()


def stream(
    repo: Path,
    args: Sequence[str],
    stdin: bytes | None = None,
    chunk: int = 1 << 16,
    raw: bool = False,
    stop: Stop | None = None,
) -> Iterator[bytes]:
    """Yield ``git -C repo args`` stdout in chunks as it is produced.

    The caller parses one chunk while git computes the next, on the other core.
    ``stdin`` is fed from a thread, so a long input never blocks the output.
    ``stop``: a handle that ends the output early from another thread (``Stopped``).
    """
    if stop is not None and stop.stopped:  # stopped already: no git to start and kill
        raise Stopped
    with subprocess.Popen(
        _argv(repo, args, raw),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        if stop is not None:
            stop._watch(proc)
        _widen(proc.stdout.fileno())
        if stdin is not None:
            threading.Thread(target=_feed, args=(proc, stdin), daemon=True).start()
        try:
            while data := os.read(proc.stdout.fileno(), chunk):
                if stop is not None and stop.stopped:
                    break
                yield data
        except GeneratorExit:  # the reader has what it wants: stop git now, not at its end
            proc.kill()
            raise
        if stop is not None and stop.stopped:
            proc.kill()
            proc.wait()
            raise Stopped
        err = proc.stderr.read().decode("utf-8", "replace")
        if proc.wait() != 0:
            raise _failed(args, proc.returncode, err)


PIPE_BYTES = 1 << 20
MAX_PROCESSES = 4  # git processes reading one history side by side, at most


def usable_cores() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _widen(fd: int) -> None:
    """Let git run up to a megabyte ahead of its reader (Linux; 64 KiB by default), so
    a pause on this side (a batch stored, the rule pack loaded) does not stall git."""
    try:
        import fcntl
    except ImportError:  # Windows
        return
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):  # a lower system limit: the default will do
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _replace_base() -> str:
    return os.environ.get("GIT_REPLACE_REF_BASE", "refs/replace/").rstrip("/") + "/"


def replace_refs(repo: Path) -> str:
    """The repository's ``git replace`` refs, one line each ('' when none)."""
    return run(repo, "for-each-ref", "--format=%(objectname) %(refname)", _replace_base())


# Refs that are git's bookkeeping, not history: ``--all`` would walk a replacement, a
# note or a stash entry as commits of their own.
_NOT_HISTORY = ("refs/notes/", "refs/stash", "refs/original/")


def every_branch() -> list[str]:
    """Revisions for ``--all-branches``: every ref and HEAD, less the bookkeeping."""
    skip = (_replace_base(), *_NOT_HISTORY)
    return [*(f"--exclude={p}*" if p.endswith("/") else f"--exclude={p}" for p in skip), "--all"]


def branch_tips(repo: Repo) -> list[tuple[str, str]]:
    """(object, ref) of what ``every_branch`` reads, HEAD first."""
    skip = (_replace_base(), *_NOT_HISTORY)
    out = run(repo.root, "for-each-ref", "--format=%(objectname) %(refname)")
    tips = [line.partition(" ")[::2] for line in lines(out)]
    found = [(sha, ref) for sha, ref in tips if not ref.startswith(skip)]
    return ([(repo.head, "HEAD")] if repo.head else []) + found


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
    assert proc.stdin is not None
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except BrokenPipeError:  # git stopped reading: its exit status says why
        pass


@dataclass(frozen=True)
class Repo:
    """A local clone and what the collectors need to know about it."""

    root: Path
    head: str | None  # the SHA of HEAD; None in a repository with no commits yet
    shallow: bool
    name: str  # owner/name for a known forge, else the folder's name (never a local path)
    web_url: str | None  # https://host/owner/name when the remote is on a forge
    forge: str | None  # "github", "gitlab" or None
    config: tuple[tuple[str, str], ...] = ()  # `git config --list`, keys lower-cased

    @property
    def has_commits(self) -> bool:
        return self.head is not None

    def config_value(self, key: str) -> str:
        """The last value set for ``key`` (as git reads it), or ''."""
        values = [v for k, v in self.config if k == key.lower()]
        return values[-1] if values else ""

    def config_section(self, prefix: str) -> tuple[tuple[str, str], ...]:
        return tuple((k, v) for k, v in self.config if k.startswith(prefix.lower()))

    def commit_url(self, sha: str) -> str | None:
        if self.web_url is None:
            return None
        if self.forge == "gitlab":
            return f"{self.web_url}/-/commit/{sha}"
        return f"{self.web_url}/commit/{sha}"

    def tag_url(self, tag: str) -> str | None:
        if self.web_url is None:
            return None
        if self.forge == "gitlab":
            return f"{self.web_url}/-/tags/{tag}"
        return f"{self.web_url}/releases/tag/{tag}"


def open_repo(path: Path) -> Repo:
    """Check that ``path`` is a Git work tree and describe it; raise a clear error if not."""
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory", "give the path of a Git clone")
    if not path.is_dir():
        raise UsageError(f"{path} is not a directory", "give the path of a Git clone")
    git_path()
    # One rev-parse and one config read: every git process costs start-up time.
    found = run(
        path,
        "rev-parse",
        "--show-toplevel",
        "--is-shallow-repository",
        "--verify",
        "-q",
        "HEAD",
        check=False,
    ).split("\n")
    if not found[0]:
        raise _not_a_work_tree(path)
    root = Path(found[0])
    shallow = len(found) > 1 and found[1] == "true"
    head = found[2] if len(found) > 2 and found[2] else None
    config = _config(root)
    remote = _remote_url(config)
    forge, slug, web = parse_remote(remote) if remote else (None, None, None)
    return Repo(root, head, shallow, slug or root.name, web, forge, config)


def _not_a_work_tree(path: Path) -> RepositoryError:
    """Why git would not give ``path``'s work tree: a repository git refuses to read
    (owned by someone else), a bare repository, or no repository at all."""
    proc = subprocess.run(
        _argv(path, ["rev-parse", "--is-bare-repository"]),
        capture_output=True,
        text=True,
        errors="replace",
        env=_env(),
        check=False,
    )
    if "dubious ownership" in proc.stderr or "safe.directory" in proc.stderr:
        return RepositoryError(
            f"git refuses to read {path}: it belongs to another user (safe.directory)",
            f"if you trust it, run `git config --global --add safe.directory {path}`",
        )
    if proc.stdout.strip() == "true":
        return RepositoryError(
            f"{path} is a bare repository: miner reads a clone with a work tree",
            f"clone it (`git clone {path} CLONE`) and give miner the clone",
        )
    return RepositoryError(
        f"{path} is not a Git repository", "run miner inside a clone or give its path"
    )


def is_repository(path: Path) -> bool:
    return path.is_dir() and succeeds(path, "rev-parse", "--git-dir")


def _config(root: Path) -> tuple[tuple[str, str], ...]:
    out = run(root, "config", "-z", "--list", check=False)
    pairs = []
    for entry in out.split("\0"):
        if entry:
            key, _, value = entry.partition("\n")
            pairs.append((key.lower(), value))
    return tuple(pairs)


def _remote_url(config: tuple[tuple[str, str], ...]) -> str | None:
    urls = {
        k[len("remote.") : -len(".url")]: v
        for k, v in config
        if k.startswith("remote.") and k.endswith(".url")
    }
    for name in ("origin", "upstream", *urls):
        if urls.get(name):
            return urls[name]
    return None


def parse_remote(url: str) -> tuple[str | None, str | None, str | None]:
    """(forge, owner/name, web URL) for a GitHub or GitLab remote; Nones otherwise.

    Credentials in an https remote (``https://user:token@host/...``) are dropped.
    """
    text = url.strip()
    host = path = ""
    if "://" in text:
        rest = text.split("://", 1)[1]
        hostpart, _, path = rest.partition("/")
        host = hostpart.rsplit("@", 1)[-1].split(":", 1)[0]
    elif ":" in text and not text.startswith("/"):
        hostpart, _, path = text.partition(":")
        host = hostpart.rsplit("@", 1)[-1]
    path = path.strip("/").removesuffix(".git")
    lowered = host.lower()
    forge = "github" if "github" in lowered else "gitlab" if "gitlab" in lowered else None
    if forge is None or path.count("/") < 1:
        return None, None, None
    return forge, path, f"https://{host}/{path}"


# Output framing. Git prints no NUL inside a message, a name, an email or a path (it
# cuts a message at one and prints no identity that holds one), so fields end with a
# NUL. Records start with a mark made fresh for each call: nothing written before
# the call can hold it, so no message or path can start a record of its own.
MAX_TIME = 253402300799  # 9999-12-31T23:59:59Z: the last moment a date can hold


def date(seconds: int) -> str:
    """A moment as git's date options read it: ``@N +0000`` always as a Unix time.
    ``@N`` alone is one only from 9 digits on (1973-03-03): a shorter N is read as a
    day of this month (1-31), a year (1970-2100), or else not at all, which means now."""
    return f"@{seconds} +0000"


def record_mark() -> bytes:
    """A fresh record mark: ``\x1e`` and 16 random hex digits."""
    return b"\x1e" + secrets.token_hex(8).encode()


def framed_format(mark: bytes, fields: Sequence[str], escape: str = "%x") -> str:
    """``--format`` text: ``mark``, then each field followed by a NUL. ``escape`` is
    how the command writes a byte (``%x00`` for log, ``%00`` for for-each-ref)."""
    return f"{escape}1e{mark[1:].decode()}" + "".join(f"{f}{escape}00" for f in fields)


def split_records(chunks: Iterable[bytes], mark: bytes, big: int = 1 << 20) -> Iterator[bytes]:
    """The records of ``chunks`` (streamed output), each without its mark.

    A record longer than ``big`` (a huge message) is gathered in pieces, so it costs
    its length once, not once per chunk."""
    pending = b""
    held: list[bytes] = []  # the start of a long record: no mark in it
    keep = len(mark) - 1
    for chunk in chunks:
        pending += chunk
        *records, pending = pending.split(mark)
        if records:
            if held:
                records[0] = b"".join([*held, records[0]])
                held = []
            yield from filter(None, records)
        elif len(pending) > big:
            held.append(pending[:-keep])
            pending = pending[-keep:]
    if held or pending:
        yield b"".join([*held, pending])


def split_fields(record: bytes, count: int) -> list[bytes] | None:
    """The ``count`` fields of ``record`` and what follows them (a diff, or the line
    end), or None when it does not hold that many."""
    parts = record.split(b"\0", count)
    return parts if len(parts) == count + 1 else None


def seconds(text: bytes | str) -> int | None:
    """A Unix time git printed, or None when git printed none (a date it could not
    read: empty, negative or too large) or one past what a date can hold."""
    if len(text) < 11 and text.isdigit():  # the usual case, asked of every commit
        return int(text)  # below MAX_TIME
    value = text.strip()
    if not value.isdigit() or len(value) > 12 or int(value) > MAX_TIME:
        return None
    return int(value)


def framed(
    repo: Path, args: Sequence[str], fields: Sequence[str], escape: str = "%x"
) -> Iterator[list[str]]:
    """Run ``git args`` with a ``--format`` of ``fields`` (placed right after the
    command, before any ``--``) and yield each record's fields, decoded; a record
    that does not have them all is left out."""
    mark = record_mark()
    fmt = f"--format={framed_format(mark, fields, escape)}"
    out = stream(repo, [args[0], fmt, *args[1:]])
    for record in split_records(out, mark):
        parts = split_fields(record, len(fields))
        if parts is not None and not parts[-1].strip(b"\n\0"):
            yield [p.decode("utf-8", "replace") for p in parts[:-1]]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """``text`` as one line without control characters: git's text (names, subjects,
    paths) kept in the store's separated rows, where none may break a row or a rendering."""
    return _CONTROL.sub(" ", text).strip()


def lines(text: str) -> list[str]:
    """Non-empty output lines, split on newlines only: the fields hold control
    characters (\\x1d-\\x1f) that ``str.splitlines`` would also split on."""
    return [line for line in text.split("\n") if line]


def succeeds(repo: Path, *args: str) -> bool:
    """Whether ``git -C repo args`` exits 0 (for questions git answers by exit code)."""
    proc = subprocess.run(_argv(repo, args), capture_output=True, env=_env(), check=False)
    if _interrupted(proc.returncode):
        raise KeyboardInterrupt
    return proc.returncode == 0


def read_blobs(repo: Path, specs: Sequence[str], limit: int = 1 << 16) -> dict[str, bytes]:
    """The first ``limit`` bytes of each ``rev:path`` blob, from one ``cat-file --batch``
    process; a spec that names no blob (or holds a newline, which the batch cannot
    take) is left out. Read as it streams: a huge blob costs ``limit`` bytes of memory."""
    asked = [spec for spec in specs if "\n" not in spec]
    if not asked:
        return {}
    stdin = "\n".join(asked).encode() + b"\n"
    return dict(_blob_prefixes(stream(repo, ["cat-file", "--batch"], stdin=stdin), asked, limit))


def _blob_prefixes(
    chunks: Iterable[bytes], specs: Sequence[str], limit: int
) -> Iterator[tuple[str, bytes]]:
    """(spec, first ``limit`` bytes) of each blob in ``cat-file --batch`` output."""
    order = iter(specs)
    pending = b""
    left = 0  # bytes of the current object (and its newline) still to come
    want = 0  # bytes of it still to keep
    spec: str | None = None  # the blob being read, None for anything else
    kept: list[bytes] = []
    for chunk in chunks:
        pending += chunk
        while pending:
            if left:
                part, pending = pending[:left], pending[left:]
                left -= len(part)
                kept.append(part[:want])
                want -= len(kept[-1])
                if left:
                    break
                if spec is not None:
                    yield spec, b"".join(kept)
                spec, kept = None, []
                continue
            end = pending.find(b"\n")
            if end < 0:
                break
            header, pending = pending[:end].split(), pending[end + 1 :]
            name = next(order, None)
            if len(header) == 3 and header[2].isdigit():
                left = int(header[2]) + 1
                spec = name if header[1] == b"blob" else None
                want = min(limit, left - 1) if spec is not None else 0


@functools.cache
def version_text() -> str:
    """What ``git --version`` prints."""
    return subprocess.run(
        _argv(None, ["--version"]), capture_output=True, text=True, check=False, env=_env()
    ).stdout.strip()


def version() -> tuple[int, int]:
    """git's (major, minor) version."""
    m = re.search(r"(\d+)\.(\d+)", version_text())
    return (int(m[1]), int(m[2])) if m else (0, 0)


MAILMAP_READ = 4 << 20  # bytes of a mailmap read for a digest; a larger one is known by size


def mailmap_digest(repo: Repo) -> str:
    """The digest of the clone's ``.mailmap`` for a cache key; '' when there is none.
    As git does, a ``.mailmap`` that is a link counts as absent."""
    return file_digest(repo.root / ".mailmap", follow=False)


def file_digest(path: Path, follow: bool = True) -> str:
    """A cache key's digest of a file git reads: '' when it is missing, unreadable or
    no regular file (a FIFO would hang the read, ``/proc/self/mem`` fail it); one over
    ``MAILMAP_READ`` bytes is known by its size and modification time."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError:
        return ""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return ""
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > MAILMAP_READ:
            return f"size:{info.st_size}:mtime:{info.st_mtime_ns}"
        try:
            data = handle.read(MAILMAP_READ + 1)
        except OSError:
            return ""
    return hashlib.sha256(data).hexdigest()
