"""A small, polite GitHub REST client: the only code that talks to the API.

Why plain ``requests`` rather than PyGithub: every request here is conditional
on a stored ETag (a 304 costs nothing against the rate limit, so a re-run is
nearly free and an interrupted run resumes), and the rate-limit policy (wait
when the wait is short, else stop and say so) must be ours. PyGithub sends no
``If-None-Match`` and waits or raises on its own terms.

Promises:
- pagination by ``Link`` headers, ``per_page=100``;
- primary limit (``x-ratelimit-remaining: 0``): wait for the reset when it is at
  most ``max_wait`` seconds away, else raise ``RateLimited`` (the caller stops
  and marks its report partial);
- secondary limits (403/429 with ``retry-after``, or a 403 that says so) are
  waited out, a bounded number of times;
- 5xx and network errors are retried with exponential backoff, a bounded number
  of times; 401 and 404 end with one clear line;
- the token is sent in a header only; it never appears in a URL, a message, a
  log line or the store; and it goes only to the configured API: a ``Link`` that
  leads anywhere else (another host, scheme or port, or outside the API's path) is
  not followed, the listing stops there and ``stopped`` says so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from miner.errors import MinerError, UsageError
from miner.store import Cached, HttpCache

if TYPE_CHECKING:
    import requests

DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100
RETRIES = 3
SEARCH_CAP = 1000
USER_AGENT = "contribution-miner"
SETTLED = "settled"  # stored in place of an ETag: an answer that cannot change


class GitHubError(MinerError):
    """GitHub answered in a way collection cannot go on from."""


class RateLimited(GitHubError):
    """A rate limit that cannot be waited out: the primary one spent with its reset
    too far away, or a limit still met after every retry."""

    def __init__(self, reset: float) -> None:
        when = time.strftime("%H:%M UTC", time.gmtime(reset))
        super().__init__(
            f"GitHub rate limit spent until {when}",
            "what was collected is kept; re-run after that to complete the report",
        )
        self.reset = reset


class Unreachable(GitHubError):
    """GitHub did not answer at all after every retry (no network, a wrong host):
    what Git holds is still reported, marked partial."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} after {RETRIES + 1} tries",
            "check the network and --github-api-url, or pass --no-github to leave GitHub out",
        )


def find_token(environ: dict[str, str] | None = None) -> str | None:
    """``GH_TOKEN``, then ``GITHUB_TOKEN``, then ``gh auth token`` if gh is installed."""
    found = find_token_with_origin(environ)
    return found[0] if found else None


def find_token_with_origin(environ: dict[str, str] | None = None) -> tuple[str, str] | None:
    """The token and where it came from (a name that is safe to print)."""
    env = os.environ if environ is None else environ
    for name in ("GH_TOKEN", "GITHUB_TOKEN"):
        if env.get(name, "").strip():
            return env[name].strip(), name
    gh = shutil.which("gh")
    if gh is None:
        return None
    try:
        out = subprocess.run(
            [gh, "auth", "token"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    token = out.stdout.strip() if out.returncode == 0 else ""
    return (token, "gh auth token") if token else None


def api_url(given: str | None, environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    url = given or env.get("GITHUB_API_URL") or DEFAULT_API_URL
    if not url.startswith(("https://", "http://")):
        raise UsageError(
            f"--github-api-url {url!r} is not an http(s) URL",
            "use https://api.github.com or https://HOST/api/v3 for GitHub Enterprise Server",
        )
    return url.rstrip("/")


@dataclass
class Response:
    status: int
    data: Any
    headers: dict[str, str]


@dataclass
class GitHubClient:
    base_url: str
    token: str
    cache: HttpCache | None = None
    max_wait: float = 60.0
    # Looked up at call time, so tests can replace time.sleep and time.time.
    sleep: Callable[[float], None] = field(default=lambda seconds: time.sleep(seconds))
    clock: Callable[[], float] = field(default=lambda: time.time())
    session: requests.Session = field(default_factory=lambda: _requests().Session())
    # Listings cut short because their next page lay outside the API (one line each):
    # the collector reports them and marks its source partial.
    stopped: list[str] = field(default_factory=list)

    def get(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        settled: bool = False,
        version: str | None = None,
    ) -> Response:
        """One GET, conditional on a stored ETag, with the rate-limit and retry policy.

        ``settled``: the answer is about the past and cannot change, so once stored it
        is used without asking (for searches, which GitHub gives no ETag).
        ``version``: the ``updated_at`` of the pull request or issue the answer is about,
        as a search just gave it; an answer stored at that same version is used without
        asking. ETags are per token, so this is what lets a new token (every Actions
        run has one) reuse what cannot have changed."""
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        if not on_api(url, self.base_url):
            raise GitHubError(
                f"refused to send the token to {_origin(url)}: it is not {self.base_url}",
                "check --github-api-url",
            )
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(sorted(params.items()))}"
        stored = self.cache.get(url) if self.cache else None
        if stored is not None and (
            stored.etag == SETTLED or (version and stored.version == version)
        ):
            return Response(
                200, json.loads(stored.body), {"link": stored.link} if stored.link else {}
            )
        requests = _requests()
        for attempt in range(RETRIES + 1):
            try:
                reply = self.session.get(url, headers=self._headers(stored), timeout=30)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == RETRIES:
                    raise Unreachable(f"GitHub did not answer ({type(exc).__name__})") from exc
                self.sleep(2.0**attempt)
                continue
            headers = {k.lower(): v for k, v in reply.headers.items()}
            if reply.status_code == 304 and stored is not None:
                if self.cache is not None and version and version != stored.version:
                    self.cache.put(url, stored.etag, stored.body, stored.link, version)
                self._pace(headers)
                if stored.link:
                    headers["link"] = stored.link
                return Response(304, json.loads(stored.body), headers)
            if reply.status_code < 300:
                data = reply.json() if reply.content else None
                complete = not (isinstance(data, dict) and data.get("incomplete_results"))
                etag = SETTLED if settled and complete else headers.get("etag", "")
                if self.cache is not None and (etag or version):
                    self.cache.put(url, etag, reply.text, headers.get("link", ""), version or "")
                self._pace(headers)
                return Response(reply.status_code, data, headers)
            if self._wait_for_limit(reply.status_code, headers, reply.text, attempt):
                continue
            if reply.status_code >= 500 and attempt < RETRIES:
                self.sleep(2.0**attempt)
                continue
            raise self._error(reply.status_code, path, reply.text)
        raise GitHubError(f"GitHub kept failing for {path}", "re-run later")

    def paginate(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        first: Response | None = None,
        version: str | None = None,
    ) -> Iterator[Any]:
        """Every item of a list endpoint, following ``Link: rel="next"``; ``first``
        is its first page when the caller already has it; ``version`` as for ``get``,
        for every page."""
        params = {**(params or {}), "per_page": PER_PAGE}
        response = first or self.get(path, params, version=version)
        while True:
            items = (
                response.data.get("items", []) if isinstance(response.data, dict) else response.data
            )
            yield from items if isinstance(items, list) else []
            next_url = _next_link(response.headers.get("link", ""))
            if next_url is None:
                return
            if not on_api(next_url, self.base_url):
                self.stopped.append(
                    f"{path}: the next page is on {_origin(next_url)}, not {self.base_url}; "
                    "not followed (the token goes to the API only), the list is cut there"
                )
                return
            response = self.get(next_url, version=version)

    def send(self, method: str, path: str, payload: dict[str, Any]) -> Response:
        """One POST or PATCH (the Action opening or updating an issue). Not retried: a
        retry after a lost answer could open the issue twice."""
        requests = _requests()
        try:
            reply = self.session.request(
                method,
                f"{self.base_url}{path}",
                json=payload,
                headers=self._headers(None),
                timeout=30,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise GitHubError(
                f"GitHub did not answer ({type(exc).__name__})", "re-run the job"
            ) from exc
        if reply.status_code in (403, 404):
            raise GitHubError(
                f"GitHub refused {method} {path} ({reply.status_code}: {_message(reply.text)})",
                "give the job `permissions: issues: write`",
            )
        if reply.status_code >= 300:
            raise self._error(reply.status_code, path, reply.text)
        headers = {k.lower(): v for k, v in reply.headers.items()}
        return Response(reply.status_code, reply.json() if reply.content else {}, headers)

    def _headers(self, stored: Cached | None) -> dict[str, str]:
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "User-Agent": USER_AGENT,
            "X-GitHub-Api-Version": "2022-11-28",
        }
        if stored is not None and stored.etag:
            headers["If-None-Match"] = stored.etag
        return headers

    def _pace(self, headers: dict[str, str]) -> None:
        """Before the limit is hit: when this was the last request of the window,
        wait for the reset now if it is near, else stop."""
        if headers.get("x-ratelimit-remaining") != "0":
            return
        reset = float(headers.get("x-ratelimit-reset", self.clock() + 60))
        self._wait_until(reset)

    def _wait_until(self, reset: float) -> None:
        wait = reset - self.clock() + 1
        if wait > self.max_wait:
            raise RateLimited(reset)
        if wait > 0:
            self.sleep(wait)

    def _wait_for_limit(
        self, status: int, headers: dict[str, str], body: str, attempt: int
    ) -> bool:
        """Whether a 403/429 was a rate limit that has now been waited out. A limit
        still met on the last attempt stops collecting: the report is marked partial."""
        if status not in (403, 429):
            return False
        if "retry-after" in headers:
            try:
                wait = float(headers["retry-after"])
            except ValueError:  # an HTTP date: wait the minute GitHub asks for at least
                wait = 60.0
        elif headers.get("x-ratelimit-remaining") == "0":
            reset = float(headers.get("x-ratelimit-reset", self.clock() + 60))
            if attempt == RETRIES:
                raise RateLimited(reset)
            self._wait_until(reset)
            return True
        elif "secondary rate limit" in body.lower():
            wait = 60.0 * 2**attempt
        else:
            return False
        if attempt == RETRIES:
            raise RateLimited(self.clock() + wait)
        self.sleep(wait)
        return True

    def _error(self, status: int, path: str, body: str) -> GitHubError:
        message = _message(body)
        if status == 401:
            return GitHubError(
                "GitHub rejected the token (401 Bad credentials)",
                "set GH_TOKEN or GITHUB_TOKEN to a valid token, or run without --github",
            )
        if status == 403 and path == "/user":
            return GitHubError(
                "the token belongs to no user (a GITHUB_TOKEN or a GitHub App token), "
                "so GitHub cannot say whose work to report",
                "name the person: --author LOGIN (the Action's `author` input)",
            )
        if status == 404:
            return GitHubError(
                f"GitHub has no {path} (404)",
                "check --github-api-url (GitHub Enterprise Server: https://HOST/api/v3) "
                "and that the token can see it",
            )
        if status == 422:
            return GitHubError(f"GitHub refused the query for {path}: {message}", "check --author")
        return GitHubError(f"GitHub answered {status} for {path}: {message}", "re-run later")


def on_api(url: str, base_url: str) -> bool:
    """Whether ``url`` is on the API at ``base_url``: the same scheme, host and port,
    a path under the base path, and nothing that parsers read two ways (credentials
    before the host, a backslash, a dot segment)."""
    try:
        got, base = urlsplit(url), urlsplit(base_url)
        ports = (got.port or _PORTS.get(got.scheme), base.port or _PORTS.get(base.scheme))
    except ValueError:  # a port that is no number
        return False
    if "@" in got.netloc or "\\" in url or not got.hostname:
        return False
    segments = got.path.split("/")
    prefix = base.path.rstrip("/")
    return (
        got.scheme.lower() == base.scheme.lower()
        and got.hostname == base.hostname
        and ports[0] == ports[1]
        and (got.path == prefix or got.path.startswith(f"{prefix}/"))
        and "." not in segments
        and ".." not in segments
    )


_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> str:
    """Where ``url`` points, short and safe to print (no credentials, no path)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "an unreadable address"
    return f"{parts.scheme}://{host}{port}"


def _requests() -> Any:
    """``requests``, imported on first use: a run without GitHub never pays for it."""
    import requests

    return requests


def _message(body: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body[:120]
    return str(data.get("message", ""))[:200] if isinstance(data, dict) else ""


_LINK = re.compile(r'<([^>]+)>;\s*rel="([^"]+)"')


def _next_link(header: str) -> str | None:
    return next((url for url, rel in _LINK.findall(header) if rel == "next"), None)
