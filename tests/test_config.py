"""The config files: the user's own, a clone's `.miner.yaml`, the command line over both."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo


def user_config(home: Path, text: str) -> Path:
    path = home / "config" / "contribution-miner" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def work(repo: Repo) -> Repo:
    repo.commit("Q2 work", {"a.py": "x\n"}, date="2024-05-02T10:00:00+00:00")
    repo.commit("Q1 work", {"b.py": "x\n"}, date="2024-02-02T10:00:00+00:00")
    repo.commit("Bob's work", {"c.py": "x\n"}, author=("Bob", "bob@example.com"))
    return repo


def titles(out: str) -> set[str]:
    doc: dict[str, Any] = json.loads(out)
    return {e["title"] for e in doc["evidence"]}


def test_the_users_file_gives_defaults_and_the_command_line_overrides_them(
    repo: Repo, miner, isolated_home: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    store = tmp_path / "from-config.sqlite3"
    user_config(
        isolated_home,
        f"author: [bob@example.com]\nperiod: 2024Q2\nformat: json\nstore: {store}\n",
    )
    result = miner("report", str(repo.path))
    assert result.code == 0, result.err
    assert titles(result.out) == {"Bob's work"}
    assert store.is_file()
    result = miner("report", str(repo.path), "--author", "ada@example.com", "--period", "2024Q1")
    assert result.code == 0, result.err
    assert titles(result.out) == {"Q1 work"}


def test_a_clones_file_sets_home_repos_and_period_but_never_files_or_the_subject(
    repo: Repo, miner, isolated_home: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    elsewhere = tmp_path / "planted"
    (repo.path / ".miner.yaml").write_text(
        "period: 2024Q2\nformat: json\nhome-repo: [acme/widgets]\n"
        f"author: bob@example.com\nstore: {elsewhere}.sqlite3\nnotes: {elsewhere}.yaml\n"
        "github-api-url: https://evil.example.com\nrules: ../../outside.yaml\nrun: rm -rf /\n"
    )
    result = miner("report", cwd=repo.path)
    assert result.code == 0, result.err
    assert titles(result.out) == {"Q2 work"}  # ada's (not bob's), in the file's period
    for key in ("author", "store", "notes", "github-api-url"):
        assert f"'{key}' is ignored (only your own config sets it)" in result.err
    assert "'run' is ignored (not a key miner knows)" in result.err
    assert "rules is ignored (a pack outside the clone)" in result.err
    assert not list(tmp_path.glob("planted*"))
    doctor = miner("doctor", str(repo.path))
    assert "setting home-repo: acme/widgets" in doctor.out
    assert f"({repo.path / '.miner.yaml'})" in doctor.out
    assert "setting store: in your cache folder (see store below) (default)" in doctor.out
    assert "setting author: (not set: git config user.email) (default)" in doctor.out


def test_a_clones_file_may_name_a_pack_inside_it(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    (repo.path / "team").mkdir()
    (repo.path / "team" / "pack.yaml").write_text("name: team\nversion: 1\nextends: senior-sde\n")
    (repo.path / ".miner.yaml").write_text("rules: team/pack.yaml\n")
    result = miner("rules", "list")
    assert result.code == 0
    report = miner("report", "--period", "2024Q2", "--format", "json", cwd=repo.path)
    assert report.code == 0, report.err
    assert json.loads(report.out)["rule_pack"]["name"] == "team"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("home-repo: [click, acme/widgets]\n", "home-repo is ignored ('click' is not OWNER/NAME)"),
        ("period: lastquarter\n", "period is ignored (--period 'lastquarter' is not a period"),
        ("format: pdf\n", "format is ignored ('pdf' is not one of md, html, json)"),
        ("home-repo: {a: b}\n", "home-repo is ignored (give a list of text values)"),
        ("rules: fifo.yaml\n", "rules is ignored (no such regular file in the clone)"),
    ],
)
def test_a_bad_value_in_a_clones_file_is_a_warning_not_a_failure(
    repo: Repo, miner, text: str, says: str
) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    os.mkfifo(repo.path / "fifo.yaml")
    (repo.path / ".miner.yaml").write_text(text)
    result = miner("report", "--period", "2024Q2", "--format", "json", cwd=repo.path)
    assert result.code == 0, result.err
    assert f"warning: {repo.path / '.miner.yaml'}: {says}" in result.err
    assert titles(result.out) == {"Q2 work"}


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    "{new}: &{new} [*{old}, *{old}, *{old}, *{old}]\n".format(new=chr(98 + i), old=chr(97 + i))
    for i in range(12)
)


@pytest.mark.parametrize("kind", ["link", "fifo", "huge", "not yaml", "a list", "laughs"])
def test_a_hostile_clone_file_is_ignored_with_a_warning(repo: Repo, miner, kind: str) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    path = repo.path / ".miner.yaml"
    if kind == "link":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "huge":
        path.write_text("period: 2024Q1\n" + "#" * 100_000)
    elif kind == "not yaml":
        path.write_text("period: [unclosed\n")
    elif kind == "laughs":  # a few hundred bytes that expand to millions of values
        path.write_text(LAUGHS + "period: *m\n")
    else:
        path.write_text("- period\n")
    result = miner("report", "--period", "2024Q2", "--format", "json", cwd=repo.path)
    assert result.code == 0, result.err
    assert titles(result.out) == {"Q2 work"}
    assert f"{path} is ignored" in result.err


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("link to a file", "is ignored: a link, not a file"),
        ("folder", "is ignored: not a regular file (a FIFO, a device or a folder)"),
        ("huge", "is ignored: larger than 64 KiB"),
        ("not utf-8", "is ignored: line 2: not UTF-8 text"),
    ],
)
def test_a_clones_file_is_checked_as_it_was_opened(  # type: ignore[no-untyped-def]
    repo: Repo, miner, kind: str, says: str
) -> None:
    work(repo)
    path = repo.path / ".miner.yaml"
    if kind == "link to a file":
        (repo.path / "real.yaml").write_text("period: 2024Q1\n")
        path.symlink_to("real.yaml")
    elif kind == "folder":
        path.mkdir()
    elif kind == "huge":
        path.write_text("period: 2024Q1\n" + "#" * 100_000)
    else:
        path.write_bytes(b"period: 2024Q1\n# caf\xe9\n")
    result = miner("report", "--period", "2024Q2", "--format", "json", cwd=repo.path)
    assert result.code == 0, result.err
    assert f"warning: {path} {says}" in result.err
    assert titles(result.out) == {"Q2 work"}


def test_a_user_file_that_is_not_utf8_names_its_line(  # type: ignore[no-untyped-def]
    repo: Repo, miner, isolated_home: Path
) -> None:
    work(repo)
    path = user_config(isolated_home, "")
    path.write_bytes(b"period: 2024Q2\nauthor: Jos\xe9\n")
    result = miner("report", str(repo.path))
    assert result.code == 2
    assert result.err.startswith(
        f"miner: error: config file {path} cannot be read: line 2: not UTF-8"
    )
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("period: [unclosed\n", "cannot be read"),
        ("- a\n", "is not a mapping"),
        ("autor: me@example.com\n", "unknown key 'autor'"),
        ("github: maybe\n", "github: give true or false"),
        ("period: lastquarter\n", "is not a period I know"),
        ("format: pdf\n", "format: 'pdf' is not one of md, html, json"),
        ("home-repo: [click]\n", "home-repo: 'click' is not OWNER/NAME"),
    ],
)
def test_a_broken_user_file_is_one_line_exit_2(
    repo: Repo, miner, isolated_home: Path, text: str, says: str
) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    path = user_config(isolated_home, text)
    result = miner("report", str(repo.path))
    assert result.code == 2
    assert says in result.err and str(path) in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert result.out == ""


def test_two_clones_that_disagree_ask_for_the_option(make_repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    one, two = make_repo(tmp_path / "one"), make_repo(tmp_path / "two")
    one.commit("One", {"a": "x\n"})
    two.commit("Two", {"b": "x\n"})
    (one.path / ".miner.yaml").write_text("period: 2024Q2\nhome-repo: acme/one\n")
    (two.path / ".miner.yaml").write_text("period: 2024Q1\nhome-repo: acme/two\n")
    result = miner("report", str(one.path), str(two.path))
    assert result.code == 2
    assert "period is '2024Q2' in" in result.err and "pass --period" in result.err
    agreed = miner("report", str(one.path), str(two.path), "--period", "2024Q2")
    assert agreed.code == 0, agreed.err


def test_doctor_shows_where_each_value_came_from(repo: Repo, miner, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    path = user_config(isolated_home, "author: ada@example.com\nperiod: 2024Q2\n")
    (repo.path / ".miner.yaml").write_text("period: 2024Q1\n")
    result = miner("doctor", str(repo.path), "--store", str(isolated_home / "s.sqlite3"))
    assert result.code == 0, result.out
    assert f"[ok  ] config file: {path}\n" in result.out
    assert f"setting author: ada@example.com ({path})" in result.out
    assert f"setting period: 2024Q1 ({repo.path / '.miner.yaml'})" in result.out
    assert "setting store: " in result.out and "s.sqlite3 (command line)" in result.out
    assert "setting format: md (default)" in result.out
    assert "setting github: on when a token is found (default)" in result.out


def test_the_authors_in_the_users_file_are_the_user(repo: Repo, miner, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    user_config(isolated_home, "author: [me@home.example.com, ada@old.example.com]\n")
    notes = isolated_home / "data" / "contribution-miner" / "notes.yaml"
    notes.parent.mkdir(parents=True)
    notes.write_text("notes:\n  - {date: 2024-05-02, area: career, text: Career talk}\n")
    args = ("--period", "2024Q2", "--format", "json")
    mine = miner("report", str(repo.path), *args)
    assert "Career talk" in titles(mine.out)
    also_mine = miner("report", str(repo.path), "--author", "ada@old.example.com", *args)
    assert "Career talk" in titles(also_mine.out)
    bob = miner("report", str(repo.path), "--author", "bob@example.com", *args)
    assert "Career talk" not in titles(bob.out)


def test_note_commands_use_the_notes_file_of_the_users_config(
    repo: Repo, miner, isolated_home: Path
) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    user_config(isolated_home, "notes: ~/notes/promo.yaml\n")
    configured = isolated_home / "notes" / "promo.yaml"
    configured.parent.mkdir()
    added = miner(
        "note", "add", "Gave the tracing talk", "--area", "career", "--date", "2024-05-03"
    )
    assert added.code == 0, added.err
    assert added.out == f"noted in {configured}\n"
    default = isolated_home / "data" / "contribution-miner" / "notes.yaml"
    assert not default.exists()
    report = miner("report", str(repo.path), "--period", "2024Q2", "--format", "json")
    assert "Gave the tracing talk" in titles(report.out)
    listed = miner("note", "list")
    assert "Gave the tracing talk" in listed.out
    note_id = listed.out.split()[0]
    other = isolated_home / "other.yaml"
    assert miner("note", "list", "--notes", str(other)).err == f"no notes in {other}\n"
    removed = miner("note", "remove", note_id)
    assert removed.code == 0, removed.err
    assert f"from {configured}" in removed.out
    assert "Gave the tracing talk" not in configured.read_text()


TEAM_PACK = (
    "name: team\nversion: 3\nextends: senior-sde\nareas:\n"
    "  - {id: oncall, title: On-call, description: Pages answered, hint: Note the pages}\n"
    "rules:\n  - id: runbooks\n    area: oncall\n    weight: 2\n    reason: writes runbooks\n"
    "    when: {paths_any: [runbooks/**]}\n    examples:\n"
    "      match: [{kind: commit, title: Page guide, paths: [runbooks/pager.md]}]\n"
    "      no_match: [{kind: commit, title: Fix, paths: [src/a.py]}]\n"
)


@pytest.mark.parametrize("where", ["user", "clone"])
def test_rules_commands_use_the_pack_a_report_would(
    repo: Repo, miner, isolated_home: Path, where: str
) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    if where == "user":
        pack = isolated_home / "team.yaml"
        pack.write_text(TEAM_PACK)
        user_config(isolated_home, f"rules: {pack}\n")
    else:
        pack = repo.path / "team.yaml"
        pack.write_text(TEAM_PACK)
        (repo.path / ".miner.yaml").write_text("rules: team.yaml\n")
    listed = miner("rules", "list", cwd=repo.path)
    assert listed.code == 0, listed.err
    assert listed.out.startswith(f"team v3: {pack}\n")
    assert "oncall: On-call" in listed.out
    tested = miner("rules", "test", cwd=repo.path)
    assert tested.code == 0, tested.err
    assert tested.out.startswith("team: ")
    explained = miner("rules", "explain", "runbooks", cwd=repo.path)
    assert explained.code == 0, explained.err
    assert explained.out.startswith(f"runbooks ({pack}:")
    noted = miner("note", "add", "Ran the incident review", "--area", "oncall", cwd=repo.path)
    assert noted.code == 0, noted.err
    builtin = miner("rules", "list", "--rules", "senior-sde", cwd=repo.path)
    assert builtin.out.startswith("senior-sde v")  # the command line wins
    report = miner("report", "--period", "2024Q2", "--format", "json", cwd=repo.path)
    assert json.loads(report.out)["rule_pack"]["name"] == "team"


def test_doctor_loads_the_configured_pack(repo: Repo, miner, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    missing = isolated_home / "team.yaml"
    path = user_config(isolated_home, f"rules: {missing}\n")
    result = miner("doctor", str(repo.path))
    assert result.code == 1
    assert (
        f"[FAIL] rule pack: rules: {missing} in {path}: no such file and no built-in pack"
        in result.out
    )
    missing.write_text("name: team\nrules: {}\n")
    broken = miner("doctor", str(repo.path))
    assert broken.code == 1
    assert f"[FAIL] rule pack: {missing}:" in broken.out
    missing.write_text(TEAM_PACK)
    fine = miner("doctor", str(repo.path))
    assert f"[ok  ] rule pack: team v3: {missing} (8 areas, " in fine.out
    report = miner("report", str(repo.path), "--rules", "nosuchpack", "--period", "2024Q2")
    assert report.code == 2 and len(report.err.splitlines()) == 1


def test_errors_name_the_config_file_a_setting_came_from(
    repo: Repo, miner, isolated_home: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    path = user_config(isolated_home, "github: true\n")
    result = miner("report", str(repo.path), "--period", "2024Q2")
    assert result.code == 2
    assert result.err.startswith(f"miner: error: github: true in {path}: no GitHub token found")
    assert "--github:" not in result.err and "--no-github" in result.err
    missing = tmp_path / "nonexistent" / "dir"
    user_config(isolated_home, f"store: {missing}/s.sqlite3\nrules: nosuchpack\n")
    result = miner("report", str(repo.path), "--period", "2024Q2")
    assert result.code == 2 and len(result.err.splitlines()) == 1
    assert f"store: {missing}/s.sqlite3 in {path}: folder {missing} does not exist" in result.err
    assert not (tmp_path / "nonexistent").exists()
    user_config(isolated_home, "rules: nosuchpack\nperiod: 2030Q1\n")
    result = miner("report", str(repo.path))
    assert result.err.startswith(f"miner: error: rules: nosuchpack in {path}: no such file")
    user_config(isolated_home, "period: 2030Q1\n")
    result = miner("report", str(repo.path))
    assert result.code == 2 and len(result.err.splitlines()) == 1
    assert f"period: 2030Q1 in {path}: the period has not begun (it starts 2030-01-01)" in (
        result.err
    )
