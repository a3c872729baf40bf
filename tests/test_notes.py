"""The notes file: checked on load line by line, edited in place, never lost."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from miner.collectors.notes import Note, add_note, read_notes, remove_note
from miner.errors import NotesError
from tests.conftest import Repo


def seeded(repo: Repo) -> Repo:
    repo.commit("Add parser tests", {"tests/test_parser.py": "def test_x():\n    assert 1\n"})
    return repo


GOOD = "notes:\n  - date: 2024-05-02\n    area: career\n    text: Career talk\n"


def entry(**fields: str) -> str:
    body = {"date": "2024-05-02", "area": "career", "text": "Career talk", **fields}
    lines = [f"{k}: {v}" for k, v in body.items() if v != "<none>"]
    return "notes:\n  - " + "\n    ".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        (entry(date="2024-02-30"), 2, "'date' '2024-02-30' is not a date (day is out of range"),
        (entry(date="2024-05-02T25:00:00"), 2, "hour must be in 0..23"),
        (entry(date="soon"), 2, "'date' 'soon' is not a date"),
        (entry(date="20240502x"), 2, "is not a date"),
        (entry(date="<none>"), 2, "needs 'date'"),
        (entry(text='"\\ud800"'), 4, ""),  # libyaml refuses it; without libyaml, see below
        (entry(area="[a, b]"), 3, "'area' must be text, not ['a', 'b']"),
        (entry(area="nonsense"), 3, "'area' 'nonsense' is not an area (career, "),
        (entry(link="42"), 5, "'link' 42 is not an http(s) URL"),
        (entry(text="<none>"), 2, "needs 'text'"),
        (entry(text="42"), 4, "'text' must be text, not 42"),
        (entry(link="javascript:alert(1)"), 5, "'link' 'javascript:alert(1)' is not an http(s)"),
        (entry(link="' JaVaScRiPt:alert(1)'"), 5, "is not an http(s) URL"),
        (entry(link="'data:text/html,<script>alert(1)</script>'"), 5, "is not an http(s) URL"),
        (entry(link="https:/no-host"), 5, "is not an http(s) URL"),
        (entry(link='"https://example.com/\\u202eexe.txt"'), 5, "is not an http(s) URL"),
        (entry(link="'https://example.com/a b'"), 5, "is not an http(s) URL"),
        ("notes:\n  - just text\n", 0, "note 1 is not a mapping"),
        ("notes: 3\n", 1, "no 'notes:' list"),
    ],
)
def test_a_bad_value_fails_the_report_with_its_line(  # type: ignore[no-untyped-def]
    repo: Repo, miner, tmp_path: Path, text: str, line: int, says: str
) -> None:
    seeded(repo)
    notes = tmp_path / "notes.yaml"
    notes.write_text(text)
    result = miner("report", str(repo.path), "--period", "2024Q2", "--notes", str(notes))
    assert result.code == 1, result.out
    where = f"notes file {notes}:{line}: " if line else f"notes file {notes}: "
    [message] = result.err.splitlines()
    assert message.startswith(f"miner: error: {where}"), message
    assert says in message
    assert "Traceback" not in result.err


def test_a_lone_surrogate_in_a_note_is_named() -> None:
    from miner.collectors.notes import _note
    from miner.yamlsafe import LineDict

    node = LineDict()
    node.update({"date": "2024-05-02", "area": "career", "text": "\ud800"})
    node.line, node.key_lines = 7, {"text": 9}
    with pytest.raises(NotesError, match=r"x\.yaml:9: note 3: 'text' holds a character that is"):
        _note(node, "x.yaml", 3, None)


def test_links_are_trimmed_and_any_case_of_http_is_a_link(tmp_path: Path) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text(entry(link="'  HTTPS://example.com/a  '"))
    assert read_notes(notes)[0].link == "HTTPS://example.com/a"


def test_note_add_refuses_the_links_the_file_refuses(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.yaml"
    for link in (" JaVaScRiPt:alert(1)", "data:text/html,x", "https://"):
        result = miner(
            "note", "add", "x", "--area", "career", "--link", link, "--notes", str(notes)
        )
        assert result.code == 2 and "is not an http(s) URL" in result.err
    assert not notes.exists()


def test_a_date_with_a_time_counts_on_its_utc_day(tmp_path: Path) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text(entry(date="2024-05-02T23:30:00-02:00"))
    assert str(read_notes(notes)[0].day) == "2024-05-03"


HAND_WRITTEN = """\
# My notes, kept by hand. Do not lose this comment.
owner: ada   # a field miner does not know
notes:
  # the first one
  - date: 2024-05-02
    area: career
    text: Career talk   # why it matters
    mood: good
  - date: 2024-05-09
    area: mentoring
    text: |
      Paired with Priya on the parser,
      then on the release.
# trailing comment
"""


def test_note_add_keeps_comments_unknown_fields_and_mode(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.yaml"
    notes.write_text(HAND_WRITTEN)
    notes.chmod(0o640)
    result = miner(
        "note", "add", "Gave a talk", "--area", "influence", "--date", "2024-06-01",
        "--notes", str(notes),
    )  # fmt: skip
    assert result.code == 0, result.err
    text = notes.read_text()
    assert text.startswith(HAND_WRITTEN.split("# trailing")[0])
    assert "# trailing comment\n" in text and "# why it matters" in text
    assert text.index("Gave a talk") < text.index("# trailing comment")
    assert stat.S_IMODE(notes.stat().st_mode) == 0o640
    assert [n.text for n in read_notes(notes)] == [
        "Career talk",
        "Paired with Priya on the parser,\nthen on the release.",
        "Gave a talk",
    ]


@pytest.mark.parametrize(
    "start", ["", "# only a comment\n", "notes:\n", "notes: []\n", "notes: null\n", "notes:"]
)
def test_note_add_starts_the_list_wherever_it_is_missing(tmp_path: Path, start: str) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text(start)
    note = Note(read_notes_day(), "career", "First", "https://example.com/x")
    add_note(notes, note)
    add_note(notes, Note(read_notes_day(), "growth", "Two\nlines: with 'quotes' and # hash"))
    assert [n.text for n in read_notes(notes)] == ["First", "Two\nlines: with 'quotes' and # hash"]
    assert read_notes(notes)[0] == note
    if start.startswith("#"):
        assert notes.read_text().startswith(start)


def read_notes_day():  # type: ignore[no-untyped-def]
    from datetime import date

    return date(2024, 5, 2)


def test_note_add_refuses_a_flow_list_rather_than_rewrite_it(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.yaml"
    notes.write_text("notes: [{date: 2024-05-02, area: career, text: a}]\n")
    result = miner("note", "add", "b", "--area", "career", "--notes", str(notes))
    assert result.code == 1 and "written as a [...] list" in result.err
    assert notes.read_text() == "notes: [{date: 2024-05-02, area: career, text: a}]\n"


_ADD_ONE = """
import sys
from datetime import date
from pathlib import Path
from miner.collectors.notes import Note, add_note
add_note(Path(sys.argv[1]), Note(date(2024, 5, 2), "career", f"note {sys.argv[2]}"))
"""


def test_twenty_notes_added_at_once_are_all_kept(tmp_path: Path) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text("# mine\nnotes:\n")
    procs = [
        subprocess.Popen([sys.executable, "-c", _ADD_ONE, str(notes), str(n)]) for n in range(20)
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    assert sorted(n.text for n in read_notes(notes)) == sorted(f"note {n}" for n in range(20))
    assert notes.read_text().startswith("# mine\n")


def test_note_add_writes_through_a_symlinked_notes_file(tmp_path: Path) -> None:
    real = tmp_path / "sync" / "notes.yaml"
    real.parent.mkdir()
    real.write_text(GOOD)
    link = tmp_path / "notes.yaml"
    link.symlink_to(real)
    add_note(link, Note(read_notes_day(), "growth", "Second"))
    assert link.is_symlink()
    assert [n.text for n in read_notes(real)] == ["Career talk", "Second"]


def test_note_list_shows_id_date_area_text_and_link(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.yaml"
    notes.write_text(
        "notes:\n"
        "  - {date: 2024-06-01, area: growth, text: Later one}\n"
        "  - date: 2024-05-02\n    area: career\n    text: Career talk\n"
        "    link: https://example.com/1\n"
    )
    result = miner("note", "list", "--notes", str(notes))
    assert result.code == 0, result.err
    first, second = result.out.splitlines()
    ids = [n.short_id for n in sorted(read_notes(notes), key=lambda n: n.day)]
    assert first.split() == [
        ids[0],
        "2024-05-02",
        "career",
        "Career",
        "talk",
        "https://example.com/1",
    ]
    assert second.split() == [ids[1], "2024-06-01", "growth", "Later", "one"]


def test_note_list_prints_no_escape_sequence(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.yaml"
    notes.write_text(entry(text='"Talk \\e]0;pwned\\a\\e[31mred\\nsecond line"'))
    result = miner("note", "list", "--notes", str(notes))
    assert result.code == 0, result.err
    [line] = result.out.splitlines()
    assert line.endswith("Talk \ufffd]0;pwned\ufffd\ufffd[31mred second line")
    assert line.isprintable()


def test_note_list_of_no_file_says_so(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = miner("note", "list", "--notes", str(tmp_path / "none.yaml"))
    assert result.code == 0 and result.out == "" and "no notes in" in result.err


def test_note_remove_takes_the_id_and_keeps_the_rest_of_the_file(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.yaml"
    notes.write_text(HAND_WRITTEN)
    career, mentoring = read_notes(notes)
    result = miner("note", "remove", career.short_id, "--notes", str(notes))
    assert result.code == 0, result.err
    assert f"removed {career.short_id} (2024-05-02, career)" in result.out
    assert notes.read_text() == HAND_WRITTEN.replace(
        "  - date: 2024-05-02\n    area: career\n    text: Career talk   # why it matters\n"
        "    mood: good\n",
        "",
    )
    assert read_notes(notes) == [mentoring]
    result = miner("note", "remove", f"note:{mentoring.digest[:12]}", "--notes", str(notes))
    assert result.code == 0, result.err
    assert read_notes(notes) == []
    assert notes.read_text().startswith("# My notes, kept by hand.")


@pytest.mark.parametrize(
    ("given", "code", "says"),
    [
        ("ffffffff", 1, "no note ffffffff"),
        ("x!", 1, "is not a note id"),
        ("ab", 1, "not a note id"),
    ],
)
def test_note_remove_of_an_unknown_id_changes_nothing(  # type: ignore[no-untyped-def]
    miner, tmp_path: Path, given: str, code: int, says: str
) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text(HAND_WRITTEN)
    result = miner("note", "remove", given, "--notes", str(notes))
    assert result.code == code and says in result.err
    assert notes.read_text() == HAND_WRITTEN


def test_a_removed_note_is_gone_from_the_report(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    notes = tmp_path / "notes.yaml"
    notes.write_text(GOOD)
    [note] = read_notes(notes)
    report = (
        "report",
        str(repo.path),
        "--period",
        "2024Q2",
        "--notes",
        str(notes),
        "--format",
        "json",
    )
    ids = [e["id"] for e in json.loads(miner(*report).out)["evidence"]]
    assert f"note:{note.digest[:12]}" in ids
    remove_note(notes, note.short_id)
    ids = [e["id"] for e in json.loads(miner(*report).out)["evidence"]]
    assert not any(i.startswith("note:") for i in ids)


def test_a_notes_file_that_cannot_be_written_is_one_line(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    notes = blocker / "notes.yaml"  # root or not, nothing can be made under a file
    result = miner("note", "add", "x", "--area", "career", "--notes", str(notes))
    assert result.code == 1 and result.err.startswith(
        f"miner: error: cannot lock notes file {notes}"
    )
    assert len(result.err.splitlines()) == 1 and blocker.read_text() == "not a folder"
