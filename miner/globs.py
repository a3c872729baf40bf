"""Path globs exactly as ``.gitignore`` reads them, shared by the rules engine and
the collectors.

The matching is the ``pathspec`` library's implementation of gitignore: a pattern
without a ``/`` (or with one only at its end) matches at any depth; one with a ``/``
before its end is anchored at the repository root; a trailing ``/`` (``docs/``)
matches a directory, so every file under it; ``**`` spans directories; ``*``, ``?``
and ``[...]`` (``[Dd]ockerfile``) stay inside one path segment; ``!`` re-includes.

A glob comes from a rule pack, someone else's file, so its expression runs in RE2
(see ``miner.patterns``): Python's engine backtracks, and ``****...X`` on a path of
30 characters would take minutes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import pathspec
from pathspec.patterns.gitignore.base import GitIgnorePatternError
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern
from re2 import _re2

from miner.patterns import PatternProblem, compile_regex

Matcher = Callable[[str], bool]
# pathspec names the "this matched a directory" group the same in every pattern; one
# alternation of several patterns cannot repeat a group name, and it is not needed here.
_DIR_GROUP = re.compile(r"\(\?P<ps_d>(/)\)")
_ANCHORED = _re2.RE2.Anchor.ANCHOR_START


@lru_cache(maxsize=256)
def globs_matcher(globs: tuple[str, ...]) -> Matcher:
    """Whether a path matches the list, as one ``.gitignore`` with these lines would
    ignore it. Without ``!`` lines, one compiled alternation of pathspec's expressions:
    each path is matched once, not once per pattern; with them, pathspec decides, with
    its RE2 backend. ``PatternProblem``: a glob that is not one, or that RE2 cannot run."""
    kept = [(glob, *found) for glob in globs if (found := _translate(glob))]
    if not all(include for _, _, include in kept):
        for glob, regex, _ in kept:
            _checked(glob, regex)
        return pathspec.GitIgnoreSpec.from_lines(globs, backend="re2").match_file
    if not kept:
        return lambda path: False
    try:
        compiled = compile_regex("|".join(f"(?:{_DIR_GROUP.sub('/', r)})" for _, r, _ in kept))
    except PatternProblem:
        for glob, regex, _ in kept:
            _checked(glob, regex)  # names the glob at fault
        raise
    match = compiled.Match

    def matches(path: str) -> bool:
        data = path.encode("utf-8", "replace")  # a lone surrogate cannot be UTF-8
        return bool(match(_ANCHORED, data, 0, len(data))[0][0] >= 0)

    return matches


def path_matches(path: str, globs: Sequence[str]) -> bool:
    return globs_matcher(tuple(globs))(path)


def _translate(glob: str) -> tuple[str, bool] | None:
    """pathspec's expression for ``glob`` and whether it includes (not ``!``); None
    for a line that matches nothing (blank, a comment)."""
    try:
        regex, include = GitIgnoreSpecPattern.pattern_to_regex(glob)
    except GitIgnorePatternError as exc:
        raise PatternProblem(f"{glob[:40]!r} is not a glob") from exc
    return None if regex is None else (str(regex), bool(include))


def _checked(glob: str, regex: str) -> None:
    try:
        compile_regex(_DIR_GROUP.sub("/", regex))
    except PatternProblem as exc:
        raise PatternProblem(f"glob {glob[:40]!r} cannot be matched: {exc}") from exc
