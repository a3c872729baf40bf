"""`miner promo`: projects, expertise, peers, gaps and the case file, on a repository
built commit by commit with known streams of work.

Golden files: after an intended change to the output,
``MINER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_promo.py``.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from miner import api
from miner.errors import CaseFileError
from miner.periods import parse_period
from miner.promo.build import Promo
from miner.report import json_schema
from miner.report.promo import render_promo
from tests.conftest import Repo

GOLDEN = Path(__file__).parent / "data" / "golden"
NOW = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)
ADA = ("Ada Lovelace", "ada@example.com")
CAROL = ("Carol Danvers", "carol@example.com")
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative notes and case paths keep the golden files stable."""
    monkeypatch.chdir(tmp_path)


def lines(n: int, word: str) -> str:
    return "".join(f"{word}_{i} = {i}\n" for i in range(n))


def story(repo: Repo) -> dict[str, str]:
    """A year of Ada's work with known streams; returns the SHAs by name."""
    repo.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    sha: dict[str, str] = {}
    sha["base"] = repo.commit(
        "Initial layout", {"README.md": "# Widgets\n"}, date="2023-06-01T10:00:00+00:00"
    )
    for n, day in enumerate(("2023-09-01", "2023-10-01")):
        repo.commit(
            f"Billing v{n}",
            {f"src/billing/v{n}.py": lines(30, "b")},
            date=f"{day}T10:00:00+00:00",
            author=CAROL,
        )
    sha["doc"] = repo.commit(
        "Design: upload pipeline",
        {
            "docs/design/upload.md": "# Upload pipeline\n\n"
            + "".join(f"Point {i}.\n" for i in range(30))
        },
        date="2024-02-01T10:00:00+00:00",
    )
    for n, day in enumerate(("2024-02-05", "2024-02-12", "2024-02-26")):
        sha[f"upload{n}"] = repo.commit(
            f"Upload step {n}",
            {f"src/upload/step{n}.py": lines(20 + n, "u")},
            date=f"{day}T10:00:00+00:00",
        )
    for n, day in enumerate(("2024-03-01", "2024-03-05", "2024-03-20")):
        repo.commit(
            f"Billing rule {n}",
            {f"src/billing/rule{n}.py": lines(40, "r")},
            date=f"{day}T10:00:00+00:00",
            author=CAROL,
        )
    sha["billing"] = repo.commit(
        "Fix a billing rounding bug",
        {"src/billing/round.py": lines(5, "x")},
        date="2024-03-10T10:00:00+00:00",
    )
    repo.commit(
        "Bump a dependency",
        {"requirements.txt": "x==2\n"},
        date="2024-03-11T10:00:00+00:00",
        author=BOT,
    )
    repo.git("checkout", "-q", "-b", "feature/search")
    sha["search0"] = repo.commit(
        "Search index",
        {"src/search/index.py": lines(60, "s"), "tests/test_index.py": lines(40, "ti")},
        date="2024-04-02T10:00:00+00:00",
    )
    sha["search1"] = repo.commit(
        "Search query parser",
        {"src/search/query.py": lines(30, "q"), "tests/test_query.py": lines(3, "tq")},
        date="2024-04-03T10:00:00+00:00",
    )
    repo.git("checkout", "-q", "main")
    merge_env = {
        "GIT_AUTHOR_NAME": ADA[0],
        "GIT_AUTHOR_EMAIL": ADA[1],
        "GIT_AUTHOR_DATE": "2024-04-04T10:00:00+00:00",
        "GIT_COMMITTER_NAME": ADA[0],
        "GIT_COMMITTER_EMAIL": ADA[1],
        "GIT_COMMITTER_DATE": "2024-04-04T10:00:00+00:00",
    }
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'feature/search'",
        "feature/search",
        env=merge_env,
    )
    for n, day in enumerate(("2024-07-01", "2024-07-08")):
        sha[f"later{n}"] = repo.commit(
            f"Upload retries {n}",
            {f"src/upload/retry{n}.py": lines(10, "t")},
            date=f"{day}T10:00:00+00:00",
        )
    sha["paired"] = repo.commit(
        "Pair on upload backoff\n\nCo-authored-by: Bob Builder <bob@example.com>",
        {"src/upload/backoff.py": lines(12, "k")},
        date="2024-07-15T10:00:00+00:00",
    )
    repo.tag("v1.0.0", "Widgets 1.0", date="2024-07-20T10:00:00+00:00", tagger=ADA)
    return sha


def config(repo: Repo, **kw: object) -> api.Config:
    return api.Config(
        period=parse_period("2024"),
        paths=(repo.path,),
        authors=("ada@example.com",),
        notes=Path("notes.yaml"),
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )


def promo_args(repo: Repo) -> tuple[str, ...]:
    """``miner promo`` for Ada over 2024 in ``repo``: how most calls here begin."""
    return ("promo", str(repo.path), "--author", "ada@example.com", "--period", "2024")


def build(repo: Repo, case: Path | None = None) -> Promo:
    return api.build_promo(config(repo), case=case)


def groups(promo: Promo) -> dict[str, set[str]]:
    return {cp.name: {m.evidence.id for m in cp.project.items} for cp in promo.projects}


def test_known_streams_of_work_give_exactly_those_projects(repo: Repo) -> None:
    sha = story(repo)
    promo = build(repo)
    assert groups(promo) == {
        "Upload pipeline": {"doc:acme/widgets:docs/design/upload.md"}
        | {f"git:{sha[k]}" for k in ("doc", "upload0", "upload1", "upload2")},
        "Search index": {f"git:{sha['search0']}", f"git:{sha['search1']}"},
        "Pair on upload backoff": {f"git:{sha[k]}" for k in ("later0", "later1", "paired")},
        "Fix a billing rounding bug": {f"git:{sha['billing']}"},
    }
    signals = {cp.name: cp.project.signal for cp in promo.projects}
    assert signals["Upload pipeline"] == "design doc"
    assert signals["Search index"] == "merged branch"
    scores = [cp.project.strength for cp in promo.projects]
    assert scores == sorted(scores, reverse=True)  # strongest first


def test_project_ids_are_the_same_on_every_run_and_after_new_work(repo: Repo) -> None:
    story(repo)
    first = {cp.name: cp.project.id for cp in build(repo).projects}
    repo.commit(
        "Caching layer", {"src/cache/lru.py": lines(50, "c")}, date="2024-10-01T10:00:00+00:00"
    )
    second = {cp.name: cp.project.id for cp in build(repo).projects}
    assert {k: second[k] for k in first} == first
    assert "Caching layer" in second


def test_expertise_ranks_the_subject_among_all_authors_and_names_nobody(repo: Repo) -> None:
    story(repo)
    promo = build(repo)
    rows = {x.component: x for x in promo.expertise}
    upload, billing = rows["src/upload"], rows["src/billing"]
    assert (upload.period.commits, upload.period.total_commits, upload.period.rank) == (6, 6, 1)
    assert upload.main_author
    assert (billing.period.commits, billing.period.total_commits) == (1, 4)
    assert (billing.period.rank, billing.period.authors) == (2, 2)
    assert (billing.history.commits, billing.history.total_commits) == (1, 6)
    assert "requirements.txt" not in rows and "." in rows  # the bot is never ranked
    assert rows["."].history.authors == 1
    md = render_promo(promo, "md")
    section = md.split("## Expertise map")[1].split("## Collaboration")[0]
    assert "Carol" not in section and "carol@" not in section


def test_expertise_counts_lines_once_every_author_is_collected(repo: Repo, tmp_path: Path) -> None:
    story(repo)
    store = tmp_path / "store.sqlite3"
    api.collect_all_authors([repo.path], store)
    promo = api.build_promo(config(repo, store=store))
    billing = next(x for x in promo.expertise if x.component == "src/billing")
    assert promo.lines_known
    assert (billing.period.lines, billing.period.total_lines, billing.period.lines_rank) == (
        5,
        125,
        2,
    )
    assert billing.history.total_lines == 185


def test_co_author_is_a_suggested_peer_and_never_the_subject_or_a_bot(repo: Repo) -> None:
    sha = story(repo)
    promo = build(repo)
    names = [p.name for p in promo.peers]
    assert names[0] == "Bob Builder"
    assert promo.peers[0].evidence == (f"git:{sha['paired']}",)
    assert "Carol Danvers" in names
    assert "Ada Lovelace" not in names and not any("bot" in n for n in names)
    md = render_promo(promo, "md")
    assert "bob@example.com" not in md and "carol@example.com" not in md
    shown = render_promo(api.build_promo(config(repo), show_emails=True), "md")
    assert "carol@example.com" in shown


def test_gaps_are_the_weak_areas_with_what_would_count(repo: Repo) -> None:
    story(repo)
    promo = build(repo)
    # delivery is no gap: the search work grew product code by a real amount
    assert {g.area.area.id: len(g.area.items) for g in promo.gaps} == {
        "career": 0,
        "operational": 0,
        "engineering": 1,
        "mentoring": 1,
        "growth": 0,
        "influence": 0,
    }
    md = render_promo(promo, "md")
    assert md.index("## Gaps and a plan") < md.index("add `career:` under `plan:`")


CASE = """\
# my case, written by hand
summary: |
  I led the upload pipeline.

  And more.
projects:
  {upload}: {{name: "The upload rewrite", impact: "Uploads 3x faster"}}  # kept
pin: [git:{search1}]
hide:
  - {{id: "git:{billing}", why: "a one-line fix"}}
plan:
  career: "Talk to my manager monthly"
"""


def test_case_file_round_trip_survives_new_commits(repo: Repo, tmp_path: Path) -> None:
    sha = story(repo)
    upload = next(cp.project.id for cp in build(repo).projects if cp.name == "Upload pipeline")
    case = tmp_path / "case.yaml"
    case.write_text(CASE.format(upload=upload, search1=sha["search1"], billing=sha["billing"]))
    before = case.read_bytes()
    repo.commit(
        "Caching layer", {"src/cache/lru.py": lines(50, "c")}, date="2024-10-01T10:00:00+00:00"
    )
    promo = build(repo, case)
    assert case.read_bytes() == before
    top = next(cp for cp in promo.projects if cp.project.id == upload)
    assert (top.project.id, top.name, top.impact) == (
        upload,
        "The upload rewrite",
        "Uploads 3x faster",
    )
    assert f"git:{sha['billing']}" not in {m.evidence.id for m in promo.report.evidence}
    assert "Fix a billing rounding bug" not in groups(promo)
    area = next(
        a
        for a in promo.report.areas
        if any(m.evidence.id == f"git:{sha['search1']}" for m in a.items)
    )
    assert area.items[0].evidence.id == f"git:{sha['search1']}"
    assert not promo.case_warnings
    md = render_promo(promo, "md")
    assert "I led the upload pipeline." in md and "Uploads 3x faster" in md
    assert "a one-line fix" in md.split("## Appendix: how this case was made")[1]
    assert "Talk to my manager monthly" in md
    data = json.loads(render_promo(promo, "json"))
    assert data["case"]["summary"].startswith("I led the upload pipeline.")
    assert {p["id"]: p["impact"] for p in data["projects"]}[upload] == "Uploads 3x faster"


def test_skeleton_adds_a_new_project_and_changes_nothing_else(repo: Repo, tmp_path: Path) -> None:
    sha = story(repo)
    case = tmp_path / "case.yaml"
    created = api.init_case(config(repo), case=case)
    assert created.created and len(created.projects) == 4
    first = case.read_text()
    assert api.init_case(config(repo), case=case).projects == ()
    assert case.read_text() == first  # nothing to add: not rewritten
    upload = next(cp.project.id for cp in build(repo).projects if cp.name == "Upload pipeline")
    mine = CASE.format(upload=upload, search1=sha["search1"], billing=sha["billing"])
    case.write_text(mine)
    repo.commit(
        "Caching layer", {"src/cache/lru.py": lines(50, "c")}, date="2024-10-01T10:00:00+00:00"
    )
    added = api.init_case(config(repo), case=case)
    after = case.read_text()
    cache = next(cp.project.id for cp in build(repo, case).projects if cp.name == "Caching layer")
    assert cache in added.projects and upload not in added.projects
    ops = difflib.SequenceMatcher(a=mine, b=after, autojunk=False).get_opcodes()
    assert {op for op, *_ in ops} == {"equal", "insert"}  # only added, byte for byte
    assert after.index(cache) < after.index("pin:")  # inside the projects block
    again = build(repo, case)
    assert (
        next(cp for cp in again.projects if cp.project.id == upload).impact == "Uploads 3x faster"
    )


def test_stale_ids_warn_with_file_and_line_and_stay_in_the_file(
    repo: Repo, tmp_path: Path, miner
) -> None:  # type: ignore[no-untyped-def]
    story(repo)
    case = tmp_path / "case.yaml"
    text = 'projects:\n  p-00000000: {name: "Gone", impact: "x"}\npin: [git:deadbeef]\n'
    case.write_text(text)
    result = miner(*promo_args(repo), "--case", str(case))
    assert result.code == 0
    assert f"{case}:2: project id 'p-00000000' matches no project (kept)" in result.err
    assert f"{case}:3: pinned id 'git:deadbeef' matches no evidence (kept)" in result.err
    assert case.read_text() == text


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("summary: ok\nprojects:\n  p-1: [unclosed\n", 4, "not valid YAML"),
        ("summary: ok\nprojects: [a, b]\n", 2, "'projects' maps project ids"),
        ("summary: ok\nplan: first grow\n", 2, "'plan' maps area ids to your plan text"),
        ("summary: ok\nhide:\n  - just-an-id\n", 2, "each 'hide' entry"),
        ("summary: ok\nsumary: typo\n", 2, "unknown key 'sumary'"),
    ],
)
def test_bad_case_file_names_file_and_line(
    repo: Repo, tmp_path: Path, miner, text: str, line: int, what: str
) -> None:  # type: ignore[no-untyped-def]
    story(repo)
    case = tmp_path / "case.yaml"
    case.write_text(text)
    for extra in ((), ("--init-case",)):
        result = miner(
            "promo", str(repo.path), "--author", "ada@example.com", "--case", str(case), *extra
        )
        assert result.code == 1
        assert result.err.startswith(f"miner: error: {case}:{line}: ")
        assert what in result.err and "Traceback" not in result.err
        assert case.read_text() == text


def test_a_fifo_case_file_is_refused_not_waited_on(repo: Repo, tmp_path: Path, miner) -> None:  # type: ignore[no-untyped-def]
    story(repo)
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    result = miner("promo", str(repo.path), "--author", "ada@example.com", "--case", str(fifo))
    assert result.code == 1 and "not a regular file" in result.err


def test_untrusted_text_is_escaped_and_only_http_links_are_clickable(
    repo: Repo, tmp_path: Path
) -> None:
    story(repo)
    repo.commit(
        "<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>",
        {"src/upload/evil.py": "x = 1\n"},
        date="2024-07-16T10:00:00+00:00",
    )
    (tmp_path / "notes.yaml").write_text(
        "notes:\n  - date: 2024-05-02\n    area: career\n    text: Talk <b>bold</b>\n"
        "    link: 'https://example.com/notes?a=1&b=<script>'\n"
    )
    case = tmp_path / "case.yaml"
    case.write_text('summary: "<script>alert(5)</script> [x](javascript:alert(6))"\n')
    promo = build(repo, case)
    html = render_promo(promo, "html")
    assert "<script>alert" not in html and "<img" not in html and "<b>" not in html
    assert 'href="javascript' not in html and "href='javascript" not in html
    assert 'href="https://example.com/notes?a=1&amp;b=%3Cscript%3E"' in html
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in html  # the case file's text, escaped
    md = render_promo(promo, "md")
    assert not re.search(r"(?<!\\)\]\(javascript", md)
    assert not re.search(r"(?<!\\)<(script|img|b>)", md)  # each one escaped: shown as text


def test_github_pull_requests_linked_to_one_issue_form_one_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network
) -> None:  # type: ignore[no-untyped-def]
    from tests import github_fixtures as gh
    from tests.test_github import TOKEN, FakeGitHub, at

    monkeypatch.setenv("GH_TOKEN", TOKEN)
    monkeypatch.setattr("miner.ghclient.time.sleep", lambda _: None)
    fake = FakeGitHub(no_network)
    items = []
    for number, title, body in (
        (7, "Batch writes in the uploader", "Fixes #3"),
        (8, "Flush the batch on exit", "Part of #3: the second half"),
        (9, "Unrelated lint fix", "Tidy"),
        (10, "Launch checklist", "For the launch"),
        (11, "Launch metrics", "Dashboards"),
    ):
        fake.pr(
            "acme",
            "widgets",
            number,
            title=title,
            login="ada",
            created_at=at("2024-04-02"),
            merged_at=at("2024-04-05"),
            additions=10 * number,
            deletions=1,
            changed_files=1,
        )
        fake.files[f"acme/widgets/{number}"] = [gh.pr_file(f"src/f{number}.py", 10 * number, 1)]
        found = gh.search_issue_item(
            "acme",
            "widgets",
            number,
            title,
            "ada",
            at("2024-04-02"),
            merged_at=at("2024-04-05"),
            body=body,
        )
        if number >= 10:
            found["milestone"] = {"title": "Launch\nv2", "number": 4, "state": "open"}
        items.append(found)
    fake.search("type:pr author:ada", items)
    fake.search(
        "type:issue author:ada",
        [
            gh.search_issue_item(
                "acme", "widgets", 3, "Uploads are slow", "ada", at("2024-04-01"), is_pr=False
            )
        ],
    )
    promo = api.build_promo(
        api.Config(
            period=parse_period("2024Q2"),
            authors=("ada",),
            repos=("acme/widgets",),
            notes=Path("n.yaml"),
            now=NOW,
        )
    )
    assert groups(promo) == {
        "Uploads are slow": {
            "gh:issue:acme/widgets#3",
            "gh:pr:acme/widgets#7",
            "gh:pr:acme/widgets#8",
        },
        "Unrelated lint fix": {"gh:pr:acme/widgets#9"},
        "Launch metrics": {"gh:pr:acme/widgets#10", "gh:pr:acme/widgets#11"},
    }
    signals = {cp.name: cp.project.signal for cp in promo.projects}
    assert signals["Launch metrics"] == "milestone"
    assert signals["Uploads are slow"] == "issue"


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_rendered_promo_matches_the_golden_file(repo: Repo, tmp_path: Path, fmt: str) -> None:
    story(repo)
    case = Path("case.yaml")
    upload = next(cp.project.id for cp in build(repo).projects if cp.name == "Upload pipeline")
    case.write_text(
        f'summary: "A year of uploads."\nprojects:\n  {upload}: {{impact: "Uploads 3x faster"}}\n'
    )
    text = render_promo(build(repo, case), fmt)
    golden = GOLDEN / f"promo.{fmt}"
    if os.environ.get("MINER_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_promo_json_is_valid_against_the_schema_and_additive(repo: Repo) -> None:
    story(repo)
    data = json.loads(render_promo(build(repo), "json"))
    jsonschema.validate(data, json_schema())
    assert {"projects", "expertise", "peers"} <= set(data)
    assert data["schema_version"] == 1
    assert all(p["evidence"] for p in data["projects"])
    golden = json.loads((GOLDEN / "promo.json").read_text())
    jsonschema.validate(golden, json_schema())
    bad = dict(
        golden, projects=[{"id": "not-an-id", "name": "x", "impact": "", "evidence": ["git:1"]}]
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())


def test_level_comes_from_the_pack_or_the_option(repo: Repo, miner) -> None:  # type: ignore[no-untyped-def]
    story(repo)
    assert build(repo).level == "Senior Software Engineer"
    result = miner(*promo_args(repo), "--level", "Staff <Engineer>")
    assert result.code == 0 and "**Target level:** Staff \\<Engineer>" in result.out


def test_init_case_from_the_command_line_writes_then_only_adds(
    repo: Repo, tmp_path: Path, miner
) -> None:  # type: ignore[no-untyped-def]
    story(repo)
    case = tmp_path / "mine.yaml"
    args = promo_args(repo)
    first = miner(*args, "--case", str(case), "--init-case")
    assert first.code == 0 and first.out.startswith(f"wrote {case}: 4 project(s)")
    assert first.err == ""
    again = miner(*args, "--case", str(case), "--init-case")
    assert again.out.startswith(f"checked {case}: 0 project(s)")
    shown = miner(*args, "--case", str(case))
    assert shown.code == 0 and "*empty: add `impact:`" in shown.out


def test_init_case_refuses_an_inline_projects_mapping_with_its_line(
    repo: Repo, tmp_path: Path, miner
) -> None:  # type: ignore[no-untyped-def]
    story(repo)
    case = tmp_path / "case.yaml"
    text = "# mine\nsummary: hi\nprojects: {p-00000000: {impact: x}}\n"
    case.write_text(text)
    result = miner(*promo_args(repo), "--case", str(case), "--init-case")
    assert result.code == 1
    assert result.err.startswith(f"miner: error: {case}:3: 'projects' is written inline")
    assert case.read_text() == text


def test_the_default_case_file_lives_beside_the_notes_file(tmp_path: Path) -> None:
    notes = tmp_path / "me" / "notes.yaml"
    assert (
        api.case_path(api.Config(period=parse_period("2024"), notes=notes))
        == notes.parent / "case.yaml"
    )


def test_commits_join_the_pull_request_they_were_merged_or_squashed_in() -> None:
    from miner.model import Evidence, Mapped, Stats
    from miner.promo.projects import group

    def item(id: str, kind: str, title: str, day: int, message: str = "") -> Mapped:
        e = Evidence(
            id=id,
            kind=kind,  # type: ignore[arg-type]
            source="git" if id.startswith("git:") else "github",
            repo="acme/widgets",
            title=title,
            date=datetime(2024, 5, day, tzinfo=UTC),
            stats=Stats(10, 1, 1),
            paths=("src/a.py",),
            message=message,
        )
        return Mapped(e, ())

    merge = ("m" * 40, "Merge pull request #5 from ada/fast")
    items = [
        item("git:" + "b" * 40, "commit", "Faster path", 1),
        item("gh:pr:acme/widgets#5", "pull_request", "Make it fast", 2),
        item("git:" + "c" * 40, "commit", "Tidy the docs (#6)", 3),
        item("gh:pr:acme/widgets#6", "pull_request", "Tidy the docs", 4, "Refs acme/widgets#40"),
        item("gh:pr:acme/widgets#7", "pull_request", "More docs", 5, "Linked issues: #40"),
    ]
    projects = group(items, {"acme/widgets": {"b" * 40: merge}})
    found = {p.name: {m.evidence.id for m in p.items} for p in projects}
    assert found == {
        "Make it fast": {"git:" + "b" * 40, "gh:pr:acme/widgets#5"},
        "More docs": {"git:" + "c" * 40, "gh:pr:acme/widgets#6", "gh:pr:acme/widgets#7"},
    }
    assert {p.signal for p in projects} == {"pull request", "issue"}


def test_a_pack_names_its_level_and_an_extending_pack_keeps_or_sets_it(tmp_path: Path) -> None:
    from miner.engine import load_pack
    from miner.errors import RulePackError

    keeps = tmp_path / "keeps.yaml"
    keeps.write_text("name: mine\nextends: senior-sde\nrules: []\n")
    assert load_pack(str(keeps)).level == "Senior Software Engineer"
    sets = tmp_path / "sets.yaml"
    sets.write_text("name: mine\nextends: senior-sde\nlevel: Staff Engineer\nrules: []\n")
    assert load_pack(str(sets)).level == "Staff Engineer"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: mine\nextends: senior-sde\nlevel: [staff]\nrules: []\n")
    with pytest.raises(RulePackError) as caught:
        load_pack(str(bad))
    assert caught.value.problems == [f"{bad}:3: 'level' must be text"]


def test_a_warm_run_reads_no_history_and_new_work_or_another_period_is_seen(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import miner.promo.touches as touches

    story(repo)
    store = tmp_path / "store.sqlite3"
    first = api.build_promo(config(repo, store=store))
    read = touches.read_history
    calls: list[str] = []

    def counted(*args: object, **kwargs: object) -> touches.History:
        calls.append("read")
        return read(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(touches, "read_history", counted)
    again = api.build_promo(config(repo, store=store))
    assert calls == [] and again.expertise == first.expertise and again.peers == first.peers
    assert groups(again) == groups(first)
    repo.commit(
        "Caching layer", {"src/cache/lru.py": lines(50, "c")}, date="2024-10-01T10:00:00+00:00"
    )
    later = api.build_promo(config(repo, store=store))
    assert calls == ["read"] and "src/cache" in {x.component for x in later.expertise}
    other = api.build_promo(replace(config(repo, store=store), period=parse_period("2024Q1")))
    assert calls == ["read", "read"]
    upload = next(x for x in other.expertise if x.component == "src/upload")
    assert upload.period.commits == 3


@pytest.mark.parametrize("cores", [1, 2])
@pytest.mark.parametrize("size", [1, 2, 5000])
def test_the_history_kept_in_the_store_is_the_history_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int, size: int
) -> None:
    """What a cold run writes as it reads (both ends, batch by batch) is read back by the
    next run as the same commits in the same order, merges and people included."""
    from miner import gitcmd
    from miner.promo import touches
    from miner.store import open_store
    from tests.conftest import fast_import

    repo = fast_import(tmp_path / "history", size)
    if size > 1:
        repo.git("checkout", "-q", "-b", "side", "HEAD~1")
        repo.commit("On the side", {"side.py": "x\n"}, author=("Zoë Ünïcode", "zoe@example.com"))
        repo.git("checkout", "-q", "-")
        repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from zoe/side", "side")
    opened = gitcmd.open_repo(repo.path)
    monkeypatch.setattr(gitcmd, "usable_cores", lambda: 1)
    whole = touches.read_history(opened, None).touches
    monkeypatch.setattr(gitcmd, "usable_cores", lambda: cores)
    monkeypatch.setattr(touches._Encoder, "BATCH", 7)  # many batches, both ends
    with open_store(tmp_path / "store.sqlite3") as store:
        cold = touches.read_history(opened, store).touches
        monkeypatch.setattr(touches, "_walk", None)  # the warm run reads no history
        warm = touches.read_history(opened, store).touches
    assert cold == whole and warm == whole
    assert len(whole) == size + (2 if size > 1 else 0)


@pytest.mark.parametrize("size", [1, 2, 3, 301])
def test_history_read_from_both_ends_is_the_history_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """Two git processes, one from each end, give every commit once, in git's order."""
    from miner import gitcmd
    from miner.promo.touches import read_history
    from tests.conftest import fast_import

    opened = gitcmd.open_repo(fast_import(tmp_path / "history", size).path)
    monkeypatch.setattr(gitcmd, "usable_cores", lambda: 1)
    whole = read_history(opened, None)
    monkeypatch.setattr(gitcmd, "usable_cores", lambda: 2)
    assert read_history(opened, None).touches == whole.touches and len(whole.touches) == size


def test_reviews_exchanged_both_ways_make_peers_from_replayed_github(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network
) -> None:  # type: ignore[no-untyped-def]
    from tests.test_github import TOKEN, FakeGitHub, quarter

    monkeypatch.setenv("GH_TOKEN", TOKEN)
    monkeypatch.setattr("miner.ghclient.time.sleep", lambda _: None)
    fake = FakeGitHub(no_network)
    quarter(fake)
    promo = api.build_promo(
        api.Config(
            period=parse_period("2024Q2"),
            authors=("ada",),
            repos=("acme/widgets",),
            notes=Path("n.yaml"),
            now=NOW,
        )
    )
    by_name = {p.name: p for p in promo.peers}
    assert by_name["carol"].reasons == ("reviewed 1 pull request of yours",)
    assert by_name["carol"].evidence == ("gh:pr:acme/widgets#7",)
    assert by_name["newbie"].reasons == ("you gave 2 reviews on their pull requests",)
    assert "ada" not in by_name
    md = render_promo(promo, "md")
    assert "**carol**: reviewed 1 pull request of yours" in md


def test_a_name_cannot_write_yaml_into_the_skeleton(repo: Repo, tmp_path: Path) -> None:
    from miner.promo.case import read_case

    folder = "src/x\u2028summary: pwned\u0085pin: [x]"
    title = "Work in\u2028summary: pwned\u0085pin: [x]"
    repo.commit(title, {f"{folder}/a.py": "a = 1\n"}, date="2024-02-01T10:00:00+00:00")
    case = tmp_path / "case.yaml"
    api.init_case(config(repo), case=case)
    text = case.read_text()
    assert "Work in summary: pwned pin: [x]" in text
    read = read_case(case)
    assert read.summary == "" and read.pin == () and len(read.projects) == 1


def test_the_case_file_merges_projects_under_the_first_id(repo: Repo, tmp_path: Path) -> None:
    story(repo)
    ids = {cp.name: cp.project.id for cp in build(repo).projects}
    first, second = ids["Upload pipeline"], ids["Pair on upload backoff"]
    case = tmp_path / "case.yaml"
    case.write_text(
        f"merge:\n  - [{first}, {second}]\n  - [{first}, p-00000000]\n"
        f"projects:\n  {second}: {{impact: merged away}}\n"
    )
    promo = build(repo, case)
    found = groups(promo)
    assert "Pair on upload backoff" not in found and len(found["Upload pipeline"]) == 8
    assert next(cp for cp in promo.projects if cp.name == "Upload pipeline").project.id == first
    assert promo.warnings(str(case)) == (
        f"{case}:1: merge names 'p-00000000', which matches no project (kept)",
    )
    case.write_text("merge: [p-1, p-2]\n")
    with pytest.raises(CaseFileError, match=r":1: 'merge' is a list of lists"):
        build(repo, case)


def test_an_id_in_a_case_file_warning_reaches_the_terminal_without_escapes(
    repo: Repo, tmp_path: Path, miner
) -> None:  # type: ignore[no-untyped-def]
    story(repo)
    case = tmp_path / "case.yaml"
    case.write_text('pin: ["git:\\e]52;c;aGk=\\a\\u202e\\x9b"]\n')
    args = promo_args(repo)
    result = miner(*args, "--case", str(case))
    assert result.code == 0, result.err
    assert f"{case}:1: pinned id 'git:\ufffd]52;c;aGk=" in result.err
    assert not any(c in result.err for c in "\x1b\x07\u202e\x9b")


def own_case_file(home: Path, text: str) -> Path:
    """The user's own case file, beside their default notes file."""
    path = home / "data" / "contribution-miner" / "case.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_your_case_file_is_not_applied_to_someone_else(
    repo: Repo, isolated_home: Path, miner
) -> None:  # type: ignore[no-untyped-def]
    sha = story(repo)
    mine = CASE.format(upload="p-00000000", search1=sha["search1"], billing=sha["billing"])
    own = own_case_file(isolated_home, mine)
    args = ("promo", str(repo.path), "--period", "2024")
    theirs = miner(*args, "--author", "carol@example.com")
    assert theirs.code == 0, theirs.err
    assert "I led the upload pipeline" not in theirs.out
    assert "Talk to my manager monthly" not in theirs.out and "one-line fix" not in theirs.out
    assert "your case file was not read" in theirs.out
    assert own.name not in theirs.err  # its stale ids are not this case's business
    refused = miner(*args, "--author", "carol@example.com", "--init-case")
    assert refused.code == 2 and "needs --case FILE" in refused.err
    assert own.read_text() == mine
    given = miner(*args, "--author", "carol@example.com", "--case", str(own))
    assert "I led the upload pipeline" in given.out  # an explicit --case always applies
    yours = miner(*args)
    assert "I led the upload pipeline" in yours.out
    assert "your case file was not read" not in yours.out


def test_a_missing_case_or_notes_file_given_is_a_usage_error(
    repo: Repo, tmp_path: Path, miner
) -> None:  # type: ignore[no-untyped-def]
    story(repo)
    gone = tmp_path / "nowhere" / "missing.yaml"
    args = promo_args(repo)
    for command, option in ((args, "--case"), (args, "--notes"), (args[:2], "--notes")):
        result = miner(*command, option, str(gone))
        assert result.code == 2, (command, option, result.err)
        assert result.err.startswith(f"miner: error: {option} {gone}: no such file")
        assert len(result.err.strip().splitlines()) <= 2 and "Traceback" not in result.err
    added = miner(
        "note", "add", "Career talk", "--area", "career", "--notes", str(tmp_path / "n.yaml")
    )
    assert added.code == 0 and (tmp_path / "n.yaml").is_file()  # note add still starts one


def test_the_document_shows_no_local_path_and_no_housekeeping(
    repo: Repo, tmp_path: Path, isolated_home: Path, miner
) -> None:  # type: ignore[no-untyped-def]
    sha = story(repo)
    case = tmp_path / "case.yaml"
    case.write_text(
        f"pin: [git:{sha['search1']}, git:deadbeef]\n"
        "hide:\n  - {id: git:cafe, why: gone}\nplan:\n  nowhere: x\n"
    )
    args = promo_args(repo)
    for fmt in ("md", "html", "json"):
        result = miner(*args, "--case", str(case), "--format", fmt)
        assert result.code == 0
        assert f"{case}:1: pinned id 'git:deadbeef' matches no evidence (kept)" in result.err
        for local in (str(tmp_path), str(isolated_home), str(Path.home())):
            assert local not in result.out, (fmt, local)
        if fmt == "json":
            warnings = json.loads(result.out)["warnings"]
            assert "case.yaml:3: hidden id 'git:cafe' matches no evidence (kept)" in warnings
        else:
            assert "matches no evidence" not in result.out and "deadbeef" not in result.out
            assert "pinned" not in result.out
            assert "your case file (" in result.out and "miner promo --init-case" in result.out


def test_projects_rank_by_weight_and_product_lines_never_by_lockfile_churn(
    repo: Repo,
) -> None:
    repo.commit("Initial layout", {"README.md": "# x\n"}, date="2023-06-01T10:00:00+00:00")
    for n in range(6):
        repo.commit(
            f"ci: tweak the pipeline {n}",
            {".github/workflows/ci.yml": f"step: {n}\n"},
            date=f"2024-05-0{n + 1}T10:00:00+00:00",
        )
    repo.commit(
        "Add native TOML configuration",
        {"src/config/toml.py": lines(900, "t")},
        date="2024-05-20T10:00:00+00:00",
    )
    for month in ("02", "09"):
        repo.commit(
            "Bump dependencies",
            {
                "uv.lock": lines(600, f"lock{month}"),
                ".github/workflows/a.yml": f"v: {month}\n",
                ".github/workflows/b.yml": f"v: {month}\n",
            },
            date=f"2024-{month}-10T10:00:00+00:00",
        )
    promo = build(repo)
    names = [cp.name for cp in promo.projects]
    assert names[0] == "Add native TOML configuration", names
    ci = next(n for n in names if n.startswith("ci: tweak the pipeline"))
    assert names.index(ci) < names.index("Bump dependencies (2024-02-10)"), names
    assert "Bump dependencies (2024-09-10)" in names
    assert len(set(names)) == len(names)
    assert not any(name.startswith("Work in") for name in names)
    strengths = [cp.project.strength for cp in promo.projects]
    assert strengths == sorted(strengths, reverse=True)
    md = render_promo(promo, "md")
    assert "- **Areas:** Delivery excellence" in md and "- **Areas:** delivery" not in md


def test_the_repository_root_is_named_in_words_and_the_table_says_what_it_lacks(
    repo: Repo,
) -> None:
    repo.commit("Initial layout", {"README.md": "# x\n"}, date="2024-02-01T10:00:00+00:00")
    repo.commit("Notes", {"NOTES.md": "n\n"}, date="2024-02-02T10:00:00+00:00", author=CAROL)
    promo = build(repo)
    assert promo.peers[0].reasons == ("committed alongside you in top-level files (1 commit)",)
    for fmt in ("md", "html"):
        text = render_promo(promo, fmt)
        assert "top-level files" in text and "in . (" not in text
        assert "Shares of changed lines need every author's diffs" in text
        assert "Period: lines" not in text  # no column of dashes
    md = render_promo(promo, "md")
    assert "| |" not in md and "| Main author |" in md
    assert "| top-level files |" in md
