"""The GitHub fixtures hold together: ids, node ids and URLs agree, headers and
``Link`` parse as a client sees them, and the bodies survive a trip through
``responses`` and ``requests``."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlparse

import pytest
import requests
import responses
from requests.utils import parse_header_links

from tests import github_fixtures as gh

AT = "2024-04-03T10:00:00Z"


def rels(header: str) -> dict[str, str]:
    return {link["rel"]: link["url"] for link in parse_header_links(header)}


def test_link_header_parses_in_githubs_order() -> None:
    base = f"{gh.API}/search/issues"
    params = {"q": "author:ada type:pr", "per_page": 100}
    middle = gh.link_header(base, params, 2, 4)
    assert [link["rel"] for link in parse_header_links(middle)] == [
        "prev",
        "next",
        "last",
        "first",
    ]
    nxt = urlparse(rels(middle)["next"])
    assert f"{nxt.scheme}://{nxt.netloc}{nxt.path}" == base
    assert parse_qsl(nxt.query) == [("q", "author:ada type:pr"), ("per_page", "100"), ("page", "3")]
    assert "q=author%3Aada+type%3Apr" in rels(middle)["next"]
    assert set(rels(gh.link_header(base, params, 1, 4))) == {"next", "last"}
    assert set(rels(gh.link_header(base, params, 4, 4))) == {"prev", "first"}
    assert gh.link_header(base, params, 1, 1) == ""


def test_link_header_keeps_page_where_the_request_had_it() -> None:
    link = gh.link_header(
        gh.repositories_url("acme", "widgets") + "/pulls/7/files", {"page": 1, "per_page": 2}, 1, 3
    )
    assert "/repositories/" in rels(link)["next"]
    assert urlparse(rels(link)["next"]).query == "page=2&per_page=2"


def test_a_deprecation_link_sits_beside_pagination() -> None:
    link = ", ".join(
        [gh.link_header(f"{gh.API}/search/issues", {"q": "x"}, 1, 2), gh.SEARCH_DEPRECATION_LINK]
    )
    parsed = rels(link)
    assert set(parsed) == {"next", "last", "deprecation"}
    assert parsed["deprecation"].startswith("https://github.blog/changelog/")


@pytest.mark.parametrize(
    ("made", "real"),
    [
        # ids and node ids as they appear side by side in real answers
        (lambda: gh.node_id("I", 3544490, 3425963739), "I_kwDOADYVqs7MNA7b"),
        (lambda: gh.node_id("U", 232807103), "U_kgDODeBavw"),
        (lambda: gh.node_id("R", 515436341), "R_kgDOHrjvNQ"),
        (lambda: gh.node_id("LA", 205255683, 4559885395), "LA_kwDODDv0A88AAAABD8pUUw"),
        (lambda: gh.legacy_node_id("User", 636602), "MDQ6VXNlcjYzNjYwMg=="),
        (lambda: gh.legacy_node_id("Bot", 49699333), "MDM6Qm90NDk2OTkzMzM="),
        (lambda: gh.legacy_node_id("Organization", 31898100), "MDEyOk9yZ2FuaXphdGlvbjMxODk4MTAw"),
    ],
)
def test_node_ids_are_encoded_as_github_encodes_them(made, real) -> None:  # type: ignore[no-untyped-def]
    assert made() == real


def test_a_pull_request_in_search_carries_its_merge_and_the_pulls_node_id() -> None:
    item = gh.search_issue_item(
        "acme",
        "widgets",
        7,
        "Batch writes",
        "ada",
        AT,
        merged_at="2024-04-05T09:00:00Z",
        labels=("performance",),
    )
    pr = gh.pull_request(
        "acme", "widgets", 7, "Batch writes", "ada", AT, "2024-04-05T09:00:00Z", 120, 30, 3
    )
    assert item["pull_request"]["merged_at"] == "2024-04-05T09:00:00Z"
    assert item["pull_request"]["url"] == pr["url"]
    assert item["state"] == "closed" and item["closed_at"] == pr["closed_at"] == pr["merged_at"]
    assert item["html_url"] == pr["html_url"] == "https://github.com/acme/widgets/pull/7"
    assert item["url"] == pr["issue_url"] and item["comments_url"] == pr["comments_url"]
    assert item["node_id"] == pr["node_id"] and item["node_id"].startswith("PR_kwDO")
    assert item["id"] != pr["id"]  # the issue record and the pull record differ
    assert item["repository_url"] == pr["base"]["repo"]["url"]
    assert (
        item["labels"][0]["url"] == "https://api.github.com/repos/acme/widgets/labels/performance"
    )
    assert item["state_reason"] is None and item["draft"] is False
    assert item["score"] == 1.0
    # what only GET pulls/N has
    for field in ("additions", "deletions", "changed_files", "commits", "merged", "head", "base"):
        assert field in pr and field not in item


def test_an_issue_in_search_has_no_pull_request_part() -> None:
    closed = gh.search_issue_item(
        "acme", "widgets", 3, "Crash", "ada", AT, closed_at="2024-04-04T10:00:00Z", is_pr=False
    )
    assert "pull_request" not in closed and "draft" not in closed
    assert closed["html_url"] == "https://github.com/acme/widgets/issues/3"
    assert closed["node_id"] == gh.node_id("I", gh.repo_id("acme", "widgets"), closed["id"])
    assert closed["state_reason"] == "completed"
    opened = gh.search_issue_item("acme", "widgets", 4, "Idea", "ada", AT, is_pr=False)
    assert (
        opened["state"] == "open" and opened["closed_at"] is None and opened["state_reason"] is None
    )


def test_a_pull_requests_urls_and_repositories_agree() -> None:
    pr = gh.pull_request("acme", "widgets", 9, "Fix", "bob", AT, None, 1, 1, 1, from_fork=True)
    assert pr["state"] == "open" and pr["merged"] is False and pr["merged_by"] is None
    assert pr["_links"]["statuses"]["href"] == pr["statuses_url"]
    assert pr["statuses_url"].endswith(pr["head"]["sha"])
    assert pr["base"]["repo"]["id"] == gh.repo_id("acme", "widgets")
    assert pr["head"]["repo"]["full_name"] == "bob/widgets" and pr["head"]["repo"]["fork"]
    assert pr["head"]["label"] == f"bob:{pr['head']['ref']}"
    closed = gh.pull_request("acme", "widgets", 10, "No", "bob", AT, None, 1, 1, 1, closed_at=AT)
    assert closed["state"] == "closed" and closed["merged"] is False


def test_user_objects_have_every_field() -> None:
    ada = gh.user("ada")
    assert ada["type"] == "User" and ada["site_admin"] is False
    assert ada["user_view_type"] == "public" and ada["node_id"] == gh.legacy_node_id(
        "User", ada["id"]
    )
    bot = gh.user("dependabot[bot]", type="Bot")
    assert bot["url"].endswith("/users/dependabot%5Bbot%5D")
    assert bot["html_url"] == "https://github.com/apps/dependabot"
    me = gh.authenticated_user("ada")
    assert set(ada) < set(me) and "plan" not in me
    assert gh.authenticated_user("ada", private=True)["user_view_type"] == "private"


def test_reviews_comments_and_files_point_where_github_points() -> None:
    pr_url = f"{gh.API}/repos/acme/widgets/pulls/8"
    approved = gh.review(501, "ada", "APPROVED", AT, pr_url=pr_url)
    assert approved["html_url"] == "https://github.com/acme/widgets/pull/8#pullrequestreview-501"
    assert approved["_links"]["pull_request"]["href"] == approved["pull_request_url"] == pr_url
    assert approved["commit_id"] == gh.head_sha("acme", "widgets", 8)
    assert "submitted_at" not in gh.review(502, "ada", "PENDING", AT, pr_url=pr_url)
    comment = gh.issue_comment(9001, "acme", "widgets", 11, "ada", AT, "+1")
    assert comment["html_url"] == "https://github.com/acme/widgets/issues/11#issuecomment-9001"
    assert (
        comment["issue_url"]
        == gh.search_issue_item("acme", "widgets", 11, "t", "x", AT, is_pr=False)["url"]
    )
    doc = gh.pr_file("docs/design/a b.md", 40, 2, status="added", number=8)
    assert doc["changes"] == 42
    assert doc["blob_url"].endswith(
        f"/blob/{gh.head_sha('acme', 'widgets', 8)}/docs%2Fdesign%2Fa%20b.md"
    )
    assert doc["patch"].count("\n+") == 40 and doc["patch"].count("\n-") == 2


def test_headers_read_as_a_client_reads_them() -> None:
    core = requests.structures.CaseInsensitiveDict(gh.headers(remaining=4000, etag='W/"abc"'))
    assert core["x-ratelimit-used"] == "1000" and core["x-ratelimit-resource"] == "core"
    assert core["etag"] == 'W/"abc"' and core["x-oauth-scopes"] == "repo, read:org"
    assert "content-encoding" not in core
    search = gh.headers(remaining=29, resource="search")
    assert search["X-RateLimit-Limit"] == "30" and search["Cache-Control"] == "no-cache"
    assert all(name == name.lower() for name in gh.headers(http2=True))
    fine = gh.headers(scopes=None)
    assert "X-OAuth-Scopes" not in fine and "x-accepted-github-permissions" in fine


def test_a_304_a_secondary_limit_and_errors_look_as_recorded() -> None:
    nm = gh.not_modified_headers('W/"abc"', remaining=4990)
    assert nm["ETag"] == '"abc"' and "Content-Type" not in nm and "X-OAuth-Scopes" not in nm
    assert nm["X-RateLimit-Remaining"] == "4990"
    sec = gh.secondary_limit_headers(7)
    assert sec["Retry-After"] == "7" and not any(k.startswith("X-RateLimit") for k in sec)
    body = gh.secondary_limit_error()
    assert "secondary rate limit" in body["message"] and "status" not in body
    assert gh.error(401, "Bad credentials") == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    assert gh.error_headers(401)["X-RateLimit-Limit"] == "60"
    assert gh.primary_limit_error(1)["message"].startswith("API rate limit exceeded for user ID 1.")
    assert gh.search_validation_error()["errors"][0]["field"] == "q"


def test_rate_limit_body_adds_up() -> None:
    body = gh.rate_limit(4000, 1712142000, 12, 1712138460)
    assert body["rate"] == body["resources"]["core"]
    assert body["resources"]["core"]["used"] == 1000
    assert body["resources"]["search"] == {
        "limit": 30,
        "used": 18,
        "remaining": 12,
        "reset": 1712138460,
    }


def test_a_page_served_by_responses_reaches_requests_intact(
    no_network: responses.RequestsMock,
) -> None:
    url = f"{gh.API}/search/issues"
    items = [gh.search_issue_item("acme", "widgets", n, f"PR {n}", "ada", AT) for n in (1, 2)]
    link = gh.link_header(url, {"q": "author:ada"}, 1, 3)
    no_network.add(
        responses.GET,
        url,
        json=gh.search_page(items, 250),
        headers=gh.headers(29, resource="search", link=link),
    )
    reply = requests.get(url, params={"q": "author:ada"}, timeout=5)
    assert reply.headers["x-ratelimit-remaining"] == "29"
    assert reply.links["next"]["url"].endswith("page=2")
    assert reply.json()["items"][0]["pull_request"]["merged_at"] is None
    assert json.loads(json.dumps(items)) == items


# The keys of real timeline events, as recorded from api.github.com (PyGithub's
# ReplayData for GET /repos/PyGithub/PyGithub/issues/31/timeline, March 2025).
REVIEWED_KEYS = {
    "id", "node_id", "user", "body", "commit_id", "submitted_at", "state", "html_url",
    "pull_request_url", "author_association", "_links", "event",
}  # fmt: skip
REVIEW_COMMENT_KEYS = {
    "url", "pull_request_review_id", "id", "node_id", "diff_hunk", "path", "commit_id",
    "original_commit_id", "user", "body", "created_at", "updated_at", "html_url",
    "pull_request_url", "author_association", "_links", "reactions", "start_line",
    "original_start_line", "start_side", "line", "original_line", "side",
    "original_position", "position", "subject_type",
}  # fmt: skip
COMMITTED_KEYS = {
    "sha", "node_id", "url", "html_url", "author", "committer", "tree", "message",
    "parents", "verification", "event",
}  # fmt: skip


def test_timeline_events_have_the_recorded_shapes() -> None:
    pr_url = f"{gh.API}/repos/acme/widgets/pulls/8"
    reviewed = gh.timeline_review(501, "ada", "CHANGES_REQUESTED", AT, pr_url=pr_url)
    assert set(reviewed) == REVIEWED_KEYS
    assert reviewed["state"] == "changes_requested"  # lower case in a timeline
    line = gh.review_comment(7001, "ada", "src/a.py", AT, "Why?", review_id=501)
    assert set(line) == REVIEW_COMMENT_KEYS
    assert line["html_url"] == "https://github.com/acme/widgets/pull/8#discussion_r7001"
    assert line["_links"]["pull_request"]["href"] == line["pull_request_url"] == pr_url
    reply = gh.review_comment(
        7002, "bob", "src/a.py", AT, "Because", review_id=502, in_reply_to=7001
    )
    assert reply["in_reply_to_id"] == 7001
    thread = gh.timeline_line_commented([line, reply])
    assert set(thread) == {"node_id", "comments", "event"}  # no id, actor or date of its own
    committed = gh.timeline_committed("x", "Fix", "Ada", "ada@example.com", AT)
    assert set(committed) == COMMITTED_KEYS
    assert committed["html_url"].endswith(f"/commit/{committed['sha']}")
    said = gh.timeline_commented(gh.issue_comment(9, "acme", "widgets", 8, "bob", AT, "Hi"))
    assert said["event"] == "commented" and said["actor"] == said["user"]
