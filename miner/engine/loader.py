"""Load a rule pack from YAML, checking all of it and naming every problem by line.

A pack may ``extends: <pack>`` another: its areas and rules are added to the
base pack's, and a rule with the id of a base rule replaces it; its ``size`` lists
and its ``trivial`` condition, when given, replace the base pack's.
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from miner.engine.conditions import (
    CompileProblem,
    ConditionProblem,
    PathClassifier,
    compile_condition,
)
from miner.engine.evaluate import example_fields
from miner.engine.schema import Condition, Example, Rule, RulePack
from miner.errors import RulePackError, UsageError
from miner.model import Area, RulePackInfo
from miner.patterns import PatternProblem
from miner.yamlsafe import LineDict, YamlProblem, line_of, load_file

DEFAULT_PACK = "senior-sde"
NO_PACK = "no such file and no built-in pack by that name"
TOP_LEVEL = (
    "name",
    "version",
    "description",
    "level",
    "extends",
    "areas",
    "rules",
    "size",
    "trivial",
)
EXAMPLE_FIELDS = example_fields()  # derived from Evidence: one list of fields
# An id lands in rendered Markdown and HTML and in the user's case file (a YAML key):
# a short slug cannot carry markup, a link, a newline or a ``key: value``.
ID = re.compile(r"[a-z][a-z0-9_-]{0,39}")
ID_RULE = "lower-case letters, digits, '_' and '-', starting with a letter, at most 40"
MAX_EXTENDS = 10  # packs in one ``extends`` chain; a longer one is a mistake or an attack
SHOWN = 40  # characters of a key or a name quoted in a message


def builtin_packs() -> dict[str, Path]:
    folder = importlib.resources.files("miner.rules")
    return {
        Path(entry.name).stem: Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


def resolve_pack_path(name_or_path: str | None) -> Path:
    """A built-in pack by name, or a file the user gave."""
    packs = builtin_packs()
    name = name_or_path or DEFAULT_PACK
    if name in packs:
        return packs[name]
    path = Path(name)
    if not path.exists():  # nothing to check line by line: one usage error, not a pack's problem
        known = ", ".join(sorted(packs))
        raise UsageError(
            f"rule pack {name!r}: {NO_PACK}",
            f"give a pack file's path or a built-in pack's name ({known})",
        )
    return path


def load_pack(name_or_path: str | None = None, inside: Path | None = None) -> RulePack:
    """Load and check a rule pack; raise ``RulePackError`` listing every problem.

    ``inside``: the pack came from a clone's ``.miner.yaml``, someone else's file;
    each pack it extends must then be a built-in one or a regular file in that folder."""
    found = _Found(inside.resolve() if inside else None, PathClassifier())
    pack = _load(resolve_pack_path(name_or_path), (), found)
    pack.paths.ready()
    return pack


@dataclass(frozen=True)
class _Found:
    """What every pack of one ``extends`` chain shares."""

    inside: Path | None
    paths: PathClassifier


def _load(path: Path, seen: tuple[Path, ...], found: _Found) -> RulePack:
    shown = str(path)
    try:
        doc = load_file(path)
    except FileNotFoundError as exc:
        raise RulePackError(shown, [f"{shown}: cannot be read (no such file)"]) from exc
    except (IsADirectoryError, PermissionError) as exc:
        raise RulePackError(shown, [f"{shown}: cannot be read ({type(exc).__name__})"]) from exc
    except YamlProblem as exc:
        raise RulePackError(shown, [exc.where(shown)]) from exc
    problems: list[str] = []
    pack = _check(doc, path, seen, problems, found)
    if problems or pack is None:
        raise RulePackError(shown, problems)
    return pack


def _check(
    doc: Any, path: Path, seen: tuple[Path, ...], problems: list[str], found: _Found
) -> RulePack | None:
    shown = str(path)
    paths = found.paths

    def problem(line: int, message: str) -> None:
        problems.append(f"{shown}:{line}: {message}")

    if not isinstance(doc, LineDict) or not any(key in doc for key in TOP_LEVEL):
        # the file's own text is not quoted: it may be any file, not a pack at all
        problem(1, "a rule pack is a mapping with 'name', 'version', 'areas' and 'rules'")
        return None
    _report_duplicates(doc, problem)
    for key in doc:
        if key not in TOP_LEVEL:
            problem(line_of(doc, key), f"unknown top-level key {_shown(key)}")
    name = _text(doc, "name", problem, required=True)
    version = str(doc.get("version", "")) or "1"
    base: RulePack | None = None
    if "extends" in doc:
        base = _base_pack(doc, path, seen, problem, found)
    areas = list(base.areas) if base else []
    areas += _areas(doc, problem, known=[a.id for a in areas])
    area_ids = {a.id for a in areas}
    rules = [replace(r, path=shown) for r in _rules(doc, problem, area_ids, base is None, paths)]
    if base:
        overriding = {r.id for r in rules}
        rules = [r for r in base.rules if r.id not in overriding] + rules
    if not areas:
        problem(doc.line, "the pack defines no areas")
    excludes, non_product = _sizes(doc, problem, base)
    try:
        paths.excluded = paths.bit(excludes) if excludes else 0
        paths.non_product = paths.bit(non_product) if non_product else 0
    except PatternProblem as exc:
        problem(line_of(doc, "size") if "size" in doc else doc.line, f"'size': {exc}")
    trivial = base.trivial if base else None
    if "trivial" in doc:
        trivial = _trivial(doc, problem, paths)
        trivial = replace(trivial, path=shown) if trivial else None
    pack = RulePack(
        path=shown,
        info=RulePackInfo(name=name or path.stem, version=version),
        description=str(doc.get("description", "")),
        level=_text(doc, "level", problem, required=False) or (base.level if base else ""),
        areas=tuple(areas),
        rules=tuple(rules),
        paths=paths,
        trivial=trivial,
        size_excludes=excludes,
        non_product=non_product,
    )
    try:
        pack.matchers  # noqa: B018 - the rules joined per kind, compiled now
    except CompileProblem as exc:
        problem(line_of(doc, "rules") if "rules" in doc else doc.line, f"'rules': {exc}")
    return pack


def _sizes(
    doc: LineDict, problem: Any, base: RulePack | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``size: {excludes: [globs], non_product: [globs]}``: the files whose lines never
    count as size, and those that are not product code."""
    lists = [base.size_excludes, base.non_product] if base else [(), ()]
    if "size" not in doc:
        return lists[0], lists[1]
    node = doc["size"]
    if not isinstance(node, LineDict):
        problem(line_of(doc, "size"), "'size' is a mapping with 'excludes' and 'non_product'")
        return lists[0], lists[1]
    _unknown_keys(node, ("excludes", "non_product"), "size", problem)
    for n, key in enumerate(("excludes", "non_product")):
        if key in node:
            value = node[key]
            if not isinstance(value, list) or not all(isinstance(g, str) and g for g in value):
                problem(line_of(node, key), f"'size.{key}' is a list of globs")
            else:
                lists[n] = tuple(value)
    return lists[0], lists[1]


def _trivial(doc: LineDict, problem: Any, paths: PathClassifier) -> Rule | None:
    """``trivial: {reason, when, examples}``: a rule without an area."""
    node = doc["trivial"]
    if not isinstance(node, LineDict):
        problem(line_of(doc, "trivial"), "'trivial' is a mapping with reason, when and examples")
        return None
    _report_duplicates(node, problem)
    _unknown_keys(node, ("reason", "when", "examples"), "trivial", problem)
    reason = _text(node, "reason", problem, required=True)
    when = _when(node, "trivial", problem, paths)
    match, no_match = _examples(node, "trivial", problem)
    if not (reason and when):
        return None
    return Rule("trivial", "", reason, 1, when, match, no_match, node.line)


def _when(node: LineDict, where: str, problem: Any, paths: PathClassifier) -> Condition | None:
    if "when" not in node:
        problem(node.line, f"{where} has no 'when' condition")
        return None
    try:
        test, expression = compile_condition(node["when"], line_of(node, "when"), line_of, paths)
    except ConditionProblem as exc:
        problem(exc.line, f"{where}: {exc.message}")
        return None
    return Condition(source=node["when"], test=test, expression=expression)


def _base_pack(
    doc: LineDict, path: Path, seen: tuple[Path, ...], problem: Any, found: _Found
) -> RulePack | None:
    name = doc["extends"]
    line = line_of(doc, "extends")
    if not isinstance(name, str) or not name:
        problem(line, "'extends' names a built-in pack or a file")
        return None
    packs = builtin_packs()
    base_path = packs.get(name) or (path.parent / name)
    if base_path.resolve() in seen or base_path.resolve() == path.resolve():
        problem(line, f"'extends: {_shown(name)}' makes a cycle")
        return None
    if len(seen) + 2 > MAX_EXTENDS:
        problem(line, f"'extends' chains more than {MAX_EXTENDS} packs; extend a shorter chain")
        return None
    if name not in packs and found.inside is not None:
        where = base_path.resolve()
        if not where.is_relative_to(found.inside):
            problem(line, f"'extends' names a pack outside the clone {found.inside}")
            return None
        if not where.is_file():  # a FIFO or a device would hang or flood the run
            problem(line, "'extends' names no regular file in the clone")
            return None
    try:
        return _load(base_path, (*seen, path.resolve()), found)
    except RulePackError as exc:
        problem(line, f"cannot extend {_shown(name)}: {exc.problems[0]}")
        return None


def _areas(doc: LineDict, problem: Any, known: list[str]) -> list[Area]:
    raw = doc.get("areas", [])
    if not isinstance(raw, list):
        problem(line_of(doc, "areas"), "'areas' is a list of areas")
        return []
    areas: list[Area] = []
    for node in raw:
        if not isinstance(node, LineDict):
            problem(line_of(doc, "areas"), "each area is a mapping with id, title and hint")
            continue
        _report_duplicates(node, problem)
        _unknown_keys(node, ("id", "title", "description", "hint"), "area", problem)
        area_id = _slug(node, problem)
        title = _text(node, "title", problem, required=True)
        hint = _text(node, "hint", problem, required=True)
        if area_id and area_id in known:
            problem(line_of(node, "id"), f"area '{area_id}' is defined twice")
            continue
        if area_id and title and hint:
            known.append(area_id)
            areas.append(Area(area_id, title, str(node.get("description", "")), hint))
    return areas


def _rules(
    doc: LineDict, problem: Any, area_ids: set[str], required: bool, paths: PathClassifier
) -> list[Rule]:
    raw = doc.get("rules", [])
    if not isinstance(raw, list) or (required and not raw):
        problem(line_of(doc, "rules"), "'rules' is a non-empty list of rules")
        return []
    rules: list[Rule] = []
    seen: set[str] = set()
    for node in raw:
        if not isinstance(node, LineDict):
            problem(line_of(doc, "rules"), "each rule is a mapping")
            continue
        rule = _rule(node, problem, area_ids, paths)
        if rule is None:
            continue
        if rule.id in seen:
            problem(line_of(node, "id"), f"rule id '{rule.id}' is used twice")
            continue
        seen.add(rule.id)
        rules.append(rule)
    return rules


def _rule(node: LineDict, problem: Any, area_ids: set[str], paths: PathClassifier) -> Rule | None:
    _report_duplicates(node, problem)
    _unknown_keys(node, ("id", "area", "reason", "weight", "when", "examples"), "rule", problem)
    rule_id = _slug(node, problem)
    where = f"rule '{rule_id}'" if rule_id else "rule"
    area = _text(node, "area", problem, required=True)
    if area and area not in area_ids:
        known = ", ".join(sorted(area_ids)) or "none"
        problem(
            line_of(node, "area"), f"{where} names unknown area {_shown(area)} (known: {known})"
        )
    reason = _text(node, "reason", problem, required=True)
    weight = node.get("weight", 1)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 5:
        problem(line_of(node, "weight"), f"{where}: 'weight' is a whole number from 1 to 5")
        weight = 1
    when = _when(node, where, problem, paths)
    match, no_match = _examples(node, where, problem)
    if not (rule_id and area and reason and when) or area not in area_ids:
        return None
    kind = node["when"].get("kind") if isinstance(node["when"], dict) else None
    kinds = frozenset([kind] if isinstance(kind, str) else kind) if kind else None
    return Rule(rule_id, area, reason, weight, when, match, no_match, node.line, kinds)


def _examples(
    node: LineDict, where: str, problem: Any
) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    raw = node.get("examples")
    line = line_of(node, "examples")
    if not isinstance(raw, LineDict):
        problem(line, f"{where} needs 'examples' with 'match' and 'no_match' lists")
        return (), ()
    _unknown_keys(raw, ("match", "no_match"), "examples", problem)
    found: list[tuple[Example, ...]] = []
    for key in ("match", "no_match"):
        items = raw.get(key)
        if not isinstance(items, list) or not items:
            problem(line_of(raw, key), f"{where} needs at least one '{key}' example")
            found.append(())
            continue
        found.append(tuple(e for e in (_example(i, raw, key, where, problem) for i in items) if e))
    return found[0], found[1]


def _example(item: Any, parent: LineDict, key: str, where: str, problem: Any) -> Example | None:
    if not isinstance(item, LineDict):
        problem(line_of(parent, key), f"{where}: each example is a mapping of evidence fields")
        return None
    ok = True
    for field, value in item.items():
        expected = EXAMPLE_FIELDS.get(field)
        if expected is None:
            known = ", ".join(EXAMPLE_FIELDS)
            problem(
                line_of(item, field), f"{where}: unknown example field {_shown(field)} ({known})"
            )
            ok = False
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problem(line_of(item, field), f"{where}: example field '{field}' has the wrong type")
            ok = False
        elif (
            field == "paths" and isinstance(value, dict) and not all(map(_lines_ok, value.values()))
        ):
            message = "maps each path to its lines added, or to [added, removed]"
            problem(line_of(item, field), f"{where}: example field 'paths' {message}")
            ok = False
    return Example(fields=dict(item), line=item.line) if ok else None


def _lines_ok(value: Any) -> bool:
    """N added lines, or [added, removed]: whole numbers, not negative."""
    numbers = value if isinstance(value, list) and len(value) == 2 else [value]
    return all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers)


def _text(node: LineDict, key: str, problem: Any, required: bool) -> str:
    value = node.get(key)
    if value is None:
        if required:
            problem(node.line, f"missing '{key}'")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool) or str(value) == "":
        problem(line_of(node, key), f"'{key}' must be text")
        return ""
    return str(value)


def _slug(node: LineDict, problem: Any) -> str:
    """An area's or a rule's ``id``, when it is a short slug."""
    value = _text(node, "id", problem, required=True)
    if value and not ID.fullmatch(value):
        problem(line_of(node, "id"), f"id {_shown(value)} is not a short id ({ID_RULE})")
        return ""
    return value


def _shown(value: object) -> str:
    """``value`` quoted for a message: cut short, every control character escaped."""
    text = str(value)
    return repr(text[:SHOWN] + ("..." if len(text) > SHOWN else ""))


def _unknown_keys(node: LineDict, allowed: tuple[str, ...], what: str, problem: Any) -> None:
    for key in node:
        if key not in allowed:
            problem(
                line_of(node, key),
                f"unknown {what} key {_shown(key)} (allowed: {', '.join(allowed)})",
            )


def _report_duplicates(node: LineDict, problem: Any) -> None:
    for key, line in node.duplicates:
        problem(line, f"key {_shown(key)} appears twice in one mapping")
