"""The parts of the code the subject owned in the period.

A component is a source file. The subject owns one when, in the period, they made
at least ``MIN_COMMITS`` of the commits that changed it, over at least ``MIN_DAYS``
days (sustained, not one burst), and most of its latest commits: at most ``SAMPLE`` of
them, committed in the period's last ``RECENT_DAYS`` days (merges left out). Docs,
tests, changelogs, configuration and lockfiles are not components.

Only the ``CANDIDATES`` files the subject changed most are asked about, in one
``git log --name-only`` limited to them (no line diffs) that stops at the start of those
last days (plain ``--since``: a commit dated before its parent may end the walk a
little early; these are counts, not evidence); the answer is kept per head in the
store's selections.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from miner import gitcmd
from miner.collectors.gitlog import Commit
from miner.globs import globs_matcher
from miner.model import Evidence

if TYPE_CHECKING:
    from miner.collectors.git import GitHistory

MIN_COMMITS = 5
MIN_DAYS = 30
CANDIDATES = 3
SAMPLE = 30
RECENT_DAYS = 90
NOT_COMPONENTS = (
    "docs/", "doc/", "test/", "tests/", "testing/", "__tests__/", "examples/",
    "test_*.py", "*_test.*", "*.test.*", "*_spec.*", "conftest.py", "changelog/",
    "*.md", "*.rst", "*.txt", "*.adoc", "CHANGE*", "HISTORY*", "NEWS*", "README*",
    "*.toml", "*.cfg", "*.ini", "*.yaml", "*.yml", "*.json", "*.lock", "go.sum",
    ".*", "__init__.py", "setup.py", "Makefile", "vendor/", "third_party/",
)  # fmt: skip


class Ownership:
    """The components the subject owned, from their commits and one walk."""

    def __init__(self, history: GitHistory) -> None:
        self.history = history
        self._counts: Counter[str] = Counter()
        self._days: dict[str, set[int]] = {}
        self._component: dict[str, bool] = {}  # each distinct path is classified once
        self._not_component: Callable[[str], bool] | None = None  # built at the first path

    def count(self, commit: Commit) -> None:
        """Count one of the subject's own commits (called as each is read, so that
        ``candidates`` has nothing left to do once the last one is)."""
        day = int(commit.date.timestamp()) // 86400
        component = self._component
        for path in commit.paths:
            known = component.get(path)
            if known is None:
                known = component[path] = self._is_component(path)
            if known:
                self._counts[path] += 1
                self._days.setdefault(path, set()).add(day)

    def _is_component(self, path: str) -> bool:
        if self._not_component is None:  # not before: the walks start first
            self._not_component = globs_matcher(NOT_COMPONENTS)
        return not self._not_component(path)

    def candidates(self) -> list[str]:
        """The files the subject changed most, in enough commits over enough days,
        among the commits counted."""
        days = self._days
        sustained = [
            (-n, path)
            for path, n in self._counts.items()
            if n >= MIN_COMMITS and max(days[path]) - min(days[path]) >= MIN_DAYS
        ]
        # ties go by path: the commits come in no set order (the walks run side by side)
        return sorted(path for _, path in sorted(sustained)[:CANDIDATES])

    def cached(self, paths: list[str]) -> list[tuple[str, ...]] | None:
        return self.history.side_rows("owner:" + "\n".join(paths))

    def save(self, paths: list[str], rows: list[tuple[str, ...]]) -> None:
        self.history.save_side_rows("owner:" + "\n".join(paths), rows)

    def walk(self, paths: list[str]) -> list[tuple[str, ...]]:
        """Rows (path, the subject's commits, commits counted) of the owned ``paths``."""
        if not paths:
            return []
        h = self.history
        start = int(max(h.period.start, h.period.end - timedelta(days=RECENT_DAYS)).timestamp())
        end = int(h.period.end.timestamp()) - 1
        revs = gitcmd.every_branch() if h.all_branches else ["HEAD"]
        mark = gitcmd.record_mark()
        fmt = gitcmd.framed_format(mark, ("%aE", "%aN"))
        out = gitcmd.stream(
            h.repo.root,
            ["log", f"--format={fmt}", "-z", "--no-merges", "--use-mailmap", "--name-only",
             f"-n{SAMPLE * len(paths)}", f"--since={gitcmd.date(start)}",
             f"--until={gitcmd.date(end)}", *revs,
             "--", *(f":(literal){path}" for path in paths)],  # a name is no pattern
        )  # fmt: skip
        mine: Counter[str] = Counter()
        every: Counter[str] = Counter()
        wanted = {path.encode("utf-8", "surrogateescape"): path for path in paths}
        for record in gitcmd.split_records(out, mark):
            parts = gitcmd.split_fields(record, 2)
            if parts is None:
                continue
            email, name = (p.decode("utf-8", "replace") for p in parts[:2])
            is_mine = h.matcher(name, email)
            for path in {wanted[n] for n in parts[2].strip(b"\n\0").split(b"\0") if n in wanted}:
                if every[path] < SAMPLE:  # the latest SAMPLE of each file
                    every[path] += 1
                    mine[path] += is_mine
        return [
            (path, str(mine[path]), str(every[path]))
            for path in paths
            if 2 * mine[path] > every[path]  # candidates have MIN_COMMITS of the subject's
        ]

    def evidence(self, rows: list[tuple[str, ...]]) -> Iterator[Evidence]:
        h = self.history
        last = h.period.end - timedelta(seconds=1)  # the period's last moment: it spans it
        for path, mine, every in rows:
            yield Evidence(
                id=f"git:component:{path}",
                kind="component",
                source="git",
                repo=h.repo.name,
                title=f"Main author of {path}: {mine} of its {every} latest commits",
                date=last,
                paths=(path,),
            )
