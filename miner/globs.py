"""Path globs exactly as ``.gitignore`` reads them, shared by the rules engine and
the collectors.

The matching is the ``pathspec`` library's implementation of gitignore: a pattern
without a ``/`` (or with one only at its end) matches at any depth; one with a ``/``
before its end is anchored at the repository root; a trailing ``/`` (``docs/``)
matches a directory, so every file under it; ``**`` spans directories; ``*``, ``?``
and ``[...]`` (``[Dd]ockerfile``) stay inside one path segment; ``!`` re-includes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import pathspec
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

Matcher = Callable[[str], bool]
# pathspec names the "this matched a directory" group the same in every pattern; one
# alternation of several patterns cannot repeat a group name, and it is not needed here.
_DIR_GROUP = re.compile(r"\(\?P<ps_d>(/)\)")


@lru_cache(maxsize=256)
def globs_matcher(globs: tuple[str, ...]) -> Matcher:
    """Whether a path matches the list, as one ``.gitignore`` with these lines would
    ignore it. Without ``!`` lines, one compiled alternation of pathspec's expressions:
    each path is matched once, not once per pattern; with them, pathspec decides."""
    translated = [GitIgnoreSpecPattern.pattern_to_regex(g) for g in globs]
    kept = [(regex, include) for regex, include in translated if regex is not None]
    if not all(include for _, include in kept):
        return pathspec.GitIgnoreSpec.from_lines(globs).match_file
    if not kept:
        return lambda path: False
    match = re.compile("|".join(f"(?:{_DIR_GROUP.sub('/', r)})" for r, _ in kept)).match
    return lambda path: match(path) is not None


def path_matches(path: str, globs: Sequence[str]) -> bool:
    return globs_matcher(tuple(globs))(path)
