"""The shape of a rule pack once loaded and checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from miner.engine.conditions import Facts, PathClassifier, select
from miner.model import KINDS, Area, Mapping, RulePackInfo


@dataclass(frozen=True)
class Condition:
    """A compiled condition: ``test`` decides, ``source`` is the YAML it came from."""

    source: Any
    test: Any  # Callable[[Facts], bool]; typed loosely to keep the dataclass frozen-hashable
    expression: str = ""  # what ``test`` computes, for joining a pack's rules (``select``)

    def __call__(self, facts: Any) -> bool:
        return bool(self.test(facts))


@dataclass(frozen=True)
class Example:
    fields: dict[str, Any]
    line: int


@dataclass(frozen=True)
class Rule:
    id: str
    area: str
    reason: str
    weight: int
    when: Condition
    must_match: tuple[Example, ...]
    must_not_match: tuple[Example, ...]
    line: int
    kinds: frozenset[str] | None = None  # the kinds its top-level condition allows, if any
    path: str = ""  # the pack file it is written in: a base pack's, for a rule it inherits

    @property
    def mapping(self) -> Mapping:
        """Why an item this rule matches counts for its area."""
        return Mapping(area=self.area, rule=self.id, reason=self.reason, weight=self.weight)


@dataclass(frozen=True)
class RulePack:
    path: str
    info: RulePackInfo
    description: str
    areas: tuple[Area, ...]
    rules: tuple[Rule, ...]
    paths: PathClassifier  # shared by every rule's path conditions
    level: str = ""  # the level a promotion case with this pack argues for
    # What is too small or routine to be evidence: an item it matches counts for no
    # area. A Rule without an area (its ``area`` is empty).
    trivial: Rule | None = None
    size_excludes: tuple[str, ...] = ()  # never counted as size (lockfiles, generated, vendored)
    non_product: tuple[str, ...] = ()  # not product code (docs, tests, examples, config)

    def area(self, area_id: str) -> Area:
        return next(a for a in self.areas if a.id == area_id)

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def mappings(self, facts: Facts) -> tuple[Mapping, ...]:
        """The mapping of every rule ``facts`` matches, in pack order."""
        found = self.matchers.get(facts.kind)
        return found(facts) if found is not None else self._matcher(facts.kind)(facts)

    @cached_property
    def matchers(self) -> dict[str, Callable[[Facts], tuple[Mapping, ...]]]:
        """For each kind of item, the rules it can match joined into one function
        (``select``); made when the pack is loaded, so a pack Python cannot compile
        fails there (``CompileProblem``), not in the middle of a report."""
        return {kind: self._matcher(kind) for kind in KINDS}

    def _matcher(self, kind: str) -> Callable[[Facts], tuple[Mapping, ...]]:
        rules = [r for r in self.rules if r.kinds is None or kind in r.kinds]
        return select(
            [r.when.expression for r in rules],
            [r.mapping for r in rules],
            self.paths,
        )
