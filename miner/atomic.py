"""Writing the user's files: whole or not at all, and only what they named.

A report or a notes file is written to a temporary file beside its target, flushed
to disk, and renamed over it, so a crash or a full disk never leaves half a file.
What the user named is respected: a symlink is followed and its target replaced
(the link stays a link); an existing file keeps its mode (and, when we may, its
owner), a new one gets the umask's; a character device or a FIFO (``/dev/null``,
``/dev/stdout``, a named pipe) is written straight through, never replaced, which
matters as root; anything else (a folder, a socket, a block device) is refused.

A file miner edits in place (the notes, the case file) is read, changed and written
while ``locked`` holds a lock on a file beside it, so that runs at the same moment
each add to what the other wrote instead of replacing it.

POSIX only (Linux, macOS), as the tool is: ``fcntl``, ``O_NOFOLLOW`` and ``fchown``
are used as they are, with no fallback for a platform that lacks them.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class NotWritable(OSError):
    """The target is something miner will not write over; ``strerror`` says what."""


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as described in the module docstring.

    Raises ``OSError`` (the temporary file removed) when it cannot."""
    data = text.encode("utf-8")
    try:
        found = path.stat()
    except FileNotFoundError:
        found = None
    if found is None or stat.S_ISREG(found.st_mode):
        _replace(Path(os.path.realpath(path)), data, found)
    elif stat.S_ISCHR(found.st_mode) or stat.S_ISFIFO(found.st_mode):
        _write_through(path, data)
    else:
        raise NotWritable(errno.EINVAL, "it is not a regular file, a device or a FIFO", str(path))


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file, through links and relative paths."""
    try:
        return a.samefile(b)
    except OSError:  # one does not exist (yet): compare where they would be
        return os.path.realpath(a) == os.path.realpath(b)


def lock_path(path: Path) -> Path:
    """The lock file beside ``path`` (beside its target, when it is a link)."""
    real = Path(os.path.realpath(path))
    return real.with_name(f"{real.name}.lock")


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the lock of ``path``: one read-modify-write at a time, across processes.

    Raises ``OSError`` when the lock file cannot be opened."""
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _replace(target: Path, data: bytes, found: os.stat_result | None) -> None:
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    # 0o666: the kernel takes the umask off, as for any new file the user's shell makes.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            if found is not None:
                _keep_owner_and_mode(handle.fileno(), found)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _keep_owner_and_mode(fd: int, found: os.stat_result) -> None:
    with contextlib.suppress(OSError):  # only root (or a group member) may
        os.fchown(fd, found.st_uid, found.st_gid)
    os.fchmod(fd, stat.S_IMODE(found.st_mode))


def _write_through(path: Path, data: bytes) -> None:
    try:  # non-blocking open: a FIFO nobody reads is an error, not a hang
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise NotWritable(errno.ENXIO, "it is a FIFO that nobody reads", str(path)) from exc
        raise
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _sync_folder(folder: Path) -> None:
    """The rename itself reaches the disk only once the folder is synced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems cannot sync a folder
            os.fsync(fd)
    finally:
        os.close(fd)
