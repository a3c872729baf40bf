"""Why the git collector reads history with one streamed `git log` pass, not PyDriller.

Reads the per-file line counts of the newest N non-merge commits three ways and prints
each one's time as a ratio of plain `git log -z --numstat` measured in the same run
(best of --repeat; the machine may be noisy, so read the ratios, not the seconds):

  git log      raw `git log -z --numstat`, output discarded (the floor)
  miner        the same pass parsed by miner.collectors.git (what `miner report` does)
  pydriller    PyDriller's Repository(...).traverse_commits() and each commit's
               modified_files, the way its documentation shows

Run: .venv/bin/python bench/pydriller_vs_gitlog.py REPO [--commits 200 1000 4000]
"""

from __future__ import annotations

import argparse
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from miner.collectors.gitlog import log_rows, parse_numstat


def best_of(repeat: int, work: Callable[[], int]) -> tuple[float, int]:
    best, result = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def raw_git(repo: Path, n: int) -> int:
    out = subprocess.run(
        ["git", "-C", str(repo), "log", "-z", "--numstat", "--no-merges", "-n", str(n), "HEAD"],
        capture_output=True,
        check=True,
    ).stdout
    return len(out)


def miner_pass(repo: Path, n: int) -> int:
    rows = log_rows(repo, ["-n", str(n), "HEAD"])
    return sum(a + d for r in rows for a, d in parse_numstat(r.numstat)[1])


def pydriller_newest(repo: Path, n: int) -> int:
    from pydriller import Repository

    newest = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--no-merges", "-n", str(n), "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    total = 0
    for commit in Repository(str(repo), only_commits=newest).traverse_commits():
        total += sum(m.added_lines + m.deleted_lines for m in commit.modified_files)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--commits", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'commits':>8} {'git log s':>10} {'miner/git':>10} {'pydriller/git':>14}  lines agree")
    for n in args.commits:
        floor, _ = best_of(args.repeat, lambda n=n: raw_git(args.repo, n))
        ours, our_lines = best_of(args.repeat, lambda n=n: miner_pass(args.repo, n))
        theirs, their_lines = best_of(1, lambda n=n: pydriller_newest(args.repo, n))
        agree = "yes" if our_lines == their_lines else f"no ({our_lines} vs {their_lines})"
        print(f"{n:>8} {floor:>10.3f} {ours / floor:>10.2f} {theirs / floor:>14.1f}  {agree}")


if __name__ == "__main__":
    main()
