"""Design documents, RFCs and ADRs the subject added or substantially changed.

Read from the same commits as the git collector: a document counts when the
subject's commits in the period add at least ``MIN_LINES`` lines to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from miner import gitcmd
from miner.collectors.git import GitHistory
from miner.collectors.gitlog import Commit, title_of
from miner.globs import path_matches
from miner.model import Evidence, Source, Stats

DOC_GLOBS = (
    "docs/design/**",
    "design/**",
    "design-docs/**",
    "rfcs/**",
    "rfc/**",
    "adr/**",
    "docs/adr/**",
    "docs/adrs/**",
    "doc/adr/**",
    "docs/decisions/**",
    "decisions/**",
    "docs/rfcs/**",
    "*-design.md",
    "*_design.md",
    "RFC-*.md",
    "rfc-*.md",
    "ADR-*.md",
)
DOC_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".adoc", ".org")
MIN_LINES = 20
HEAD_BYTES = 1 << 16  # a title is looked for this far into a document, no further


def doc_id(repo: str, path: str) -> str:
    """One id per document, whichever collector saw it (Git or a pull request on GitHub)."""
    return f"doc:{repo.lower()}:{path}"


@lru_cache(maxsize=65536)  # paths repeat across commits
def is_design_doc(path: str) -> bool:
    return path.lower().endswith(DOC_SUFFIXES) and path_matches(path, DOC_GLOBS)


@dataclass
class _Doc:
    path: str
    additions: int = 0
    deletions: int = 0
    commits: list[tuple[datetime, str]] = field(default_factory=list)  # (date, sha)

    @property
    def first(self) -> datetime:
        return min(self.commits)[0]

    @property
    def sha(self) -> str:
        """The last commit's: the document as the subject left it."""
        return max(self.commits)[1]


class DocsCollector:
    """Reads the documents' titles on the side as soon as the commits are in, while
    the git collector finishes its own work."""

    def __init__(self, history: GitHistory) -> None:
        self.history = history
        self._items = 0
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._found: dict[str, _Doc] = {}
        self._docs: list[_Doc] | None = None
        self._texts: Future[dict[str, bytes]] | None = None
        self._known: dict[str, str] = {}
        history.on_each(self._count)
        history.when_read(self._start)

    def _count(self, commit: Commit, role: str) -> None:
        """Add one commit's design docs (called as each commit is read)."""
        for path, (added, removed) in zip(commit.paths, commit.lines, strict=True):
            if not is_design_doc(path):
                continue
            doc = self._found.get(path)
            if doc is None:
                doc = self._found[path] = _Doc(path)
            doc.additions += added
            doc.deletions += removed
            doc.commits.append((commit.date, commit.sha))

    def _start(self, commits: list[tuple[Commit, str]]) -> None:
        """Once every commit is counted: ask git for the documents' first lines."""
        self._docs = sorted(
            (d for d in self._found.values() if d.additions >= MIN_LINES),
            key=lambda d: (d.first, d.path),
        )
        specs = [f"{d.sha}:{d.path}" for d in self._docs]
        store = self.history.store
        self._known = store.titles(specs) if store else {}
        missing = [spec for spec in specs if spec not in self._known]
        root = self.history.repo.root
        self._texts = self._pool.submit(gitcmd.read_blobs, root, missing, HEAD_BYTES)

    def collect(self) -> Iterator[Evidence]:
        commits = self.history.commits()  # reads them now if need be: that counts and starts us
        if self._texts is None:  # they were read before this collector was made
            for commit, role in commits:
                self._count(commit, role)
            self._start(commits)
        assert self._docs is not None and self._texts is not None
        texts = self._texts.result()
        self._pool.shutdown()
        titles = {spec: _title(spec, text) for spec, text in texts.items()}
        if self.history.store:
            self.history.store.add_titles(titles)
        titles.update(self._known)
        repo = self.history.repo
        for doc in self._docs:
            self._items += 1
            url = f"{repo.web_url}/blob/{doc.sha}/{doc.path}" if repo.web_url else None
            spec = f"{doc.sha}:{doc.path}"
            yield Evidence(
                id=doc_id(repo.name, doc.path),
                kind="design_doc",
                source="git",
                repo=repo.name,
                title=titles.get(spec) or _title(spec, b""),
                date=doc.first,
                url=url,
                stats=Stats(doc.additions, doc.deletions, 1),
                paths=(doc.path,),
                message=f"{len(doc.commits)} commit(s): "
                + ", ".join(sha[:10] for _, sha in sorted(doc.commits)),
            )

    def source(self) -> Source:
        return Source(kind="docs", location=self.history.repo.name, items=self._items)


def _title(spec: str, content: bytes) -> str:
    """The first heading of the document ``commit:path`` holds, else its file name;
    only the document's first ``HEAD_BYTES`` are read, and a long title is cut."""
    path = spec.split(":", 1)[1]
    for line in content[:HEAD_BYTES].decode("utf-8", "replace").splitlines()[:40]:
        stripped = line.strip()
        if stripped.startswith("#"):
            return title_of(stripped.lstrip("#").strip() or path)
        if stripped.lower().startswith("title:"):
            return title_of(stripped[6:].strip().strip("\"'") or path)
    return title_of(path.rsplit("/", 1)[-1])
