"""YAML the user gives (notes, rule packs, their ``extends:``), loaded within bounds.

Every such file is someone else's text: it may be a FIFO or ``/dev/zero`` (a read
that never ends), megabytes long, nested thousands deep (a RecursionError while
building it) or a "billion laughs" of aliases (a few hundred bytes that expand to
gigabytes as soon as anything walks the result). So a file is read only when it is
a regular file and at most ``MAX_BYTES`` long, and its events are counted before
anything is built: nesting deeper than ``MAX_DEPTH`` or more than ``MAX_NODES``
nodes with every alias expanded is refused with the line where it happens.

Mappings load as ``LineDict``, which remembers the line of itself and of each key,
so callers can name every problem as ``file:line``. Timestamps stay strings (the
caller parses dates and says which line is wrong); nothing but plain data is built.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000


class YamlProblem(Exception):
    """A file that cannot be loaded; ``line`` is 1-based, 0 when no line applies."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def where(self, path: Path | str) -> str:
        """``file:line: message`` (or ``file: message`` without a line)."""
        return f"{path}:{self.line}: {self.message}" if self.line else f"{path}: {self.message}"


class LineDict(dict[Any, Any]):
    """A YAML mapping that remembers the line of itself and of each key."""

    line = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}
        self.duplicates: list[tuple[Any, int]] = []


def line_of(node: Any, key: str) -> int:
    """The line of ``key`` in ``node`` (of ``node`` itself when the key is absent)."""
    if isinstance(node, LineDict):
        return node.key_lines.get(key, node.line)
    return 0


# libyaml's parser when PyYAML was built with it (10x faster on the default pack);
# construction stays in Python either way, so the line tracking below works with both.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    data = LineDict()
    data.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool) and key is not None:
            key = str(key)
        if key in data:
            data.duplicates.append((key, line))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line
    return data


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
# A date such as 2024-02-30 would fail inside PyYAML with no line; as a string, the
# caller checks it and names the line.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


def read_text(path: Path, limit: int = MAX_BYTES, follow_links: bool = True) -> str:
    """The text of ``path``, which must be a regular file of at most ``limit`` bytes.

    Opened once, without blocking (a FIFO is refused instead of waiting for a writer),
    and the opened file is what is checked: nothing can swap a FIFO or a link in
    between. With ``follow_links`` False a link is refused too (in a clone it could
    lead anywhere). Raises ``FileNotFoundError`` when it does not exist and
    ``YamlProblem`` otherwise."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_links else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_links:
            raise YamlProblem("is a link, not a file") from exc
        raise YamlProblem(f"cannot be read: {exc.strerror}") from exc
    try:  # checked before a file object is made: one refuses a folder with its own error
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise YamlProblem("is not a regular file (a FIFO, a device or a folder)")
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        size = f"{limit >> 20} MB" if limit % (1 << 20) == 0 else f"{limit >> 10} KiB"
        raise YamlProblem(f"is larger than {size}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlProblem("is not UTF-8 text", line) from exc


def load(text: str) -> Any:
    """The data in ``text`` (mappings as ``LineDict``); raises ``YamlProblem``."""
    try:
        _check_bounds(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlProblem(f"not valid YAML: {problem}", line) from exc
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. a 5,000-digit number
        raise YamlProblem(f"holds a value that cannot be read ({type(exc).__name__})") from exc


def compose(text: str) -> yaml.Node | None:
    """The node tree of ``text`` (marks give each node's lines), within the same bounds."""
    try:
        _check_bounds(text)
        return yaml.compose(text, Loader=_Base)
    except yaml.YAMLError as exc:
        raise YamlProblem(f"not valid YAML: {exc}") from exc


def load_file(path: Path) -> Any:
    """``load`` of ``read_text``: the whole check for a file the user gave."""
    return load(read_text(path))


def _check_bounds(text: str) -> None:
    """Walk the events once, counting each node as often as aliases repeat it."""
    sizes: dict[str, int] = {}  # anchor -> its node's expanded size
    stack: list[tuple[str | None, int]] = [(None, 0)]  # (anchor, size so far)
    total = 0
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append((event.anchor, 1))
            if len(stack) > MAX_DEPTH + 1:
                raise YamlProblem(f"nested deeper than {MAX_DEPTH}", _line(event))
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = stack.pop()
        elif isinstance(event, yaml.AliasEvent):
            anchor, size = None, sizes.get(event.anchor or "", 1)
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
        else:
            continue
        if anchor:
            sizes[anchor] = size
        parent, count = stack[-1]
        stack[-1] = (parent, count + size)
        total = max(total, stack[-1][1])
        if total > MAX_NODES:
            raise YamlProblem(
                f"expands to more than {MAX_NODES:,} values (aliases repeat too much)",
                _line(event),
            )


def _line(event: yaml.Event) -> int:
    mark = event.start_mark
    return mark.line + 1 if mark is not None else 1
