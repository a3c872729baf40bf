"""Every command the README shows runs as written.

Each ```sh block is run, in order, in one shell (a reader's terminal: a `cd` carries
on), with `miner` from this venv on PATH, an empty home, and the clones the commands
name. A block that cannot run here (it installs a program, or is the CI itself) says
so just above it in the README: ``<!-- readme-test: skip (why) -->``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from miner.config import KEYS
from tests.conftest import Repo

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(
    r"(<!-- readme-test: skip \((?P<why>[^)]+)\) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.S
)


def blocks(lang: str) -> list[tuple[str | None, str]]:
    """(why it is skipped or None, body) of each block in ``lang``."""
    text = README.read_text(encoding="utf-8")
    return [(m["why"], m["body"]) for m in _BLOCK.finditer(text) if m["lang"] == lang]


def test_the_readme_shell_commands_run_as_written(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for clone in (tmp_path / "work" / "some-clone", home / "src" / "api", home / "src" / "web"):
        repo = Repo(clone)
        repo.commit("Add parser tests", {"tests/test_parser.py": "def test_x():\n    pass\n"})
    runnable = [body for why, body in blocks("sh") if why is None]
    skipped = [why for why, _ in blocks("sh") if why is not None]
    assert len(runnable) >= 2 and all(skipped)
    script = "set -euo pipefail\n" + "\n".join(runnable)
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "GH_CONFIG_DIR": str(home / "gh"),  # no `gh` login either: GitHub stays off
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
    }
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path / "work",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    clone = tmp_path / "work" / "some-clone"
    assert (clone / "q2.json").is_file() and (clone / "year.html").is_file()


def test_the_readme_pack_and_config_examples_are_valid(tmp_path: Path) -> None:
    for _, body in blocks("yaml"):
        doc = yaml.safe_load(body)
        if isinstance(doc, dict) and "extends" in doc:  # a whole pack: its examples pass
            pack = tmp_path / "team.yaml"
            pack.write_text(body)
            done = subprocess.run(
                [sys.executable, "-m", "miner", "rules", "test", "--rules", str(pack)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stderr
        elif isinstance(doc, dict) and "author" in doc:  # the config file: keys we know
            assert set(doc) <= set(KEYS)
