"""Compare ``miner report`` commit evidence with plain ``git log`` on real repositories.

For each case (a repository, an author email and a period) the script runs::

    miner report REPO --author EMAIL --period P --format json -o TMP --no-github [--store TMP]

and checks the commits it reports as authored by the person against ground truth computed
with plain git::

    git log --no-merges --use-mailmap --fixed-strings --regexp-ignore-case \\
        --author='<canonical email>' --numstat HEAD

filtered in Python on the author date (``%at``) into the half-open UTC window
``[period.start, period.end)`` that miner's JSON reports. The email is first resolved to
its canonical address with ``git check-mailmap``; the angle brackets in the pattern keep
``a@x.com`` from matching ``ba@x.com``. Line totals are the sums of ``--numstat`` added /
deleted (binary files, shown as ``-``, count 0); files are the number of numstat lines.
Git's default rename detection applies (``--no-renames`` switches it off).

Commits that miner reports with role ``co-author`` are excluded from the comparison,
but counted and printed. A commit that repeats an earlier one's patch in the window (the
same subject, numstat and ``git patch-id --stable``: a cherry-pick, a branch landed twice)
is counted once, the earlier one, as the report counts it; each is printed.

Usage (from the project root)::

    .venv/bin/python bench/compare_git_log.py bench/work/pytest
    .venv/bin/python bench/compare_git_log.py bench/work/click --author davidism@gmail.com \\
        --period 2023Q2 --author davidism@gmail.com --period 2024Q4
    .venv/bin/python bench/compare_git_log.py bench/work/pytest --git-only

With no ``--author`` the script picks cases itself: the busiest (non-bot) authors by
commit count, plus the busiest author whose emails ``.mailmap`` merges (or, if none, whose
name it rewrites), each for a few quarters in which they were active. ``--author`` without
``--period`` picks quarters for that author. ``--git-only`` prints the git side only (no
miner run). ``--collect-first`` runs ``miner collect REPO --all-authors`` into each
repository's store before its cases, so the reports read stored commits rather than
diffing (the other path to the same numbers). Exit status: 0 when every case matches, 1
when any mismatches or miner fails, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

MARK = "\x1ecommit\x1f"
MAX_SHAS = 10


@dataclass(frozen=True)
class Totals:
    additions: int = 0
    deletions: int = 0
    files: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.additions + other.additions,
            self.deletions + other.deletions,
            self.files + other.files,
        )


@dataclass(frozen=True)
class GitCommit:
    sha: str
    author_ts: int
    committer_ts: int
    raw_email: str
    mapped_email: str
    stats: Totals
    subject: str = ""
    numstat: tuple[str, ...] = ()  # the commit's --numstat lines, as git printed them


@dataclass(frozen=True)
class Case:
    repo: Path
    email: str
    period: str
    why: str = ""


@dataclass
class Result:
    case: Case
    canonical: str
    start: datetime
    end: datetime
    git: dict[str, GitCommit]
    miner: dict[str, Totals] | None = None
    co_authored: int = 0
    notes: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        if self.error:
            return False
        if self.miner is None:  # --git-only
            return True
        return (
            set(self.miner) == set(self.git)
            and total(self.miner.values()) == total(c.stats for c in self.git.values())
            and not any(n.startswith("!") for n in self.notes)
        )


def total(items: Iterable[Totals]) -> Totals:
    result = Totals()
    for item in items:
        result = result + item
    return result


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args[:3])} failed in {repo}: {proc.stderr.strip()}")
    return proc.stdout


def canonical_email(repo: Path, email: str) -> str:
    """The address ``.mailmap`` maps ``email`` to (itself if unmapped)."""
    out = git(repo, "check-mailmap", f"<{email}>").strip()
    match = re.search(r"<([^<>]*)>\s*$", out)
    if not match:
        raise SystemExit(f"unexpected git check-mailmap output: {out!r}")
    return match.group(1)


def parse_numstat(line: str) -> Totals:
    added, deleted, _path = line.split("\t", 2)
    return Totals(
        0 if added == "-" else int(added),
        0 if deleted == "-" else int(deleted),
        1,
    )


def git_commits(repo: Path, email: str, *, renames: bool = True) -> list[GitCommit]:
    """All non-merge commits on HEAD whose mailmapped author email is ``email``."""
    out = git(
        repo,
        "log",
        "--no-merges",
        "--use-mailmap",
        "--fixed-strings",
        "--regexp-ignore-case",
        f"--author=<{email}>",
        f"--format={MARK}%H%x09%at%x09%ct%x09%ae%x09%aE%x09%s",
        "--numstat",
        "-M" if renames else "--no-renames",
        "HEAD",
    )
    commits: list[GitCommit] = []
    head: list[str] | None = None
    stats = Totals()
    lines: list[str] = []

    def flush() -> None:
        if head is not None:
            sha, at, ct, raw, mapped, subject = head
            commits.append(
                GitCommit(sha, int(at), int(ct), raw, mapped, stats, subject, tuple(lines))
            )

    for line in out.split("\n"):
        if line.startswith(MARK):
            flush()
            head = line[len(MARK) :].split("\t", 5)
            stats = Totals()
            lines = []
        elif line.strip():
            stats = stats + parse_numstat(line)
            lines.append(line)
    flush()
    # --author matches anywhere in "Name <email>"; keep exact (case-insensitive) emails only.
    return [c for c in commits if c.mapped_email.lower() == email.lower()]


def in_window(commits: Iterable[GitCommit], start: datetime, end: datetime) -> dict[str, GitCommit]:
    lo, hi = start.timestamp(), end.timestamp()
    return {c.sha: c for c in commits if lo <= c.author_ts < hi}


def repeats(repo: Path, commits: dict[str, GitCommit]) -> dict[str, str]:
    """The commits that repeat an earlier one's patch (a cherry-pick, a branch landed
    twice), which a report counts once, as the README says: the same subject and the
    same numstat, and the same ``git patch-id --stable``. Of each such group the
    earliest (author date, then SHA) counts; each later one maps to it."""
    groups: dict[tuple[str, tuple[str, ...]], list[GitCommit]] = {}
    for c in commits.values():
        if c.numstat:
            groups.setdefault((c.subject, c.numstat), []).append(c)
    found: dict[str, str] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        patches = git(
            repo, "log", "-p", "--no-walk=unsorted", "--format=commit %H", *(c.sha for c in group)
        )
        ids = subprocess.run(
            ["git", "-C", str(repo), "patch-id", "--stable"],
            input=patches,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        patch = dict(zip(ids[1::2], ids[0::2], strict=True))  # sha -> patch id
        by_patch: dict[str, list[GitCommit]] = {}
        for c in group:
            if c.sha in patch:
                by_patch.setdefault(patch[c.sha], []).append(c)
        for same in by_patch.values():
            first, *later = sorted(same, key=lambda c: (c.author_ts, c.sha))
            found.update((c.sha, first.sha) for c in later)
    return found


def parse_period(label: str) -> tuple[datetime, datetime]:
    """Our own reading of a period label (for --git-only and to cross-check miner)."""

    def at(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, tzinfo=UTC)

    if m := re.fullmatch(r"(\d{4})Q([1-4])", label):
        year, q = int(m.group(1)), int(m.group(2))
        start = date(year, 3 * q - 2, 1)
        end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
        return at(start), at(end)
    if m := re.fullmatch(r"(\d{4})H([12])", label):
        year, h = int(m.group(1)), int(m.group(2))
        return (
            (at(date(year, 1, 1)), at(date(year, 7, 1)))
            if h == 1
            else (at(date(year, 7, 1)), at(date(year + 1, 1, 1)))
        )
    if re.fullmatch(r"\d{4}", label):
        return at(date(int(label), 1, 1)), at(date(int(label) + 1, 1, 1))
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", label):
        first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        return at(first), at(last + timedelta(days=1))
    raise ValueError(f"cannot parse period {label!r} (use 2024Q2, 2024H1, 2024 or A..B)")


def quarter_of(ts: int) -> str:
    moment = datetime.fromtimestamp(ts, UTC)
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


# ---------------------------------------------------------------- automatic cases


@dataclass
class Identity:
    count: int = 0
    raw_emails: Counter[str] = field(default_factory=Counter)
    renamed: bool = False
    quarters: Counter[str] = field(default_factory=Counter)
    quarter_emails: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    name: str = ""


def identities(repo: Path) -> dict[str, Identity]:
    out = git(
        repo,
        "log",
        "--no-merges",
        "--use-mailmap",
        "--format=%at%x09%ae%x09%aE%x09%an%x09%aN",
        "HEAD",
    )
    people: dict[str, Identity] = defaultdict(Identity)
    for line in out.splitlines():
        at, raw, mapped, raw_name, mapped_name = line.split("\t")
        person = people[mapped.lower()]
        person.count += 1
        person.raw_emails[raw] += 1
        person.renamed |= raw_name != mapped_name
        person.name = mapped_name
        q = quarter_of(int(at))
        person.quarters[q] += 1
        person.quarter_emails[q].add(raw.lower())
    return people


def is_bot(email: str, person: Identity) -> bool:
    return "[bot]" in email or "[bot]" in person.name or email in {"none@none", ""}


def pick_quarters(person: Identity, n: int, prefer_mixed: bool) -> list[str]:
    chosen: list[str] = []
    if prefer_mixed:  # quarters where several raw emails of the person were used
        mixed = sorted(
            (q for q, emails in person.quarter_emails.items() if len(emails) > 1),
            key=lambda q: (-len(person.quarter_emails[q]), -person.quarters[q], q),
        )
        chosen.extend(mixed[:n])
    candidates = [
        max(person.quarters),  # most recent active quarter
        *(q for q, _ in person.quarters.most_common()),  # then the busiest ones
    ]
    for q in candidates:
        if len(chosen) >= n:
            break
        if q not in chosen:
            chosen.append(q)
    return sorted(chosen)


def auto_cases(repo: Path, n_authors: int, n_quarters: int) -> list[Case]:
    people = identities(repo)
    humans = {e: p for e, p in people.items() if not is_bot(e, p)}
    busiest = sorted(humans, key=lambda e: -humans[e].count)[:n_authors]
    cases: list[Case] = []
    for email in busiest:
        original = humans[email].raw_emails.most_common(1)[0][0]
        for q in pick_quarters(humans[email], n_quarters, prefer_mixed=False):
            cases.append(Case(repo, canonical_email(repo, original), q, "busiest"))
    merged = sorted(
        (e for e, p in humans.items() if len({r.lower() for r in p.raw_emails}) > 1),
        key=lambda e: -humans[e].count,
    )
    why = "mailmap-merged emails"
    if not merged:
        merged = sorted((e for e, p in humans.items() if p.renamed), key=lambda e: -humans[e].count)
        why = "mailmap-renamed"
    if merged:
        person = humans[merged[0]]
        canon = canonical_email(repo, person.raw_emails.most_common(1)[0][0])
        # Ask with an address that is not the canonical one, when there is one, so that
        # miner's own mailmap resolution is exercised too.
        aliases = [r for r, _ in person.raw_emails.most_common() if r.lower() != canon.lower()]
        ask = aliases[0] if aliases else canon
        for q in pick_quarters(person, n_quarters, prefer_mixed=True):
            cases.append(Case(repo, ask, q, why))
    else:
        print(f"note: {repo}: no author is merged or renamed by .mailmap", file=sys.stderr)
    return cases


def explicit_cases(
    repo: Path, authors: Sequence[str], periods: Sequence[str], n_quarters: int
) -> list[Case]:
    if not periods:
        people = identities(repo)
        cases = []
        for email in authors:
            person = people.get(canonical_email(repo, email).lower())
            if person is None:
                print(f"note: {repo}: no commits by {email}", file=sys.stderr)
                continue
            mixed = len(person.raw_emails) > 1
            cases += [Case(repo, email, q) for q in pick_quarters(person, n_quarters, mixed)]
        return cases
    if len(periods) == 1:
        periods = list(periods) * len(authors)
    elif len(authors) == 1:
        authors = list(authors) * len(periods)
    if len(authors) != len(periods):
        raise SystemExit("give one --period per --author (or a single --period for all)")
    return [Case(repo, a, p) for a, p in zip(authors, periods, strict=True)]


# ---------------------------------------------------------------- miner side


def miner_command(override: str | None) -> list[str]:
    if override:
        return override.split()
    script = Path(sys.executable).parent / "miner"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "miner"]


def miner_supports_store(cmd: list[str]) -> bool:
    proc = subprocess.run([*cmd, "report", "--help"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"`{' '.join(cmd)} report --help` failed: {proc.stderr.strip()[-500:]}")
    return "--store" in proc.stdout


def run_miner(
    cmd: list[str], case: Case, store: Path | None, timeout: float
) -> tuple[dict[str, Any] | None, str]:
    with tempfile.TemporaryDirectory(prefix="miner-bench-") as tmp:
        out = Path(tmp) / "report.json"
        args = [
            *cmd,
            "report",
            str(case.repo),
            "--author",
            case.email,
            "--period",
            case.period,
            "--format",
            "json",
            "-o",
            str(out),
            "--no-github",
        ]
        if store is not None:
            args += ["--store", str(store)]
        env = {**os.environ, "NO_COLOR": "1"}
        try:
            proc = subprocess.run(
                args, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            return None, f"miner timed out after {timeout:.0f}s"
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-3:]
            return None, f"miner exit {proc.returncode}: {' | '.join(tail)}"
        try:
            return json.loads(out.read_text(encoding="utf-8")), ""
        except (OSError, ValueError) as exc:
            return None, f"cannot read miner JSON: {exc}"


def miner_commits(report: dict[str, Any], notes: list[str]) -> tuple[dict[str, Totals], int]:
    authored: dict[str, Totals] = {}
    co_authored: set[str] = set()
    missing_role = 0
    for ev in report.get("evidence", []):
        if ev.get("kind") != "commit":
            continue
        ev_id = str(ev.get("id", ""))
        if not ev_id.startswith("git:"):
            notes.append(f"! commit evidence with unexpected id {ev_id!r}")
            continue
        sha = ev_id[4:]
        role = ev.get("role")
        if role is None:
            missing_role += 1
            role = "author"
        if role == "co-author":
            co_authored.add(sha)
            continue
        if role != "author":
            notes.append(f"! {sha[:12]} has unexpected role {role!r}")
            continue
        raw = ev.get("stats") or {}
        stats = Totals(
            int(raw.get("additions") or 0),
            int(raw.get("deletions") or 0),
            int(raw.get("files") or 0),
        )
        if sha in authored:
            notes.append(f"! {sha[:12]} reported twice")
        authored[sha] = stats
    if missing_role:
        notes.append(f"{missing_role} commit evidence item(s) have no 'role' (taken as author)")
    both = co_authored & set(authored)
    if both:
        notes.append(f"{len(both)} commit(s) reported both as author and co-author")
    return authored, len(co_authored)


# ---------------------------------------------------------------- diagnosis


def when(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def describe(repo: Path, sha: str) -> str:
    out = git(repo, "show", "-s", "--format=%at%x09%ct%x09%ae%x09%aE%x09%P%x09%s", sha).strip()
    if not out:
        return f"{sha[:12]} (not in repository)"
    at, ct, raw, mapped, parents, subject = out.split("\t", 5)
    extra = f" raw={raw}" if raw != mapped else ""
    merge = " MERGE" if len(parents.split()) > 1 else ""
    return (
        f"{sha[:12]} author {when(int(at))} committer {when(int(ct))} <{mapped}>{extra}{merge}"
        f" {subject[:50]!r}"
    )


def diagnose(result: Result, renames: bool) -> list[str]:
    assert result.miner is not None
    lines: list[str] = []
    repo = result.case.repo
    only_miner = sorted(set(result.miner) - set(result.git))
    only_git = sorted(set(result.git) - set(result.miner))
    for label, shas in (("only in miner", only_miner), ("only in git", only_git)):
        if shas:
            lines.append(f"  {label}: {len(shas)}")
            lines += [f"    {describe(repo, sha)}" for sha in shas[:MAX_SHAS]]
    differing = [
        sha
        for sha in sorted(set(result.miner) & set(result.git))
        if result.miner[sha] != result.git[sha].stats
    ]
    if differing:
        other = {
            c.sha: c.stats
            for c in git_commits(repo, result.canonical, renames=not renames)
            if c.sha in differing
        }
        mode = "--no-renames" if renames else "-M"
        lines.append(f"  stats differ on {len(differing)} common commit(s) (+add -del files):")
        for sha in differing[:MAX_SHAS]:
            m, g, o = result.miner[sha], result.git[sha].stats, other.get(sha)
            alt = f" | git {mode} +{o.additions} -{o.deletions} {o.files}" if o else ""
            lines.append(
                f"    {sha[:12]} miner +{m.additions} -{m.deletions} {m.files}"
                f" | git +{g.additions} -{g.deletions} {g.files}{alt}"
            )
    lines += [f"  {n}" for n in result.notes]
    return lines


# ---------------------------------------------------------------- main


def evaluate(
    case: Case,
    cmd: list[str] | None,
    store: Path | None,
    timeout: float,
    renames: bool,
    cache: dict[tuple[Path, str], list[GitCommit]],
) -> Result:
    canonical = canonical_email(case.repo, case.email)
    key = (case.repo, canonical.lower())
    if key not in cache:
        cache[key] = git_commits(case.repo, canonical, renames=renames)
    notes: list[str] = []
    own_start: datetime | None
    own_end: datetime | None
    try:
        own_start, own_end = parse_period(case.period)
    except ValueError:
        own_start = own_end = None
    if cmd is None:
        if own_start is None or own_end is None:
            raise SystemExit(f"--git-only needs an explicit period, not {case.period!r}")
        return Result(
            case, canonical, own_start, own_end, in_window(cache[key], own_start, own_end)
        )
    report, error = run_miner(cmd, case, store, timeout)
    if report is None:
        if own_start is None or own_end is None:
            own_start = own_end = datetime.fromtimestamp(0, UTC)
        truth = in_window(cache[key], own_start, own_end)
        return Result(case, canonical, own_start, own_end, truth, error=error)
    try:
        start = datetime.fromisoformat(report["period"]["start"])
        end = datetime.fromisoformat(report["period"]["end"])
    except (KeyError, TypeError, ValueError) as exc:
        dummy = datetime.fromtimestamp(0, UTC)
        return Result(case, canonical, dummy, dummy, {}, error=f"bad period in JSON: {exc}")
    if own_start is not None and (start, end) != (own_start, own_end):
        notes.append(f"! miner window {start}..{end} differs from expected {own_start}..{own_end}")
    authored, co = miner_commits(report, notes)
    truth = in_window(cache[key], start, end)
    repeated = repeats(case.repo, truth)
    for later, first in sorted(repeated.items()):
        notes.append(f"counted once: {later[:12]} repeats the patch of {first[:12]}")
    truth = {sha: c for sha, c in truth.items() if sha not in repeated}
    result = Result(case, canonical, start, end, truth, authored, co)
    result.notes = notes
    return result


def render(results: list[Result], renames: bool, git_only: bool) -> str:
    header = ["repo", "author", "period", "commits", "additions", "deletions", "files"]
    header += [] if git_only else ["co-auth", "result"]
    rows: list[list[str]] = []
    details: list[str] = []
    for r in results:
        g = total(c.stats for c in r.git.values())
        row = [r.case.repo.name, r.case.email, r.case.period]
        if git_only:
            row += [str(len(r.git)), str(g.additions), str(g.deletions), str(g.files)]
        elif r.miner is None:
            row += [f"- / {len(r.git)}", f"- / {g.additions}", f"- / {g.deletions}"]
            row += [f"- / {g.files}", "-", "ERROR"]
            details += [f"{r.case.repo.name} {r.case.email} {r.case.period}: {r.error}"]
        else:
            m = total(r.miner.values())
            row += [
                f"{len(r.miner)} / {len(r.git)}",
                f"{m.additions} / {g.additions}",
                f"{m.deletions} / {g.deletions}",
                f"{m.files} / {g.files}",
                str(r.co_authored),
                "OK" if r.ok else "MISMATCH",
            ]
            lines = diagnose(r, renames)
            if lines:
                head = f"{r.case.repo.name} {r.case.email} {r.case.period}"
                if r.canonical.lower() != r.case.email.lower():
                    head += f" (canonical <{r.canonical}>)"
                details += [f"{head}:", *lines]
        rows.append(row)
    widths = [max(len(x[i]) for x in [header, *rows]) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    text.insert(1, "  ".join("-" * w for w in widths))
    if details:
        text += ["", *details]
    return "\n".join(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="+", type=Path, metavar="REPO")
    parser.add_argument("--author", action="append", default=[], help="email (repeatable)")
    parser.add_argument("--period", action="append", default=[], help="e.g. 2023Q1")
    parser.add_argument("--authors", type=int, default=3, help="busiest authors to pick")
    parser.add_argument("--quarters", type=int, default=2, help="quarters per picked author")
    parser.add_argument("--git-only", action="store_true", help="print the git side only")
    parser.add_argument("--no-renames", action="store_true", help="git side without -M")
    parser.add_argument("--miner", help="miner command (default: miner beside this python)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per miner run")
    parser.add_argument(
        "--store-per-case",
        action="store_true",
        help="fresh --store for every case (default: one per repository)",
    )
    parser.add_argument(
        "--collect-first",
        action="store_true",
        help="run `miner collect REPO --all-authors` into each repository's store first, so "
        "the reports read stored commits instead of diffing",
    )
    args = parser.parse_args(argv)
    if args.collect_first and args.store_per_case:
        parser.error("--collect-first fills one store per repository; drop --store-per-case")
    if args.period and not args.author:
        parser.error("--period needs --author")

    cases: list[Case] = []
    for repo in args.repos:
        if not (repo / ".git").exists() and not repo.joinpath("HEAD").exists():
            parser.error(f"{repo} is not a git repository")
        repo = repo.resolve()
        if args.author:
            cases += explicit_cases(repo, args.author, args.period, args.quarters)
        else:
            cases += auto_cases(repo, args.authors, args.quarters)

    cmd = None if args.git_only else miner_command(args.miner)
    use_store = cmd is not None and miner_supports_store(cmd)
    renames = not args.no_renames
    results: list[Result] = []
    cache: dict[tuple[Path, str], list[GitCommit]] = {}
    stores = Path(tempfile.mkdtemp(prefix="miner-bench-stores-"))
    try:
        for i, case in enumerate(cases, 1):
            store = None
            if use_store:
                name = f"case{i}" if args.store_per_case else f"repo-{case.repo.name}"
                store = stores / f"{name}.sqlite"
                if args.collect_first and cmd is not None and not store.exists():
                    collect = [*cmd, "collect", str(case.repo), "--all-authors"]
                    subprocess.run([*collect, "--store", str(store)], check=True)
            print(
                f"[{i}/{len(cases)}] {case.repo.name} {case.email} {case.period}"
                + (f" ({case.why})" if case.why else ""),
                file=sys.stderr,
                flush=True,
            )
            results.append(evaluate(case, cmd, store, args.timeout, renames, cache))
    finally:
        shutil.rmtree(stores, ignore_errors=True)
    print(render(results, renames, args.git_only))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
