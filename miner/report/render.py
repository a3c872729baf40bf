"""Render a ``Report`` as Markdown or HTML (Jinja2 templates) or as JSON.

Everything a report shows was written by someone else: commit messages, file names,
notes, rule packs, GitHub. So each text is escaped for the format it lands in, only
``http(s)`` addresses become links, and no terminal control character reaches the
output (a Markdown or HTML report printed to a terminal must not drive it).

Another document reuses the same parts: ``environment()`` (the escaping filters),
``templates/_base.html.j2`` (the page, its CSS for light, dark and print),
``templates/_macros.html.j2`` and ``templates/_macros.md.j2`` (links, warnings, the
timeline chart, and the blocks the report and the promotion case share: the header,
an area's items, the evidence ledger, the sources), ``LinkRefs`` for Markdown links
and ``wrap_markdown``/``scrub`` for the finished text.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from miner.errors import UsageError
from miner.links import http_link
from miner.model import Evidence, Mapped, Report

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup

SCHEMA_VERSION = 1
STRONGEST = 5
LISTED = 25
WIDTH = 100  # Markdown lines are wrapped here, for reading in a terminal
TITLE_LIMIT = 300  # a 100,000-character subject is cut, not printed whole
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per item

# C0 and C1 controls (tab and newline excepted), DEL, and the bidirectional overrides
# that make a terminal or a browser show text in another order than it is stored.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What would turn into Markdown or HTML inside a line: a backslash before punctuation
# (or at the end, before our own brackets), code and emphasis marks, brackets, strike,
# the start of a tag or autolink, an entity, and an underscore not inside a word.
_MD_INLINE = re.compile(
    r"\\(?=[!-/:-@\[-`{-~]|$)|[`*\[\]~]|<(?=[A-Za-z/!?])|&(?=#?\w+;)"
    r"|(?<![^\W_])_|_(?![^\W_])"
)
# A code span: nothing inside one is markup, so a commit's `--flag` stays as it is.
_CODE_SPAN = re.compile(r"(`[^`]+`)")
# What would start a block when the text begins a line: heading, quote, list item.
_MD_LEADING = re.compile(r"^(?:[#>]|[-+](?=\s|$)|\d+(?=[.)]))")
_MD_CLOSING_HASHES = re.compile(r"(?<=\s)#+$")  # would end an ATX heading early
# Kept as they are in a link; everything else is percent-encoded (see ``http_url``).
_URL_SAFE = ":/?#@!$&*+,;=%~-._"
# A word that could start a block (heading, quote, list, table, code, HTML, thematic
# break) at the beginning of a line: a folded line never begins with one.
_BLOCK_START = re.compile(r"[#>\-+*=|`~<_:\\]|\d+[.)]|\s")
_BLANK_LINES = re.compile(r"\n{3,}")  # one blank line between blocks is enough
_LEAD = re.compile(r"( *)(- |> )?")  # a line's indent and list or quote marker
_SOURCE_LABELS = {
    "git": "Git history",
    "docs": "Design docs",
    "notes": "Your notes",
    "github": "GitHub",
}


def render(report: Report, fmt: str) -> str:
    """``report`` in one of ``FORMATS``; any other name is a usage error."""
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise UsageError(f"unknown format {fmt!r}", f"use one of {', '.join(_RENDERERS)}")
    return renderer(report)


def render_template(name: str, context: dict[str, Any]) -> str:
    """Template ``name`` (``*.md.j2`` or ``*.html.j2``) rendered with ``context`` and
    finished for its format: scrubbed, and Markdown folded for a terminal."""
    text = environment().get_template(name).render(**context)
    if name.endswith(".md.j2"):
        return wrap_markdown(scrub(_BLANK_LINES.sub("\n\n", text)))
    return scrub(text)


def _markdown(report: Report) -> str:
    return render_template("report.md.j2", _context(report))


def _html(report: Report) -> str:
    return render_template("report.html.j2", _context(report))


def _json(report: Report) -> str:
    return json_text(to_json_data(report))


_RENDERERS: dict[str, Callable[[Report], str]] = {"md": _markdown, "html": _html, "json": _json}
FORMATS: tuple[str, ...] = tuple(_RENDERERS)


def json_text(data: dict[str, Any]) -> str:
    """Indented JSON with each list item on one line: readable, diffable, and
    written by the C encoder (an ``indent`` would take the slow Python one).

    The encoder leaves C1 controls and the bidirectional overrides as they are;
    they are written as ``\\u`` escapes, so the JSON holds the same strings but
    printing it cannot drive a terminal."""
    out = ["{"]
    for n, (key, value) in enumerate(data.items()):
        comma = "," if n < len(data) - 1 else ""
        name = json.dumps(key)
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {_ENCODE(v)}" for v in value)
            out.append(f"  {name}: [\n{items}\n  ]{comma}")
        else:
            out.append(f"  {name}: {_ENCODE(value)}{comma}")
    out.append("}")
    text = "\n".join(out) + "\n"
    if text.isascii():  # known without a scan: C0 controls are escaped by the encoder already
        return text
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@functools.cache  # built once: loading and compiling the templates is most of a render
def environment() -> Environment:
    """The Jinja2 environment of every template here, with the escaping filters.

    HTML templates are autoescaped and make links with the ``link`` macro; Markdown
    templates escape each text with ``md`` (or ``md_cell`` in a table) and make links
    with the context's ``refs`` (a ``LinkRefs``)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("miner.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        plain=plain,
        prose=prose,
        md=md_escape,
        md_cell=md_cell,
        md_code=md_code,
        http_url=http_url,
        size=size_text,
        locator=locator,
        day=lambda d: d.strftime("%Y-%m-%d"),
    )
    return env


def scrub(text: str) -> str:
    """``text`` with every control character but tab and newline shown as U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


def plain(text: object, limit: int = TITLE_LIMIT) -> str:
    """One line of at most ``limit`` characters, whitespace collapsed, no controls."""
    line = scrub(" ".join(str(text).split()))
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "\u2026"


def md_escape(text: object, limit: int = TITLE_LIMIT) -> str:
    """``text`` as Markdown that shows exactly that text: only what a CommonMark or GFM
    renderer would read as markup or HTML is escaped, so ``typing_extensions`` and
    ``#3505`` stay as they are."""
    parts = _CODE_SPAN.split(plain(text, limit))
    line = "".join(p if n % 2 else _MD_INLINE.sub(r"\\\g<0>", p) for n, p in enumerate(parts))
    line = _MD_CLOSING_HASHES.sub(lambda m: "\\" + m.group(), line)
    return _MD_LEADING.sub(_escape_leading, line)


def _escape_leading(match: re.Match[str]) -> str:
    mark = match.group()
    return mark + "\\" if mark[0].isdigit() else "\\" + mark


def prose(text: object, limit: int = TITLE_LIMIT) -> Markup:
    """``plain`` text as HTML, its code spans (`` `x` ``) as ``<code>``, the rest escaped."""
    from markupsafe import Markup, escape

    parts = _CODE_SPAN.split(plain(text, limit))
    return Markup("").join(
        Markup("<code>{}</code>").format(p[1:-1]) if n % 2 else escape(p)
        for n, p in enumerate(parts)
    )


def md_cell(text: object) -> str:
    """``md_escape`` for a table cell, where a pipe would end the cell."""
    return md_escape(text).replace("|", "\\|")


def md_code(text: object) -> str:
    """``text`` as a code span: nothing inside one is markup but a backtick, which
    is dropped."""
    inner = plain(text, 120).replace("`", "").strip()
    return f"`{inner}`" if inner else ""


def http_url(url: object) -> str | None:
    """The address if ``links.http_link`` accepts it (``http(s)`` with a host), else
    None: a ``javascript:`` or ``data:`` link is never made clickable.

    It comes back percent-encoded, so it ends where Markdown thinks it ends:
    ``My Design.md`` becomes ``My%20Design.md``, and no space, bracket, parenthesis,
    quote or angle bracket can close the link or open markup."""
    link = http_link(url)
    return quote(link, safe=_URL_SAFE) if link is not None else None


def md_link(text: object, url: object) -> str:
    """``[text](url)`` for an ``http(s)`` address; the text alone otherwise, with any
    other address shown inert as code."""
    target = http_url(url)
    if target is not None:
        return f"[{md_escape(text)}]({target})"
    if url:
        return f"{md_escape(text)} (link not shown: {md_code(url)})"
    return md_escape(text)


class LinkRefs:
    """Reference-style Markdown links: ``[title][3]`` in the line and ``[3]: URL`` under
    the block, so a line read in a terminal is the title, not a 90-character address.
    A URL keeps its number for the whole document."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._pending: list[str] = []

    def __call__(self, text: object, url: object) -> str:
        target = http_url(url)
        if target is None:
            return md_link(text, url)
        if target not in self._numbers:
            self._numbers[target] = len(self._numbers) + 1
            self._pending.append(target)
        return f"[{md_escape(text)}][{self._numbers[target]}]"

    def definitions(self) -> str:
        """The definitions of the links made since the last call, one a line."""
        lines = [f"[{self._numbers[url]}]: {url}" for url in self._pending]
        self._pending.clear()
        return "\n".join(lines)


def wrap_markdown(text: str, width: int = WIDTH) -> str:
    """Long list items and paragraphs folded at ``width`` for a terminal. A line is
    never broken before a word that could start a block, so the next line cannot begin
    a heading, quote, list or table by accident."""
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width or line.startswith(("|", "#")):
            out.append(line)
            continue
        lead = _LEAD.match(line)
        assert lead is not None  # the pattern matches any line
        marker = {"- ": "  ", "> ": "> "}.get(lead.group(2) or "", "")
        out.extend(_fold(line, width, lead.group(1) + marker))
    return "\n".join(out)


def _fold(line: str, width: int, indent: str) -> list[str]:
    """``line`` broken greedily; inside the text of a link we made (a user's bracket
    is escaped, so a word that starts with ``[`` opens one of ours) only when the
    title alone is too long; never inside a code span."""
    words = _units(line)
    lines: list[str] = []
    current = words[0]
    in_link = current.startswith("[") and "](" not in current and "][" not in current
    for word in words[1:]:
        long = len(current) + 1 + len(word) > width + (20 if in_link else 0)
        breakable = word != "" and not _BLOCK_START.match(word)
        if breakable and long and current.strip() != ">":
            lines.append(current)
            current = indent + word
        else:
            current += " " + word
        if word.startswith("["):
            in_link = True
        if "](" in word or "][" in word:
            in_link = False
    return [*lines, current]


def _units(line: str) -> list[str]:
    """The words of ``line``, a code span's words kept together as one."""
    units: list[str] = []
    in_code = False
    for word in line.split(" "):
        if in_code:
            units[-1] += " " + word
        else:
            units.append(word)
        in_code ^= word.count("`") % 2 == 1
    return units


def size_text(item: Mapped) -> str:
    stats = item.evidence.stats
    if stats is None or item.evidence.kind in ("note", "release"):
        return ""
    return (
        f"+{stats.additions:,}/\u2212{stats.deletions:,}, "
        f"{stats.files:,}\u00a0file{'s' * (stats.files != 1)}"
    )


def locator(evidence: Evidence) -> str:
    """Where to find an item that has no web address: a commit's short SHA, a tag's
    name, a design doc's path, a GitHub item's number or id (its link was missing or
    pointed off the forge); empty when the item has a link or nothing to point at."""
    if evidence.url and http_url(evidence.url):
        return ""
    if evidence.id.startswith("git:tag:"):
        return f"tag {evidence.id[len('git:tag:') :]}"
    if evidence.id.startswith("git:"):
        return f"commit {evidence.id[len('git:') :][:10]}"
    if evidence.kind == "design_doc" and evidence.paths:
        return evidence.paths[0]
    if evidence.id.startswith(("gh:pr:", "gh:issue:")):  # owner/name#number
        return evidence.id.split(":", 2)[2]
    if evidence.id.startswith("gh:"):  # e.g. "review 501", "release acme/widgets:v2"
        return " ".join(evidence.id[len("gh:") :].split(":", 1))
    return ""


def _context(report: Report) -> dict[str, Any]:
    titles = {a.area.id: a.area.title for a in report.areas}
    repos = _repositories(report)
    return {
        "r": report,
        "who": report.names or report.emails or report.subject.logins or ("(nobody named)",),
        "period": _period_text(report),
        "strongest": STRONGEST,
        "listed": LISTED,
        "blind_spots": [s for src in report.sources for s in src.blind_spots],
        "gaps": [a for a in report.areas if a.gap],
        "reasons": _reasons,
        "refs": LinkRefs(),
        "area_titles": lambda m: [
            titles.get(a, a) for a in dict.fromkeys(x.area for x in m.mappings)
        ],
        "titles_of": lambda ids: [titles.get(a, a) for a in ids],
        "repositories": repos,
        "show_repo": len(repos) > 1,
        "sources": [(_SOURCE_LABELS.get(s.kind, s.kind), s) for s in report.sources],
        "rules": _rules_used(report.evidence, titles),
        "months": _by_month(report.evidence),
        "timeline": _timeline(report),
    }


def _period_text(report: Report) -> str:
    """The period as the user named it, with its days unless the name is its days."""
    first = report.period.start.strftime("%Y-%m-%d")
    last = (report.period.end - timedelta(seconds=1)).strftime("%Y-%m-%d")
    if report.period.label == f"{first}..{last}":
        return f"{first} to {last} (UTC)"
    return f"{report.period.label}, {first} to {last} (UTC)"


def _reasons(item: Mapped, area: str) -> str:
    return "; ".join(dict.fromkeys(m.reason for m in item.mappings if m.area == area))


def _repositories(report: Report) -> list[str]:
    """The repositories scanned or seen, by name: remote OWNER/NAME, else the folder."""
    seen = {s.location for s in report.sources if s.kind in ("git", "docs")}
    seen.update(m.evidence.repo for m in report.evidence if m.evidence.source != "notes")
    return sorted(seen, key=str.casefold)


def _rules_used(items: Iterable[Mapped], titles: dict[str, str]) -> list[dict[str, Any]]:
    """Each rule that placed an item, with its area, reason and how many it placed:
    the methodology's account of why each item sits where it does."""
    counts: Counter[tuple[str, str]] = Counter()
    reasons: dict[tuple[str, str], str] = {}
    for item in items:
        for m in dict.fromkeys((x.area, x.rule, x.reason) for x in item.mappings):
            counts[m[:2]] += 1
            reasons.setdefault(m[:2], m[2])
    order = list(titles)
    keys = sorted(counts, key=lambda k: (order.index(k[0]) if k[0] in titles else len(order), k))
    return [
        {"area": titles.get(a, a), "rule": r, "reason": reasons[a, r], "count": counts[a, r]}
        for a, r in keys
    ]


def _by_month(items: Iterable[Mapped]) -> list[tuple[str, list[Mapped]]]:
    """The ledger in date order, one group per month."""
    groups: dict[str, list[Mapped]] = {}
    for item in items:
        groups.setdefault(item.evidence.date.strftime("%B %Y"), []).append(item)
    return list(groups.items())


def _months(start: datetime, end: datetime) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while datetime(year, month, 1, tzinfo=start.tzinfo) < end:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _timeline(report: Report) -> dict[str, Any]:
    """Evidence per area per month, laid out for the inline SVG chart; per quarter
    beyond two years and per year beyond six, so a column stays readable."""
    months = _months(report.period.start, report.period.end)
    size = 1 if len(months) <= 24 else 3 if len(months) <= 72 else 12
    buckets = list(dict.fromkeys((y, (m - 1) // size) for y, m in months))
    rows: list[dict[str, Any]] = []
    peak = 1
    for summary in report.areas:
        per_bucket = Counter(
            (m.evidence.date.year, (m.evidence.date.month - 1) // size) for m in summary.items
        )
        counts = [per_bucket[b] for b in buckets]
        peak = max([peak, *counts])
        rows.append({"area": summary.area, "counts": counts})
    for row in rows:  # four shades, as a contribution calendar: the darkest is the peak
        row["levels"] = [-(-4 * c // peak) for c in row["counts"]]
    names = [_bucket_name(y, k, size) for y, k in buckets]
    return {
        "months": [_bucket_id(y, k, size) for y, k in buckets],  # as the tooltips name them
        "labels": names,
        "years": [
            str(y) if size < 12 and (k == 0 or n == 0) else "" for n, (y, k) in enumerate(buckets)
        ],
        "rows": rows,
        "peak": peak,
        "unit": {1: "month", 3: "quarter", 12: "year"}[size],
    }


def _bucket_id(year: int, index: int, size: int) -> str:
    if size == 1:
        return f"{year}-{index + 1:02d}"
    return f"{year}Q{index + 1}" if size == 3 else str(year)


def _bucket_name(year: int, index: int, size: int) -> str:
    """A column's label: ``Apr`` for a month, ``Q2`` for a quarter, ``2024`` for a year."""
    if size == 1:
        return datetime(year, index + 1, 1).strftime("%b")
    return f"Q{index + 1}" if size == 3 else str(year)


def to_json_data(report: Report) -> dict[str, Any]:
    """The ``schema_version`` 1 document of SPEC.md."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": report.generated_at.isoformat(),
        "subject": {
            "names": list(report.names),
            "emails": list(report.emails),
            "logins": list(report.subject.logins),
        },
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
        },
        "sources": [
            {
                "kind": s.kind,
                "location": s.location,
                "items": s.items,
                "blind_spots": list(s.blind_spots),
                "partial": s.partial,
            }
            for s in report.sources
        ],
        "rule_pack": {"name": report.rule_pack.name, "version": report.rule_pack.version},
        "areas": [
            {
                "id": a.area.id,
                "title": a.area.title,
                "evidence_count": len(a.items),
                "gap": a.gap,
                "hint": a.area.hint,
            }
            for a in report.areas
        ],
        "evidence": [_evidence_json(m) for m in report.evidence],
        "warnings": list(report.warnings),
    }


def _evidence_json(item: Mapped) -> dict[str, Any]:
    e = item.evidence
    return {
        "id": e.id,
        "kind": e.kind,
        "source": e.source,
        "repo": e.repo,
        "url": e.url,
        "title": e.title,
        "date": e.date.isoformat(),
        "stats": (
            {"additions": e.stats.additions, "deletions": e.stats.deletions, "files": e.stats.files}
            if e.stats
            else None
        ),
        "role": e.role,
        "areas": [{"area": m.area, "rule": m.rule, "reason": m.reason} for m in item.mappings],
    }


def json_schema() -> dict[str, Any]:
    """The JSON Schema the ``--format json`` output follows (shipped in the package)."""
    from importlib.resources import files

    data: dict[str, Any] = json.loads((files("miner.report") / "schema.json").read_text())
    return data
