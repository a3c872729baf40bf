"""The promotion case file: the person's own words, kept across every re-run.

A YAML file the person edits::

    summary: |                      # shown under Summary
      ...
    projects:                       # keyed by the ids `miner promo` prints
      p-1a2b3c4d: {name: "...", impact: "..."}
    merge: [[p-1a2b3c4d, p-5e6f7a8b]]  # shown as one project, under the first id
    pin: [git:SHA, ...]             # always shown as key evidence of its areas
    hide:                           # left out; the reason is listed in the methodology
      - {id: git:SHA, why: "..."}
    plan: {delivery: "..."}         # the plan for a weak area

miner only reads it, except ``miner promo --init-case``, which writes the skeleton
of a new file or adds what is missing to an existing one (new project ids, missing
keys, weak areas without a plan), inserting text and never changing a byte of what
is there: comments and the person's text stay exactly as written. It holds the case
file's lock while it reads and writes (runs at the same moment each add their part),
writes only characters YAML accepts (names come from other people's commits), and
replaces the file only with text that loads back with every value kept.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from miner.atomic import locked, write_text
from miner.errors import CaseFileError
from miner.yamlsafe import LineDict, YamlProblem, compose, line_of, load, read_text

KEYS = ("summary", "projects", "merge", "pin", "hide", "plan")
_HINT = "fix the case file (see README, 'Pre-fill your promotion case')"
# What YAML refuses in a file (C0 and C1 controls, surrogates, U+FFFE, U+FFFF) and what
# it reads as a line break or a byte order mark (NEL, LS, PS, U+FEFF): none may end the
# comment a skeleton line carries and start YAML of someone else's making, or make the
# file one that no later run can read.
_UNSAFE = re.compile(
    "[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]"
)
# A key written as is; any other is double-quoted with escapes.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_PARSER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LAYOUT_HINT = "add the new ids by hand, or lay the file out as --init-case writes it (README)"


@dataclass(frozen=True)
class ProjectNote:
    name: str
    impact: str
    line: int


@dataclass(frozen=True)
class Hidden:
    id: str
    why: str
    line: int


@dataclass(frozen=True)
class Case:
    """What the case file says; an absent file says nothing."""

    path: Path
    exists: bool = False
    summary: str = ""
    projects: dict[str, ProjectNote] = field(default_factory=dict)
    pin: tuple[tuple[str, int], ...] = ()  # (evidence id, line)
    hide: tuple[Hidden, ...] = ()
    plan: dict[str, tuple[str, int]] = field(default_factory=dict)  # area -> (text, line)
    merge: tuple[tuple[tuple[str, ...], int], ...] = ()  # (project ids shown as one, line)
    skipped: str = ""  # why the file was not read (someone else's case): a blind spot


def read_case(path: Path) -> Case:
    """The case file at ``path`` (an empty case when there is none). Every problem is
    collected; the first is raised as ``file:line: what is wrong``."""
    try:
        doc = load(read_text(path))
    except FileNotFoundError:
        return Case(path)
    except YamlProblem as exc:
        raise CaseFileError(exc.where(path), _HINT) from exc
    problems: list[str] = []

    def problem(line: int, message: str) -> None:
        problems.append(f"{path}:{line}: {message}")

    case = _check(path, doc, problem)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CaseFileError(problems[0] + more, _HINT)
    return case


def _check(path: Path, doc: Any, problem: Any) -> Case:
    if doc is None:
        return Case(path, exists=True)
    if not isinstance(doc, LineDict):
        problem(1, f"a case file is a mapping with keys {', '.join(KEYS)}")
        return Case(path, exists=True)
    for key, line in doc.duplicates:
        problem(line, f"key '{key}' appears twice")
    for key in doc:
        if key not in KEYS:
            problem(line_of(doc, key), f"unknown key '{key}' (allowed: {', '.join(KEYS)})")
    return Case(
        path,
        exists=True,
        summary=_text(doc, "summary", problem),
        projects=_projects(doc, problem),
        pin=_pins(doc, problem),
        hide=_hidden(doc, problem),
        plan=_plan(doc, problem),
        merge=_merges(doc, problem),
    )


def _text(node: LineDict, key: str, problem: Any) -> str:
    value = node.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        problem(line_of(node, key), f"'{key}' must be text")
        return ""
    return value.strip()


def _mapping(doc: LineDict, key: str, shape: str, problem: Any) -> LineDict:
    """The mapping under ``key``: empty when there is none, and when there is something
    else (a problem: ``'key' shape``)."""
    raw = doc.get(key)
    if raw is not None and not isinstance(raw, LineDict):
        problem(line_of(doc, key), f"'{key}' {shape}")
    return raw if isinstance(raw, LineDict) else LineDict()


def _projects(doc: LineDict, problem: Any) -> dict[str, ProjectNote]:
    raw = _mapping(doc, "projects", "maps project ids to {name, impact}", problem)
    notes: dict[str, ProjectNote] = {}
    for key, value in raw.items():
        line = line_of(raw, key)
        if value is None:
            value = LineDict()
        if not isinstance(value, LineDict):
            problem(line, f"project '{key}' is a mapping with 'name' and 'impact'")
            continue
        for extra in value:
            if extra not in ("name", "impact"):
                problem(line_of(value, extra), f"unknown project key '{extra}' (name, impact)")
        notes[str(key)] = ProjectNote(
            _text(value, "name", problem), _text(value, "impact", problem), line
        )
    return notes


def _pins(doc: LineDict, problem: Any) -> tuple[tuple[str, int], ...]:
    raw = doc.get("pin")
    line = line_of(doc, "pin")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        problem(line, "'pin' is a list of evidence ids (git:SHA, GitHub URLs)")
        return ()
    return tuple((x, line) for x in raw)


def _hidden(doc: LineDict, problem: Any) -> tuple[Hidden, ...]:
    raw = doc.get("hide")
    if raw is None:
        return ()
    line = line_of(doc, "hide")
    if not isinstance(raw, list):
        problem(line, "'hide' is a list of {id, why}")
        return ()
    found = []
    for entry in raw:
        if not isinstance(entry, LineDict) or not isinstance(entry.get("id"), str):
            problem(getattr(entry, "line", line), "each 'hide' entry is {id: ..., why: ...}")
            continue
        for extra in entry:
            if extra not in ("id", "why"):
                problem(line_of(entry, extra), f"unknown hide key '{extra}' (id, why)")
        found.append(Hidden(entry["id"], _text(entry, "why", problem), entry.line))
    return tuple(found)


def _merges(doc: LineDict, problem: Any) -> tuple[tuple[tuple[str, ...], int], ...]:
    raw = doc.get("merge")
    line = line_of(doc, "merge")
    if raw is None:
        return ()
    ok = isinstance(raw, list) and all(
        isinstance(ids, list) and len(ids) >= 2 and all(isinstance(x, str) for x in ids)
        for ids in raw
    )
    if not ok:
        problem(line, "'merge' is a list of lists of two or more project ids")
        return ()
    return tuple((tuple(ids), line) for ids in raw)


def _plan(doc: LineDict, problem: Any) -> dict[str, tuple[str, int]]:
    raw = _mapping(doc, "plan", "maps area ids to your plan text", problem)
    return {str(k): (_text(raw, k, problem), line_of(raw, k)) for k in raw}


# ------------------------------------------------------------------ skeleton
@dataclass(frozen=True)
class SkeletonEntry:
    """A project the skeleton should name: its id and, as a comment, what it is."""

    id: str
    about: str


@dataclass(frozen=True)
class SkeletonResult:
    path: Path
    created: bool
    projects: tuple[str, ...]  # ids added
    keys: tuple[str, ...]  # top-level keys added
    plans: tuple[str, ...]  # areas added under plan


def write_skeleton(
    path: Path, projects: list[SkeletonEntry], weak_areas: list[str]
) -> SkeletonResult:
    """Create the case file, or add to it what is missing: new project ids, missing
    top-level keys, weak areas without a plan. Existing text is never changed: new
    lines are inserted after a block's last entry or at the end of the document."""
    if not path.parent.is_dir():
        raise CaseFileError(f"{path}: folder {path.parent} does not exist", "create it first")
    with ExitStack() as held:
        try:
            held.enter_context(locked(path))
        except OSError as exc:
            raise CaseFileError(
                f"cannot lock {path}: {exc.strerror}", "check that its folder is writable"
            ) from exc
        return _add_missing(path, projects, weak_areas)


def _add_missing(
    path: Path, projects: list[SkeletonEntry], weak_areas: list[str]
) -> SkeletonResult:
    case = read_case(path)  # a malformed file fails here, untouched
    if not case.exists:
        text = _fresh(projects, weak_areas)
        _save(path, "", text, projects, weak_areas)
        ids = tuple(p.id for p in projects)
        return SkeletonResult(path, True, ids, KEYS, tuple(weak_areas))
    original = read_text(path)
    # A last line without its line break gets one, so that what follows starts a line.
    base = original if not original or original.endswith("\n") else original + "\n"
    new_projects = [p for p in projects if p.id not in case.projects]
    new_plans = [a for a in weak_areas if a not in case.plan]
    root = compose(base)
    nodes = _top_nodes(root)
    indent = _top_indent(path, root)
    edits: list[tuple[int, int, str]] = []  # (index, 0 inside a block / 1 new keys, text)
    added_keys: list[str] = []
    tail: list[str] = []
    for key in ("summary", "merge", "pin", "hide"):
        if key not in nodes:
            added_keys.append(key)
            tail.append(_FRESH_KEYS[key])
    for key, lines in (
        ("projects", [_project_line(p) for p in new_projects]),
        ("plan", [_plan_line(a) for a in new_plans]),
    ):
        if key not in nodes:
            added_keys.append(key)
            tail.append(f"{key}:\n" + "".join(f"  {line}\n" for line in lines))
        elif lines:
            at, addition = _insertion(path, base, key, nodes[key], lines)
            edits.append((at, 0, addition))
    if tail:
        block = "".join(tail).splitlines(keepends=True)
        edits.append((_document_end(base), 1, "".join(" " * indent + line for line in block)))
    text = base
    for index, _, addition in sorted(edits, reverse=True):
        text = text[:index] + addition + text[index:]
    if edits:
        _save(path, original, text, new_projects, new_plans)
    return SkeletonResult(
        path,
        False,
        tuple(p.id for p in new_projects),
        tuple(added_keys),
        tuple(new_plans),
    )


_FRESH_KEYS = {
    "summary": "# Your own words, shown under Summary. Nothing is generated for you.\n"
    'summary: ""\n',
    "merge": "# Projects to show as one, named by the first id: [[p-1a2b3c4d, p-5e6f7a8b]]\n"
    "merge: []\n",
    "pin": "# Evidence ids (the JSON's evidence[].id) always shown first in their areas.\n"
    "pin: []\n",
    "hide": "# Evidence to leave out, with why (listed in the methodology):\n"
    '#   - {id: git:SHA, why: "not mine"}\n'
    "hide: []\n",
}


def _fresh(projects: list[SkeletonEntry], weak_areas: list[str]) -> str:
    head = (
        "# Your promotion case: miner promo reads this file and never rewrites it.\n"
        "# `miner promo --init-case` only adds new project ids and missing keys.\n"
    )
    project_lines = "".join(f"  {_project_line(p)}\n" for p in projects)
    plan_lines = "".join(f"  {_plan_line(a)}\n" for a in weak_areas)
    return (
        head
        + _FRESH_KEYS["summary"]
        + "# Projects by the id miner prints; an empty name keeps miner's.\n"
        + "projects:\n"
        + project_lines
        + _FRESH_KEYS["merge"]
        + _FRESH_KEYS["pin"]
        + _FRESH_KEYS["hide"]
        + "# Your plan for each weak area.\n"
        + "plan:\n"
        + plan_lines
    )


def _project_line(p: SkeletonEntry) -> str:
    about = _UNSAFE.sub(" ", p.about).strip()[:100]
    return f'{_key(p.id)}: {{name: "", impact: ""}}  # {about}'


def _plan_line(area: str) -> str:
    return f'{_key(area)}: ""'


def _key(text: str) -> str:
    """``text`` as a mapping key that reads back as the same string: plain when it is
    a simple word YAML reads as text (not ``yes``, ``null``, ``2024``), else quoted."""
    if _PLAIN.fullmatch(text) and yaml.safe_load(text) == text:
        return text
    return '"' + "".join(_escaped(ch) for ch in text) + '"'


def _escaped(ch: str) -> str:
    if ch in '"\\':
        return "\\" + ch
    if not _UNSAFE.match(ch):
        return ch
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _top_nodes(root: yaml.Node | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(root, yaml.MappingNode):
        return {}
    return {str(k.value): (k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode)}


def _top_indent(path: Path, root: yaml.Node | None) -> int:
    """The column of the top-level keys, where new keys go; a top level written
    inline (``{summary: ...}``) takes none."""
    if not isinstance(root, yaml.MappingNode):
        return 0
    if root.flow_style:
        raise CaseFileError(
            f"{path}:{root.start_mark.line + 1}: the top level is written inline; "
            "--init-case adds only to one key per line",
            "write each top-level key on its own line",
        )
    return root.value[0][0].start_mark.column if root.value else 0


def _document_end(text: str) -> int:
    """Where keys added at the top level go: before a ``...`` that ends the document,
    else at the end of the text."""
    for event in yaml.parse(text, Loader=_PARSER):
        if isinstance(event, yaml.DocumentEndEvent) and event.explicit and event.start_mark:
            return int(event.start_mark.index)
    return len(text)


def _insertion(
    path: Path, text: str, key: str, nodes: tuple[yaml.Node, yaml.Node], lines: list[str]
) -> tuple[int, str]:
    """Where and what to insert so ``lines`` become new entries of the block mapping
    under ``key``: after the line its last entry ends on, at its keys' indentation.
    An empty ``key:`` gets them on the lines after it."""
    key_node, value = nodes
    if isinstance(value, yaml.MappingNode) and not value.flow_style and value.value:
        indent = value.value[0][0].start_mark.column
        end = value.value[-1][1].end_mark.index
    elif isinstance(value, yaml.ScalarNode) and value.value == "" and not value.style:
        # An empty value: plain style is None with PyYAML's parser, '' with libyaml's.
        indent, end = key_node.start_mark.column + 2, key_node.end_mark.index
    else:
        line = key_node.start_mark.line + 1
        raise CaseFileError(
            f"{path}:{line}: '{key}' is written inline; --init-case adds only to a block",
            f"write '{key}:' with one entry per line, or add the new ids by hand",
        )
    newline = text.find("\n", end)
    if end == 0 or text[end - 1] == "\n":  # a block scalar ends at the next line's start
        at, prefix = end, ""
    elif newline == -1:
        at, prefix = len(text), "\n"
    else:  # after the rest of the line: a comment there stays where it is
        at, prefix = newline + 1, ""
    return at, prefix + "".join(" " * indent + line + "\n" for line in lines)


def _save(
    path: Path,
    original: str,
    text: str,
    projects: list[SkeletonEntry],
    weak_areas: list[str],
) -> None:
    """Replace the file with ``text`` only when it loads, keeps every value
    ``original`` holds and has the additions: else the layout fooled the insertion."""
    if not _sound(path, original, text, projects, weak_areas):
        raise CaseFileError(
            f"{path}: --init-case cannot add to this file's layout without changing it",
            _LAYOUT_HINT,
        )
    try:
        write_text(path, text)
    except OSError as exc:
        raise CaseFileError(f"cannot write {path}: {exc.strerror}") from exc


def _sound(
    path: Path, original: str, text: str, projects: list[SkeletonEntry], weak_areas: list[str]
) -> bool:
    problems: list[str] = []
    try:
        before, after = load(original), load(text)
    except YamlProblem:
        return False
    case = _check(path, after, lambda line, message: problems.append(message))
    return (
        not problems
        and (before is None or _kept(before, after))
        and all(p.id in case.projects for p in projects)
        and all(area in case.plan for area in weak_areas)
    )


def _kept(before: Any, after: Any) -> bool:
    """Whether ``after`` holds every value of ``before``: mappings may have more keys,
    an empty value (``projects:``) may have become a mapping."""
    if before is None and isinstance(after, dict):
        return True
    if isinstance(before, dict):
        return isinstance(after, dict) and all(
            key in after and _kept(value, after[key]) for key, value in before.items()
        )
    return bool(before == after)
