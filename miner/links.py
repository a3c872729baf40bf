"""Which addresses a document may show as links.

Every address in a report was written by someone else (a notes file, a remote's
URL, a GitHub payload), so one rule decides what becomes a link: ``http_link``.
The report percent-encodes what it accepts; the notes file and the GitHub collector
add their own narrower checks on top.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def http_link(value: object) -> str | None:
    """``value`` trimmed when it is an ``http(s)`` address with a host, else None.

    The scheme counts in any case, so ``HTTPS://`` is a link and `` JavaScript:`` is
    not. Every character must print: a control, bidirectional-override or line-break
    character could make the link read otherwise than it goes (a plain space may
    stand inside; the report percent-encodes it)."""
    if not isinstance(value, str):
        return None
    link = value.strip()
    if not link.isprintable():
        return None
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme.casefold() not in ("http", "https") or not host:
        return None
    return link
