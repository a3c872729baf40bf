"""The evidence store: incremental re-runs, rewrites, interruptions, refusals."""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from miner import api
from miner.errors import StoreError
from miner.periods import parse_period
from miner.store import SCHEMA_VERSION, Store
from tests.conftest import Repo, fast_import

MINER = [sys.executable, "-m", "miner"]


def report(miner, repo: Path, store: Path, *extra: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    result = miner(
        "report", str(repo), "--period", "2024", "--format", "json", "--store", str(store), *extra
    )
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    del doc["generated_at"]
    return doc  # type: ignore[no-any-return]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_rerun_reads_only_new_commits_and_equals_a_cold_run(
    repo: Repo, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store.sqlite3"
    repo.commit("Add tests", {"tests/test_a.py": "x\n"}, date="2024-02-01T00:00:00+00:00")
    first = report(miner, repo.path, store)
    assert len(first["evidence"]) == 1
    repo.commit("More tests", {"tests/test_b.py": "y\n"}, date="2024-03-01T00:00:00+00:00")
    repo.commit("Someone else", {"c.py": "z\n"}, author=("Bob", "bob@example.com"))
    warm = report(miner, repo.path, store)
    cold = report(miner, repo.path, tmp_path / "fresh.sqlite3")
    assert warm == cold
    assert [e["title"] for e in warm["evidence"]] == ["Add tests", "More tests"]
    with sqlite3.connect(store) as db:
        [(count,)] = db.execute("SELECT COUNT(*) FROM commits")
    assert count == 2  # the other author's commit was never diffed or stored


def test_a_rewritten_history_drops_the_unreachable_commits(
    repo: Repo, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store.sqlite3"
    repo.commit("Keep", {"a.py": "1\n"}, date="2024-02-01T00:00:00+00:00")
    repo.commit("Will be rewritten", {"b.py": "2\n"}, date="2024-03-01T00:00:00+00:00")
    assert len(report(miner, repo.path, store)["evidence"]) == 2
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.commit("Rewritten", {"b.py": "3\n"}, date="2024-03-02T00:00:00+00:00")
    warm = report(miner, repo.path, store)
    assert [e["title"] for e in warm["evidence"]] == ["Keep", "Rewritten"]
    assert warm == report(miner, repo.path, tmp_path / "fresh.sqlite3")


def replace(
    repo: Repo, original: str, title: str, files: dict[str, str | bytes | None], **kw: object
) -> None:
    """``git replace`` ``original`` with a new commit on the same parent."""
    repo.git("checkout", "-q", "--detach", f"{original}~1")
    stand_in = repo.commit(title, files, date="2024-03-01T00:00:00+00:00", **kw)  # type: ignore[arg-type]
    repo.git("checkout", "-q", "-")
    repo.git("replace", original, stand_in)


@pytest.mark.parametrize("collect_first", [False, True])
def test_git_replace_is_followed_and_never_served_stale_from_the_store(
    repo: Repo, miner, tmp_path: Path, collect_first: bool
) -> None:  # type: ignore[no-untyped-def]
    """With ``git replace``, plain ``git log`` shows a replacement under the original
    SHA, its content and its author; the report must too, and must show the originals
    again once the replacements are removed."""
    store = tmp_path / "store.sqlite3"
    repo.commit("Keep", {"a.py": "1\n"}, date="2024-02-01T00:00:00+00:00")
    edited = repo.commit("Original", {"b.py": "2\n"}, date="2024-03-01T00:00:00+00:00")
    moved = repo.commit("Mine, then Bob's", {"d.py": "5\n"}, date="2024-03-02T00:00:00+00:00")

    first = report(miner, repo.path, store)
    assert len(first["evidence"]) == 3  # stored before any replace
    replace(repo, edited, "Replacement", {"b.py": "2\n", "c.py": "3\n"})
    replace(repo, moved, "Bob's", {"d.py": "5\n"}, author=("Bob", "bob@example.com"))
    if collect_first:
        assert miner("collect", str(repo.path), "--all-authors", "--store", str(store)).code == 0
    replaced = report(miner, repo.path, store)
    shown = {e["id"]: (e["title"], e["stats"]["files"]) for e in replaced["evidence"]}
    assert shown[f"git:{edited}"] == ("Replacement", 2)  # as `git log` shows it
    assert f"git:{moved}" not in shown  # Bob's, as `git log --author` sees it
    for sha in (edited, moved):
        repo.git("replace", "-d", sha)
    restored = report(miner, repo.path, store)
    assert restored == first
    assert restored == report(miner, repo.path, tmp_path / "fresh.sqlite3")


def test_a_collection_stores_commits_as_recorded_not_as_replaced(
    repo: Repo, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store.sqlite3"
    repo.commit("Keep", {"a.py": "1\n"}, date="2023-03-01T00:00:00+00:00")
    original = repo.commit("Original", {"b.py": "2\n"}, date="2024-03-01T00:00:00+00:00")
    replace(repo, original, "Stand-in", {"c.py": "3\n", "d.py": "4\n"})
    assert miner("collect", str(repo.path), "--all-authors", "--store", str(store)).code == 0
    repo.git("replace", "-d", original)
    shown = report(miner, repo.path, store)["evidence"]
    assert [(e["title"], e["stats"]["files"]) for e in shown] == [("Original", 1)]


def test_a_mailmap_change_is_seen_on_the_next_run(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store.sqlite3"
    repo.commit("Mine", {"a.py": "1\n"}, date="2024-02-01T00:00:00+00:00")
    repo.commit("Old address", {"b.py": "1\n"}, author=("Ada", "ada@old.example"))
    assert len(report(miner, repo.path, store)["evidence"]) == 1
    (repo.path / ".mailmap").write_text("Ada Lovelace <ada@example.com> <ada@old.example>\n")
    assert len(report(miner, repo.path, store)["evidence"]) == 2


def test_collect_all_authors_is_incremental(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = fast_import(tmp_path / "big", 300)
    store = tmp_path / "store.sqlite3"
    first = miner("collect", str(repo.path), "--all-authors", "--store", str(store))
    assert first.code == 0, first.err
    assert first.out.endswith(": 300 new commits stored\n")
    again = miner("collect", str(repo.path), "--all-authors", "--store", str(store))
    assert again.out.endswith(": up to date\n")
    repo.commit("One more", {"n.py": "x\n"}, date="2025-01-01T00:00:00+00:00")
    more = miner("collect", str(repo.path), "--all-authors", "--store", str(store))
    assert more.out.endswith(": 1 new commits stored\n")


@pytest.mark.parametrize("cores", [1, 3])
def test_collect_all_authors_stores_the_same_rows_on_any_number_of_cores(
    miner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:  # type: ignore[no-untyped-def]
    """Split over processes or not, every non-merge commit is stored once, as one
    plain ``git log --numstat`` pass reads it."""
    repo = fast_import(tmp_path / "big", 301)
    repo.git("checkout", "-q", "-b", "side", "HEAD~5")
    repo.commit("On the side", {"side.py": "x\n"}, date="2025-01-02T00:00:00+00:00")
    repo.git("checkout", "-q", "-")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge side", "side")
    monkeypatch.setattr("miner.gitcmd.usable_cores", lambda: cores)
    store = tmp_path / f"store-{cores}.sqlite3"
    result = miner("collect", str(repo.path), "--all-authors", "--store", str(store))
    assert result.code == 0, result.err
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT sha, numstat FROM commits ORDER BY sha").fetchall()
    from miner.collectors.gitlog import log_rows

    one_pass = sorted((r.sha, r.numstat) for r in log_rows(repo.path, ["HEAD"]))
    assert rows == one_pass and len(rows) == 302  # the merge left out


def test_collect_all_authors_refuses_an_author_or_period(miner, repo: Repo) -> None:  # type: ignore[no-untyped-def]
    repo.commit("x", {"a.py": "1\n"})
    result = miner("collect", str(repo.path), "--all-authors", "--period", "2024Q1")
    assert result.code == 2 and "--all-authors collects every author" in result.err


def collect_process(repo: Path, store: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*MINER, "collect", str(repo), "--all-authors", "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stored(store: Path) -> int:
    try:
        with sqlite3.connect(store) as db:
            return int(db.execute("SELECT COUNT(*) FROM commits").fetchone()[0])
    except sqlite3.OperationalError:  # killed before the schema was written
        return 0


def test_a_killed_collection_leaves_a_store_that_gives_the_same_report(
    tmp_path: Path, miner
) -> None:  # type: ignore[no-untyped-def]
    repo = fast_import(tmp_path / "big", 12000, authors=2)
    started = time.monotonic()
    assert collect_process(repo.path, tmp_path / "whole.sqlite3").wait() == 0
    whole = time.monotonic() - started
    reference = report(miner, repo.path, tmp_path / "whole.sqlite3", "--author", "dev0@example.com")
    partial = []
    for fraction in (0.2, 0.4, 0.6, 0.8):
        store = tmp_path / f"killed-{fraction}.sqlite3"
        process = collect_process(repo.path, store)
        time.sleep(whole * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
        partial.append(stored(store) < 12000)
        assert report(miner, repo.path, store, "--author", "dev0@example.com") == reference
        rerun = miner("collect", str(repo.path), "--all-authors", "--store", str(store))
        assert rerun.code == 0, rerun.err
        assert stored(store) == 12000
    assert any(partial), "no kill landed in the middle of a collection"


def test_two_processes_creating_one_store_at_once(tmp_path: Path, miner) -> None:  # type: ignore[no-untyped-def]
    repo = fast_import(tmp_path / "big", 500)
    store = tmp_path / "shared.sqlite3"
    processes = [
        subprocess.Popen(
            [*MINER, "collect", str(repo.path), "--all-authors", "--store", str(store)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(*p.communicate(timeout=120), p.returncode) for p in processes]
    for _out, err, code in outcomes:
        assert code == 0, err
        assert "Traceback" not in err
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        [(count,)] = db.execute("SELECT COUNT(*) FROM commits")
    assert count == 500


def test_a_file_that_is_not_sqlite_is_refused_and_left_unchanged(
    repo: Repo, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    repo.commit("x", {"a.py": "1\n"})
    store = tmp_path / "notes.txt"
    store.write_text("my precious notes\n" * 100)
    before = digest(store)
    result = miner("report", str(repo.path), "--period", "2024", "--store", str(store))
    assert result.code == 1
    assert result.err == (
        f"miner: error: store {store} is not a SQLite file; "
        "pass --store with another path, or delete the file to start afresh\n"
    )
    assert digest(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "repo"]


def test_a_store_from_a_newer_miner_is_refused_and_left_unchanged(
    repo: Repo, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    repo.commit("x", {"a.py": "1\n"})
    store = tmp_path / "newer.sqlite3"
    with sqlite3.connect(store) as db:
        db.execute("CREATE TABLE future (x)")
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    before = digest(store)
    result = miner("report", str(repo.path), "--period", "2024", "--store", str(store))
    assert result.code == 1
    assert "was written by a newer miner" in result.err
    assert len(result.err.splitlines()) == 1
    assert digest(store) == before
    assert not Path(f"{store}-wal").exists()


def test_a_damaged_sqlite_file_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "damaged.sqlite3"
    store.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = digest(store)
    with pytest.raises(StoreError, match="cannot be used"):
        Store(store)
    assert digest(store) == before


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        Store(tmp_path)


def test_a_new_store_has_the_current_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        assert store.db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert store.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_store_of_the_first_schema_is_migrated_forward_keeping_its_rows(tmp_path: Path) -> None:
    from miner.store import MIGRATIONS

    path = tmp_path / "v1.sqlite3"
    with sqlite3.connect(path) as db:
        for statement in MIGRATIONS[0].split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT INTO heads VALUES ('repo', 'HEAD', 'abc')")
        db.execute("PRAGMA user_version=1")
    db.close()
    with Store(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert store.db.execute("SELECT COUNT(*) FROM http_cache").fetchone() == (0,)
        # Schema 5 drops what was read before git's settings were pinned.
        assert store.head("repo", "HEAD") is None


def test_a_schema_4_store_keeps_its_github_responses_and_drops_git_rows(tmp_path: Path) -> None:
    from miner.store import MIGRATIONS

    path = tmp_path / "v4.sqlite3"
    with sqlite3.connect(path) as db:
        for step in range(4):
            db.executescript(MIGRATIONS[step])
        db.execute("INSERT INTO heads VALUES ('repo', 'HEAD', 'abc')")
        db.execute("INSERT INTO http_cache VALUES ('https://x/y', 'W/1', 'body')")
        db.execute("INSERT INTO mappings VALUES ('pack', 'item', 'areas')")
        db.execute("PRAGMA user_version=4")
    db.close()
    with Store(path) as store:
        assert store.head("repo", "HEAD") is None
        assert store.db.execute("SELECT COUNT(*) FROM mappings").fetchone() == (0,)
        assert store.db.execute("SELECT COUNT(*) FROM http_cache").fetchone() == (1,)


def test_a_schema_6_store_drops_its_commits_keeping_its_mappings(tmp_path: Path) -> None:
    """Schema 6 rows may hold co-authors a ``trailer.*`` alias forged or hid."""
    from miner.store import MIGRATIONS

    path = tmp_path / "v6.sqlite3"
    with sqlite3.connect(path) as db:
        for step in range(6):
            db.executescript(MIGRATIONS[step])
        db.execute("INSERT INTO heads VALUES ('repo', 'HEAD', 'abc')")
        db.execute("INSERT INTO commits VALUES ('abc', 'B', 'b@x', 1, 's', '', 'A <a@x>', x'')")
        db.execute("INSERT INTO selections VALUES ('repo', 'key', 'abc', '')")
        db.execute("INSERT INTO mappings VALUES ('pack', 'item', 'areas')")
        db.execute("PRAGMA user_version=6")
    db.close()
    with Store(path) as store:
        assert store.head("repo", "HEAD") is None
        for table, count in (("commits", 0), ("selections", 0), ("mappings", 1)):
            assert store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (count,)


def test_a_report_after_a_full_collection_reads_no_diffs_and_equals_a_cold_one(
    repo: Repo, miner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from miner.collectors import gitlog

    design = "# Queue redesign\n\n" + "".join(f"Point {i}.\n" for i in range(30))
    repo.commit(
        "Design the queue", {"docs/design/queue.md": design}, date="2024-02-01T00:00:00+00:00"
    )
    repo.commit(
        "Pair on it",
        {"q.py": "x\n"},
        author=("Bob", "bob@example.com"),
        date="2024-02-02T00:00:00+00:00",
    )
    repo.git("commit", "-q", "--amend", "-m", "Pair on it\n\nCo-authored-by: Ada <ada@example.com>")
    cold = report(miner, repo.path, tmp_path / "cold.sqlite3")
    store = tmp_path / "store.sqlite3"
    assert miner("collect", str(repo.path), "--all-authors", "--store", str(store)).code == 0

    def no_diffing_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("the history is stored: no walk should diff")

    monkeypatch.setattr("miner.collectors.git.authored_rows", no_diffing_walk)
    monkeypatch.setattr(gitlog, "authored_rows", no_diffing_walk)
    assert report(miner, repo.path, store) == cold
    assert {e["role"] for e in cold["evidence"]} == {"author", "co-author"}


def test_design_doc_titles_are_stored_and_reused(
    repo: Repo, miner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store.sqlite3"
    design = "# Queue redesign\n\n" + "".join(f"Point {i}.\n" for i in range(30))
    repo.commit(
        "Design the queue", {"docs/design/queue.md": design}, date="2024-02-01T00:00:00+00:00"
    )
    first = report(miner, repo.path, store)
    assert "Queue redesign" in [e["title"] for e in first["evidence"]]

    def no_reading(repo: Path, specs: list[str], limit: int = 0) -> dict[str, bytes]:
        assert specs == [], specs
        return {}

    monkeypatch.setattr("miner.gitcmd.read_blobs", no_reading)
    assert report(miner, repo.path, store) == first


def cover_the_parser(repo: Repo) -> None:
    """One commit that adds tests: it counts for engineering (``tests-added``)."""
    tests = "".join(f"def test_{i}():\n    assert {i}\n" for i in range(5))
    repo.commit(
        "Cover the parser", {"tests/test_parser.py": tests}, date="2024-02-01T00:00:00+00:00"
    )


def parser_report_config(repo: Repo, tmp_path: Path) -> api.Config:
    """``cover_the_parser``, and the config of a report of its quarter with a store."""
    cover_the_parser(repo)
    return api.Config(
        period=parse_period("2024Q1"), paths=(repo.path,), authors=("ada@example.com",),
        github=False, store=tmp_path / "store.sqlite3",
    )  # fmt: skip


def test_stored_mappings_follow_the_rule_pack(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store.sqlite3"
    cover_the_parser(repo)
    first = report(miner, repo.path, store)
    assert {
        "area": "engineering",
        "rule": "tests-added",
        "reason": "adds or changes tests",
    } in first["evidence"][0]["areas"]
    assert report(miner, repo.path, store) == first  # warm: from the stored mappings
    ours = tmp_path / "ours.yaml"
    ours.write_text(
        "name: ours\nextends: senior-sde\nrules:\n  - id: tests-added\n    area: engineering\n"
        "    reason: our wording\n    when: {paths_any: ['tests/**']}\n    examples:\n"
        "      match: [{paths: [tests/a.py]}]\n      no_match: [{paths: [src/a.py]}]\n"
    )
    changed = report(miner, repo.path, store, "--rules", str(ours))
    reasons = {m["reason"] for m in changed["evidence"][0]["areas"] if m["rule"] == "tests-added"}
    assert reasons == {"our wording"}
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(DISTINCT pack) FROM mappings").fetchone() == (2,)


def test_another_applications_sqlite_file_is_refused_unchanged(
    repo: Repo, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    repo.commit("x", {"a.py": "1\n"})
    store = tmp_path / "foreign.db"
    with sqlite3.connect(store) as db:
        db.execute("CREATE TABLE notes (x)")
    db.close()
    before = digest(store)
    result = miner("report", str(repo.path), "--period", "2024", "--store", str(store))
    assert result.code == 1
    assert "is another application's SQLite database" in result.err
    assert digest(store) == before


def test_a_warm_report_evaluates_no_rule_for_a_stored_commit(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = parser_report_config(repo, tmp_path)
    first = api.build_report(config)

    def no_rules(*_: object) -> None:
        raise AssertionError("a stored commit was mapped again")

    monkeypatch.setattr(sys.modules["miner.engine.evaluate"], "map_item", no_rules)
    again = api.build_report(config)
    assert [m.mappings for m in again.evidence] == [m.mappings for m in first.evidence]


@pytest.mark.parametrize(
    "damaged", ["not json", '{"m": 5}', "[[1]]", "no-such-rule;1;2", ";x;2", "a;b;c;d", ";1;"]
)
def test_a_damaged_stored_mapping_is_worked_out_again(
    repo: Repo, tmp_path: Path, damaged: str
) -> None:
    config = parser_report_config(repo, tmp_path)
    first = api.build_report(config)
    with sqlite3.connect(tmp_path / "store.sqlite3") as db:
        db.execute("UPDATE mappings SET areas = ?", (damaged,))
    again = api.build_report(config)
    assert [m.mappings for m in again.evidence] == [m.mappings for m in first.evidence]
