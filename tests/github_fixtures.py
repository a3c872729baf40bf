"""Bodies and headers in the shapes the GitHub REST API (version 2022-11-28) sends.

Written by hand, field by field, after real recorded responses; nothing here is
copied from them. The recordings read were:

- PyGithub/PyGithub, ``tests/ReplayData/`` (2023-2026 recordings made with
  ``requests``): ``CompletableGithubObjectWithPaginatedProperty.testPullCommitsFiles``
  (GET pulls/N, 2026), ``PaginatedList.testCustomPerPageReversedIterationSinglePage``
  (issue comments, 2025), ``Repository.testGetIssuesWithTypeArgument`` (issues with
  ``type``, sub-issue and dependency summaries, 2025), ``IssueEvent.setUp`` (a pull
  request seen as an issue, 2025), ``Branch.setUp`` (GET /user, 2025),
  ``RateLimiting.testGetRateLimit`` (GET /rate_limit), ``PaginatedList.testSearchWith*``
  (search pagination and headers, 2026), ``PaginatedList.testCustomPerPageIteration``
  and the ``Link`` headers of the 2024-2026 recordings, ``Environment.testEnvironmentSecrets``
  (a 304, 2023), ``PullRequestReview1856.testDelete`` and ``PullRequest1169`` (reviews),
  ``CheckRun.setUp`` (file entries), ``GitRelease.testGetLazyLatestRelease`` (releases,
  2026), ``SpecificExceptions.testAuthenticatedRateLimitExceeded`` (secondary limit),
  ``Artifact.testGetNonexistentArtifact``, ``Repository.testTransferOwnershipInvalidOwner``
  and ``SpecificExceptions.test2FARequired`` (error responses);
- octokit/fixtures, ``scenarios/api.github.com/{search-issues,paginate-issues,errors}/
  raw-fixture.json``.

Only what a test cares about is a parameter; every other field is filled in
plausibly and consistently: ids are stable hashes, node ids are encoded the way
GitHub encodes them (the msgpack form ``PR_kwDO…`` for objects inside a repository,
the base64 form ``MDQ6VXNlcj…`` for accounts), and every URL is derived from
owner, repository and number.

Header names are spelled as GitHub sends them over HTTP/1.1, which is what
``requests`` speaks (``X-RateLimit-Remaining``, ``ETag``, ``Link``, but
``x-github-api-version-selected`` in lower case); over HTTP/2 (curl) every name
arrives in lower case, so ``http2=True`` lower-cases them. Lookups must be
case-insensitive either way. ``Content-Encoding: gzip`` and ``Transfer-Encoding``
are left out on purpose: ``responses`` serves the body as given.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from email.utils import formatdate
from typing import Any
from urllib.parse import quote, urlencode

API = "https://api.github.com"
WEB = "https://github.com"
API_VERSION = "2022-11-28"

#: The ``Link`` entry GitHub added to ``/search/issues`` answers in 2025 when the
#: old search syntax was scheduled to give way to advanced search; it may sit in
#: ``Link`` next to (or instead of) the pagination entries.
SEARCH_DEPRECATION_LINK = (
    "<https://github.blog/changelog/2025-03-06-github-issues-projects-api-support-for-issues-"
    'advanced-search-and-more/>; rel="deprecation"; type="text/html"'
)

_EXPOSE = (
    "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
    "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, "
    "X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, "
    "X-GitHub-Request-Id, Deprecation, Sunset"
)
_VARY = "Accept, Authorization, Cookie, X-GitHub-OTP,Accept-Encoding, Accept, X-Requested-With"
_VARY_ERROR = "Accept-Encoding, Accept, X-Requested-With"
_SECURITY = {
    "Access-Control-Expose-Headers": _EXPOSE,
    "Access-Control-Allow-Origin": "*",
    "Strict-Transport-Security": "max-age=31536000; includeSubdomains; preload",
    "X-Frame-Options": "deny",
    "X-Content-Type-Options": "nosniff",
    "X-XSS-Protection": "0",
    "Referrer-Policy": "origin-when-cross-origin, strict-origin-when-cross-origin",
    "Content-Security-Policy": "default-src 'none'",
}
_RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
_SECONDARY_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/"
    "rate-limits-for-the-rest-api#about-secondary-rate-limits"
)


# -- ids, node ids, hashes ---------------------------------------------------------------


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:15], 16)


def _id(text: str, low: int, high: int) -> int:
    """A stable id in GitHub's range for that kind of object."""
    return low + _hash(text) % (high - low)


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _packed(n: int) -> bytes:
    """``n`` as msgpack writes an unsigned integer, in its shortest form."""
    if n < 0x80:
        return bytes([n])
    if n <= 0xFF:
        return b"\xcc" + n.to_bytes(1, "big")
    if n <= 0xFFFF:
        return b"\xcd" + n.to_bytes(2, "big")
    if n <= 0xFFFF_FFFF:
        return b"\xce" + n.to_bytes(4, "big")
    return b"\xcf" + n.to_bytes(8, "big")


def node_id(prefix: str, *ids: int) -> str:
    """A new-style global node id: ``prefix_`` and the base64url msgpack array
    ``[0, *ids]``, e.g. ``I_kwDO…`` for ``[0, repository id, issue id]`` and
    ``U_kgDO…`` for ``[0, user id]``."""
    packed = bytes([0x90 + len(ids) + 1, 0]) + b"".join(_packed(n) for n in ids)
    return f"{prefix}_{base64.urlsafe_b64encode(packed).decode().rstrip('=')}"


def legacy_node_id(kind: str, number: int) -> str:
    """An old-style node id, base64 of ``0<len(kind)>:<kind><id>`` (``MDQ6VXNlcjE=``)."""
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def user_id(login: str) -> int:
    return _id(f"user:{login.lower()}", 1_000, 190_000_000)


def repo_id(owner: str, repo: str) -> int:
    return _id(f"repo:{owner.lower()}/{repo.lower()}", 150_000_000, 1_000_000_000)


def issue_id(owner: str, repo: str, number: int) -> int:
    """The id of the issue record (a pull request has one too; it is what search shows)."""
    return _id(f"issue:{owner}/{repo}#{number}", 2_000_000_000, 3_400_000_000)


def pull_id(owner: str, repo: str, number: int) -> int:
    """The id of the pull-request record, which differs from its issue id."""
    return _id(f"pull:{owner}/{repo}#{number}", 1_800_000_000, 2_900_000_000)


def head_sha(owner: str, repo: str, number: int) -> str:
    return _sha(f"head:{owner}/{repo}#{number}")


def repositories_url(owner: str, repo: str) -> str:
    """``https://api.github.com/repositories/{id}``: GitHub writes the ``Link`` URLs of
    every list under ``/repos/{owner}/{repo}/…`` in this form, from page 2 on."""
    return f"{API}/repositories/{repo_id(owner, repo)}"


def _timestamp(when: str) -> float:
    return datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp()


def _latest(*stamps: str | None) -> str:
    return max((s for s in stamps if s), key=_timestamp)


# -- accounts -----------------------------------------------------------------------------


def user(login: str, id: int | None = None, type: str = "User") -> dict[str, Any]:
    """The simple-user object embedded in every issue, pull, review and comment.
    ``type`` is ``User``, ``Organization`` or ``Bot`` (logins like ``dependabot[bot]``)."""
    uid = id if id is not None else user_id(login)
    path = quote(login, safe="")
    base = f"{API}/users/{path}"
    if type == "Bot":
        avatar = f"https://avatars.githubusercontent.com/in/{uid % 1_000_000}?v=4"
        html = f"{WEB}/apps/{login.removesuffix('[bot]')}"
    else:
        avatar = f"https://avatars.githubusercontent.com/u/{uid}?v=4"
        html = f"{WEB}/{login}"
    return {
        "login": login,
        "id": uid,
        "node_id": legacy_node_id(type, uid),
        "avatar_url": avatar,
        "gravatar_id": "",
        "url": base,
        "html_url": html,
        "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}",
        "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs",
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events",
        "type": type,
        "user_view_type": "public",
        "site_admin": False,
    }


def authenticated_user(
    login: str,
    *,
    id: int | None = None,
    name: str | None = None,
    private: bool = False,
    created_at: str = "2015-03-04T10:11:12Z",
    updated_at: str = "2024-06-01T09:00:00Z",
) -> dict[str, Any]:
    """``GET /user``. GitHub adds the private fields (and says ``user_view_type:
    private``) only when the token has the ``user`` scope; a ``repo``-only token
    gets the public shape, as recorded."""
    body: dict[str, Any] = {
        **user(login, id=id),
        "name": name if name is not None else login.title(),
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "notification_email": None,
        "public_repos": 12,
        "public_gists": 0,
        "followers": 3,
        "following": 1,
        "created_at": created_at,
        "updated_at": updated_at,
    }
    if private:
        body["user_view_type"] = "private"
        body |= {
            "private_gists": 0,
            "total_private_repos": 2,
            "owned_private_repos": 2,
            "disk_usage": 20480,
            "collaborators": 0,
            "two_factor_authentication": True,
            "plan": {
                "name": "free",
                "space": 976562499,
                "collaborators": 0,
                "private_repos": 10000,
            },
        }
    return body


# -- pieces shared by issues and pulls ---------------------------------------------------


def label(name: str, *, owner: str = "acme", repo: str = "widgets") -> dict[str, Any]:
    lid = _id(f"label:{owner}/{repo}:{name}", 1_000_000_000, 9_000_000_000)
    return {
        "id": lid,
        "node_id": node_id("LA", repo_id(owner, repo), lid),
        "url": f"{API}/repos/{owner}/{repo}/labels/{quote(name, safe='')}",
        "name": name,
        "color": f"{_hash(name) % 0xFFFFFF:06x}",
        "default": name in {"bug", "documentation", "enhancement", "good first issue"},
        "description": None,
    }


def _reactions(url: str) -> dict[str, Any]:
    return {
        "url": f"{url}/reactions",
        "total_count": 0,
        "+1": 0,
        "-1": 0,
        "laugh": 0,
        "hooray": 0,
        "confused": 0,
        "heart": 0,
        "rocket": 0,
        "eyes": 0,
    }


def search_issue_item(
    owner: str,
    repo: str,
    number: int,
    title: str,
    login: str,
    created_at: str,
    closed_at: str | None = None,
    is_pr: bool = True,
    merged_at: str | None = None,
    labels: tuple[str, ...] | list[str] = (),
    author_association: str = "MEMBER",
    state: str | None = None,
    comments: int = 0,
    body: str | None = None,
    *,
    updated_at: str | None = None,
    draft: bool = False,
    state_reason: str | None = None,
    user_type: str = "User",
    score: float = 1.0,
) -> dict[str, Any]:
    """One item of ``GET /search/issues``: an issue, or a pull request seen as an issue.

    ``state`` follows ``closed_at``/``merged_at`` unless given. A pull request has
    the issue's ``id`` but the pull request's ``node_id`` (``PR_kwDO…``), as GitHub
    answers."""
    repo_api = f"{API}/repos/{owner}/{repo}"
    url = f"{repo_api}/issues/{number}"
    closed = closed_at or merged_at
    item: dict[str, Any] = {
        "url": url,
        "repository_url": repo_api,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{WEB}/{owner}/{repo}/{'pull' if is_pr else 'issues'}/{number}",
        "id": issue_id(owner, repo, number),
        "node_id": (
            node_id("PR", repo_id(owner, repo), pull_id(owner, repo, number))
            if is_pr
            else node_id("I", repo_id(owner, repo), issue_id(owner, repo, number))
        ),
        "number": number,
        "title": title,
        "user": user(login, type=user_type),
        "labels": [label(name, owner=owner, repo=repo) for name in labels],
        "state": state or ("closed" if closed else "open"),
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": comments,
        "created_at": created_at,
        "updated_at": updated_at or _latest(created_at, closed),
        "closed_at": closed,
        "author_association": author_association,
        "type": None,
        "active_lock_reason": None,
        "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
    }
    if is_pr:
        item["draft"] = draft
        item["pull_request"] = {
            "url": f"{repo_api}/pulls/{number}",
            "html_url": f"{WEB}/{owner}/{repo}/pull/{number}",
            "diff_url": f"{WEB}/{owner}/{repo}/pull/{number}.diff",
            "patch_url": f"{WEB}/{owner}/{repo}/pull/{number}.patch",
            "merged_at": merged_at,
        }
    else:
        item["issue_dependencies_summary"] = {
            "blocked_by": 0,
            "total_blocked_by": 0,
            "blocking": 0,
            "total_blocking": 0,
        }
    if state_reason is None and not is_pr and item["state"] == "closed":
        state_reason = "completed"
    item |= {
        "body": body,
        "reactions": _reactions(url),
        "timeline_url": f"{url}/timeline",
        "performed_via_github_app": None,
        "state_reason": state_reason,
        "score": score,
    }
    return item


def search_page(
    items: list[dict[str, Any]], total_count: int, incomplete_results: bool = False
) -> dict[str, Any]:
    """``GET /search/issues``. ``total_count`` is the whole match count, though only
    the first 1,000 can be paged through. No ``search_type``: see ``OPENAPI_DEVIATIONS``."""
    return {"total_count": total_count, "incomplete_results": incomplete_results, "items": items}


#: Where these bodies knowingly differ from GitHub's OpenAPI description
#: (``tests/test_github_openapi.py`` checks both the bodies and this list):
#: (schema or operation, field, what the fixtures allow, why).
OPENAPI_DEVIATIONS = (
    (
        "GET /search/issues",
        "search_type",
        "optional",
        "The description (@octokit/openapi 23, api.github.com and GHES 3.17) requires it, "
        "for the advanced issue search; no recorded answer has it: octokit/fixtures "
        "search-issues (2022) and PyGithub's search recordings up to 2026-04 "
        "(PaginatedList.testSearchWith*Results) give total_count, incomplete_results "
        "and items only, and GHES releases without advanced search cannot send it. "
        "The collector never reads it, so the fixtures leave it out as the recordings do.",
    ),
    (
        "issue-search-result-item",
        "body",
        "nullable",
        "The description declares a plain string, but an issue or pull request opened "
        "without a description has body null wherever GitHub shows it: the same "
        "description's own issue schema says string or null, and PyGithub's 2025 "
        "recording Repository.testGetIssuesWithTypeArgument carries body null. The "
        "collector reads it as `item.get('body') or ''`.",
    ),
)


def created_issue(
    owner: str,
    repo: str,
    number: int,
    title: str,
    body: str,
    login: str,
    created_at: str = "2024-07-02T06:20:00Z",
    user_type: str = "User",
) -> dict[str, Any]:
    """The 201 answer to ``POST /repos/{owner}/{repo}/issues``: the new issue as
    ``GET /repos/{owner}/{repo}/issues/{number}`` shows it (a search item's fields
    without ``score``, with ``closed_by``). Opened with a job's GITHUB_TOKEN, its user
    is ``github-actions[bot]``, a ``Bot``."""
    association = "NONE" if user_type == "Bot" else "OWNER"
    item = search_issue_item(
        owner,
        repo,
        number,
        title,
        login,
        created_at,
        is_pr=False,
        body=body,
        author_association=association,
        user_type=user_type,
    )
    del item["score"]
    item["closed_by"] = None
    return item


# -- pull requests ---------------------------------------------------------------------


def repository(owner: str, repo: str, owner_type: str = "Organization") -> dict[str, Any]:
    """A full repository object, as under ``head.repo`` and ``base.repo`` of a pull."""
    rid = repo_id(owner, repo)
    api = f"{API}/repos/{owner}/{repo}"
    html = f"{WEB}/{owner}/{repo}"
    return {
        "id": rid,
        "node_id": node_id("R", rid),
        "name": repo,
        "full_name": f"{owner}/{repo}",
        "private": False,
        "owner": user(owner, type=owner_type),
        "html_url": html,
        "description": None,
        "fork": False,
        "url": api,
        "forks_url": f"{api}/forks",
        "keys_url": f"{api}/keys{{/key_id}}",
        "collaborators_url": f"{api}/collaborators{{/collaborator}}",
        "teams_url": f"{api}/teams",
        "hooks_url": f"{api}/hooks",
        "issue_events_url": f"{api}/issues/events{{/number}}",
        "events_url": f"{api}/events",
        "assignees_url": f"{api}/assignees{{/user}}",
        "branches_url": f"{api}/branches{{/branch}}",
        "tags_url": f"{api}/tags",
        "blobs_url": f"{api}/git/blobs{{/sha}}",
        "git_tags_url": f"{api}/git/tags{{/sha}}",
        "git_refs_url": f"{api}/git/refs{{/sha}}",
        "trees_url": f"{api}/git/trees{{/sha}}",
        "statuses_url": f"{api}/statuses/{{sha}}",
        "languages_url": f"{api}/languages",
        "stargazers_url": f"{api}/stargazers",
        "contributors_url": f"{api}/contributors",
        "subscribers_url": f"{api}/subscribers",
        "subscription_url": f"{api}/subscription",
        "commits_url": f"{api}/commits{{/sha}}",
        "git_commits_url": f"{api}/git/commits{{/sha}}",
        "comments_url": f"{api}/comments{{/number}}",
        "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "contents_url": f"{api}/contents/{{+path}}",
        "compare_url": f"{api}/compare/{{base}}...{{head}}",
        "merges_url": f"{api}/merges",
        "archive_url": f"{api}/{{archive_format}}{{/ref}}",
        "downloads_url": f"{api}/downloads",
        "issues_url": f"{api}/issues{{/number}}",
        "pulls_url": f"{api}/pulls{{/number}}",
        "milestones_url": f"{api}/milestones{{/number}}",
        "notifications_url": f"{api}/notifications{{?since,all,participating}}",
        "labels_url": f"{api}/labels{{/name}}",
        "releases_url": f"{api}/releases{{/id}}",
        "deployments_url": f"{api}/deployments",
        "created_at": "2019-01-01T00:00:00Z",
        "updated_at": "2024-06-30T00:00:00Z",
        "pushed_at": "2024-06-30T00:00:00Z",
        "git_url": f"git://github.com/{owner}/{repo}.git",
        "ssh_url": f"git@github.com:{owner}/{repo}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "homepage": None,
        "size": 1024,
        "stargazers_count": 10,
        "watchers_count": 10,
        "language": "Python",
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 2,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": 5,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "public",
        "forks": 2,
        "open_issues": 5,
        "watchers": 10,
        "default_branch": "main",
    }


def pull_request(
    owner: str,
    repo: str,
    number: int,
    title: str,
    login: str,
    created_at: str,
    merged_at: str | None,
    additions: int,
    deletions: int,
    changed_files: int,
    labels: tuple[str, ...] | list[str] = (),
    author_association: str = "MEMBER",
    commits: int = 1,
    comments: int = 0,
    review_comments: int = 0,
    body: str | None = None,
    base_ref: str = "main",
    *,
    closed_at: str | None = None,
    updated_at: str | None = None,
    draft: bool = False,
    merged_by: str | None = None,
    head_ref: str | None = None,
    from_fork: bool = False,
    user_type: str = "User",
) -> dict[str, Any]:
    """``GET /repos/{owner}/{repo}/pulls/{number}``. Merged when ``merged_at`` is set;
    closed unmerged when only ``closed_at`` is; open otherwise."""
    api = f"{API}/repos/{owner}/{repo}"
    url = f"{api}/pulls/{number}"
    html = f"{WEB}/{owner}/{repo}/pull/{number}"
    head = head_sha(owner, repo, number)
    closed = closed_at or merged_at
    branch = head_ref or f"topic-{number}"
    head_owner = login if from_fork else owner
    base_repo = repository(owner, repo)
    head_repo = repository(login, repo, owner_type="User") if from_fork else base_repo
    if from_fork:
        head_repo["fork"] = True
    return {
        "url": url,
        "id": pull_id(owner, repo, number),
        "node_id": node_id("PR", repo_id(owner, repo), pull_id(owner, repo, number)),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{api}/issues/{number}",
        "number": number,
        "state": "closed" if closed else "open",
        "locked": False,
        "title": title,
        "user": user(login, type=user_type),
        "body": body,
        "created_at": created_at,
        "updated_at": updated_at or _latest(created_at, closed),
        "closed_at": closed,
        "merged_at": merged_at,
        "merge_commit_sha": _sha(f"merge:{owner}/{repo}#{number}"),
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [label(name, owner=owner, repo=repo) for name in labels],
        "milestone": None,
        "draft": draft,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{api}/issues/{number}/comments",
        "statuses_url": f"{api}/statuses/{head}",
        "head": {
            "label": f"{head_owner}:{branch}",
            "ref": branch,
            "sha": head,
            "user": head_repo["owner"],
            "repo": head_repo,
        },
        "base": {
            "label": f"{owner}:{base_ref}",
            "ref": base_ref,
            "sha": _sha(f"base:{owner}/{repo}#{number}"),
            "user": base_repo["owner"],
            "repo": base_repo,
        },
        "_links": {
            "self": {"href": url},
            "html": {"href": html},
            "issue": {"href": f"{api}/issues/{number}"},
            "comments": {"href": f"{api}/issues/{number}/comments"},
            "review_comments": {"href": f"{url}/comments"},
            "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
            "commits": {"href": f"{url}/commits"},
            "statuses": {"href": f"{api}/statuses/{head}"},
        },
        "author_association": author_association,
        "auto_merge": None,
        "active_lock_reason": None,
        "merged": merged_at is not None,
        "mergeable": None if closed else True,
        "rebaseable": None if closed else True,
        "mergeable_state": "unknown" if closed else "clean",
        "merged_by": user(merged_by or owner) if merged_at else None,
        "comments": comments,
        "review_comments": review_comments,
        "maintainer_can_modify": from_fork and not closed,
        "commits": commits,
        "additions": additions,
        "deletions": deletions,
        "changed_files": changed_files,
    }


def pr_file(
    filename: str,
    additions: int,
    deletions: int,
    status: str = "modified",
    *,
    owner: str = "acme",
    repo: str = "widgets",
    number: int | None = None,
    ref: str | None = None,
    previous_filename: str | None = None,
    patch: bool = True,
) -> dict[str, Any]:
    """One item of ``GET /repos/{owner}/{repo}/pulls/{number}/files``. The URLs point
    at the head commit (``ref``, else the head of pull ``number``) with the path
    percent-encoded whole (``docs%2Fa.md``), as GitHub writes them; ``patch`` is
    absent for binary or oversized diffs."""
    commit = ref or head_sha(owner, repo, number if number is not None else 0)
    path = quote(filename, safe="")
    entry: dict[str, Any] = {
        "sha": _sha(f"blob:{filename}:{additions}:{deletions}"),
        "filename": filename,
        "status": status,
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "blob_url": f"{WEB}/{owner}/{repo}/blob/{commit}/{path}",
        "raw_url": f"{WEB}/{owner}/{repo}/raw/{commit}/{path}",
        "contents_url": f"{API}/repos/{owner}/{repo}/contents/{path}?ref={commit}",
    }
    if patch and additions + deletions:
        lines = [f"@@ -1,{deletions} +1,{additions} @@"]
        lines += [f"-old line {n}" for n in range(1, deletions + 1)]
        lines += [f"+new line {n}" for n in range(1, additions + 1)]
        entry["patch"] = "\n".join(lines)
    if previous_filename is not None:
        entry["previous_filename"] = previous_filename
    return entry


def review(
    id: int,
    login: str,
    state: str,
    submitted_at: str,
    body: str = "",
    pr_url: str = f"{API}/repos/acme/widgets/pulls/8",
    commit_id: str | None = None,
    *,
    author_association: str = "MEMBER",
) -> dict[str, Any]:
    """One item of ``GET /repos/{owner}/{repo}/pulls/{number}/reviews``. ``state`` is
    ``APPROVED``, ``CHANGES_REQUESTED``, ``COMMENTED``, ``DISMISSED`` or ``PENDING``;
    a pending review (only its author sees it) has no ``submitted_at``."""
    html = pr_url.replace(f"{API}/repos", WEB).replace("/pulls/", "/pull/")
    owner, repo = pr_url.removeprefix(f"{API}/repos/").split("/")[:2]
    number = int(pr_url.rstrip("/").rsplit("/", 1)[1])
    item: dict[str, Any] = {
        "id": id,
        "node_id": node_id("PRR", repo_id(owner, repo), id),
        "user": user(login),
        "body": body,
        "state": state,
        "html_url": f"{html}#pullrequestreview-{id}",
        "pull_request_url": pr_url,
        "author_association": author_association,
        "_links": {
            "html": {"href": f"{html}#pullrequestreview-{id}"},
            "pull_request": {"href": pr_url},
        },
    }
    if state != "PENDING":
        item["submitted_at"] = submitted_at
    item["commit_id"] = commit_id or head_sha(owner, repo, number)
    return item


def timeline_review(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """A ``reviewed`` event of ``GET /repos/{owner}/{repo}/issues/{number}/timeline``:
    the review as the reviews endpoint gives it, but with its ``state`` in lower case
    (``approved``, ``changes_requested``, ``commented``, ``dismissed``) and an
    ``event``. Takes ``review``'s arguments."""
    event = review(*args, **kwargs)
    event["state"] = event["state"].lower()
    event["event"] = "reviewed"
    return event


def review_comment(
    id: int,
    login: str,
    path: str,
    created_at: str,
    body: str,
    *,
    review_id: int | None,
    owner: str = "acme",
    repo: str = "widgets",
    number: int = 8,
    line: int = 12,
    commit_id: str | None = None,
    in_reply_to: int | None = None,
    author_association: str = "MEMBER",
) -> dict[str, Any]:
    """One line comment of a review (``GET /repos/{owner}/{repo}/pulls/{number}/comments``,
    and inside a timeline's ``line-commented`` event). ``pull_request_review_id`` is
    null on comments older than reviews themselves."""
    api = f"{API}/repos/{owner}/{repo}"
    html = f"{WEB}/{owner}/{repo}/pull/{number}#discussion_r{id}"
    commit = commit_id or head_sha(owner, repo, number)
    item: dict[str, Any] = {
        "url": f"{api}/pulls/comments/{id}",
        "pull_request_review_id": review_id,
        "id": id,
        "node_id": node_id("PRRC", repo_id(owner, repo), id),
        "diff_hunk": f"@@ -{line},3 +{line},3 @@\n context\n-old\n+new",
        "path": path,
        "commit_id": commit,
        "original_commit_id": commit,
        "user": user(login),
        "body": body,
        "created_at": created_at,
        "updated_at": created_at,
        "html_url": html,
        "pull_request_url": f"{api}/pulls/{number}",
        "author_association": author_association,
        "_links": {
            "self": {"href": f"{api}/pulls/comments/{id}"},
            "html": {"href": html},
            "pull_request": {"href": f"{api}/pulls/{number}"},
        },
        "reactions": _reactions(f"{api}/pulls/comments/{id}"),
        "start_line": None,
        "original_start_line": None,
        "start_side": None,
        "line": line,
        "original_line": line,
        "side": "RIGHT",
        "original_position": 4,
        "position": 4,
        "subject_type": "line",
    }
    if in_reply_to is not None:
        item["in_reply_to_id"] = in_reply_to
    return item


def timeline_line_commented(comments: list[dict[str, Any]]) -> dict[str, Any]:
    """A ``line-commented`` timeline event: one review thread, its comments in order;
    it has no ``id``, ``actor`` or date of its own."""
    first = comments[0]
    owner, repo = first["pull_request_url"].removeprefix(f"{API}/repos/").split("/")[:2]
    return {
        "node_id": node_id("PRRT", repo_id(owner, repo), first["id"]),
        "comments": comments,
        "event": "line-commented",
    }


def timeline_committed(
    sha_seed: str,
    message: str,
    name: str,
    email: str,
    date: str,
    owner: str = "acme",
    repo: str = "widgets",
) -> dict[str, Any]:
    """A ``committed`` timeline event: a git commit pushed to the pull request."""
    sha = _sha(f"commit:{sha_seed}")
    parent = _sha(f"parent:{sha_seed}")
    tree = _sha(f"tree:{sha_seed}")
    api = f"{API}/repos/{owner}/{repo}"
    person = {"name": name, "email": email, "date": date}
    return {
        "sha": sha,
        "node_id": base64.b64encode(f"06:Commit{repo_id(owner, repo)}:{sha}".encode()).decode(),
        "url": f"{api}/git/commits/{sha}",
        "html_url": f"{WEB}/{owner}/{repo}/commit/{sha}",
        "author": person,
        "committer": person,
        "tree": {"sha": tree, "url": f"{api}/git/trees/{tree}"},
        "message": message,
        "parents": [
            {
                "sha": parent,
                "url": f"{api}/git/commits/{parent}",
                "html_url": f"{WEB}/{owner}/{repo}/commit/{parent}",
            }
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
        "event": "committed",
    }


def timeline_commented(comment: dict[str, Any]) -> dict[str, Any]:
    """A ``commented`` timeline event: a conversation comment with ``event`` and ``actor``."""
    return {**comment, "event": "commented", "actor": comment["user"]}


def issue_comment(
    id: int,
    owner: str,
    repo: str,
    issue_number: int,
    login: str,
    created_at: str,
    body: str,
    *,
    author_association: str = "CONTRIBUTOR",
    updated_at: str | None = None,
    on_pull: bool = False,
) -> dict[str, Any]:
    """One item of ``GET /repos/{owner}/{repo}/issues/{number}/comments`` (also the
    conversation comments of a pull request, whose ``html_url`` says ``/pull/``)."""
    api = f"{API}/repos/{owner}/{repo}"
    page = "pull" if on_pull else "issues"
    return {
        "url": f"{api}/issues/comments/{id}",
        "html_url": f"{WEB}/{owner}/{repo}/{page}/{issue_number}#issuecomment-{id}",
        "issue_url": f"{api}/issues/{issue_number}",
        "id": id,
        "node_id": node_id("IC", repo_id(owner, repo), id),
        "user": user(login),
        "created_at": created_at,
        "updated_at": updated_at or created_at,
        "body": body,
        "author_association": author_association,
        "reactions": _reactions(f"{api}/issues/comments/{id}"),
        "performed_via_github_app": None,
    }


def release(
    owner: str,
    repo: str,
    tag: str,
    login: str,
    published_at: str,
    name: str | None = None,
    draft: bool = False,
    body: str = "",
) -> dict[str, Any]:
    """One item of ``GET /repos/{owner}/{repo}/releases`` (a draft has no
    ``published_at`` and is listed only to those who can push)."""
    rid = _id(f"release:{owner}/{repo}:{tag}", 100_000_000, 260_000_000)
    api = f"{API}/repos/{owner}/{repo}"
    return {
        "url": f"{api}/releases/{rid}",
        "assets_url": f"{api}/releases/{rid}/assets",
        "upload_url": f"https://uploads.github.com/repos/{owner}/{repo}/releases/{rid}/assets"
        "{?name,label}",
        "html_url": f"{WEB}/{owner}/{repo}/releases/tag/{quote(tag, safe='')}",
        "id": rid,
        "author": user(login),
        "node_id": node_id("RE", repo_id(owner, repo), rid),
        "tag_name": tag,
        "target_commitish": "main",
        "name": name if name is not None else tag,
        "draft": draft,
        "immutable": False,
        "prerelease": False,
        "created_at": published_at,
        "updated_at": published_at,
        "published_at": None if draft else published_at,
        "assets": [],
        "tarball_url": f"{api}/tarball/{tag}",
        "zipball_url": f"{api}/zipball/{tag}",
        "body": body,
    }


# -- rate limits ---------------------------------------------------------------------------


def rate_limit(
    core_remaining: int,
    core_reset: int,
    search_remaining: int,
    search_reset: int,
    *,
    core_limit: int = 5000,
    search_limit: int = 30,
) -> dict[str, Any]:
    """``GET /rate_limit``; asking does not count against any limit. ``rate`` repeats
    ``core``."""

    def bucket(limit: int, remaining: int, reset: int) -> dict[str, int]:
        return {"limit": limit, "used": limit - remaining, "remaining": remaining, "reset": reset}

    hour = core_reset
    minute = search_reset
    core = bucket(core_limit, core_remaining, core_reset)
    return {
        "resources": {
            "core": core,
            "search": bucket(search_limit, search_remaining, search_reset),
            "graphql": bucket(5000, 5000, hour),
            "integration_manifest": bucket(5000, 5000, hour),
            "source_import": bucket(100, 100, minute),
            "code_scanning_upload": bucket(1000, 1000, hour),
            "code_scanning_autofix": bucket(10, 10, minute),
            "actions_runner_registration": bucket(10000, 10000, hour),
            "scim": bucket(15000, 15000, hour),
            "dependency_snapshots": bucket(100, 100, minute),
            "dependency_sbom": bucket(100, 100, hour),
            "audit_log": bucket(1750, 1750, hour),
            "audit_log_streaming": bucket(15, 15, hour),
            "code_search": bucket(10, 10, minute),
        },
        "rate": dict(core),
    }


# -- headers -------------------------------------------------------------------------------


def _date(reset: int, resource: str) -> int:
    """A plausible response time: inside the window that ends at ``reset``."""
    return reset - (30 if resource in ("search", "code_search") else 1800)


def _request_id(*parts: object, when: int) -> str:
    """``XXXX:XXXXX:XXXXXX:XXXXXXX:XXXXXXXX`` like GitHub's, the last group the time."""
    h = hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest().upper()
    return f"{h[:4]}:{h[4:9]}:{h[9:16]}:{h[16:23]}:{when & 0xFFFFFFFF:08X}"


def _finish(out: dict[str, str], http2: bool) -> dict[str, str]:
    return {k.lower(): v for k, v in out.items()} if http2 else out


def _auth_headers(
    scopes: str | None, accepted_scopes: str, expiration: str | None
) -> dict[str, str]:
    """Classic token (``scopes`` given): X-OAuth-Scopes and X-Accepted-OAuth-Scopes.
    Fine-grained token (``scopes=None``): neither, but x-accepted-github-permissions."""
    out: dict[str, str] = {}
    if scopes is not None:
        out["X-OAuth-Scopes"] = scopes
        out["X-Accepted-OAuth-Scopes"] = accepted_scopes
    if expiration is not None or scopes is None:
        out["github-authentication-token-expiration"] = expiration or "2025-01-31 12:00:00 UTC"
    return out


def headers(
    remaining: int = 4999,
    reset: int = 1712142000,
    resource: str = "core",
    etag: str | None = None,
    link: str | None = None,
    scopes: str | None = "repo, read:org",
    limit: int | None = None,
    used: int | None = None,
    *,
    accepted_scopes: str = "",
    permissions: str = "issues=read; pull_requests=read",
    token_expiration: str | None = None,
    last_modified: str | None = None,
    cache_control: str | None = None,
    date: int | None = None,
    http2: bool = False,
) -> dict[str, str]:
    """Headers of a 200 with a JSON body, in GitHub's order.

    ``resource="search"`` gives the search bucket (limit 30) and
    ``Cache-Control: no-cache``; GitHub sends search answers without an ``ETag``,
    so leave ``etag`` unset there to be faithful. ``scopes=None`` is a
    fine-grained token. ``GET /rate_limit`` answers with ``cache_control="no-cache"``
    and no ETag."""
    cap = limit if limit is not None else (30 if resource == "search" else 5000)
    when = date if date is not None else _date(reset, resource)
    if cache_control is None:
        searching = resource in ("search", "code_search")
        cache_control = "no-cache" if searching else "private, max-age=60, s-maxage=60"
    out: dict[str, str] = {
        "Date": formatdate(when, usegmt=True),
        "Content-Type": "application/json; charset=utf-8",
        "Cache-Control": cache_control,
        "Vary": _VARY,
    }
    if etag is not None:
        out["ETag"] = etag
    if last_modified is not None:
        out["Last-Modified"] = last_modified
    out |= _auth_headers(scopes, accepted_scopes, token_expiration)
    out["X-GitHub-Media-Type"] = "github.v3; format=json"
    if link is not None:
        out["Link"] = link
    if scopes is None:
        out["x-accepted-github-permissions"] = permissions
    out |= {
        "x-github-api-version-selected": API_VERSION,
        "X-RateLimit-Limit": str(cap),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
        "X-RateLimit-Used": str(used if used is not None else cap - remaining),
        "X-RateLimit-Resource": resource,
        **_SECURITY,
        "Server": "github.com",
        "X-GitHub-Request-Id": _request_id(resource, remaining, reset, etag, link, when=when),
    }
    return _finish(out, http2)


def not_modified_headers(
    etag: str,
    remaining: int = 4999,
    reset: int = 1712142000,
    resource: str = "core",
    limit: int | None = None,
    used: int | None = None,
    *,
    date: int | None = None,
    http2: bool = False,
) -> dict[str, str]:
    """Headers of a 304 to ``If-None-Match`` (the body is empty; with a token, it
    does not count against the limit). As recorded: no Content-Type, no
    X-OAuth-Scopes or X-GitHub-Media-Type, and the ETag comes back in its strong
    form (``"abc"`` where the 200 said ``W/"abc"``)."""
    cap = limit if limit is not None else (30 if resource == "search" else 5000)
    when = date if date is not None else _date(reset, resource)
    out = {
        "Server": "github.com",
        "Date": formatdate(when, usegmt=True),
        "Cache-Control": "private, max-age=60, s-maxage=60",
        "Vary": _VARY,
        "ETag": etag.removeprefix("W/"),
        "x-github-api-version-selected": API_VERSION,
        "X-RateLimit-Limit": str(cap),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
        "X-RateLimit-Used": str(used if used is not None else cap - remaining),
        "X-RateLimit-Resource": resource,
        **_SECURITY,
        "X-GitHub-Request-Id": _request_id(304, etag, remaining, reset, when=when),
    }
    return _finish(out, http2)


def error_headers(
    status: int,
    remaining: int | None = None,
    reset: int = 1712142000,
    resource: str = "core",
    scopes: str | None = "repo, read:org",
    limit: int | None = None,
    *,
    date: int | None = None,
    http2: bool = False,
) -> dict[str, str]:
    """Headers of a JSON error (401, 403 for a spent primary limit, 404, 422, 5xx):
    no ETag, no Cache-Control, a short Vary. A 401 (bad token) is counted against
    the anonymous bucket of 60 and carries no scopes."""
    if status == 401:
        scopes = None
        limit = 60 if limit is None else limit
    cap = limit if limit is not None else (30 if resource == "search" else 5000)
    remaining = cap - 1 if remaining is None else remaining
    when = date if date is not None else _date(reset, resource)
    out: dict[str, str] = {
        "Date": formatdate(when, usegmt=True),
        "Content-Type": "application/json; charset=utf-8",
    }
    if scopes is not None:
        out |= {"X-OAuth-Scopes": scopes, "X-Accepted-OAuth-Scopes": ""}
    out |= {
        "X-GitHub-Media-Type": "github.v3; format=json",
        "x-github-api-version-selected": API_VERSION,
        "X-RateLimit-Limit": str(cap),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
        "X-RateLimit-Used": str(cap - remaining),
        "X-RateLimit-Resource": resource,
        **_SECURITY,
        "Vary": _VARY_ERROR,
        "Server": "github.com",
        "X-GitHub-Request-Id": _request_id(status, remaining, reset, when=when),
    }
    return _finish(out, http2)


def secondary_limit_headers(
    retry_after: int = 60, *, date: int = 1712140000, http2: bool = False
) -> dict[str, str]:
    """Headers of a secondary-rate-limit 403 (GitHub may also answer 429): a
    ``Retry-After`` in seconds and, unlike every other answer, no X-RateLimit-*
    and no X-OAuth-Scopes."""
    out = {
        "Date": formatdate(date, usegmt=True),
        "Content-Type": "application/json; charset=utf-8",
        "Retry-After": str(retry_after),
        "Access-Control-Expose-Headers": _EXPOSE,
        "Access-Control-Allow-Origin": "*",
        "X-GitHub-Media-Type": "github.v3; format=json",
        **{k: v for k, v in _SECURITY.items() if not k.startswith("Access-Control")},
        "Vary": _VARY_ERROR,
        "X-GitHub-Request-Id": _request_id("secondary", retry_after, when=date),
        "Server": "github.com",
    }
    return _finish(out, http2)


# -- pagination ------------------------------------------------------------------------------


def link_header(base_url: str, params: dict[str, Any], page: int, last: int) -> str:
    """``Link`` as GitHub writes it: ``prev``, ``next``, ``last``, ``first`` in that
    order, comma-separated; the first page has only next and last, the last only
    prev and first, a single page no header at all. Each URL repeats the request's
    query in its order with ``page`` set (appended when the request had none).

    For lists under ``/repos/{owner}/{repo}`` GitHub writes ``base_url`` as
    ``https://api.github.com/repositories/{id}/…`` (see :func:`repositories_url`)."""

    def url(n: int) -> str:
        return f"{base_url}?{urlencode({**params, 'page': n})}"

    parts = []
    if page > 1:
        parts.append(f'<{url(page - 1)}>; rel="prev"')
    if page < last:
        parts.append(f'<{url(page + 1)}>; rel="next"')
        parts.append(f'<{url(last)}>; rel="last"')
    if page > 1:
        parts.append(f'<{url(1)}>; rel="first"')
    return ", ".join(parts)


# -- error bodies ------------------------------------------------------------------------------


_DOCS = {
    401: "https://docs.github.com/rest",
    403: _RATE_DOCS,
    404: "https://docs.github.com/rest",
    422: "https://docs.github.com/v3/search/",
}


def error(
    status: int,
    message: str,
    *,
    documentation_url: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A JSON error body: ``message``, ``errors`` (422 only), ``documentation_url``
    (endpoint-specific in real answers) and ``status`` as a string."""
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["errors"] = errors
    body["documentation_url"] = documentation_url or _DOCS.get(
        status, "https://docs.github.com/rest"
    )
    body["status"] = str(status)
    return body


def primary_limit_error(
    user_id: int = 1,
    *,
    request_id: str = "C0DE:1A2B:3C4D5E:6F7081:66A0B1C2",
    timestamp: str = "2024-04-03 10:00:00 UTC",
) -> dict[str, Any]:
    """The 403 body once ``X-RateLimit-Remaining`` is 0 (send it with
    ``error_headers(403, remaining=0, reset=...)``)."""
    return error(
        403,
        f"API rate limit exceeded for user ID {user_id}. If you reach out to GitHub Support "
        f"for help, please include the request ID {request_id} and timestamp {timestamp}.",
    )


def secondary_limit_error(request_id: str = "D24F:221686:28BC1:9F91F:69D56197") -> dict[str, Any]:
    """The body of a secondary-rate-limit 403: documentation_url first, no ``status``."""
    return {
        "documentation_url": _SECONDARY_DOCS,
        "message": "You have exceeded a secondary rate limit. Please wait a few minutes before "
        "you try again. If you reach out to GitHub Support for help, please include the "
        f"request ID {request_id}.",
    }


def search_validation_error() -> dict[str, Any]:
    """The 422 of a search whose ``author:``/``repo:`` names nothing the token can see."""
    return error(
        422,
        "Validation Failed",
        errors=[
            {
                "message": "The listed users and repositories cannot be searched either "
                "because the resources do not exist or you do not have permission to view them.",
                "resource": "Search",
                "field": "q",
                "code": "invalid",
            }
        ],
    )
