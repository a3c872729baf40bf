"""Repositories written by someone else: their config, their commit objects, their tags.

Nothing a repository or a global git config holds may change what miner reads, run a
program, or crash a run; a commit git cannot give whole becomes one warning line.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miner import gitcmd
from miner.collectors.gitlog import log_rows, parse_numstat
from tests.conftest import Repo
from tests.test_git_collector import collect

ADA = "Ada Lovelace <ada@example.com>"
BOB = ("Bob Builder", "bob@example.com")


def craft(
    repo: Repo,
    author: bytes,
    message: bytes,
    *,
    date: bytes = b"1712138400 +0000",
    tree: str | None = None,
) -> str:
    """A commit object written as given (no checks), on top of HEAD, made HEAD."""
    head = repo.git("rev-parse", "HEAD").strip()
    tree = tree or repo.git("rev-parse", "HEAD^{tree}").strip()
    body = (
        f"tree {tree}\nparent {head}\n".encode()
        + b"author "
        + author
        + b" "
        + date
        + b"\ncommitter C <c@example.com> 1712138400 +0000\n\n"
        + message
    )
    sha = _hash_object(repo.path, "commit", body)
    repo.git("update-ref", "HEAD", sha)
    return sha


def _hash_object(path: Path, kind: str, body: bytes) -> str:
    return (
        subprocess.run(
            ["git", "-C", str(path), "hash-object", "-t", kind, "-w", "--literally", "--stdin"],
            input=body,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )


def report_json(miner, path: Path, store: Path, *extra: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = miner(
        "report", str(path), "--period", "2024Q2", "--format", "json", "--store", str(store), *extra
    )
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    data.pop("generated_at", None)
    return data


def evidence(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in data["evidence"]}


# --- Item 1: a hostile global or repository config changes nothing -------------------


def _marker_program(folder: Path, name: str) -> tuple[Path, Path]:
    """A program that leaves a file behind when run: it must never be."""
    marker = folder / f"{name}-ran"
    program = folder / name
    program.write_text(f"#!/bin/sh\ntouch '{marker}'\ncat >/dev/null\nexit 1\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program, marker


def _hostile_config(folder: Path) -> tuple[str, list[Path]]:
    programs = {n: _marker_program(folder, n) for n in ("gpg", "sshsign", "pager", "extdiff")}
    order = folder / "order"
    order.write_text("z.py\n")
    text = f"""
[log]
    showSignature = true
    showRoot = false
    decorate = full
    abbrevCommit = true
    mailmap = true
    date = iso
[color]
    ui = always
    diff = always
[core]
    quotePath = true
    commentChar = C
    abbrev = 7
    bigFileThreshold = 1
    pager = {programs["pager"][0]}
[i18n]
    logOutputEncoding = ISO-8859-1
[diff]
    algorithm = patience
    renames = copies
    renameLimit = 1
    orderFile = {order}
    noprefix = true
    external = {programs["extdiff"][0]}
[trailer]
    separators = "#"
[gpg]
    program = {programs["gpg"][0]}
[gpg "ssh"]
    program = {programs["sshsign"][0]}
[pager]
    log = {programs["pager"][0]}
[format]
    pretty = oneline
"""
    return text, [marker for _, marker in programs.values()]


def _signed(repo: Repo) -> None:
    """A commit with a signature header (crafted: no key needed), and an SSH-signed one
    when ssh-keygen is there."""
    head = repo.git("rev-parse", "HEAD").strip()
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    sig = " -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----"
    body = (
        f"tree {tree}\nparent {head}\nauthor {ADA} 1712138400 +0000\n"
        f"committer {ADA} 1712138400 +0000\ngpgsig{sig}\n\nSigned with gpg\n"
    ).encode()
    repo.git("update-ref", "HEAD", _hash_object(repo.path, "commit", body))
    if shutil.which("ssh-keygen") is None:
        return
    key = repo.path.parent / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    repo.write({"signed.py": "".join(f"s{i}\n" for i in range(5))})
    env = {"GIT_AUTHOR_DATE": "2024-04-20T10:00:00+00:00"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    repo.git(
        "-c", "gpg.format=ssh", "-c", f"user.signingkey={key}",
        "commit", "-q", "-S", "-m", "Signed with ssh", env=env,
    )  # fmt: skip


def _busy_repo(repo: Repo) -> None:
    repo.commit("Root: add the queue", {"queue.py": "".join(f"q{i}\n" for i in range(30))})
    repo.commit(
        "Rename the queue", {"queue.py": None, "fifo.py": "".join(f"q{i}\n" for i in range(30))}
    )
    repo.commit("Café: accented é", {"z.py": "1\n", "a.py": "2\n"})
    repo.commit(
        "Pair on the parser\n\nCo-authored-by: Ada Lovelace <ada@example.com>",
        {"parser.py": "p\n" * 12},
        author=BOB,
        date="2024-05-02T10:00:00+00:00",
    )
    repo.tag(
        "v1.0",
        "Release one",
        date="2024-05-03T10:00:00+00:00",
        tagger=("Ada Lovelace", "ada@example.com"),
    )
    _signed(repo)


def _runs(miner, repo: Repo, folder: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What each git-reading command gives, each on a store of its own."""
    folder.mkdir()
    found: dict[str, Any] = {"report": report_json(miner, repo.path, folder / "r.db")}
    collected = miner(
        "collect", str(repo.path), "--period", "2024Q2", "--store", str(folder / "c.db")
    )
    assert collected.code == 0, collected.err
    everyone = miner("collect", str(repo.path), "--all-authors", "--store", str(folder / "a.db"))
    assert everyone.code == 0, everyone.err
    found["collect"] = collected.out
    found["collect --all-authors"] = everyone.out
    for name in ("c.db", "a.db"):
        rows = _rows(folder / name)
        found[f"rows of {name}"] = rows
    found["report from a collected store"] = report_json(miner, repo.path, folder / "a.db")
    doctor = miner("doctor", str(repo.path), "--store", str(folder / "none.db"))
    found["doctor"] = (doctor.code, doctor.out.replace(str(folder), "STORE"))
    return found


def _rows(store: Path) -> list[tuple[Any, ...]]:
    import sqlite3

    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT * FROM commits ORDER BY sha").fetchall()
    db.close()
    return rows


@pytest.mark.parametrize("where", ["global", "repository"])
def test_a_hostile_config_changes_no_result_and_runs_nothing(
    make_repo: type[Repo], tmp_path: Path, miner, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(tmp_path / "repo")
    _busy_repo(repo)
    clean = _runs(miner, repo, tmp_path / "clean")
    text, markers = _hostile_config(tmp_path)
    if where == "global":
        Path(os.environ["GIT_CONFIG_GLOBAL"]).write_text(text)
    else:
        with (repo.path / ".git" / "config").open("a") as config:
            config.write(text)
        # A graft file that cuts the history at HEAD's parent.
        parent = repo.git("rev-parse", "HEAD~1").strip()
        (repo.path / ".git" / "info").mkdir(exist_ok=True)
        (repo.path / ".git" / "info" / "grafts").write_text(f"{parent}\n")
    hostile = _runs(miner, repo, tmp_path / "hostile")
    for key, value in clean.items():
        assert hostile[key] == value, key
    assert [m for m in markers if m.exists()] == []
    mine = evidence(clean["report"])
    titles = {e["title"] for e in mine.values()}
    assert {
        "Root: add the queue",
        "Café: accented é",
        "Pair on the parser",
        "Signed with gpg",
    } <= titles
    root = next(e for e in mine.values() if e["title"] == "Root: add the queue")
    assert root["stats"]["additions"] == 30


def _paired_repo(repo: Repo) -> dict[str, str]:
    """Commits whose co-authors git's trailer settings could change, by what they are."""
    ada = ("Ada Lovelace", "ada@example.com")
    repo.commit("base", {"a.py": "1\n"}, author=ada)
    made = {
        "real": (f"Pair on it\n\nCo-authored-by: {ADA}", BOB),
        "alias": (f"Fake\n\nSee co-authored-by: rules.\n\nPair: {ADA}", BOB),
        "short": (f"Fake too\n\nSee co-authored-by: rules.\n\nCo: {ADA}", BOB),
        "prose": (f"Talk\n\nWe spoke today\nat length\nCo-authored-by: {ADA}", BOB),
        "mine": ("Mine\n\nSee co-authored-by: rules.\n\nPair: Bob Builder <bob@example.com>", ada),
    }  # fmt: skip
    return {
        what: repo.commit(message, {f"{what}.py": "x\n"}, author=who)
        for what, (message, who) in made.items()
    }


@pytest.mark.parametrize(
    "config",
    [
        '[trailer "pair"]\n\tkey = Co-authored-by\n',  # Pair: and Co: become co-authors
        '[trailer "co-authored-by"]\n\tkey = Helped-by\n',  # every co-author hidden
        '[trailer "co-authored-by"]\n\twhere = end\n',  # a paragraph of prose counts
    ],
)
def test_trailer_settings_neither_forge_nor_hide_a_co_author(
    repo: Repo, miner, tmp_path: Path, config: str
) -> None:  # type: ignore[no-untyped-def]
    made = _paired_repo(repo)
    clean = report_json(miner, repo.path, tmp_path / "clean.db")
    found = evidence(clean)
    assert {sha for sha, e in found.items() if e["role"] == "co-author"} == {f"git:{made['real']}"}
    assert found[f"git:{made['mine']}"].get("co_authors", []) == []
    with (repo.path / ".git" / "config").open("a") as file:
        file.write(config)
    assert report_json(miner, repo.path, tmp_path / "hostile.db") == clean
    stored = tmp_path / "all.db"  # the rows of a collection of every author
    assert miner("collect", str(repo.path), "--all-authors", "--store", str(stored)).code == 0
    assert report_json(miner, repo.path, stored) == clean


_TRAILER_LINES = st.sampled_from(
    [
        "Co-authored-by: Ada <ada@example.com>",
        "co-AUTHORED-by :Bob <bob@example.com>",
        "Co-authored-by:",
        "Co-authored-by: Carl\n  <carl@example.com>",
        "Co-authored-by: Dan <dan@example.com>\r",
        "Co-authored-by\t: Eve\t",
        "Co-authored-by: Émile \x0b<e@example.com>",
        "Signed-off-by: Fay <fay@example.com>",
        "(cherry picked from commit 0123456789abcdef)",
        "Reviewed-by: Gus",
        "Pair: Hal <hal@example.com>",
        "Co: Ida",
        " continued",
        "\tcontinued too",
        "# a comment: here",
        "some prose words",
        "prose: with a colon, and more",
        "",
        " ",
    ]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(_TRAILER_LINES, min_size=1, max_size=7), min_size=1, max_size=4))
def test_co_authors_read_from_the_raw_block_are_what_git_reads_without_config(
    tmp_path_factory: pytest.TempPathFactory, messages: list[list[str]]
) -> None:
    from miner.collectors.trailers import RAW_TRAILERS, co_authors

    repo = Repo(tmp_path_factory.mktemp("trailers") / "repo")
    repo.commit("base", {"a.py": "1\n"})
    for lines in messages:
        craft(repo, ADA.encode(), ("Title\n\n" + "\n".join(lines) + "\n").encode())
    keyed = "%(trailers:key=Co-authored-by,valueonly,unfold,separator=%x0a)"
    out = subprocess.run(
        ["git", "-C", str(repo.path), "log", f"--format=%x1e{keyed}%x00{RAW_TRAILERS}"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "replace")
    for record in out.split("\x1e")[1:]:
        git_said, raw = record.split("\0")
        assert co_authors(raw) == [v.strip() for v in git_said.split("\n") if v.strip()], raw


# --- Item 4: content that would end a field --------------------------------------------


def test_crafted_commits_neither_crash_nor_fake_anything(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo.commit("base", {"a.py": "1\n"})
    name = craft(repo, b"Ada \x1f\x1d\x1f Lovelace <ada@example.com>", b"Name with marks\n")
    message = craft(
        repo, ADA.encode(), b"Subject \x1e\x1d\x1e end\n\nBody \x1e\x1d\x1e\x1f\x1d\x1f tail\n"
    )
    fake = craft(
        repo, ADA.encode(), b"Fix \x1f\x1d\x1fMallory <mallory@example.com>\x1f\x1d\x1fbody\n"
    )
    odd = {
        craft(repo, ADA.encode(), b"Huge date\n", date=b"99999999999999999999 +0000"): "huge",
        craft(repo, ADA.encode(), b"Empty date\n", date=b" +0000"): "empty",
        craft(repo, ADA.encode(), b"Negative date\n", date=b"-5 +0000"): "negative",
    }
    bob = craft(
        repo,
        b"Bob Builder <bob@example.com>",
        b"Pair \x1e\x1d\x1e work\n\nCo-authored-by: Ada Lovelace <ada@example.com>\n",
    )
    tag_object = (
        f"object {bob}\ntype commit\ntag odd\ntagger {ADA} 1712138400 +0000\n\n"
        "Tag \x1f subject \x1f\x1d\x1f here\n"
    ).encode()
    repo.git("update-ref", "refs/tags/odd", _hash_object(repo.path, "tag", tag_object))
    bad_tag = f"object {bob}\ntype commit\ntag late\ntagger {ADA} 99999999999999999999 +0000\n\nx\n"
    repo.git("update-ref", "refs/tags/late", _hash_object(repo.path, "tag", bad_tag.encode()))

    result = miner(
        "report", str(repo.path), "--period", "2024Q2", "--format", "json",
        "--store", str(tmp_path / "s.db"),
    )  # fmt: skip
    assert result.code == 0, result.err
    found = evidence(json.loads(result.out))
    assert found[f"git:{message}"]["title"] == "Subject \x1e\x1d\x1e end"
    assert f"git:{name}" in found
    assert found[f"git:{fake}"]["title"].startswith("Fix \x1f\x1d\x1fMallory")
    assert found[f"git:{bob}"]["role"] == "co-author"
    assert found["git:tag:odd"]["title"] == "Tag odd: Tag \x1f subject \x1f\x1d\x1f here"
    for sha in odd:
        assert f"git:{sha}" not in found
        assert f"miner: warning: commit {sha[:12]} left out: git cannot read its author date" in (
            result.err
        )
    warm = miner(
        "report", str(repo.path), "--period", "2024Q2", "--format", "json",
        "--store", str(tmp_path / "s.db"),
    )  # fmt: skip
    assert (warm.code, warm.err) == (0, result.err)
    assert json.loads(warm.out)["evidence"] == json.loads(result.out)["evidence"]
    collected = miner(
        "collect", str(repo.path), "--period", "2024Q2", "--store", str(tmp_path / "c.db")
    )
    assert collected.code == 0, collected.err
    everyone = miner("collect", str(repo.path), "--all-authors", "--store", str(tmp_path / "e.db"))
    assert everyone.code == 0, everyone.err
    assert all(f"commit {sha[:12]} left out" in everyone.err for sha in odd)
    doctor = miner("doctor", str(repo.path), "--store", str(tmp_path / "d.db"))
    assert "commits" in doctor.out
    items, source, _ = collect(repo.path)
    by_id = {e.id: e for e in items}
    assert "Body \x1e\x1d\x1e\x1f\x1d\x1f tail" in by_id[f"git:{message}"].message
    assert by_id[f"git:{fake}"].co_authors == ()
    assert by_id[f"git:{name}"].matched_as == "ada@example.com"
    assert [s for s in source.blind_spots if "left out" in s] == [
        *sorted(f"commit {sha[:12]} left out: git cannot read its author date" for sha in odd),
        "tag late left out: git cannot read its date",
    ]


def test_the_subjects_tags_git_cannot_date_are_warned_about(
    repo: Repo, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    head = repo.commit("base", {"a.py": "1\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()

    def tag(name: str, tagger: str) -> None:
        body = f"object {head}\ntype commit\ntag {name}\n{tagger}\nMessage\n"
        repo.git("update-ref", f"refs/tags/{name}", _hash_object(repo.path, "tag", body.encode()))

    tag("huge", f"tagger {ADA} 99999999999999999999 +0000\n")
    tag("negative", f"tagger {ADA} -5 +0000\n")
    tag("bobs", "tagger Bob Builder <bob@example.com> 99999999999999999999 +0000\n")
    tag("untagged", "")  # records no tagger: no one's, as before
    tag("fine", f"tagger {ADA} 1712138400 +0000\n")
    undated = f"tree {tree}\nauthor {ADA} 1712138400 +0000\ncommitter {ADA} -5 +0000\n\nUndated\n"
    light = _hash_object(repo.path, "commit", undated.encode())
    repo.git("update-ref", "refs/tags/light", light)  # lightweight: the commit's date
    result = miner(
        "report", str(repo.path), "--period", "2024Q2", "--format", "json",
        "--store", str(tmp_path / "s.db"),
    )  # fmt: skip
    assert result.code == 0, result.err
    left_out = [
        f"tag {n} left out: git cannot read its date" for n in ("huge", "light", "negative")
    ]
    assert [w for w in json.loads(result.out)["warnings"] if w.startswith("tag ")] == left_out
    assert [line for line in result.err.splitlines() if line.startswith("miner: warning: tag")] == [
        f"miner: warning: {w}" for w in left_out
    ]
    assert "git:tag:fine" in evidence(json.loads(result.out))


def test_a_bobs_commit_with_marks_does_not_break_adas_report_after_a_full_collection(
    repo: Repo, miner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    repo.commit("base", {"a.py": "1\n"})
    sha = craft(
        repo,
        b"Bob Builder <bob@example.com>",
        b"Pair \x1e\x1d\x1e\x1f\x1d\x1f\n\nCo-authored-by: Ada Lovelace <ada@example.com>\n",
    )
    store = tmp_path / "s.db"
    assert miner("collect", str(repo.path), "--all-authors", "--store", str(store)).code == 0
    found = evidence(report_json(miner, repo.path, store))
    assert found[f"git:{sha}"]["title"] == "Pair \x1e\x1d\x1e\x1f\x1d\x1f"


_TEXT = st.binary(max_size=60).map(lambda b: b.replace(b"\0", b""))
_IDENT = st.binary(min_size=1, max_size=30).map(
    lambda b: b.translate(None, b"\0\n<>").strip() or b"x"
)
_PATH = st.binary(min_size=1, max_size=20).filter(
    lambda b: b"\0" not in b and b"/" not in b and b not in (b".", b"..", b".git")
)


def _tree_with(repo: Repo, path: bytes, lines: int, tag: int) -> str:
    """A tree of ``a.py`` and one file at ``path`` (any bytes a tree can hold)."""
    content = "".join(f"{tag}-{n}\n" for n in range(lines)).encode()
    blob = _hash_object(repo.path, "blob", content)
    base = repo.git("rev-parse", "HEAD~0:a.py").strip()
    entries = [(b"a.py", base)] if path != b"a.py" else []
    listing = b"".join(
        b"100644 blob " + sha.encode() + b"\t" + name + b"\0"
        for name, sha in [*entries, (path, blob)]
    )
    return (
        subprocess.run(
            ["git", "-C", str(repo.path), "mktree", "-z"],
            input=listing,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(_IDENT, _IDENT, _TEXT, _TEXT, _PATH), min_size=1, max_size=3))
def test_random_bytes_in_names_messages_and_paths_parse_as_git_prints_them(
    tmp_path_factory: pytest.TempPathFactory,
    commits: list[tuple[bytes, bytes, bytes, bytes, bytes]],
) -> None:
    repo = Repo(tmp_path_factory.mktemp("prop") / "repo")
    repo.commit("base", {"a.py": "1\n"})
    expected: dict[str, set[tuple[str, int, int]]] = {}
    before: tuple[bytes, int] | None = None
    for n, (name, email, subject, body, path) in enumerate(commits):
        lines = n + 1
        tree = _tree_with(repo, path, lines, n)
        sha = craft(repo, name + b" <" + email + b">", subject + b"\n\n" + body, tree=tree)
        changes = {(path, lines, 0)}
        if before is not None and before[0] == path:
            changes = {(path, lines, before[1])}
        elif before is not None:
            changes.add((before[0], 0, before[1]))
        if path == b"a.py":
            changes = {(b"a.py", lines, 1 if before is None else before[1])}
        expected[sha] = {(p.decode("utf-8", "replace"), a, d) for p, a, d in changes}
        before = (path, lines) if path != b"a.py" else None
    rows = {row.sha: row for row in log_rows(repo.path, ["HEAD"])}
    assert set(expected) <= set(rows)
    for sha, files in expected.items():
        row = rows[sha]
        shown = {
            f: subprocess.run(
                ["git", "-C", str(repo.path), "show", "-s", f"--format={f}", sha],
                capture_output=True,
                check=True,
            ).stdout.decode("utf-8", "replace")[:-1]
            for f in ("%an", "%ae", "%s", "%b")
        }
        assert row.author_name == shown["%an"]
        assert row.author_email == shown["%ae"]
        assert row.subject == shown["%s"]
        assert row.body == shown["%b"].strip()
        assert row.author_time == 1712138400
        paths, lines = parse_numstat(row.numstat)
        got = {(path, a, d) for path, (a, d) in zip(paths, lines, strict=True)}
        assert got == files


def test_a_huge_message_is_read_once_not_once_per_chunk() -> None:
    mark = gitcmd.record_mark()
    big = b"x" * (3 << 20)
    chunks = [mark + b"a", *(big[i : i + 65536] for i in range(0, len(big), 65536)), mark + b"b"]
    assert list(gitcmd.split_records(chunks, mark)) == [b"a" + big, b"b"]
    # A mark cut in two by a chunk boundary is still found.
    half = len(mark) // 2
    cut = [b"", mark[:half], mark[half:] + b"one" + mark[:3], mark[3:] + b"two"]
    assert list(gitcmd.split_records(cut, mark)) == [b"one", b"two"]


def test_noncharacters_in_a_title_arrive_intact(repo: Repo, miner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # `git commit` itself stores such a message as mojibake ("\u00ef\u00bf\u00bf" for
    # U+FFFF: its UTF-8 check refuses noncharacters and reads the bytes as Latin-1);
    # other tools (libgit2, JGit, a forge's web editor) store them as written.
    repo.commit("base", {"a.py": "1\n"})
    title = "Keep \uffff, \ufffe, \ufdd0 and \U0010ffff"
    sha = craft(repo, ADA.encode(), title.encode() + b"\n")
    store = tmp_path / "store.db"
    for _ in range(2):  # read from git, then from the store
        assert evidence(report_json(miner, repo.path, store))[f"git:{sha}"]["title"] == title


def test_the_promo_history_reads_crafted_commits_as_git_prints_them(repo: Repo) -> None:
    from miner.promo.touches import read_history

    repo.commit("base", {"src/a.py": "1\n"})
    marks = craft(repo, ADA.encode(), b"Marks \x1e\x1d\x1e and \x1f\x1d\x1f in a subject\n")
    late = craft(repo, ADA.encode(), b"Huge date\n", date=b"99999999999999999999 +0000")
    history = read_history(gitcmd.open_repo(repo.path), None)
    by_sha = {t.sha: t for t in history.touches}
    assert set(by_sha) == {marks, late, repo.git("rev-parse", "HEAD~2").strip()}
    assert by_sha[marks].name == "Ada Lovelace"
    assert by_sha[marks].time == 1712138400
    assert by_sha[late].time == 0  # a date git cannot read, as an empty one


@pytest.mark.parametrize("target", ["/proc/self/mem", "/dev/zero", "fifo"])
def test_a_committed_mailmap_link_is_ignored_as_git_ignores_it(
    repo: Repo,
    miner,
    tmp_path: Path,
    target: str,  # type: ignore[no-untyped-def]
) -> None:
    repo.commit("Add parser", {"a.py": "x\n"})
    if target == "fifo":
        os.mkfifo(repo.path / "fifo")
    (repo.path / ".mailmap").symlink_to(target)
    repo.git("add", ".mailmap")
    repo.commit("Map the authors")
    store = str(tmp_path / "store.db")
    for command in ("report", "promo"):
        result = miner(command, str(repo.path), "--period", "2024Q2", "--store", store)
        assert result.code == 0, result.err
        assert "Add parser" in result.out


def test_a_mailmap_digest_reads_regular_files_only_and_at_most_a_bound(tmp_path: Path) -> None:
    big = tmp_path / "big"
    with big.open("wb") as handle:
        handle.truncate(gitcmd.MAILMAP_READ + 1)
    assert gitcmd.file_digest(big).startswith(f"size:{gitcmd.MAILMAP_READ + 1}:")
    small = tmp_path / "small"
    small.write_text("Ada <ada@example.com> <ada@old.example.com>\n")
    link = tmp_path / "link"
    link.symlink_to(small)
    assert len(gitcmd.file_digest(small)) == 64
    assert gitcmd.file_digest(link) == gitcmd.file_digest(small)  # mailmap.file: git follows
    assert gitcmd.file_digest(link, follow=False) == ""  # the in-tree .mailmap: git does not
    assert gitcmd.file_digest(tmp_path) == gitcmd.file_digest(tmp_path / "none") == ""
