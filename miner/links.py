"""Which addresses a document may show as links.

Every address in a report was written by someone else (a notes file, a remote's
URL, a GitHub payload), so one rule decides what becomes a link: ``http_link``.
The report percent-encodes what it accepts; the notes file and the GitHub collector
add their own narrower checks on top.
"""

from __future__ import annotations

import re

# http or https in any case, then a host: after any user info, a bracketed IPv6
# address or a name, then perhaps a port, and the end or a path, query or fragment.
# No backslash before the path: a browser reads it as a slash, so the host it goes
# to would not be the one read here. A pattern, not urlsplit: a report checks each
# item's address, and this is ten times faster.
_HTTP_WITH_HOST = re.compile(
    r"https?://(?:[^/?#@\\]*@)?(?:\[[0-9A-Fa-f:.]+\]|[^/?#@:\[\]\\]+)(?::[0-9]*)?(?:[/?#]|\Z)",
    re.IGNORECASE,
)


def http_link(value: object) -> str | None:
    """``value`` trimmed when it is an ``http(s)`` address with a host, else None.

    The scheme counts in any case, so ``HTTPS://`` is a link and `` JavaScript:`` is
    not. Every character must print: a control, bidirectional-override or line-break
    character could make the link read otherwise than it goes (a plain space may
    stand inside; the report percent-encodes it)."""
    if not isinstance(value, str):
        return None
    link = value.strip()
    if not link.isprintable() or _HTTP_WITH_HOST.match(link) is None:
        return None
    return link
