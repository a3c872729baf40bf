"""`miner promo`: the subject's share of each component's reviews, and each person
once among the suggested peers. Real repositories built commit by commit, GitHub
replayed in the shapes it sends (see tests/test_github.py's ``FakeGitHub``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
import responses

from miner import api, gitcmd
from miner.identity import Matcher, resolve_subject
from miner.periods import parse_period
from miner.promo.build import Promo, Reviewed, repo_facts
from miner.promo.touches import read_history
from miner.report import json_schema
from miner.report.promo import render_promo
from tests import github_fixtures as gh
from tests.conftest import Repo
from tests.test_github import TOKEN, FakeGitHub, at

NOW = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)
ADA = ("Ada Lovelace", "ada@example.com")
CAROL = ("Carol Danvers", "carol@example.com")
DAVE = ("Dave Lister", "dave@example.com")
JANE = ("Jane Doe", "12345+JDoe@Users.Noreply.GitHub.com")  # the case of the address varies
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def day(text: str) -> str:
    return f"{text}T10:00:00+00:00"


def merge_pull(repo: Repo, number: int, branch: str, author: tuple[str, str], when: str) -> None:
    """A pull request merged with a merge commit, as GitHub's button writes it."""
    env = {
        "GIT_AUTHOR_NAME": "Merger",
        "GIT_AUTHOR_EMAIL": "merger@example.com",
        "GIT_AUTHOR_DATE": day(when),
        "GIT_COMMITTER_NAME": "GitHub",
        "GIT_COMMITTER_EMAIL": "noreply@github.com",
        "GIT_COMMITTER_DATE": day(when),
    }
    message = f"Merge pull request #{number} from {author[0].split()[0].lower()}/{branch}"
    repo.git("merge", "-q", "--no-ff", "-m", message, branch, env=env)


def quarter(repo: Repo) -> None:
    """Ada's 2024Q2 in acme/widgets, with everyone else's pull requests around her."""
    repo.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    repo.commit("Upload core", {"src/upload/core.py": "a = 1\n"}, date=day("2024-01-10"))
    repo.git("checkout", "-q", "-b", "old")
    repo.commit(
        "Old change", {"src/upload/old.py": "o = 1\n"}, date=day("2024-02-20"), author=CAROL
    )
    repo.git("checkout", "-q", "main")
    merge_pull(repo, 5, "old", CAROL, "2024-03-01")  # before the period
    repo.commit("Batch writes (#7)", {"src/upload/batch.py": "b = 1\n"}, date=day("2024-04-03"))
    repo.git("checkout", "-q", "-b", "retry")
    repo.commit(
        "Retry uploads", {"src/upload/retry.py": "r = 1\n"}, date=day("2024-04-08"), author=JANE
    )
    repo.git("checkout", "-q", "main")
    merge_pull(repo, 8, "retry", JANE, "2024-04-10")
    repo.commit(
        "Tune upload buffers (#9)",
        {"src/upload/buf.py": "u = 1\n"},
        date=day("2024-04-15"),
        author=DAVE,
    )
    repo.commit(
        "Billing rounding (#10)",
        {"src/billing/r.py": "x = 1\n"},
        date=day("2024-04-20"),
        author=DAVE,
    )
    repo.commit(
        "Bump lib (#11)", {"src/upload/deps.txt": "x==2\n"}, date=day("2024-04-22"), author=BOT
    )
    # a rebase merge: the pull request's commit lands as it was, naming no number
    repo.commit(
        "Rebased change", {"src/upload/reb.py": "c = 1\n"}, date=day("2024-04-25"), author=CAROL
    )
    repo.commit(
        "Pair on retries\n\nCo-authored-by: Jane Doe <jdoe@users.noreply.github.com>",
        {"src/upload/pair.py": "p = 1\n"},
        date=day("2024-05-02"),
    )


def reviewed_on_github(fake: FakeGitHub) -> None:
    """Ada reviewed #8 (Jane's, as jdoe) and #10 (Dave's), both merged, and #12
    (Dave's, still open: Git has not seen it merged)."""
    found = []
    for number, login, merged in (
        (8, "jdoe", "2024-04-10"),
        (10, "dave", "2024-04-20"),
        (12, "dave", None),
    ):
        item = fake.pr(
            "acme",
            "widgets",
            number,
            title=f"Change {number}",
            login=login,
            created_at=at("2024-04-05"),
            merged_at=at(merged) if merged else None,
            additions=3,
            deletions=1,
            changed_files=1,
        )
        item["updated_at"] = at("2024-05-10")
        found.append(item)
        pr_url = f"{gh.API}/repos/acme/widgets/pulls/{number}"
        fake.timelines[f"acme/widgets/{number}"] = [
            gh.timeline_review(600 + number, "ada", "APPROVED", at("2024-04-09"), pr_url=pr_url)
        ]
    fake.search("type:pr reviewed-by:ada", found)


def config(repo: Repo, authors: tuple[str, ...] = ("ada@example.com",), **kw: object) -> api.Config:
    return api.Config(
        period=parse_period("2024Q2"),
        paths=(repo.path,),
        authors=authors,
        notes=Path("notes.yaml"),
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )


def with_github(
    repo: Repo, no_network: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch, **kw: object
) -> Promo:
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    monkeypatch.setattr("miner.ghclient.time.sleep", lambda _: None)
    fake = FakeGitHub(no_network)
    reviewed_on_github(fake)
    return api.build_promo(config(repo, ("ada@example.com", "ada"), **kw))


def test_each_component_shows_the_share_of_others_pull_requests_reviewed(
    repo: Repo, no_network: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    quarter(repo)
    promo = with_github(repo, no_network, monkeypatch)
    rows = {x.component: x for x in promo.expertise}
    # src/upload: #8 (merge commit) and #9 (squashed); not #5 (merged before the
    # period), #7 (Ada's own), #11 (a bot's), nor the rebase merge (no number)
    assert rows["src/upload"].reviews == Reviewed(reviewed=1, merged=2)
    # Ada never committed to src/billing, but reviewed its one pull request
    assert rows["src/billing"].reviews == Reviewed(reviewed=1, merged=1)
    assert rows["src/billing"].history.commits == 0
    md = render_promo(promo, "md")
    section = md.split("## Expertise map")[1].split("## Collaboration")[0]
    assert "| Period: PRs reviewed |" in section
    assert "| 1 of 2 (50%) |" in section and "| 1 of 1 (100%) |" in section
    for name in ("Dave", "Jane", "jdoe", "dave@", "Carol"):
        assert name not in section  # others only as counts
    html = render_promo(promo, "html")
    assert "<th>Period: PRs reviewed</th>" in html and "<td>1 of 2 (50%)</td>" in html
    data = json.loads(render_promo(promo, "json"))
    jsonschema.validate(data, json_schema())
    upload = next(x for x in data["expertise"] if x["component"] == "src/upload")
    assert upload["reviews"] == {"reviewed": 1, "merged": 2}


def test_without_github_the_review_share_is_not_collected_never_zero(repo: Repo) -> None:
    quarter(repo)
    promo = api.build_promo(config(repo))
    assert not promo.reviews_known
    assert all(x.reviews is None for x in promo.expertise)
    assert "src/billing" not in {x.component for x in promo.expertise}  # no commits of hers
    md = render_promo(promo, "md")
    assert "PRs reviewed |" not in md
    assert "Share of reviews: not collected" in md
    assert "not collected" in render_promo(promo, "html")
    data = json.loads(render_promo(promo, "json"))
    jsonschema.validate(data, json_schema())
    assert all(x["reviews"] is None for x in data["expertise"])


def test_a_warm_run_keeps_the_review_share_and_reads_no_history(
    repo: Repo,
    tmp_path: Path,
    no_network: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import miner.promo.touches as touches

    quarter(repo)
    store = tmp_path / "store.sqlite3"
    first = with_github(repo, no_network, monkeypatch, store=store)
    calls: list[str] = []
    monkeypatch.setattr(touches, "read_history", lambda *a, **k: calls.append("read"))
    monkeypatch.setattr(touches, "co_authored", lambda *a, **k: calls.append("co"))
    again = api.build_promo(config(repo, ("ada@example.com", "ada"), store=store))
    assert calls == []
    assert again.expertise == first.expertise and again.peers == first.peers
    assert {x.component: x.reviews for x in again.expertise}["src/upload"] == Reviewed(1, 2)


def test_a_noreply_email_joins_a_git_identity_and_its_github_login_into_one_peer(
    repo: Repo, no_network: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    quarter(repo)
    promo = with_github(repo, no_network, monkeypatch)
    jane = [p for p in promo.peers if p.name == "Jane Doe" or "jdoe" in p.name.lower()]
    assert len(jane) == 1, [p.name for p in promo.peers]
    assert jane[0].name == "Jane Doe" and jane[0].login == "jdoe"
    assert jane[0].reasons == (
        "co-authored 1 commit with you",
        "you gave 1 review on their pull requests",
        "committed alongside you in src/upload (1 commit)",
    )
    md = render_promo(promo, "md")
    assert "**Jane Doe** (GitHub jdoe): co-authored 1 commit with you" in md
    assert "users.noreply" not in md  # emails only when asked for
    # Dave's email is not a noreply address: nothing in Git ties it to the login
    assert {p.name for p in promo.peers} >= {"Dave Lister", "dave"}
    data = json.loads(render_promo(promo, "json"))
    jsonschema.validate(data, json_schema())
    assert {"name": "Jane Doe", "login": "jdoe"}.items() <= data["peers"][0].items()


def test_two_people_who_share_a_name_stay_two_peers_unless_the_mailmap_joins_them(
    repo: Repo,
) -> None:
    sam_a, sam_b = ("Sam Smith", "sam@a.example"), ("Sam Smith", "sam@b.example")
    repo.commit("Core", {"src/upload/core.py": "a = 1\n"}, date=day("2024-04-01"))
    repo.commit("Theirs", {"src/upload/x.py": "x = 1\n"}, date=day("2024-04-02"), author=sam_a)
    repo.commit("Other", {"src/billing/y.py": "y = 1\n"}, date=day("2024-04-03"), author=sam_b)
    repo.commit("Mine", {"src/billing/z.py": "z = 1\n"}, date=day("2024-04-04"))
    repo.commit(
        "Paired\n\nCo-authored-by: Sam Smith <sam@b.example>",
        {"src/billing/w.py": "w = 1\n"},
        date=day("2024-04-05"),
    )
    sams = [p for p in api.build_promo(config(repo)).peers if p.name == "Sam Smith"]
    assert sorted(p.email for p in sams) == ["sam@a.example", "sam@b.example"]
    by_email = {p.email: p for p in sams}
    assert by_email["sam@b.example"].reasons == (
        "co-authored 1 commit with you",
        "committed alongside you in src/billing (1 commit)",
    )
    assert by_email["sam@a.example"].reasons == (
        "committed alongside you in src/upload (1 commit)",
    )
    repo.commit(
        "Mailmap",
        {".mailmap": "Sam Smith <sam@a.example> <sam@b.example>\n"},
        date=day("2024-04-06"),
    )
    sams = [p for p in api.build_promo(config(repo)).peers if p.name == "Sam Smith"]
    assert len(sams) == 1 and sams[0].email == "sam@a.example"
    assert sams[0].reasons[0] == "co-authored 1 commit with you"


def test_a_co_author_trailer_with_the_subjects_own_noreply_address_is_not_a_peer(
    repo: Repo, no_network: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ada is named by her email alone; GitHub (the token's user) tells her login."""
    repo.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    repo.commit(
        "Pushed from the web\n\nCo-authored-by: Ada L <999+Ada@users.noreply.github.com>\n"
        "Co-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>\n"
        "Co-authored-by: Carol Danvers <carol@example.com>",
        {"src/upload/a.py": "a = 1\n"},
        date=day("2024-04-02"),
    )
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    reviewed_on_github(FakeGitHub(no_network))
    names = [p.name for p in api.build_promo(config(repo)).peers]
    assert "Carol Danvers" in names
    assert "Ada L" not in names and not any("bot" in n for n in names)


def test_a_pull_request_number_no_pull_request_has_is_passed_over(repo: Repo) -> None:
    """A subject of thousands of digits (Python refuses to read such a number) names
    no pull request: the run goes on and counts nothing for it."""
    huge = "9" * 5000
    repo.commit("Core", {"src/upload/core.py": "a = 1\n"}, date=day("2024-04-01"))
    repo.commit(
        f"Odd (#{huge})", {"src/upload/x.py": "x = 1\n"}, date=day("2024-04-02"), author=CAROL
    )
    repo.git("checkout", "-q", "-b", "odd")
    repo.commit("Odd branch", {"src/upload/y.py": "y = 1\n"}, date=day("2024-04-03"), author=CAROL)
    repo.git("checkout", "-q", "main")
    merge_pull(repo, 1, "odd", CAROL, "2024-04-04")
    repo.git("commit", "-q", "--amend", "-m", f"Merge pull request #{huge} from carol/odd")
    subject = resolve_subject(repo.path, ["ada@example.com"])
    history = read_history(gitcmd.open_repo(repo.path), None)
    assert repo_facts(history, Matcher(subject), parse_period("2024Q2")).merged_prs == {}
    assert api.build_promo(config(repo)).expertise  # and the whole case is made


def test_only_co_author_trailers_name_co_authors_whatever_the_repository_config(
    repo: Repo,
) -> None:
    """A sign-off is no co-author, and a ``trailer.*`` alias in the repository's
    config cannot turn another line into one (git's own rules, without config)."""
    repo.git("config", "trailer.pair.key", "Co-authored-by")
    repo.commit(
        "Paired\n\nSigned-off-by: Eve Example <eve@example.com>\n"
        "Pair: Mallory <mallory@example.com>\n"
        "Co-authored-by: Bob Builder <bob@example.com>",
        {"src/upload/a.py": "a = 1\n"},
        date=day("2024-04-02"),
    )
    promo = api.build_promo(config(repo))
    assert [(p.name, p.email, p.reasons) for p in promo.peers] == [
        ("Bob Builder", "bob@example.com", ("co-authored 1 commit with you",))
    ]
