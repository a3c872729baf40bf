"""``miner doctor``: what works, what does not, and what to do about it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from miner import config, gitcmd
from miner.errors import MinerError
from miner.identity import Matcher, default_author, resolve_subject

MIN_GIT = (2, 30)


@dataclass(frozen=True)
class Check:
    name: str
    status: Literal["ok", "warn", "fail"]
    detail: str


def run_checks(path: Path, given: Mapping[str, Any]) -> Iterator[Check]:
    """Every check for the clone at ``path``, with ``given`` the command line's
    values by option name (``author``, ``store``, ``notes``, ``github-api-url``)."""
    yield _git_version()
    try:
        settings = config.resolve(given, [path])
    except MinerError as exc:
        yield Check("config", "fail", exc.line())
        return
    yield from _settings(settings)
    yield _rules(settings)
    authors = tuple(settings["author"])
    store, notes, api = settings["store"], settings["notes"], settings["github-api-url"]
    try:
        repo = gitcmd.open_repo(path)
    except MinerError as exc:
        yield Check("repository", "fail", exc.line())
        return
    yield Check("repository", "ok", f"{repo.root} ({repo.name})")
    if not repo.has_commits:
        yield Check("history", "fail", "no commits yet")
        return
    if repo.shallow:
        yield Check("history", "warn", "shallow clone: run `git fetch --unshallow` for all of it")
    else:
        yield Check("history", "ok", "complete (not shallow)")
    yield _mailmap(repo.root)
    yield from _identity(repo, authors)
    yield _store(store)
    yield _notes(notes)
    yield from github_checks(api)


def _settings(settings: config.Settings) -> Iterator[Check]:
    """The config files looked at, then each setting and where it came from."""
    for file, exists in settings.files:
        yield Check("config file", "ok", f"{file}{'' if exists else ' (none)'}")
    for warning in settings.warnings:
        yield Check("config file", "warn", warning)
    for key in config.KEYS:
        value = settings[key]
        shown = ", ".join(value) if isinstance(value, tuple) else value
        if shown in (None, ""):
            shown = _UNSET.get(key, "(not set)")
        yield Check(f"setting {key}", "ok", f"{shown} ({settings.origin(key)})")


_UNSET = {
    "author": "(not set: git config user.email)",
    "home-repo": "(not set: --repo and the clones' GitHub remotes)",
    "github": "on when a token is found",
    "rules": "senior-sde",
    "notes": "yours (see notes below), when the report is about you",
    "store": "in your cache folder (see store below)",
    "github-api-url": "$GITHUB_API_URL, else https://api.github.com",
}


def _rules(settings: config.Settings) -> Check:
    """The pack a report would use, loaded: a setting naming a file that is gone or
    broken is a failure here, not a surprise at the next report."""
    from miner import api
    from miner.errors import RulePackError

    try:
        pack = api.rule_pack(settings)
    except RulePackError as exc:
        return Check("rule pack", "fail", exc.problems[0] if exc.problems else exc.line())
    except MinerError as exc:
        return Check("rule pack", "fail", exc.line())
    shown = f"{pack.info.name} v{pack.info.version}: {pack.path}"
    return Check("rule pack", "ok", f"{shown} ({len(pack.areas)} areas, {len(pack.rules)} rules)")


def _git_version() -> Check:
    try:
        out = gitcmd.version_text()
    except (MinerError, OSError) as exc:
        return Check("git", "fail", exc.line() if isinstance(exc, MinerError) else str(exc))
    if gitcmd.version() < MIN_GIT:
        return Check("git", "fail", f"{out}: miner needs git {MIN_GIT[0]}.{MIN_GIT[1]} or newer")
    return Check("git", "ok", out)


def _mailmap(root: Path) -> Check:
    configured = gitcmd.run(root, "config", "mailmap.file", check=False).strip()
    if (root / ".mailmap").is_file() or configured:
        where = configured or ".mailmap"
        return Check("mailmap", "ok", f"{where} in use: aliases are merged as git log does")
    return Check("mailmap", "warn", "no .mailmap: each email counts only as itself")


def _identity(repo: gitcmd.Repo, authors: tuple[str, ...]) -> Iterator[Check]:
    try:
        subject = resolve_subject(repo.root, authors or (default_author(repo),))
    except MinerError as exc:
        yield Check("identity", "fail", exc.line())
        return
    yield Check("identity", "ok", ", ".join(subject.emails + subject.names))
    matcher = Matcher(subject)
    patterns = [f"--author={p}" for p in matcher.git_author_patterns()]
    args = ["log", "--no-merges", "--use-mailmap", "--no-color", "-F", "-i", *patterns, "HEAD"]
    rows = gitcmd.framed(repo.root, args, ("%aN", "%aE", "%at"))
    mine = [r for r in rows if matcher(r[0], r[1]) and gitcmd.seconds(r[2]) is not None]
    if not mine:
        yield Check("commits", "warn", "no commits by this identity; check --author or .mailmap")
        return
    last = max(int(r[2]) for r in mine)
    from miner.model import utc

    yield Check("commits", "ok", f"{len(mine)} commits, the latest on {utc(last):%Y-%m-%d}")


def _store(path: Path | None) -> Check:
    from miner.store import Store, default_store_path

    where = path or default_store_path()
    if path is not None and not path.parent.is_dir():
        return Check("store", "fail", f"{path}: folder {path.parent} does not exist; create it")
    if not where.exists():
        return Check("store", "ok", f"{where} (created on first use)")
    try:
        with Store(where) as store:
            commits = store.db.execute("SELECT COUNT(*) FROM commits").fetchone()[0]
    except MinerError as exc:
        return Check("store", "fail", exc.line())
    return Check("store", "ok", f"{where}: {commits} commits stored")


def _notes(path: Path | None) -> Check:
    from miner.collectors.notes import default_notes_path, read_notes

    where = path or default_notes_path()
    if not where.exists():
        return Check("notes", "warn", f"no notes file at {where}: add notes with `miner note add`")
    try:
        count = len(read_notes(where))
    except MinerError as exc:
        return Check("notes", "fail", exc.line())
    return Check("notes", "ok", f"{where}: {count} notes")


def github_checks(api: str | None) -> Iterator[Check]:
    """Token presence (never its value), the login, scopes and the rate limit left."""
    from miner.ghclient import GitHubClient, api_url, find_token_with_origin

    found = find_token_with_origin()
    if found is None:
        yield Check(
            "github token",
            "warn",
            "none (GH_TOKEN, GITHUB_TOKEN, gh auth token): GitHub is skipped and reports say so",
        )
        return
    token, origin = found
    yield Check("github token", "ok", f"found in {origin}")
    try:
        client = GitHubClient(api_url(api), token, max_wait=0)
        user = client.get("/user")
        scopes = user.headers.get("x-oauth-scopes")
        shown = scopes if scopes else "none listed (fine-grained or app token)"
        yield Check("github login", "ok", f"{user.data['login']} at {client.base_url}")
        yield Check("github scopes", "ok", shown)
        limits = client.get("/rate_limit").data["resources"]
        core, search = limits["core"], limits["search"]
        yield Check(
            "github rate limit",
            "ok" if core["remaining"] > 100 else "warn",
            f"core {core['remaining']}/{core['limit']}, "
            f"search {search['remaining']}/{search['limit']} per minute",
        )
    except MinerError as exc:
        yield Check("github", "fail", exc.line())
    except (KeyError, TypeError, ValueError, AttributeError):  # a payload not in GitHub's shape
        yield Check("github", "fail", f"{api_url(api)} did not answer as GitHub's API does")
