"""A new user's first runs: nothing mistyped turns into a claim that is not true."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from miner import api
from miner.periods import parse_period
from tests.conftest import Repo


def work(repo: Repo) -> Repo:
    # a change of some size: a one-line change is trivial and counts for no area at all
    tokens = "".join(f"token_{i} = {i}\n" for i in range(12))
    repo.commit("Speed up the tokenizer", {"src/tokenizer.py": tokens})
    return repo


def report_json(miner, *args: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = miner("report", *args, "--period", "2024Q2", "--format", "json")
    assert result.code == 0, result.err
    doc: dict[str, Any] = json.loads(result.out)
    return doc


def areas_of(doc: dict[str, Any], title: str) -> set[str]:
    item = next(e for e in doc["evidence"] if e["title"] == title)
    return {m["area"] for m in item["areas"]}


@pytest.mark.parametrize(
    ("option", "value"),
    [
        *[("--home-repo", v) for v in ("click", "not a repo!!", "/abs", "owner/", "../x", "a/.")],
        *[("--repo", v) for v in ("click", "a/b/c", "owner/", "x y/z")],
    ],
)
def test_a_repository_that_is_not_owner_name_is_a_usage_error(
    repo: Repo, miner, option: str, value: str
) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    result = miner("report", str(repo.path), option, value, "--period", "2024Q2")
    assert result.code == 2
    assert f"{option} {value!r} is not OWNER/NAME" in result.err
    assert result.out == ""


def test_a_gitlab_subgroup_is_a_home_repository(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    repo.git("remote", "add", "origin", "https://gitlab.com/group/sub/lib.git")
    doc = report_json(miner, str(repo.path), "--home-repo", "group/sub/lib")
    assert "influence" not in areas_of(doc, "Speed up the tokenizer")


def test_a_clone_without_a_forge_remote_is_never_influence(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    doc = report_json(miner, str(repo.path), "--home-repo", "acme/widgets")
    assert "influence" not in areas_of(doc, "Speed up the tokenizer")


def test_work_in_a_known_repository_elsewhere_is_influence(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    repo.git("remote", "add", "origin", "https://github.com/other/lib.git")
    doc = report_json(miner, str(repo.path), "--home-repo", "acme/widgets", "--no-github")
    assert "influence" in areas_of(doc, "Speed up the tokenizer")
    home = report_json(miner, str(repo.path), "--home-repo", "Other/Lib", "--no-github")
    assert "influence" not in areas_of(home, "Speed up the tokenizer")


def test_nothing_found_for_the_subject_is_said_on_stderr_and_in_the_report(
    repo: Repo, miner
) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    result = miner("report", str(repo.path), "--author", "nobody@example.com", "--period", "2024Q2")
    assert result.code == 0
    assert "warning: nothing found for nobody@example.com in 2024Q2" in result.err
    assert "nothing found for nobody@example.com in 2024Q2" in result.out  # the report's head
    doc = report_json(miner, str(repo.path), "--author", "nobody@example.com")
    assert any(w.startswith("nothing found for nobody@example.com") for w in doc["warnings"])
    config = api.Config(
        period=parse_period("2024Q2"), paths=(repo.path,), authors=("nobody@example.com",)
    )
    warnings = api.build_report(config).warnings
    assert any(w.startswith("nothing found for nobody@example.com") for w in warnings)
    found = api.build_report(api.Config(period=parse_period("2024Q2"), paths=(repo.path,)))
    assert not any(w.startswith("nothing found") for w in found.warnings)


def test_a_bare_word_must_be_a_name_seen_when_github_is_off(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    result = miner("report", str(repo.path), "--author", "kevin", "--period", "2024Q2")
    assert result.code == 2
    assert "--author 'kevin' is not an email, and no commit has that author name" in result.err
    assert result.out == ""
    doc = report_json(miner, str(repo.path), "--author", "Ada Lovelace")
    assert areas_of(doc, "Speed up the tokenizer")


def test_a_mailmapped_name_counts_as_seen(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    repo.commit("Old work", {"a.py": "x\n"}, author=("ada", "ada@old.example.com"))
    repo.write({".mailmap": "Ada L <ada@example.com> <ada@old.example.com>\n"})
    repo.commit("Add mailmap")
    doc = report_json(miner, str(repo.path), "--author", "Ada L")
    assert areas_of(doc, "Old work") is not None


def test_repo_outside_a_clone_without_github_is_a_usage_error(miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = miner("report", "--repo", "pallets/click", "--period", "2024Q2", cwd=tmp_path)
    assert result.code == 2
    assert "outside a clone needs GitHub" in result.err
    assert result.out == ""


def own_notes(home: Path) -> Path:
    notes = home / "data" / "contribution-miner" / "notes.yaml"
    notes.parent.mkdir(parents=True)
    notes.write_text("notes:\n  - {date: 2024-05-02, area: career, text: Career talk}\n")
    return notes


def test_the_users_own_notes_go_only_into_the_users_own_report(
    repo: Repo, miner, isolated_home: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    work(repo)
    own_notes(isolated_home)
    repo.commit("Bob's work", {"b.py": "x\n"}, author=("Bob", "bob@example.com"))
    mine = report_json(miner, str(repo.path))
    assert "Career talk" in {e["title"] for e in mine["evidence"]}
    same = report_json(miner, str(repo.path), "--author", "ADA@example.com")
    assert "Career talk" in {e["title"] for e in same["evidence"]}
    bob = report_json(miner, str(repo.path), "--author", "bob@example.com")
    assert "Career talk" not in {e["title"] for e in bob["evidence"]}
    notes = next(s for s in bob["sources"] if s["kind"] == "notes")
    assert notes["location"] == "not read"
    theirs = tmp_path / "bob-notes.yaml"
    theirs.write_text("notes:\n  - {date: 2024-05-03, area: career, text: Bob's talk}\n")
    given = report_json(
        miner, str(repo.path), "--author", "bob@example.com", "--notes", str(theirs)
    )
    assert "Bob's talk" in {e["title"] for e in given["evidence"]}


def test_clones_with_different_identities_ask_for_author(make_repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    one = work(make_repo(tmp_path / "one"))
    two = make_repo(tmp_path / "two")
    two.commit("Other work", {"o.py": "x\n"})
    two.git("config", "user.email", "someone@example.org")
    result = miner("report", str(one.path), str(two.path), "--period", "2024Q2")
    assert result.code == 2
    assert "the clones have different git config user.email" in result.err
    assert "--author" in result.err and result.out == ""
    doc = report_json(miner, str(one.path), str(two.path), "--author", "ada@example.com")
    assert len(doc["evidence"]) == 2
    two.git("config", "user.email", "Ada@Example.com")  # the same person, cased otherwise
    assert len(report_json(miner, str(one.path), str(two.path))["evidence"]) == 2


def test_every_folder_of_data_files_is_a_package_the_install_lists() -> None:
    """setuptools ships a data folder left out of ``packages`` only with a long warning
    on every build and editable install (and says a future version will not ship it):
    each folder of templates, schema or packs is listed, with its own globs."""
    import tomllib

    root = Path(__file__).parent.parent
    setup = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed, moved = set(setup["packages"]), setup.get("package-dir", {})
    for package, globs in setup["package-data"].items():
        assert package in listed, package
        folder = root / moved.get(package, package.replace(".", "/"))
        for glob in globs:
            assert "/" not in glob, f"{package}: {glob} reaches into a folder not listed"
            assert list(folder.glob(glob)), f"{package}: {glob} matches nothing"
    data = {p.parent for p in (root / "miner").rglob("*") if p.suffix in (".j2", ".json", ".yaml")}
    for folder in data:
        assert ".".join(folder.relative_to(root).parts) in listed, folder


def test_an_editable_install_is_a_plain_path_entry_that_prints_no_notice() -> None:
    """setuptools installs a project editable as one .pth entry only when every package
    sits in its own dotted folder below one root named as ``package-dir``'s "" (its
    "simple layout"); any package mapped elsewhere makes it an import hook, announced by
    a notice on every ``pip install -e .``."""
    import tomllib

    root = Path(__file__).parent.parent
    setup = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setup["package-dir"] == {"": "."}
    for package in setup["packages"]:
        assert (root / package.replace(".", "/")).is_dir(), package
