"""The user's files and the YAML they give: nothing overwritten that was not named,
nothing that hangs, nothing that eats the memory."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from miner import atomic, yamlsafe
from miner.collectors.notes import read_notes
from miner.engine import load_pack
from miner.errors import NotesError, RulePackError
from tests.conftest import Repo

REPORT = ("report", "--period", "2024Q2")


def seeded(repo: Repo) -> Repo:
    repo.commit("Add parser tests", {"tests/test_parser.py": "def test_x():\n    assert 1\n"})
    return repo


def run_miner(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real program in its own process: a hang fails the test instead of the suite."""
    return subprocess.run(
        [sys.executable, "-m", "miner", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


# -o: the user's files


def test_o_dash_is_standard_output(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    result = miner(*REPORT, str(repo.path), "-o", "-", cwd=tmp_path)
    assert result.code == 0, result.err
    assert result.out.startswith("#") and not (tmp_path / "-").exists()


def test_o_through_a_symlink_writes_its_target(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    target = tmp_path / "reports" / "q2.md"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "latest.md"
    link.symlink_to(target)
    dangling = tmp_path / "next.md"
    dangling.symlink_to(tmp_path / "reports" / "q3.md")
    assert miner(*REPORT, str(repo.path), "-o", str(link)).code == 0
    assert miner(*REPORT, str(repo.path), "-o", str(dangling)).code == 0
    assert link.is_symlink() and dangling.is_symlink()
    assert target.read_text().startswith("#")
    assert (tmp_path / "reports" / "q3.md").read_text().startswith("#")


def test_o_onto_a_fifo_writes_into_it_and_keeps_it(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as handle:
            got.append(handle.read())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        result = run_miner(*REPORT, str(repo.path), "-o", str(fifo), timeout=60)
    finally:
        if reader.is_alive():  # the program failed before opening it: let the reader go
            with fifo.open("wb"):
                pass
        reader.join(timeout=10)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got and got[0].startswith(b"#")


def test_o_onto_a_fifo_nobody_reads_is_an_error_not_a_hang(repo: Repo, tmp_path: Path) -> None:
    seeded(repo)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run_miner(*REPORT, str(repo.path), "-o", str(fifo), timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().endswith("it is a FIFO that nobody reads; give -o a file, or -"
                                          " for standard output")  # fmt: skip
    assert len(result.stderr.strip().splitlines()) == 1
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_o_onto_a_character_device_writes_into_it_and_keeps_it(tmp_path: Path) -> None:
    """As root, ``-o /dev/null`` once replaced the device with a regular file. A node of
    our own stands in for /dev/null so that a regression cannot break the machine."""
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    atomic.write_text(null, "# a report\n")
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert os.major(null.lstat().st_rdev) == 1 and os.minor(null.lstat().st_rdev) == 3


def test_o_dev_null_is_written_into_never_replaced(  # type: ignore[no-untyped-def]
    repo: Repo, miner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real /dev/null; what is checked is that nothing is renamed over it, as other
    programs on a shared machine may replace it while the test runs."""
    seeded(repo)
    if not stat.S_ISCHR(Path("/dev/null").lstat().st_mode):
        pytest.skip("this machine's /dev/null is not a device (something else replaced it)")
    renamed: list[str] = []
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        renamed.append(os.fspath(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "rename", replace)
    result = miner(*REPORT, str(repo.path), "-o", "/dev/null")
    assert result.code == 0, result.err
    assert "/dev/null" not in renamed


def test_o_onto_a_socket_is_refused(tmp_path: Path) -> None:
    import socket

    where = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(where))
        with pytest.raises(atomic.NotWritable, match="not a regular file, a device or a FIFO"):
            atomic.write_text(where, "x")
        assert stat.S_ISSOCK(where.lstat().st_mode)


@pytest.mark.parametrize("which", ["store", "store-wal", "notes", "notes-link", "notes-relative"])
def test_o_onto_the_store_or_the_notes_is_refused(  # type: ignore[no-untyped-def]
    repo: Repo, miner, tmp_path: Path, which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(repo)
    store, notes = tmp_path / "store.sqlite3", tmp_path / "notes.yaml"
    notes.write_text("notes:\n  - {date: 2024-05-02, area: career, text: Career talk}\n")
    common = (*REPORT, str(repo.path), "--store", str(store), "--notes", str(notes))
    assert miner(*common).code == 0
    before = store.read_bytes(), notes.read_text()
    link = tmp_path / "link.md"
    link.symlink_to(notes)
    monkeypatch.chdir(tmp_path)
    output = {
        "store": str(store),
        "store-wal": f"{store}-wal",
        "notes": str(notes),
        "notes-link": str(link),
        "notes-relative": "notes.yaml",
    }[which]
    result = miner(*common, "-o", output)
    assert result.code == 2
    what = "evidence store" if which.startswith("store") else "notes file"
    assert f"-o {output} is your {what}; write the report to another file" in result.err
    assert (store.read_bytes(), notes.read_text()) == before


def test_o_onto_the_default_notes_file_is_refused(repo: Repo, miner, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    from miner.collectors.notes import default_notes_path

    result = miner(*REPORT, str(repo.path), "-o", str(default_notes_path()))
    assert result.code == 2 and "is your notes file" in result.err
    assert not default_notes_path().exists()


def test_a_new_file_takes_the_umask_and_an_old_one_keeps_its_mode(
    tmp_path: Path, umask: None
) -> None:
    new = tmp_path / "new.md"
    atomic.write_text(new, "x")
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    os.umask(0o077)
    private = tmp_path / "private.md"
    atomic.write_text(private, "x")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    old = tmp_path / "old.md"
    old.write_text("before")
    old.chmod(0o664)
    atomic.write_text(old, "after")
    assert stat.S_IMODE(old.stat().st_mode) == 0o664 and old.read_text() == "after"


def test_the_file_is_synced_before_the_rename_and_the_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    atomic.write_text(tmp_path / "r.md", "x")
    assert events == ["fsync file", "rename", "fsync dir"]
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.md"
    target.write_text("old")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        atomic.write_text(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["r.md"]


# YAML bombs and endless files


LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{chr(c)}: &{chr(c)} [{','.join([f'*{chr(c - 1)}'] * 9)}]\n" for c in range(98, 106))
    + "notes: *i\n"
)


def test_a_billion_laughs_notes_file_is_refused_at_its_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text(LAUGHS)
    assert len(LAUGHS) < 500
    with pytest.raises(NotesError, match=r"notes.yaml:\d+: expands to more than 500,000 values"):
        read_notes(notes)


def test_a_billion_laughs_rule_pack_is_refused_at_its_line(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(LAUGHS.replace("notes: *i", "name: boom\nareas: *i"))
    with pytest.raises(RulePackError) as caught:
        load_pack(str(pack))
    [problem] = caught.value.problems
    assert problem.startswith(f"{pack}:") and "expands to more than" in problem


def test_merge_keys_count_as_the_aliases_they_repeat() -> None:
    text = "a: &a {x: 1, y: 2, z: 3}\n" + "".join(
        f"{chr(c)}: &{chr(c)} {{<<: [{', '.join([f'*{chr(c - 1)}'] * 9)}]}}\n"
        for c in range(98, 110)
    )
    with pytest.raises(yamlsafe.YamlProblem, match="expands to more than"):
        yamlsafe.load(text)


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    with pytest.raises(yamlsafe.YamlProblem, match="nested deeper than 64") as caught:
        yamlsafe.load("x: " + "[" * 500 + "]" * 500)
    assert caught.value.line == 1


def test_a_file_over_the_size_bound_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text("# " + "x" * yamlsafe.MAX_BYTES + "\nnotes:\n")
    with pytest.raises(NotesError, match="is larger than 2 MB"):
        read_notes(notes)


def test_a_huge_number_is_a_problem_not_a_crash() -> None:
    with pytest.raises(yamlsafe.YamlProblem, match="cannot be read"):
        yamlsafe.load("x: " + "9" * 5000)


def test_the_default_pack_is_well_inside_the_bounds() -> None:
    assert load_pack().rules


@pytest.mark.parametrize("option", ["--notes", "--rules", "extends"])
def test_a_fifo_or_dev_zero_is_an_error_not_a_hang(repo: Repo, tmp_path: Path, option: str) -> None:
    seeded(repo)
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    for given in (str(fifo), "/dev/zero"):
        args = [option, given]
        if option == "extends":
            pack = tmp_path / "pack.yaml"
            pack.write_text(f"name: p\nextends: {given}\n")
            args = ["--rules", str(pack)]
        result = run_miner(*REPORT, str(repo.path), *args, timeout=60)
        assert result.returncode == 1, result.stderr
        assert "is not a regular file" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_a_folder_as_notes_is_an_error(miner, repo: Repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    result = miner(*REPORT, str(repo.path), "--notes", str(tmp_path))
    assert result.code != 0 and "Traceback" not in result.err


def test_a_notes_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_bytes(b"notes:\n  - date: 2024-05-02\n    text: caf\xe9\n")
    with pytest.raises(NotesError, match=r"notes.yaml:3: is not UTF-8 text"):
        read_notes(notes)


# Patterns in a rule pack


def one_rule_pack(tmp_path: Path, condition: str) -> Path:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "name: ours\nextends: senior-sde\nrules:\n  - id: boom\n    area: delivery\n"
        f"    reason: why\n    when: {condition}\n    examples:\n"
        "      match: [{title: 'aaaa'}]\n      no_match: [{title: 'bbbb'}]\n"
    )
    return pack


def test_a_catastrophic_pattern_cannot_hang_a_report(repo: Repo, tmp_path: Path) -> None:
    repo.commit("a" * 32 + "!", {"a.txt": "a\n"})
    pack = one_rule_pack(tmp_path, "{title: '^(a+)+$'}")
    result = run_miner(*REPORT, str(repo.path), "--rules", str(pack), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "a" * 32 + "!" in result.stdout


@pytest.mark.parametrize(
    "pattern",
    [r"fix(?! typo)", r"(?<!user )interface", r"(a)\1", r"(?>a+)", r"a*+", r"end\Z", r"a{1001}"],
)
def test_a_pattern_re2_cannot_run_fails_the_pack_at_its_line(tmp_path: Path, pattern: str) -> None:
    pack = one_rule_pack(tmp_path, f"{{title: '{pattern}'}}")
    with pytest.raises(RulePackError) as caught:
        load_pack(str(pack))
    [problem] = caught.value.problems
    assert problem.startswith(f"{pack}:7: rule 'boom': 'title' is not a valid regular expression")


def test_patterns_still_ignore_case_and_match_at_each_line() -> None:
    from miner.patterns import compile_search

    found = compile_search(r"^co-authored-by:", ignore_case=True, multiline=True)
    assert found("Fix\n\nCo-Authored-By: x <x@y>")
    assert not found("Fix: see co-authored-by: x")
    assert compile_search("straße", ignore_case=True)("STRASSE") is False
    assert compile_search("élan", ignore_case=True)("ÉLAN")
    assert compile_search("x")("lone \udcff surrogate x")


@pytest.mark.parametrize("negated", [False, True])
def test_a_catastrophic_glob_cannot_hang_a_report(
    repo: Repo, tmp_path: Path, negated: bool
) -> None:
    name = "a/" + "b/a" * 12 + ("a" * 30)
    repo.commit("Add a deep file", {name: "a\n"})
    glob = "*" * 40 + "X"
    globs = f"['{glob}', '!nothing']" if negated else f"['{glob}']"
    pack = one_rule_pack(tmp_path, f"{{paths_any: {globs}}}").read_text()
    pack = pack.replace("{title: 'aaaa'}", "{paths: [x/X]}").replace(
        "{title: 'bbbb'}", "{paths: [y]}"
    )
    (tmp_path / "pack.yaml").write_text(pack)
    result = run_miner(*REPORT, str(repo.path), "--rules", str(tmp_path / "pack.yaml"), timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("glob", "why"),
    [("'[z-a]'", "invalid character class range"), ("'x\\'", "is not a glob")],
)
@pytest.mark.parametrize("negated", [False, True])
def test_a_glob_re2_cannot_run_fails_the_pack_at_its_line(
    tmp_path: Path, glob: str, why: str, negated: bool
) -> None:
    globs = f"[{glob}, '!b']" if negated else f"[{glob}]"
    pack = one_rule_pack(tmp_path, f"{{paths_any: {globs}}}")
    with pytest.raises(RulePackError) as caught:
        load_pack(str(pack))
    [problem] = caught.value.problems
    assert problem.startswith(f"{pack}:7: rule 'boom': 'paths_any': ")
    assert why in problem


def test_a_size_glob_re2_cannot_run_fails_the_pack_at_its_line(tmp_path: Path) -> None:
    pack = one_rule_pack(tmp_path, "{title: a}")
    pack.write_text(pack.read_text() + "size: {excludes: ['[z-a]']}\n")
    with pytest.raises(RulePackError) as caught:
        load_pack(str(pack))
    [problem] = caught.value.problems
    assert problem.startswith(f"{pack}:11: 'size': glob '[z-a]' cannot be matched")


def test_globs_still_match_unicode_and_odd_paths() -> None:
    from miner.globs import path_matches

    assert path_matches("docs/é/ü.md", ["*.md"])
    assert path_matches("docs/lone\udcff.md", ["docs/*.md"])
    assert not path_matches("docs/a.md\n", ["*.md"])
    assert path_matches("x/é", ["x/?"])
