"""Path globs as in ``.gitignore``, shared by the rules engine and the collectors.

A pattern without ``/`` matches a file name at any depth; one with ``/`` matches
the whole path from the repository root; ``**`` spans directories, ``*`` and
``?`` stay inside one path segment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=1024)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """The regular expression a path glob stands for (see the module docstring)."""
    anchored = "/" in pattern.rstrip("/")
    body = pattern.lstrip("/")
    out: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:[^/\n]+/)*")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/\n]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/\n]")
            i += 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"{prefix}{''.join(out)}")


@lru_cache(maxsize=256)
def globs_regex(globs: Sequence[str]) -> re.Pattern[str]:
    """One expression for a list of globs, so each path is matched once."""
    return re.compile("|".join(f"(?:{glob_regex(g).pattern})" for g in globs))


def path_matches(path: str, globs: Sequence[str]) -> bool:
    return globs_regex(tuple(globs)).fullmatch(path) is not None
