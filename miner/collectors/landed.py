"""Others' work the subject brought in, and the same patch committed twice.

Merges: a merge commit the subject authored ("Merge pull request #N from someone/branch",
"Merge branch ...") of a branch whose last commit someone else (not a bot) authored
becomes a ``merge`` item. Landed patches: a commit the subject committed for another author (the
committer is the subject, the author is not) becomes a ``merge`` item too, titled
"Landed: <its subject>". Both have the role ``committer`` and carry ``newcomer_author``:
the other person's first commit in the repository is less than ``NEWCOMER_DAYS`` older
than the merge or landing.

Everything here comes from one diff-free walk of the whole history (the first commits of
the people concerned are in it too), read on the side of the author walk, and is kept
per head in the store's selections like the subject's commits. The same walk hands the
co-author walk its candidates (commits with ``Co-authored-by:`` trailers), so that the
history is walked once for both (see ``GitHistory.share_walk``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from miner import gitcmd
from miner.collectors.gitlog import CO_AUTHORS, Commit
from miner.collectors.trailers import mentions_co_author
from miner.identity import Matcher, is_bot
from miner.model import Evidence, utc

if TYPE_CHECKING:
    from miner.collectors.git import GitHistory

NEWCOMER_DAYS = 90
_FIELDS = ("%aE", "%at", "%H", "%P", "%ct", "%cE", "%aN", "%cN", "%s", CO_AUTHORS)
# A candidate for the co-author walk: (sha, author date, email, trailers, name) as
# ``GitHistory._co_authored`` reads them.
CoAuthored = tuple[str, str, str, str, str]
MERGE, LANDED = "merge", "landed"


class Landed:
    """The merges and landed patches of the subject's in the period."""

    def __init__(self, history: GitHistory) -> None:
        self.history = history
        self.root = history.repo.root
        # Filled by ``walk``: the non-merge commits committed since ``co_since`` that
        # carry trailers (or whose author date git cannot read), in git's order.
        self.co_authored: list[CoAuthored] = []
        self.co_since: int | None = None

    def cached(self) -> list[tuple[str, ...]] | None:
        """Rows kept for this head, subject and period, or None (call from the thread
        that owns the store)."""
        return self.history.side_rows(MERGE)

    def save(self, rows: list[tuple[str, ...]]) -> None:
        self.history.save_side_rows(MERGE, rows)

    def walk(self) -> list[tuple[str, ...]]:
        """Rows (sha, kind, unix date, newcomer "1"/"0", title) from git; with
        ``co_since`` set, the co-author walk's candidates in ``co_authored`` too."""
        h = self.history
        period, matcher = h.period, h.matcher
        revs = gitcmd.every_branch() if h.all_branches else ["HEAD"]
        until = int((period.end + timedelta(days=30)).timestamp())
        mark = gitcmd.record_mark()
        fmt = f"--format={gitcmd.framed_format(mark, _FIELDS)}"
        bound = [] if self.co_since is not None else [f"--until={gitcmd.date(until)}"]
        out = gitcmd.stream(self.root, ["log", fmt, "--use-mailmap", *bound, *revs, "--"])
        since = int(period.start.timestamp()) - 30 * 86400  # committer dates may lag
        first: dict[bytes, int] = {}  # each author's earliest commit, by author date
        merges: list[tuple[str, str, int, str]] = []  # sha, second parent, date, subject
        found: list[tuple[str, str, int, str, bytes]] = []  # sha, kind, date, subject, other
        people = _People(matcher)
        co_authors = self.co_since is not None
        # Runs once per commit of the whole history (40,000 and more): kept lean.
        for record in gitcmd.split_records(out, mark):
            parts = gitcmd.split_fields(record, len(_FIELDS))
            if parts is None or parts[-1].strip(b"\n\0"):
                continue
            a_email, a_time, commit, parents, c_time, c_email, a_name, c_name = parts[:8]
            at, ct = gitcmd.seconds(a_time), gitcmd.seconds(c_time)
            if co_authors and (mentions_co_author(parts[9]) or at is None):
                self._co_candidate(parts, ct)
            if at is None or ct is None or ct > until:
                continue  # a date git cannot read: nothing to place in time
            lowered, mine, bot = people.author(a_email, a_name)
            if at < first.get(lowered, at + 1):
                first[lowered] = at
            if ct < since:
                continue  # of most commits only the author and the date are read
            if b" " in parents.strip():
                if mine and utc(at) in period:
                    second = parents.split()[1]
                    merges.append((_text(commit), _text(second), at, _text(parts[8])))
            elif (
                not mine
                and not bot
                and (c_email != a_email or c_name != a_name)  # else the author: not the subject
                and people.is_subject(c_email, c_name)
                and utc(ct) in period
            ):
                found.append((_text(commit), LANDED, ct, _text(parts[8]), lowered))
        merged = self._authors([m[1] for m in merges])
        for sha, tip, when, title in merges:
            name, email = merged.get(tip, ("", ""))
            if email and not matcher(name, email) and not is_bot(name, email):
                found.append((sha, MERGE, when, title, email.lower().encode("utf-8", "replace")))
        rows: list[tuple[str, ...]] = []
        for sha, kind, when, title, other in found:
            since_first = first.get(other)
            newcomer = since_first is None or when - since_first < NEWCOMER_DAYS * 86400
            rows.append((sha, kind, str(when), "1" if newcomer else "0", gitcmd.one_line(title)))
        return rows

    def _co_candidate(self, parts: list[bytes], ct: int | None) -> None:
        """Keep a commit the co-author walk would look at: not a merge, committed since
        ``co_since`` (git decides a date it printed none for; see ``GitHistory``)."""
        assert self.co_since is not None
        if b" " in parts[3].strip() or (ct is not None and ct < self.co_since):
            return
        sha, at, email, trailers, name = (
            parts[i].decode("utf-8", "replace") for i in (2, 1, 0, 9, 6)
        )
        self.co_authored.append((sha, at, email, trailers, name))

    def _authors(self, shas: list[str]) -> dict[str, tuple[str, str]]:
        """Each commit's mailmap-resolved (name, email), in one ``--stdin`` pass."""
        if not shas:
            return {}
        # merge parents are SHAs git printed: safe as arguments
        records = gitcmd.framed(
            self.root, ["log", "--use-mailmap", "--no-walk=unsorted", *dict.fromkeys(shas), "--"],
            ("%H", "%aE", "%aN"),
        )  # fmt: skip
        return {sha: (name, email) for sha, email, name in records}

    def evidence(self, rows: list[tuple[str, ...]]) -> Iterator[Evidence]:
        repo = self.history.repo
        for sha, kind, at, newcomer, title in rows:
            yield Evidence(
                id=f"git:{sha}",
                kind="merge",
                source="git",
                repo=repo.name,
                title=title if kind == MERGE else f"Landed: {title}",
                date=utc(int(at)),
                url=repo.commit_url(sha),
                role="committer",
                newcomer_author=newcomer == "1",
            )


class _People:
    """Who an identity git printed is, worked out once per distinct identity: a
    history has far fewer people than commits."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self._authors: dict[tuple[bytes, bytes], tuple[bytes, bool, bool]] = {}
        self._subject: dict[tuple[bytes, bytes], bool] = {}

    def author(self, email: bytes, name: bytes) -> tuple[bytes, bool, bool]:
        """(the email in lower case, whether it is the subject, whether a bot)."""
        known = self._authors.get((email, name))
        if known is None:
            text_name, text_email = _text(name), _text(email)
            mine = self.matcher(text_name, text_email)
            known = (email.lower(), mine, is_bot(text_name, text_email))
            self._authors[(email, name)] = known
        return known

    def is_subject(self, email: bytes, name: bytes) -> bool:
        known = self._subject.get((email, name))
        if known is None:
            known = self._subject[(email, name)] = self.matcher(_text(name), _text(email))
        return known


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


class SamePatch:
    """Which of the subject's commits repeat an earlier one's patch (a cherry-pick, a
    re-landed branch): a commit with the same subject and the same lines in the same
    files as one seen before is compared with it by ``git patch-id``, which decides.
    The comparisons are made at the end, all in one pass."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen: dict[tuple[object, ...], str] = {}
        self._earlier: dict[str, str] = {}  # a repeating commit -> the one it may repeat

    def repeats(self, commit: Commit) -> bool:
        """Whether ``commit`` looks like one seen before (to be compared by ``same_as``)."""
        if not commit.paths:
            return False
        earlier = self._seen.setdefault((commit.subject, commit.paths, commit.lines), commit.sha)
        if earlier == commit.sha:
            return False
        self._earlier[commit.sha] = earlier
        return True

    def same_as(self, commits: list[Commit]) -> dict[str, str]:
        """For those of ``commits`` that repeat an earlier commit's patch: the earlier
        commit's evidence id."""
        pairs = [(self._earlier[c.sha], c.sha) for c in commits if c.sha in self._earlier]
        if not pairs:
            return {}
        shas = list(dict.fromkeys(sha for pair in pairs for sha in pair))
        patches = gitcmd.run(
            self.root, "log", "-p", "--no-walk=unsorted", "--format=commit %H", *shas, "--"
        )
        ids = gitcmd.lines(gitcmd.run(self.root, "patch-id", "--stable", stdin=patches))
        patch = {line.split()[1]: line.split()[0] for line in ids if len(line.split()) == 2}
        return {
            later: f"git:{earlier}"
            for earlier, later in pairs
            if earlier in patch and patch[earlier] == patch.get(later)
        }
