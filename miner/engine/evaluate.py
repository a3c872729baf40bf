"""Map evidence to areas with a rule pack, and run the pack's own examples."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, cast, get_args, get_origin, get_type_hints

from miner.engine.conditions import Facts
from miner.engine.schema import Example, Rule, RulePack
from miner.model import Evidence, Mapped, Mapping, Stats

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
    """``item`` with the mappings of every rule it matches; none when the pack's
    ``trivial`` condition holds for it."""
    facts = Facts.of(item, pack.paths)
    size = (facts.product_changes, facts.changes)
    if pack.trivial is not None and pack.trivial.when.test(facts):
        return Mapped(item.evidence, (), item.home, size)
    return Mapped(item.evidence, pack.mappings(facts), item.home, size)


@dataclass(frozen=True)
class ExampleFailure:
    rule: Rule
    example: Example
    expected: bool


def run_examples(pack: RulePack) -> list[ExampleFailure]:
    """The examples whose outcome differs from what the rule promises."""
    failures = []
    for rule in (*pack.rules, *([pack.trivial] if pack.trivial else [])):
        for expected, examples in ((True, rule.must_match), (False, rule.must_not_match)):
            for example in examples:
                if rule.when(Facts.of(example_item(example.fields), pack.paths)) != expected:
                    failures.append(ExampleFailure(rule, example, expected))
    return failures


# The example fields are the Evidence fields (one list: the dataclass), less those that
# identify or locate an item or that collectors work out, plus the parts of ``stats`` and
# whether the item is home.
_NOT_IN_EXAMPLES = ("id", "repo", "date", "url", "stats", "matched_as", "file_lines", "same_work")
_EXTRA_FIELDS: dict[str, type | tuple[type, ...]] = {
    "additions": int,
    "deletions": int,
    "files": int,
    "home": bool,
}


def example_fields() -> dict[str, type | tuple[type, ...]]:
    """Each field an example may set, with the YAML type it takes."""
    hints = get_type_hints(Evidence)
    found: dict[str, type | tuple[type, ...]] = {
        f.name: _yaml_type(hints[f.name])
        for f in dataclasses.fields(Evidence)
        if f.name not in _NOT_IN_EXAMPLES
    }
    found["paths"] = (list, dict)  # a list, or each path with its lines
    return {**found, **_EXTRA_FIELDS}


def _yaml_type(hint: Any) -> type:
    """The YAML value for a field of this type: a list for a tuple, the inner type of an
    optional, text for a choice of strings."""
    origin = get_origin(hint)
    if origin is tuple:
        return list
    if origin is Literal:
        return str
    inner = [a for a in get_args(hint) if a is not type(None)]
    if inner:
        return _yaml_type(inner[0])
    return cast(type, hint)


def example_item(fields: dict[str, Any]) -> Mapped:
    """An item of evidence made from an example's fields, with plain defaults.

    ``paths`` is a list, or a mapping of each path to its lines added (a number) or
    to ``[added, removed]``; then ``additions`` and ``deletions`` default to the sums."""
    given = fields.get("paths", ())
    per_file: tuple[tuple[int, int], ...] = ()
    if isinstance(given, dict):
        per_file = tuple(_file_lines(v) for v in given.values())
    paths = tuple(str(p) for p in given)
    values: dict[str, Any] = {
        name: tuple(str(v) for v in value) if isinstance(value, list) else value
        for name, value in fields.items()
        if name not in _EXTRA_FIELDS
    }
    values.update(
        id="example",
        kind=fields.get("kind", "commit"),
        source=fields.get("source", "git"),
        repo="example",
        title=str(fields.get("title", "")),
        date=datetime(2024, 1, 1, tzinfo=UTC),
        stats=Stats(
            additions=int(fields.get("additions", sum(a for a, _ in per_file))),
            deletions=int(fields.get("deletions", sum(d for _, d in per_file))),
            files=int(fields.get("files", len(paths))),
        ),
        paths=paths,
        file_lines=per_file,
    )
    return Mapped(Evidence(**values), (), bool(fields.get("home", True)))


def _file_lines(value: Any) -> tuple[int, int]:
    if isinstance(value, list):
        return int(value[0]), int(value[1])
    return int(value), 0


# Bumped whenever what the engine works out of a pack changes (the facts, the size)
# or how it is kept, so that mappings kept in the store by an older engine are not reused.
ENGINE_VERSION = 3


def pack_digest(pack: RulePack) -> str:
    """Changes whenever any rule, area or condition of the pack does."""
    parts = [(r.id, r.area, r.reason, r.weight, r.when.source) for r in pack.rules]
    trivial = pack.trivial.when.source if pack.trivial else None
    sizes = [pack.size_excludes, pack.non_product]
    text = json.dumps(
        [ENGINE_VERSION, pack.info.name, pack.info.version, parts, trivial, sizes],
        sort_keys=True,
        default=str,
    )
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
        self.by_rule = {r.id: r.mapping for r in pack.rules}

    def __call__(self, evidence: Evidence) -> Mapped:
        if evidence.kind != "commit" or evidence.source != "git":
            return evaluate_one(self.pack, evidence, self.home)
        home = is_home(evidence.repo, self.home)
        key = f"{evidence.id}|{evidence.role}|{bool(evidence.co_authors)}|{home}"
        known = self.cache.get(key)
        kept = self._stored(known) if known is not None else None
        if kept is not None:
            return Mapped(evidence, kept[0], home, kept[1])
        mapped = map_item(self.pack, Mapped(evidence, (), home))
        product, size = mapped.size or ("", "")
        rules = ",".join(m.rule for m in mapped.mappings)
        self.cache.put(key, f"{rules};{product};{size}")
        return mapped

    def _stored(self, text: str) -> tuple[tuple[Mapping, ...], tuple[int, int] | None] | None:
        """Mappings and size kept in the store: ``RULE,RULE;PRODUCT;SIZE`` (rule ids are
        slugs; the pack's digest keys the cache, so its rules are the ones stored). None
        for anything else: a store is a file, and a damaged value is worked out again."""
        parts = text.split(";")
        if len(parts) != 3:
            return None
        rules, product, size = parts
        try:
            mappings = tuple(self.by_rule[r] for r in rules.split(",")) if rules else ()
            sized = (int(product), int(size)) if product or size else None
        except (KeyError, ValueError):
            return None
        return mappings, sized
