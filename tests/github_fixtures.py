"""Bodies and headers in the shapes the GitHub REST API (v2022-11-28) sends.

Built by hand, field for field, after the recorded responses of GitHub's own API
(as seen in PyGithub's tests/ReplayData and octokit/fixtures); nothing here is
copied from them. Only what a test cares about is a parameter; every other field
is filled in plausibly and consistently (ids, node ids and URLs agree).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

API = "https://api.github.com"
WEB = "https://github.com"


def _id(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _node(prefix: str, number: int) -> str:
    return f"{prefix}_kwDO{number:08X}"


def user(login: str, id: int | None = None, type: str = "User") -> dict[str, Any]:
    uid = id if id is not None else _id(login)
    base = f"{API}/users/{login}"
    return {
        "login": login,
        "id": uid,
        "node_id": _node("U", uid),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "gravatar_id": "",
        "url": base,
        "html_url": f"{WEB}/{login}",
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


def authenticated_user(login: str) -> dict[str, Any]:
    return {
        **user(login),
        "name": login.title(),
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
        "created_at": "2015-03-04T10:11:12Z",
        "updated_at": "2024-06-01T09:00:00Z",
    }


def label(name: str) -> dict[str, Any]:
    lid = _id(name)
    return {
        "id": lid,
        "node_id": _node("LA", lid),
        "url": f"{API}/repos/acme/widgets/labels/{name}",
        "name": name,
        "color": "ededed",
        "default": False,
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
) -> dict[str, Any]:
    """One item of ``GET /search/issues``: an issue, or a pull request seen as one."""
    repo_api = f"{API}/repos/{owner}/{repo}"
    url = f"{repo_api}/issues/{number}"
    iid = _id(f"{owner}/{repo}#{number}")
    closed = closed_at or merged_at
    item: dict[str, Any] = {
        "url": url,
        "repository_url": repo_api,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{WEB}/{owner}/{repo}/{'pull' if is_pr else 'issues'}/{number}",
        "id": iid,
        "node_id": _node("PR" if is_pr else "I", iid),
        "number": number,
        "title": title,
        "user": user(login),
        "labels": [label(name) for name in labels],
        "state": state or ("closed" if closed else "open"),
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": comments,
        "created_at": created_at,
        "updated_at": closed or created_at,
        "closed_at": closed,
        "author_association": author_association,
        "type": None,
        "active_lock_reason": None,
        "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
        "body": body,
        "reactions": _reactions(url),
        "timeline_url": f"{url}/timeline",
        "performed_via_github_app": None,
        "state_reason": None if is_pr or not closed else "completed",
        "score": 1.0,
    }
    if is_pr:
        item["draft"] = False
        item["pull_request"] = {
            "url": f"{repo_api}/pulls/{number}",
            "html_url": f"{WEB}/{owner}/{repo}/pull/{number}",
            "diff_url": f"{WEB}/{owner}/{repo}/pull/{number}.diff",
            "patch_url": f"{WEB}/{owner}/{repo}/pull/{number}.patch",
            "merged_at": merged_at,
        }
    return item


def search_page(
    items: list[dict[str, Any]], total_count: int, incomplete_results: bool = False
) -> dict[str, Any]:
    return {"total_count": total_count, "incomplete_results": incomplete_results, "items": items}


def _repository(owner: str, repo: str) -> dict[str, Any]:
    rid = _id(f"{owner}/{repo}")
    api = f"{API}/repos/{owner}/{repo}"
    return {
        "id": rid,
        "node_id": _node("R", rid),
        "name": repo,
        "full_name": f"{owner}/{repo}",
        "private": False,
        "owner": user(owner, type="Organization"),
        "html_url": f"{WEB}/{owner}/{repo}",
        "description": None,
        "fork": False,
        "url": api,
        "pulls_url": f"{api}/pulls{{/number}}",
        "issues_url": f"{api}/issues{{/number}}",
        "git_url": f"git://github.com/{owner}/{repo}.git",
        "ssh_url": f"git@github.com:{owner}/{repo}.git",
        "clone_url": f"{WEB}/{owner}/{repo}.git",
        "created_at": "2019-01-01T00:00:00Z",
        "updated_at": "2024-06-30T00:00:00Z",
        "pushed_at": "2024-06-30T00:00:00Z",
        "size": 1024,
        "stargazers_count": 10,
        "watchers_count": 10,
        "language": "Python",
        "forks_count": 2,
        "open_issues_count": 5,
        "default_branch": "main",
        "visibility": "public",
        "archived": False,
        "disabled": False,
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
) -> dict[str, Any]:
    """``GET /repos/{owner}/{repo}/pulls/{number}``."""
    api = f"{API}/repos/{owner}/{repo}"
    url = f"{api}/pulls/{number}"
    html = f"{WEB}/{owner}/{repo}/pull/{number}"
    pid = _id(f"pr:{owner}/{repo}#{number}")
    head_sha = hashlib.sha1(f"head{number}".encode()).hexdigest()
    base_sha = hashlib.sha1(f"base{number}".encode()).hexdigest()
    repository = _repository(owner, repo)
    return {
        "url": url,
        "id": pid,
        "node_id": _node("PR", pid),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{api}/issues/{number}",
        "number": number,
        "state": "closed" if merged_at else "open",
        "locked": False,
        "title": title,
        "user": user(login),
        "body": body,
        "created_at": created_at,
        "updated_at": merged_at or created_at,
        "closed_at": merged_at,
        "merged_at": merged_at,
        "merge_commit_sha": hashlib.sha1(f"merge{number}".encode()).hexdigest(),
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [label(name) for name in labels],
        "milestone": None,
        "draft": False,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{api}/issues/{number}/comments",
        "statuses_url": f"{api}/statuses/{head_sha}",
        "head": {
            "label": f"{login}:topic-{number}",
            "ref": f"topic-{number}",
            "sha": head_sha,
            "user": user(login),
            "repo": repository,
        },
        "base": {
            "label": f"{owner}:{base_ref}",
            "ref": base_ref,
            "sha": base_sha,
            "user": user(owner, type="Organization"),
            "repo": repository,
        },
        "_links": {
            "self": {"href": url},
            "html": {"href": html},
            "issue": {"href": f"{api}/issues/{number}"},
            "comments": {"href": f"{api}/issues/{number}/comments"},
            "review_comments": {"href": f"{url}/comments"},
            "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
            "commits": {"href": f"{url}/commits"},
            "statuses": {"href": f"{api}/statuses/{head_sha}"},
        },
        "author_association": author_association,
        "auto_merge": None,
        "active_lock_reason": None,
        "merged": merged_at is not None,
        "mergeable": None,
        "rebaseable": None,
        "mergeable_state": "unknown",
        "merged_by": user(owner) if merged_at else None,
        "comments": comments,
        "review_comments": review_comments,
        "maintainer_can_modify": False,
        "commits": commits,
        "additions": additions,
        "deletions": deletions,
        "changed_files": changed_files,
    }


def pr_file(
    filename: str, additions: int, deletions: int, status: str = "modified"
) -> dict[str, Any]:
    """One item of ``GET /repos/{owner}/{repo}/pulls/{number}/files``."""
    sha = hashlib.sha1(filename.encode()).hexdigest()
    ref = hashlib.sha1(f"ref:{filename}".encode()).hexdigest()
    return {
        "sha": sha,
        "filename": filename,
        "status": status,
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "blob_url": f"{WEB}/acme/widgets/blob/{ref}/{filename}",
        "raw_url": f"{WEB}/acme/widgets/raw/{ref}/{filename}",
        "contents_url": f"{API}/repos/acme/widgets/contents/{filename}?ref={ref}",
        "patch": "@@ -1 +1 @@\n-old\n+new",
    }


def review(
    id: int,
    login: str,
    state: str,
    submitted_at: str,
    body: str = "",
    pr_url: str = f"{API}/repos/acme/widgets/pulls/8",
    commit_id: str = "0" * 40,
) -> dict[str, Any]:
    """One item of ``GET /repos/{owner}/{repo}/pulls/{number}/reviews``."""
    html = pr_url.replace(API + "/repos", WEB).replace("/pulls/", "/pull/")
    return {
        "id": id,
        "node_id": _node("PRR", id),
        "user": user(login),
        "body": body,
        "state": state,
        "html_url": f"{html}#pullrequestreview-{id}",
        "pull_request_url": pr_url,
        "author_association": "MEMBER",
        "_links": {
            "html": {"href": f"{html}#pullrequestreview-{id}"},
            "pull_request": {"href": pr_url},
        },
        "submitted_at": submitted_at,
        "commit_id": commit_id,
    }


def issue_comment(
    id: int, owner: str, repo: str, issue_number: int, login: str, created_at: str, body: str
) -> dict[str, Any]:
    """One item of ``GET /repos/{owner}/{repo}/issues/{number}/comments``."""
    api = f"{API}/repos/{owner}/{repo}"
    return {
        "url": f"{api}/issues/comments/{id}",
        "html_url": f"{WEB}/{owner}/{repo}/issues/{issue_number}#issuecomment-{id}",
        "issue_url": f"{api}/issues/{issue_number}",
        "id": id,
        "node_id": _node("IC", id),
        "user": user(login),
        "created_at": created_at,
        "updated_at": created_at,
        "author_association": "CONTRIBUTOR",
        "body": body,
        "reactions": _reactions(f"{api}/issues/comments/{id}"),
        "performed_via_github_app": None,
    }


def rate_limit(
    core_remaining: int, core_reset: int, search_remaining: int, search_reset: int
) -> dict[str, Any]:
    """``GET /rate_limit`` (it does not count against the limit itself)."""
    core = {
        "limit": 5000,
        "used": 5000 - core_remaining,
        "remaining": core_remaining,
        "reset": core_reset,
    }
    search = {
        "limit": 30,
        "used": 30 - search_remaining,
        "remaining": search_remaining,
        "reset": search_reset,
    }
    small = {"limit": 10, "used": 0, "remaining": 10, "reset": core_reset}
    return {
        "resources": {
            "core": core,
            "search": search,
            "graphql": {"limit": 5000, "used": 0, "remaining": 5000, "reset": core_reset},
            "integration_manifest": {**small, "limit": 5000, "remaining": 5000},
            "source_import": {**small, "limit": 100, "remaining": 100},
            "code_scanning_upload": {**small, "limit": 1000, "remaining": 1000},
            "actions_runner_registration": {**small, "limit": 10000, "remaining": 10000},
            "scim": {**small, "limit": 15000, "remaining": 15000},
            "dependency_snapshots": {**small, "limit": 100, "remaining": 100},
            "code_search": small,
        },
        "rate": core,
    }


def headers(
    remaining: int = 4999,
    reset: int = 1712142000,
    resource: str = "core",
    etag: str | None = None,
    link: str | None = None,
    scopes: str = "repo, read:org",
    limit: int | None = None,
    used: int | None = None,
) -> dict[str, str]:
    """Response headers as GitHub sends them with a JSON body."""
    cap = limit if limit is not None else (30 if resource == "search" else 5000)
    out = {
        "Content-Type": "application/json; charset=utf-8",
        "Cache-Control": "private, max-age=60, s-maxage=60",
        "Vary": "Accept, Authorization, Cookie, X-GitHub-OTP,Accept-Encoding, Accept, "
        "X-Requested-With",
        "X-OAuth-Scopes": scopes,
        "X-Accepted-OAuth-Scopes": "repo",
        "X-GitHub-Media-Type": "github.v3; format=json",
        "x-github-api-version-selected": "2022-11-28",
        "X-RateLimit-Limit": str(cap),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
        "X-RateLimit-Used": str(used if used is not None else cap - remaining),
        "X-RateLimit-Resource": resource,
        "Access-Control-Expose-Headers": "ETag, Link, Location, Retry-After, X-GitHub-OTP, "
        "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, "
        "X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, "
        "X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset",
        "Access-Control-Allow-Origin": "*",
        "Strict-Transport-Security": "max-age=31536000; includeSubdomains; preload",
        "X-Frame-Options": "deny",
        "X-Content-Type-Options": "nosniff",
        "X-XSS-Protection": "0",
        "Referrer-Policy": "origin-when-cross-origin, strict-origin-when-cross-origin",
        "Content-Security-Policy": "default-src 'none'",
        "Server": "github.com",
        "X-GitHub-Request-Id": "C0DE:1A2B:3C4D5E:6F7081:66A0B1C2",
    }
    if etag is not None:
        out["ETag"] = etag
    if link is not None:
        out["Link"] = link
    return out


def link_header(base_url: str, params: dict[str, Any], page: int, last: int) -> str:
    """``Link`` as GitHub writes it: next and last, or prev and first, comma-separated."""

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


def error(status: int, message: str) -> dict[str, Any]:
    docs = {
        401: "https://docs.github.com/rest",
        403: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        404: "https://docs.github.com/rest",
        422: "https://docs.github.com/v3/search/",
    }
    return {
        "message": message,
        "documentation_url": docs.get(status, "https://docs.github.com/rest"),
        "status": str(status),
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
    """One item of ``GET /repos/{owner}/{repo}/releases``."""
    rid = _id(f"release:{owner}/{repo}:{tag}")
    api = f"{API}/repos/{owner}/{repo}"
    return {
        "url": f"{api}/releases/{rid}",
        "assets_url": f"{api}/releases/{rid}/assets",
        "upload_url": f"https://uploads.github.com/repos/{owner}/{repo}/releases/{rid}/assets"
        "{?name,label}",
        "html_url": f"{WEB}/{owner}/{repo}/releases/tag/{tag}",
        "id": rid,
        "author": user(login),
        "node_id": _node("RE", rid),
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
