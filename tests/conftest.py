"""Shared fixtures: real Git repositories with fixed dates, and an isolated home."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import responses

from miner.cli import main

DEFAULT_AUTHOR = ("Ada Lovelace", "ada@example.com")


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test reads the user's git config, notes or cache."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    for var in ("GH_TOKEN", "GITHUB_TOKEN", "GITHUB_API_URL", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(var, raising=False)
    # Never the user's `gh` login: a token comes only from what a test sets.
    real_which = shutil.which
    monkeypatch.setattr(
        "miner.ghclient.shutil.which", lambda name: None if name == "gh" else real_which(name)
    )
    return home


@pytest.fixture(autouse=True)
def no_network() -> Iterator[responses.RequestsMock]:
    """Any HTTP request a test did not register fails instead of leaving the machine."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


class Repo:
    """A Git repository built commit by commit, every date fixed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", DEFAULT_AUTHOR[0])
        self.git("config", "user.email", DEFAULT_AUTHOR[1])
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
        result = subprocess.run(
            ["git", "-C", str(self.path), *args],
            capture_output=True,
            text=True,
            input=stdin,
            env={**os.environ, **(env or {})},
            check=True,
        )
        return result.stdout

    def write(self, files: dict[str, str | bytes | None]) -> None:
        for name, content in files.items():
            target = self.path / name
            if content is None:
                self.git("rm", "-q", name)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content)
            self.git("add", name)

    def commit(
        self,
        message: str,
        files: dict[str, str | bytes | None] | None = None,
        *,
        date: str = "2024-04-03T10:00:00+00:00",
        committer_date: str | None = None,
        author: tuple[str, str] = DEFAULT_AUTHOR,
    ) -> str:
        self.write(files or {})
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": "Committer",
            "GIT_COMMITTER_EMAIL": "committer@example.com",
            "GIT_COMMITTER_DATE": committer_date or date,
        }
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()

    def tag(self, name: str, message: str | None, *, date: str, tagger: tuple[str, str]) -> None:
        env = {
            "GIT_COMMITTER_NAME": tagger[0],
            "GIT_COMMITTER_EMAIL": tagger[1],
            "GIT_COMMITTER_DATE": date,
        }
        if message is None:
            self.git("tag", name, env=env)
        else:
            self.git("tag", "-a", name, "-m", message, env=env)

    def numstat(self, sha: str) -> tuple[int, int, int]:
        """(added, deleted, files) as plain `git show --numstat` counts them."""
        out = self.git("show", "--format=", "--numstat", sha)
        rows = [line.split("\t") for line in out.splitlines() if line]
        added = sum(int(r[0]) for r in rows if r[0] != "-")
        deleted = sum(int(r[1]) for r in rows if r[1] != "-")
        return added, deleted, len(rows)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


@pytest.fixture
def make_repo(tmp_path: Path) -> Iterator[type[Repo]]:
    yield Repo


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def miner(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the real `miner` entry point in-process: exit code, stdout, stderr."""

    def run(*args: str, cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        monkeypatch.setattr(sys, "argv", ["miner", *args])
        capsys.readouterr()
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def fast_import(path: Path, commits: int, authors: int = 5) -> Repo:
    """A repository of ``commits`` commits, written in one `git fast-import` stream.

    Dates start at 2024-01-01 and step by one hour; every commit edits two files.
    """
    repo = Repo(path)
    lines: list[str] = []
    start = 1704067200  # 2024-01-01T00:00:00Z
    for n in range(commits):
        who = n % authors
        message = f"Change {n}\n"
        body = "".join(f"line {n} {i}\n" for i in range(n % 7 + 1))
        lines += [
            "commit refs/heads/main",
            f"author Dev {who} <dev{who}@example.com> {start + 3600 * n} +0000",
            f"committer Dev {who} <dev{who}@example.com> {start + 3600 * n} +0000",
            f"data {len(message.encode())}",
            message.rstrip("\n"),
            f"M 100644 inline src/module_{n % 13}.py",
            f"data {len(body.encode())}",
            body.rstrip("\n"),
            f"M 100644 inline tests/test_{n % 5}.py",
            f"data {len(body.encode())}",
            body.rstrip("\n"),
            "",
        ]
    repo.git("fast-import", "--quiet", stdin="\n".join(lines) + "\n")
    repo.git("reset", "-q", "--hard", "main")
    return repo
