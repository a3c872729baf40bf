"""Rule packs: loading, every problem named by file and line, conditions, examples."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from miner.engine import evaluate, load_pack, run_examples
from miner.errors import RulePackError, UsageError
from miner.globs import globs_bits, path_matches
from miner.model import Evidence, Stats
from miner.patterns import compile_search, compile_set

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
        # character classes and directory patterns, as .gitignore reads them
        ("[Dd]ockerfile", "dockerfile", True),
        ("[Dd]ockerfile", "ops/Dockerfile", True),
        ("[Dd]ockerfile", "xockerfile", False),
        ("docs/", "docs/guide/intro.md", True),
        ("docs/", "src/docs/intro.md", True),
        ("docs/", "docsite/intro.md", False),
        ("/Makefile", "Makefile", True),
        ("/Makefile", "docs/Makefile", False),
    ],
)
def test_globs_match_like_gitignore(glob: str, path: str, matches: bool) -> None:
    assert path_matches(path, [glob]) is matches


def test_a_negated_glob_re_includes_as_in_gitignore() -> None:
    docs = ["*.rst", "!CHANGES.rst"]
    assert path_matches("docs/index.rst", docs)
    assert not path_matches("CHANGES.rst", docs)
    # a file name GitHub sent with a lone surrogate ("\udce9") is matched, not a crash
    assert path_matches("caf\udce9.rst", docs)


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
    with pytest.raises(UsageError) as err:
        load_pack(str(tmp_path / "missing.yaml"))
    assert "no such file and no built-in pack" in err.value.line()
    assert "senior-sde" in err.value.line()


SIZED = """\
size:
  excludes: ["*.lock"]
  non_product: ["tests/**", "docs/"]
trivial:
  reason: too small
  when: {kind: commit, max_changes: 4}
  examples:
    match: [{paths: {src/a.py: 2, uv.lock: 900}}]
    no_match: [{paths: {src/a.py: 20}}]
rules:
  - id: big-change
    area: operational
    reason: changes product code of real size
    when: {min_product_changes: 50}
    examples:
      match: [{paths: {src/a.py: 60}}]
      no_match: [{paths: {src/a.py: 10, tests/test_a.py: 100, uv.lock: 900}}]
  - id: many-tests
    area: engineering
    reason: adds 40+ lines of tests
    when: {additions_in: {paths: ["tests/**"], min: 40}}
    examples:
      match: [{paths: {tests/test_a.py: 40, src/a.py: 1}}]
      no_match: [{paths: {tests/test_a.py: [10, 90]}}]
"""


def lines(**files: tuple[int, int]) -> dict[str, object]:
    paths = tuple(f.replace("__", "/").replace("_DOT_", ".") for f in files)
    per_file = tuple(files.values())
    added = sum(a for a, _ in per_file)
    removed = sum(d for _, d in per_file)
    return {"paths": paths, "file_lines": per_file, "stats": Stats(added, removed, len(paths))}


def test_trivial_items_count_for_no_area_and_size_leaves_out_lockfiles(tmp_path: Path) -> None:
    pack = load_pack(str(write(tmp_path, AREAS + SIZED)))
    assert run_examples(pack) == []
    churn = item(**lines(src__a_DOT_py=(1, 1), uv_DOT_lock=(800, 700)))
    [mapped] = evaluate(pack, [churn], frozenset())
    assert mapped.mappings == ()  # 1,500 lockfile lines are not size: two lines are trivial
    assert mapped.size == (2, 2)


def test_line_conditions_count_the_matching_files_only(tmp_path: Path) -> None:
    pack = load_pack(str(write(tmp_path, AREAS + SIZED)))
    tested = item(**lines(src__a_DOT_py=(3, 2), tests__test_a_DOT_py=(45, 0)))
    product = item(id="git:2", **lines(src__a_DOT_py=(55, 5), docs__a_DOT_md=(300, 0)))
    rules = [[m.rule for m in m.mappings] for m in evaluate(pack, [tested, product], frozenset())]
    assert rules == [["many-tests"], ["big-change"]]


def test_items_of_an_area_rank_by_weight_then_product_size(tmp_path: Path) -> None:
    from miner.api import summarize

    pack = load_pack(str(write(tmp_path, AREAS + SIZED)))
    lockfile = item(id="git:lock", **lines(src__a_DOT_py=(50, 0), uv_DOT_lock=(5000, 0)))
    product = item(id="git:big", **lines(src__a_DOT_py=(400, 0)))
    areas = summarize(pack, evaluate(pack, [lockfile, product], frozenset()))
    operational = next(a for a in areas if a.area.id == "operational")
    assert [m.evidence.id for m in operational.items] == ["git:big", "git:lock"]


@pytest.mark.parametrize(
    "value",
    ["tests/**", "{paths: [tests/**]}", "{paths: [tests/**], min: -1}", "{paths: [a], most: 3}"],
)
def test_a_bad_line_condition_is_named_with_its_line(tmp_path: Path, value: str) -> None:
    rule = RULE.replace('paths_any: ["tests/**"]', f"changes_in: {value}")
    found = problems(write(tmp_path, AREAS + rule))
    assert len(found) == 1 and "'changes_in' takes {paths:" in found[0]
    assert found[0].split(":")[1] == "16"  # the line of the key


def test_a_failing_trivial_example_is_reported(tmp_path: Path) -> None:
    pack = load_pack(str(write(tmp_path, AREAS + SIZED.replace("src/a.py: 20", "src/a.py: 3"))))
    assert [(f.rule.id, f.expected) for f in run_examples(pack)] == [("trivial", False)]


def test_a_bad_size_section_is_named(tmp_path: Path) -> None:
    found = problems(write(tmp_path, AREAS + "size: {excludes: lock, extra: 1}\n" + RULE))
    assert any("'size.excludes' is a list of globs" in p for p in found)
    assert any("unknown size key 'extra'" in p for p in found)


def test_example_fields_follow_the_evidence_fields() -> None:
    import dataclasses

    from miner.engine.evaluate import example_fields, example_item

    fields = example_fields()
    kept = {f.name for f in dataclasses.fields(Evidence)} & set(fields)
    assert {"kind", "title", "paths", "labels", "newcomer_author", "review_rounds"} <= kept
    assert fields["labels"] is list and fields["comments"] is int and fields["state"] is str
    example = example_item({"kind": "review", "labels": ["bug"], "review_rounds": 2, "home": False})
    assert (example.evidence.kind, example.evidence.labels) == ("review", ("bug",))
    assert (example.evidence.review_rounds, example.home) == (2, False)


@pytest.mark.parametrize(
    "bad",
    [
        "'x <img src=x onerror=alert(1)> [click](javascript:alert(1))'",
        "'a: b'",
        '"a\\nplan: injected"',
        "Engineering",
        "'" + "a" * 41 + "'",
    ],
)
@pytest.mark.parametrize("which", ["area", "rule"])
def test_an_id_that_is_not_a_short_slug_fails_the_pack_at_its_line(
    tmp_path: Path, bad: str, which: str
) -> None:
    if which == "area":
        text = AREAS.replace("id: operational", f"id: {bad}") + RULE
        line = 7
    else:
        text = AREAS + RULE.replace("id: tests", f"id: {bad}")
        line = 11
    path = write(tmp_path, text)
    found = problems(path)
    assert len(found) == 1, found
    assert found[0].startswith(f"{path}:{line}: id ")
    assert "is not a short id" in found[0]
    assert "<img" not in found[0] or "..." in found[0]


def test_a_quoted_key_is_cut_short_and_its_control_characters_escaped(tmp_path: Path) -> None:
    path = write(tmp_path, AREAS + RULE + '"\\e]52;c;aGk=\\a' + "x" * 100 + '": 1\n')
    [problem] = problems(path)
    assert problem.startswith(f"{path}:20: unknown top-level key '\\x1b]52;c;aGk=\\x07")
    assert "\x1b" not in problem and "x" * 41 not in problem


def test_a_file_that_is_not_a_pack_is_not_quoted(tmp_path: Path) -> None:
    secret = write(tmp_path, "root:$6$secret-hash:19000:0:99999:7:::\ndaemon:*:1:\n", "shadow")
    pack = write(tmp_path, f"name: mine\nextends: {secret}\nrules: []\n")
    found = problems(pack)
    assert found[0].startswith(f"{pack}:2: cannot extend ")
    assert "a rule pack is a mapping" in found[0]
    assert not any("secret-hash" in p or "99999" in p for p in found)


def test_a_long_extends_chain_ends_with_its_line_not_a_traceback(tmp_path: Path) -> None:
    write(tmp_path, AREAS + RULE, "p0.yaml")
    for n in range(1, 400):
        write(tmp_path, f"name: p{n}\nextends: p{n - 1}.yaml\n", f"p{n}.yaml")
    found = problems(tmp_path / "p399.yaml")
    assert found[0].startswith(f"{tmp_path / 'p399.yaml'}:2: cannot extend")
    assert "'extends' chains more than 10 packs" in found[0]
    assert load_pack(str(tmp_path / "p9.yaml")).info.name == "p9"  # ten packs are fine


def test_a_clones_pack_extends_only_inside_the_clone_or_a_built_in_pack(
    tmp_path: Path, miner, repo
) -> None:  # type: ignore[no-untyped-def]
    repo.commit("Add parser tests", {"tests/test_a.py": "x\n"})
    outside = write(tmp_path, AREAS + RULE, "outside.yaml")
    (repo.path / ".miner.yaml").write_text("rules: packs/ours.yaml\n")
    (repo.path / "packs").mkdir()
    ours = repo.path / "packs" / "ours.yaml"
    for base in (str(outside), "../../outside.yaml", "/etc/passwd"):
        ours.write_text(f"name: ours\nextends: {base}\n")
        result = miner("report", str(repo.path), "--period", "2024Q2")
        assert result.code == 1
        assert f"{ours}:2: 'extends' names a pack outside the clone {repo.path}" in result.err
        assert "root:" not in result.err
        listed = miner("rules", "list", cwd=repo.path)  # the pack a report there would use
        assert "'extends' names a pack outside the clone" in listed.err
    os.mkfifo(repo.path / "packs" / "fifo.yaml")
    ours.write_text("name: ours\nextends: fifo.yaml\n")
    result = miner("report", str(repo.path), "--period", "2024Q2")
    assert f"{ours}:2: 'extends' names no regular file in the clone" in result.err
    (repo.path / "packs" / "base.yaml").write_text(AREAS + RULE)
    for base in ("base.yaml", "senior-sde"):
        ours.write_text(f"name: ours\nextends: {base}\n")
        result = miner("report", str(repo.path), "--period", "2024Q2")
        assert result.code == 0, result.err
    # the user's own pack may extend any file
    mine = write(tmp_path, f"name: mine\nextends: {outside}\n", "mine.yaml")
    assert miner("report", str(repo.path), "--period", "2024Q2", "--rules", str(mine)).code == 0


def test_rule_pack_problems_and_warnings_reach_the_terminal_without_escapes(
    tmp_path: Path, miner
) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, AREAS + RULE + 'title\\e]52;c;aGk=\\a: 1\nextra: "\\e[2J\\u202e"\n')
    path.write_text(path.read_text().replace("title\\e]52;c;aGk=\\a", '"title\\e]52;c;aGk=\\a"'))
    result = miner("rules", "list", "--rules", str(path))
    assert result.code == 1
    assert "unknown top-level key" in result.err
    assert not any(c in result.err for c in "\x1b\x07\u202e")


SET_PATTERNS = ["^fix", r"\bperf(ormance)?\b", "x*", "ÄRGER", "^$", "done$"]
SET_TEXTS = ["Fix the parser", "wip\nfix: typo", "performance", "ärger", "", "all done\nmore"]


def expected_bits(text: str) -> int:
    alone = [compile_search(p, ignore_case=True, multiline=True) for p in SET_PATTERNS]
    return sum(1 << i for i, found in enumerate(alone) if found(text))


def test_a_pattern_set_finds_what_each_pattern_finds_alone() -> None:
    hits = compile_set(SET_PATTERNS, ignore_case=True, multiline=True)
    assert [hits(t) for t in SET_TEXTS] == [expected_bits(t) for t in SET_TEXTS]
    assert hits("Fix the parser") & 1 and not hits("prefix") & 1


@pytest.fixture
def re2_giving_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every RE2 set answers an empty list, as RE2 does when its automaton runs out of
    memory (``patterns.set_matcher``, which the pattern and glob sets share)."""
    from miner import patterns

    real = patterns._re2.Set

    class GivingUp:
        def __init__(self, *args: object) -> None:
            self.inner = real(*args)

        def Add(self, pattern: bytes) -> int:
            return int(self.inner.Add(pattern))

        def Compile(self) -> bool:
            return bool(self.inner.Compile())

        def Match(self, text: bytes) -> list[int]:
            return []

    monkeypatch.setattr(patterns._re2, "Set", GivingUp)


@pytest.mark.usefixtures("re2_giving_up")
def test_a_pattern_set_re2_gives_up_on_is_searched_pattern_by_pattern() -> None:
    """RE2 answers an empty list when its automaton runs out of memory: then the
    patterns are searched one by one, and nothing is lost."""
    hits = compile_set(SET_PATTERNS, ignore_case=True, multiline=True)
    assert [hits(t) for t in SET_TEXTS] == [expected_bits(t) for t in SET_TEXTS]


GLOB_LISTS = [
    ("*.md", "docs/"),
    ("tests/**", "**/test_*.py"),
    ("*.rst", "!CHANGES.rst"),  # a "!" line: read by pathspec, outside the set
    ("[Dd]ockerfile", "/Makefile"),
    ("#only a comment",),  # matches nothing
]
GLOB_PATHS = [
    "README.md",
    "docs/guide/intro.rst",
    "CHANGES.rst",
    "tests/unit/test_a.py",
    "src/test_b.py",
    "ops/dockerfile",
    "Makefile",
    "docs/Makefile",
    "src/app.py",
    "caf\udce9.md",  # a lone surrogate, as an undecodable file name arrives
]


def expected_glob_bits(path: str) -> int:
    return sum(1 << i for i, globs in enumerate(GLOB_LISTS) if path_matches(path, globs))


def test_a_glob_set_finds_the_lists_each_list_matches_alone() -> None:
    bits = globs_bits(GLOB_LISTS)
    assert [bits(p) for p in GLOB_PATHS] == [expected_glob_bits(p) for p in GLOB_PATHS]
    assert bits("CHANGES.rst") == 0 and bits("docs/index.rst") == 0b101


@pytest.mark.usefixtures("re2_giving_up")
def test_a_glob_set_re2_gives_up_on_matches_list_by_list() -> None:
    bits = globs_bits(GLOB_LISTS)
    assert [bits(p) for p in GLOB_PATHS] == [expected_glob_bits(p) for p in GLOB_PATHS]


def one_rule(tmp_path: Path, when: str) -> Path:
    rule = f"""\
rules:
  - id: probe
    area: engineering
    reason: probe
    weight: 1
    when: {when}
    examples:
      match: [{{title: a}}]
      no_match: [{{title: b}}]
"""
    return write(tmp_path, AREAS + rule)


@pytest.mark.parametrize(
    "value",
    [
        "__import__('os').system('touch PWNED')",
        "\"); __import__('os').system('touch PWNED'); (\"",
        "C[0] or True",
    ],
)
def test_pack_text_is_data_in_a_compiled_condition_never_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Conditions are compiled to Python expressions; what a pack says must only ever
    be a value read by them (a pattern here), never part of their code."""
    monkeypatch.chdir(tmp_path)
    quoted = re.escape(value).replace("'", "''")  # a single-quoted YAML scalar
    pack = load_pack(str(one_rule(tmp_path, f"{{title: '{quoted}'}}")))
    [hit] = evaluate(pack, [item(title=value)], frozenset())
    [miss] = evaluate(pack, [item(title="something else")], frozenset())
    assert [m.rule for m in hit.mappings] == ["probe"] and miss.mappings == ()
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("key", ["__class__", "kind or True", "title_hits"])
def test_an_unknown_condition_key_never_reaches_the_compiled_code(tmp_path: Path, key: str) -> None:
    found = problems(one_rule(tmp_path, f'{{"{key}": 1}}'))
    assert any("unknown condition key" in p for p in found)


def test_conditions_nested_as_deep_as_allowed_compile_and_decide(tmp_path: Path) -> None:
    depth = 30  # each "not" one level deeper; the bound is 32
    when = "{kind: commit}"
    for _ in range(depth):
        when = f"{{not: {when}}}"  # an even count of "not": the same as the innermost
    pack = load_pack(str(one_rule(tmp_path, when)))
    [commit] = evaluate(pack, [item()], frozenset())
    [review] = evaluate(pack, [item(kind="review", source="github")], frozenset())
    assert [m.rule for m in commit.mappings] == ["probe"] and review.mappings == ()


def nested(depth: int, inner: str) -> str:
    for _ in range(depth):
        inner = f"{{not: {inner}}}"
    return inner


@pytest.mark.parametrize("anchors", [1, 4])
def test_conditions_nested_past_the_bound_fail_the_pack_at_their_line(
    tmp_path: Path, anchors: int
) -> None:
    """YAML aliases repeat a subtree without counting its depth again: four anchors of 40
    "not"s each make a condition 160 deep, which Python could not compile (at most 200
    nested brackets, and the rules are joined into one expression per kind). It is a
    problem of the pack, with its line, never a traceback."""
    chain = [f"&a0 {nested(40, '{kind: commit}')}"]
    chain += [f"&a{n} {nested(40, f'*a{n - 1}')}" for n in range(1, anchors)]
    found = problems(one_rule(tmp_path, "{all: [" + ", ".join(chain) + "]}"))
    where = tmp_path / "pack.yaml"
    assert found == [f"{where}:15: rule 'probe': conditions are nested more than 32 deep"]


def test_a_pack_whose_aliases_expand_past_the_key_bound_fails_the_pack(tmp_path: Path) -> None:
    """A list of 100 conditions repeated 100 times through one alias is 10,000 keys to
    compile from a few lines of YAML: refused, with the line, before anything is built."""
    wide = "&w {any: [" + ", ".join(["{kind: commit}"] * 100) + "]}"
    when = "{all: [" + wide + ", " + ", ".join(["*w"] * 99) + "]}"
    [problem] = problems(one_rule(tmp_path, when))
    assert problem.endswith("rule 'probe': the pack's conditions hold more than 5,000 keys")


def test_the_cli_refuses_a_pack_nested_too_deep_in_one_line(
    tmp_path: Path,
    miner,  # type: ignore[no-untyped-def]
    repo,  # type: ignore[no-untyped-def]
) -> None:
    repo.commit("work", {"a.txt": "1\n"})
    chain = f"&a0 {nested(40, '{kind: commit}')}, &a1 {nested(40, '*a0')}"
    pack = str(one_rule(tmp_path, "{all: [" + chain + "]}"))
    for args in (["rules", "test", "--rules", pack], ["report", str(repo.path), "--rules", pack]):
        result = miner(*args)
        assert result.code == 1
        assert "conditions are nested more than 32 deep" in result.err
        assert "Traceback" not in result.err
