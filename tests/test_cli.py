"""`miner` as a user runs it: real repositories, real rendering, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from miner.periods import parse_period
from miner.report import json_schema
from tests.conftest import Repo


def seeded(repo: Repo) -> Repo:
    tests = "".join(f"def test_{i}():\n    assert {i}\n" for i in range(5))
    repo.commit("Add parser tests", {"tests/test_parser.py": tests})
    repo.commit(
        "Speed up the tokenizer",
        {"src/tokenizer.py": "".join(f"x{i} = {i}\n" for i in range(120))},
        date="2024-05-10T09:30:00+00:00",
    )
    return repo


def test_report_defaults_to_last_quarter_for_git_config_user_email(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    last = parse_period("last-quarter")
    when = (last.start + timedelta(days=3)).isoformat()
    repo.commit("Recent work on the scheduler", {"sched.py": "x\n"}, date=when)
    repo.commit("Older work", {"old.py": "x\n"}, date=(last.start - timedelta(days=1)).isoformat())
    result = miner("report", cwd=repo.path)
    assert result.code == 0, result.err
    assert f"**Period:** {last.label}" in result.out
    assert "Recent work on the scheduler" in result.out
    assert "Older work" not in result.out
    assert "ada@example.com" in result.out
    assert result.err == ""


def test_json_output_follows_the_shipped_schema(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    out = tmp_path / "out.json"
    result = miner(
        "report",
        str(repo.path),
        "--author",
        "ada@example.com",
        "--period",
        "2024Q2",
        "--format",
        "json",
        "-o",
        str(out),
    )
    assert result.code == 0, result.err
    assert result.out == ""
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, json_schema())
    assert doc["period"] == {
        "label": "2024Q2",
        "start": "2024-04-01T00:00:00+00:00",
        "end": "2024-07-01T00:00:00+00:00",
    }
    assert [a["id"] for a in doc["areas"]] == [
        "career",
        "delivery",
        "operational",
        "engineering",
        "mentoring",
        "growth",
        "influence",
    ]
    titles = {e["title"]: e for e in doc["evidence"]}
    tests = titles["Add parser tests"]
    assert tests["stats"] == {"additions": 10, "deletions": 0, "files": 1}
    assert {
        "area": "engineering",
        "rule": "tests-added",
        "reason": "adds or changes tests",
    } in tests["areas"]
    counts = {a["id"]: a["evidence_count"] for a in doc["areas"]}
    assert counts["engineering"] >= 1
    assert all(a["gap"] == (a["evidence_count"] == 0) for a in doc["areas"])
    github = next(s for s in doc["sources"] if s["kind"] == "github")
    assert github["blind_spots"] and "GitHub not collected" in github["blind_spots"][0]


def test_html_is_one_escaped_self_contained_file(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    repo.commit('Fix <script>alert("x")</script> & stuff', {"tests/test_a.py": "x\n"})
    result = miner("report", str(repo.path), "--period", "2024Q2", "--format", "html")
    assert result.code == 0, result.err
    assert "<script>alert" not in result.out
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; stuff" in result.out
    assert "<svg" in result.out
    assert "http://" not in result.out.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<link" not in result.out and "src=" not in result.out


def test_markdown_escapes_titles(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    repo.commit("Handle | pipes and [links](http://evil) *stars*", {"tests/test_a.py": "x\n"})
    result = miner("report", str(repo.path), "--period", "2024Q2")
    # A pipe only breaks a table cell; in a list item it stays as it is.
    assert r"Handle | pipes and \[links\](http://evil) \*stars\*" in result.out
    assert "](http://evil)" not in result.out.replace(r"\](http://evil)", "")


def test_an_author_with_no_commits_gets_every_area_as_a_gap(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    result = miner(
        "report",
        str(repo.path),
        "--author",
        "nobody@example.com",
        "--period",
        "2024Q2",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["evidence"] == []
    assert all(a["gap"] for a in doc["areas"])


def test_a_shallow_clone_works_with_a_warning(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    repo.commit("Newest", {"n.py": "x\n"}, date="2024-06-01T00:00:00+00:00")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)], check=True
    )
    result = miner("report", str(clone), "--author", "ada@example.com", "--period", "2024Q2")
    assert result.code == 0, result.err
    assert "miner: warning: shallow clone" in result.err
    assert "Newest" in result.out
    assert "Speed up the tokenizer" not in result.out
    assert "shallow clone" in result.out


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--period", "2024Q5"], 2, "quarters Q1 to Q4"),
        (["--period", "garbage"], 2, "not a period I know"),
        (["--period", "2024-06-30..2024-04-01"], 2, "ends before it starts"),
        (["--format", "pdf"], 2, "'pdf' is not one of 'md', 'html', 'json'"),
        (["--author", " "], 2, "--author is empty"),
        (["--author", ""], 2, "--author is empty"),
        (["--github"], 2, "--github: no GitHub token found"),
        (["--rules", "nosuchpack"], 2, "--rules nosuchpack: no such file and no built-in pack"),
        (["--period", "2030Q1"], 2, "--period 2030Q1: the period has not begun"),
        (["--repo", "nonsense"], 2, "is not OWNER/NAME"),
        (["--github-api-url", "ftp://x"], 2, "is not an http(s) URL"),
    ],
)
def test_bad_options_fail_with_one_line_and_write_nothing(
    repo: Repo,
    miner,
    tmp_path: Path,
    args: list[str],
    code: int,
    says: str,  # type: ignore[no-untyped-def]
) -> None:
    seeded(repo)
    out = tmp_path / "out.md"
    result = miner("report", str(repo.path), "-o", str(out), *args)
    assert result.code == code
    assert says in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert result.err.startswith("miner: error: ")
    assert not out.exists()


def test_not_a_git_repository(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plain = tmp_path / "plain"
    plain.mkdir()
    result = miner("report", str(plain))
    assert result.code == 1
    assert (
        result.err == f"miner: error: {plain} is not a Git repository; "
        "run miner inside a clone or give its path\n"
    )
    result = miner("report", cwd=plain)
    assert result.code == 1 and "is not a Git repository" in result.err


def test_a_path_that_does_not_exist(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = miner("report", str(tmp_path / "nope"))
    assert result.code == 2
    assert "nope: no such file or directory" in result.err
    assert len(result.err.splitlines()) == 1


def test_an_empty_repository(miner, make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = make_repo(tmp_path / "empty")
    result = miner("report", str(empty.path))
    assert result.code == 1
    assert "has no commits yet" in result.err
    assert len(result.err.splitlines()) == 1


def test_no_identity_at_all(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    repo.git("config", "--unset", "user.email")
    result = miner("report", str(repo.path), "--period", "2024Q2")
    assert result.code == 1
    assert "git config user.email is not set" in result.err and "--author" in result.err


def test_a_bot_is_never_the_default_subject(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    repo.git("config", "user.name", "github-actions[bot]")
    repo.git("config", "user.email", "41898282+github-actions[bot]@users.noreply.github.com")
    result = miner("report", str(repo.path), "--period", "2024Q2")
    assert result.code == 1
    assert "is a bot account" in result.err


def test_a_rule_pack_that_is_not_yaml(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    bad = tmp_path / "bad.yaml"
    bad.write_text("areas: [\n  - id: x\n")
    result = miner("report", str(repo.path), "--period", "2024Q2", "--rules", str(bad))
    assert result.code == 1
    assert f"{bad}:" in result.err and "not valid YAML" in result.err
    assert "Traceback" not in result.err


def test_output_into_a_missing_folder(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    result = miner(
        "report", str(repo.path), "--period", "2024Q2", "-o", str(tmp_path / "no" / "r.md")
    )
    assert result.code == 2
    assert "does not exist" in result.err


def test_rules_commands(miner) -> None:  # type: ignore[no-untyped-def]
    listed = miner("rules", "list")
    assert listed.code == 0
    assert "tests-added" in listed.out and "engineering: Engineering excellence" in listed.out
    tested = miner("rules", "test")
    assert tested.code == 0, tested.err
    assert "all pass" in tested.out
    explained = miner("rules", "explain", "tests-added")
    assert explained.code == 0
    assert "area:   engineering" in explained.out and "changes_in" in explained.out
    unknown = miner("rules", "explain", "no-such-rule")
    assert unknown.code == 2 and "no rule 'no-such-rule'" in unknown.err


def test_rules_test_fails_on_a_broken_example(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "p.yaml"
    pack.write_text(
        "name: p\nareas:\n  - {id: a, title: A, hint: h}\nrules:\n  - id: r\n    area: a\n"
        "    reason: why\n    when: {title: 'fix'}\n    examples:\n"
        "      match: [{title: fix}]\n      no_match: [{title: prefix}]\n"
    )
    result = miner("rules", "test", "--rules", str(pack))
    assert result.code == 1
    assert f"{pack}:11: rule 'r': example matches but should not" in result.err


def test_note_add_then_report_counts_it_for_career(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    notes = tmp_path / "notes.yaml"
    added = miner(
        "note",
        "add",
        "Career conversation about leading storage",
        "--area",
        "career",
        "--date",
        "2024-05-02",
        "--link",
        "https://example.com/1on1",
        "--notes",
        str(notes),
    )
    assert added.code == 0, added.err
    result = miner(
        "report", str(repo.path), "--period", "2024Q2", "--notes", str(notes), "--format", "json"
    )
    doc = json.loads(result.out)
    [note] = [e for e in doc["evidence"] if e["kind"] == "note"]
    assert note["url"] == "https://example.com/1on1"
    assert any(m["area"] == "career" for m in note["areas"])
    assert not next(a for a in doc["areas"] if a["id"] == "career")["gap"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["x", "--area", "nope"], "is not an area"),
        (["x", "--area", "career", "--date", "2024-13-01"], "--date"),
        (["x", "--area", "career", "--link", "javascript:alert(1)"], "not an http(s) URL"),
        (["  ", "--area", "career"], "the note is empty"),
    ],
)
def test_note_add_refuses_bad_input(miner, tmp_path: Path, args: list[str], says: str) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.yaml"
    result = miner("note", "add", *args, "--notes", str(notes))
    assert result.code == 2
    assert says in result.err
    assert not notes.exists()


def test_a_broken_notes_file_is_named_and_left_alone(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    notes = tmp_path / "notes.yaml"
    notes.write_text("notes: [unclosed\n")
    result = miner("note", "add", "x", "--area", "career", "--notes", str(notes))
    assert result.code == 1 and f"notes file {notes}:2: not valid YAML" in result.err
    assert notes.read_text() == "notes: [unclosed\n"
    result = miner("report", str(repo.path), "--period", "2024Q2", "--notes", str(notes))
    assert result.code == 1 and f"notes file {notes}:2: not valid YAML" in result.err


def test_doctor_reports_each_check(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    result = miner("doctor", str(repo.path))
    assert result.code == 0, result.out + result.err
    assert "[ok  ] git: git version" in result.out
    assert "[ok  ] commits: 2 commits, the latest on 2024-05-10" in result.out
    assert "[warn] mailmap: no .mailmap" in result.out


def test_doctor_fails_outside_a_repository(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = miner("doctor", str(tmp_path))
    assert result.code == 1
    assert "[FAIL] repository" in result.out


def test_generated_at_is_utc(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    doc = json.loads(miner("report", str(repo.path), "--period", "2024Q2", "--format", "json").out)
    stamp = datetime.fromisoformat(doc["generated_at"])
    assert stamp.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - stamp) < timedelta(minutes=5)


def test_doctor_names_a_store_it_cannot_use(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    store = tmp_path / "junk.db"
    store.write_text("not a database")
    result = miner("doctor", str(repo.path), "--store", str(store))
    assert result.code == 1
    assert f"[FAIL] store: store {store} is not a SQLite file" in result.out
    assert store.read_text() == "not a database"


def test_the_program_flushes_its_output_and_keeps_the_exit_code(repo: Repo) -> None:
    """The installed program leaves through ``os._exit``: what it printed must still
    arrive through a pipe, and its exit code must be the command's."""

    def program(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "miner", *args],
            cwd=repo.path,
            capture_output=True,
            text=True,
            check=False,
        )

    repo.commit("Parse the config lazily", {"config.py": "x\n"}, date="2024-02-01T10:00:00+00:00")
    shown = program("report", "--no-github", "--period", "2024Q1", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    titles = [e["title"] for e in json.loads(shown.stdout)["evidence"]]
    assert titles == ["Parse the config lazily"]
    refused = program("report", "--period", "2024Q5")
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.startswith("miner: error: ") and refused.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("raised", "code", "said"), [(None, 0, ""), (3, 3, ""), ("boom", 1, "boom\n")]
)
def test_the_program_keeps_every_kind_of_exit(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    raised: object,
    code: int,
    said: str,
) -> None:
    import gc

    from miner import cli

    class Left(Exception):
        pass

    def leave(status: int) -> None:
        raise Left(status)

    def command() -> None:
        raise SystemExit(raised)

    monkeypatch.setattr(cli, "main", command)
    monkeypatch.setattr(cli.os, "_exit", leave)
    try:
        cli.entry()
    except (Left, SystemExit) as exc:  # SystemExit when a tracer (coverage) is on
        left = exc.args[0] if isinstance(exc, Left) else exc.code
    finally:
        gc.enable()
    assert left == code
    assert capsys.readouterr().err == said


def test_bare_miner_shows_the_help(miner) -> None:  # type: ignore[no-untyped-def]
    result = miner()
    assert result.code == 0
    assert "Usage: miner" in result.out and "report" in result.out
    assert result.err == ""


def test_help_explains_paths_defaults_and_every_option(miner) -> None:  # type: ignore[no-untyped-def]
    report = miner("report", "--help")
    assert report.code == 0
    text = " ".join(report.out.split())
    assert "PATHS are the clones to read (default: the current folder)" in text
    assert "--period TEXT Default: last-quarter. One of 2024Q2" in text
    promo = " ".join(miner("promo", "--help").out.split())
    assert "--period TEXT Default: last-4-quarters. One of 2024Q2" in promo
    doctor = miner("doctor", "--help")
    assert "The notes file to check. Default: yours." in " ".join(doctor.out.split())


def test_rules_explain_shows_examples_as_yaml(miner) -> None:  # type: ignore[no-untyped-def]
    result = miner("rules", "explain", "tests-added")
    assert result.code == 0
    shown = "  - {kind: commit, paths: {tests/test_parser.py: 12}, title: Cover the parser}"
    assert shown in result.out
    assert "{'" not in result.out


def test_rules_explain_names_the_file_a_rule_is_written_in(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rule = (
        "  - id: {id}\n    area: delivery\n    reason: r\n    when: {{title: '{id}'}}\n"
        "    examples:\n      match: [{{title: {id}}}]\n      no_match: [{{title: other}}]\n"
    )
    base = tmp_path / "base.yaml"
    base.write_text(
        "name: base\nareas:\n  - {id: delivery, title: D, description: d, hint: h}\n"
        "rules:\n" + rule.format(id="shipped") + rule.format(id="landed")
    )
    ours = tmp_path / "ours.yaml"
    ours.write_text("name: ours\n\n\n\n\nextends: base.yaml\nrules:\n" + rule.format(id="landed"))
    inherited = miner("rules", "explain", "shipped", "--rules", str(ours))
    assert inherited.code == 0, inherited.err
    assert inherited.out.startswith(f"shipped ({base}:5)\n")  # not ours.yaml:5
    overridden = miner("rules", "explain", "landed", "--rules", str(ours))
    assert overridden.out.startswith(f"landed ({ours}:8)\n")


def test_a_failing_inherited_example_names_the_base_packs_file(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = tmp_path / "base.yaml"
    base.write_text(
        "name: base\nareas:\n  - {id: delivery, title: D, description: d, hint: h}\n"
        "rules:\n  - id: big\n    area: delivery\n    reason: r\n"
        "    when: {min_product_changes: 10}\n    examples:\n"
        "      match: [{paths: {src/a.py: 12}}]\n      no_match: [{paths: {src/a.py: 2}}]\n"
    )
    ours = tmp_path / "ours.yaml"  # src/ is no product code here: the base's example fails
    ours.write_text("name: ours\nextends: base.yaml\nsize: {non_product: ['src/**']}\n")
    tested = miner("rules", "test", "--rules", str(ours))
    assert tested.code == 1
    assert f"{base}:10: rule 'big': example should match but does not" in tested.err


def test_an_unknown_rule_id_suggests_the_near_ones(miner) -> None:  # type: ignore[no-untyped-def]
    result = miner("rules", "explain", "test-added")
    assert result.code == 2
    assert "no rule 'test-added' in senior-sde; did you mean tests-added or" in result.err
    far = miner("rules", "explain", "zzzz")
    assert far.code == 2 and "see `miner rules list`" in far.err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["note", "add", "x", "--area", "career", "--date", "2024-13-01"], "not a day of the"),
        (["note", "add", "x", "--area", "career", "--date", "May 2"], "is not a date"),
        (["report", "--period", "2024-02-30..2024-03-31"], "not a day of the calendar"),
    ],
)
def test_a_bad_date_gets_our_words(
    repo: Repo, miner, tmp_path: Path, args: list[str], says: str
) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    result = miner(*args, "--notes", str(tmp_path / "n.yaml"), cwd=repo.path)
    assert result.code == 2
    assert says in result.err
    assert "isoformat" not in result.err and "must be in" not in result.err


@pytest.mark.parametrize("command", ["report", "collect"])
def test_a_store_in_a_missing_folder_is_refused_not_made(
    repo: Repo, miner, tmp_path: Path, command: str
) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    missing = tmp_path / "nonexistent" / "dir"
    result = miner(command, str(repo.path), "--period", "2024Q2", "--store", f"{missing}/s.sqlite3")
    assert result.code == 2
    assert f"--store {missing}/s.sqlite3: folder {missing} does not exist" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / "nonexistent").exists()
    doctor = miner("doctor", str(repo.path), "--store", f"{missing}/s.sqlite3")
    assert doctor.code == 1
    assert f"[FAIL] store: {missing}/s.sqlite3: folder {missing} does not exist" in doctor.out
    assert not (tmp_path / "nonexistent").exists()


def test_the_default_store_makes_its_cache_folder(repo: Repo, miner, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    seeded(repo)
    assert not (isolated_home / "cache").exists()
    result = miner("report", str(repo.path), "--period", "2024Q2")
    assert result.code == 0, result.err
    assert (isolated_home / "cache" / "contribution-miner" / "store.sqlite3").is_file()
