"""Conditions over evidence fields, compiled once from a rule pack's YAML.

A condition is a mapping whose keys must all hold. Keys:

- ``kind``, ``role``, ``source``, ``review_state``, ``state`` (open, closed, merged):
  a value or a list of values;
- ``paths_any``: at least one touched path matches one of the globs;
- ``paths_all``: the item touches paths and every one matches one of the globs;
- ``title`` (first line) and ``text`` (title and message): a regular expression,
  searched case-insensitively;
- ``labels_any``: at least one label equals one of these, ignoring case;
- ``min_changes``/``max_changes``: lines added plus removed, leaving out the files the
  pack's ``size.excludes`` names (lockfiles, generated and vendored files);
  ``min_product_changes``/``max_product_changes``: the same in product code only (also
  leaving out ``size.non_product``: docs, tests, examples, config);
  ``min_product_net``/``max_product_net``: product lines added minus removed (may be
  below zero); ``min_files``/``max_files``;
- ``changes_in`` / ``additions_in``: ``{paths: GLOBS, min: N, max: N}`` (min, max or
  both): the lines added plus removed (or only added) in the touched files that match;
- ``min_comments`` (a review's line comments); ``min_review_rounds``/``max_review_rounds``
  (a pull request: commits others reviewed; a review: commits the subject had reviewed
  on that pull request by then);
- ``home``, ``newcomer_author``, ``co_authored``: true or false;
- ``any`` / ``all``: a list of conditions; ``not``: one condition.

Globs match exactly as lines of a ``.gitignore`` do (see ``miner.globs``). They are
case-sensitive, as paths in Git are (``[Rr]eadme*`` catches both).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any, TypeVar

from miner.globs import globs_bits, globs_matcher
from miner.model import KINDS, ROLES, Mapped
from miner.patterns import PatternProblem, Search, compile_search, compile_set

Test = Callable[["Facts"], bool]
T = TypeVar("T")


class PathClassifier:
    """Which glob lists each path matches, worked out once per distinct path.

    Every ``paths_any`` / ``paths_all`` list of a pack gets a bit; a path's mask
    has the bits of the lists it matches. Paths repeat across commits, so an
    item's paths cost a few dictionary look-ups instead of a regex per rule.
    ``excluded`` and ``non_product`` are the bits of the pack's ``size`` lists.

    The pack's ``title`` and ``text`` patterns get bits too (one set per key): an item's
    title and text are each searched once for all of them (see ``compile_set``).

    One is made per pack (and the packs it extends): it also holds the constants of
    every compiled condition, so that the pack's conditions can be joined into one
    function (see ``select``)."""

    def __init__(self) -> None:
        self._lists: list[tuple[str, ...]] = []
        self._bits: dict[tuple[str, ...], int] = {}
        self._masks: dict[str, int] = {}
        self._classify: Callable[[str], int] | None = None
        self.excluded = 0
        self.non_product = 0
        self._patterns: dict[str, list[str]] = {key: [] for key in PATTERNS}
        self._sets: dict[str, Callable[[str], int]] = {}
        # The values the conditions' expressions read (``C`` in them; see
        # ``compile_condition``): one list for every condition of the pack.
        self.constants: list[Any] = []
        self.keys = 0  # condition keys compiled so far (see ``MAX_KEYS``)

    def pattern(self, key: str, pattern: str) -> int:
        """The bit of a ``key`` ("title" or "text") pattern, already checked."""
        listed = self._patterns[key]
        listed.append(pattern)
        self._sets.clear()
        return 1 << (len(listed) - 1)

    def ready(self) -> None:
        """Build the pattern sets and the path classifier now (they are built when
        first needed otherwise): a pack is loaded on a thread of its own, while the
        thread that maps items has other work."""
        for key in PATTERNS:
            if key not in self._sets:
                self._sets[key] = compile_set(self._patterns[key], True, True)
        if self._classify is None:
            self._classify = globs_bits(self._lists)

    def hits(self, key: str, text: str) -> int:
        """The bits of the ``key`` patterns found in ``text``."""
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = compile_set(self._patterns[key], True, True)
        return found(text)

    def bit(self, globs: tuple[str, ...]) -> int:
        if globs not in self._bits:
            globs_matcher(globs)  # a glob that is not one fails here, at its rule
            self._bits[globs] = 1 << len(self._lists)
            self._lists.append(globs)
            self._masks.clear()
            self._classify = None
        return self._bits[globs]

    def mask(self, path: str) -> int:
        found = self._masks.get(path)
        if found is None:
            if self._classify is None:
                self._classify = globs_bits(self._lists)
            found = self._masks[path] = self._classify(path)
        return found


# Not frozen: one is made for every item mapped, and a frozen dataclass sets each of
# its 24 fields through ``object.__setattr__``. Nothing changes a Facts once made.
@dataclass(slots=True)
class Facts:
    """The fields a condition may look at, flattened from one item of evidence."""

    kind: str
    source: str
    role: str
    title: str
    text: str
    paths: tuple[str, ...]
    title_hits: int  # PathClassifier bits of the title patterns found in the title
    text_hits: int  # the same for the text patterns in the text
    some_paths: int  # PathClassifier bits matched by at least one path
    all_paths: int  # PathClassifier bits matched by every path
    masks: tuple[int, ...]  # each path's bits
    lines: tuple[tuple[int, int], ...]  # each path's (added, removed)
    labels: tuple[str, ...]
    changes: int  # lines added plus removed, less the pack's size.excludes
    product_changes: int  # the same in product code only
    product_net: int  # lines added minus lines removed in product code
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
        masks = tuple(map(paths.mask, e.paths))
        some, every = 0, -1
        for m in masks:
            some |= m
            every &= m
        lines = _lines(
            e.paths, e.file_lines, stats.additions if stats else 0, stats.deletions if stats else 0
        )
        changes = product = net = 0
        dropped, outside = paths.excluded, paths.excluded | paths.non_product
        for m, (added, removed) in zip(masks, lines, strict=True):
            if not m & dropped:
                changes += added + removed
                if not m & outside:
                    product += added + removed
                    net += added - removed
        if not e.paths and stats:
            changes = stats.changes
        text = f"{e.title}\n{e.message}"
        return cls(
            kind=e.kind,
            source=e.source,
            role=e.role,
            title=e.title,
            text=text,
            title_hits=paths.hits("title", e.title),
            text_hits=paths.hits("text", text),
            paths=e.paths,
            some_paths=some,
            all_paths=every if masks else 0,
            masks=masks,
            lines=lines,
            labels=e.labels,
            changes=changes,
            product_changes=product,
            product_net=net,
            files=stats.files if stats else len(e.paths),
            home=item.home,
            review_state=e.review_state,
            state=e.state,
            newcomer_author=e.newcomer_author,
            co_authored=bool(e.co_authors) or e.role == "co-author",
            comments=e.comments,
            review_rounds=e.review_rounds,
        )

    def lines_in(self, bit: int, added_only: bool) -> int:
        """Lines added (and removed, unless ``added_only``) in the paths with ``bit``."""
        total = 0
        for m, (added, removed) in zip(self.masks, self.lines, strict=True):
            if m & bit:
                total += added if added_only else added + removed
        return total


def _lines(
    paths: tuple[str, ...], given: tuple[tuple[int, int], ...], added: int, removed: int
) -> tuple[tuple[int, int], ...]:
    """Each path's (added, removed): as given, else the totals spread evenly over the
    paths (a source that gives no per-file counts), the first paths taking the rest."""
    if len(given) == len(paths):
        return given
    n = len(paths)
    if not n:
        return ()
    return tuple((added // n + (i < added % n), removed // n + (i < removed % n)) for i in range(n))


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
    "min_product_changes": ("product_changes", True),
    "max_product_changes": ("product_changes", False),
    "min_product_net": ("product_net", True),
    "max_product_net": ("product_net", False),
    "min_files": ("files", True),
    "max_files": ("files", False),
    "min_comments": ("comments", True),
    "min_review_rounds": ("review_rounds", True),
    "max_review_rounds": ("review_rounds", False),
}
GLOBS = ("paths_any", "paths_all")
PATTERNS = ("title", "text")
LINES = {"changes_in": False, "additions_in": True}  # key: counts added lines only
KEYS = (
    *CHOICES,
    *BOOLEANS,
    *NUMBERS,
    *GLOBS,
    *PATTERNS,
    *LINES,
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
) -> tuple[Test, str]:
    """Compile one condition mapping; raise ``ConditionProblem`` for the first fault in it.

    ``line_of(mapping, key)`` gives the YAML line of a key, for messages.

    The condition becomes one Python expression over a ``Facts`` (``f``): every item
    is tested against every rule, and an expression costs a fraction of a closure per
    key. Nothing from the pack is ever written into an expression: keys are checked
    against ``KEYS`` first and become fixed field names, and every value (a number, a
    set of choices, a bit) is read from ``C``, the pack's list of constants
    (``paths.constants``). Nesting and size are bounded (``MAX_NESTING``, ``MAX_KEYS``),
    far below Python's own limits. Returns the test and its expression (for ``select``)."""
    expression = _expression(node, line, line_of, paths, paths.constants)
    try:
        return _compiled(f"lambda f: {expression}", paths.constants), expression
    except CompileProblem as exc:
        raise ConditionProblem(str(exc), line) from exc


def select(
    expressions: Sequence[str], values: Sequence[T], paths: PathClassifier
) -> Callable[[Facts], tuple[T, ...]]:
    """One function giving the ``values`` whose expression (from ``compile_condition``
    with these ``paths``) holds for an item: a pack's rules tested in one call."""
    if not expressions:
        return lambda f: ()
    tested = ", ".join(expressions)
    chosen: Callable[[Facts], tuple[T, ...]] = _compiled(
        f"lambda f: tuple(compress(V, ({tested},)))",
        paths.constants,
        V=tuple(values),
        compress=compress,
        tuple=tuple,
    )
    return chosen


def _compiled(source: str, constants: list[Any], **names: Any) -> Any:
    """``source``, written here of fixed parts only (see ``compile_condition``), compiled.
    ``CompileProblem`` when Python cannot compile it (the bounds above should prevent it)."""
    try:
        code = compile(source, "<rule pack condition>", "eval")
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise CompileProblem(f"Python cannot compile it ({type(exc).__name__})") from exc
    return eval(code, {"__builtins__": {}, "C": constants, **names})  # noqa: S307


class CompileProblem(Exception):
    """A pack's conditions that Python could not compile, however they were bounded."""


def _expression(
    node: Any,
    line: int,
    line_of: Callable[[Any, str], int],
    paths: PathClassifier,
    C: list[Any],
    depth: int = 0,
) -> str:
    if not isinstance(node, dict) or not node:
        raise ConditionProblem("a condition must be a non-empty mapping of keys to values", line)
    if depth > MAX_NESTING:
        raise ConditionProblem(f"conditions are nested more than {MAX_NESTING} deep", line)
    paths.keys += len(node)
    if paths.keys > MAX_KEYS:
        raise ConditionProblem(f"the pack's conditions hold more than {MAX_KEYS:,} keys", line)
    # Cheap tests first: a kind or a path bit often settles it before any regex runs.
    keys = sorted(node, key=lambda k: _COST.get(k, 1))
    parts = [_compile_key(node, key, line_of(node, key), line_of, paths, C, depth) for key in keys]
    return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"


# Bounds on what a pack's conditions compile to: a clone's pack is someone else's file,
# and YAML aliases can repeat a subtree without bound on its depth or width (the YAML
# limits count what is written, not what aliases expand to). Python's parser refuses
# more than 200 nested brackets; a real pack nests 4 conditions and has ~1,000 keys.
MAX_NESTING = 32  # conditions inside conditions ("any", "all", "not")
MAX_KEYS = 5_000  # keys in all of a pack's conditions, aliases expanded (the default: 276)

# A "not" usually holds (it names the exceptions), so it is tried last.
_COST = {"title": 3, "text": 4, "any": 2, "all": 2, "not": 5, "changes_in": 2, "additions_in": 2}


def _constant(C: list[Any], value: Any) -> str:
    """Where ``value`` is in the expression's constants: ``C[n]``."""
    C.append(value)
    return f"C[{len(C) - 1}]"


def _compile_key(
    node: dict[str, Any],
    key: str,
    line: int,
    line_of: Any,
    paths: PathClassifier,
    C: list[Any],
    depth: int,
) -> str:
    """The expression of one key. ``key`` is written into it only once it is known to
    be one of ``KEYS`` (a fixed field name)."""
    value = node[key]
    if key in CHOICES:
        return f"(f.{key} in {_constant(C, _choice(key, value, line))})"
    if key in BOOLEANS:
        if not isinstance(value, bool):
            raise ConditionProblem(f"'{key}' takes true or false, not {value!r}", line)
        return f"(f.{key} is {value})"
    if key in NUMBERS:
        signed = key.endswith("_net")  # a net count may be below zero
        if not isinstance(value, int) or isinstance(value, bool) or (value < 0 and not signed):
            raise ConditionProblem(f"'{key}' takes a whole number, not {value!r}", line)
        field, at_least = NUMBERS[key]
        return f"(f.{field} {'>=' if at_least else '<='} {_constant(C, value)})"
    if key in GLOBS:
        field = "some_paths" if key == "paths_any" else "all_paths"
        return f"(f.{field} & {_constant(C, _bit(paths, key, value, line))} != 0)"
    if key in LINES:
        return f"{_constant(C, _lines_test(key, value, line, paths))}(f)"
    if key in PATTERNS:
        _regex(key, value, line)  # a pattern RE2 cannot run fails here, with its line
        return f"(f.{key}_hits & {_constant(C, paths.pattern(key, value))} != 0)"
    if key == "labels_any":
        wanted = frozenset(s.lower() for s in _strings(key, value, line))
        return f"{_constant(C, _labels_test(wanted))}(f)"
    if key in ("any", "all"):
        if not isinstance(value, list) or not value:
            raise ConditionProblem(f"'{key}' takes a non-empty list of conditions", line)
        parts = [_expression(v, line, line_of, paths, C, depth + 1) for v in value]
        return "(" + (" or " if key == "any" else " and ").join(parts) + ")"
    if key == "not":
        return f"(not {_expression(value, line, line_of, paths, C, depth + 1)})"
    known = ", ".join(KEYS)
    raise ConditionProblem(f"unknown condition key '{key}' (known: {known})", line)


def _labels_test(wanted: frozenset[str]) -> Test:
    # most items (every commit) have no labels: no generator made for them
    return lambda f: bool(f.labels) and any(label.lower() in wanted for label in f.labels)


def _bit(paths: PathClassifier, key: str, value: Any, line: int) -> int:
    try:
        return paths.bit(_strings(key, value, line))
    except PatternProblem as exc:
        raise ConditionProblem(f"'{key}': {exc}", line) from exc


def _lines_test(key: str, value: Any, line: int, paths: PathClassifier) -> Test:
    shape = f"'{key}' takes {{paths: [globs], min: N, max: N}} (min, max or both)"
    if not isinstance(value, dict) or "paths" not in value or set(value) - {"paths", "min", "max"}:
        raise ConditionProblem(shape, line)
    bounds = [value.get("min"), value.get("max")]
    if bounds == [None, None] or any(
        b is not None and (not isinstance(b, int) or isinstance(b, bool) or b < 0) for b in bounds
    ):
        raise ConditionProblem(shape, line)
    bit = _bit(paths, key, value["paths"], line)
    added_only = LINES[key]
    low, high = bounds[0] or 0, bounds[1]

    def test(f: Facts) -> bool:
        if not f.some_paths & bit:
            return low == 0
        n = f.lines_in(bit, added_only)
        return n >= low and (high is None or n <= high)

    return test


def _choice(key: str, value: Any, line: int) -> frozenset[str]:
    values = _strings(key, value, line)
    allowed = CHOICES[key]
    for v in values:
        if allowed is not None and v not in allowed:
            raise ConditionProblem(
                f"'{key}' has unknown value '{v}' (one of: {', '.join(allowed)})", line
            )
    return frozenset(values)


def _strings(key: str, value: Any, line: int) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v for v in items):
        raise ConditionProblem(f"'{key}' takes a string or a list of strings", line)
    return tuple(items)


def _regex(key: str, value: Any, line: int) -> Search:
    if not isinstance(value, str) or not value:
        raise ConditionProblem(f"'{key}' takes a regular expression", line)
    try:
        return compile_search(value, True, True)  # as the set asks for it: one cache entry
    except PatternProblem as exc:
        raise ConditionProblem(f"'{key}' is not a valid regular expression: {exc}", line) from exc
