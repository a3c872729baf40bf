"""Generate a deterministic synthetic Git repository for the speed benchmark.

The history is written as a ``git fast-import`` stream, generated in Python and piped
into ``git fast-import``; a 40,000-commit repository takes about a minute (half of it
the final repack)::

    .venv/bin/python bench/synth_repo.py /tmp/synth-5k --commits 5000 [--seed 1]

What the repository contains (all of it fixed by ``--seed``):

* ``N`` commits on ``main`` (side-branch commits and merge commits included), author dates
  spread in commit order over 2022-01-01 .. 2024-12-31 (UTC) with a small jitter; the
  committer date equals the author date except for ~5% of commits, where it is 1-10 days
  later (rebased).
* About 40 authors with a Zipf-like activity distribution (one clearly busiest author);
  six of them commit under 2-3 emails (old work address, personal address, GitHub
  ``noreply``), merged by a ``.mailmap`` committed in the first commit; the busiest author
  is one of them. A few commits by ``dependabot[bot]``.
* A tree that grows to a few thousand files: ``src/<pkg>/<module>.py``,
  ``tests/test_<module>.py``, ``docs/*.md``, ``docs/design/*.md``,
  ``.github/workflows/*.yml``, ``deploy/*.tf`` and a few top-level files. Each commit
  touches 1-20 files, mostly modifying existing files with line-level hunks (so
  ``--numstat`` shows real additions and deletions), sometimes adding files, occasionally
  deleting or renaming one. Files stay between about 20 and 400 lines.
* ~3% merge commits (a side branch of 1-3 commits merged into ``main`` with ``--no-ff``
  style merges), a few ``Co-authored-by:`` trailers, a few ``Revert "..."`` commits that
  really undo the previous commit, and an annotated release tag roughly every month.

Afterwards the work tree is checked out on ``main`` and the objects are repacked with
deltas (``git repack -a -d -f``), as in a real clone: fast-import's own pack is about five
times larger, and git's RSS would then be mostly the mapped pack (``--no-repack`` keeps
it). ``user.email`` is set to the busiest author's canonical email, and
``.git/synth.json`` records the parameters and the busiest author, so callers can reuse
an existing repository. The script prints the busiest author's canonical email and the
commit count.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

GENERATOR_VERSION = 2
START = int(datetime(2022, 1, 1, tzinfo=UTC).timestamp())
END = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())  # exclusive
DAY = 86_400
N_AUTHORS = 40
ALIAS_RANKS = (0, 2, 5, 9, 14, 22)  # authors (by activity rank) with several emails
MAX_FILES_PER_COMMIT = 20
MIN_LINES, MAX_LINES = 20, 400
META_FILE = "synth.json"


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _split(
    "cache config parser token stream buffer record index query schema plugin hook "
    "session request response client server worker queue event handler option value "
    "node graph path file entry batch chunk frame layer model store backend driver "
    "report metric sample filter policy rule scope context state result error retry "
    "limit timeout window signal thread lock pool socket header payload message format "
    "encoder decoder reader writer loader builder factory registry adapter bridge proxy "
    "router mapper resolver validator scanner lexer compiler runtime module package "
    "version release deploy cluster region bucket secret account user group role grant"
)
VERBS = (
    "Fix",
    "Add",
    "Refactor",
    "Update",
    "Improve",
    "Remove",
    "Handle",
    "Support",
    "Simplify",
    "Speed up",
    "Clean up",
    "Rework",
)
FIRST_NAMES = _split(
    "Maria Wei Aisha Lukas Sofia Arjun Chen Olga Kwame Elena Diego Hana Tomasz Priya "
    "Mateo Yuki Fatima Noah Ingrid Ravi Amara Jonas Lina Pablo Mei Omar Clara Ivan "
    "Zara Felix Nadia Hugo Leila Sven Tariq Emma Kofi Anya Marco Sara"
)
LAST_NAMES = _split(
    "Garcia Zhang Okafor Becker Rossi Patel Liu Ivanova Mensah Popescu Fernandez Sato "
    "Kowalski Sharma Lopez Tanaka Haddad Miller Larsen Iyer Diallo Schmidt Nguyen Ruiz "
    "Wang Farouk Dubois Petrov Khan Wagner Hassan Moreau Rahimi Nilsson Aziz Brown Boateng "
    "Volkova Bianchi Silva"
)
TIMEZONES = ("+0000", "+0100", "+0200", "-0500", "-0800", "+0530", "+0900", "-0300", "+0800")
BOT_NAME = "dependabot[bot]"
BOT_EMAIL = "49699333+dependabot[bot]@users.noreply.github.com"
PACKAGES = _split(
    "core api cli storage net auth plugins utils parser scheduler metrics config web db"
)
DEPENDENCIES = ("requests", "pyyaml", "click", "jinja2", "pytest", "ruff", "mypy", "attrs")


@dataclass
class Author:
    name: str
    login: str
    canonical: str
    emails: list[str]  # canonical first
    tz: str
    home: str  # the area this person works on most
    switch: float  # progress at which an old work email stops being used


@dataclass
class Summary:
    path: Path
    commits: int
    seed: int
    busiest: str
    busiest_commits: int
    files: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


class IndexedSet:
    """A set with O(1) add, remove and deterministic random choice."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.pos: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, item: object) -> bool:
        return item in self.pos

    def add(self, item: str) -> None:
        if item not in self.pos:
            self.pos[item] = len(self.items)
            self.items.append(item)

    def remove(self, item: str) -> None:
        i = self.pos.pop(item)
        last = self.items.pop()
        if i < len(self.items):
            self.items[i] = last
            self.pos[last] = i

    def choice(self, rng: random.Random) -> str:
        return self.items[rng.randrange(len(self.items))]


def _ident(rng: random.Random) -> str:
    return f"{rng.choice(WORDS)}_{rng.choice(WORDS)}"


def make_pools(rng: random.Random) -> dict[str, list[str]]:
    """Pools of distinct-looking lines per file kind; edits draw from them."""
    w = WORDS

    def py() -> str:
        a, b, c = rng.choice(w), rng.choice(w), rng.choice(w)
        n = rng.randrange(1000)
        forms = (
            f"    {a}_{b} = {c}.get_{a}({b}, limit={n})",
            f"def {a}_{b}({c}: {a.title()}{b.title()}) -> {c.title()}:",
            f"    return {a}.{b}_{c}",
            f"    if {a}_{b} is None or {c} > {n}:",
            f'        raise ValueError("{a} {b} {c} {n}")',
            f"    # {a.title()} the {b} before the {c} ({n}).",
            f"from .{a}_{b} import {c.title()}{a.title()}",
            f"    for {a} in self.{b}_{c}s:",
            f"        {a}_{b}.append({c}({n}))",
            f'    logger.debug("{a} {b}: %s", {c}_{n})',
            f"class {a.title()}{b.title()}{c.title()}:",
            f"    {a}: {b.title()} | None = None  # {c} {n}",
            f"        self._{a}[{b}] = {c}_{n}",
            f"    assert {a}_{b}({c}) == {n}",
        )
        return forms[rng.randrange(len(forms))]

    def md() -> str:
        words = [rng.choice(w) for _ in range(rng.randrange(6, 16))]
        kind = rng.randrange(10)
        if kind == 0:
            return "## " + " ".join(words[:3]).capitalize()
        if kind < 4:
            return "- " + " ".join(words).capitalize() + "."
        return " ".join(words).capitalize() + f" ({rng.randrange(1000)})."

    def yml() -> str:
        a, b = rng.choice(w), rng.choice(w)
        forms = (
            f"      - name: {a.title()} {b}",
            f"        run: make {a}-{b} JOBS={rng.randrange(2, 64)}",
            f"    {a}_{b}: {rng.randrange(1000)}",
            f"          {a}: ${{{{ matrix.{b} }}}}",
            f"        uses: actions/{a}-{b}@v{rng.randrange(1, 6)}",
        )
        return forms[rng.randrange(len(forms))]

    def tf() -> str:
        a, b = rng.choice(w), rng.choice(w)
        forms = (
            f'resource "aws_{a}_{b}" "{rng.choice(w)}_{rng.randrange(100)}" {{',
            f'  {a}_{b} = "{rng.choice(w)}-{rng.randrange(1000)}"',
            f"  {a} = var.{b}_{rng.randrange(100)}",
            "}",
            f'  tags = {{ Name = "{a}-{b}" }}',
        )
        return forms[rng.randrange(len(forms))]

    return {
        "py": [py() for _ in range(40_000)],
        "md": [md() for _ in range(8_000)],
        "yml": [yml() for _ in range(3_000)],
        "tf": [tf() for _ in range(3_000)],
    }


def kind_of(path: str) -> str:
    if path.endswith(".py"):
        return "py"
    if path.endswith((".yml", ".toml", ".txt", ".cfg")):
        return "yml"
    if path.endswith(".tf"):
        return "tf"
    return "md"


def make_authors(rng: random.Random, packages: list[str]) -> list[Author]:
    firsts = list(FIRST_NAMES)
    lasts = list(LAST_NAMES)
    rng.shuffle(firsts)
    rng.shuffle(lasts)
    areas = [*packages, "docs", "design", "deploy", "ci"]
    authors = []
    for rank in range(N_AUTHORS):
        first, last = firsts[rank % len(firsts)], lasts[rank % len(lasts)]
        login = f"{first[0]}{last}".lower()
        canonical = f"{first}.{last}@example.com".lower()
        emails = [canonical]
        if rank in ALIAS_RANKS:
            uid = 1_000_000 + rng.randrange(9_000_000)
            noreply = f"{uid}+{login}@users.noreply.github.com"
            old = f"{login}@oldcorp.example"
            personal = f"{first.lower()}{rng.randrange(10, 99)}@mail.example"
            variant = ALIAS_RANKS.index(rank) % 3
            emails += [[old, noreply], [personal], [old]][variant]
        # The busiest people own the core packages; others spread over everything.
        home = packages[rank % len(packages)] if rank < 12 else rng.choice(areas)
        authors.append(
            Author(
                name=f"{first} {last}",
                login=login,
                canonical=canonical,
                emails=emails,
                tz=rng.choice(TIMEZONES),
                home=home,
                switch=rng.uniform(0.25, 0.6),
            )
        )
    return authors


def mailmap_text(authors: list[Author]) -> str:
    lines = ["# Canonical names and emails for people who committed under several."]
    for a in authors:
        lines.extend(f"{a.name} <{a.canonical}> <{alias}>" for alias in a.emails[1:])
    return "\n".join(lines) + "\n"


class Generator:
    def __init__(self, commits: int, seed: int, out: IO[bytes]) -> None:
        self.n = commits
        self.rng = random.Random(seed)
        self.out = out
        self.pools = make_pools(self.rng)
        n_pkgs = max(4, min(len(PACKAGES), commits // 3000 + 4))
        self.packages = self.rng.sample(PACKAGES, n_pkgs)
        self.authors = make_authors(self.rng, self.packages)
        weights = [1.0 / (rank + 1) ** 1.05 for rank in range(N_AUTHORS)]
        total = sum(weights)
        self.cum_weights = []
        acc = 0.0
        for w in weights:
            acc += w / total
            self.cum_weights.append(acc)
        self.target_files = min(3000, 200 + commits // 14)
        self.content: dict[str, list[str]] = {}
        self.all_files = IndexedSet()
        self.by_area: dict[str, IndexedSet] = {}
        self.modules: set[str] = set()
        self.count = 0  # commits written
        self.mark = 0
        self.main_tip = 0  # mark of main's tip
        self.pr = 100
        self.tag_minor = 0
        self.per_author: Counter[str] = Counter()
        self.stats: Counter[str] = Counter()
        self.last_subject = ""
        self.last_undo: dict[str, list[str]] | None = None  # previous contents, for reverts
        self.changed: set[str] = set()  # paths changed since the last reset
        self.test_area: dict[str, str] = {}  # tests/test_<module>.py -> its package
        self.next_tag = max(50, commits // 36)

    # -- tree bookkeeping -------------------------------------------------------------

    def area_of(self, path: str) -> str:
        parts = path.split("/")
        if parts[0] == "src":
            return parts[1]
        if parts[0] == "tests":
            return self.test_area.get(path, "tests")
        if path.startswith("docs/design/"):
            return "design"
        if parts[0] == "docs":
            return "docs"
        if parts[0] == "deploy":
            return "deploy"
        if path.startswith(".github/"):
            return "ci"
        return "root"

    def track(self, path: str, lines: list[str]) -> None:
        self.content[path] = lines
        self.all_files.add(path)
        self.by_area.setdefault(self.area_of(path), IndexedSet()).add(path)

    def untrack(self, path: str) -> list[str]:
        self.all_files.remove(path)
        self.by_area[self.area_of(path)].remove(path)
        return self.content.pop(path)

    def lines(self, path: str, n: int) -> list[str]:
        pool = self.pools[kind_of(path)]
        rng = self.rng
        return [pool[rng.randrange(len(pool))] for _ in range(n)]

    def new_path(self, area: str) -> str:
        rng = self.rng
        for _ in range(100):
            if area in self.packages:
                module = _ident(rng)
                if module in self.modules:
                    continue
                self.modules.add(module)
                if rng.random() < 0.3 and f"tests/test_{module}.py" not in self.content:
                    path = f"tests/test_{module}.py"
                    self.test_area[path] = area
                    return path
                return f"src/{area}/{module}.py"
            if area == "design":
                path = f"docs/design/{rng.randrange(1, 999):04d}-{_ident(rng).replace('_', '-')}.md"
            elif area == "docs":
                path = f"docs/{_ident(rng).replace('_', '-')}.md"
            elif area == "deploy":
                path = f"deploy/{_ident(rng)}.tf"
            elif area == "ci":
                path = f".github/workflows/{_ident(rng).replace('_', '-')}.yml"
            else:
                path = f"tools/{_ident(rng)}.py"
            if path not in self.content:
                return path
        raise RuntimeError("could not find a new path")

    # -- stream writing ---------------------------------------------------------------

    def write(self, text: str) -> None:
        self.out.write(text.encode())

    def data(self, payload: str) -> None:
        raw = payload.encode()
        self.out.write(b"data %d\n" % len(raw))
        self.out.write(raw)
        self.out.write(b"\n")

    def modify(self, path: str) -> None:
        self.changed.add(path)
        self.write(f"M 100644 inline {path}\n")
        self.data("\n".join(self.content[path]) + "\n")

    def author_time(self, index: int) -> int:
        span = (END - START) / self.n
        t = START + (index + 0.5) * span + self.rng.uniform(-0.4, 0.4) * span
        return int(min(max(t, START), END - 1))

    def pick_author(self) -> Author:
        x = self.rng.random()
        for rank, c in enumerate(self.cum_weights):
            if x < c:
                return self.authors[rank]
        return self.authors[-1]

    def email_for(self, a: Author, progress: float) -> tuple[str, str]:
        if len(a.emails) == 1:
            return a.name, a.canonical
        r = self.rng.random()
        noreply = next((e for e in a.emails if "noreply" in e), None)
        if noreply and r < 0.12:
            return a.login, noreply
        old = next((e for e in a.emails if "oldcorp" in e), None)
        if old and progress < a.switch:
            return a.name, old
        personal = next((e for e in a.emails if "mail.example" in e), None)
        if personal and r < 0.4:
            return a.name, personal
        return a.name, a.canonical

    def commit_header(
        self,
        ref: str,
        who: tuple[str, str],
        tz: str,
        message: str,
        parent: int | None,
        merge: int | None = None,
        committer: tuple[str, str] | None = None,
    ) -> tuple[int, int]:
        self.mark += 1
        when = self.author_time(self.count)
        committed = when
        if self.rng.random() < 0.05:
            committed += self.rng.randrange(DAY, 10 * DAY)
        name, email = who
        cname, cemail = committer or who
        self.write(
            f"commit {ref}\nmark :{self.mark}\n"
            f"author {name} <{email}> {when} {tz}\n"
            f"committer {cname} <{cemail}> {committed} {tz}\n"
        )
        self.data(message)
        if parent is not None:
            self.write(f"from :{parent}\n")
        if merge is not None:
            self.write(f"merge :{merge}\n")
        self.count += 1
        return self.mark, when

    # -- content changes --------------------------------------------------------------

    def edit(self, path: str) -> None:
        rng = self.rng
        lines = self.content[path]
        pool = self.pools[kind_of(path)]
        for _ in range(1 + (rng.random() < 0.4) + (rng.random() < 0.15)):
            n = len(lines)
            p = rng.randrange(n + 1)
            d = (0, 0, 1, 1, 1, 2, 3, 5, 8)[rng.randrange(9)]
            a = (0, 1, 1, 1, 2, 3, 4, 6, 10, 16)[rng.randrange(10)]
            if n < 60:
                a += rng.randrange(4, 20)
            elif n > MAX_LINES - 30:
                d += rng.randrange(10, 30)
                a = min(a, 2)
            if n - d < MIN_LINES:
                d = 0
            if a == 0 and d == 0:
                a = 1
            lines[p : p + d] = [pool[rng.randrange(len(pool))] for _ in range(a)]

    def new_file_area(self, author: Author) -> str:
        r = self.rng.random()
        if r < 0.5:
            return author.home
        for area, cum in (("docs", 0.6), ("design", 0.67), ("deploy", 0.74), ("ci", 0.755)):
            if r < cum:
                return area
        return self.rng.choice(self.packages)

    def choose_existing(self, author: Author, touched: set[str]) -> str | None:
        rng = self.rng
        for _ in range(8):
            area = self.by_area.get(author.home)
            if area and len(area) and rng.random() < 0.6:
                path = area.choice(rng)
            else:
                path = self.all_files.choice(rng)
            if path not in touched and path != ".mailmap":
                return path
        return None

    def file_changes(self, author: Author, k: int, progress: float, frozen: set[str]) -> list[str]:
        """Apply up to ``k`` file changes for one commit; returns the subject's topic."""
        rng = self.rng
        touched: set[str] = set(frozen)
        topics: list[str] = []
        undo: dict[str, list[str]] | None = {}
        target = 20 + (self.target_files - 20) * progress
        for _ in range(k):
            r = rng.random()
            p_add = 0.25 if len(self.all_files) < target else 0.02
            if r < p_add:
                area = self.new_file_area(author)
                path = self.new_path(area)
                if path in touched:
                    continue
                self.track(path, self.lines(path, rng.randrange(MIN_LINES, 120)))
                self.modify(path)
                touched.add(path)
                topics.append(path)
                undo = None
                self.stats["added"] += 1
            elif r < p_add + 0.008 and len(self.all_files) > 50:
                path = self.choose_existing(author, touched)
                if path is None or self.area_of(path) == "root":
                    continue
                self.untrack(path)
                self.write(f"D {path}\n")
                self.changed.add(path)
                touched.add(path)
                topics.append(path)
                undo = None
                self.stats["deleted"] += 1
            elif r < p_add + 0.016 and len(self.all_files) > 50:
                path = self.choose_existing(author, touched)
                if path is None or not path.startswith("src/"):
                    continue
                new = self.new_path(rng.choice(self.packages))
                if new in touched or not new.startswith("src/"):
                    continue
                self.track(new, self.untrack(path))
                self.write(f"R {path} {new}\n")
                self.changed.update((path, new))
                touched.update((path, new))
                topics.append(new)
                undo = None
                self.stats["renamed"] += 1
                if rng.random() < 0.5:
                    self.edit(new)
                    self.modify(new)
            else:
                path = self.choose_existing(author, touched)
                if path is None:
                    continue
                if undo is not None:
                    undo[path] = list(self.content[path])
                self.edit(path)
                self.modify(path)
                touched.add(path)
                topics.append(path)
                self.stats["modified"] += 1
        if not topics:  # always change at least one file
            path = self.choose_existing(author, touched) or "README.md"
            if undo is not None:
                undo[path] = list(self.content[path])
            self.edit(path)
            self.modify(path)
            topics.append(path)
        self.last_undo = undo
        return topics

    def subject_for(self, topics: list[str]) -> str:
        rng = self.rng
        path = topics[0]
        stem = path.rsplit("/", 1)[-1].split(".")[0].replace("test_", "").replace("_", " ")
        verb = rng.choice(VERBS).lower() if path.startswith(("docs/", "deploy/")) else None
        if path.startswith("docs/design/"):
            subject = f"design: {verb} {stem} proposal"
        elif path.startswith("docs/"):
            subject = f"docs: {verb} the {stem} guide"
        elif path.startswith("deploy/"):
            subject = f"infra: {verb} {stem} resources"
        elif path.startswith(".github/"):
            subject = f"ci: {rng.choice(VERBS).lower()} the {stem} workflow"
        elif path.startswith("tests/"):
            subject = f"Add tests for {stem}"
        else:
            subject = f"{rng.choice(VERBS)} {rng.choice(WORDS)} handling in {stem}"
        if rng.random() < 0.5:
            self.pr += rng.randrange(1, 4)
            subject += f" (#{self.pr})"
        return subject

    def message(self, subject: str) -> str:
        rng = self.rng
        msg = subject
        if rng.random() < 0.4:
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(8, 30)))
            msg += "\n\n" + body.capitalize() + "."
        if rng.random() < 0.02:
            co = self.pick_author()
            msg += f"\n\nCo-authored-by: {co.name} <{co.canonical}>"
        return msg + "\n"

    def files_per_commit(self) -> int:
        k = 1 + int(self.rng.expovariate(1 / 2.2))
        return min(k, MAX_FILES_PER_COMMIT)

    # -- commits ----------------------------------------------------------------------

    def initial_commit(self) -> None:
        first = self.authors[0]
        files = {
            ".mailmap": mailmap_text(self.authors).splitlines(),
            "README.md": self.lines("README.md", 40),
            "pyproject.toml": [
                "[project]",
                'name = "synthetic"',
                "dependencies = [",
                *(f'    "{d}>=1.0",' for d in DEPENDENCIES),
                "]",
                *self.lines("pyproject.toml", 20),
            ],
            "requirements-dev.txt": [f"{d}==1.0.0" for d in DEPENDENCIES],
            ".github/workflows/ci.yml": self.lines("ci.yml", 40),
            "docs/index.md": self.lines("index.md", 30),
        }
        for pkg in self.packages[:4]:
            files[f"src/{pkg}/__init__.py"] = self.lines("x.py", 20)
        for path, lines in files.items():
            self.track(path, lines)
        self.commit_header(
            "refs/heads/main",
            (first.name, first.canonical),
            first.tz,
            "Initial commit\n",
            None,
        )
        for path in files:
            self.modify(path)
        self.main_tip = self.mark
        self.per_author[first.canonical] += 1

    def normal_commit(self, ref: str, parent: int, frozen: set[str], author: Author) -> int:
        progress = self.count / self.n
        rng = self.rng
        if rng.random() < 0.004 and "requirements-dev.txt" not in frozen:  # a dependabot bump
            dep = rng.choice(DEPENDENCIES)
            old, new = f"1.{rng.randrange(9)}.0", f"1.{rng.randrange(10, 20)}.0"
            mark, _ = self.commit_header(
                ref,
                (BOT_NAME, BOT_EMAIL),
                "+0000",
                f"Bump {dep} from {old} to {new}\n\n"
                f"Signed-off-by: {BOT_NAME} <support@github.com>\n",
                parent,
            )
            path = "requirements-dev.txt"
            lines = self.content[path]
            i = rng.randrange(len(lines))
            lines[i] = f"{dep}=={new}.{rng.randrange(100)}"
            self.modify(path)
            self.per_author[BOT_EMAIL] += 1
            self.last_undo = None
            return mark
        if self.last_undo and rng.random() < 0.006 and not frozen & self.last_undo.keys():
            undo, subject = self.last_undo, self.last_subject
            mark, _ = self.commit_header(
                ref,
                self.email_for(author, progress),
                author.tz,
                f'Revert "{subject}"\n\nThis reverts the previous commit: it broke the nightly'
                " build.\n",
                parent,
            )
            for path, lines in undo.items():
                if path in self.content:
                    self.content[path] = lines
                    self.modify(path)
            self.last_undo = None
            self.per_author[author.canonical] += 1
            self.stats["reverts"] += 1
            return mark
        # The message comes before the file changes in the stream, so pick the changes
        # first into a buffer.
        buffer = _Buffer()
        real_out, self.out = self.out, buffer
        topics = self.file_changes(author, self.files_per_commit(), progress, frozen)
        self.out = real_out
        subject = self.subject_for(topics)
        mark, _ = self.commit_header(
            ref, self.email_for(author, progress), author.tz, self.message(subject), parent
        )
        self.out.write(buffer.getvalue())
        self.last_subject = subject
        self.per_author[author.canonical] += 1
        return mark

    def merge_block(self) -> None:
        """A pull request: side commits, maybe main commits meanwhile, a merge commit."""
        rng = self.rng
        author = self.pick_author()
        side_tip = self.main_tip
        self.changed = set()
        for _ in range(rng.randrange(1, 4)):
            side_tip = self.normal_commit("refs/heads/topic", side_tip, set(), author)
        # ``self.content`` now holds the side branch's versions; main's commits meanwhile
        # leave those paths alone, so the merge commit brings exactly the side's changes.
        side_touched = self.changed
        for _ in range(rng.randrange(0, 3)):
            self.main_tip = self.normal_commit(
                "refs/heads/main", self.main_tip, side_touched, self.pick_author()
            )
        maintainer = self.authors[rng.randrange(5)]
        self.pr += 1
        branch = f"{author.login}/{_ident(rng).replace('_', '-')}"
        self.main_tip, _ = self.commit_header(
            "refs/heads/main",
            self.email_for(maintainer, self.count / self.n),
            maintainer.tz,
            f"Merge pull request #{self.pr} from {branch}\n\n{self.last_subject}\n",
            self.main_tip,
            merge=side_tip,
            committer=("GitHub", "noreply@github.com"),
        )
        for path in sorted(side_touched):
            if path in self.content:
                self.modify(path)
            else:
                self.write(f"D {path}\n")
        self.last_undo = None
        self.stats["merges"] += 1

    def maybe_tag(self) -> None:
        if self.count < self.next_tag:
            return
        self.next_tag += max(50, self.n // 36)
        self.tag_minor += 1
        major, minor = divmod(self.tag_minor, 12)
        tagger = self.authors[0] if self.rng.random() < 0.6 else self.authors[1]
        when = self.author_time(self.count - 1)
        self.write(f"tag v{major + 1}.{minor}.0\nfrom :{self.main_tip}\n")
        self.write(f"tagger {tagger.name} <{tagger.canonical}> {when} {tagger.tz}\n")
        self.data(f"Release {major + 1}.{minor}.0\n")

    def run(self) -> None:
        self.write("feature done\n")
        self.initial_commit()
        while self.count < self.n:
            remaining = self.n - self.count
            if remaining >= 6 and self.rng.random() < 0.033:
                self.merge_block()
            else:
                self.main_tip = self.normal_commit(
                    "refs/heads/main", self.main_tip, set(), self.pick_author()
                )
            self.maybe_tag()
        self.write("done\n")


class _Buffer:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def generate(
    out_dir: Path, commits: int, seed: int = 1, force: bool = False, repack: bool = True
) -> Summary:
    """Create the repository at ``out_dir``; returns what callers need to know."""
    if commits < 10:
        raise ValueError("--commits must be at least 10")
    if out_dir.exists() and any(out_dir.iterdir()):
        if not force:
            raise FileExistsError(f"{out_dir} exists and is not empty (use --force)")
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(["git", "init", "-q", "-b", "main", str(out_dir)], check=True)
    proc = subprocess.Popen(
        ["git", "-C", str(out_dir), "fast-import", "--quiet"],
        stdin=subprocess.PIPE,
    )
    assert proc.stdin is not None
    gen = Generator(commits, seed, proc.stdin)
    try:
        gen.run()
    finally:
        proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("git fast-import failed")
    git(out_dir, "update-ref", "-d", "refs/heads/topic")
    git(out_dir, "checkout", "-q", "-f", "main")
    if repack:  # fast-import barely deltifies; real clones are packed with deltas
        git(out_dir, "repack", "-a", "-d", "-f", "-q")
    humans = Counter({e: c for e, c in gen.per_author.items() if e != BOT_EMAIL})
    busiest, busiest_commits = humans.most_common(1)[0]
    busiest_name = next(a.name for a in gen.authors if a.canonical == busiest)
    git(out_dir, "config", "user.email", busiest)
    git(out_dir, "config", "user.name", busiest_name)
    summary = Summary(
        path=out_dir,
        commits=gen.count,
        seed=seed,
        busiest=busiest,
        busiest_commits=busiest_commits,
        files=len(gen.all_files),
        seconds=time.perf_counter() - started,
        counts=dict(gen.stats),
    )
    meta = {
        "generator_version": GENERATOR_VERSION,
        "commits": commits,
        "seed": seed,
        "repacked": repack,
        "busiest": busiest,
        "busiest_commits": busiest_commits,
        "files": summary.files,
        "seconds": round(summary.seconds, 1),
        "counts": summary.counts,
    }
    (out_dir / ".git" / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    return summary


def read_meta(out_dir: Path) -> dict[str, object] | None:
    """The parameters an existing synthetic repository was generated with, if any."""
    try:
        meta = json.loads((out_dir / ".git" / META_FILE).read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="where to create the repository")
    parser.add_argument("--commits", type=int, required=True, help="number of commits")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--force", action="store_true", help="replace OUT_DIR if it exists")
    parser.add_argument(
        "--no-repack",
        dest="repack",
        action="store_false",
        help="keep fast-import's loosely delta-compressed pack (faster to generate)",
    )
    args = parser.parse_args(argv)
    try:
        summary = generate(args.out_dir, args.commits, args.seed, args.force, args.repack)
    except (FileExistsError, ValueError) as exc:
        print(f"synth_repo: {exc}", file=sys.stderr)
        return 2
    print(f"busiest author: {summary.busiest} ({summary.busiest_commits} commits)")
    print(f"commits: {summary.commits}")
    sys.stdout.flush()
    print(
        f"files at HEAD: {summary.files}; generated in {summary.seconds:.1f}s; "
        + ", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items())),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
