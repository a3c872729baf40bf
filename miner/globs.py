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

from re2 import _re2

from miner.patterns import PatternProblem, compile_regex, set_matcher

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
    expression = _alternation(globs)
    if expression is None:
        import pathspec  # here: a report starts git before it needs a glob

        spec = pathspec.GitIgnoreSpec.from_lines(globs, backend="re2")
        # a lone surrogate (a file name GitHub sent as a bare "\udce9") cannot be UTF-8
        return lambda path: spec.match_file(path.encode("utf-8", "replace").decode())
    if not expression:
        return lambda path: False
    try:
        match = compile_regex(expression).Match
    except PatternProblem:
        for glob in globs:
            if found := _translate(glob):
                _checked(glob, found[0])  # names the glob at fault
        raise

    def matches(path: str) -> bool:
        data = path.encode("utf-8", "replace")  # a lone surrogate cannot be UTF-8
        return bool(match(_ANCHORED, data, 0, len(data))[0][0] >= 0)

    return matches


def globs_bits(lists: Sequence[tuple[str, ...]]) -> Callable[[str], int]:
    """Which of ``lists`` (each as ``globs_matcher`` reads it) a path matches, as bits
    (the first list is bit 0): one pass of an RE2 set over the path for every list
    without ``!`` lines, rather than one match per list. A list with ``!`` lines, or
    every list when RE2 gives up on a path (see ``set_matcher``), goes through
    ``globs_matcher``."""
    alone = [globs_matcher(globs) for globs in lists]
    every_list = range(len(lists))

    def each(path: str, which: Sequence[int] = every_list) -> int:
        return sum(1 << i for i in which if alone[i](path))

    in_set = [i for i, globs in enumerate(lists) if _alternation(globs)]  # "": matches none
    outside = [i for i, globs in enumerate(lists) if _alternation(globs) is None]
    expressions = [_alternation(lists[i]) or "" for i in in_set]
    find = set_matcher(expressions, anchored=True) if in_set else None
    if find is None:
        return each

    def bits(path: str) -> int:
        found = find(path)
        if found is None:
            return each(path)
        mask = each(path, outside) if outside else 0
        for n in found:
            mask |= 1 << in_set[n]
        return mask

    return bits


@lru_cache(maxsize=256)
def _alternation(globs: tuple[str, ...]) -> str | None:
    """One expression matching what the list matches, from the path's start ("" for a
    list that matches nothing), or None for a list with ``!`` lines, which only
    pathspec reads right (the last line that matches decides)."""
    kept = [(glob, *found) for glob in globs if (found := _translate(glob))]
    if not all(include for _, _, include in kept):
        for glob, regex, _ in kept:
            _checked(glob, regex)
        return None
    return "|".join(f"(?:{_DIR_GROUP.sub('/', r)})" for _, r, _ in kept)


def path_matches(path: str, globs: Sequence[str]) -> bool:
    return globs_matcher(tuple(globs))(path)


def _translate(glob: str) -> tuple[str, bool] | None:
    """pathspec's expression for ``glob`` and whether it includes (not ``!``); None
    for a line that matches nothing (blank, a comment)."""
    from pathspec.patterns.gitignore.base import GitIgnorePatternError
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

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
