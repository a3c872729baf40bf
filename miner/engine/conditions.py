"""Conditions over evidence fields, compiled once from a rule pack's YAML.

A condition is a mapping whose keys must all hold. Keys:

- ``kind``, ``role``, ``source``, ``review_state``, ``state`` (open, closed, merged):
  a value or a list of values;
- ``paths_any``: at least one touched path matches one of the globs;
- ``paths_all``: the item touches paths and every one matches one of the globs;
- ``title`` (first line) and ``text`` (title and message): a regular expression,
  searched case-insensitively;
- ``labels_any``: at least one label equals one of these, ignoring case;
- ``min_changes``/``max_changes`` (lines added plus removed), ``min_files``/``max_files``;
- ``min_comments`` (a review's line comments); ``min_review_rounds``/``max_review_rounds``
  (a pull request: commits others reviewed; a review: commits the subject had reviewed
  on that pull request by then);
- ``home``, ``newcomer_author``, ``co_authored``: true or false;
- ``any`` / ``all``: a list of conditions; ``not``: one condition.

Globs: a pattern without ``/`` matches a file name at any depth (as in
``.gitignore``); one with ``/`` matches the whole path from the repository root;
``**`` spans directories, ``*`` and ``?`` stay inside one path segment. Globs are
case-sensitive, as paths in Git are (list `README*` and `readme*` to catch both).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from miner.globs import globs_regex
from miner.model import KINDS, Mapped
from miner.patterns import PatternProblem, Search, compile_search

Test = Callable[["Facts"], bool]


class PathClassifier:
    """Which glob lists each path matches, worked out once per distinct path.

    Every ``paths_any`` / ``paths_all`` list of a pack gets a bit; a path's mask
    has the bits of the lists it matches. Paths repeat across commits, so an
    item's paths cost a few dictionary look-ups instead of a regex per rule."""

    def __init__(self) -> None:
        self._lists: list[re.Pattern[str]] = []
        self._bits: dict[tuple[str, ...], int] = {}
        self._masks: dict[str, int] = {}

    def bit(self, globs: tuple[str, ...]) -> int:
        if globs not in self._bits:
            self._bits[globs] = 1 << len(self._lists)
            self._lists.append(globs_regex(globs))
            self._masks.clear()
        return self._bits[globs]

    def mask(self, path: str) -> int:
        found = self._masks.get(path)
        if found is None:
            found = 0
            for n, pattern in enumerate(self._lists):
                if pattern.fullmatch(path):
                    found |= 1 << n
            self._masks[path] = found
        return found

    def masks(self, paths: tuple[str, ...]) -> tuple[int, int]:
        """(bits some path has, bits every path has)."""
        some, every = 0, -1
        for path in paths:
            m = self.mask(path)
            some |= m
            every &= m
        return some, every if paths else 0


@dataclass(frozen=True)
class Facts:
    """The fields a condition may look at, flattened from one item of evidence."""

    kind: str
    source: str
    role: str
    title: str
    text: str
    paths: tuple[str, ...]
    some_paths: int  # PathClassifier bits matched by at least one path
    all_paths: int  # PathClassifier bits matched by every path
    labels: tuple[str, ...]
    changes: int
    files: int
    home: bool
    review_state: str | None
    state: str | None
    newcomer_author: bool | None
    co_authored: bool
    comments: int
    review_rounds: int

    @classmethod
    def of(cls, item: Mapped, paths: PathClassifier) -> Facts:
        e = item.evidence
        stats = e.stats
        some, every = paths.masks(e.paths)
        return cls(
            kind=e.kind,
            source=e.source,
            role=e.role,
            title=e.title,
            text=f"{e.title}\n{e.message}",
            paths=e.paths,
            some_paths=some,
            all_paths=every,
            labels=e.labels,
            changes=stats.changes if stats else 0,
            files=stats.files if stats else len(e.paths),
            home=item.home,
            review_state=e.review_state,
            state=e.state,
            newcomer_author=e.newcomer_author,
            co_authored=bool(e.co_authors) or e.role == "co-author",
            comments=e.comments,
            review_rounds=e.review_rounds,
        )


ROLES = ("author", "co-author", "reviewer", "commenter")
REVIEW_STATES = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING")
CHOICES: dict[str, tuple[str, ...] | None] = {
    "kind": KINDS,
    "role": ROLES,
    "source": None,
    "review_state": REVIEW_STATES,
    "state": ("open", "closed", "merged"),
}
BOOLEANS = ("home", "newcomer_author", "co_authored")
NUMBERS = {
    "min_changes": ("changes", True),
    "max_changes": ("changes", False),
    "min_files": ("files", True),
    "max_files": ("files", False),
    "min_comments": ("comments", True),
    "min_review_rounds": ("review_rounds", True),
    "max_review_rounds": ("review_rounds", False),
}
GLOBS = ("paths_any", "paths_all")
PATTERNS = ("title", "text")
KEYS = (
    *CHOICES,
    *BOOLEANS,
    *NUMBERS,
    *GLOBS,
    *PATTERNS,
    "labels_any",
    "any",
    "all",
    "not",
)


class ConditionProblem(Exception):
    """A condition that cannot be compiled; ``line`` points into the YAML."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def compile_condition(
    node: Any, line: int, line_of: Callable[[Any, str], int], paths: PathClassifier
) -> Test:
    """Compile one condition mapping; raise ``ConditionProblem`` for the first fault in it.

    ``line_of(mapping, key)`` gives the YAML line of a key, for messages.
    """
    if not isinstance(node, dict) or not node:
        raise ConditionProblem("a condition must be a non-empty mapping of keys to values", line)
    # Cheap tests first: a kind or a path bit often settles it before any regex runs.
    keys = sorted(node, key=lambda k: _COST.get(k, 1))
    tests = [_compile_key(node, key, line_of(node, key), line_of, paths) for key in keys]
    return _every(tests)


_COST = {"title": 3, "text": 4, "any": 2, "all": 2, "not": 2}


# Plain loops rather than all()/any() over generators: these run for every item and rule.
def _every(tests: list[Test]) -> Test:
    if len(tests) == 1:
        return tests[0]

    def every(facts: Facts) -> bool:
        for test in tests:  # noqa: SIM110 - a plain loop is faster, and this is the hot path
            if not test(facts):
                return False
        return True

    return every


def _some(tests: list[Test]) -> Test:
    def some(facts: Facts) -> bool:
        for test in tests:  # noqa: SIM110 - a plain loop is faster, and this is the hot path
            if test(facts):
                return True
        return False

    return some


def _compile_key(
    node: dict[str, Any], key: str, line: int, line_of: Any, paths: PathClassifier
) -> Test:
    value = node[key]
    if key in CHOICES:
        return _choice(key, value, line)
    if key in BOOLEANS:
        if not isinstance(value, bool):
            raise ConditionProblem(f"'{key}' takes true or false, not {value!r}", line)
        return lambda f: getattr(f, key) is value
    if key in NUMBERS:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConditionProblem(f"'{key}' takes a whole number, not {value!r}", line)
        field, at_least = NUMBERS[key]
        if at_least:
            return lambda f: int(getattr(f, field)) >= value
        return lambda f: int(getattr(f, field)) <= value
    if key in GLOBS:
        bit = paths.bit(_strings(key, value, line))
        if key == "paths_any":
            return lambda f: f.some_paths & bit != 0
        return lambda f: f.all_paths & bit != 0
    if key in PATTERNS:
        found = _regex(key, value, line)
        return lambda f: found(getattr(f, key))
    if key == "labels_any":
        wanted = {s.lower() for s in _strings(key, value, line)}
        return lambda f: any(label.lower() in wanted for label in f.labels)
    if key in ("any", "all"):
        if not isinstance(value, list) or not value:
            raise ConditionProblem(f"'{key}' takes a non-empty list of conditions", line)
        parts = [compile_condition(v, line, line_of, paths) for v in value]
        return _some(parts) if key == "any" else _every(parts)
    if key == "not":
        inner = compile_condition(value, line, line_of, paths)
        return lambda f: not inner(f)
    known = ", ".join(KEYS)
    raise ConditionProblem(f"unknown condition key '{key}' (known: {known})", line)


def _choice(key: str, value: Any, line: int) -> Test:
    values = _strings(key, value, line)
    allowed = CHOICES[key]
    for v in values:
        if allowed is not None and v not in allowed:
            raise ConditionProblem(
                f"'{key}' has unknown value '{v}' (one of: {', '.join(allowed)})", line
            )
    chosen = frozenset(values)
    field = attrgetter(key)
    return lambda f: field(f) in chosen


def _strings(key: str, value: Any, line: int) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v for v in items):
        raise ConditionProblem(f"'{key}' takes a string or a list of strings", line)
    return tuple(items)


def _regex(key: str, value: Any, line: int) -> Search:
    if not isinstance(value, str) or not value:
        raise ConditionProblem(f"'{key}' takes a regular expression", line)
    try:
        return compile_search(value, ignore_case=True, multiline=True)
    except PatternProblem as exc:
        raise ConditionProblem(f"'{key}' is not a valid regular expression: {exc}", line) from exc
