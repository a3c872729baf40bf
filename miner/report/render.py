"""Render a ``Report`` through Jinja2 templates (Markdown, HTML) or as JSON."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from miner.model import Mapped, Report

if TYPE_CHECKING:
    from jinja2 import Environment

FORMATS = ("md", "html", "json")
SCHEMA_VERSION = 1
STRONGEST = 5
LISTED = 25
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per item


def render(report: Report, fmt: str, template: str = "report") -> str:
    if fmt == "json":
        return json_text(to_json_data(report))
    suffix = "md" if fmt == "md" else "html"
    env = _environment()
    return env.get_template(f"{template}.{suffix}.j2").render(**_context(report))


def json_text(data: dict[str, Any]) -> str:
    """Indented JSON with each list item on one line: readable, diffable, and
    written by the C encoder (an ``indent`` would take the slow Python one)."""
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
    return "\n".join(out) + "\n"


def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("miner.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["day"] = lambda d: d.strftime("%Y-%m-%d")
    env.filters["size"] = size_text
    return env


def md_escape(text: str) -> str:
    """Text safe inside Markdown prose, links and table cells."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def size_text(item: Mapped) -> str:
    stats = item.evidence.stats
    if stats is None or item.evidence.kind in ("note", "release"):
        return ""
    return (
        f"+{stats.additions}/\u2212{stats.deletions}, {stats.files} file{'s' * (stats.files != 1)}"
    )


def _context(report: Report) -> dict[str, Any]:
    return {
        "r": report,
        "last_day": report.period.end - timedelta(seconds=1),
        "strongest": STRONGEST,
        "listed": LISTED,
        "blind_spots": [s for src in report.sources for s in src.blind_spots],
        "gaps": [a for a in report.areas if a.gap],
        "reasons": _reasons,
        "size": size_text,
        "timeline": _timeline(report),
    }


def _reasons(item: Mapped, area: str) -> str:
    return "; ".join(dict.fromkeys(m.reason for m in item.mappings if m.area == area))


def _months(start: datetime, end: datetime) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while datetime(year, month, 1, tzinfo=start.tzinfo) < end:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _timeline(report: Report) -> dict[str, Any]:
    """Evidence per area per month, laid out for the inline SVG chart."""
    months = _months(report.period.start, report.period.end)
    rows: list[dict[str, Any]] = []
    peak = 1
    for summary in report.areas:
        per_month = Counter((m.evidence.date.year, m.evidence.date.month) for m in summary.items)
        counts = [per_month[m] for m in months]
        peak = max([peak, *counts])
        rows.append({"area": summary.area, "counts": counts})
    return {"months": [f"{y}-{m:02d}" for y, m in months], "rows": rows, "peak": peak}


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
