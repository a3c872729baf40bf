"""Defaults people would otherwise repeat on every run, from two files.

Each value comes from the first of: the command line; the repository's
``.miner.yaml`` (at the clone's root); the user's ``config.yaml`` (in the
platform's config folder, ``miner doctor`` shows it); the built-in default.

A repository's file is written by whoever commits to it, so it may only shape
the report of that repository: ``home-repo``, ``rules`` (a built-in pack, or a
file inside the clone), ``period`` and ``format``. Who the report is about
(``author``), where files are read and written (``notes``, ``store``) and where
the token is sent (``github-api-url``, ``github``) come only from the user: a
repository's file that sets them is ignored with a warning, never obeyed. Neither
file can run anything: both are plain YAML, read with the safe loader.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from miner.errors import MinerError, UsageError
from miner.report.render import FORMATS

REPO_FILE = ".miner.yaml"
MAX_BYTES = 64 * 1024  # a defaults file is a few lines; more is not one
LISTS = ("author", "home-repo")
PATHS = ("notes", "store")
BOOLS = ("github",)
TEXTS = ("rules", "github-api-url", "period", "format")
KEYS = (*LISTS, *PATHS, *BOOLS, *TEXTS)
FROM_REPO = frozenset({"home-repo", "rules", "period", "format"})
DEFAULTS: dict[str, Any] = {
    "author": (),
    "home-repo": (),
    "notes": None,
    "store": None,
    "github": None,
    "rules": None,
    "github-api-url": None,
    "period": "last-quarter",
    "format": "md",
}
COMMAND_LINE = "command line"
# OWNER/NAME as GitHub spells it; a home repository may also be GitLab's GROUP/SUB/NAME.
OWNER_NAME = re.compile(r"(?!\.)[A-Za-z0-9_.-]+/(?!\.)[A-Za-z0-9_.-]+")
GROUPS_NAME = re.compile(r"(?!\.)[A-Za-z0-9_.-]+(?:/(?!\.)[A-Za-z0-9_.-]+)+")
DEFAULT = "default"


@dataclass(frozen=True)
class Setting:
    value: Any
    origin: str  # "command line", a file's path, or "default"


@dataclass(frozen=True)
class Settings:
    """Every key's value and where it came from."""

    values: Mapping[str, Setting]
    files: tuple[tuple[Path, bool], ...] = ()  # each file looked at, and whether it exists
    warnings: tuple[str, ...] = field(default=())
    mine: tuple[str, ...] = ()  # the user's own identities: ``author`` in their own file

    def __getitem__(self, key: str) -> Any:
        return self.values[key].value

    def origin(self, key: str) -> str:
        return self.values[key].origin

    def source(self, key: str) -> str:
        """Where ``key`` was set, as the user wrote it, for a message: ``--store PATH``
        or ``store: PATH in FILE``; a setting the user never typed is not named as an option."""
        value = self[key]
        if isinstance(value, tuple):
            value = ", ".join(value)
        shown = "true" if value is True else "false" if value is False else str(value)
        if self.origin(key) == COMMAND_LINE:
            if isinstance(self[key], bool):
                return f"--{key}" if self[key] else f"--no-{key}"
            return f"--{key} {shown}"
        return f"{key}: {shown} in {self.origin(key)}"


def user_config_path() -> Path:
    from platformdirs import user_config_path as folder

    return folder("contribution-miner") / "config.yaml"


def clone_root(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` that holds ``.git`` (a folder, or a
    worktree's file), found without starting git."""
    start = path.expanduser().absolute()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def resolve(
    given: Mapping[str, Any], paths: Sequence[Path], user_file: Path | None = None
) -> Settings:
    """The settings for a run on ``paths`` (none: the current folder), with
    ``given`` the command line's values (None or empty: not given)."""
    user_file = user_file or user_config_path()
    warnings: list[str] = []
    user = _user_values(user_file)
    roots = list(dict.fromkeys(r for p in paths or [Path.cwd()] if (r := clone_root(p))))
    repo_files = [root / REPO_FILE for root in roots]
    conflicts: dict[str, str] = {}
    repo = _repo_values(repo_files, warnings, conflicts)
    values: dict[str, Setting] = {}
    for key in KEYS:
        wanted = given.get(key)
        if wanted not in (None, ()):
            values[key] = Setting(wanted, COMMAND_LINE)
        elif key in conflicts:
            raise UsageError(conflicts[key], f"pass --{key} to choose")
        elif key in repo:
            values[key] = repo[key]
        elif key in user:
            values[key] = user[key]
        else:
            values[key] = Setting(DEFAULTS[key], DEFAULT)
    files = ((user_file, user_file.is_file()), *((f, f.is_file()) for f in repo_files))
    mine = tuple(user["author"].value) if "author" in user else ()
    return Settings(values, files, tuple(warnings), mine)


def _read(path: Path, links: bool = False) -> Any:
    """The YAML in ``path`` (None when there is no such file), opened once and checked
    as opened (``yamlsafe.read_text``): a regular file of at most ``MAX_BYTES``, and a
    link only with ``links`` (in a clone it could lead to a device or a FIFO)."""
    if not os.path.lexists(path):  # no file, no yaml import: most runs have none
        return None
    from miner import yamlsafe

    try:  # bounded: a clone's file is someone else's text (aliases, nesting)
        return yamlsafe.load(yamlsafe.read_text(path, MAX_BYTES, follow_links=links))
    except FileNotFoundError:  # gone since, or a link to nothing
        return None
    except yamlsafe.YamlProblem as exc:
        problem = exc.message.removeprefix("is ")  # "cannot be read: larger than 64 KiB"
        raise ValueError(f"line {exc.line}: {problem}" if exc.line else problem) from exc


def _user_values(path: Path) -> dict[str, Setting]:
    """The user's own file: any problem is a usage error, since they can fix it."""
    try:
        doc = _read(path, links=True)
    except (OSError, ValueError) as exc:
        raise UsageError(f"config file {path} cannot be read: {_first_line(exc)}", _FIX) from exc
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise UsageError(f"config file {path} is not a mapping of key: value", _FIX)
    values = {}
    for key, raw in doc.items():
        if key not in KEYS:
            raise UsageError(f"config file {path}: unknown key {key!r}", f"use: {', '.join(KEYS)}")
        problem, value = _value(str(key), raw, path.parent)
        if problem:
            raise UsageError(f"config file {path}: {key}: {problem}", _FIX)
        values[key] = Setting(value, str(path))
    return values


def _repo_values(
    files: list[Path], warnings: list[str], conflicts: dict[str, str]
) -> dict[str, Setting]:
    """The clones' own files, written by others: a problem is a warning and the
    value is left out. Lists are joined; a single value the clones disagree on
    goes into ``conflicts``: unless the command line decides, either would be a guess."""
    values: dict[str, Setting] = {}
    for path in files:
        try:
            doc = _read(path)
        except (OSError, ValueError) as exc:
            warnings.append(f"{path} is ignored: {_first_line(exc)}")
            continue
        if doc is None:
            continue
        if not isinstance(doc, dict):
            warnings.append(f"{path} is ignored: not a mapping of key: value")
            continue
        for key, raw in doc.items():
            if key not in FROM_REPO:
                why = "not a key miner knows" if key not in KEYS else "only your own config sets it"
                warnings.append(f"{path}: {str(key)[:40]!r} is ignored ({why})")
                continue
            problem, value = _value(key, raw, path.parent, inside=path.parent)
            if problem:
                warnings.append(f"{path}: {key} is ignored ({problem})")
            elif key in LISTS:
                old = values[key].value if key in values else ()
                values[key] = Setting(tuple(dict.fromkeys((*old, *value))), str(path))
            elif key in values and values[key].value != value:
                conflicts[key] = (
                    f"{key} is {values[key].value!r} in {values[key].origin} "
                    f"but {value!r} in {path}"
                )
            else:
                values[key] = Setting(value, str(path))
    return values


def _value(key: str, raw: Any, base: Path, inside: Path | None = None) -> tuple[str, Any]:
    """(problem, value): the value checked for its key; paths relative to ``base``.
    ``inside``: a file the value names must stay within that folder."""
    if key in LISTS:
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            return "give a list of text values", None
        bad = [i for i in items if key == "home-repo" and not GROUPS_NAME.fullmatch(i)]
        if bad:
            return f"{bad[0][:80]!r} is not OWNER/NAME", None
        return "", tuple(items)
    if key in BOOLS:
        return ("", raw) if isinstance(raw, bool) else ("give true or false", None)
    if not isinstance(raw, str) or not raw.strip():
        return "give a text value", None
    if key in PATHS:
        return "", (base / Path(raw).expanduser())
    if key == "format" and raw not in FORMATS:
        return f"{raw[:40]!r} is not one of {', '.join(FORMATS)}", None
    if key == "period":
        from miner.periods import parse_period

        try:
            parse_period(raw)
        except MinerError as exc:
            return exc.message, None
    if (
        key == "rules"
        and not _builtin(raw)
        and (inside or "/" in raw or raw.endswith((".yaml", ".yml")))
    ):
        path = (base / Path(raw).expanduser()).resolve()
        if inside is not None and not path.is_relative_to(inside.resolve()):
            return "a pack outside the clone", None
        if inside is not None and not path.is_file():  # a FIFO would hang the run
            return "no such regular file in the clone", None
        return "", str(path)
    return "", raw


def _builtin(name: str) -> bool:
    from miner.engine.loader import builtin_packs

    return name in builtin_packs()


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


_FIX = "fix it (see 'Configuration' in the README), or move it aside"
