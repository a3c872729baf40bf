"""Pull requests, reviews given, issues and comments: the subject's trail on GitHub.

Found with the search API across every repository the person touched, never by
scanning repositories one by one. The request budget, documented in the README
and asserted in the tests: the searches (split only when one hits the
1,000-result cap), plus two requests per pull request authored (its files, which
give its size and paths, and its timeline, which gives its review rounds; state,
labels and body come with the search), one per pull request reviewed (its
timeline: the subject's reviews with their state, and their line comments; and,
once ever, a search counting a contributor's earlier pull requests to tell a
newcomer), one per issue commented on (its comments since the period began) and one per home
repository (its releases); a page beyond the first (over 100 files or timeline
events) costs one more. Every request is conditional on a stored ETag, so a
re-run over the same period costs almost nothing; and an answer about a pull
request or issue whose ``updated_at`` (from the search) is the one stored with it
is reused without asking, so even a new token (ETags are per token, and every
GitHub Actions run has a new one) pays only for the searches and the releases.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from miner.collectors.docs import MIN_LINES, doc_id, is_design_doc
from miner.ghclient import SEARCH_CAP, GitHubClient, GitHubError, RateLimited, Unreachable
from miner.model import Evidence, Period, Source, Stats

NEWCOMER = frozenset({"FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE"})
NEWCOMER_PRIOR_PRS = 3  # a CONTRIBUTOR with fewer earlier pull requests is a newcomer
FILES_CAP = 3000  # GitHub lists at most this many files of a pull request
_LINKED = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+((?:[\w.-]+/[\w.-]+)?#\d+)", re.IGNORECASE
)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Found:
    """What the searches found, before the per-item requests."""

    authored_prs: dict[str, dict[str, Any]]
    reviewed_prs: dict[str, dict[str, Any]]
    issues: dict[str, dict[str, Any]]
    commented: dict[str, dict[str, Any]]


class GitHubCollector:
    def __init__(
        self,
        client: GitHubClient,
        logins: tuple[str, ...],
        period: Period,
        home_repos: tuple[str, ...] = (),
    ) -> None:
        self.client = client
        self.logins = logins
        self.period = period
        self.home_repos = home_repos
        self._items = 0
        self._spots: list[str] = []
        self._partial = False

    def collect(self) -> Iterator[Evidence]:
        try:
            if not self.logins:  # no login given: the token's own user
                self.logins = (str(self.client.get("/user").data["login"]),)
            found = self._search()
            yield from self._counted(self._pull_requests(found.authored_prs))
            yield from self._counted(self._issues(found.issues))
            yield from self._counted(self._reviews(found.reviewed_prs))
            yield from self._counted(self._comments(found.commented))
            yield from self._counted(self._releases())
        except (RateLimited, Unreachable) as exc:
            # What Git holds is reported all the same, marked partial with the reason.
            self._partial = True
            self._spots.append(f"partial: {exc.line()}")

    @property
    def _mine(self) -> set[str]:
        """The subject's logins, lower-cased as ``_login`` gives them."""
        return {login.lower() for login in self.logins}

    def _counted(self, items: Iterator[Evidence]) -> Iterator[Evidence]:
        for item in items:
            self._items += 1
            yield item

    def source(self) -> Source:
        spots = list(self._spots)
        spots.append("GitHub: releases only in the home repositories")
        return Source(
            kind="github",
            location=f"{self.client.base_url} ({', '.join(self.logins) or 'the token user'})",
            items=self._items,
            blind_spots=tuple(spots),
            partial=self._partial,
        )

    # ------------------------------------------------------------ searches
    def _search(self) -> Found:
        start, end = self.period.start, self.period.end
        authored: dict[str, dict[str, Any]] = {}
        reviewed: dict[str, dict[str, Any]] = {}
        issues: dict[str, dict[str, Any]] = {}
        commented: dict[str, dict[str, Any]] = {}
        for login in self.logins:
            for qualifier in ("created", "merged"):
                for item in self.search(f"type:pr author:{login}", qualifier, start, end):
                    authored[item["html_url"]] = item
            reviewed_query = f"type:pr reviewed-by:{login} -author:{login}"
            for item in self.search(reviewed_query, "updated", start, None):
                reviewed[item["html_url"]] = item
            for item in self.search(f"type:issue author:{login}", "created", start, end):
                issues[item["html_url"]] = item
            for item in self.search(f"type:issue commenter:{login}", "updated", start, None):
                commented[item["html_url"]] = item
        return Found(authored, reviewed, issues, commented)

    def search(
        self, query: str, field: str, start: datetime, end: datetime | None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a search over ``[start, end)``, halving the window while
        a search would hit GitHub's 1,000-result cap."""
        upper = f"{_stamp(end - timedelta(seconds=1))}" if end else "*"
        q = f"{query} {field}:{_stamp(start)}..{upper}"
        first = self.client.get("/search/issues", {"q": q, "per_page": 100})
        data = first.data
        capped = data.get("total_count", 0) > SEARCH_CAP
        if capped and end is None:  # open-ended: split at now, then bound both halves
            now = datetime.now(start.tzinfo)
            if now - start > timedelta(minutes=2):
                yield from self.search(query, field, start, now)
                yield from self.search(query, field, now, None)
                return
        elif capped and end is not None and end - start > timedelta(minutes=2):
            middle = start + (end - start) / 2
            yield from self.search(query, field, start, middle)
            yield from self.search(query, field, middle, end)
            return
        if capped:
            self._spots.append(f"GitHub search capped at {SEARCH_CAP} results for: {q}")
        if data.get("incomplete_results"):
            self._spots.append(f"GitHub search timed out and gave incomplete results for: {q}")
        yield from self.client.paginate("/search/issues", first=first)

    # ------------------------------------------------------ per-item detail
    def _pull_requests(self, found: dict[str, dict[str, Any]]) -> Iterator[Evidence]:
        for item in found.values():
            repo = _repo(item)
            number = item["number"]
            merged_at = self._merged_at(repo, item)
            created = parse_time(item["created_at"])
            merged = parse_time(merged_at) if merged_at else None
            if merged and merged in self.period:
                when, state = merged, "merged"
            elif created in self.period:
                when, state = created, "merged" if merged else str(item.get("state", "open"))
            else:
                continue
            version = _version(item)
            files = list(
                self.client.paginate(f"/repos/{repo}/pulls/{number}/files", version=version)
            )
            author = item["user"]["login"]
            timeline = self._timeline(repo, number, version)
            rounds = _rounds(timeline, author)
            reviewers = sorted(
                {_login(e.get("user")) for e in timeline if _is_review(e)} - {author.lower(), ""}
            )
            paths = tuple(f["filename"] for f in files)
            body = item.get("body") or ""
            linked = ", ".join(dict.fromkeys(_LINKED.findall(body)))
            notes = [f"Linked issues: {linked}"] if linked else []
            notes += [f"Review rounds: {rounds}"] if rounds else []
            milestone = " ".join(str((item.get("milestone") or {}).get("title") or "").split())
            notes += [f"Milestone: {milestone}"] if milestone else []
            notes += [f"Reviewed by: {', '.join(reviewers)}"] if reviewers else []
            yield Evidence(
                id=f"gh:pr:{repo}#{number}",
                kind="pull_request",
                source="github",
                repo=repo,
                title=item["title"],
                date=when,
                url=item["html_url"],
                stats=Stats(
                    sum(f.get("additions", 0) for f in files),
                    sum(f.get("deletions", 0) for f in files),
                    len(files),
                ),
                paths=paths,
                message="\n\n".join([body, *notes]) if notes else body,
                labels=_labels(item),
                state=state,
                matched_as=author,
                review_rounds=rounds,
            )
            if len(files) >= FILES_CAP:
                self._spots.append(
                    f"{item['html_url']}: GitHub lists at most {FILES_CAP} files of a pull "
                    "request; its size counts those"
                )
            yield from self._docs(repo, item, files, when)

    def _merged_at(self, repo: str, item: dict[str, Any]) -> str | None:
        """When the pull request was merged: the search says so, except on an older
        GitHub Enterprise Server that leaves ``merged_at`` out; then ask for it."""
        summary = item.get("pull_request") or {}
        if "merged_at" in summary:
            return cast(str | None, summary["merged_at"])
        pull = self.client.get(f"/repos/{repo}/pulls/{item['number']}", version=_version(item))
        return cast(str | None, pull.data["merged_at"])

    def _timeline(self, repo: str, number: int, version: str | None) -> list[dict[str, Any]]:
        path = f"/repos/{repo}/issues/{number}/timeline"
        return list(self.client.paginate(path, version=version))

    def _docs(
        self, repo: str, pr: dict[str, Any], files: list[dict[str, Any]], when: datetime
    ) -> Iterator[Evidence]:
        """Design documents a pull request adds or substantially changes."""
        for f in files:
            if is_design_doc(f["filename"]) and f.get("additions", 0) >= MIN_LINES:
                yield Evidence(
                    id=doc_id(repo, f["filename"]),
                    kind="design_doc",
                    source="github",
                    repo=repo,
                    title=f"{f['filename'].rsplit('/', 1)[-1]} (in {pr['title']})",
                    date=when,
                    url=f.get("blob_url") or pr["html_url"],
                    stats=Stats(f["additions"], f["deletions"], 1),
                    paths=(f["filename"],),
                    matched_as=pr["user"]["login"],
                )

    def _issues(self, found: dict[str, dict[str, Any]]) -> Iterator[Evidence]:
        for item in found.values():
            created = parse_time(item["created_at"])
            if created not in self.period:
                continue
            repo = _repo(item)
            yield Evidence(
                id=f"gh:issue:{repo}#{item['number']}",
                kind="issue",
                source="github",
                repo=repo,
                title=item["title"],
                date=created,
                url=item["html_url"],
                message=item.get("body") or "",
                labels=_labels(item),
                state=item.get("state"),
                matched_as=item["user"]["login"],
            )

    def _reviews(self, found: dict[str, dict[str, Any]]) -> Iterator[Evidence]:
        """The subject's reviews and line comments, from each pull request's timeline."""
        mine = self._mine
        for item in found.values():
            repo = _repo(item)
            timeline = self._timeline(repo, item["number"], _version(item))
            reviews = sorted(
                (e for e in timeline if _is_review(e) and _login(e.get("user")) in mine),
                key=lambda e: str(e["submitted_at"]),
            )
            submitted = {review["id"] for review in reviews}
            comments = [  # a pending review's comments are its author's draft
                c
                for event in timeline
                if event.get("event") == "line-commented"
                for c in event.get("comments", [])
                if _login(c.get("user")) in mine
                and c.get("pull_request_review_id") in (*submitted, None)
            ]
            stamps = [e["submitted_at"] for e in reviews] + [c["created_at"] for c in comments]
            if not any(parse_time(str(stamp)) in self.period for stamp in stamps):
                continue  # nothing of the subject's in the period: ask nothing more
            newcomer = self._newcomer(repo, item)
            yield from self._review_items(repo, item, reviews, comments, newcomer)

    def _review_items(
        self,
        repo: str,
        item: dict[str, Any],
        reviews: list[dict[str, Any]],
        comments: list[dict[str, Any]],
        newcomer: bool,
    ) -> Iterator[Evidence]:
        """One pull request's reviews (in order) and line comments in the period."""
        per_review = Counter(c.get("pull_request_review_id") for c in comments)
        labels = _labels(item)
        reviewed: set[str] = set()
        for review in reviews:
            if review.get("commit_id"):
                reviewed.add(str(review["commit_id"]))
            when = parse_time(review["submitted_at"])
            if when not in self.period:
                continue
            state = str(review.get("state", "")).upper()
            count = per_review[review["id"]]
            detail = _review_detail(state, count)
            yield Evidence(
                id=f"gh:review:{review['id']}",
                kind="review",
                source="github",
                repo=repo,
                title=f"Review of {item['title']}" + (f" ({detail})" if detail else ""),
                date=when,
                url=review.get("html_url") or item["html_url"],
                message=_with_note(
                    review.get("body") or "", "Pull request by", _login(item.get("user"))
                ),
                review_state=state,
                newcomer_author=newcomer,
                matched_as=_login(review.get("user")),
                comments=count,
                review_rounds=max(1, len(reviewed)),
                labels=labels,
                role="reviewer",
            )
        for comment in comments:
            created = parse_time(comment["created_at"])
            if created not in self.period:
                continue
            path = str(comment.get("path") or "")
            yield Evidence(
                id=f"gh:review-comment:{comment['id']}",
                kind="review_comment",
                source="github",
                repo=repo,
                title=f"Comment on {path} in {item['title']}",
                date=created,
                url=comment.get("html_url") or item["html_url"],
                paths=(path,) if path else (),
                message=comment.get("body") or "",
                newcomer_author=newcomer,
                matched_as=_login(comment.get("user")),
                labels=labels,
                role="reviewer",
            )

    def _newcomer(self, repo: str, item: dict[str, Any]) -> bool:
        """Whether the pull request's author was new to the repository: GitHub says
        first-time contributor, or a contributor with fewer than ``NEWCOMER_PRIOR_PRS``
        earlier pull requests there. That count is one search, asked once ever (the
        past does not change) and kept in the store."""
        association = item.get("author_association")
        user = item.get("user") or {}
        if user.get("type") == "Bot":
            return False
        if association in NEWCOMER:
            return True
        author = _login(user)
        if association != "CONTRIBUTOR" or not author:
            return False
        day = str(item["created_at"])[:10]
        query = f"repo:{repo} type:pr author:{author} created:<{day}"
        found = self.client.get("/search/issues", {"q": query, "per_page": 1}, settled=True)
        return int(found.data.get("total_count", 0)) < NEWCOMER_PRIOR_PRS

    def _comments(self, found: dict[str, dict[str, Any]]) -> Iterator[Evidence]:
        mine = self._mine
        since = _stamp(self.period.start)
        for item in found.values():
            repo = _repo(item)
            path = f"/repos/{repo}/issues/{item['number']}/comments"
            for comment in self.client.paginate(path, {"since": since}, version=_version(item)):
                who = _login(comment.get("user"))
                created = parse_time(comment["created_at"])
                if who not in mine or created not in self.period:
                    continue
                yield Evidence(
                    id=f"gh:comment:{comment['id']}",
                    kind="issue_comment",
                    source="github",
                    repo=repo,
                    title=f"Comment on {item['title']}",
                    date=created,
                    url=comment["html_url"],
                    message=comment.get("body") or "",
                    labels=_labels(item),
                    role="commenter",
                    matched_as=who,
                )

    def _releases(self) -> Iterator[Evidence]:
        """Releases the subject published in the home repositories (one request each)."""
        mine = self._mine
        for repo in self.home_repos:
            for release in self.client.paginate(f"/repos/{repo}/releases"):
                who = _login(release.get("author"))
                published = release.get("published_at")
                if who not in mine or not published or release.get("draft"):
                    continue
                when = parse_time(published)
                if when not in self.period:
                    continue
                name = release.get("name") or release["tag_name"]
                yield Evidence(
                    id=f"gh:release:{repo}:{release['tag_name']}",
                    kind="release",
                    source="github",
                    repo=repo,
                    title=f"Release {name}",
                    date=when,
                    url=release["html_url"],
                    message=release.get("body") or "",
                    matched_as=who,
                )


def _version(item: dict[str, Any]) -> str | None:
    """A search item's ``updated_at``: GitHub moves it on every comment, review, push,
    label or state change, so an answer about the item stored at that same moment is
    still true. (A later edit of a comment's text does not move it: that text is
    refreshed the next time the item changes.)"""
    stamp = item.get("updated_at")
    return str(stamp) if stamp else None


def _with_note(body: str, label: str, value: str) -> str:
    """``body`` with a ``label: value`` line after it (kept for the promotion case's
    peers), or as it is when there is no value."""
    if not value:
        return body
    return f"{body}\n\n{label}: {value}" if body else f"{label}: {value}"


def _login(who: Any) -> str:
    return str((who or {}).get("login", "")).lower()


def _is_review(event: dict[str, Any]) -> bool:
    """A submitted review in a timeline (a pending one is its author's draft)."""
    return (
        event.get("event") == "reviewed"
        and bool(event.get("submitted_at"))
        and str(event.get("state", "")).lower() != "pending"
    )


def _rounds(timeline: list[dict[str, Any]], author: str) -> int:
    """Review rounds of a pull request: the distinct commits others reviewed."""
    return len(
        {
            str(e["commit_id"])
            for e in timeline
            if _is_review(e)
            and e.get("commit_id")
            and _login(e.get("user")) not in ("", author.lower())
        }
    )


def _review_detail(state: str, comments: int) -> str:
    said = {"APPROVED": "approved", "CHANGES_REQUESTED": "changes requested"}.get(state, "")
    counted = f"{comments} line comment{'s' if comments != 1 else ''}" if comments else ""
    return ", ".join(x for x in (said, counted) if x)


def _repo(item: dict[str, Any]) -> str:
    """owner/name from a search item's ``repository_url``."""
    return "/".join(str(item["repository_url"]).rstrip("/").split("/")[-2:])


def _labels(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(label["name"] for label in item.get("labels", []))


__all__ = ["GitHubCollector", "GitHubError"]
