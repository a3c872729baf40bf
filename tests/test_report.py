"""Rendering through the real templates, checked against committed golden files.

After an intended change to the output, update them with one command:

    MINER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_report.py
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from miner import api
from miner.model import Report
from miner.periods import parse_period
from miner.report import json_schema, render
from tests.conftest import Repo

GOLDEN = Path(__file__).parent / "data" / "golden"
NOW = datetime(2024, 7, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The notes path is shown as given: a relative one keeps the golden files stable."""
    monkeypatch.chdir(tmp_path)


def story(repo: Repo) -> Repo:
    """A quarter with something for most areas, dates fixed to the second."""
    repo.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    repo.commit(
        "Add retry tests for the uploader",
        {"tests/test_upload.py": "".join(f"def test_{i}():\n    pass\n" for i in range(20))},
        date="2024-04-02T10:00:00+00:00",
    )
    repo.commit(
        "Design: storage engine v2",
        {
            "docs/design/storage-v2.md": "# Storage engine v2\n\n"
            + "".join(f"Point {i}.\n" for i in range(40))
        },
        date="2024-04-09T15:30:00+00:00",
    )
    repo.commit(
        "Reduce p99 latency of the uploader by batching writes",
        {"src/upload.py": "".join(f"batch_{i} = {i}\n" for i in range(80))},
        date="2024-05-14T08:00:00+00:00",
    )
    repo.commit(
        "Pair on onboarding guide\n\nCo-authored-by: Bob Builder <bob@example.com>",
        {"CONTRIBUTING.md": "# Contributing\n\nRun the tests.\n"},
        date="2024-06-03T12:00:00+00:00",
    )
    repo.commit(
        "Add CI workflow",
        {".github/workflows/ci.yml": "on: push\njobs: {}\n"},
        date="2024-06-20T17:45:00+00:00",
    )
    repo.tag(
        "v2.0.0",
        "Widgets 2.0",
        date="2024-06-28T09:00:00+00:00",
        tagger=("Ada Lovelace", "ada@example.com"),
    )
    repo.commit("Outside the period", {"late.txt": "x\n"}, date="2024-07-01T00:00:00+00:00")
    return repo


def build(repo: Repo, tmp_path: Path) -> Report:
    config = api.Config(
        period=parse_period("2024Q2"),
        paths=(repo.path,),
        authors=("ada@example.com",),
        notes=Path("no-notes.yaml"),
        now=NOW,
    )
    return api.build_report(config)


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_rendered_report_matches_the_golden_file(repo: Repo, tmp_path: Path, fmt: str) -> None:
    text = render(build(story(repo), tmp_path), fmt)
    golden = GOLDEN / f"report.{fmt}"
    if os.environ.get("MINER_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_golden_json_is_valid_against_the_schema() -> None:
    jsonschema.validate(json.loads((GOLDEN / "report.json").read_text()), json_schema())


def test_every_area_appears_in_pack_order_with_gaps_and_hints(repo: Repo, tmp_path: Path) -> None:
    report = build(story(repo), tmp_path)
    md = render(report, "md")
    positions = [md.index(f"## {a.area.title}") for a in report.areas]
    assert positions == sorted(positions)
    for summary in report.areas:
        if summary.gap:
            assert summary.area.hint.split()[0] in md


def test_strongest_items_come_first_within_an_area(repo: Repo, tmp_path: Path) -> None:
    report = build(story(repo), tmp_path)
    for summary in report.areas:
        strengths = [m.strength(summary.area.id) for m in summary.items]
        assert strengths == sorted(strengths, reverse=True)


def test_the_schema_rejects_a_document_missing_areas() -> None:
    doc = json.loads((GOLDEN / "report.json").read_text())
    del doc["areas"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, json_schema())
