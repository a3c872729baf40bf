"""Odd stores, repositories, periods and sizes: each a clear line or a clean result."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from miner import gitcmd
from miner.errors import StoreError
from miner.store import CommitRow, Store
from tests.conftest import Repo
from tests.test_git_collector import collect

ADA = ("Ada Lovelace", "ada@example.com")
BOB = ("Bob Builder", "bob@example.com")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report(miner, path: Path, *args: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = miner("report", str(path), "--format", "json", *args)
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    data.pop("generated_at", None)
    return data


# --- Item 5: another program's SQLite file is left as it was -------------------------


@pytest.mark.parametrize(
    ("version", "tables"),
    [
        (2, ["CREATE TABLE notes (x)"]),
        (4, ["CREATE TABLE commits (sha)", "CREATE TABLE accounts (id)"]),
        (1, []),
        (3, ["CREATE TABLE commits (x)", "CREATE TABLE selections (x)", "CREATE TABLE heads (x)"]),
    ],
)
def test_a_foreign_sqlite_file_with_a_user_version_is_refused_byte_for_byte(
    repo: Repo, miner, tmp_path: Path, version: int, tables: list[str]
) -> None:  # type: ignore[no-untyped-def]
    repo.commit("x", {"a.py": "1\n"})
    store = tmp_path / "foreign.db"
    db = sqlite3.connect(store)
    for table in tables:
        db.execute(table)
    db.execute(f"PRAGMA user_version={version}")
    db.commit()
    db.close()
    before = digest(store)
    for args in (["report", str(repo.path), "--period", "2024"], ["collect", "--all-authors"]):
        result = miner(*args, "--store", str(store), cwd=repo.path)
        assert result.code == 1
        assert "is another application's SQLite database" in result.err
        assert digest(store) == before
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("foreign")) == [
            "foreign.db"
        ]


# --- Item 10: cached answers are keyed by the miner that worked them out --------------


def test_an_upgrade_never_serves_a_mapping_a_title_or_a_selection_of_the_old_version(
    repo: Repo, miner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    design = "# Queue redesign\n\n" + "".join(f"Point {i}.\n" for i in range(30))
    repo.commit("Add tests for the queue", {"tests/test_queue.py": "t\n" * 25})
    repo.commit("Design the queue", {"docs/design/queue.md": design})
    store = tmp_path / "s.db"
    args = ("--period", "2024Q2", "--store", str(store))
    first = report(miner, repo.path, *args)
    # What an older miner with a bug would have left behind.
    with sqlite3.connect(store) as db:
        db.execute("UPDATE mappings SET areas = '[]'")
        db.execute("UPDATE titles SET title = 'Stale title'")
        db.execute("UPDATE selections SET rows = ''")
    db.close()
    stale = report(miner, repo.path, *args)
    assert stale != first  # the same version serves what it stored: the cache is in use
    monkeypatch.setattr("miner.store.__version__", "99.0.0")
    assert report(miner, repo.path, *args) == first


# --- Item 9: a store that cannot be written is not called damaged ---------------------


def test_a_store_on_a_full_disk_says_so(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count={pages + 1}")
        rows = [
            CommitRow(f"{i:040x}", "n", "e", 1, "s" * 500, "b" * 500, "", b"") for i in range(500)
        ]
        with pytest.raises(StoreError) as caught:
            store.add_commits(rows)
    assert "the disk is full" in caught.value.line()
    assert "delete" not in caught.value.line()


def test_a_read_only_store_says_so(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        db.execute("CREATE TABLE x (y)")
    db.close()
    from miner.store import store_error

    line = store_error(path, caught.value).line()
    assert "read-only" in line and "delete" not in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through any file mode")
def test_a_read_only_store_file_gives_a_true_message(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo.commit("x", {"a.py": "1\n"})
    store = tmp_path / "s.db"
    Store(store).close()
    store.chmod(stat.S_IRUSR)
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = miner("report", str(repo.path), "--period", "2024", "--store", str(store))
    finally:
        tmp_path.chmod(stat.S_IRWXU)
    assert result.code == 1
    assert "read-only" in result.err and "delete" not in result.err


# --- Item 9: bare and refused repositories ---------------------------------------------


def test_a_bare_repository_is_called_bare(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo.commit("x", {"a.py": "1\n"})
    bare = tmp_path / "bare.git"
    repo.git("clone", "-q", "--bare", str(repo.path), str(bare))
    result = miner("report", str(bare), "--period", "2024")
    assert result.code == 1
    assert f"{bare} is a bare repository" in result.err
    assert "not a Git repository" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_repository_git_refuses_to_read_names_safe_directory(
    repo: Repo, miner, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    repo.commit("x", {"a.py": "1\n"})
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")  # git's own test switch
    result = miner("report", str(repo.path), "--period", "2024")
    assert result.code == 1
    assert "belongs to another user (safe.directory)" in result.err
    assert "git config --global --add safe.directory" in result.err


# --- Item 9: periods before 1973-03 ------------------------------------------------------


def test_a_period_before_1973_finds_its_commits(repo: Repo) -> None:
    early = repo.commit("Early work", {"a.py": "1\n"}, date="1972-12-15T10:00:00+00:00")
    first = repo.commit("First of all", {"b.py": "1\n"}, date="1970-01-01T10:00:00+00:00")
    items, _, _ = collect(repo.path, period="1972Q4")
    assert [e.id for e in items] == [f"git:{early}"]
    items, _, _ = collect(repo.path, period="1970")
    assert [e.id for e in items] == [f"git:{first}"]


def test_ownership_in_a_period_before_1973_is_found(repo: Repo) -> None:
    # git reads `--since=@N` with N under 9 digits as "now": the walk found nothing
    for i, day in enumerate(["04-01", "04-10", "05-01", "05-20", "06-01"]):
        repo.commit(f"pager {i}", {"src/pager.py": f"v{i}\n"}, date=f"1972-{day}T00:00:00+00:00")
    items, _, _ = collect(repo.path, period="1972Q2")
    owned = [e.title for e in items if e.kind == "component"]
    assert owned == ["Main author of src/pager.py: 4 of its 4 latest commits"]


def _printed(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """What each ``gitcmd.stream`` call prints from now on, one entry per call."""
    printed: list[bytes] = []
    stream = gitcmd.stream

    def kept(root: Path, args: list[str], **kw: Any) -> Any:
        printed.append(b"")
        at = len(printed) - 1
        for chunk in stream(root, args, **kw):
            printed[at] += chunk
            yield chunk

    monkeypatch.setattr(gitcmd, "stream", kept)
    return printed


def test_the_merges_walk_before_1973_stops_at_its_bound(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # git reads `--until=@N` with N under 9 digits as "now": the walk read all history
    from miner.collectors.landed import Landed
    from tests.test_git_collector import commit_as, history_of

    repo.commit("start", {"a.txt": "1\n"}, date="1972-04-01T00:00:00+00:00")
    repo.write({"b.txt": "1\n"})
    landed = commit_as(repo, "Fix it", BOB, ADA, "1972-04-02T00:00:00+00:00")
    repo.commit("much later", {"a.txt": "2\n"}, date="2024-04-01T00:00:00+00:00")
    printed = _printed(monkeypatch)
    walk = Landed(history_of(repo.path, period="1972Q2"))  # co_since None: bounded
    assert [row[:2] for row in walk.walk()] == [(landed, "landed")]
    assert b"Fix it" in printed[0] and b"much later" not in printed[0]


# --- Item 9: Ctrl-C ------------------------------------------------------------------------


def test_ctrl_c_that_reaches_git_exits_130(
    repo: Repo, miner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    repo.commit("x", {"a.py": "1\n"})
    real = gitcmd.git_path()
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    # Ctrl-C goes to the whole process group: git dies of it while miner reads.
    wrapper.write_text(
        f'#!/bin/sh\nfor a in "$@"; do [ "$a" = log ] && kill -INT $$; done\nexec {real} "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    result = miner("report", str(repo.path), "--period", "2024", "--store", str(tmp_path / "s"))
    assert result.code == 130
    assert result.err.strip() == "miner: error: interrupted"


# --- Item 9: huge documents and subjects ---------------------------------------------------


def test_a_huge_design_doc_is_not_read_whole_for_its_title(repo: Repo) -> None:
    huge = "# Storage redesign\n\n" + "".join(f"Line {i} of the design.\n" for i in range(150_000))
    repo.commit("Design storage", {"docs/design/storage.md": huge})
    head = repo.git("rev-parse", "HEAD").strip()
    spec = f"{head}:docs/design/storage.md"
    assert gitcmd.read_blobs(repo.path, [spec], 4096) == {spec: huge.encode()[:4096]}
    tracemalloc.start()
    try:
        _, _, docs = collect(repo.path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [d.title for d in docs] == ["Storage redesign"]
    assert len(huge) > 3_000_000
    assert peak < len(huge) // 2  # the document's bytes were never all held at once


def test_a_spec_with_a_newline_is_left_out_not_misread(repo: Repo) -> None:
    repo.commit("two docs", {"a.md": "# A\n", "b.md": "# B\n"})
    head = repo.git("rev-parse", "HEAD").strip()
    found = gitcmd.read_blobs(repo.path, [f"{head}:a.md\n{head}:b.md", f"{head}:b.md"])
    assert found == {f"{head}:b.md": b"# B\n"}


def test_a_huge_subject_is_cut_in_the_title_and_kept_in_the_message(
    repo: Repo, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    subject = "Refactor " + "everything " * 10_000
    sha = repo.commit(subject, {"a.py": "1\n"})
    items, _, _ = collect(repo.path)
    (item,) = items
    assert len(item.title) <= 1000 and item.title.endswith("…")
    assert item.message.startswith(subject.strip())
    result = miner(
        "report", str(repo.path), "--period", "2024Q2", "--format", "html",
        "--store", str(tmp_path / "s"),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert len(result.out) < 50_000
    assert sha
