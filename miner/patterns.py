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
    over the text, not one search per pattern.

    The set also holds the empty pattern, found in every text: when RE2 gives up on a
    text (its automaton out of memory) that one is missing too, and the patterns are
    then searched one by one, as ``compile_search`` does."""
    patterns = tuple(patterns)

    def each(text: str) -> int:
        alone = (compile_search(p, ignore_case, multiline) for p in patterns)
        return sum(1 << i for i, found in enumerate(alone) if found(text))

    together = _re2.Set(_UNANCHORED, re2_options(ignore_case))
    flag = "(?m)" if multiline else ""
    added = [together.Add(f"{flag}{p}".encode("utf-8", "surrogatepass")) for p in patterns]
    everywhere = int(together.Add(b""))
    if added != list(range(len(patterns))) or everywhere != len(patterns):
        return each
    if not together.Compile():
        return each
    match = together.Match

    def hits(text: str) -> int:
        found = match(text.encode("utf-8", "replace"))
        if everywhere not in found:
            return each(text)
        bits = 0
        for i in found:
            bits |= 1 << int(i)
        return bits & ~(1 << everywhere)

    return hits


def _reason(error: bytes | str) -> str:
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else error
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    if "perl operator" in text or "escape sequence" in text or "repetition" in text:
        text += (
            " (RE2 runs patterns in linear time: no look-around, back-references,"
            " atomic groups, possessive quantifiers, \\Z or counts above 1000)"
        )
    return text
