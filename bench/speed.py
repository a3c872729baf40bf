"""Speed of ``miner`` against the plain ``git`` command that yields the same data.

The machine this runs on is shared and noisy, so no absolute time is judged: every miner
command is timed, best of ``--repeat``, in the same run and interleaved with the ``git``
command that reads the same data (the physical floor), and only the ratios are judged::

    .venv/bin/python bench/speed.py [--sizes 5000 40000] [--work DIR] [--repeat 3]
                                    [--seed 1] [--repo REAL_REPO ...]

For each size a synthetic repository is generated with ``bench/synth_repo.py`` (reused
when ``WORK/synth-<size>-s<seed>`` was already generated with the same size, seed and
generator version). Then, per repository:

A. ``miner collect REPO --all-authors --store FRESH`` (a fresh store every repeat)
   vs ``git -C REPO log --no-merges --numstat HEAD``; target ratio <= 1.2.
B. ``miner report REPO --author EMAIL --period START..END --format json -o OUT
   --no-github --store FRESH`` (cold) for the busiest author vs
   ``git -C REPO log --no-merges --use-mailmap --fixed-strings --author=EMAIL
   --since=START --until=END+1 --numstat``; target ratio <= 1.3.
C. the same ``miner report`` again on B's store (warm, nothing new) vs cold B; target <= 0.3.
D. ``miner promo`` (cold, fresh store) for the same author over the last year of the range
   vs the cold ``miner report`` over that same year; target ratio <= 2.0.
E. the same ``miner promo`` again on D's store (warm); target under one second.

Both sides write stdout to ``/dev/null``. The ``miner`` package's bytecode is compiled
before any timing, as installing a wheel compiles it (see ``compile_miner``). Dates given
to ``git`` carry an explicit time and zone (``2022-01-01 00:00:00 +0000``): a bare date
makes git use the current time of day. ``--fixed-strings`` keeps a ``+`` in a noreply
email from being read as a regex.

Peak memory is ``ru_maxrss`` from ``os.wait4`` on each command's process: the largest
resident set of that process or any descendant it waited for (the git processes miner
runs), not their sum; the table shows the maximum over the repeats, for miner ("peak MB",
judged) and for the command it is compared with ("git MB": git's RSS counts the pack
pages it maps, so it is the floor here too). The growth rows
compare ``(miner at largest size / miner at smallest) / (git largest / git smallest)``
for A and B; target <= 1.1. Peak memory target: under 500 MB.

``--repo PATH`` (repeatable) also runs A and B on a real repository, for the busiest
non-bot author (by ``--use-mailmap`` email, merges excluded) of the three years ending at
the ``HEAD`` commit's date. The script always exits 0: it reports, it does not gate; a
missed target is printed as ``FAIL``. The targets are set at the largest synthetic size
(40,000 commits by default); the rows of smaller sizes and of real repositories are shown
as ``info``: there, fixed costs (interpreter start-up, two cheap walks) weigh more.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth_repo

MINER = Path(sys.executable).parent / "miner"
PEAK_MB_TARGET = 500.0
SYNTH_START, SYNTH_END = date(2022, 1, 1), date(2024, 12, 31)  # inclusive


@dataclass
class Measure:
    """Best wall time and highest peak RSS over the repeats of one command."""

    best: float = float("inf")
    peak_mb: float = 0.0
    failed: str | None = None

    def add(self, seconds: float, peak_mb: float) -> None:
        self.best = min(self.best, seconds)
        self.peak_mb = max(self.peak_mb, peak_mb)

    @property
    def ok(self) -> bool:
        return self.failed is None and self.best != float("inf")


ONE_SECOND = Measure(best=1.0)  # E is judged against one second, not a ratio


@dataclass
class Target:
    name: str
    path: Path
    author: str
    start: date  # inclusive
    end: date  # inclusive
    commits: int | None = None  # synthetic size, for growth rows


@dataclass
class Row:
    size: str
    command: str
    miner: Measure
    base: Measure
    limit: float
    base_label: str = ""
    judged: bool = True  # the issue sets its targets at the largest size; others inform


def run(cmd: Sequence[str | Path]) -> tuple[float, float, str | None]:
    """Run ``cmd`` with stdout to /dev/null: wall seconds, peak RSS in MB, error or None."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(c) for c in cmd], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        error = None
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
            error = f"exit {proc.returncode}: " + " | ".join(tail)
    return seconds, usage.ru_maxrss / 1024, error


def measure(m: Measure, cmd: Sequence[str | Path]) -> float | None:
    if m.failed:
        return None
    seconds, peak, error = run(cmd)
    if error:
        m.failed = error
        print(f"  ! {' '.join(map(str, cmd[:3]))} ...: {error}", file=sys.stderr)
        return None
    m.add(seconds, peak)
    return seconds


def help_text(*args: str) -> str:
    result = subprocess.run(
        [str(MINER), *args, "--help"], capture_output=True, text=True, check=False
    )
    return result.stdout if result.returncode == 0 else ""


def git_date(d: date) -> str:
    return f"{d.isoformat()} 00:00:00 +0000"


def synth_target(work: Path, size: int, seed: int) -> Target:
    path = work / f"synth-{size}-s{seed}"
    meta = synth_repo.read_meta(path)
    fresh = (
        meta is not None
        and meta.get("commits") == size
        and meta.get("seed") == seed
        and meta.get("generator_version") == synth_repo.GENERATOR_VERSION
    )
    if meta is not None and fresh:
        print(f"reusing {path} (generated in {meta.get('seconds')}s)", file=sys.stderr)
        busiest = str(meta["busiest"])
    else:
        print(f"generating {path} ({size} commits) ...", file=sys.stderr)
        summary = synth_repo.generate(path, size, seed, force=True)
        print(
            f"  generated in {summary.seconds:.1f}s; busiest {summary.busiest} "
            f"({summary.busiest_commits} commits)",
            file=sys.stderr,
        )
        busiest = summary.busiest
    return Target(f"{size:,}", path, busiest, SYNTH_START, SYNTH_END, commits=size)


def real_target(path: Path) -> Target:
    """The busiest non-bot author of the three years ending at HEAD's commit date."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(path), *args], capture_output=True, text=True, check=True
        ).stdout

    head = datetime.fromtimestamp(int(git("log", "-1", "--format=%ct", "HEAD")), UTC).date()
    try:
        start = head.replace(year=head.year - 3) + timedelta(days=1)
    except ValueError:  # 29 February
        start = head.replace(year=head.year - 3, day=28) + timedelta(days=1)
    out = git(
        "log",
        "--no-merges",
        "--use-mailmap",
        "--format=%aE%x09%aN",
        f"--since={git_date(start)}",
        f"--until={git_date(head + timedelta(days=1))}",
        "HEAD",
    )
    counts: Counter[str] = Counter()
    for line in out.splitlines():
        email, _, name = line.partition("\t")
        if "[bot]" in email or "[bot]" in name or email.endswith("noreply@github.com"):
            continue
        counts[email.lower()] += 1
    if not counts:
        raise SystemExit(f"{path}: no commits in the three years before {head}")
    author, n = counts.most_common(1)[0]
    print(f"{path}: busiest author {author} ({n} commits, {start}..{head})", file=sys.stderr)
    return Target(path.name, path, author, start, head)


def bench(
    target: Target,
    repeat: int,
    scratch: Path,
    has_collect: bool,
    has_store: bool,
    has_promo: bool = False,
) -> dict[str, Measure]:
    repo = str(target.path)
    period = f"{target.start.isoformat()}..{target.end.isoformat()}"
    git_a = ["git", "-C", repo, "log", "--no-merges", "--numstat", "HEAD"]
    git_b = [
        "git",
        "-C",
        repo,
        "log",
        "--no-merges",
        "--use-mailmap",
        "--fixed-strings",
        f"--author={target.author}",
        f"--since={git_date(target.start)}",
        f"--until={git_date(target.end + timedelta(days=1))}",
        "--numstat",
    ]
    keys = ("git_a", "miner_a", "git_b", "miner_b", "miner_c", "year_b", "miner_d", "miner_e")
    res = {k: Measure() for k in keys}
    year = f"{(target.end - timedelta(days=365)).isoformat()}..{target.end.isoformat()}"
    if not has_collect:
        res["miner_a"].failed = "miner collect --all-authors --store is not available"
    run(git_a)  # warm the page cache; not measured
    for i in range(repeat):
        store_a = scratch / f"a-{i}.db"
        store_b = scratch / f"b-{i}.db"
        out = scratch / f"report-{i}.json"
        measure(res["git_a"], git_a)
        measure(res["miner_a"], [MINER, "collect", repo, "--all-authors", "--store", store_a])
        report = [MINER, "report", repo, "--author", target.author, "--period", period]
        report += ["--format", "json", "-o", out, "--no-github"]
        if has_store:
            report += ["--store", store_b]
        measure(res["git_b"], git_b)
        measure(res["miner_b"], report)
        measure(res["miner_c"], report)
        if has_promo:
            year_report = [MINER, "report", repo, "--author", target.author, "--period", year]
            year_report += ["--format", "json", "-o", out, "--no-github", "--store"]
            promo = [MINER, "promo", repo, "--author", target.author, "--period", year]
            promo += ["--format", "json", "-o", out, "--no-github"]
            promo += ["--case", scratch / "case.yaml", "--store"]
            # an empty case file of its own: the user's is never read (a missing --case
            # FILE is an error, and the scratch folder is emptied after each repeat)
            (scratch / "case.yaml").write_text("# the bench's case\n")
            measure(res["year_b"], [*year_report, scratch / f"y-{i}.db"])
            measure(res["miner_d"], [*promo, scratch / f"d-{i}.db"])
            measure(res["miner_e"], [*promo, scratch / f"d-{i}.db"])
        for p in scratch.iterdir():
            p.unlink()
        print(
            f"  {target.name} repeat {i + 1}/{repeat}: "
            + ", ".join(f"{k} {v.best:.2f}s" for k, v in res.items() if v.ok),
            file=sys.stderr,
        )
    return res


def fmt_s(m: Measure) -> str:
    return f"{m.best:.2f}" if m.ok else "n/a"


def print_table(rows: list[Row], growth: list[tuple[str, float | None]]) -> int:
    failures = 0
    print("| size | command | miner s | git s | ratio | target | peak MB | git MB | result |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        if r.miner.ok and r.base.ok:
            ratio = r.miner.best / r.base.best
            passed = ratio <= r.limit and r.miner.peak_mb < PEAK_MB_TARGET
            verdict = "pass" if passed else "**FAIL**"
            if not passed and ratio <= r.limit:
                verdict += " (memory)"
            ratio_s = f"{ratio:.2f}x"
        else:
            passed, verdict, ratio_s = False, "**FAIL** (did not run)", "n/a"
        if not r.judged:
            verdict = "info"
        failures += not passed and r.judged
        base = fmt_s(r.base) + (f" ({r.base_label})" if r.base_label and r.base.ok else "")
        peak = f"{r.miner.peak_mb:.0f}" if r.miner.ok else "n/a"
        base_peak = f"{r.base.peak_mb:.0f}" if r.base.ok else "n/a"
        print(
            f"| {r.size} | {r.command} | {fmt_s(r.miner)} | {base} | {ratio_s} "
            f"| <= {r.limit}x | {peak} | {base_peak} | {verdict} |"
        )
    for label, value in growth:
        passed = value is not None and value <= 1.1
        failures += not passed
        shown = f"{value:.2f}x" if value is not None else "n/a"
        verdict = "pass" if passed else "**FAIL**"
        print(f"| growth | {label} | | | {shown} | <= 1.1x | | | {verdict} |")
    return failures


def compile_miner() -> None:
    """Write the bytecode of the installed ``miner`` package first, as installing a
    wheel does: under ``PYTHONDONTWRITEBYTECODE`` an editable install would otherwise
    compile every changed module again in each timed run."""
    found = subprocess.run(
        [sys.executable, "-c", "import miner, pathlib; print(pathlib.Path(miner.__file__).parent)"],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode == 0 and found.stdout.strip():
        folder = found.stdout.strip()
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[5000, 40000])
    parser.add_argument("--work", type=Path, default=Path(__file__).resolve().parent / "work")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repo", type=Path, action="append", default=[], metavar="PATH")
    args = parser.parse_args(argv)

    if not MINER.exists():
        print(f"speed: FAIL: no miner script at {MINER}", file=sys.stderr)
        return 0
    compile_miner()
    collect_help = help_text("collect")
    has_collect = "--all-authors" in collect_help and "--store" in collect_help
    has_store = "--store" in help_text("report")
    has_promo = "--case" in help_text("promo")
    if not has_store:
        print("speed: miner report has no --store; B and C use the default store", file=sys.stderr)

    args.work.mkdir(parents=True, exist_ok=True)
    targets = [synth_target(args.work, size, args.seed) for size in sorted(set(args.sizes))]
    targets += [real_target(p.resolve()) for p in args.repo]

    rows: list[Row] = []
    by_size: dict[int, dict[str, Measure]] = {}
    scratch = Path(tempfile.mkdtemp(prefix="miner-speed-"))
    try:
        for t in targets:
            res = bench(t, args.repeat, scratch, has_collect, has_store, has_promo)
            if t.commits is not None:
                by_size[t.commits] = res
            label = f"{t.name} ({t.author})" if t.commits is None else t.name
            judged = t.commits == max(args.sizes, default=None)
            rows += [
                Row(
                    label, "A collect --all-authors", res["miner_a"], res["git_a"], 1.2, "", judged
                ),
                Row(
                    label,
                    "B report, one author (cold)",
                    res["miner_b"],
                    res["git_b"],
                    1.3,
                    "",
                    judged,
                ),
                Row(
                    label,
                    "C report, warm vs cold",
                    res["miner_c"],
                    res["miner_b"],
                    0.3,
                    "cold",
                    judged,
                ),
            ]
            if has_promo:
                rows += [
                    Row(
                        label,
                        "D promo, a year (cold) vs cold report",
                        res["miner_d"],
                        res["year_b"],
                        2.0,
                        "report",
                        judged,
                    ),
                    Row(label, "E promo, warm", res["miner_e"], ONE_SECOND, 1.0, "1 s", judged),
                ]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    growth: list[tuple[str, float | None]] = []
    if len(by_size) >= 2:
        lo, hi = by_size[min(by_size)], by_size[max(by_size)]
        span = f"{min(by_size):,} -> {max(by_size):,}"
        for key, name in (("a", "A collect"), ("b", "B report (cold)")):
            m, g = f"miner_{key}", f"git_{key}"
            ok = all(x[k].ok for x in (lo, hi) for k in (m, g))
            value = (hi[m].best / lo[m].best) / (hi[g].best / lo[g].best) if ok else None
            growth.append((f"{name}, {span}", value))

    print()
    failures = print_table(rows, growth)
    print()
    print(f"{failures} FAIL" if failures else "all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
