"""Rendering through the real templates, checked against committed golden files.

After an intended change to the output, update them with one command:

    MINER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_report.py
"""

from __future__ import annotations

import html as html_lib
import importlib.util
import json
import os
import re
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from miner import api
from miner.errors import UsageError
from miner.model import (
    Area,
    AreaSummary,
    Evidence,
    Mapped,
    Mapping,
    Report,
    RulePackInfo,
    Source,
    Subject,
)
from miner.periods import parse_period
from miner.report import FORMATS, json_schema, render
from tests.conftest import Repo

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"
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


def test_an_unknown_format_is_a_usage_error_not_html(repo: Repo, tmp_path: Path) -> None:
    report = build(story(repo), tmp_path)
    with pytest.raises(UsageError, match="unknown format 'pdf'"):
        render(report, "pdf")
    assert FORMATS == ("md", "html", "json")


def test_without_a_forge_each_item_shows_its_short_sha_and_the_folder_name(
    repo: Repo, tmp_path: Path
) -> None:
    sha = repo.commit("Add retry tests", {"tests/test_a.py": "def test_a():\n    pass\n"})
    notes = tmp_path / "private" / "my-notes.yaml"
    notes.parent.mkdir()
    notes.write_text("notes:\n  - date: 2024-04-05\n    text: Mentored Bob\n    area: mentoring\n")
    config = api.Config(
        period=parse_period("2024Q2"),
        paths=(repo.path,),
        authors=("ada@example.com",),
        notes=notes,
        now=NOW,
    )
    report = api.build_report(config)
    for fmt in FORMATS:
        text = render(report, fmt)
        assert str(repo.path) not in text and str(tmp_path) not in text, fmt
        assert "private" not in text, fmt
    md = render(report, "md")
    assert f"Add retry tests (`commit {sha[:10]}`)" in md
    assert "- **Repositories:** repo\n" in md
    assert f"<code>commit {sha[:10]}</code>" in render(report, "html")
    assert json.loads(render(report, "json"))["evidence"][0]["repo"] == "repo"


def test_markdown_escapes_only_what_would_break(repo: Repo, tmp_path: Path) -> None:
    repo.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    repo.commit("Pin typing_extensions for 3.8 (#3505) in `setup.cfg`", {"setup.cfg": "x\n"})
    md = render(build(repo, tmp_path), "md")
    assert "[Pin typing_extensions for 3.8 (#3505) in `setup.cfg`][1]" in md
    assert "Rule pack:" not in md and "(tests-added)" not in md and "docs: 0" not in md
    assert "| |" not in md and "|  |" not in md
    html = MarkdownIt("commonmark").render(md)
    assert "Pin typing_extensions for 3.8 (#3505) in <code>setup.cfg</code></a>" in html


HOSTILE = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) *b* \x1b[31mred\x9b2J"


def hostile_report(repo: Repo, tmp_path: Path) -> Report:
    """Everything a report shows, written by an attacker: commit subjects, design doc
    file names, a hand-edited note's link, and a rule pack's area title and hint."""
    repo.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    repo.commit(f"Tests {HOSTILE}", {"tests/test_x.py": "def test_x():\n    pass\n"})
    repo.commit(
        "Design docs",
        {
            "docs/design/a) <img src=x onerror=alert(1)> .md": "x\n" * 25,
            "docs/design/My Design.md": "x\n" * 25,
        },
        date="2024-04-04T10:00:00+00:00",
    )
    report = build(repo, tmp_path)
    first, gap = report.areas[0], next(a for a in report.areas if a.gap)
    notes = [
        Mapped(
            Evidence(
                id=f"note:{n}",
                kind="note",
                source="notes",
                repo="notes",
                title=f"Note {n} {HOSTILE}",
                date=NOW.replace(month=5),
                url=link,
            ),
            (Mapping(first.area.id, "note-area", f"your note {HOSTILE}"),),
        )
        for n, link in enumerate(
            [
                " JaVaScRiPt:alert(1)",
                "data:text/html,<script>x</script>",
                "\thttps://example.com/ok",
            ]
        )
    ]
    area = replace(first.area, title=f"# Area {HOSTILE} |")
    hint = replace(gap.area, title=f"- {HOSTILE}", hint=f"> hint {HOSTILE}")
    return replace(
        report,
        evidence=(*report.evidence, *notes),
        areas=tuple(
            replace(a, area=area, items=(*a.items, *notes))
            if a is first
            else replace(a, area=hint)
            if a is gap
            else a
            for a in report.areas
        ),
        warnings=(f"warning {HOSTILE}",),
    )


def test_hostile_markdown_renders_no_html_no_foreign_link_and_no_control(
    repo: Repo, tmp_path: Path
) -> None:
    md = render(hostile_report(repo, tmp_path), "md")
    assert not set(md) & {"\x1b", "\x9b", "\r"}
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    inline = [t for block in tokens for t in (block.children or [])]
    assert not [t for t in [*tokens, *inline] if t.type in ("html_block", "html_inline")]
    hrefs = [str(t.attrs["href"]) for t in inline if t.type == "link_open"]
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    assert "https://example.com/ok" in hrefs  # a tab before it is trimmed, not fatal
    assert any(h.endswith("/docs/design/My%20Design.md") for h in hrefs)
    assert any("a%29%20%3Cimg%20src=x%20onerror=alert%281%29%3E%20.md" in h for h in hrefs)
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<img" not in html and "<em>" not in html and html.count("<h1>") == 1
    assert "&lt;img src=x onerror=alert(1)&gt; [click](javascript:alert(1)) *b*" in html
    assert "<code>JaVaScRiPt:alert(1)</code>" in html  # shown, never clickable


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_hostile_html_is_escaped_and_links_only_http(repo: Repo, tmp_path: Path) -> None:
    html = render(hostile_report(repo, tmp_path), "html")
    assert not set(html) & {"\x1b", "\x9b", "\r"}
    parser = Tags()
    parser.feed(html)
    assert not [t for t, _ in parser.tags if t in ("img", "iframe", "object")]
    assert [t for t, _ in parser.tags].count("script") == 1  # ours: it opens lists to print
    assert not [a for _, attrs in parser.tags for a in attrs if a.startswith("on")]
    hrefs = [str(a["href"]) for t, a in parser.tags if t == "a"]
    assert all(h.startswith(("https://", "#")) for h in hrefs)
    assert "https://example.com/ok" in hrefs
    assert "(link not shown: <code>JaVaScRiPt:alert(1)</code>)" in html


@pytest.mark.parametrize("url", ["http://", "https:///etc/passwd", "https://exa\u200bmple.com/"])
def test_an_address_with_no_host_or_a_hidden_character_is_shown_not_linked(url: str) -> None:
    report = one_item_report("Design", url, "Area")
    md = render(report, "md")
    assert "(link not shown: `" in md and "]: http" not in md
    html = render(report, "html")
    assert "(link not shown: <code>" in html and 'href="http' not in html


def test_a_long_blind_spot_is_shown_whole_in_every_format() -> None:
    """A blind spot names what is missing (a path, a server's answer): Markdown shows
    as much of it as HTML does, not the first 300 characters."""
    spot = "skipped " + " ".join(f"path/{n}" for n in range(60)) + " end"
    report = replace(one_item_report("a", None, "a"), sources=(Source("git", "repo", 1, (spot,)),))
    assert len(spot) > 300
    assert spot in " ".join(render(report, "md").split())
    assert spot in render(report, "html")


def test_json_keeps_the_text_but_escapes_terminal_controls(repo: Repo, tmp_path: Path) -> None:
    text = render(hostile_report(repo, tmp_path), "json")
    assert not set(text) & {"\x1b", "\x9b"}
    doc = json.loads(text)
    assert doc["evidence"][0]["title"] == f"Tests {HOSTILE}"
    assert doc["warnings"] == [f"warning {HOSTILE}"]
    jsonschema.validate(doc, json_schema())


def test_warnings_come_first_in_every_format(repo: Repo, tmp_path: Path) -> None:
    report = replace(build(story(repo), tmp_path), warnings=("nothing found for nobody@x",))
    md = render(report, "md")
    assert md.index("> **Warning:** nothing found for nobody@x") < md.index("- **Who:**")
    html = render(report, "html")
    assert html.index('role="alert"><strong>Warning:</strong> nothing found') < html.index("Who:")


def test_long_titles_are_cut_and_markdown_lines_fit_a_terminal(repo: Repo, tmp_path: Path) -> None:
    repo.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    repo.commit("Tests " + "word " * 20_000, {"tests/test_x.py": "x\n"})
    md = render(build(repo, tmp_path), "md")
    long = [line for line in md.splitlines() if len(line) > 125 and not line.startswith("[")]
    assert not long
    assert "\u2026][1]" in md


def test_a_printed_html_report_opens_every_collapsed_list(repo: Repo, tmp_path: Path) -> None:
    html = render(build(story(repo), tmp_path), "html")
    print_css = html[html.index("@media print") :]
    assert "details::details-content { content-visibility: visible" in print_css
    assert 'addEventListener("beforeprint"' in html
    assert 'a[href^="http"]::after' in print_css


def test_the_example_reports_are_up_to_date() -> None:
    """reports/ shows what the current code makes; regenerate it after a change."""
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "reports" / "regenerate.py")
    assert spec is not None and spec.loader is not None
    examples = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(examples)
    found = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{examples.PIN}^{{commit}}"], check=False
    )
    if found.returncode != 0:
        pytest.skip("this clone lacks the history the examples show (a shallow clone?)")
    files = examples.generate()
    assert set(files) >= {"quarterly-report.md", "quarterly-report.html", "quarterly-report.json"}
    assert not examples.stale(files), "run: .venv/bin/python reports/regenerate.py"


MARKUP = "#>-+*_=|`~<>&[]()!:\\/.;'\"{}$@^%"


def one_item_report(title: str, url: str | None, area_title: str) -> Report:
    """A report of one item, built by hand: a title must come out exactly as written."""
    area = Area("a", area_title, "What it is.", f"hint {area_title}")
    item = Mapped(
        Evidence(
            id="note:1",
            kind="note",
            source="notes",
            repo="notes",
            title=title,
            date=NOW.replace(month=5),
            url=url,
        ),
        (Mapping("a", "rule-a", "because"),),
    )
    return Report(
        generated_at=NOW,
        subject=Subject(emails=("ada@example.com",)),
        period=parse_period("2024Q2"),
        sources=(),
        rule_pack=RulePackInfo("pack", "1"),
        areas=(AreaSummary(area, (item,)), AreaSummary(replace(area, id="b"), ())),
        evidence=(item,),
    )


def structure(md: str) -> tuple[list[str], list[str]]:
    """The block token types and the markup-bearing inline token types of ``md``."""
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    marks = ("html_inline", "image", "em_open", "strong_open", "link_open", "code_inline")
    inline = [c.type for t in tokens for c in t.children or [] if c.type in marks]
    return [t.type for t in tokens], inline


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(alphabet=st.sampled_from(MARKUP + "ab1 é"), min_size=1, max_size=120),
    linked=st.booleans(),
)
def test_any_title_renders_as_exactly_its_text_and_nothing_else(title: str, linked: bool) -> None:
    """A title (and an area title) made of Markdown's special characters gives the very
    blocks and links that a plain title does, and reads as written."""
    plain = " ".join(title.split())
    assume(plain and "`" not in plain)
    url = "https://x.example/y" if linked else None
    md = render(one_item_report(title, url, title), "md")
    assert structure(md) == structure(render(one_item_report("a", url, "a"), "md"))
    html = MarkdownIt("commonmark").enable("table").render(md)
    shown = html_lib.unescape(re.sub(r"<[^>]+>", "", html))
    assert shown.count(plain) >= 3  # the area heading, its item, the ledger


@pytest.mark.parametrize(
    ("period", "columns", "unit"),
    [
        ("2024Q2", ["Apr", "May", "Jun"], "month"),
        ("2021-01-01..2024-12-31", ["Q1", "Q4"], "quarter"),
        ("2014-01-01..2024-12-31", ["2014", "2024"], "year"),
    ],
)
def test_the_chart_has_a_column_per_month_quarter_or_year(
    period: str, columns: list[str], unit: str
) -> None:
    report = replace(one_item_report("a", None, "a"), period=parse_period(period))
    html = render(report, "html")
    chart = html[html.index("<svg") : html.index("</svg>")]
    for column in columns:
        assert f'text-anchor="middle">{column}</text>' in chart
    assert f"Items per area per {unit}; darker means more." in html
