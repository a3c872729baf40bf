"""Render a promotion case (``miner promo``) as Markdown, HTML or JSON.

The same escaping as the quarterly report: every text is someone else's (commit
messages, file names, notes, the case file, GitHub) and is escaped for the format
it lands in; only ``http(s)`` addresses become links.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from miner.errors import UsageError
from miner.model import AreaSummary, Mapped
from miner.promo.build import Expertise, Promo, Reviewed, Share, component_name
from miner.report.render import _context, json_text, render_template, to_json_data

EXPERTISE_ROWS = 12  # components shown; the JSON has them all
_REVIEW_DETAIL = re.compile(
    r" \((?:approved|changes requested)?(?:, )?(?:\d+ line comments?)?\)$"
)  # what the collector adds to a review's title
PROJECT_ITEMS = 8  # a key project's items listed; the rest are in the appendix


def render_promo(promo: Promo, fmt: str) -> str:
    """``promo`` as Markdown, HTML or JSON; any other name is a usage error."""
    if fmt == "json":
        return json_text(promo_json_data(promo))
    if fmt in ("md", "html"):
        return render_template(f"promo.{fmt}.j2", _promo_context(promo))
    raise UsageError(f"unknown format {fmt!r}", "use one of md, html, json")


def tally(summary: AreaSummary) -> str:
    """One factual line: how many of each kind, with lines where they mean something."""
    kinds: Counter[str] = Counter()
    lines: dict[str, list[int]] = {}
    for m in summary.items:
        e = m.evidence
        kind: str = e.kind
        if kind == "pull_request":
            kind = "merged PR" if e.state == "merged" else "open or closed PR"
        kinds[kind] += 1
        if e.stats and kind in ("commit", "merged PR"):
            total = lines.setdefault(kind, [0, 0])
            total[0] += e.stats.additions
            total[1] += e.stats.deletions
    parts = []
    for kind, label in _LABELS:
        n = kinds[kind]
        if not n:
            continue
        text = f"{n} {label}{'s' * (n != 1)}"
        if kind in lines:
            text += f" (+{lines[kind][0]:,}/\u2212{lines[kind][1]:,})"
        parts.append(text)
    return ", ".join(parts) or "nothing in this period"


_LABELS = (
    ("merged PR", "merged PR"),
    ("open or closed PR", "other PR"),
    ("commit", "commit"),
    ("design_doc", "design doc"),
    ("release", "release"),
    ("review", "review"),
    ("review_comment", "review comment"),
    ("issue", "issue"),
    ("issue_comment", "issue comment"),
    ("note", "note"),
)


def share_text(s: Share) -> str:
    if not s.commits:
        return "—"
    return f"{s.commits}/{s.total_commits} ({s.commit_share:.0%}), #{s.rank} of {s.authors}"


def lines_text(s: Share) -> str:
    if s.line_share is None:
        return "—"
    return f"{s.line_share:.0%}, #{s.lines_rank} of {s.authors}"


def reviews_text(r: Reviewed | None) -> str:
    """``3 of 8 (38%)``: the pull requests by others merged into a component in the
    period that the subject reviewed; "not collected" without GitHub, never 0."""
    if r is None:
        return "not collected"
    if not r.merged:
        return "—"
    return f"{r.reviewed} of {r.merged} ({r.reviewed / r.merged:.0%})"


def _promo_context(promo: Promo) -> dict[str, Any]:
    """The report's context (escaping helpers, link references, sources, rules, the
    timeline) and the case's own parts."""
    r = promo.report
    context = _context(r)
    if promo.case.skipped:
        context["blind_spots"] = [*context["blind_spots"], promo.case.skipped]
    return {
        **context,
        "p": promo,
        "tally": tally,
        "share_text": share_text,
        "lines_text": lines_text,
        "reviews_text": reviews_text,
        "expertise_rows": promo.expertise[:EXPERTISE_ROWS],
        "reviews": _reviews(r.evidence),
        "co_authored": [
            m for m in r.evidence if m.evidence.kind == "commit" and m.evidence.co_authors
        ],
        "answers": [m for m in r.evidence if m.evidence.kind == "issue_comment"],
        "project_items": PROJECT_ITEMS,
        "component_name": component_name,
    }


def _reviews(items: tuple[Mapped, ...]) -> list[dict[str, Any]]:
    """The subject's reviews per pull request, newcomers' marked."""
    per: dict[str, dict[str, Any]] = {}
    for m in items:
        e = m.evidence
        if e.kind not in ("review", "review_comment"):
            continue
        where = (e.url or e.id).split("#", 1)[0]
        entry = per.setdefault(
            where,
            {"title": e.title, "url": where, "newcomer": False, "reviews": 0, "comments": 0},
        )
        entry["newcomer"] |= bool(e.newcomer_author)
        if e.kind == "review":
            entry["reviews"] += 1
            entry["title"] = _REVIEW_DETAIL.sub("", e.title.removeprefix("Review of "))
        else:
            entry["comments"] += 1
    return sorted(per.values(), key=lambda x: (-x["reviews"], -x["comments"], x["url"]))


def promo_json_data(promo: Promo) -> dict[str, Any]:
    """The report's ``schema_version`` 1 document plus the case's own keys (additive)."""
    data = to_json_data(promo.report)
    data["level"] = promo.level
    data["case"] = {
        "path": promo.case.path.name,  # a document shows no local path
        "summary": promo.case.summary,
        "pinned": sorted(promo.pinned),
        "hidden": [{"id": h.id, "why": h.why} for h in promo.hidden],
        "plan": {area: text for area, (text, _) in promo.case.plan.items()},
    }
    data["projects"] = [
        {
            "id": cp.project.id,
            "name": cp.name,
            "impact": cp.impact,
            "signal": cp.project.signal,
            "start": cp.project.start.isoformat(),
            "end": cp.project.end.isoformat(),
            "additions": cp.project.additions,
            "deletions": cp.project.deletions,
            "areas": list(cp.project.areas),
            "collaborators": list(cp.project.collaborators),
            "evidence": [m.evidence.id for m in cp.project.items],
        }
        for cp in promo.projects
    ]
    data["expertise"] = [_expertise_json(x) for x in promo.expertise]
    data["peers"] = [
        {
            "name": peer.name,
            **({"login": peer.login} if peer.login else {}),
            **({"email": peer.email} if promo.show_emails and peer.email else {}),
            "reasons": list(peer.reasons),
            "evidence": list(peer.evidence),
        }
        for peer in promo.peers
    ]
    data["gaps"] = [
        {"area": g.area.area.id, "count": len(g.area.items), "plan": g.plan} for g in promo.gaps
    ]
    data["warnings"] = [
        *data.get("warnings", []),
        *promo.warnings(promo.case.path.name),
        *([promo.case.skipped] if promo.case.skipped else []),
    ]
    return data


def _expertise_json(x: Expertise) -> dict[str, Any]:
    def share(s: Share) -> dict[str, Any]:
        return {
            "commits": s.commits,
            "total_commits": s.total_commits,
            "rank": s.rank,
            "authors": s.authors,
            "lines": s.lines,
            "total_lines": s.total_lines,
            "lines_rank": s.lines_rank,
        }

    return {
        "repo": x.repo,
        "component": x.component,
        "main_author": x.main_author,
        "period": share(x.period),
        "history": share(x.history),
        "reviews": (
            {"reviewed": x.reviews.reviewed, "merged": x.reviews.merged} if x.reviews else None
        ),
    }
