"""Who the subject is: emails, names and logins resolved into one person.

Identities are joined only through the repository's ``.mailmap`` (git resolves
it; nothing here parses it) and the values the user gives, never by a name that
merely looks alike. Bots are never the subject by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from miner import gitcmd
from miner.errors import IdentityError, UsageError
from miner.model import Subject

_NOREPLY = re.compile(r"^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$", re.IGNORECASE)
_IDENT = re.compile(r"^\s*(.*?)\s*<([^<>]*)>\s*$")


def is_bot(name: str, email: str) -> bool:
    """Whether an identity belongs to an automation account rather than a person."""
    lowered_name, lowered_email = name.lower().strip(), email.lower().strip()
    local = lowered_email.split("@", 1)[0].split("+")[-1]  # noreply: ID+login@...
    return (
        lowered_name.endswith(("[bot]", " bot", "-bot", "_bot"))
        or lowered_name in _BOTS
        or "[bot]@" in lowered_email
        or lowered_email in ("noreply@github.com", "action@github.com")
        or local.endswith(("-bot", "_bot", "[bot]"))
        or local in _BOTS
    )


# Automation accounts known by name that carry no "bot" mark of their own.
_BOTS = frozenset(
    ("dependabot", "renovate", "pre-commit-ci", "github-actions", "mergify", "snyk-bot",
     "allcontributors", "greenkeeper", "pyup-bot", "imgbot", "weblate", "transifex")
)  # fmt: skip


def noreply_login(email: str) -> str | None:
    """The GitHub login behind a ``users.noreply.github.com`` address, if it is one."""
    m = _NOREPLY.match(email)
    return m[1].lower() if m else None


def parse_ident(text: str) -> tuple[str, str]:
    """``Name <email>`` as (name, email); a bare email gives an empty name."""
    m = _IDENT.match(text)
    if m:
        return m[1], m[2].strip()
    return "", text.strip()


def default_author(repo: gitcmd.Repo) -> str:
    """The repository's ``user.email``, refusing a bot as the default subject."""
    email = repo.config_value("user.email").strip()
    if not email:
        raise IdentityError(
            "no author given and git config user.email is not set",
            "pass --author EMAIL (repeatable) or set git config user.email",
        )
    name = repo.config_value("user.name").strip()
    if is_bot(name, email):
        raise IdentityError(
            f"git config user.email is a bot account ({email})",
            "pass --author with the person's own email",
        )
    return email


def is_email(value: str) -> bool:
    """Whether an ``--author`` value names an email (``a@b`` or ``Name <a@b>``)."""
    return "@" in (parse_ident(value)[1] if _IDENT.match(value) else value)


def name_seen(repo: Path, name: str) -> bool:
    """Whether a commit reachable from HEAD has ``name`` as its author name, after
    the mailmap: only then can a bare ``--author`` word be a name rather than a typo."""
    name = name.strip()
    out = gitcmd.run(
        repo,
        "log",
        "--use-mailmap",
        "-F",
        f"--author={name} <",
        "--format=%aN",
        "HEAD",
        check=False,
    )
    return name in gitcmd.lines(out)


def canonical(repo: Path | None, idents: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Each ``Name <email>`` or ``<email>`` resolved through the repository's mailmap."""
    unique = list(dict.fromkeys(idents))
    resolved = {i: parse_ident(i) for i in unique}
    # Only well-formed contacts go to git: a malformed trailer in anyone's commit
    # must not fail the report; it simply stays as written.
    askable = [i for i in unique if _IDENT.match(i) and "\n" not in i]
    if repo is None or not askable:
        return resolved
    for start in range(0, len(askable), 200):
        batch = askable[start : start + 200]
        out = gitcmd.lines(gitcmd.run(repo, "check-mailmap", "--", *batch))
        for given, line in zip(batch, out, strict=True):
            resolved[given] = parse_ident(line)
    return resolved


def resolve_subject(repo: Path | None, authors: Iterable[str]) -> Subject:
    """The subject from ``--author`` values: emails resolved through the mailmap,
    anything else taken as both an exact author name and a GitHub login."""
    emails: list[str] = []
    names: list[str] = []
    logins: list[str] = []
    given = [a.strip() for a in authors if a.strip()]
    if not given:
        raise UsageError("--author is empty", "give an email, a name or a GitHub login")
    given = [parse_ident(a)[1] if _IDENT.match(a) else a for a in given]
    email_values = [a for a in given if "@" in a]
    resolved = canonical(repo, [f"<{e}>" for e in email_values])
    for email in email_values:
        emails.append(email.lower())
        emails.append(resolved[f"<{email}>"][1].lower())
        if login := noreply_login(email):
            logins.append(login)
    for value in given:
        if "@" not in value:
            names.append(value)
            if re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})", value):
                logins.append(value.lower())
    return Subject(
        emails=tuple(dict.fromkeys(emails)),
        names=tuple(dict.fromkeys(names)),
        logins=tuple(dict.fromkeys(logins)),
    )


@dataclass(frozen=True)
class Matcher:
    """Decides whether a mailmap-resolved identity is the subject."""

    subject: Subject

    def __call__(self, name: str, email: str) -> bool:
        lowered = email.lower()
        if lowered in self.subject.emails:
            return True
        if is_bot(name, email):
            return False
        if name and name in self.subject.names:
            return True
        login = noreply_login(email)
        return login is not None and login in self.subject.logins

    def git_author_patterns(self) -> list[str]:
        """Fixed strings for ``git log -F -i --author``: a superset of what matches,
        narrowed exactly afterwards by calling the matcher."""
        patterns = [f"<{e}>" for e in self.subject.emails]
        patterns += [f"{n} <" for n in self.subject.names]
        patterns += [f"{login}@users.noreply.github.com>" for login in self.subject.logins]
        return patterns
