"""The GitHub collector against replayed responses in the shapes GitHub sends.

A small fake of the REST API (``FakeGitHub``) serves the bodies built by
``tests.github_fixtures``, with ETags it honours on ``If-None-Match``, ``Link``
pagination, and scripted failures; ``responses`` makes sure nothing else is asked.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import jsonschema
import pytest
import requests
import responses

from miner import api
from miner.ghclient import find_token
from miner.periods import parse_period
from miner.report import json_schema
from tests import github_fixtures as gh
from tests.conftest import Repo

TOKEN = "ghp_TestToken0123456789abcdefSECRET"
API = "https://api.github.com"
LOGIN = "ada"
Reply = tuple[int, dict[str, str], str]


class FakeGitHub:
    """Just enough of the REST API for the collector, keyed by path and query."""

    def __init__(self, mock: responses.RequestsMock, base: str = API) -> None:
        self.base = base
        self.searches: dict[str, list[dict[str, Any]]] = {}
        self.totals: dict[str, int] = {}
        self.incomplete: set[str] = set()
        self.pulls: dict[str, dict[str, Any]] = {}
        self.files: dict[str, list[dict[str, Any]]] = {}
        self.timelines: dict[str, list[dict[str, Any]]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.releases: dict[str, list[dict[str, Any]]] = {}
        self.opened: dict[str, list[dict[str, Any]]] = {}  # a repository's issues, newest first
        self.script: list[Callable[[str], Reply | None]] = []
        self.log: list[tuple[str, int]] = []
        self.remaining = 5000
        self.token = TOKEN  # ETags are per token: a new token matches none of them
        # What a test spoils in an answer after it is chosen (a search still finds the item)
        self.mangle: Callable[[str, Any], Any] = lambda path, body: body
        mock.add_callback(responses.GET, re.compile(re.escape(base) + r"/.*"), self.answer)

    # -- what the tests set up
    def search(self, fragment: str, items: list[dict[str, Any]], total: int | None = None) -> None:
        self.searches[fragment] = items
        if total is not None:
            self.totals[fragment] = total

    def pr(self, owner: str, repo: str, number: int, **fields: Any) -> dict[str, Any]:
        key = f"{owner}/{repo}/{number}"
        self.pulls[key] = gh.pull_request(owner, repo, number, **fields)
        return gh.search_issue_item(
            owner,
            repo,
            number,
            fields["title"],
            fields["login"],
            fields["created_at"],
            merged_at=fields.get("merged_at"),
            author_association=fields.get("author_association", "MEMBER"),
            labels=fields.get("labels", ()),
        )

    @property
    def counted(self) -> int:
        return sum(1 for _, status in self.log if status != 304)

    # -- serving
    def answer(self, request: Any) -> Reply:
        assert request.headers["Authorization"] == f"Bearer {self.token}"
        url = urlparse(request.url)
        path = url.path.removeprefix(urlparse(self.base).path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        for step in list(self.script):
            scripted = step(path)
            if scripted is not None:
                self.script.remove(step)
                self.log.append((path, scripted[0]))
                return scripted
        status, body, extra = self.route(path, query)
        text = json.dumps(self.mangle(path, body))
        search = path.startswith("/search")
        resource = "search" if search else "core"
        # As GitHub does: search answers carry no ETag; other successes carry a weak one,
        # which differs from token to token (GitHub answers ``Vary: Authorization``).
        etag = (
            None
            if search or status >= 400
            else f'W/"{hashlib.sha256((self.token + text).encode()).hexdigest()[:32]}"'
        )
        headers = gh.headers(remaining=self.remaining, resource=resource, etag=etag)
        headers.update(extra)
        sent = request.headers.get("If-None-Match")
        if (
            etag is not None
            and sent is not None
            and sent.removeprefix("W/") == etag.removeprefix("W/")
        ):
            self.log.append((path, 304))
            return 304, gh.not_modified_headers(etag, remaining=self.remaining), ""
        self.remaining -= 1
        self.log.append((path, status))
        return status, headers, text

    def route(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if path == "/user":
            return 200, gh.authenticated_user(LOGIN), {}
        if path == "/rate_limit":
            return 200, gh.rate_limit(self.remaining, 1712142000, 30, 1712138460), {}
        if path == "/search/issues":
            return self.search_page(query)
        if m := re.fullmatch(r"/repos/([^/]+/[^/]+)/releases", path):
            return self.page(path, query, self.releases.get(m[1], []))
        if m := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues", path):
            return self.page(path, query, self.opened.get(m[1], []))
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/(pulls|issues)/(\d+)(?:/(\w+))?", path)
        assert m, path
        key = f"{m[1]}/{m[2]}/{m[4]}"
        table = {
            (None, "pulls"): self.pulls,
            ("files", "pulls"): self.files,
            ("timeline", "issues"): self.timelines,
            ("comments", "issues"): self.comments,
        }[(m[5], m[3])]
        if m[5] == "timeline" and key in self.pulls:  # every pull request has a timeline
            table.setdefault(key, [])
        if key not in table:
            return 404, gh.error(404, "Not Found"), {}
        if m[5] is None:
            return 200, table[key], {}
        return self.page(path, query, table[key])

    def search_page(self, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        q = query["q"]
        fragment = next((f for f in self.searches if f in q), None)
        items = self.searches.get(fragment, []) if fragment else []
        if before := re.search(r"created:<(\S+)", q):  # a count of earlier items
            earlier = [i for i in items if i["created_at"] < before[1]]
            partial = fragment in self.incomplete
            return 200, gh.search_page(earlier[:1], len(earlier), partial), {}
        window = re.search(r"(created|merged|updated):(\S+)\.\.(\S+)", q)
        assert window, q
        field_name = {"created": "created_at", "updated": "updated_at", "merged": "closed_at"}[
            window[1]
        ]
        low = window[2]
        high = window[3] if window[3] != "*" else "9999"
        inside = [i for i in items if i.get(field_name) and low <= i[field_name] <= high + "~"]
        total = self.totals.get(fragment or "", len(inside))
        if total > 1000 and fragment in self.totals:
            # the cap applies until the window is small enough to hold its items
            span = datetime.fromisoformat(high.replace("Z", "+00:00")) - datetime.fromisoformat(
                low.replace("Z", "+00:00")
            )
            if span > timedelta(days=20):
                return 200, gh.search_page(inside[:100], total), {}
            total = len(inside)
        status, body, headers = self.page("/search/issues", query, inside)
        return (
            status,
            gh.search_page(body, total, q in self.incomplete or fragment in self.incomplete),
            headers,
        )

    def page(
        self, path: str, query: dict[str, str], items: list[dict[str, Any]]
    ) -> tuple[int, Any, dict[str, str]]:
        size = int(query.get("per_page", 30))
        number = int(query.get("page", 1))
        last = max(1, -(-len(items) // size))
        chunk = items[(number - 1) * size : number * size]
        extra = {}
        if last > 1:
            params = {k: v for k, v in query.items() if k != "page"}
            extra["link"] = gh.link_header(f"{self.base}{path}", params, number, last)
        return 200, chunk, extra


def at(day: str) -> str:
    return f"{day}T10:00:00Z"


@pytest.fixture
def github(no_network: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    sleeps: list[float] = []
    monkeypatch.setattr("miner.ghclient.time.sleep", sleeps.append)
    fake = FakeGitHub(no_network)
    fake.sleeps = sleeps  # type: ignore[attr-defined]
    return fake


def quarter(fake: FakeGitHub) -> None:
    """Ada's 2024Q2: two PRs of her own (one merged, one elsewhere), a review of a
    newcomer's PR, an issue opened and a comment on someone else's issue."""
    merged = fake.pr(
        "acme",
        "widgets",
        7,
        title="Batch writes in the uploader",
        login=LOGIN,
        created_at=at("2024-04-02"),
        merged_at=at("2024-04-05"),
        additions=160,
        deletions=30,
        changed_files=3,
        labels=("performance",),
        body="Fixes #3",
    )
    fake.files["acme/widgets/7"] = [
        gh.pr_file("src/upload.py", 90, 30),
        gh.pr_file("tests/test_upload.py", 30, 0, status="added"),
        gh.pr_file("docs/design/batching.md", 40, 0, status="added"),
    ]
    outside = fake.pr(
        "other",
        "lib",
        99,
        title="Add retry hook",
        login=LOGIN,
        created_at=at("2024-05-01"),
        merged_at=None,
        additions=10,
        deletions=2,
        changed_files=1,
    )
    fake.files["other/lib/99"] = [gh.pr_file("lib/retry.py", 10, 2)]
    reviewed_once, reviewed_again = gh._sha("commit:7a"), gh._sha("commit:7b")
    fake.timelines["acme/widgets/7"] = [
        gh.timeline_committed("7a", "Batch writes", "Ada", "ada@example.com", at("2024-04-02")),
        gh.timeline_review(
            401,
            "carol",
            "CHANGES_REQUESTED",
            at("2024-04-03"),
            commit_id=reviewed_once,
            pr_url=f"{gh.API}/repos/acme/widgets/pulls/7",
        ),
        gh.timeline_review(
            402,
            LOGIN,
            "COMMENTED",
            at("2024-04-03"),
            body="Answered inline",
            commit_id=reviewed_once,
            pr_url=f"{gh.API}/repos/acme/widgets/pulls/7",
        ),
        gh.timeline_committed("7b", "Flush on exit", "Ada", "ada@example.com", at("2024-04-04")),
        gh.timeline_review(
            403,
            "carol",
            "APPROVED",
            at("2024-04-04"),
            commit_id=reviewed_again,
            pr_url=f"{gh.API}/repos/acme/widgets/pulls/7",
        ),
    ]
    fake.search(f"type:pr author:{LOGIN}", [merged, outside])
    newcomer = fake.pr(
        "acme",
        "widgets",
        8,
        title="Fix typo in README",
        login="newbie",
        created_at=at("2024-05-03"),
        merged_at=at("2024-05-04"),
        additions=1,
        deletions=1,
        changed_files=1,
        author_association="FIRST_TIME_CONTRIBUTOR",
    )
    newcomer["updated_at"] = at("2024-05-04")
    fake.search(f"type:pr reviewed-by:{LOGIN}", [newcomer])
    first_push, second_push = gh._sha("commit:8a"), gh._sha("commit:8b")
    fake.timelines["acme/widgets/8"] = [
        gh.timeline_committed("8a", "Fix typo", "New Bie", "newbie@example.com", at("2024-05-03")),
        gh.timeline_review(
            501,
            LOGIN,
            "CHANGES_REQUESTED",
            at("2024-05-03"),
            body="Nearly there",
            commit_id=first_push,
        ),
        gh.timeline_line_commented(
            [
                gh.review_comment(
                    7001,
                    LOGIN,
                    "README.md",
                    at("2024-05-03"),
                    "Spell it 'receive'",
                    review_id=501,
                    commit_id=first_push,
                ),
                gh.review_comment(
                    7002,
                    "newbie",
                    "README.md",
                    at("2024-05-03"),
                    "Done, thanks!",
                    review_id=601,
                    commit_id=first_push,
                    in_reply_to=7001,
                ),
            ]
        ),
        gh.timeline_line_commented(
            [
                gh.review_comment(
                    7003,
                    LOGIN,
                    "docs/install.md",
                    at("2024-05-03"),
                    "Same typo here",
                    review_id=501,
                    commit_id=first_push,
                )
            ]
        ),
        gh.timeline_committed(
            "8b", "Fix the rest", "New Bie", "newbie@example.com", at("2024-05-04")
        ),
        gh.timeline_review(502, "carol", "APPROVED", at("2024-05-04"), commit_id=second_push),
        gh.timeline_review(503, LOGIN, "APPROVED", at("2024-05-04"), commit_id=second_push),
        gh.timeline_commented(
            gh.issue_comment(
                9100, "acme", "widgets", 8, "newbie", at("2024-05-04"), "Thanks all", on_pull=True
            )
        ),
    ]
    issue = gh.search_issue_item(
        "acme",
        "widgets",
        3,
        "Uploads are slow",
        LOGIN,
        at("2024-04-01"),
        is_pr=False,
        labels=("perf",),
    )
    fake.search(f"type:issue author:{LOGIN}", [issue])
    theirs = gh.search_issue_item(
        "acme",
        "widgets",
        11,
        "How do retries work?",
        "dave",
        at("2024-06-01"),
        is_pr=False,
        labels=("question",),
    )
    theirs["updated_at"] = at("2024-06-02")
    fake.search(f"type:issue commenter:{LOGIN}", [theirs])
    fake.releases["acme/widgets"] = [
        gh.release("acme", "widgets", "v2.1.0", LOGIN, at("2024-06-20"), name="Widgets 2.1"),
        gh.release("acme", "widgets", "v2.0.0", "carol", at("2024-05-20")),
        gh.release("acme", "widgets", "v1.9.0", LOGIN, at("2024-03-20")),
    ]
    fake.comments["acme/widgets/11"] = [
        gh.issue_comment(9001, "acme", "widgets", 11, "dave", at("2024-06-01"), "Anyone?"),
        gh.issue_comment(9002, "acme", "widgets", 11, LOGIN, at("2024-06-02"), "See the docs"),
    ]


def run_report(miner, tmp_path: Path, *extra: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    outside = tmp_path / "not-a-clone"
    outside.mkdir(exist_ok=True)
    (tmp_path / "notes.yaml").touch()  # a --notes file given must exist
    result = miner(
        "report",
        "--repo",
        "acme/widgets",
        "--author",
        LOGIN,
        "--period",
        "2024Q2",
        "--format",
        "json",
        "--store",
        str(tmp_path / "store.sqlite3"),
        "--notes",
        str(tmp_path / "notes.yaml"),
        *extra,
        cwd=outside,
    )
    assert result.code == 0, result.err
    assert TOKEN not in result.out + result.err
    doc: dict[str, Any] = json.loads(result.out)
    return doc


def spent_limit(reset: int, where: Callable[[str], bool]) -> Callable[[str], Reply | None]:
    """A scripted answer: the primary rate limit spent until ``reset``, for the first
    request whose path ``where`` picks."""
    body = json.dumps(gh.error(403, "API rate limit exceeded for user ID 1."))
    return lambda path: (403, gh.headers(remaining=0, reset=reset), body) if where(path) else None


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in doc["evidence"]}


def rules_of(item: dict[str, Any]) -> set[str]:
    return {m["rule"] for m in item["areas"]}


def test_a_quarter_on_github_becomes_evidence_with_areas(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    doc = run_report(miner, tmp_path)
    jsonschema.validate(doc, json_schema())
    items = by_id(doc)
    pr = items["gh:pr:acme/widgets#7"]
    assert pr["stats"] == {"additions": 160, "deletions": 30, "files": 3}  # summed from its files
    assert pr["date"] == "2024-04-05T10:00:00+00:00"  # merged in the period
    assert not any(path.endswith("/pulls/7") for path, _ in github.log)  # the search said all
    assert {"merged-pull-request", "tests-substantial", "incident-labels"} <= rules_of(pr)
    assert "design-doc-authored" in rules_of(items["doc:acme/widgets:docs/design/batching.md"])
    assert "outside-home-contribution" in rules_of(items["gh:pr:other/lib#99"])
    assert "outside-home-contribution" not in rules_of(pr)
    first, second = items["gh:review:501"], items["gh:review:503"]
    assert first["title"] == "Review of Fix typo in README (changes requested, 2 line comments)"
    assert second["title"] == "Review of Fix typo in README (approved)"
    assert {"review-newcomer", "review-in-depth", "review-given"} <= rules_of(first)
    assert "review-in-depth" not in rules_of(second)
    assert "review-thread-to-approval" not in rules_of(first)  # one round so far
    assert "review-thread-to-approval" in rules_of(second)  # her second round, approved
    line = items["gh:review-comment:7001"]
    assert line["kind"] == "review_comment" and line["role"] == "reviewer"
    assert line["title"] == "Comment on README.md in Fix typo in README"
    assert line["url"] == "https://github.com/acme/widgets/pull/8#discussion_r7001"
    assert {"review-newcomer", "review-in-depth"} <= rules_of(line)
    assert "gh:review-comment:7003" in items
    assert "gh:review-comment:7002" not in items  # the newcomer's reply is theirs
    assert "gh:review:402" not in items  # her comment on her own pull request is no review
    assert "gh:review:502" not in items  # Carol's review is hers
    assert "answers-on-issues" in rules_of(items["gh:comment:9002"])
    assert "gh:comment:9001" not in items
    assert items["gh:issue:acme/widgets#3"]["kind"] == "issue"
    assert "release-cut" in rules_of(items["gh:release:acme/widgets:v2.1.0"])
    assert "gh:release:acme/widgets:v2.0.0" not in items  # Carol's
    assert "gh:release:acme/widgets:v1.9.0" not in items  # before the period
    assert doc["subject"]["logins"] == [LOGIN]
    source = next(s for s in doc["sources"] if s["kind"] == "github")
    assert source["items"] == 10 and source["partial"] is False


def busy(fake: FakeGitHub, quarters: int = 1) -> None:
    """Per quarter of 2024 from Q2 on: 40 pull requests authored and merged, and 60 of
    Bob's reviewed; each item's ``updated_at`` is its last change, as GitHub gives it."""
    mine, reviewed = [], []
    for q in range(quarters):
        first_month = 4 + 3 * q if q < 3 else 1
        year = 2024 if q < 3 else 2025
        for n in range(40):
            number = 1000 * q + n + 1
            item = fake.pr(
                "acme",
                "widgets",
                number,
                title=f"Change {number}",
                login=LOGIN,
                created_at=at(f"{year}-{first_month:02d}-{n % 28 + 1:02d}"),
                merged_at=at(f"{year}-{first_month + 1:02d}-{n % 28 + 1:02d}"),
                additions=n,
                deletions=1,
                changed_files=1,
            )
            item["updated_at"] = item["closed_at"]
            mine.append(item)
            fake.files[f"acme/widgets/{number}"] = [gh.pr_file(f"src/m{number}.py", n, 1)]
        for n in range(60):
            number = 1000 * q + 100 + n
            day = at(f"{year}-{first_month:02d}-{n % 28 + 1:02d}")
            item = fake.pr(
                "acme",
                "widgets",
                number,
                title=f"Theirs {number}",
                login="bob",
                created_at=day,
                merged_at=None,
                additions=1,
                deletions=1,
                changed_files=1,
            )
            item["updated_at"] = day
            reviewed.append(item)
            fake.timelines[f"acme/widgets/{number}"] = [
                gh.timeline_review(100_000 + number, LOGIN, "APPROVED", day)
            ]
    fake.search(f"type:pr author:{LOGIN}", mine)
    fake.search(f"type:pr reviewed-by:{LOGIN}", reviewed)


def new_token(fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    """The next run has a token of its own, as every GitHub Actions run does."""
    fake.token = token
    monkeypatch.setenv("GH_TOKEN", token)


def costs(fake: FakeGitHub) -> tuple[int, int]:
    """Counted requests so far: (core, search), the two limits GitHub keeps apart."""
    search = sum(1 for path, status in fake.log if status != 304 and path.startswith("/search"))
    return fake.counted - search, search


def test_the_request_budget_of_a_typical_quarter(github: FakeGitHub, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """40 pull requests authored and 60 reviewed: under 150 counted requests cold,
    under 10 when the same period is asked again."""
    busy(github)
    doc = run_report(miner, tmp_path)
    assert sum(1 for e in doc["evidence"] if e["kind"] == "review") == 60
    assert sum(1 for e in doc["evidence"] if e["kind"] == "pull_request") == 40
    cold = github.counted
    # searches, files and timeline per PR authored, timeline per PR reviewed, releases
    assert cold == 5 + 2 * 40 + 60 + 1
    assert cold <= 150
    github.log.clear()
    again = run_report(miner, tmp_path)
    assert again["evidence"] == doc["evidence"]
    assert github.counted == 5  # the searches (GitHub gives them no ETag); the rest were 304


def test_a_new_token_reuses_what_has_not_changed(
    github: FakeGitHub, miner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """No stored ETag matches a new token; a search item's ``updated_at`` says which
    stored answers are still true. Only what changed is asked again."""
    busy(github)
    doc = run_report(miner, tmp_path)
    github.log.clear()
    new_token(github, monkeypatch, "ghs_SecondRunsToken0123456789")
    again = run_report(miner, tmp_path)
    assert again["evidence"] == doc["evidence"]
    assert github.counted <= 10
    assert costs(github) == (1, 5)  # the releases (no item to vouch for them), the searches
    assert not [p for p, status in github.log if status == 304]  # nothing even asked
    # Pull request 3 gets another push: its files and timeline are asked again, only they.
    changed = next(i for i in github.searches[f"type:pr author:{LOGIN}"] if i["number"] == 3)
    changed["updated_at"] = at("2024-06-28")
    github.files["acme/widgets/3"].append(gh.pr_file("src/extra.py", 5, 0, status="added"))
    github.log.clear()
    new_token(github, monkeypatch, "ghs_ThirdRunsToken0123456789")
    third = by_id(run_report(miner, tmp_path))
    assert costs(github) == (1 + 2, 5)
    asked = {p for p, _ in github.log if "/pulls/" in p or "/issues/" in p}
    assert asked == {"/repos/acme/widgets/pulls/3/files", "/repos/acme/widgets/issues/3/timeline"}
    assert third["gh:pr:acme/widgets#3"]["stats"]["files"] == 2


def test_what_one_token_hour_serves(
    github: FakeGitHub, miner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The numbers behind the README's table of people per token-hour: a busy year (four
    quarters like the one above), cold and again with a new token."""
    busy(github, quarters=4)
    year = ("--period", "2024-04-01..2025-03-31")
    run_report(miner, tmp_path, *year)
    assert costs(github) == (4 * (2 * 40 + 60) + 1, 5 + 2 + 2)  # a year, cold; 160 and 240 items
    github.log.clear()
    new_token(github, monkeypatch, "ghs_NextRunsToken0123456789")
    run_report(miner, tmp_path, *year)
    assert costs(github) == (1, 9)  # the same year again, a new token


def test_search_pages_follow_link_headers(github: FakeGitHub, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    issues = [
        gh.search_issue_item(
            "acme", "widgets", n, f"Issue {n}", LOGIN, at("2024-05-01"), is_pr=False
        )
        for n in range(1, 251)
    ]
    github.search(f"type:issue author:{LOGIN}", issues)
    doc = run_report(miner, tmp_path)
    assert sum(1 for e in doc["evidence"] if e["kind"] == "issue") == 250
    pages = [p for p, _ in github.log if p == "/search/issues"]
    assert len(pages) == 5 + 2  # five searches, two more pages of the issues one


def test_a_capped_search_is_split_into_smaller_windows(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    issues = [
        gh.search_issue_item(
            "acme",
            "widgets",
            n,
            f"Issue {n}",
            LOGIN,
            (datetime(2024, 4, 1, tzinfo=UTC) + timedelta(hours=2 * n)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
            is_pr=False,
        )
        for n in range(1, 1001)
    ]
    github.search(f"type:issue author:{LOGIN}", issues, total=1200)
    doc = run_report(miner, tmp_path)
    assert sum(1 for e in doc["evidence"] if e["kind"] == "issue") == 1000


def test_incomplete_results_are_a_blind_spot(github: FakeGitHub, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    github.search(f"type:issue author:{LOGIN}", [])
    github.incomplete.add(f"type:issue author:{LOGIN}")
    doc = run_report(miner, tmp_path)
    spots = next(s for s in doc["sources"] if s["kind"] == "github")["blind_spots"]
    assert any("incomplete results" in s for s in spots)


def test_a_secondary_rate_limit_is_waited_out(github: FakeGitHub, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    body = json.dumps(gh.error(403, "You have exceeded a secondary rate limit."))
    github.script.append(
        lambda path: (
            (403, {**gh.headers(), "retry-after": "7"}, body) if path == "/search/issues" else None
        )
    )
    doc = run_report(miner, tmp_path)
    assert "gh:pr:acme/widgets#7" in by_id(doc)
    assert 7.0 in github.sleeps  # type: ignore[attr-defined]


def test_a_rate_limit_that_outlasts_the_retries_gives_a_partial_report(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    body = json.dumps(gh.error(403, "You have exceeded a secondary rate limit."))
    for _ in range(4):  # the first try and every retry
        github.script.append(
            lambda path: (
                (403, gh.secondary_limit_headers(), body)
                if path == "/repos/acme/widgets/issues/8/timeline"
                else None
            )
        )
    doc = run_report(miner, tmp_path)
    source = next(s for s in doc["sources"] if s["kind"] == "github")
    assert source["partial"] is True
    assert any(s.startswith("partial: GitHub rate limit") for s in source["blind_spots"])
    assert "gh:pr:acme/widgets#7" in by_id(doc)  # what came before is kept
    assert "gh:review:501" not in by_id(doc)


def test_a_502_is_retried_with_backoff(github: FakeGitHub, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    for _ in range(2):
        github.script.append(
            lambda path: (
                (502, gh.headers(), json.dumps(gh.error(502, "Server Error")))
                if path.startswith("/repos/acme/widgets/pulls/7")
                else None
            )
        )
    doc = run_report(miner, tmp_path)
    assert by_id(doc)["gh:pr:acme/widgets#7"]["stats"]["additions"] == 160
    assert github.sleeps[:2] == [1.0, 2.0]  # type: ignore[attr-defined]


def test_a_server_that_keeps_failing_ends_with_one_line(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        github.script.append(
            lambda path: (503, gh.headers(), json.dumps(gh.error(503, "Unavailable")))
        )
    result = miner(
        "report",
        "--repo",
        "acme/widgets",
        "--author",
        LOGIN,
        "--period",
        "2024Q2",
        "--store",
        str(tmp_path / "s.sqlite3"),
        cwd=tmp_path,
    )
    assert result.code == 1
    assert len(result.err.splitlines()) == 1
    assert "GitHub answered 503" in result.err


def test_a_bad_token_is_one_clear_line_without_the_token(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    github.script.append(
        lambda path: (401, gh.headers(), json.dumps(gh.error(401, "Bad credentials")))
    )
    result = miner(
        "report",
        "--repo",
        "acme/widgets",
        "--period",
        "2024Q2",
        "--store",
        str(tmp_path / "s.sqlite3"),
        cwd=tmp_path,
    )
    assert result.code == 1
    assert result.err.startswith("miner: error: GitHub rejected the token (401 Bad credentials)")
    assert len(result.err.splitlines()) == 1
    assert TOKEN not in result.err


def test_a_spent_rate_limit_far_from_reset_gives_a_partial_report(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    reset = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    github.script.append(spent_limit(reset, lambda path: path.startswith("/repos/")))
    doc = run_report(miner, tmp_path)
    source = next(s for s in doc["sources"] if s["kind"] == "github")
    assert source["partial"] is True
    assert any("rate limit spent until" in s for s in source["blind_spots"])
    md = miner(
        "report",
        "--repo",
        "acme/widgets",
        "--author",
        LOGIN,
        "--period",
        "2024Q2",
        "--store",
        str(tmp_path / "store.sqlite3"),
        "--rate-limit-wait",
        "0",
        cwd=tmp_path / "not-a-clone",
    )
    assert md.code == 0


def test_a_rate_limit_that_resets_soon_is_waited_for(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    reset = int((datetime.now(UTC) + timedelta(seconds=20)).timestamp())
    github.script.append(spent_limit(reset, lambda path: path.startswith("/repos/")))
    doc = run_report(miner, tmp_path)
    assert next(s for s in doc["sources"] if s["kind"] == "github")["partial"] is False
    assert any(15 <= s <= 25 for s in github.sleeps)  # type: ignore[attr-defined]


def test_an_interrupted_collection_resumes_without_losing_what_it_had(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    reset = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    github.script.append(
        spent_limit(reset, lambda path: path == "/repos/acme/widgets/issues/8/timeline")
    )
    partial = run_report(miner, tmp_path)
    assert next(s for s in partial["sources"] if s["kind"] == "github")["partial"]
    github.log.clear()
    complete = run_report(miner, tmp_path)
    assert "gh:review:501" in by_id(complete)
    assert set(by_id(partial)) < set(by_id(complete))
    # the five searches (never cached by GitHub), then what was not reached: the timeline,
    # the comments and the releases; everything else answered 304
    assert github.counted == 5 + 3


def test_github_enterprise_server_urls(
    no_network: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    fake = FakeGitHub(no_network, base="https://ghe.example.com/api/v3")
    fake.search(
        f"type:issue author:{LOGIN}",
        [
            gh.search_issue_item(
                "acme", "widgets", 1, "On the server", LOGIN, at("2024-05-01"), is_pr=False
            )
        ],
    )
    doc = run_report(miner, tmp_path, "--github-api-url", "https://ghe.example.com/api/v3")
    assert "gh:issue:acme/widgets#1" in by_id(doc)
    assert fake.counted >= 4


def test_the_token_is_never_stored_or_rendered(github: FakeGitHub, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    run_report(miner, tmp_path)
    md = miner(
        "report",
        "--repo",
        "acme/widgets",
        "--author",
        LOGIN,
        "--period",
        "2024Q2",
        "--format",
        "html",
        "--store",
        str(tmp_path / "store.sqlite3"),
        cwd=tmp_path,
    )
    assert TOKEN not in md.out + md.err
    for path in tmp_path.iterdir():
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    with sqlite3.connect(tmp_path / "store.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM http_cache").fetchone()[0] > 0


def test_no_token_skips_github_with_a_blind_spot(miner, tmp_path: Path, repo) -> None:  # type: ignore[no-untyped-def]
    repo.commit("x", {"a.py": "1\n"})
    repo.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    result = miner("report", str(repo.path), "--period", "2024Q2", "--format", "json")
    assert result.code == 0, result.err
    github = next(s for s in json.loads(result.out)["sources"] if s["kind"] == "github")
    assert "GitHub not collected" in github["blind_spots"][0]


def test_token_order_gh_token_then_github_token_then_gh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert find_token({"GH_TOKEN": "a", "GITHUB_TOKEN": "b"}) == "a"
    assert find_token({"GITHUB_TOKEN": "b"}) == "b"
    fake_gh = tmp_path / "gh"
    fake_gh.write_text("#!/bin/sh\n[ \"$1 $2\" = 'auth token' ] && echo from-gh\n")
    fake_gh.chmod(0o755)
    monkeypatch.setattr("miner.ghclient.shutil.which", lambda name: str(fake_gh))
    assert find_token({}) == "from-gh"


def test_doctor_reports_login_scopes_and_rate_limit(github: FakeGitHub, miner, repo) -> None:  # type: ignore[no-untyped-def]
    repo.commit("x", {"a.py": "1\n"})
    result = miner("doctor", str(repo.path))
    assert "[ok  ] github token: found in GH_TOKEN" in result.out
    assert f"[ok  ] github login: {LOGIN} at {API}" in result.out
    assert "[ok  ] github scopes: repo, read:org" in result.out
    assert "github rate limit: core" in result.out
    assert TOKEN not in result.out + result.err


@pytest.mark.parametrize(
    ("path", "body"),
    [("/user", {}), ("/user", []), ("/rate_limit", {"resources": {}}), ("/rate_limit", None)],
)
def test_doctor_says_so_when_github_answers_in_another_shape(  # type: ignore[no-untyped-def]
    github: FakeGitHub, miner, repo, path: str, body: Any
) -> None:
    repo.commit("x", {"a.py": "1\n"})
    github.script.append(
        lambda asked: (200, gh.headers(), json.dumps(body)) if asked == path else None
    )
    result = miner("doctor", str(repo.path))
    assert "Traceback" not in result.err
    assert f"[FAIL] github: {API} did not answer as GitHub's API does" in result.out
    assert TOKEN not in result.out + result.err


def test_searches_wait_for_the_search_limit_to_reset(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The search API allows 30 requests a minute: when a response says none are
    left, the next search waits for the reset instead of failing."""
    quarter(github)
    reset = int((datetime.now(UTC) + timedelta(seconds=30)).timestamp())
    body = json.dumps(gh.search_page([], 0))
    github.script.append(
        lambda path: (
            (200, gh.headers(remaining=0, reset=reset, resource="search"), body)
            if path == "/search/issues"
            else None
        )
    )
    doc = run_report(miner, tmp_path)
    assert "gh:review:501" in by_id(doc)
    assert any(25 <= s <= 35 for s in github.sleeps)  # type: ignore[attr-defined]


def test_a_warm_run_keeps_every_page_of_a_list(github: FakeGitHub, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A 304 carries no Link header: the stored page's link must lead on to page 2."""
    github.releases["acme/widgets"] = [
        gh.release("acme", "widgets", f"v1.{n}", LOGIN, at(f"2024-05-{n % 28 + 1:02d}"))
        for n in range(150)
    ]
    cold = run_report(miner, tmp_path)
    warm = run_report(miner, tmp_path)
    assert sum(1 for e in cold["evidence"] if e["kind"] == "release") == 150
    assert warm["evidence"] == cold["evidence"]


def test_review_rounds_reach_the_rules(github: FakeGitHub, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    pack = tmp_path / "rounds.yaml"
    pack.write_text(
        "name: rounds\nextends: senior-sde\nrules:\n  - id: reworked\n    area: delivery\n"
        "    reason: went through review rounds\n"
        "    when: {kind: pull_request, min_review_rounds: 2}\n    examples:\n"
        "      match: [{kind: pull_request, review_rounds: 2}]\n"
        "      no_match: [{kind: pull_request, review_rounds: 1}]\n"
    )
    items = by_id(run_report(miner, tmp_path, "--rules", str(pack)))
    assert "reworked" in rules_of(items["gh:pr:acme/widgets#7"])  # Carol reviewed two pushes
    assert "reworked" not in rules_of(items["gh:pr:other/lib#99"])  # never reviewed


def test_an_older_server_without_merged_at_in_search_asks_the_pull_request(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    for item in github.searches[f"type:pr author:{LOGIN}"]:
        del item["pull_request"]["merged_at"]
    items = by_id(run_report(miner, tmp_path))
    assert items["gh:pr:acme/widgets#7"]["date"] == "2024-04-05T10:00:00+00:00"  # merged
    assert ("/repos/acme/widgets/pulls/7", 200) in github.log


@pytest.mark.parametrize("incomplete", [False, True])
def test_a_contributor_with_few_earlier_pull_requests_is_a_newcomer(
    github: FakeGitHub, miner, tmp_path: Path, incomplete: bool
) -> None:  # type: ignore[no-untyped-def]
    reviewed = []
    for number, author in ((20, "casey"), (21, "dana")):
        item = github.pr(
            "acme", "widgets", number, title=f"Change by {author}", login=author,
            created_at=at("2024-05-10"), merged_at=None, author_association="CONTRIBUTOR",
            additions=3, deletions=1, changed_files=1,
        )  # fmt: skip
        item["updated_at"] = at("2024-05-11")
        reviewed.append(item)
        github.timelines[f"acme/widgets/{number}"] = [
            gh.timeline_review(
                800 + number, LOGIN, "APPROVED", at("2024-05-11"),
                pr_url=f"{gh.API}/repos/acme/widgets/pulls/{number}",
            )
        ]  # fmt: skip
    github.search(f"type:pr reviewed-by:{LOGIN}", reviewed)
    earlier = {"casey": 1, "dana": 5}  # pull requests each had opened before this one
    for author, count in earlier.items():
        github.search(
            f"type:pr author:{author}",
            [
                gh.search_issue_item("acme", "widgets", 1 + n, "Old", author, at("2023-01-02"))
                for n in range(count)
            ],
        )
    if incomplete:  # GitHub timed out counting casey's: that answer is not kept
        github.incomplete.add("type:pr author:casey")
    items = by_id(run_report(miner, tmp_path))
    assert "review-newcomer" in rules_of(items["gh:review:820"])  # casey: one earlier PR
    assert "review-newcomer" not in rules_of(items["gh:review:821"])  # dana: five
    asked = [p for p, _ in github.log if p == "/search/issues"]
    github.log.clear()
    again = by_id(run_report(miner, tmp_path))
    assert rules_of(again["gh:review:820"]) == rules_of(items["gh:review:820"])
    # the earlier-PR counts are about the past: kept, never asked again (unless incomplete)
    repeated = 1 if incomplete else 0
    assert sum(1 for p, _ in github.log if p == "/search/issues") == len(asked) - 2 + repeated


def test_no_newcomer_search_without_work_in_the_period_nor_for_bots_and_no_drafts(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    reviewed = []
    for number, author, kind, when in (
        (30, "erin", "User", "2024-03-20"),  # her review came before the period
        (31, "renovate[bot]", "Bot", "2024-05-11"),
    ):
        item = gh.search_issue_item(
            "acme", "widgets", number, f"Change {number}", author, at("2024-03-01"),
            author_association="CONTRIBUTOR", user_type=kind, updated_at=at("2024-05-12"),
        )  # fmt: skip
        reviewed.append(item)
        github.pulls[f"acme/widgets/{number}"] = {}
        github.timelines[f"acme/widgets/{number}"] = [
            gh.timeline_review(
                900 + number, LOGIN, "COMMENTED", at(when),
                pr_url=f"{gh.API}/repos/acme/widgets/pulls/{number}",
            ),
            gh.timeline_line_commented(
                [
                    gh.review_comment(
                        9900 + number, LOGIN, "x.py", at("2024-05-11"), "Still drafting",
                        review_id=999, number=number,  # a pending review: not submitted
                    )
                ]
            ),
        ]  # fmt: skip
    github.search(f"type:pr reviewed-by:{LOGIN}", reviewed)
    items = by_id(run_report(miner, tmp_path))
    assert "gh:review:931" in items and "review-newcomer" not in rules_of(items["gh:review:931"])
    assert "gh:review:930" not in items
    assert not any(key.startswith("gh:review-comment:") for key in items)  # drafts
    searches = [p for p, _ in github.log if p == "/search/issues"]
    assert len(searches) == 5  # the five of the period, no newcomer count


def test_a_bad_rule_pack_fails_before_any_request_to_github(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    pack = tmp_path / "bad.yaml"
    pack.write_text("name: bad\nrules:\n  - id: x\n    area: nowhere\n")
    outside = tmp_path / "not-a-clone"
    outside.mkdir()
    for who in (["--author", LOGIN], []):  # with no --author, the token's user is asked
        result = miner(
            "report", "--repo", "acme/widgets", *who, "--period", "2024Q2",
            "--rules", str(pack), "--store", str(tmp_path / "s.sqlite3"), cwd=outside,
        )  # fmt: skip
        assert result.code == 1, result.err
        assert "names unknown area 'nowhere'" in result.err and "Traceback" not in result.err
        assert github.log == []


def test_github_unreachable_still_reports_git_marked_partial(
    repo: Repo, no_network: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token and no network: the Git part is reported, partial, and the line says
    how to leave GitHub out."""
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    sleeps: list[float] = []
    monkeypatch.setattr("miner.ghclient.time.sleep", sleeps.append)  # the retries, instantly
    no_network.add(
        responses.GET, re.compile(re.escape(API) + r"/.*"), body=requests.ConnectionError("down")
    )
    repo.commit("Speed up the tokenizer", {"src/tokenizer.py": "x = 1\n"})
    repo.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    config = api.Config(period=parse_period("2024Q2"), paths=(repo.path,))
    report = api.build_report(config)
    assert [m.evidence.title for m in report.evidence] == ["Speed up the tokenizer"]
    assert report.partial
    github = next(s for s in report.sources if s.kind == "github")
    assert github.partial and github.items == 0
    said = [w for w in report.warnings if "GitHub did not answer (ConnectionError)" in w]
    assert said and "--no-github" in said[0]
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_design_doc_seen_by_git_and_github_is_listed_once(
    github: FakeGitHub, repo: Repo, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    repo.git("remote", "add", "origin", "https://github.com/Acme/Widgets.git")
    body = "# Batching uploads\n" + "".join(f"line {i}\n" for i in range(40))
    repo.commit("Design: batching", {"docs/design/batching.md": body}, author=("Ada", "ada@x.io"))
    result = miner(
        "report",
        str(repo.path),
        "--author",
        "ada@x.io",
        "--author",
        LOGIN,
        "--period",
        "2024Q2",
        "--format",
        "json",
        "--store",
        str(tmp_path / "store.sqlite3"),
    )
    assert result.code == 0, result.err
    docs = [e for e in json.loads(result.out)["evidence"] if e["kind"] == "design_doc"]
    assert [(d["id"], d["title"]) for d in docs] == [
        ("doc:acme/widgets:docs/design/batching.md", "Batching uploads")
    ]


# ------------------------------------------------------- hostile payloads
EVIL = "https://evil.example"


def stolen(mock: responses.RequestsMock) -> list[str]:
    """Every request that reached a host other than the API, with what it carried."""
    seen: list[str] = []

    def record(request: Any) -> Reply:
        seen.append(f"{request.url} {request.headers.get('Authorization', '')}")
        return 200, {"Content-Type": "application/json"}, "[]"

    mock.add_callback(responses.GET, re.compile(r"https?://(?!api\.github\.com/).*"), record)
    mock.add_callback(responses.GET, re.compile(r"http://api\.github\.com/.*"), record)
    mock.add_callback(responses.GET, re.compile(r"https://api\.github\.com:\d+/.*"), record)
    return seen


@pytest.mark.parametrize(
    "next_url",
    [
        f"{EVIL}/repositories/1/releases?page=2",
        "http://api.github.com/repositories/1/releases?page=2",  # another scheme
        "https://api.github.com:8443/repositories/1/releases?page=2",  # another port
        "https://api.github.com@evil.example/repositories/1/releases?page=2",
        "https://api.github.com\\@evil.example/repositories/1/releases?page=2",
    ],
)
def test_a_next_link_off_the_api_is_not_followed_and_the_list_is_partial(
    github: FakeGitHub, no_network: responses.RequestsMock, miner, tmp_path: Path, next_url: str
) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    seen = stolen(no_network)
    first = [gh.release("acme", "widgets", "v2.1.0", LOGIN, at("2024-06-20"))]
    link = {"Link": f'<{next_url}>; rel="next", <{next_url}>; rel="last"'}
    github.script.append(
        lambda path: (
            (200, {**gh.headers(remaining=4000), **link}, json.dumps(first))
            if path == "/repos/acme/widgets/releases"
            else None
        )
    )
    doc = run_report(miner, tmp_path)
    assert seen == []  # the token went nowhere else
    assert "gh:release:acme/widgets:v2.1.0" in by_id(doc)  # the page in hand is kept
    assert "gh:review:501" in by_id(doc)  # the other listings went on
    source = next(s for s in doc["sources"] if s["kind"] == "github")
    assert source["partial"] is True
    cut = [s for s in source["blind_spots"] if "not followed" in s]
    assert len(cut) == 1 and "/repos/acme/widgets/releases" in cut[0]
    assert TOKEN not in json.dumps(doc)


def test_a_next_link_outside_the_servers_api_path_is_not_followed(
    no_network: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """GitHub Enterprise Server: the same host, but not under /api/v3 (an upload or a
    page of the web app there is not the API the token was given for)."""
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    base = "https://ghe.example.com/api/v3"
    fake = FakeGitHub(no_network, base=base)
    seen: list[str] = []
    no_network.add_callback(
        responses.GET,
        re.compile(r"https://ghe\.example\.com/(?!api/v3/).*"),
        lambda request: seen.append(request.url) or (200, {}, "[]"),
    )
    fake.releases["acme/widgets"] = [
        gh.release("acme", "widgets", "v1", LOGIN, at("2024-05-02")),
    ]
    fake.script.append(
        lambda path: (
            (
                200,
                {
                    **gh.headers(),
                    "Link": '<https://ghe.example.com/api/v3/../../x?page=2>; rel="next", '
                    '<https://ghe.example.com/login?page=2>; rel="last"',
                },
                json.dumps(fake.releases["acme/widgets"]),
            )
            if path == "/repos/acme/widgets/releases"
            else None
        )
    )
    doc = run_report(miner, tmp_path, "--github-api-url", base)
    assert seen == [] and "gh:release:acme/widgets:v1" in by_id(doc)
    assert next(s for s in doc["sources"] if s["kind"] == "github")["partial"] is True


SEARCHED = {  # the search items quarter() sets up, by search and number
    "pr": (f"type:pr author:{LOGIN}", 7),
    "reviewed": (f"type:pr reviewed-by:{LOGIN}", 8),
    "issue": (f"type:issue author:{LOGIN}", 3),
    "commented": (f"type:issue commenter:{LOGIN}", 11),
}
SEARCH_FIELDS = (
    "title", "body", "user", "labels", "html_url", "created_at", "updated_at", "number",
    "repository_url", "milestone", "pull_request", "state", "author_association",
)  # fmt: skip
TIMELINE_FIELDS = (
    "event", "user", "submitted_at", "state", "commit_id", "id", "html_url", "body", "comments",
)  # fmt: skip
COMMENT_FIELDS = (
    "user", "created_at", "id", "html_url", "body", "path", "pull_request_review_id",
)  # fmt: skip
FILE_FIELDS = ("filename", "additions", "deletions", "blob_url")
RELEASE_FIELDS = ("author", "published_at", "draft", "name", "tag_name", "html_url", "body")


def _spoil(thing: dict[str, Any], field: str, value: Any) -> None:
    thing[field] = value


def _damage(fake: FakeGitHub, where: str, field: str, value: Any) -> None:
    if where in SEARCHED:
        _, number = SEARCHED[where]
        before = fake.mangle  # several items may be spoiled, each in its own way

        def spoiled(path: str, body: Any) -> Any:
            body = before(path, body)
            if path != "/search/issues":
                return body
            items = [copy.deepcopy(i) for i in body["items"]]
            for item in items:
                if item["number"] == number:
                    _spoil(item, field, value)
            return {**body, "items": items}

        fake.mangle = spoiled
    elif where == "timeline":
        for event in fake.timelines["acme/widgets/8"] + fake.timelines["acme/widgets/7"]:
            _spoil(event, field, value)
    elif where == "line comment":
        for event in fake.timelines["acme/widgets/8"]:
            for comment in event.get("comments", []):
                _spoil(comment, field, value)
    elif where == "issue comment":
        for comment in fake.comments["acme/widgets/11"]:
            _spoil(comment, field, value)
    elif where == "file":
        for entry in fake.files["acme/widgets/7"]:
            _spoil(entry, field, value)
    else:
        for release in fake.releases["acme/widgets"]:
            _spoil(release, field, value)


DAMAGED = [
    *((where, f) for where in SEARCHED for f in SEARCH_FIELDS),
    *(("timeline", f) for f in TIMELINE_FIELDS),
    *(("line comment", f) for f in COMMENT_FIELDS),
    *(("issue comment", f) for f in COMMENT_FIELDS if f != "path"),
    *(("file", f) for f in FILE_FIELDS),
    *(("release", f) for f in RELEASE_FIELDS),
]


@pytest.mark.parametrize("value", [None, {"not": "text"}], ids=["null", "wrong-type"])
@pytest.mark.parametrize(("where", "field"), DAMAGED, ids=[f"{w}.{f}" for w, f in DAMAGED])
def test_a_null_missing_or_wrong_typed_field_never_breaks_a_run(
    github: FakeGitHub, miner, tmp_path: Path, where: str, field: str, value: Any
) -> None:  # type: ignore[no-untyped-def]
    """Every field the collector reads, spoiled one at a time in a replayed answer: the
    report is made (the item read as empty, or skipped with one line naming it)."""
    quarter(github)
    _damage(github, where, field, value)
    doc = run_report(miner, tmp_path)
    jsonschema.validate(doc, json_schema())
    source = next(s for s in doc["sources"] if s["kind"] == "github")
    skipped = [s for s in source["blind_spots"] if s.startswith("skipped on GitHub")]
    assert all("\n" not in s for s in skipped)
    if (where, field) in (("pr", "number"), ("issue", "created_at"), ("release", "tag_name")):
        assert skipped  # without it there is nothing to name the item by
    if value is not None:
        return
    md = miner(
        "report", "--repo", "acme/widgets", "--author", LOGIN, "--period", "2024Q2",
        "--store", str(tmp_path / "store.sqlite3"), cwd=tmp_path / "not-a-clone",
    )  # fmt: skip
    assert md.code == 0 and "Traceback" not in md.err


def test_an_item_link_off_the_forges_web_host_is_dropped(
    github: FakeGitHub, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    quarter(github)
    hostile = [
        f"{EVIL}/acme/widgets/pull/7",
        "http://github.com/acme/widgets/pull/7",  # not https
        "https://github.com@evil.example/acme/widgets/pull/7",
        "https://github.com:8443/acme/widgets/pull/7",
        "javascript:alert(1)//github.com/",
        "https://github.com.evil.example/x",
    ]
    for n, where in enumerate(("pr", "issue", "commented", "reviewed")):
        _damage(github, where, "html_url", hostile[n % len(hostile)])
    _damage(github, "timeline", "html_url", hostile[4])
    _damage(github, "line comment", "html_url", hostile[5])
    _damage(github, "issue comment", "html_url", hostile[1])
    _damage(github, "file", "blob_url", hostile[2])
    _damage(github, "release", "html_url", hostile[3])
    doc = run_report(miner, tmp_path)
    items = by_id(doc)
    for key in (
        "gh:pr:acme/widgets#7", "gh:issue:acme/widgets#3", "gh:review:501",
        "gh:review-comment:7001", "gh:comment:9002", "gh:release:acme/widgets:v2.1.0",
        "doc:acme/widgets:docs/design/batching.md",
    ):  # fmt: skip
        assert items[key]["url"] is None, key
    md = miner(
        "report", "--repo", "acme/widgets", "--author", LOGIN, "--period", "2024Q2",
        "--store", str(tmp_path / "store.sqlite3"), cwd=tmp_path / "not-a-clone",
    )  # fmt: skip
    assert md.code == 0
    assert "evil.example" not in md.out and "http://github.com" not in md.out
    assert "acme/widgets#7" in md.out  # an item without a link is named by its number


def test_item_links_on_an_enterprise_server_point_at_that_server(
    no_network: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    fake = FakeGitHub(no_network, base="https://ghe.example.com/api/v3")
    items = [
        gh.search_issue_item(
            "acme", "widgets", n, f"Issue {n}", LOGIN, at("2024-05-01"), is_pr=False
        )
        for n in (1, 2)
    ]
    items[0]["html_url"] = "https://ghe.example.com/acme/widgets/issues/1"  # the server's own
    fake.search(f"type:issue author:{LOGIN}", items)  # 2 keeps its github.com address
    doc = by_id(run_report(miner, tmp_path, "--github-api-url", "https://ghe.example.com/api/v3"))
    assert doc["gh:issue:acme/widgets#1"]["url"] == "https://ghe.example.com/acme/widgets/issues/1"
    assert doc["gh:issue:acme/widgets#2"]["url"] is None


def test_a_home_repository_that_is_no_owner_name_is_skipped_with_a_line(
    github: FakeGitHub, repo: Repo, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The home repositories default to the clones' remotes, which anyone writes: one
    that is no plain owner/name goes into no request path."""
    quarter(github)
    repo.commit("x", {"a.py": "1\n"})
    repo.git("remote", "add", "origin", "https://github.com/acme/../../user")
    result = miner(
        "report", str(repo.path), "--author", LOGIN, "--period", "2024Q2", "--format", "json",
        "--store", str(tmp_path / "store.sqlite3"),
    )  # fmt: skip
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert "gh:review:501" in by_id(doc)
    assert not any(".." in path for path, _ in github.log)
    assert [w for w in doc["warnings"] if "skipped on GitHub: releases of 'acme/../../user'" in w]


@pytest.mark.parametrize(
    ("api_url", "page", "kept"),
    [
        (API, "https://github.com/acme/widgets/pull/7", True),
        (API, "https://api.github.com/repos/acme/widgets/pulls/7", False),
        ("https://api.acme.ghe.com", "https://acme.ghe.com/acme/widgets/pull/7", True),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com/acme/w/pull/7", True),
        ("https://api.corp.example.com/api/v3", "https://api.corp.example.com/a/w/pull/7", True),
        ("https://api.corp.example.com/api/v3", "https://corp.example.com/a/w/pull/7", False),
        ("http://ghe.local/api/v3", "http://ghe.local/acme/w/issues/1", True),
        ("http://ghe.local/api/v3", "https://ghe.local/acme/w/issues/1", True),
        (API, "https://github.com/acme/widgets/pull/7 onclick=x", False),
        (API, "https://github.com/acme/widgets/pull/7\u202e", False),
        (API, "https://github.com/acme/widgets/pull/7\x00", False),
    ],
)
def test_the_forges_web_host_follows_from_its_api_address(
    api_url: str, page: str, kept: bool
) -> None:
    from miner.collectors.github import WebHost

    assert WebHost.of(api_url).url(page) == (page if kept else None)
