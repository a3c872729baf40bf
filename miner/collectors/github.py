"""Pull requests, reviews given, issues and comments: the subject's trail on GitHub.

Found with the search API across every repository the person touched, never by
scanning repositories one by one. The request budget, documented in the README
and asserted in the tests: the searches (split only when one hits the
1,000-result cap), plus two requests per pull request authored (details and
files), one per pull request reviewed (its reviews), one per issue commented
on (its comments since the period began) and one per home repository (its
releases). Every request is conditional on a
stored ETag, so a re-run over the same period costs almost nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from miner.collectors.docs import MIN_LINES, is_design_doc
from miner.ghclient import SEARCH_CAP, GitHubClient, GitHubError, RateLimited
from miner.model import Evidence, Period, Source, Stats

NEWCOMER = frozenset({"FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE"})
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
            found = self._search()
            yield from self._counted(self._pull_requests(found.authored_prs))
            yield from self._counted(self._issues(found.issues))
            yield from self._counted(self._reviews(found.reviewed_prs))
            yield from self._counted(self._comments(found.commented))
            yield from self._counted(self._releases())
        except RateLimited as exc:
            self._partial = True
            self._spots.append(f"partial: {exc.line()}")

    def _counted(self, items: Iterator[Evidence]) -> Iterator[Evidence]:
        for item in items:
            self._items += 1
            yield item

    def source(self) -> Source:
        spots = list(self._spots)
        spots.append(
            "GitHub: review comments and review rounds are not collected; releases only "
            "in the home repositories; an author counts as a newcomer only when GitHub says "
            "first-time contributor"
        )
        return Source(
            kind="github",
            location=f"{self.client.base_url} ({', '.join(self.logins)})",
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
            pr = self.client.get(f"/repos/{repo}/pulls/{number}").data
            merged_at = pr.get("merged_at")
            created = parse_time(pr["created_at"])
            merged = parse_time(merged_at) if merged_at else None
            if merged and merged in self.period:
                when, state = merged, "merged"
            elif created in self.period:
                when, state = created, "merged" if merged else str(pr.get("state", "open"))
            else:
                continue
            files = list(self.client.paginate(f"/repos/{repo}/pulls/{number}/files"))
            paths = tuple(f["filename"] for f in files)
            body = pr.get("body") or ""
            linked = ", ".join(dict.fromkeys(_LINKED.findall(body)))
            yield Evidence(
                id=f"gh:pr:{repo}#{number}",
                kind="pull_request",
                source="github",
                repo=repo,
                title=pr["title"],
                date=when,
                url=pr["html_url"],
                stats=Stats(pr["additions"], pr["deletions"], pr["changed_files"]),
                paths=paths,
                message=f"{body}\n\nLinked issues: {linked}" if linked else body,
                labels=tuple(label["name"] for label in pr.get("labels", [])),
                state=state,
                matched_as=pr["user"]["login"],
            )
            yield from self._docs(repo, pr, files, when)

    def _docs(
        self, repo: str, pr: dict[str, Any], files: list[dict[str, Any]], when: datetime
    ) -> Iterator[Evidence]:
        for f in files:
            if is_design_doc(f["filename"]) and f.get("additions", 0) >= MIN_LINES:
                yield Evidence(
                    id=f"gh:doc:{repo}:{f['filename']}",
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
        mine = {login.lower() for login in self.logins}
        for item in found.values():
            repo = _repo(item)
            newcomer = item.get("author_association") in NEWCOMER
            reviews = self.client.paginate(f"/repos/{repo}/pulls/{item['number']}/reviews")
            for review in reviews:
                who = (review.get("user") or {}).get("login", "").lower()
                submitted = review.get("submitted_at")
                if who not in mine or not submitted or parse_time(submitted) not in self.period:
                    continue
                yield Evidence(
                    id=f"gh:review:{review['id']}",
                    kind="review",
                    source="github",
                    repo=repo,
                    title=f"Review of {item['title']}",
                    date=parse_time(submitted),
                    url=review.get("html_url") or item["html_url"],
                    message=review.get("body") or "",
                    labels=_labels(item),
                    role="reviewer",
                    review_state=review.get("state"),
                    newcomer_author=newcomer,
                    matched_as=who,
                )

    def _comments(self, found: dict[str, dict[str, Any]]) -> Iterator[Evidence]:
        mine = {login.lower() for login in self.logins}
        since = _stamp(self.period.start)
        for item in found.values():
            repo = _repo(item)
            path = f"/repos/{repo}/issues/{item['number']}/comments"
            for comment in self.client.paginate(path, {"since": since}):
                who = (comment.get("user") or {}).get("login", "").lower()
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
        mine = {login.lower() for login in self.logins}
        for repo in self.home_repos:
            for release in self.client.paginate(f"/repos/{repo}/releases"):
                who = (release.get("author") or {}).get("login", "").lower()
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


def _repo(item: dict[str, Any]) -> str:
    """owner/name from a search item's ``repository_url``."""
    return "/".join(str(item["repository_url"]).rstrip("/").split("/")[-2:])


def _labels(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(label["name"] for label in item.get("labels", []))


__all__ = ["GitHubCollector", "GitHubError"]
