"""The subject's own notes: what no system records (career talks, interviews, talks).

The notes file is YAML::

    notes:
      - date: 2024-05-02
        area: career
        text: Career conversation with my manager about leading the storage work
        link: https://example.com/doc   # optional

It is the user's file, edited by hand as often as by ``miner note``: every value is
checked on load and a bad one names its line; ``note add`` and ``note remove`` edit
the text in place (comments, other keys and the file's mode stay), under a lock so
that notes added at the same moment are all kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from miner import yamlsafe
from miner.atomic import locked, write_text
from miner.errors import NotesError
from miner.links import http_link
from miner.model import Evidence, Period, Source
from miner.yamlsafe import LineDict, YamlProblem, line_of

_FIX = "fix it by hand (it is YAML with a 'notes:' list) or pass --notes with another file"
_WRITABLE = "check that its folder exists and is writable, or pass --notes with another file"


@dataclass(frozen=True)
class Note:
    day: date
    area: str
    text: str
    link: str | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.day}|{self.area}|{self.text}".encode()).hexdigest()

    @property
    def short_id(self) -> str:
        """What ``note list`` shows and ``note remove`` takes: the report's id, shortened."""
        return self.digest[:8]


@dataclass(frozen=True)
class _Placed:
    """A note and the lines (0-based, inclusive) its entry spans in the file."""

    note: Note
    first: int
    last: int


def default_notes_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("contribution-miner") / "notes.yaml"


def default_case_path(notes: Path) -> Path:
    """The promotion case file, beside the notes file: one folder for what the person
    writes."""
    return notes.parent / "case.yaml"


def note_link(value: object) -> str | None:
    """``value`` trimmed when a report may show it as a link (``links.http_link``) and
    it is one word: a space inside a note's link is a slip, not part of the address."""
    link = http_link(value)
    return link if link is not None and " " not in link else None


def read_notes(path: Path, areas: Collection[str] | None = None) -> list[Note]:
    """Every note in the file; a missing file has none. With ``areas``, a note for
    any other area is an error too."""
    return [placed.note for placed in _read(path, areas)[1]]


def add_note(path: Path, note: Note) -> None:
    """Append ``note`` to the file's text; the rest of the file stays as it was."""
    with _locked(path):
        text, placed = _read(path, None, spans=True)
        _write(path, _appended(path, text, placed, note))


def remove_note(path: Path, note_id: str) -> Note:
    """Remove the note whose id starts with ``note_id``; the rest stays as it was."""
    wanted = note_id.strip().removeprefix("note:").lower()
    if len(wanted) < 4 or any(ch not in "0123456789abcdef" for ch in wanted):
        raise NotesError(f"{note_id!r} is not a note id", "use an id from `miner note list`")
    with _locked(path):
        text, placed = _read(path, None, spans=True)
        found = [p for p in placed if p.note.digest.startswith(wanted)]
        if not found:
            raise NotesError(f"no note {note_id} in {path}", "see `miner note list`")
        if len({p.note.digest for p in found}) > 1:
            raise NotesError(f"{note_id} names several notes", "give more of the id")
        gone = found[0]
        if gone.first < 0:
            raise _flow_list(path)
        lines = text.splitlines(keepends=True)
        _write(path, "".join(lines[: gone.first] + lines[gone.last + 1 :]))
        return gone.note


def _write(path: Path, text: str) -> None:
    try:
        write_text(path, text)
    except OSError as exc:
        raise NotesError(f"cannot write notes file {path}: {exc.strerror}", _WRITABLE) from exc


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the notes file's lock: one read-modify-write at a time, across processes."""
    with ExitStack() as held:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            held.enter_context(locked(path))
        except OSError as exc:
            raise NotesError(f"cannot lock notes file {path}: {exc.strerror}", _WRITABLE) from exc
        yield


def _read(
    path: Path, areas: Collection[str] | None, spans: bool = False
) -> tuple[str, list[_Placed]]:
    """The file's text and each note (with its lines when ``spans``, for editing);
    ("", []) when there is no file."""
    try:
        text = yamlsafe.read_text(path)
        doc = yamlsafe.load(text)
    except FileNotFoundError:
        return "", []
    except YamlProblem as exc:
        raise NotesError(f"notes file {exc.where(path)}", _FIX) from exc
    if doc is None:
        return text, []
    raw = doc.get("notes") if isinstance(doc, dict) else None
    if isinstance(doc, dict) and "notes" in doc and raw is None:
        return text, []  # "notes:" with nothing under it yet
    if not isinstance(raw, list):
        raise NotesError(f"notes file {path}:{line_of(doc, 'notes') or 1}: no 'notes:' list", _FIX)
    items = _item_nodes(yamlsafe.compose(text)) if spans else []
    placed = []
    for n, entry in enumerate(raw, 1):
        note = _note(entry, f"notes file {path}", n, areas)
        first, last = _span(text, items[n - 1]) if n <= len(items) else (-1, -1)
        placed.append(_Placed(note, first, last))
    return text, placed


def _item_nodes(root: yaml.Node | None) -> list[yaml.Node]:
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "notes":
            return list(value.value) if isinstance(value, yaml.SequenceNode) else []
    return []


def _span(text: str, node: yaml.Node) -> tuple[int, int]:
    """Lines from an entry's ``-`` to its last value; (-1, -1) when it shares a line
    with another (a ``[...]`` flow list), which miner does not edit."""
    lines = text.splitlines()
    first = node.start_mark.line
    before = lines[first][: node.start_mark.column].strip()
    if before == "" and first > 0 and lines[first - 1].strip() == "-":
        first -= 1
    elif before != "-":
        return -1, -1
    return first, _last_line(node)


def _last_line(node: yaml.Node) -> int:
    if isinstance(node, yaml.MappingNode):
        return max(_last_line(n) for pair in node.value for n in pair)
    if isinstance(node, yaml.SequenceNode) and node.value:
        return max(_last_line(n) for n in node.value)
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _appended(path: Path, text: str, placed: list[_Placed], note: Note) -> str:
    """``text`` with ``note`` added at the end of its ``notes:`` list."""
    if any(p.first < 0 for p in placed):
        raise _flow_list(path)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if placed:
        indent = len(lines[placed[-1].first]) - len(lines[placed[-1].first].lstrip())
        at = placed[-1].last + 1
    else:
        indent = 2
        key = _notes_key_line(lines)
        if key is None:
            lines.append("")
            key = len(lines) - 1
        lines[key] = "notes:\n"  # also for "notes: []" or "notes: null": the list follows
        at = key + 1
    entry = _entry_text(note)
    padded = "".join(" " * indent + line + "\n" for line in entry.splitlines())
    return "".join([*lines[:at], padded, *lines[at:]])


def _flow_list(path: Path) -> NotesError:
    return NotesError(
        f"notes file {path}: its notes are written as a [...] list",
        "write them as a block list, one '- ' per note, so miner can edit the file",
    )


def _notes_key_line(lines: list[str]) -> int | None:
    """The line of the top-level ``notes:`` key, or None when there is none."""
    for n, line in enumerate(lines):
        if line.startswith("notes:"):
            return n
    return None


def _entry_text(note: Note) -> str:
    entry: dict[str, Any] = {"date": note.day, "area": note.area, "text": note.text}
    if note.link:
        entry["link"] = note.link
    return yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=1_000_000)


def _note(entry: Any, where: str, n: int, areas: Collection[str] | None) -> Note:
    line = entry.line if isinstance(entry, LineDict) else 0

    def fail(key: str, problem: str) -> NotesError:
        at = line_of(entry, key) or line
        return NotesError(f"{where}:{at}: note {n}: {problem}", _FIX)

    if not isinstance(entry, LineDict):
        raise NotesError(f"{where}: note {n} is not a mapping with date, area and text", _FIX)
    text = _string(entry, "text", fail)
    area = _string(entry, "area", fail)
    if areas is not None and area not in areas:
        raise fail("area", f"'area' {area!r} is not an area ({', '.join(sorted(areas))})")
    day = _day(entry.get("date"), fail)
    link = entry.get("link")
    if link is not None:
        checked = note_link(link)
        if checked is None:
            raise fail("link", f"'link' {_shown(link)} is not an http(s) URL")
        link = checked
    return Note(day, area, text, link)


def _string(entry: LineDict, key: str, fail: Callable[[str, str], NotesError]) -> str:
    value = entry.get(key)
    if value is None:
        raise fail(key, f"needs '{key}'")
    if not isinstance(value, str) or not value.strip():
        raise fail(key, f"'{key}' must be text, not {_shown(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise fail(key, f"'{key}' holds a character that is not text (a lone surrogate)") from exc
    return value.strip()


def _day(value: Any, fail: Callable[[str, str], NotesError]) -> date:
    if value is None:
        raise fail("date", "needs 'date' as YYYY-MM-DD")
    if not isinstance(value, str):
        raise fail("date", f"'date' {_shown(value)} is not a date; write it as YYYY-MM-DD")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        problem = f"'date' {value!r} is not a date ({exc}); write it as YYYY-MM-DD"
        raise fail("date", problem) from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


class NotesCollector:
    def __init__(
        self, path: Path, period: Period, areas: Callable[[], Collection[str]] | None = None
    ) -> None:
        self.path = path
        self.period = period
        self._areas = areas
        self._items = 0

    def collect(self) -> Iterator[Evidence]:
        areas = self._areas() if self._areas is not None else None
        for note in read_notes(self.path, areas):
            moment = datetime(note.day.year, note.day.month, note.day.day, tzinfo=UTC)
            if moment not in self.period:
                continue
            self._items += 1
            yield Evidence(
                id=f"note:{note.digest[:12]}",
                kind="note",
                source="notes",
                repo="notes",
                title=note.text.splitlines()[0],
                date=moment,
                url=note.link,
                message=note.text,
                labels=(note.area,),
            )

    def source(self) -> Source:
        spots: tuple[str, ...] = ()
        if not self.path.exists():
            spots = (
                "no notes file: career conversations, interviews and mentoring outside code "
                "cannot be seen; add them with `miner note add`",
            )
        # The file name only: its folder is the user's home, which a report never shows.
        return Source(kind="notes", location=self.path.name, items=self._items, blind_spots=spots)
