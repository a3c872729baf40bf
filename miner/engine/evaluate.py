"""Map evidence to areas with a rule pack, and run the pack's own examples."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from miner.engine.conditions import Facts
from miner.engine.schema import Example, Rule, RulePack
from miner.model import Evidence, Kind, Mapped, Mapping, Role, Stats

if TYPE_CHECKING:
    from miner.store import MappingCache


# OWNER/NAME as a forge names a repository (GitLab: GROUP/SUBGROUP/NAME).
_KNOWN_REPO = re.compile(r"[\w.-]+(?:/[\w.-]+)+")


def evaluate(pack: RulePack, items: Iterable[Evidence], home_repos: frozenset[str]) -> list[Mapped]:
    """Every item with the mappings of every rule it matches, in pack order."""
    return [evaluate_one(pack, evidence, home_repos) for evidence in items]


@lru_cache(maxsize=256)  # a handful of repositories, asked once per item
def is_home(repo: str, home_repos: frozenset[str]) -> bool:
    """Whether work in ``repo`` is the team's own. Only a repository known by its
    forge name and not among ``home_repos`` is elsewhere (influence): a clone with
    no forge remote, or a note, is never taken for someone else's project."""
    if not home_repos or not _KNOWN_REPO.fullmatch(repo):
        return True
    return repo.lower() in home_repos


def evaluate_one(pack: RulePack, evidence: Evidence, home_repos: frozenset[str]) -> Mapped:
    return map_item(pack, Mapped(evidence, (), is_home(evidence.repo, home_repos)))


def map_item(pack: RulePack, item: Mapped) -> Mapped:
    facts = Facts.of(item, pack.paths)
    kind = facts.kind
    mappings = tuple(
        Mapping(area=r.area, rule=r.id, reason=r.reason, weight=r.weight)
        for r in pack.rules
        if (r.kinds is None or kind in r.kinds) and r.when.test(facts)
    )
    return Mapped(item.evidence, mappings, item.home)


@dataclass(frozen=True)
class ExampleFailure:
    rule: Rule
    example: Example
    expected: bool


def run_examples(pack: RulePack) -> list[ExampleFailure]:
    """The examples whose outcome differs from what the rule promises."""
    failures = []
    for rule in pack.rules:
        for expected, examples in ((True, rule.must_match), (False, rule.must_not_match)):
            for example in examples:
                if rule.when(Facts.of(example_item(example.fields), pack.paths)) != expected:
                    failures.append(ExampleFailure(rule, example, expected))
    return failures


def example_item(fields: dict[str, Any]) -> Mapped:
    """An item of evidence made from an example's fields, with plain defaults."""
    paths = tuple(str(p) for p in fields.get("paths", ()))
    evidence = Evidence(
        id="example",
        kind=cast(Kind, fields.get("kind", "commit")),
        source=str(fields.get("source", "git")),
        repo="example",
        title=str(fields.get("title", "")),
        date=datetime(2024, 1, 1, tzinfo=UTC),
        stats=Stats(
            additions=int(fields.get("additions", 0)),
            deletions=int(fields.get("deletions", 0)),
            files=int(fields.get("files", len(paths))),
        ),
        paths=paths,
        message=str(fields.get("message", "")),
        labels=tuple(str(label) for label in fields.get("labels", ())),
        role=cast(Role, fields.get("role", "author")),
        review_state=fields.get("review_state"),
        state=fields.get("state"),
        newcomer_author=fields.get("newcomer_author"),
        co_authors=tuple(str(c) for c in fields.get("co_authors", ())),
        comments=int(fields.get("comments", 0)),
        review_rounds=int(fields.get("review_rounds", 0)),
    )
    return Mapped(evidence, (), bool(fields.get("home", True)))


def pack_digest(pack: RulePack) -> str:
    """Changes whenever any rule, area or condition of the pack does."""
    parts = [(r.id, r.area, r.reason, r.weight, r.when.source) for r in pack.rules]
    text = json.dumps([pack.info.name, pack.info.version, parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class CachedMapper:
    """``evaluate_one`` that remembers what it worked out for git commits.

    A commit's content is fixed by its SHA, so what the rules see of it is fixed
    by the SHA, its role, whether it has co-authors and whether it is home; other
    evidence (notes, GitHub items) is evaluated every time."""

    def __init__(self, pack: RulePack, home: frozenset[str], cache: MappingCache) -> None:
        self.pack = pack
        self.home = home
        self.cache = cache

    def __call__(self, evidence: Evidence) -> Mapped:
        if evidence.kind != "commit" or evidence.source != "git":
            return evaluate_one(self.pack, evidence, self.home)
        home = is_home(evidence.repo, self.home)
        key = f"{evidence.id}|{evidence.role}|{bool(evidence.co_authors)}|{home}"
        known = self.cache.get(key)
        if known is not None:
            mappings = tuple(Mapping(a, r, why, w) for a, r, why, w in json.loads(known))
            return Mapped(evidence, mappings, home)
        mapped = map_item(self.pack, Mapped(evidence, (), home))
        self.cache.put(
            key, json.dumps([(m.area, m.rule, m.reason, m.weight) for m in mapped.mappings])
        )
        return mapped
