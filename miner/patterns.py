"""Regular expressions from a rule pack, run by RE2: time linear in the text, always.

Python's own engine backtracks: ``^(a+)+$`` takes minutes on a 33-character commit
subject, and a rule pack is someone else's file. RE2 (the ``google-re2`` package)
never backtracks, so no pattern can hang a report. It does not run what needs
backtracking: look-ahead and look-behind (``(?=``, ``(?!``, ``(?<=``, ``(?<!``),
back-references (``\\1``, ``(?P=name)``), atomic groups and possessive quantifiers
(``(?>``, ``a*+``), conditionals (``(?(1)``), ``\\Z`` (write ``\\z``), ``(?x)``
and ``(?#...)``, and counts above 1000 (``a{1001}``). A pattern using one of them
fails the pack with its line. ``\\b``, ``\\w``, ``\\d`` and ``\\s`` are ASCII, as
in ``re.ASCII``; case-insensitive matching folds Unicode case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import re2
from re2 import _re2

Search = Callable[[str], bool]

_UNANCHORED = _re2.RE2.Anchor.UNANCHORED


class PatternProblem(ValueError):
    """A pattern RE2 cannot compile; the message says why."""


@lru_cache(maxsize=1024)  # a pack's pattern is checked at load, then needed again by its set
def compile_search(pattern: str, ignore_case: bool = False, multiline: bool = False) -> Search:
    """A function telling whether ``pattern`` occurs anywhere in a text.

    ``multiline``: ``^`` and ``$`` match at every line, as with ``re.MULTILINE``."""
    flagged = f"(?m){pattern}" if multiline else pattern
    match = compile_regex(flagged, ignore_case).Match

    def found(text: str) -> bool:
        # "replace": a lone surrogate from an undecodable commit message cannot be UTF-8
        data = text.encode("utf-8", "replace")
        return bool(match(_UNANCHORED, data, 0, len(data))[0][0] >= 0)

    return found


def compile_regex(pattern: str, ignore_case: bool = False) -> _re2.RE2:
    """``pattern`` compiled by RE2, without capture groups; ``PatternProblem`` says
    why RE2 cannot run it."""
    compiled = _re2.RE2(pattern.encode("utf-8", "surrogatepass"), re2_options(ignore_case))
    if not compiled.ok():
        raise PatternProblem(_reason(compiled.error()))
    return compiled


def re2_options(ignore_case: bool) -> re2.Options:
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.never_capture = True  # only "is it there" is asked: no groups to track
    options.log_errors = False  # the caller reports the problem, with its file:line
    return options


def compile_set(
    patterns: Sequence[str], ignore_case: bool = False, multiline: bool = False
) -> Callable[[str], int]:
    """A function telling which of ``patterns`` (each valid for ``compile_search``)
    occur in a text, as bits (the first pattern is bit 0): one pass of an RE2 set
    over the text, not one search per pattern. When RE2 gives up on a text (see
    ``set_matcher``), the patterns are searched one by one, as ``compile_search`` does."""
    patterns = tuple(patterns)

    def each(text: str) -> int:
        alone = (compile_search(p, ignore_case, multiline) for p in patterns)
        return sum(1 << i for i, found in enumerate(alone) if found(text))

    flag = "(?m)" if multiline else ""
    find = set_matcher([f"{flag}{p}" for p in patterns], ignore_case=ignore_case)
    if find is None:
        return each

    def hits(text: str) -> int:
        found = find(text)
        if found is None:
            return each(text)
        bits = 0
        for i in found:
            bits |= 1 << i
        return bits

    return hits


def set_matcher(
    expressions: Sequence[str], anchored: bool = False, ignore_case: bool = False
) -> Callable[[str], list[int] | None] | None:
    """A function giving the indices of ``expressions`` found in a text (from its start
    when ``anchored``), by one pass of an RE2 set; None from it when RE2 gives up on
    that text (its automaton out of memory), and None instead of a function when RE2
    cannot build the set. The set also holds the empty expression, found in every
    text: when it is missing from an answer, RE2 gave up."""
    anchor = _re2.RE2.Anchor.ANCHOR_START if anchored else _UNANCHORED
    together = _re2.Set(anchor, re2_options(ignore_case))
    for n, expression in enumerate(expressions):
        if together.Add(expression.encode("utf-8", "surrogatepass")) != n:
            return None
    everywhere = len(expressions)
    if together.Add(b"") != everywhere or not together.Compile():
        return None
    match = together.Match

    def found(text: str) -> list[int] | None:
        # "replace": a lone surrogate (an undecodable name) cannot be UTF-8
        indices = [int(i) for i in match(text.encode("utf-8", "replace"))]
        if everywhere not in indices:
            return None
        indices.remove(everywhere)
        return indices

    return found


def _reason(error: bytes | str) -> str:
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else error
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    if "perl operator" in text or "escape sequence" in text or "repetition" in text:
        text += (
            " (RE2 runs patterns in linear time: no look-around, back-references,"
            " atomic groups, possessive quantifiers, \\Z or counts above 1000)"
        )
    return text
