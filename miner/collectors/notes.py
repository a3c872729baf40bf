"""The subject's own notes: what no system records (career talks, interviews, talks).

The notes file is YAML::

    notes:
      - date: 2024-05-02
        area: career
        text: Career conversation with my manager about leading the storage work
        link: https://example.com/doc   # optional
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from miner.atomic import write_text
from miner.errors import NotesError
from miner.model import Evidence, Period, Source


@dataclass(frozen=True)
class Note:
    day: date
    area: str
    text: str
    link: str | None = None

    def as_yaml(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"date": self.day.isoformat(), "area": self.area, "text": self.text}
        if self.link:
            entry["link"] = self.link
        return entry


def default_notes_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("contribution-miner") / "notes.yaml"


def read_notes(path: Path) -> list[Note]:
    """Every note in the file; a missing file has none."""
    if not path.exists():
        return []
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise NotesError(f"notes file {path} cannot be read: {_first_line(exc)}", _FIX) from exc
    if doc is None:
        return []
    raw = doc.get("notes") if isinstance(doc, dict) else None
    if not isinstance(raw, list):
        raise NotesError(f"notes file {path} has no 'notes:' list", _FIX)
    return [_note(entry, path, n) for n, entry in enumerate(raw, 1)]


_FIX = "fix it by hand (it is YAML with a 'notes:' list) or pass --notes with another file"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _note(entry: Any, path: Path, n: int) -> Note:
    if not isinstance(entry, dict) or not entry.get("text") or not entry.get("area"):
        raise NotesError(f"notes file {path}: note {n} needs 'text' and 'area'", _FIX)
    day = entry.get("date")
    if isinstance(day, datetime):
        day = day.date()
    elif isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            day = None
    if not isinstance(day, date):
        raise NotesError(f"notes file {path}: note {n} needs a 'date' as YYYY-MM-DD", _FIX)
    link = entry.get("link")
    return Note(day, str(entry["area"]), str(entry["text"]), str(link) if link else None)


def add_note(path: Path, note: Note) -> None:
    """Append ``note``, replacing the file atomically so a crash never leaves half of it."""
    notes = read_notes(path)
    notes.append(note)
    body = yaml.safe_dump(
        {"notes": [n.as_yaml() for n in notes]}, sort_keys=False, allow_unicode=True
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, body)
    except OSError as exc:
        raise NotesError(f"cannot write notes file {path}: {exc.strerror}", _FIX) from exc


class NotesCollector:
    def __init__(self, path: Path, period: Period) -> None:
        self.path = path
        self.period = period
        self._items = 0

    def collect(self) -> Iterator[Evidence]:
        for note in read_notes(self.path):
            moment = datetime(note.day.year, note.day.month, note.day.day, tzinfo=UTC)
            if moment not in self.period:
                continue
            self._items += 1
            digest = hashlib.sha256(f"{note.day}|{note.area}|{note.text}".encode()).hexdigest()
            yield Evidence(
                id=f"note:{digest[:12]}",
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
