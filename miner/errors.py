"""Every expected failure, each with a message that says what to do.

The CLI turns a ``MinerError`` into one line on stderr and its ``exit_code``;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class MinerError(Exception):
    """An expected failure: a one-line message and an exit code."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def line(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


class UsageError(MinerError):
    """The user asked for something that cannot mean anything (exit 2)."""

    exit_code = 2


class PeriodError(UsageError):
    """A --period that cannot be parsed."""


class RepositoryError(MinerError):
    """The path is not a usable Git repository."""


class IdentityError(MinerError):
    """No author could be determined, or the author given cannot be the subject."""


class GitError(MinerError):
    """git itself failed or is missing."""


class RulePackError(MinerError):
    """A rule pack failed to load; ``problems`` lists every one with file and line."""

    def __init__(self, path: str, problems: list[str]) -> None:
        count = f"{len(problems)} problem{'s' * (len(problems) != 1)}"
        super().__init__(f"rule pack {path} has {count}", "fix it and run `miner rules test`")
        self.path = path
        self.problems = problems


class NotesError(MinerError):
    """The notes file cannot be read or written."""


class StoreError(MinerError):
    """The evidence store cannot be used."""


class CaseFileError(MinerError):
    """The promotion case file cannot be read; the message names file and line."""
