"""Plain ``git`` subprocesses: the one place the code talks to git."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from miner.errors import GitError, RepositoryError, UsageError

# Fixed, locale-free output whatever the user's environment says.
_ENV_OVERRIDES = {"LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}


def _env() -> dict[str, str]:
    return {**os.environ, **_ENV_OVERRIDES}


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
        [git_path(), "-C", str(repo), *_raw(raw), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=_env(),
        check=False,
    )
    if check and proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()
        raise GitError(f"git {args[0]} failed: {detail[-1] if detail else proc.returncode}")
    return proc.stdout


def stream(
    repo: Path,
    args: Sequence[str],
    stdin: bytes | None = None,
    chunk: int = 1 << 16,
    raw: bool = False,
) -> Iterator[bytes]:
    """Yield ``git -C repo args`` stdout in chunks as it is produced.

    The caller parses one chunk while git computes the next, on the other core.
    ``stdin`` is fed from a thread, so a long input never blocks the output.
    """
    with subprocess.Popen(
        [git_path(), "-C", str(repo), *_raw(raw), *args],
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        _widen(proc.stdout.fileno())
        if stdin is not None:
            threading.Thread(target=_feed, args=(proc, stdin), daemon=True).start()
        try:
            while data := os.read(proc.stdout.fileno(), chunk):
                yield data
        except GeneratorExit:  # the reader has what it wants: stop git now, not at its end
            proc.kill()
            raise
        err = proc.stderr.read().decode("utf-8", "replace").strip()
        if proc.wait() != 0:
            lines = err.splitlines()
            raise GitError(f"git {args[0]} failed: {lines[-1] if lines else proc.returncode}")


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


def _raw(raw: bool) -> tuple[str, ...]:
    return ("--no-replace-objects",) if raw else ()


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
        raise RepositoryError(
            f"{path} is not a Git repository", "run miner inside a clone or give its path"
        )
    root = Path(found[0])
    shallow = len(found) > 1 and found[1] == "true"
    head = found[2] if len(found) > 2 and found[2] else None
    config = _config(root)
    remote = _remote_url(config)
    forge, slug, web = parse_remote(remote) if remote else (None, None, None)
    return Repo(root, head, shallow, slug or root.name, web, forge, config)


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


def lines(text: str) -> list[str]:
    """Non-empty output lines, split on newlines only: the fields hold control
    characters (\\x1d-\\x1f) that ``str.splitlines`` would also split on."""
    return [line for line in text.split("\n") if line]


def succeeds(repo: Path, *args: str) -> bool:
    """Whether ``git -C repo args`` exits 0 (for questions git answers by exit code)."""
    proc = subprocess.run(
        [git_path(), "-C", str(repo), *args], capture_output=True, env=_env(), check=False
    )
    return proc.returncode == 0


def read_blobs(repo: Path, specs: Sequence[str]) -> dict[str, bytes]:
    """The contents of ``rev:path`` objects in one ``cat-file --batch`` process;
    a spec that names no blob is left out."""
    if not specs:
        return {}
    data = b"".join(stream(repo, ["cat-file", "--batch"], stdin="\n".join(specs).encode() + b"\n"))
    found: dict[str, bytes] = {}
    at = 0
    for spec in specs:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found[spec] = data[at : at + size]
            at += size + 1
        elif len(header) == 3:  # a tree or commit: skip its body too
            at += int(header[2]) + 1
    return found


@functools.cache
def version_text() -> str:
    """What ``git --version`` prints."""
    return subprocess.run(
        [git_path(), "--version"], capture_output=True, text=True, check=False, env=_env()
    ).stdout.strip()


def version() -> tuple[int, int]:
    """git's (major, minor) version."""
    m = re.search(r"(\d+)\.(\d+)", version_text())
    return (int(m[1]), int(m[2])) if m else (0, 0)
