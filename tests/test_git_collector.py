"""The git collector against real repositories built with fixed dates."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from miner import api, gitcmd
from miner.collectors.docs import DocsCollector
from miner.collectors.git import GitCollector, GitHistory
from miner.identity import Matcher, is_bot, resolve_subject
from miner.model import Evidence
from miner.periods import parse_period
from tests.conftest import Repo

BOB = ("Bob Builder", "bob@example.com")


def started_processes(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """Every process ``gitcmd`` starts from now on, in the order started."""
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def spy(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        proc = real(*args, **kwargs)  # type: ignore[call-overload]
        started.append(proc)
        return proc  # type: ignore[no-any-return]

    monkeypatch.setattr(gitcmd.subprocess, "Popen", spy)
    return started


def history_of(
    path: Path, author: str = "ada@example.com", period: str = "2024Q2", **kw: bool
) -> GitHistory:
    repo = gitcmd.open_repo(path)
    return GitHistory(
        repo, Matcher(resolve_subject(repo.root, (author,))), parse_period(period), **kw
    )


def collect(path: Path, author: str = "ada@example.com", period: str = "2024Q2", **kw: bool):  # type: ignore[no-untyped-def]
    history = history_of(path, author, period, **kw)
    collector = GitCollector(history)
    items = list(collector.collect())
    return items, collector.source(), list(DocsCollector(history).collect())


def commits(items: list[Evidence]) -> dict[str, Evidence]:
    return {e.id.removeprefix("git:"): e for e in items if e.kind == "commit"}


def test_period_is_on_author_date_not_committer_date(repo: Repo) -> None:
    repo.commit("before", {"a.txt": "1\n"}, date="2024-03-31T23:59:59+00:00")
    inside = repo.commit("first day", {"a.txt": "2\n"}, date="2024-04-01T00:00:00+00:00")
    rebased = repo.commit(
        "authored in Q2, rebased in Q3",
        {"b.txt": "x\n"},
        date="2024-06-30T23:59:59+00:00",
        committer_date="2024-09-15T00:00:00+00:00",
    )
    repo.commit(
        "authored in Q1, committed in Q2",
        {"c.txt": "y\n"},
        date="2024-02-01T00:00:00+00:00",
        committer_date="2024-05-01T00:00:00+00:00",
    )
    repo.commit("after", {"a.txt": "3\n"}, date="2024-07-01T00:00:00+00:00")
    items, _, _ = collect(repo.path)
    assert set(commits(items)) == {inside, rebased}


def test_an_authored_date_in_a_later_timezone_is_compared_in_utc(repo: Repo) -> None:
    # 2024-07-01 01:00 in +02:00 is 2024-06-30 23:00 UTC: inside Q2.
    sha = repo.commit("late", {"a.txt": "1\n"}, date="2024-07-01T01:00:00+02:00")
    items, _, _ = collect(repo.path)
    assert set(commits(items)) == {sha}


def test_stats_equal_git_numstat_with_renames_and_binaries(repo: Repo) -> None:
    repo.commit("base", {"old.py": "".join(f"line {i}\n" for i in range(50))})
    changed = repo.commit(
        "rename, edit, add binary",
        {
            "old.py": None,
            "new.py": "".join(f"line {i}\n" for i in range(49)) + "changed\n",
            "logo.png": b"\x89PNG\x00\x01\x02",
            "notes.txt": "a\nb\nc\n",
        },
    )
    items, _, _ = collect(repo.path)
    found = commits(items)
    for sha, evidence in found.items():
        assert evidence.stats is not None
        stats = evidence.stats
        assert (stats.additions, stats.deletions, stats.files) == repo.numstat(sha)
    assert found[changed].paths == ("logo.png", "new.py", "notes.txt")
    assert found[changed].stats is not None and found[changed].stats.files == 3


def test_merge_commits_are_not_commit_evidence(repo: Repo) -> None:
    base = repo.commit("base", {"a.txt": "1\n"})
    repo.git("checkout", "-q", "-b", "feature")
    feature = repo.commit("feature work", {"f.txt": "f\n"}, date="2024-04-05T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    main = repo.commit("main work", {"m.txt": "m\n"}, date="2024-04-06T10:00:00+00:00")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "feature",
        "-m",
        "Merge feature",
        env={
            "GIT_AUTHOR_DATE": "2024-04-07T10:00:00+00:00",
            "GIT_COMMITTER_DATE": "2024-04-07T10:00:00+00:00",
        },
    )
    items, _, _ = collect(repo.path)
    assert set(commits(items)) == {base, feature, main}


def test_only_head_by_default_every_ref_with_all_branches(repo: Repo) -> None:
    on_main = repo.commit("main", {"a.txt": "1\n"})
    repo.git("checkout", "-q", "-b", "side")
    on_side = repo.commit("side", {"b.txt": "1\n"}, date="2024-04-10T00:00:00+00:00")
    repo.git("checkout", "-q", "main")
    assert set(commits(collect(repo.path)[0])) == {on_main}
    assert set(commits(collect(repo.path, all_branches=True)[0])) == {on_main, on_side}


def test_mailmap_merges_emails_as_git_log_does(repo: Repo) -> None:
    old = repo.commit("as old self", {"a.txt": "1\n"}, author=("Ada L", "ada@old-job.example"))
    new = repo.commit("as new self", {"a.txt": "2\n"}, date="2024-04-04T00:00:00+00:00")
    repo.commit(
        "mailmap",
        {".mailmap": "Ada Lovelace <ada@example.com> <ada@old-job.example>\n"},
        author=BOB,
    )
    items, source, _ = collect(repo.path, author="ada@old-job.example")
    assert set(commits(items)) == {old, new}
    assert source.matched_emails == ("ada@example.com", "ada@old-job.example")
    assert source.matched_names == ("Ada Lovelace",)


def test_two_people_with_one_name_are_two_people(repo: Repo) -> None:
    mine = repo.commit("mine", {"a.txt": "1\n"}, author=("J. Smith", "jane@example.com"))
    repo.commit("theirs", {"b.txt": "1\n"}, author=("J. Smith", "john@example.com"))
    assert set(commits(collect(repo.path, author="jane@example.com")[0])) == {mine}


def test_an_email_is_matched_exactly_not_as_a_substring_or_pattern(repo: Repo) -> None:
    mine = repo.commit("mine", {"a.txt": "1\n"}, author=("Al", "al@example.com"))
    repo.commit("longer", {"b.txt": "1\n"}, author=("Hal", "hal@example.com"))
    repo.commit("dot as any char", {"c.txt": "1\n"}, author=("Al X", "al@exampleXcom"))
    repo.commit("other case", {"d.txt": "1\n"}, author=("Al", "AL@Example.com"))
    found = commits(collect(repo.path, author="al@example.com")[0])
    assert mine in found
    assert {e.title for e in found.values()} == {"mine", "other case"}


def test_a_name_matches_exactly_and_never_a_bot(repo: Repo) -> None:
    mine = repo.commit("mine", {"a.txt": "1\n"}, author=("Ada", "ada@example.com"))
    repo.commit("longer name", {"b.txt": "1\n"}, author=("Ada Byron", "byron@example.com"))
    repo.commit("bot", {"c.txt": "1\n"}, author=("Ada", "ada[bot]@users.noreply.github.com"))
    assert set(commits(collect(repo.path, author="Ada")[0])) == {mine}


def test_a_github_login_matches_its_noreply_address(repo: Repo) -> None:
    sha = repo.commit(
        "web edit", {"a.txt": "1\n"}, author=("A", "123+adal@users.noreply.github.com")
    )
    repo.commit("other", {"b.txt": "1\n"}, author=("B", "123+adalx@users.noreply.github.com"))
    assert set(commits(collect(repo.path, author="adal")[0])) == {sha}


def test_co_authored_commits_count_for_the_co_author_too(repo: Repo) -> None:
    message = (
        "Pair on parser\n\n"
        "Co-authored-by: Ada Lovelace <ada@old-job.example>\n"
        "Co-authored-by: Carol <carol@example.com>"
    )
    repo.commit("mailmap", {".mailmap": "Ada Lovelace <ada@example.com> <ada@old-job.example>\n"})
    paired = repo.commit(message, {"p.py": "x\n"}, author=BOB, date="2024-05-01T00:00:00+00:00")
    repo.commit("Solo\n\nCo-authored-by: Carol <carol@example.com>", {"q.py": "y\n"}, author=BOB)
    found = commits(collect(repo.path)[0])
    assert found[paired].role == "co-author"
    assert found[paired].co_authors == ("Bob Builder", "Carol")
    assert [e.role for e in found.values()].count("author") == 1


def test_annotated_tags_by_the_subject_are_releases(repo: Repo) -> None:
    repo.commit("work", {"a.txt": "1\n"})
    repo.tag(
        "v1.0", "Release 1.0", date="2024-05-02T00:00:00+00:00", tagger=("Ada", "ada@example.com")
    )
    repo.tag("v1.1", "Release 1.1", date="2024-05-03T00:00:00+00:00", tagger=BOB)
    repo.tag("v0.9", "Old", date="2023-05-03T00:00:00+00:00", tagger=("Ada", "ada@example.com"))
    repo.tag("light", None, date="2024-05-04T00:00:00+00:00", tagger=("Ada", "ada@example.com"))
    items, source, _ = collect(repo.path)
    releases = [e for e in items if e.kind == "release"]
    assert [e.id for e in releases] == ["git:tag:v1.0", "git:tag:light"]
    assert releases[0].title == "Tag v1.0: Release 1.0"
    assert not any("lightweight" in spot for spot in source.blind_spots)


def test_a_lightweight_tag_on_the_subjects_commit_is_their_release(repo: Repo) -> None:
    repo.commit("Bump the version to 2.0", {"VERSION": "2.0\n"}, date="2024-05-02T00:00:00+00:00")
    repo.tag(
        "2.0", None, date="2024-05-02T00:00:00+00:00", tagger=BOB
    )  # the tagger is not recorded
    repo.commit("theirs", {"b.txt": "1\n"}, author=BOB, date="2024-05-03T00:00:00+00:00")
    repo.tag("2.0.1", None, date="2024-05-03T00:00:00+00:00", tagger=BOB)
    repo.commit("old", {"c.txt": "1\n"}, author=BOB, date="2023-01-01T00:00:00+00:00")
    repo.tag("1.0", None, date="2023-01-01T00:00:00+00:00", tagger=BOB)
    items, source, _ = collect(repo.path)
    [release] = [e for e in items if e.kind == "release"]
    assert (release.id, release.title) == (
        "git:tag:2.0",
        "Tag 2.0 (tagger inferred): Bump the version to 2.0",
    )
    assert release.date == datetime(2024, 5, 2, tzinfo=UTC)
    assert "tagger is inferred" in release.message
    # only the tag in the period on someone else's commit is a blind spot, not the 2023 one
    assert [s for s in source.blind_spots if "lightweight" in s] == [
        "1 lightweight tag(s) in the period record no tagger and name someone else's commit;"
        " they were not counted"
    ]


def commit_as(
    repo: Repo, message: str, author: tuple[str, str], committer: tuple[str, str], date: str
) -> str:
    env = {
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": committer[0],
        "GIT_COMMITTER_EMAIL": committer[1],
        "GIT_COMMITTER_DATE": date,
    }
    repo.git("commit", "-q", "--allow-empty", "-m", message, env=env)
    return repo.git("rev-parse", "HEAD").strip()


def merge_as(repo: Repo, branch: str, message: str, who: tuple[str, str], date: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": who[0],
        "GIT_AUTHOR_EMAIL": who[1],
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": "GitHub",
        "GIT_COMMITTER_EMAIL": "noreply@github.com",
        "GIT_COMMITTER_DATE": date,
    }
    repo.git("merge", "-q", "--no-ff", "-m", message, branch, env=env)
    return repo.git("rev-parse", "HEAD").strip()


ADA = ("Ada", "ada@example.com")


def test_merges_and_landed_patches_of_others_are_merge_items(repo: Repo) -> None:
    old_hand = ("Old Hand", "old@example.com")
    repo.commit("first steps", {"o.txt": "1\n"}, author=old_hand, date="2020-01-01T00:00:00+00:00")
    repo.commit("start", {"a.txt": "1\n"}, date="2024-04-01T00:00:00+00:00")
    repo.git("checkout", "-q", "-b", "bob/fix")
    repo.commit("Fix the prompt", {"b.txt": "1\n"}, author=BOB, date="2024-04-02T00:00:00+00:00")
    repo.git("checkout", "-q", "-")
    merged = merge_as(
        repo, "bob/fix", "Merge pull request #5 from bob/fix", ADA, "2024-04-03T00:00:00+00:00"
    )
    repo.git("checkout", "-q", "-b", "own")
    repo.commit("my own work", {"c.txt": "1\n"}, date="2024-04-04T00:00:00+00:00")
    repo.git("checkout", "-q", "-")
    merge_as(repo, "own", "Merge branch 'own'", ADA, "2024-04-05T00:00:00+00:00")
    repo.write({"d.txt": "1\n"})
    landed = commit_as(repo, "Handle a closed stdin", old_hand, ADA, "2024-04-06T00:00:00+00:00")
    items, _, _ = collect(repo.path)
    merges = {e.id: e for e in items if e.kind == "merge"}
    assert set(merges) == {f"git:{merged}", f"git:{landed}"}  # not the merge of her own branch
    pr, patch = merges[f"git:{merged}"], merges[f"git:{landed}"]
    assert (pr.role, pr.title, pr.newcomer_author) == (
        "committer",
        "Merge pull request #5 from bob/fix",
        True,
    )
    # the landed patch's author first committed four years earlier: not a newcomer
    assert (patch.title, patch.newcomer_author) == ("Landed: Handle a closed stdin", False)
    assert patch.date == datetime(2024, 4, 6, tzinfo=UTC)
    assert f"git:{landed}" not in commits(items)  # not the subject's own commit


def test_the_same_patch_committed_twice_counts_once(repo: Repo, tmp_path: Path) -> None:
    repo.commit("base", {"a.txt": "1\n"}, date="2024-04-01T00:00:00+00:00")
    first = repo.commit("Parse dates", {"a.txt": "1\n2\n"}, date="2024-04-02T00:00:00+00:00")
    repo.commit("Undo", {"a.txt": "1\n"}, date="2024-04-03T00:00:00+00:00")
    again = repo.commit("Parse dates", {"a.txt": "1\n2\n"}, date="2024-04-04T00:00:00+00:00")
    other = repo.commit("Parse dates", {"a.txt": "1\n3\n"}, date="2024-04-05T00:00:00+00:00")
    items, _, _ = collect(repo.path)
    same = {e.id: e.same_work for e in items if e.kind == "commit"}
    assert {same[f"git:{first}"], same[f"git:{again}"]} == {"", f"git:{first}"} or {
        same[f"git:{first}"],
        same[f"git:{again}"],
    } == {"", f"git:{again}"}
    assert same[f"git:{other}"] == ""  # the same title and size, another patch
    config = api.Config(
        period=parse_period("2024Q2"), paths=(repo.path,), authors=("ada@example.com",),
        github=False, store=tmp_path / "store.sqlite3",
    )  # fmt: skip
    ids = [m.evidence.id for m in api.build_report(config).evidence]
    assert f"git:{first}" in ids and f"git:{again}" not in ids  # the earlier one stays
    assert f"git:{other}" in ids


def test_design_docs_need_substantial_authorship(repo: Repo) -> None:
    design = "# Storage engine v2\n\n" + "".join(f"Paragraph {i}.\n" for i in range(30))
    repo.commit("Design storage v2", {"docs/design/storage.md": design, "src/x.py": "x\n"})
    repo.commit("typo", {"rfcs/0001-old.md": "# Old\nfixed\n"}, date="2024-04-04T00:00:00+00:00")
    repo.commit(
        "big but not a doc path", {"docs/guide.md": design}, date="2024-04-05T00:00:00+00:00"
    )
    _, _, docs = collect(repo.path)
    assert [(d.kind, d.title, d.paths) for d in docs] == [
        ("design_doc", "Storage engine v2", ("docs/design/storage.md",))
    ]
    assert docs[0].stats is not None and docs[0].stats.additions == 32


def test_commit_urls_follow_the_github_remote(repo: Repo) -> None:
    sha = repo.commit("work", {"a.txt": "1\n"})
    repo.git("remote", "add", "origin", "git@github.com:acme/widgets.git")
    items, source, _ = collect(repo.path)
    assert source.location == "acme/widgets"
    assert items[0].url == f"https://github.com/acme/widgets/commit/{sha}"
    assert items[0].repo == "acme/widgets"


def test_a_remote_with_credentials_never_leaks_them(repo: Repo) -> None:
    repo.commit("work", {"a.txt": "1\n"})
    repo.git("remote", "add", "origin", "https://user:ghp_secret123@github.com/acme/widgets.git")
    items, source, _ = collect(repo.path)
    assert "ghp_secret123" not in repr(items) + repr(source)


@pytest.mark.parametrize("period", ["2023Q2", "2024Q3"])
def test_no_commits_in_the_period_is_not_an_error(repo: Repo, period: str) -> None:
    repo.commit("work", {"a.txt": "1\n"})
    items, source, _ = collect(repo.path, period=period)
    assert items == []
    assert source.items == 0


def test_folded_and_malformed_trailers_in_others_commits_do_not_fail(repo: Repo) -> None:
    repo.commit("Mine", {"a.txt": "1\n"})
    folded = repo.commit(
        "Pair\n\nCo-authored-by: Ada Lovelace\n  <ada@example.com>", {"b.txt": "1\n"}, author=BOB
    )
    repo.commit("Bad\n\nCo-authored-by: Carol <carol@example.com", {"c.txt": "1\n"}, author=BOB)
    repo.commit("Dash\n\nCo-authored-by: --stdin <x@example.com>", {"d.txt": "1\n"}, author=BOB)
    found = commits(collect(repo.path)[0])
    assert found[folded].role == "co-author"
    assert len(found) == 2


def test_a_commit_with_an_old_committer_date_does_not_hide_its_ancestors(repo: Repo) -> None:
    root = repo.commit("root", {"a.txt": "1\n"}, date="2024-04-02T00:00:00+00:00")
    skewed = repo.commit(
        "skewed clock",
        {"b.txt": "1\n"},
        date="2024-04-03T00:00:00+00:00",
        committer_date="2001-01-01T00:00:00+00:00",
    )
    after = repo.commit("after", {"c.txt": "1\n"}, date="2024-04-05T00:00:00+00:00")
    found = set(commits(collect(repo.path)[0]))
    # the skewed commit itself falls to the committer-date filter, as with git's own
    # --since-as-filter; what matters is that its ancestor is still seen
    assert {root, after} <= found
    assert skewed not in found


def test_control_bytes_in_messages_names_and_paths(repo: Repo) -> None:
    odd = repo.commit(
        "subject \x1e with \x1f marks\n\nbody \x1e\x1f\x1d too",
        {"has\x1erecord.txt": "1\n2\n", "has\x1ffield.txt": "3\n"},
    )
    other = repo.commit(
        "by a \x1f name", {"b.txt": "1\n"}, author=("Odd\x1fName", "odd@example.com")
    )
    found = commits(collect(repo.path)[0])
    assert set(found) == {odd}
    stats = found[odd].stats
    assert stats is not None and (stats.additions, stats.deletions, stats.files) == repo.numstat(
        odd
    )
    assert found[odd].title == "subject \x1e with \x1f marks"
    assert set(commits(collect(repo.path, author="odd@example.com")[0])) == {other}


@pytest.mark.parametrize(("cores", "git"), [(2, (2, 39)), (3, (2, 39)), (4, (2, 39)), (3, (2, 37))])
def test_the_author_walk_split_over_cores_reads_each_commit_once(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, cores: int, git: tuple[int, int]
) -> None:
    """Each window's git process takes the commits of its committer-date span: commits
    right at a bound, skewed ones, and ones committed long after the period (read by
    the walk without diffs) all land once. Before git 2.38 there is a single window."""
    from datetime import UTC, datetime

    from miner.collectors import git as git_module

    monkeypatch.setattr(gitcmd, "version", lambda: git)
    period = parse_period("2024Q2")  # long past: the diffing walk stops 30 days after it
    start = int((period.start - git_module.SINCE_SLACK).timestamp())
    upto = int((period.end + git_module.SINCE_SLACK).timestamp())
    bounds = [start + (upto - start) * i // cores for i in range(cores)] + [upto + 1]
    moments = [b + d for b in bounds[1:] for d in (-1, 0, 1)]
    moments += [upto + 86400 * 40]  # committed long after the period
    now = int(datetime.now(UTC).timestamp())
    moments += [start + (now - start) * k // 12 for k in range(1, 12)]  # up to now
    moments += [start + 5 + n for n in range(7)]  # then older ones: more than git's slop
    for n, moment in enumerate(moments):
        when = datetime.fromtimestamp(moment, UTC).isoformat()
        repo.commit(
            f"change {n}",
            {f"f{n}.txt": "x\n" * (n + 1)},
            date="2024-05-01T12:00:00+00:00",  # every one authored in the period
            committer_date=when,
        )
    repo.commit("someone else's", {"g.txt": "y\n"}, author=BOB, date="2024-05-02T00:00:00+00:00")
    repo.commit("later work", {"h.txt": "z\n"}, date="2025-03-01T00:00:00+00:00")

    def read(usable: int) -> list[tuple[str, int, int, int]]:
        monkeypatch.setattr(gitcmd, "usable_cores", lambda: usable)
        found = [e for e in collect(repo.path)[0] if e.kind == "commit" and e.stats]
        return sorted((e.id, e.stats.additions, e.stats.deletions, e.stats.files) for e in found)  # type: ignore[union-attr]

    single = read(1)
    assert len(single) == len(moments)
    assert read(cores) == single


def test_work_after_a_past_period_is_not_diffed(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report on a past quarter diffs that quarter's commits, not everything the
    person did since; a commit authored then but committed much later still counts."""
    from miner.collectors import git as git_module

    inside = repo.commit("in the quarter", {"a.txt": "1\n"}, date="2024-05-01T00:00:00+00:00")
    later = repo.commit("a year on", {"b.txt": "2\n"}, date="2025-05-01T00:00:00+00:00")
    rebased = repo.commit(
        "authored in the quarter, rebased a year on\n\nCo-authored-by: Ada <ada@example.com>",
        {"c.txt": "3\n"},
        date="2024-06-01T00:00:00+00:00",
        committer_date="2025-06-01T00:00:00+00:00",
    )  # found by the late walk and, through its trailer, by the co-author walk: once
    diffed: list[str] = []
    walk = git_module.authored_rows

    def recorded(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        for email, name, row in walk(*args, **kwargs):  # type: ignore[arg-type]
            diffed.append(row.sha)
            yield email, name, row

    monkeypatch.setattr(git_module, "authored_rows", recorded)
    items, source, _ = collect(repo.path)
    found = commits(items)
    assert set(found) == {inside, rebased} and source.items == 2
    assert found[rebased].role == "author"
    assert later not in diffed and rebased not in diffed  # the rebased one: diffed alone
    assert found[rebased].stats.files == 1  # type: ignore[union-attr]


def test_a_failing_window_fails_the_walk() -> None:
    from miner.collectors.gitlog import side_by_side
    from miner.errors import GitError

    def broken():  # type: ignore[no-untyped-def]
        yield 1
        raise GitError("git log failed: bad revision")

    with pytest.raises(GitError, match="bad revision"):
        list(side_by_side([iter(range(1000)), broken()]))
    assert sorted(side_by_side([iter(range(600)), iter(range(600, 700))])) == list(range(700))


def test_a_reader_that_stops_stops_every_window() -> None:
    """Abandoning the merged stream closes each source (ending its git process) rather
    than letting the threads read on into memory."""
    import threading
    from collections.abc import Iterator

    from miner.collectors.gitlog import side_by_side

    closed = [threading.Event(), threading.Event()]

    def endless(n: int) -> Iterator[int]:
        try:
            while True:
                yield n
        finally:
            closed[n].set()

    merged = side_by_side([endless(0), endless(1)], batch=4, depth=2)
    assert len([next(merged) for _ in range(10)]) == 10
    merged.close()
    assert all(event.wait(5) for event in closed)


def test_all_branches_leaves_out_notes_stash_and_replacements(repo: Repo) -> None:
    """``--all`` would also walk the commits behind notes, the stash and replacements;
    every branch means every branch, each commit once."""
    first = repo.commit("First", {"a.txt": "1\n"})
    second = repo.commit("Second", {"b.txt": "2\n"}, date="2024-04-04T10:00:00+00:00")
    repo.git("checkout", "-q", "-b", "side")
    side = repo.commit("On a side branch", {"s.txt": "s\n"}, date="2024-04-05T10:00:00+00:00")
    repo.git("checkout", "-q", "-")
    repo.git("checkout", "-q", "--detach", first)
    stand_in = repo.commit(
        "Stand-in", {"b.txt": "2\n", "c.txt": "3\n"}, date="2024-04-04T10:00:00+00:00"
    )
    repo.git("checkout", "-q", "-")
    repo.git("replace", second, stand_in)
    repo.git("notes", "add", "-m", "a note", first)
    (repo.path / "a.txt").write_text("work in progress\n")
    repo.git("stash", "-q")
    items = [e for e in collect(repo.path, all_branches=True)[0] if e.kind == "commit"]
    assert sorted(e.id.removeprefix("git:") for e in items) == sorted([first, second, side])
    assert {e.title for e in items} == {"First", "Stand-in", "On a side branch"}


def test_a_stream_given_up_stops_its_git_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    from tests.conftest import fast_import

    big = fast_import(tmp_path / "big", 3000)
    started = started_processes(monkeypatch)
    chunks = gitcmd.stream(big.path, ["log", "-p", "--stat"], chunk=4096)
    next(chunks)
    chunks.close()
    assert started[0].returncode == -signal.SIGKILL  # killed, not left to write on


def test_an_error_does_not_wait_for_the_walks_on_the_side(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from miner.collectors import git as git_module

    repo.commit("mine", {"a.txt": "1\n"})
    released, finished = threading.Event(), threading.Event()

    def slow(self: object, revs: list[str]) -> list[object]:
        released.wait(10)
        finished.set()
        return []

    monkeypatch.setattr(git_module.GitHistory, "_co_authored_read", slow)
    history = history_of(repo.path)
    with pytest.raises(RuntimeError, match="the reader failed"):
        for _ in history.stream():
            raise RuntimeError("the reader failed")
    assert not finished.is_set()  # the error came at once, not after the co-author walk
    released.set()


@pytest.mark.parametrize("size", [0, 1, 2, 3, 10, 1000, 20_000])
def test_a_list_read_from_both_ends_yields_each_item_once(size: int) -> None:
    """Wherever the two ends meet (at once, or after one end read everything), every
    item comes once."""
    from miner.collectors.gitlog import from_both_ends, side_by_side

    items = list(range(size))
    ends = from_both_ends(
        lambda stop: iter(items), lambda stop: iter(reversed(items)), key=lambda n: n
    )
    assert sorted(side_by_side(ends, batch=7)) == items


def test_the_end_that_is_behind_stops_where_the_ends_meet() -> None:
    """When one end races through the list, the other stops at its next item instead
    of reading its whole list again."""
    from collections.abc import Iterator

    from miner.collectors.gitlog import from_both_ends

    read_back: list[int] = []

    def backward(stop: object) -> Iterator[int]:
        for n in reversed(range(100)):
            read_back.append(n)
            yield n

    forward, back = from_both_ends(lambda stop: iter(range(100)), backward, key=lambda n: n)
    assert next(back) == 99
    assert list(forward) == list(range(99))  # up to the item the other end holds
    assert list(back) == []  # stopped: the forward end read the rest
    assert read_back == [99, 98]


def test_a_diffing_walk_read_from_both_ends_gives_what_one_walk_gives(tmp_path: Path) -> None:
    """Two git processes, one with ``--reverse``, meet in the middle: the same rows as
    one process, each once, no note of a record cut short by the stop, and no git
    process left running."""
    from miner.collectors.gitlog import authored_rows
    from tests.conftest import fast_import

    big = fast_import(tmp_path / "big", 3000)
    filters = ["-F", "-i", "--author=<dev1@example.com>"]
    skipped: list[str] = []
    one = sorted(
        r.numstat + r.sha.encode() for _, _, r in authored_rows(big.path, ["HEAD"], filters, [[]])
    )
    with pytest.MonkeyPatch.context() as patch:
        started = started_processes(patch)
        both = [r for _, _, r in authored_rows(big.path, ["HEAD"], filters, [[]], skipped, True)]
    assert sorted(r.numstat + r.sha.encode() for r in both) == one and len(one) == 600
    assert skipped == []
    assert len(started) == 2 and all(p.poll() is not None for p in started)


def test_a_stopped_stream_ends_at_once_without_its_last_record(tmp_path: Path) -> None:
    import threading

    from tests.conftest import fast_import

    big = fast_import(tmp_path / "big", 3000)
    stop = gitcmd.Stop()
    chunks = gitcmd.stream(big.path, ["log", "-p", "--stat"], chunk=4096, stop=stop)
    assert next(chunks)
    stopping = threading.Thread(target=stop)  # from another thread, as the other end does
    stopping.start()
    stopping.join()
    with pytest.raises(gitcmd.Stopped):
        for _ in chunks:
            pass
    late = gitcmd.stream(big.path, ["log", "-p"], stop=stop)  # stopped before it started
    with pytest.raises(gitcmd.Stopped):
        list(late)


def test_work_waiting_for_the_walk_starts_once_git_reads(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``when_walking`` (the rule pack's loading) runs once the walk is set up and
    its git processes are being started, not during the set-up; and once, also when
    a later run reads the history from the store."""
    from miner.store import open_store

    repo.commit("mine", {"a.txt": "1\n"})
    started = started_processes(monkeypatch)
    monkeypatch.setattr(gitcmd, "usable_cores", lambda: 2)
    with open_store(tmp_path / "store.sqlite3") as store:
        for run in range(2):
            started.clear()
            calls: list[int] = []
            history = GitHistory(
                gitcmd.open_repo(repo.path),
                Matcher(resolve_subject(repo.path, ("ada@example.com",))),
                parse_period("2024Q2"),
                store=store,
            )
            history.when_walking(lambda calls=calls: calls.append(len(started)))  # type: ignore[misc]
            assert len(history.commits()) == 1 and len(calls) == 1
            if run == 0:  # after the last call that sets the walk up
                set_up = max(n for n, p in enumerate(started) if " log -1 " in " ".join(p.args))
                assert calls[0] > set_up


def test_a_slow_reader_holds_the_windows_back() -> None:
    """Rows wait in git's pipe, not in memory: a source runs at most the queue's depth
    of batches ahead of its reader."""
    import time
    from collections.abc import Iterator

    from miner.collectors.gitlog import side_by_side

    produced = 0

    def counting() -> Iterator[int]:
        nonlocal produced
        for n in range(100_000):
            produced += 1
            yield n

    merged = side_by_side([counting(), iter(())], batch=10, depth=3)
    assert next(merged) == 0
    time.sleep(0.3)  # time enough to run far ahead, were it allowed to
    assert produced <= (3 + 2) * 10 + 1
    merged.close()


def test_files_changed_equally_often_are_ranked_by_name_whatever_the_order(
    repo: Repo,
) -> None:
    """The commits reach the ranking in no set order (the walks run side by side): a
    tie for the last places must not make two runs name different files."""
    import random

    from miner.collectors.ownership import CANDIDATES, Ownership

    for i, day in enumerate(["04-01", "04-20", "05-10", "05-30", "06-20"]):
        for n in range(CANDIDATES + 2):  # one file a commit: each comes first in some order
            repo.commit(
                f"step {i}", {f"src/m{n}.py": f"{i}\n"}, date=f"2024-{day}T0{n}:00:00+00:00"
            )
    history = history_of(repo.path)
    found = [commit for commit, _ in history.stream()]
    ranked = []
    for seed in range(5):
        random.Random(seed).shuffle(found)
        owners = Ownership(history)
        for commit in found:
            owners.count(commit)
        ranked.append(owners.candidates())
    assert ranked == [[f"src/m{n}.py" for n in range(CANDIDATES)]] * 5


def test_sustained_ownership_of_a_file_is_a_component_item(repo: Repo) -> None:
    for i, day in enumerate(["04-01", "04-10", "05-01", "05-20", "06-01"]):
        repo.commit(
            f"pager step {i}",
            {"src/pager.py": f"v{i}\n", "CHANGES.rst": f"{i}\n"},
            date=f"2024-{day}T00:00:00+00:00",
        )
    repo.commit("theirs", {"src/pager.py": "bob\n"}, author=BOB, date="2024-06-02T00:00:00+00:00")
    for i, day in enumerate(
        ["04-02", "04-12", "05-02", "05-22", "06-03"]
    ):  # a burst elsewhere, shared
        repo.commit(f"io {i}", {"src/io.py": f"a{i}\n"}, date=f"2024-{day}T00:00:00+00:00")
        repo.commit(
            f"io bob {i}", {"src/io.py": f"b{i}\n"}, author=BOB, date=f"2024-{day}T01:00:00+00:00"
        )
    items, _, _ = collect(repo.path)
    owned = [(e.id, e.title, e.paths) for e in items if e.kind == "component"]
    # the changelog is no component; src/io.py has as many of Bob's commits as hers; the
    # latest commits are those of the period's last 90 days (not the one of April 1)
    assert owned == [
        (
            "git:component:src/pager.py",
            "Main author of src/pager.py: 4 of its 5 latest commits",
            ("src/pager.py",),
        )
    ]


def test_a_short_burst_is_not_ownership(repo: Repo) -> None:
    for i in range(6):
        repo.commit(
            f"step {i}", {"src/pager.py": f"v{i}\n"}, date=f"2024-04-0{i + 1}T00:00:00+00:00"
        )
    items, _, _ = collect(repo.path)
    assert not [e for e in items if e.kind == "component"]


@pytest.mark.parametrize(
    "bot",
    [
        ("project bot", "projectbot@users.noreply.github.com"),
        ("renovate", "29139614+renovate@users.noreply.github.com"),
        ("Release Bot", "release-bot@example.com"),
        ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"),
    ],
)
def test_merging_a_bots_branch_is_not_someones_work_brought_in(
    repo: Repo, bot: tuple[str, str]
) -> None:
    repo.commit("start", {"a.txt": "1\n"}, date="2024-04-01T00:00:00+00:00")
    repo.git("checkout", "-q", "-b", "update-plugin-list")
    when = "2024-04-02T00:00:00+00:00"
    repo.commit("Update the plugin list", {"p.txt": "1\n"}, author=bot, date=when)
    repo.git("checkout", "-q", "-")
    merge_as(repo, "update-plugin-list", "Merge pull request #7 from o/update-plugin-list", ADA,
             "2024-04-03T00:00:00+00:00")  # fmt: skip
    items, _, _ = collect(repo.path)
    assert [e for e in items if e.kind == "merge"] == []


def test_people_whose_names_end_in_bot_letters_are_people() -> None:
    assert not is_bot("Jane Talbot", "talbot@example.com")
    assert not is_bot("Abbot Lee", "abbot@example.com")
    assert is_bot("pytest bot", "pytestbot@users.noreply.github.com")
    assert is_bot("dependabot", "49699333+dependabot@users.noreply.github.com")


def test_the_merges_walk_hands_the_co_author_walk_its_commits(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One walk of the history serves the merges and the co-authors, and finds what a
    co-author walk of its own finds: not a merge, not a commit committed before the
    walk's start, not a mere mention; a commit committed long after the period, yes."""
    trailer = "\n\nCo-authored-by: Ada <ada@example.com>"
    repo.commit("base", {"a.txt": "0\n"}, author=BOB, date="2024-01-05T00:00:00+00:00")
    when = "2024-05-01T00:00:00+00:00"
    paired = repo.commit("Pair" + trailer, {"p.py": "1\n"}, author=BOB, date=when)
    repo.commit(
        "Committed before the walk starts" + trailer,
        {"q.py": "1\n"},
        author=BOB,
        date="2024-05-02T00:00:00+00:00",
        committer_date="2024-01-02T00:00:00+00:00",
    )
    repo.commit("Says co-authored-by: in passing", {"r.py": "1\n"}, author=BOB, date=when)
    repo.git("checkout", "-q", "-b", "bob/side")
    repo.commit("Side", {"s.py": "1\n"}, author=BOB, date="2024-05-04T00:00:00+00:00")
    repo.git("checkout", "-q", "-")
    merge_as(repo, "bob/side", "Merge bob/side" + trailer, BOB, "2024-05-05T00:00:00+00:00")
    late = repo.commit(
        "Committed a year on" + trailer,
        {"t.py": "1\n"},
        author=BOB,
        date="2024-06-01T00:00:00+00:00",
        committer_date="2025-06-01T00:00:00+00:00",
    )
    walks: list[list[str]] = []
    framed = gitcmd.framed

    def recorded(root: Path, args: list[str], *rest: object):  # type: ignore[no-untyped-def]
        walks.append(list(args))
        return framed(root, args, *rest)  # type: ignore[arg-type]

    alone = {c.sha for c, _ in history_of(repo.path).commits()}  # a walk of its own
    monkeypatch.setattr(gitcmd, "framed", recorded)
    found = commits(collect(repo.path)[0])
    assert set(found) == alone == {paired, late}
    assert {e.role for e in found.values()} == {"co-author"}
    assert not any("--grep=co-authored-by:" in args for args in walks)  # no walk of its own


def test_design_docs_are_counted_once_when_the_history_is_read_again(repo: Repo) -> None:
    """A read of the history that stops early (an error, or a reader that has what it
    wants) and a later read of the whole: each commit counts once in a document."""
    design = "# Storage engine v2\n\n" + "".join(f"Paragraph {i}.\n" for i in range(30))
    repo.commit("Design storage v2", {"docs/design/storage.md": design})
    history = history_of(repo.path)
    docs = DocsCollector(history)
    first = history.stream()
    next(first)
    first.close()
    (doc,) = docs.collect()
    assert (doc.stats.additions, doc.message.split(":")[0]) == (32, "1 commit(s)")


def test_the_walks_read_the_head_the_clone_had_when_opened(repo: Repo) -> None:
    """A commit made (or fetched) while a report runs is not read by some of its walks
    and not others: every walk reads the head resolved when the clone was opened, the
    one the stored selection is kept under."""
    first = repo.commit("first", {"a.txt": "1\n"}, date="2024-04-02T00:00:00+00:00")
    history = history_of(repo.path)  # the clone is opened here
    repo.commit("meanwhile", {"b.txt": "2\n"}, date="2024-04-03T00:00:00+00:00")
    assert [c.sha for c, _ in history.commits()] == [first]
