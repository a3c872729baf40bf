"""Rule packs: loading, every problem named by file and line, conditions, examples."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from miner.engine import evaluate, load_pack, run_examples
from miner.errors import RulePackError
from miner.globs import glob_regex
from miner.model import Evidence, Stats

AREAS = """\
name: tiny
version: "2"
areas:
  - id: engineering
    title: Engineering
    hint: write tests
  - id: operational
    title: Operations
    hint: fix outages
"""
RULE = """\
rules:
  - id: tests
    area: engineering
    reason: adds tests
    weight: 2
    when:
      paths_any: ["tests/**"]
    examples:
      match: [{paths: [tests/test_a.py]}]
      no_match: [{paths: [src/a.py]}]
"""


def write(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(RulePackError) as err:
        load_pack(str(path))
    return err.value.problems


def item(**fields: object) -> Evidence:
    base: dict[str, object] = {
        "id": "git:1",
        "kind": "commit",
        "source": "git",
        "repo": "acme/app",
        "title": "t",
        "date": datetime(2024, 4, 1, tzinfo=UTC),
        "stats": Stats(1, 1, 1),
    }
    base.update(fields)
    return Evidence(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("*.md", "README.md", True),
        ("*.md", "docs/guide/intro.md", True),
        ("docs/**", "docs/a/b.md", True),
        ("docs/**", "src/docs/a.md", False),
        ("tests/**/test_*.py", "tests/test_a.py", True),
        ("tests/**/test_*.py", "tests/unit/deep/test_a.py", True),
        ("src/*.py", "src/pkg/a.py", False),
        ("test_?.py", "pkg/test_a.py", True),
        ("Dockerfile", "deploy/Dockerfile", True),
        ("Dockerfile", "Dockerfile.dev", False),
    ],
)
def test_globs_match_like_gitignore(glob: str, path: str, matches: bool) -> None:
    assert (glob_regex(glob).fullmatch(path) is not None) is matches


def test_a_good_pack_loads_with_its_areas_in_order(tmp_path: Path) -> None:
    pack = load_pack(str(write(tmp_path, AREAS + RULE)))
    assert (pack.info.name, pack.info.version) == ("tiny", "2")
    assert [a.id for a in pack.areas] == ["engineering", "operational"]
    assert run_examples(pack) == []


def test_not_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, AREAS + "rules:\n  - id: [unclosed\n")
    found = problems(path)
    assert len(found) == 1
    assert found[0].startswith(f"{path}:")
    assert "not valid YAML" in found[0]


def test_every_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    text = (
        AREAS
        + RULE
        + """\
  - id: outage
    area: incidents
    reason: fixes outages
    when:
      title: 'outage'
    examples:
      match: [{title: outage}]
      no_match: [{title: fine}]
  - id: broken
    area: operational
    reason: x
    weight: 9
    when:
      colour: red
      title: '(unclosed'
    examples:
      match: [{title: a, size: 3}]
"""
    )
    path = write(tmp_path, text)
    found = problems(path)
    lines = {p.split(":", 2)[1]: p for p in found}
    assert any("names unknown area 'incidents'" in p and ":21:" in p for p in found), found
    assert any("'weight' is a whole number" in p for p in found)
    assert any("unknown condition key 'colour'" in p for p in found)
    assert any("unknown example field 'size'" in p for p in found)
    assert any("at least one 'no_match' example" in p for p in found)
    assert len(lines) >= 4


def test_the_cli_error_names_file_and_line_and_writes_nothing(tmp_path: Path, miner, repo) -> None:  # type: ignore[no-untyped-def]
    repo.commit("work", {"a.txt": "1\n"})
    bad = write(tmp_path, AREAS + RULE.replace("area: engineering", "area: nowhere"))
    out = tmp_path / "out.json"
    result = miner(
        "report", str(repo.path), "--rules", str(bad), "--period", "2024Q2", "-o", str(out)
    )
    assert result.code == 1
    assert f"{bad}:12: rule 'tests' names unknown area 'nowhere'" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_a_pack_can_extend_the_default_and_override_a_rule(tmp_path: Path) -> None:
    default = load_pack()
    text = """\
name: ours
extends: senior-sde
rules:
  - id: tests-added
    area: engineering
    reason: our own wording
    when:
      paths_any: ["spec/**"]
    examples:
      match: [{paths: [spec/a_spec.rb]}]
      no_match: [{paths: [tests/test_a.py]}]
"""
    pack = load_pack(str(write(tmp_path, text)))
    assert [a.id for a in pack.areas] == [a.id for a in default.areas]
    assert len(pack.rules) == len(default.rules)
    rule = pack.rule("tests-added")
    assert rule is not None and rule.reason == "our own wording"


def test_one_item_maps_to_several_areas_each_naming_its_rule(tmp_path: Path) -> None:
    text = (
        AREAS
        + RULE
        + """\
  - id: fast
    area: operational
    reason: makes it faster
    when:
      text: '\\bfaster\\b'
    examples:
      match: [{title: "make it faster"}]
      no_match: [{title: "breakfaster"}]
"""
    )
    pack = load_pack(str(write(tmp_path, text)))
    [mapped] = evaluate(
        pack, [item(title="Faster parser", paths=("tests/test_p.py",))], frozenset()
    )
    assert [(m.area, m.rule, m.reason) for m in mapped.mappings] == [
        ("engineering", "tests", "adds tests"),
        ("operational", "fast", "makes it faster"),
    ]


def test_home_is_decided_by_the_home_repositories(tmp_path: Path) -> None:
    text = (
        AREAS
        + RULE
        + """\
  - id: outside
    area: operational
    reason: works elsewhere
    when: {home: false}
    examples:
      match: [{home: false}]
      no_match: [{home: true}]
"""
    )
    pack = load_pack(str(write(tmp_path, text)))
    home, away = evaluate(
        pack, [item(repo="acme/app"), item(id="git:2", repo="other/lib")], frozenset({"acme/app"})
    )
    assert (home.home, away.home) == (True, False)
    assert [m.rule for m in away.mappings] == ["outside"]


def test_a_failing_example_is_reported(tmp_path: Path) -> None:
    text = AREAS + RULE.replace(
        "no_match: [{paths: [src/a.py]}]", "no_match: [{paths: [tests/x.py]}]"
    )
    pack = load_pack(str(write(tmp_path, text)))
    [failure] = run_examples(pack)
    assert (failure.rule.id, failure.expected, failure.example.line) == ("tests", False, 19)


def test_the_default_pack_covers_every_area_and_its_examples_pass() -> None:
    pack = load_pack()
    assert [a.id for a in pack.areas] == [
        "career",
        "delivery",
        "operational",
        "engineering",
        "mentoring",
        "growth",
        "influence",
    ]
    assert len(pack.rules) >= 25
    for area in pack.areas:
        assert any(r.area == area.id for r in pack.rules), area.id
    assert run_examples(pack) == []


def test_an_unknown_pack_name_says_which_exist(tmp_path: Path) -> None:
    found = problems(tmp_path / "missing.yaml")
    assert "no such file and no built-in pack" in found[0]
    assert "senior-sde" in found[0]
