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
from typing import Any
from urllib.parse import urlsplit

from miner.collectors.docs import MIN_LINES, doc_id, is_design_doc
from miner.ghclient import SEARCH_CAP, GitHubClient, GitHubError, RateLimited, Unreachable
from miner.links import http_link
from miner.model import Evidence, Period, Source, Stats

NEWCOMER = frozenset({"FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE"})
NEWCOMER_PRIOR_PRS = 3  # a CONTRIBUTOR with fewer earlier pull requests is a newcomer
FILES_CAP = 3000  # GitHub lists at most this many files of a pull request
_LINKED = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+((?:[\w.-]+/[\w.-]+)?#\d+)", re.IGNORECASE
)
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
Item = dict[str, Any]


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Found:
    """What the searches found, before the per-item requests."""

    authored_prs: dict[str, Item]
    reviewed_prs: dict[str, Item]
    issues: dict[str, Item]
    commented: dict[str, Item]


@dataclass(frozen=True)
class WebHost:
    """Where the forge's web pages are, worked out from its API address: an item's
    link is kept only when it points there (a payload is written by others, and its
    ``html_url`` becomes a link in the report). api.github.com serves github.com,
    api.NAME.ghe.com serves NAME.ghe.com, and a GitHub Enterprise Server at
    ``https://HOST/api/v3`` serves HOST."""

    schemes: frozenset[str]
    host: str
    port: int | None

    @classmethod
    def of(cls, api_url: str) -> WebHost:
        parts = urlsplit(api_url)
        host = parts.hostname or ""
        at_root = parts.path.strip("/") == ""  # api.HOST serves HOST; HOST/api/v3 serves HOST
        web = host.removeprefix("api.") if at_root and host.count(".") >= 2 else host
        # https always; plain http only for a server whose API itself is plain http
        return cls(frozenset({"https", parts.scheme.lower()}), web, _port(api_url))

    def url(self, value: Any) -> str | None:
        """``value`` when it is a link a report may show (``links.http_link``) and a
        page on this host, else None (the item keeps no link)."""
        link = http_link(value)
        if link is None or link != value or any(c in link for c in "\\ <>\"'`"):
            return None
        parts = urlsplit(value)
        ok = (
            parts.scheme.lower() in self.schemes
            and "@" not in parts.netloc
            and parts.hostname == self.host
            and _port(value) == self.port
        )
        return value if ok else None


def _port(url: str) -> int | None:
    """The port of ``url`` when it is not its scheme's default; -1 when unreadable."""
    try:
        port = urlsplit(url).port
    except ValueError:
        return -1
    default = {"http": 80, "https": 443}.get(urlsplit(url).scheme.lower())
    return None if port == default else port


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
        self.web = WebHost.of(client.base_url)
        self._items = 0
        self._spots: list[str] = []
        self._partial = False

    def collect(self) -> Iterator[Evidence]:
        try:
            if not self.logins:  # no login given: the token's own user
                self.logins = (self._token_user(),)
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

    def _token_user(self) -> str:
        login = _text(self.client.get("/user").data, "login")
        if not login:
            raise GitHubError(
                "GitHub named no login for the token", "name the person: --author LOGIN"
            )
        return login

    @property
    def _mine(self) -> set[str]:
        """The subject's logins, lower-cased as ``_login`` gives them."""
        return {login.lower() for login in self.logins}

    def _counted(self, items: Iterator[Evidence]) -> Iterator[Evidence]:
        for item in items:
            self._items += 1
            yield item

    def source(self) -> Source:
        cut = [f"partial: {line}" for line in self.client.stopped]
        spots = [*self._spots, *cut]
        spots.append("GitHub: releases only in the home repositories")
        return Source(
            kind="github",
            location=f"{self.client.base_url} ({', '.join(self.logins) or 'the token user'})",
            items=self._items,
            blind_spots=tuple(spots),
            partial=self._partial or bool(cut),
        )

    def _skip(self, what: str, why: str) -> None:
        """One line for an item GitHub sent in a shape that cannot be read."""
        self._spots.append(f"skipped on GitHub: {what}: {why}")

    def _list(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Iterator[Item]:
        """The objects of a list endpoint; anything else in it is passed over."""
        return (x for x in self.client.paginate(path, params, **kw) if isinstance(x, dict))

    # ------------------------------------------------------------ searches
    def _search(self) -> Found:
        start, end = self.period.start, self.period.end
        authored: dict[str, Item] = {}
        reviewed: dict[str, Item] = {}
        issues: dict[str, Item] = {}
        commented: dict[str, Item] = {}
        for login in self.logins:
            for qualifier in ("created", "merged"):
                for item in self.search(f"type:pr author:{login}", qualifier, start, end):
                    authored[_key(item)] = item
            reviewed_query = f"type:pr reviewed-by:{login} -author:{login}"
            for item in self.search(reviewed_query, "updated", start, None):
                reviewed[_key(item)] = item
            for item in self.search(f"type:issue author:{login}", "created", start, end):
                issues[_key(item)] = item
            for item in self.search(f"type:issue commenter:{login}", "updated", start, None):
                commented[_key(item)] = item
        return Found(authored, reviewed, issues, commented)

    def search(
        self, query: str, field: str, start: datetime, end: datetime | None
    ) -> Iterator[Item]:
        """Every item of a search over ``[start, end)``, halving the window while
        a search would hit GitHub's 1,000-result cap."""
        upper = f"{_stamp(end - timedelta(seconds=1))}" if end else "*"
        q = f"{query} {field}:{_stamp(start)}..{upper}"
        first = self.client.get("/search/issues", {"q": q, "per_page": 100})
        data = first.data if isinstance(first.data, dict) else {}
        capped = _count(data, "total_count") > SEARCH_CAP
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
        for item in self._list("/search/issues", first=first):
            if self._readable(item):
                yield item

    def _readable(self, item: Item) -> bool:
        """Whether a search item has what every later step needs: its repository, its
        number and when it was opened. Anything else missing reads as empty."""
        missing = [
            name
            for name, ok in (
                ("repository_url", _repo(item) is not None),
                ("number", _number(item, "number") is not None),
                ("created_at", _when(item, "created_at") is not None),
            )
            if not ok
        ]
        if missing:
            self._skip(f"search item {_ref(item)}", f"no usable {', '.join(missing)}")
        return not missing

    # ------------------------------------------------------ per-item detail
    def _pull_requests(self, found: dict[str, Item]) -> Iterator[Evidence]:
        for item in found.values():
            repo, number = _repo(item) or "", _number(item, "number")
            merged_at = self._merged_at(repo, item)
            created = _when(item, "created_at")
            if created is None or number is None:  # _readable let no such item through
                continue
            merged = _when({"at": merged_at}, "at")
            if merged and merged in self.period:
                when, state = merged, "merged"
            elif created in self.period:
                when, state = created, "merged" if merged else (_text(item, "state") or "open")
            else:
                continue
            version = _version(item)
            files = list(self._list(f"/repos/{repo}/pulls/{number}/files", version=version))
            author = _login(item.get("user"))
            timeline = self._timeline(repo, number, version)
            rounds = _rounds(timeline, author)
            reviewers = sorted(
                {_login(e.get("user")) for e in timeline if _is_review(e)} - {author, ""}
            )
            paths = tuple(name for f in files if (name := _text(f, "filename")))
            body = _text(item, "body")
            linked = ", ".join(dict.fromkeys(_LINKED.findall(body)))
            notes = [f"Linked issues: {linked}"] if linked else []
            notes += [f"Review rounds: {rounds}"] if rounds else []
            milestone = " ".join(_text(_dict(item, "milestone"), "title").split())
            notes += [f"Milestone: {milestone}"] if milestone else []
            notes += [f"Reviewed by: {', '.join(reviewers)}"] if reviewers else []
            yield Evidence(
                id=f"gh:pr:{repo}#{number}",
                kind="pull_request",
                source="github",
                repo=repo,
                title=_text(item, "title"),
                date=when,
                url=self.web.url(item.get("html_url")),
                stats=Stats(
                    sum(_count(f, "additions") for f in files),
                    sum(_count(f, "deletions") for f in files),
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
                    f"{repo}#{number}: GitHub lists at most {FILES_CAP} files of a pull "
                    "request; its size counts those"
                )
            yield from self._docs(repo, item, files, when)

    def _merged_at(self, repo: str, item: Item) -> str | None:
        """When the pull request was merged: the search says so, except on an older
        GitHub Enterprise Server that leaves ``merged_at`` out; then ask for it."""
        summary = _dict(item, "pull_request")
        if "merged_at" in summary:
            return _text(summary, "merged_at") or None
        number = _number(item, "number")
        pull = self.client.get(f"/repos/{repo}/pulls/{number}", version=_version(item))
        return _text(pull.data, "merged_at") or None

    def _timeline(self, repo: str, number: int, version: str | None) -> list[Item]:
        path = f"/repos/{repo}/issues/{number}/timeline"
        return list(self._list(path, version=version))

    def _docs(self, repo: str, pr: Item, files: list[Item], when: datetime) -> Iterator[Evidence]:
        """Design documents a pull request adds or substantially changes."""
        for f in files:
            name = _text(f, "filename")
            if name and is_design_doc(name) and _count(f, "additions") >= MIN_LINES:
                yield Evidence(
                    id=doc_id(repo, name),
                    kind="design_doc",
                    source="github",
                    repo=repo,
                    title=f"{name.rsplit('/', 1)[-1]} (in {_text(pr, 'title')})",
                    date=when,
                    url=self.web.url(f.get("blob_url")) or self.web.url(pr.get("html_url")),
                    stats=Stats(_count(f, "additions"), _count(f, "deletions"), 1),
                    paths=(name,),
                    matched_as=_login(pr.get("user")),
                )

    def _issues(self, found: dict[str, Item]) -> Iterator[Evidence]:
        for item in found.values():
            created = _when(item, "created_at")
            if created is None or created not in self.period:
                continue
            repo = _repo(item) or ""
            yield Evidence(
                id=f"gh:issue:{repo}#{_number(item, 'number')}",
                kind="issue",
                source="github",
                repo=repo,
                title=_text(item, "title"),
                date=created,
                url=self.web.url(item.get("html_url")),
                message=_text(item, "body"),
                labels=_labels(item),
                state=_text(item, "state") or None,
                matched_as=_login(item.get("user")),
            )

    def _reviews(self, found: dict[str, Item]) -> Iterator[Evidence]:
        """The subject's reviews and line comments, from each pull request's timeline."""
        mine = self._mine
        for item in found.values():
            repo, number = _repo(item) or "", _number(item, "number") or 0
            timeline = self._timeline(repo, number, _version(item))
            reviews = sorted(
                (
                    e
                    for e in timeline
                    if _is_review(e)
                    and _login(e.get("user")) in mine
                    and self._has_id(e, "review", repo, number)
                ),
                key=lambda e: _text(e, "submitted_at"),
            )
            submitted = {review["id"] for review in reviews}
            comments = [  # a pending review's comments are its author's draft
                c
                for event in timeline
                if event.get("event") == "line-commented"
                for c in _objects(event, "comments")
                if _login(c.get("user")) in mine
                and c.get("pull_request_review_id") in (*submitted, None)
                and self._has_id(c, "review comment", repo, number)
            ]
            stamps = [_when(e, "submitted_at") for e in reviews]
            stamps += [_when(c, "created_at") for c in comments]
            if not any(stamp and stamp in self.period for stamp in stamps):
                continue  # nothing of the subject's in the period: ask nothing more
            newcomer = self._newcomer(repo, item)
            yield from self._review_items(repo, item, reviews, comments, newcomer)

    def _has_id(self, thing: Item, what: str, repo: str, number: int) -> bool:
        """Whether ``thing`` has the id its evidence is named by; else it is skipped."""
        if _number(thing, "id") is not None:
            return True
        self._skip(f"a {what} on {repo}#{number}", "no usable id")
        return False

    def _review_items(
        self,
        repo: str,
        item: Item,
        reviews: list[Item],
        comments: list[Item],
        newcomer: bool,
    ) -> Iterator[Evidence]:
        """One pull request's reviews (in order) and line comments in the period."""
        per_review = Counter(c.get("pull_request_review_id") for c in comments)
        labels = _labels(item)
        title = _text(item, "title")
        page = self.web.url(item.get("html_url"))
        reviewed: set[str] = set()
        for review in reviews:
            if commit := _text(review, "commit_id"):
                reviewed.add(commit)
            when = _when(review, "submitted_at")
            if when is None or when not in self.period:
                continue
            state = _text(review, "state").upper()
            count = per_review[review["id"]]
            detail = _review_detail(state, count)
            yield Evidence(
                id=f"gh:review:{review['id']}",
                kind="review",
                source="github",
                repo=repo,
                title=f"Review of {title}" + (f" ({detail})" if detail else ""),
                date=when,
                url=self.web.url(review.get("html_url")) or page,
                message=_with_note(
                    _text(review, "body"), "Pull request by", _login(item.get("user"))
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
            created = _when(comment, "created_at")
            if created is None or created not in self.period:
                continue
            path = _text(comment, "path")
            yield Evidence(
                id=f"gh:review-comment:{comment['id']}",
                kind="review_comment",
                source="github",
                repo=repo,
                title=f"Comment on {path} in {title}",
                date=created,
                url=self.web.url(comment.get("html_url")) or page,
                paths=(path,) if path else (),
                message=_text(comment, "body"),
                newcomer_author=newcomer,
                matched_as=_login(comment.get("user")),
                labels=labels,
                role="reviewer",
            )

    def _newcomer(self, repo: str, item: Item) -> bool:
        """Whether the pull request's author was new to the repository: GitHub says
        first-time contributor, or a contributor with fewer than ``NEWCOMER_PRIOR_PRS``
        earlier pull requests there. That count is one search, asked once ever (the
        past does not change) and kept in the store."""
        association = _text(item, "author_association")
        user = _dict(item, "user")
        if user.get("type") == "Bot":
            return False
        if association in NEWCOMER:
            return True
        author = _login(user)
        if association != "CONTRIBUTOR" or not author:
            return False
        day = _text(item, "created_at")[:10]
        query = f"repo:{repo} type:pr author:{author} created:<{day}"
        found = self.client.get("/search/issues", {"q": query, "per_page": 1}, settled=True)
        return _count(found.data, "total_count") < NEWCOMER_PRIOR_PRS

    def _comments(self, found: dict[str, Item]) -> Iterator[Evidence]:
        mine = self._mine
        since = _stamp(self.period.start)
        for item in found.values():
            repo, number = _repo(item) or "", _number(item, "number") or 0
            path = f"/repos/{repo}/issues/{number}/comments"
            for comment in self._list(path, {"since": since}, version=_version(item)):
                who = _login(comment.get("user"))
                created = _when(comment, "created_at")
                if who not in mine or created is None or created not in self.period:
                    continue
                if not self._has_id(comment, "comment", repo, number):
                    continue
                yield Evidence(
                    id=f"gh:comment:{comment['id']}",
                    kind="issue_comment",
                    source="github",
                    repo=repo,
                    title=f"Comment on {_text(item, 'title')}",
                    date=created,
                    url=self.web.url(comment.get("html_url")),
                    message=_text(comment, "body"),
                    labels=_labels(item),
                    role="commenter",
                    matched_as=who,
                )

    def _releases(self) -> Iterator[Evidence]:
        """Releases the subject published in the home repositories (one request each)."""
        mine = self._mine
        for repo in self.home_repos:
            if _repo({"repository_url": repo}) != repo:  # a remote's path is anyone's text
                self._skip(f"releases of {repo!r}", "not an owner/name")
                continue
            for release in self._list(f"/repos/{repo}/releases"):
                who = _login(release.get("author"))
                when = _when(release, "published_at")
                if who not in mine or when is None or release.get("draft"):
                    continue
                if when not in self.period:
                    continue
                tag = _text(release, "tag_name")
                if not tag:
                    self._skip(f"a release in {repo}", "no usable tag_name")
                    continue
                yield Evidence(
                    id=f"gh:release:{repo}:{tag}",
                    kind="release",
                    source="github",
                    repo=repo,
                    title=f"Release {_text(release, 'name') or tag}",
                    date=when,
                    url=self.web.url(release.get("html_url")),
                    message=_text(release, "body"),
                    matched_as=who,
                )


def _version(item: Item) -> str | None:
    """A search item's ``updated_at``: GitHub moves it on every comment, review, push,
    label or state change, so an answer about the item stored at that same moment is
    still true. (A later edit of a comment's text does not move it: that text is
    refreshed the next time the item changes.)"""
    return _text(item, "updated_at") or None


def _with_note(body: str, label: str, value: str) -> str:
    """``body`` with a ``label: value`` line after it (kept for the promotion case's
    peers), or as it is when there is no value."""
    if not value:
        return body
    return f"{body}\n\n{label}: {value}" if body else f"{label}: {value}"


def _login(who: Any) -> str:
    return _text(who, "login").lower()


def _text(obj: Any, key: str) -> str:
    """A text field of a payload object; empty when it is missing, null or not text
    (a payload is written by others and read as it comes)."""
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, str) else ""


def _dict(obj: Any, key: str) -> Item:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, dict) else {}


def _objects(obj: Any, key: str) -> list[Item]:
    """The objects of a list field; anything else in it is passed over."""
    value = obj.get(key) if isinstance(obj, dict) else None
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _number(obj: Any, key: str) -> int | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _count(obj: Any, key: str) -> int:
    """A count field; 0 when it is missing, null, negative or not a number."""
    return _number(obj, key) or 0


def _when(obj: Any, key: str) -> datetime | None:
    """A timestamp field as an aware datetime; None when it is missing or unreadable."""
    text = _text(obj, key)
    try:
        moment = parse_time(text) if text else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _key(item: Item) -> str:
    """What tells search items apart (found twice, by two searches, they are one)."""
    return f"{item.get('repository_url')}#{item.get('number')}"


def _ref(item: Item) -> str:
    """A search item named for a one-line warning, from what it has."""
    return f"{_repo(item) or '(no repository)'}#{_number(item, 'number') or '?'}"


def _is_review(event: Item) -> bool:
    """A submitted review in a timeline (a pending one is its author's draft)."""
    return (
        event.get("event") == "reviewed"
        and _when(event, "submitted_at") is not None
        and _text(event, "state").lower() != "pending"
    )


def _rounds(timeline: list[Item], author: str) -> int:
    """Review rounds of a pull request: the distinct commits others reviewed."""
    return len(
        {
            _text(e, "commit_id")
            for e in timeline
            if _is_review(e)
            and _text(e, "commit_id")
            and _login(e.get("user")) not in ("", author.lower())
        }
    )


def _review_detail(state: str, comments: int) -> str:
    said = {"APPROVED": "approved", "CHANGES_REQUESTED": "changes requested"}.get(state, "")
    counted = f"{comments} line comment{'s' if comments != 1 else ''}" if comments else ""
    return ", ".join(x for x in (said, counted) if x)


def _repo(item: Item) -> str | None:
    """owner/name from a search item's ``repository_url``; None when it names none (it
    goes into the paths asked next, so it must be a plain owner/name)."""
    repo = "/".join(_text(item, "repository_url").rstrip("/").split("/")[-2:])
    plain = _REPO.fullmatch(repo) and not any(p in (".", "..") for p in repo.split("/"))
    return repo if plain else None


def _labels(item: Item) -> tuple[str, ...]:
    return tuple(name for label in _objects(item, "labels") if (name := _text(label, "name")))


__all__ = ["GitHubCollector", "GitHubError"]
