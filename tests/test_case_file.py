"""The case file as a file: `-o` never lands on it (or on the notes or the store),
`--init-case` writes only YAML that loads back with every value kept, whatever names
it copies and however the person laid the file out, and concurrent runs lose nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from miner import api
from miner.errors import CaseFileError, UsageError
from miner.periods import parse_period
from miner.promo.case import SkeletonEntry, read_case, write_skeleton
from miner.yamlsafe import load
from tests.conftest import Repo


def entry(n: int, about: str = "Work in src/x (2024-02-01..2024-02-01)") -> SkeletonEntry:
    return SkeletonEntry(f"p-{n:08x}", about)


# ------------------------------------------------------------------ -o
_TARGETS = ("notes", "store", "case", "case-lock")


@pytest.mark.parametrize(
    ("command", "which"),
    [
        *((command, which) for command in ("promo", "report") for which in _TARGETS),
        ("promo", "case-given"),  # `report` has no --case
        ("promo", "case-given-link"),
    ],
)
def test_o_onto_the_notes_the_store_or_the_case_file_is_refused(  # type: ignore[no-untyped-def]
    repo: Repo, miner, tmp_path: Path, command: str, which: str
) -> None:
    repo.commit("Work", {"a.py": "a = 1\n"}, date="2024-02-01T10:00:00+00:00")
    folder = tmp_path / "N"
    folder.mkdir()
    notes, store, case, given = (
        folder / "notes.yaml",
        folder / "store.sqlite3",
        folder / "case.yaml",
        tmp_path / "mine.yaml",
    )
    files = {
        notes: "notes: []\n",
        store: "not a store",
        case: "summary: mine\n",
        given: "summary: given\n",
    }
    for path, text in files.items():
        path.write_text(text)
    link = tmp_path / "link.yaml"
    link.symlink_to(given)
    output, what = {
        "notes": (notes, "notes file"),
        "store": (store, "evidence store"),
        "case": (case, "case file"),
        "case-lock": (folder / "case.yaml.lock", "case file"),
        "case-given": (given, "case file"),
        "case-given-link": (link, "case file"),
    }[which]
    args = [command, str(repo.path), "--author", "ada@example.com", "--period", "2024"]
    args += ["--notes", str(notes), "--store", str(store), "-o", str(output)]
    if which.startswith("case-given"):
        args += ["--case", str(given)]
    result = miner(*args)
    assert result.code == 2, result.err
    assert (
        result.err
        == f"miner: error: -o {output} is your {what}; write the report to another file\n"
    )
    assert {path: path.read_text() for path in files} == files
    assert not (folder / "case.yaml.lock").exists()


def test_the_case_file_in_use_is_the_one_refused(tmp_path: Path) -> None:
    """With `--case`, the default case.yaml is any other file (a report may go there)."""
    config = api.Config(period=parse_period("2024"), notes=tmp_path / "notes.yaml")
    given = tmp_path / "mine.yaml"
    api.check_output(config, tmp_path / "case.yaml", case=given)
    with pytest.raises(UsageError, match="is your case file"):
        api.check_output(config, given, case=given)


# ------------------------------------------------------------------ what is written
REFUSED = "\uffff\ufffe\x01\x1b\x7f\x9f\udc80\ufeff\x85\u2028\u2029\ud800"


def test_characters_yaml_refuses_never_reach_the_file(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    about = f"Work in src/a{REFUSED}b (2024-02-01..2024-02-01)"
    write_skeleton(case, [entry(1, about)], [])
    text = case.read_text(encoding="utf-8")
    assert "Work in src/a" in text and "b (2024-02-01..2024-02-01)" in text
    assert not set(REFUSED) & set(text)
    write_skeleton(case, [entry(1, about), entry(2, about)], [])  # a later run reads it
    assert set(read_case(case).projects) == {"p-00000001", "p-00000002"}


def test_area_ids_are_written_as_keys_that_read_back_the_same(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    areas = ["delivery", "odd: area # x", "yes", "2024", '"quoted"\\', "caf\u00e9", "a\tb"]
    write_skeleton(case, [], areas[:2])
    write_skeleton(case, [], areas)
    assert list(read_case(case).plan) == areas


def test_an_empty_projects_block_takes_new_ids_on_a_later_run(tmp_path: Path) -> None:
    """libyaml gives an empty `projects:` the style '' (PyYAML: None)."""
    case = tmp_path / "case.yaml"
    write_skeleton(case, [], [])
    added = write_skeleton(case, [entry(1)], ["delivery"])
    assert added.projects == ("p-00000001",) and added.plans == ("delivery",)
    read = read_case(case)
    assert set(read.projects) == {"p-00000001"} and set(read.plan) == {"delivery"}


@pytest.mark.parametrize(
    "text",
    [
        "summary: mine\n...\n",
        "summary: mine\nprojects:\n  p-00000009: {impact: kept}\n...\n# after the end\n",
        "---\nsummary: mine\n...\n",
        "  summary: mine\n  projects:\n    p-00000009: {impact: kept}\n",
        "  summary: mine\n  projects:\n  pin: [git:abc]\n",
        "    summary: |\n      mine\n      two lines\n    hide: []\n",
        "summary: mine",
        "# only a comment\n",
        "---\n# nothing yet\n...\n",
    ],
)
def test_init_case_adds_to_any_layout_without_breaking_it(tmp_path: Path, text: str) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(text)
    before = load(text) or {}
    write_skeleton(case, [entry(1)], ["delivery"])
    after = load(case.read_text())
    for key, value in before.items():
        if isinstance(value, dict):
            assert value.items() <= after[key].items()
        elif value is not None:  # an empty `projects:` takes the new ids
            assert after[key] == value
    read = read_case(case)
    assert "p-00000001" in read.projects and "delivery" in read.plan
    assert set(after) == {"summary", "projects", "merge", "pin", "hide", "plan"}


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("{summary: mine}\n", "the top level is written inline"),
        ("--- {summary: mine}\n", "the top level is written inline"),
    ],
)
def test_a_layout_it_cannot_add_to_is_refused_and_left_alone(
    tmp_path: Path, text: str, what: str
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(text)
    with pytest.raises(CaseFileError, match=what) as raised:
        write_skeleton(case, [entry(1)], [])
    assert "\n" not in str(raised.value)
    assert case.read_text() == text


# ------------------------------------------------------------------ concurrency
def test_concurrent_runs_lose_no_addition(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    runs = 24
    start = threading.Barrier(runs)
    failed: list[BaseException] = []

    def run(n: int) -> None:
        start.wait()
        try:
            write_skeleton(case, [entry(n)], [f"area-{n}"])
        except BaseException as exc:  # surfaced by the assert below
            failed.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    read = read_case(case)
    assert set(read.projects) == {f"p-{n:08x}" for n in range(runs)}
    assert set(read.plan) == {f"area-{n}" for n in range(runs)}
    assert {p.name for p in tmp_path.iterdir()} == {"case.yaml", "case.yaml.lock"}


def test_a_folder_name_yaml_refuses_leaves_a_case_file_every_run_reads(  # type: ignore[no-untyped-def]
    repo: Repo, miner, tmp_path: Path
) -> None:
    for n, folder in enumerate(("src/a\uffffb", "src/c\ufeffd\x01e", "src/f\udc80g")):
        title = f"Work in {folder}" if n < 2 else f"Work {n}"  # a name is the largest title
        repo.commit(title, {f"{folder}/x.py": "x = 1\n"}, date=f"2024-02-0{n + 1}T10:00:00")
    case = tmp_path / "case.yaml"
    args = ("promo", str(repo.path), "--author", "ada@example.com", "--period", "2024")
    first = miner(*args, "--case", str(case), "--init-case")
    assert first.code == 0 and first.out.startswith(f"wrote {case}: 3 project(s)"), first.err
    text = case.read_bytes().decode("utf-8")
    assert "Work in src/c d e" in text and not {"\uffff", "\ufeff", "\x01"} & set(text)
    again = miner(*args, "--case", str(case), "--init-case")
    assert again.code == 0 and again.out.startswith(f"checked {case}"), again.err
    shown = miner(*args, "--case", str(case))
    assert shown.code == 0 and shown.err == "", shown.err


def test_a_lock_that_cannot_be_taken_is_one_line_and_the_file_stays(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("summary: mine\n")
    (tmp_path / "case.yaml.lock").mkdir()
    with pytest.raises(CaseFileError, match=r"^cannot lock .*case\.yaml: ") as raised:
        write_skeleton(case, [entry(1)], [])
    assert raised.value.hint == "check that its folder is writable"
    assert case.read_text() == "summary: mine\n"


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    case = tmp_path / "nowhere" / "case.yaml"
    with pytest.raises(CaseFileError, match=r"folder .*nowhere does not exist"):
        write_skeleton(case, [entry(1)], [])
    assert not (tmp_path / "nowhere").exists()
