"""Regenerate the example outputs in reports/ from this project's own Git history.

    .venv/bin/python reports/regenerate.py           # write them
    .venv/bin/python reports/regenerate.py --check   # exit 1 if any is stale

Everything that shapes them is fixed here, so they come out the same on every
machine: a clone of this repository checked out at ``PIN`` and named
``contribution-miner`` (the report shows the folder's name), the author, the period,
the time of generation, the notes in ``example-notes.yaml``, no GitHub, and a store
of their own. Only a change to miner's output (or to the rule pack) changes them;
tests/test_report.py fails until they are regenerated.

Each entry of ``EXAMPLES`` writes one document in several formats: add a line there
to add an example.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from miner import api
from miner.periods import parse_period
from miner.report import render
from miner.report.promo import render_promo

HERE = Path(__file__).resolve().parent
PIN = "f5c489bf72fbb7b5fe04aaece6600f7be6fe5c3f"  # the history the examples show
AUTHOR = "maintainers@users.noreply.r-seed-07479624.example"
NOW = datetime(2027, 1, 2, 9, 0, tzinfo=UTC)


def quarterly(config: api.Config) -> dict[str, str]:
    """The quarterly report, as `miner report` writes it in each format."""
    report = api.build_report(config)
    return {fmt: render(report, fmt) for fmt in ("md", "html", "json")}


def promotion_case(config: api.Config) -> dict[str, str]:
    """The promotion case over the year, as `miner promo --case example-case.yaml`
    writes it, with the person's words from the example case file."""
    year = replace(config, period=parse_period("2026"))
    promo = api.build_promo(year, case=HERE / "example-case.yaml")
    return {fmt: render_promo(promo, fmt) for fmt in ("md", "html")}


# name -> what writes it: reports/<name>.<format> for each format it returns.
EXAMPLES: dict[str, Callable[[api.Config], dict[str, str]]] = {
    "quarterly-report": quarterly,
    "promotion-case": promotion_case,
}


def generate(source: Path = HERE.parent) -> dict[str, str]:
    """Every example file's name and text, from ``source``'s history at ``PIN``."""
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "contribution-miner"
        git("clone", "--quiet", "--no-checkout", str(source), str(clone))
        git("-C", str(clone), "checkout", "--quiet", "--detach", PIN)
        config = api.Config(
            period=parse_period("2026Q4"),
            paths=(clone,),
            authors=(AUTHOR,),
            notes=HERE / "example-notes.yaml",
            github=False,
            store=Path(tmp) / "store.db",
            now=NOW,
        )
        files = {}
        for name, write in EXAMPLES.items():
            for fmt, text in write(replace(config)).items():
                files[f"{name}.{fmt}"] = text
        return files


def git(*args: str) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True)


def stale(files: dict[str, str]) -> list[str]:
    """The example files that differ from what ``files`` holds, or are missing."""
    return sorted(
        name
        for name, text in files.items()
        if not (HERE / name).is_file() or (HERE / name).read_text(encoding="utf-8") != text
    )


def main(argv: list[str]) -> int:
    files = generate()
    if "--check" in argv:
        old = stale(files)
        for name in old:
            print(f"reports/{name} is stale: run `.venv/bin/python reports/regenerate.py`")
        return 1 if old else 0
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote reports/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
