"""The one rule for what a document may show as a link (``miner.links``)."""

from __future__ import annotations

import pytest

from miner.links import http_link


@pytest.mark.parametrize(
    ("value", "link"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("  HTTPS://example.com/a\n", "HTTPS://example.com/a"),
        ("http://example.com:8080/My Design.md", "http://example.com:8080/My Design.md"),
        ("https://[::1]/x", "https://[::1]/x"),
        (" JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("ftp://example.com/a", None),
        ("example.com/a", None),
        ("http://", None),  # no host: was a link in a report before one rule owned this
        ("https:///etc/passwd", None),
        ("https://user@/x", None),
        ("https:/no-host", None),
        ("https://[::1/x", None),  # unreadable: an unclosed bracket
        ("https://host:80", "https://host:80"),
        ("https://host:http/", None),
        ("https://:80/", None),
        ("https://a@b@example.com/", None),
        ("https://example.com\\@evil.example/", None),  # a browser reads the backslash as /
        ("https://example.com/a\tb", None),
        ("https://example.com/\u202eexe.txt", None),  # reads backwards from here
        ("https://example.com/a\x85b", None),  # a C1 control
        ("https://exa\u200bmple.com/", None),  # a zero-width space hides in the host
        (42, None),
        (None, None),
    ],
)
def test_only_an_http_address_with_a_host_and_nothing_unprintable_is_a_link(
    value: object, link: str | None
) -> None:
    assert http_link(value) == link
