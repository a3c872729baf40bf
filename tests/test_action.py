"""The GitHub Action: ``action.yml``'s own steps, in order, under a simulated runner.

``Runner`` reads ``action.yml`` and does what the Actions runner does for a composite
action: fills each step's ``env:`` and ``if:`` from its ``${{ }}`` expressions (inputs
with their defaults, earlier steps' outputs), gives every step fresh
``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY`` files and reads the outputs back in
either of the runner's two forms. A ``run:`` step is executed as the script says:
``python -m miner.action STEP`` runs in this process (so that ``responses`` answers
for GitHub with the replayed bodies of ``tests.test_github``); the third-party
actions are played by small fakes of what they promise (the cache keeps bytes by key
and restores by prefix, the artifact upload records files and gives a URL).
An expression or a script the runner here does not know fails the test: the YAML
cannot drift from what was tested.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import responses
import yaml

from miner import action
from miner.report import json_schema
from tests import github_fixtures as gh
from tests.test_github import LOGIN, TOKEN, FakeGitHub, at, quarter, spent_limit

ROOT = Path(__file__).resolve().parent.parent
SCHEDULED = datetime(2024, 7, 2, 6, 17, tzinfo=UTC)  # the cron in the first days of Q3
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_STEP = re.compile(r'^"\$(MINER_PYTHON|SETUP_PYTHON)" -m miner\.action (\w+)$')


@dataclass
class Runner:
    """One job's worth of runner state for the composite action in ``action.yml``."""

    root: Path
    monkeypatch: pytest.MonkeyPatch
    event: str = "schedule"
    api_url: str = gh.API
    server_url: str = "https://github.com"
    token: str = TOKEN
    now: datetime = SCHEDULED
    cache: dict[str, bytes] = field(default_factory=dict)  # the repository's Actions cache
    artifacts: dict[str, list[Path]] = field(default_factory=dict)
    summaries: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)
    runs: int = 0

    def __post_init__(self) -> None:
        self.spec = yaml.safe_load((ROOT / "action.yml").read_text())
        self.workspace = self.root / "workspace"
        self.workspace.mkdir(exist_ok=True)

    def run(self, **given: str) -> dict[str, str]:
        """Run the action once, in a new job (a new RUNNER_TEMP), with ``given`` inputs;
        its outputs, as the workflow sees them."""
        self.runs += 1
        self.temp = self.root / f"runner-temp-{self.runs}"
        self.temp.mkdir()
        self.inputs = {
            name: self.expr(str(spec.get("default", "")))
            for name, spec in self.spec["inputs"].items()
        }
        unknown = set(given) - set(self.inputs)
        assert not unknown, f"not inputs of action.yml: {unknown}"
        self.inputs.update(given)
        self.steps: dict[str, dict[str, Any]] = {}
        self.outcomes = {}
        self.failed = False
        for n, step in enumerate(self.spec["runs"]["steps"]):
            self.step(step.get("id", f"step{n}"), step)
        return {name: self.expr(out["value"]) for name, out in self.spec["outputs"].items()}

    # -- expressions: only the forms action.yml uses; anything else fails the test
    def value(self, ref: str) -> str:
        if m := re.fullmatch(r"'([^']*)'", ref):
            return m[1]
        if m := re.fullmatch(r"inputs\.([\w-]+)", ref):
            return self.inputs[m[1]]
        if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", ref):
            return str(self.steps.get(m[1], {}).get(m[2], ""))
        if m := re.fullmatch(r"steps\.([\w-]+)\.outcome", ref):
            return self.outcomes.get(m[1], "")
        known = {"github.token": self.token, "runner.temp": str(self.temp)}
        assert ref in known, f"an expression the simulated runner does not know: {ref}"
        return known[ref]

    def condition(self, text: str) -> bool:
        parts = [p.strip() for p in _EXPR.sub(r"\1", text).split("&&")]
        result = True
        for part in parts:
            if part == "!cancelled()":
                continue
            m = re.fullmatch(r"(\S+)\s*==\s*(\S+)", part)
            assert m, f"a condition the simulated runner does not know: {part}"
            result &= self.value(m[1]).lower() == self.value(m[2]).lower()
        return result

    def expr(self, text: Any) -> str:
        """A YAML value as the runner reads it: text with its expressions filled in."""
        plain = str(text).lower() if isinstance(text, bool) else str(text)
        return _EXPR.sub(lambda m: self.value(m[1]), plain)

    # -- steps
    def step(self, step_id: str, step: dict[str, Any]) -> None:
        condition = step.get("if", "")
        # as on the runner, a condition without a status function means success() && it
        checks_status = re.search(r"\b(always|cancelled|failure|success)\(\)", condition)
        if (self.failed and not checks_status) or (condition and not self.condition(condition)):
            self.outcomes[step_id] = "skipped"
            return
        if "uses" in step:
            outputs = self.uses(
                step["uses"], {k: self.expr(v) for k, v in step.get("with", {}).items()}
            )
            ok = True
        else:
            ok, outputs = self.script(step_id, step)
        self.steps[step_id] = outputs
        self.outcomes[step_id] = "success" if ok else "failure"
        self.failed |= not ok

    def script(self, step_id: str, step: dict[str, Any]) -> tuple[bool, dict[str, str]]:
        assert step.get("shell") == "bash", f"{step_id}: every step names its shell"
        script = step["run"].strip()
        assert "${{" not in script, f"{step_id}: an expression inside run:"
        env = {k: self.expr(v) for k, v in step.get("env", {}).items()}
        if step_id == "install":  # pip from the registry: this test's own interpreter has miner
            assert '"$MINER_PYTHON" -m pip install --quiet "$GITHUB_ACTION_PATH"' in script
            assert env["MINER_VENV"].startswith(str(self.temp))
            return True, {}
        script = script.removeprefix('PYTHONPATH="$GITHUB_ACTION_PATH" ')
        m = _STEP.match(script)
        assert m, f"{step_id}: a script the simulated runner does not know: {script}"
        files = {
            "GITHUB_OUTPUT": self.temp / f"output-{step_id}",
            "GITHUB_STEP_SUMMARY": self.temp / f"summary-{step_id}",
        }
        for path in files.values():
            path.write_text("")
        base = {
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_EVENT_NAME": self.event,
            "GITHUB_REPOSITORY": "ada/brag",
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_SERVER_URL": self.server_url,
            "GITHUB_API_URL": self.api_url,
            "GITHUB_RUN_ID": str(1000 + self.runs),
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_ENV": str(self.temp / "env"),
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_OS": "Linux",
            **{k: str(v) for k, v in files.items()},
        }
        with self.monkeypatch.context() as patch:
            for name, value in {**base, **env}.items():
                patch.setenv(name, value)
            if "working-directory" in step:
                patch.chdir(self.expr(step["working-directory"]))
            code = action.main([m[2]], now=self.now)
        self.summaries.append(files["GITHUB_STEP_SUMMARY"].read_text())
        return code == 0, read_outputs(files["GITHUB_OUTPUT"].read_text())

    def uses(self, uses: str, given: dict[str, str]) -> dict[str, str]:
        name, _, pin = uses.partition("@")
        assert re.fullmatch(r"[0-9a-f]{40}", pin), f"{uses} is not pinned to a commit"
        if name == "actions/setup-python":
            assert given["update-environment"] == "false"  # the caller's Python untouched
            return {"python-path": sys.executable}
        if name == "actions/cache":
            return {"cache-hit": "false"}  # pip's cache: nothing to play here
        if name == "actions/cache/restore":
            for key in [given["key"], *given["restore-keys"].splitlines()]:
                found = sorted(k for k in self.cache if k.startswith(key))
                if found:  # the newest entry with that prefix; here, the last saved
                    path = Path(given["path"])
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(self.cache[found[-1]])
                    return {"cache-hit": str(found[-1] == given["key"]).lower()}
            return {"cache-hit": "false"}
        if name == "actions/cache/save":
            assert given["key"] not in self.cache, "a cache entry is never overwritten"
            path = Path(given["path"])
            if path.exists():
                self.cache[given["key"]] = path.read_bytes()
            return {}
        if name == "actions/upload-artifact":
            files = [self.workspace / p for p in given["path"].splitlines() if p]
            assert files and all(f.is_file() for f in files), given["path"]
            self.artifacts[given["name"]] = files
            run = f"https://github.com/ada/brag/actions/runs/{1000 + self.runs}"
            return {"artifact-url": f"{run}/artifacts/7"}
        raise AssertionError(f"an action the simulated runner does not know: {uses}")


def read_outputs(text: str) -> dict[str, str]:
    """``$GITHUB_OUTPUT`` read as the runner reads it: ``name=value`` lines and
    ``name<<DELIMITER`` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            else:
                raise AssertionError(f"{name}: no closing {delimiter}")
            outputs[name] = "\n".join(body)
        elif line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


@pytest.fixture
def github(no_network: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    monkeypatch.setattr("miner.ghclient.time.sleep", lambda _: None)
    return FakeGitHub(no_network)


@pytest.fixture
def issues(github: FakeGitHub, no_network: responses.RequestsMock) -> list[tuple[str, Any]]:
    """Issues the action opens or updates in the workflow's repository, answered as
    GitHub does; each request as (method, payload)."""
    sent: list[tuple[str, Any]] = []
    listed = github.opened.setdefault("ada/brag", [])

    def write(request: Any) -> tuple[int, dict[str, str], str]:
        assert request.headers["Authorization"] == f"Bearer {github.token}"
        payload = json.loads(request.body)
        sent.append((request.method, payload))
        if request.method == "PATCH":
            number = int(request.url.rsplit("/", 1)[1])
            [issue] = [i for i in listed if i["number"] == number]
            issue.update(payload)
            return 200, gh.headers(), json.dumps(issue)
        bot = "github-actions[bot]"
        title, body = payload["title"], payload["body"]
        issue = gh.created_issue("ada", "brag", len(listed) + 1, title, body, bot, user_type="Bot")
        listed.insert(0, issue)
        return 201, gh.headers(), json.dumps(issue)

    no_network.add_callback(responses.POST, f"{gh.API}/repos/ada/brag/issues", write)
    no_network.add_callback(
        responses.PATCH, re.compile(re.escape(f"{gh.API}/repos/ada/brag/issues/") + r"\d+"), write
    )
    return sent


def brag_repo(tmp_path: Path, workspace: Path) -> Path:
    """The workspace as a checkout of the person's brag repository, pushed to ``origin``."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(workspace), *args], check=True, capture_output=True, text=True
        ).stdout

    git("init", "-q", "-b", "main")
    git(
        "-c",
        "user.name=Ada",
        "-c",
        "user.email=ada@example.com",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "start",
    )
    git("remote", "add", "origin", str(origin))
    git("push", "-q", "origin", "main")
    return origin


def test_the_action_runs_its_steps_under_a_simulated_runner(
    github: FakeGitHub,
    issues: list[tuple[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    quarter(github)
    runner = Runner(tmp_path, monkeypatch)
    origin = brag_repo(tmp_path, runner.workspace)
    out = runner.run(
        author=LOGIN, repos="acme/widgets", **{"create-issue": "true", "commit": "true"}
    )
    assert runner.outcomes == dict.fromkeys(runner.outcomes, "success")
    assert not (runner.temp / "env").exists()  # nothing exported to the caller's later steps
    assert out["period"] == "2024Q2"  # scheduled on 2 July: the quarter that just ended
    assert out["partial"] == "false"
    assert out["reports"].splitlines() == [
        "reports/2024Q2.md",
        "reports/2024Q2.html",
        "reports/2024Q2.json",
    ]
    doc = json.loads((runner.workspace / "reports/2024Q2.json").read_text())
    jsonschema.validate(doc, json_schema())
    assert {e["id"] for e in doc["evidence"]} >= {"gh:pr:acme/widgets#7", "gh:review:501"}
    markdown = (runner.workspace / "reports/2024Q2.md").read_text()
    assert "<html" in (runner.workspace / "reports/2024Q2.html").read_text().lower()
    assert markdown in runner.summaries  # the job summary is the whole report, not cut
    assert runner.artifacts == {
        "contribution-miner-ada-2024Q2": [runner.workspace / p for p in out["reports"].splitlines()]
    }
    [key] = runner.cache
    assert key.startswith("contribution-miner-store-v1/ada/2024Q2/")
    # committed and pushed, as the bot, without the token in the repository's config
    log = subprocess.run(
        ["git", "-C", str(origin), "log", "-1", "--format=%an%n%s", "--name-only"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert log.splitlines()[:2] == ["github-actions[bot]", "Contribution summary 2024Q2"]
    assert set(out["reports"].splitlines()) <= set(log.splitlines())
    assert (
        out["commit"]
        == subprocess.run(
            ["git", "-C", str(origin), "rev-parse", "main"], capture_output=True, text=True
        ).stdout.strip()
    )
    assert TOKEN not in (runner.workspace / ".git/config").read_text()
    # the issue: the report, and where the whole of it is
    [(method, opened)] = issues
    assert method == "POST" and opened["title"] == "Contribution summary 2024Q2"
    assert opened["body"].startswith(markdown)
    assert out["artifact-url"] in opened["body"]
    assert f"blob/{out['commit']}/reports/2024Q2.md" in opened["body"]
    assert out["issue-url"] == "https://github.com/ada/brag/issues/1"
    for path in runner.root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert TOKEN.encode() not in path.read_bytes(), path


def test_a_new_run_with_a_new_token_resumes_from_the_cached_store(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every run has a new GITHUB_TOKEN, so no stored ETag matches; the store restored
    from the cache still spares every request about an unchanged item."""
    quarter(github)
    runner = Runner(tmp_path, monkeypatch)
    first = runner.run(author=LOGIN, repos="acme/widgets", formats="json")
    cold = github.counted
    github.log.clear()
    runner.token = github.token = "ghs_NextRunsToken0123456789"
    second = runner.run(author=LOGIN, repos="acme/widgets", formats="json")
    assert len(runner.cache) == 2  # one entry per run, the second restored from the first
    assert github.counted <= 10 < cold
    assert first["reports"] == second["reports"]


def test_a_partial_collection_is_published_marked_and_resumed(
    github: FakeGitHub,
    issues: list[tuple[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Published marked partial, kept in the cache, completed by the next run, which
    updates the period's issue rather than opening a second one."""
    quarter(github)
    github.script.append(spent_limit(2_000_000_000, lambda path: path.endswith("/timeline")))
    runner = Runner(tmp_path, monkeypatch)
    out = runner.run(author=LOGIN, repos="acme/widgets", **{"create-issue": "true"})
    assert out["partial"] == "true"
    markdown = (runner.workspace / "reports/2024Q2.md").read_text()
    assert "Partial report" in markdown and markdown in runner.summaries
    assert runner.artifacts  # what it has is published
    assert len(runner.cache) == 1  # and kept for the next run
    runner.token = github.token = "ghs_NextRunsToken0123456789"
    again = runner.run(author=LOGIN, repos="acme/widgets", **{"create-issue": "true"})
    assert again["partial"] == "false"
    assert "gh:review:501" in (runner.workspace / "reports/2024Q2.json").read_text()
    assert [(method, sent["title"]) for method, sent in issues] == [
        ("POST", "Contribution summary 2024Q2 (partial)"),
        ("PATCH", "Contribution summary 2024Q2"),
    ]
    [issue] = github.opened["ada/brag"]
    assert "Partial report" not in issue["body"]
    assert out["issue-url"] == again["issue-url"] == issue["html_url"]


def test_a_long_report_is_cut_for_the_summary_and_the_issue_with_links_to_the_whole(
    github: FakeGitHub,
    issues: list[tuple[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1,400 issues opened, with titles of 290 characters (some outside the BMP, which
    GitHub counts twice): the Markdown passes 1 MiB, and the issue 65,536 characters."""
    long = [
        gh.search_issue_item(
            "acme",
            "widgets",
            n,
            f"Issue {n} " + "🚀x" * 140,
            LOGIN,
            at(f"2024-{4 + n % 3:02d}-{n % 28 + 1:02d}"),
            is_pr=False,
        )
        for n in range(1, 1401)
    ]
    github.search(f"type:issue author:{LOGIN}", long)
    runner = Runner(tmp_path, monkeypatch)
    out = runner.run(author=LOGIN, repos="acme/widgets", formats="md", **{"create-issue": "true"})
    markdown = (runner.workspace / "reports/2024Q2.md").read_text()
    assert len(markdown.encode()) > action.SUMMARY_LIMIT
    [summary] = [s for s in runner.summaries if s]
    assert len(summary.encode()) <= action.SUMMARY_LIMIT
    assert summary.endswith(f"The whole report is in the artifact: {out['artifact-url']}\n")
    kept = summary[: summary.index("\n\n---\n> **Cut here:**")]
    assert markdown.startswith(kept) and kept.endswith("\n\n")  # cut before a heading
    used = set(re.findall(r"\]\[(\d+)\]", kept))
    assert used and used <= set(re.findall(r"^\[(\d+)\]: ", kept, re.MULTILINE))
    [(_, opened)] = issues
    assert len(opened["body"].encode("utf-16-le")) // 2 < action.ISSUE_LIMIT
    assert "longer than an issue can hold" in opened["body"]
    assert out["artifact-url"] in opened["body"]


def test_github_enterprise_server_is_asked_at_its_api_url(
    no_network: responses.RequestsMock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghes = "https://ghe.example.com/api/v3"
    fake = FakeGitHub(no_network, base=ghes)
    quarter(fake)
    runner = Runner(tmp_path, monkeypatch, api_url=ghes, server_url="https://ghe.example.com")
    out = runner.run(author=LOGIN, repos="acme/widgets", formats="md")
    assert out["partial"] == "false" and fake.counted > 5
    # upload-artifact v4+ does not run on GHES: the summary links to the run instead
    assert runner.outcomes["upload"] == "skipped" and not runner.artifacts
    assert (runner.workspace / "reports/2024Q2.md").read_text() in runner.summaries


def test_the_token_user_is_the_default_author(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quarter(github)
    runner = Runner(tmp_path, monkeypatch)
    out = runner.run(repos="acme/widgets", formats="json")
    doc = json.loads((runner.workspace / out["reports"]).read_text())
    assert doc["subject"]["logins"] == [LOGIN]
    assert next(iter(runner.cache)).startswith("contribution-miner-store-v1/token-user/2024Q2/")


# ------------------------------------------------------------------ step by step
@pytest.mark.parametrize("month", range(1, 13))
def test_last_quarter_is_the_quarter_before_the_run_for_every_month(month: int) -> None:
    """On a schedule in the first days of a quarter it is the quarter that just ended;
    any other day, the last complete quarter, never the one under way."""
    ended = {1: "2023Q4", 4: "2024Q1", 7: "2024Q2", 10: "2024Q3"}
    expected = ended[month - (month - 1) % 3]
    for day, hour in ((1, 0), (2, 6), (28, 23)):
        now = datetime(2024, month, day, hour, tzinfo=UTC)
        period = action.resolve_period("last-quarter", now)
        assert period.label == expected, (month, day)
        assert action.period_spec(period) == expected
    first_second = datetime(2024, month, 1, tzinfo=UTC)
    assert action.resolve_period("last-quarter", first_second).end <= first_second


def test_a_relative_period_is_fixed_once_for_the_later_steps() -> None:
    year = action.resolve_period("last-4-quarters", SCHEDULED)
    assert year.label == "2023Q3..2024Q2"
    assert action.period_spec(year) == "2023-07-01..2024-06-30"
    assert (
        action.resolve_period(action.period_spec(year), datetime(2031, 1, 1, tzinfo=UTC)).start
        == year.start
    )


def test_outputs_use_delimiters_no_value_can_end(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.write_text("")
    sneaky = "reports/a.md\nghadelimiter_x\npartial=true"
    action.write_outputs({"GITHUB_OUTPUT": str(out)}, {"reports": sneaky, "period": "2024Q2"})
    assert read_outputs(out.read_text()) == {"reports": sneaky, "period": "2024Q2"}


def test_an_annotation_cannot_start_a_command_of_its_own() -> None:
    line = action.annotation("error", "bad period '2024Q5\n::add-mask::x' 100%")
    assert line == "::error::bad period '2024Q5%0A::add-mask::x' 100%25"


def test_cuts_keep_whole_lines_and_characters() -> None:
    text = "é" * 10 + "\n" + "🚀" * 10 + "\n"
    cut, was = action.cut_bytes(text, 30, "[cut]")
    assert was and cut == "é" * 10 + "\n[cut]"
    cut, was = action.cut_chars(text, 25, "[cut]")
    assert was and cut == "é" * 10 + "\n[cut]"
    assert action.cut_chars(text, 100, "[cut]") == (text, False)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"INPUT_COMMAND": "deploy"}, "command 'deploy' is not one I run"),
        ({"INPUT_FORMATS": "md,pdf"}, "formats: pdf unknown"),
        ({"INPUT_CREATE_ISSUE": "yes"}, "create-issue: 'yes' is not true or false"),
        ({"INPUT_OUTPUT_DIR": "../elsewhere"}, "output-dir '../elsewhere' leaves the workspace"),
        ({"INPUT_OUTPUT_DIR": "/etc"}, "output-dir '/etc' must be a relative path"),
        ({"INPUT_PERIOD": "2024Q5"}, "--period '2024Q5'"),
        ({"INPUT_CASE": "case.yaml"}, "case and level are for command: promo"),
    ],
)
def test_bad_inputs_end_with_one_annotation_and_exit_2(
    given: dict[str, str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        **given,
    }
    assert action.main(["prepare"], environ=env, now=SCHEDULED) == 2
    printed = capsys.readouterr()
    [line] = printed.out.splitlines()
    assert line.startswith("::error::") and message in line
    assert "Traceback" not in printed.err
    assert not (tmp_path / "out").exists()


def test_promo_passes_the_same_options_and_its_own(tmp_path: Path) -> None:
    """``command: promo`` runs ``miner promo`` once per format, JSON first (it says
    whether the collection was partial), with --case and --level passed on."""
    calls: list[list[str]] = []

    def fake_promo(args: list[str]) -> int:
        calls.append(args)
        target = Path(args[args.index("-o") + 1])
        fmt = args[args.index("--format") + 1]
        target.write_text(
            json.dumps({"sources": [{"partial": True}]}) if fmt == "json" else "# Case\n"
        )
        return 0

    env = {
        "RUNNER_TEMP": str(tmp_path / "temp"),
        "GITHUB_WORKSPACE": str(tmp_path),
        "INPUT_COMMAND": "promo",
        "INPUT_AUTHOR": "ada,ada@example.com",
        "INPUT_REPOS": "acme/widgets",
        "INPUT_FORMATS": "md,html",
        "INPUT_CASE": "case.yaml",
        "INPUT_LEVEL": "Staff Engineer",
        "MINER_PERIOD": "2023-07-01..2024-06-30",
        "MINER_STORE": str(tmp_path / "store.sqlite3"),
    }
    out = action.run(env, SCHEDULED, promo=fake_promo)
    assert [c[c.index("--format") + 1] for c in calls] == ["json", "md", "html"]
    first = calls[0]
    assert first[: first.index("--format")] == [
        "promo", "--period", "2023-07-01..2024-06-30", "--github",
        "--author", "ada", "--author", "ada@example.com", "--repo", "acme/widgets",
        "--case", str(tmp_path / "case.yaml"), "--level", "Staff Engineer",
        "--store", str(tmp_path / "store.sqlite3"),
    ]  # fmt: skip
    assert out["reports"].splitlines() == [
        "reports/promo-2023-07-01..2024-06-30.md",
        "reports/promo-2023-07-01..2024-06-30.html",
    ]
    assert out["partial"] == "true"
    assert shlex.join(first)  # every argument is a plain string


# ------------------------------------------------------------------ the linters
def _tool(name: str) -> str:
    """A dev dependency's command, from the environment the tests run in."""
    return str(Path(sys.executable).parent / name)


WORKFLOWS = sorted(str(p) for p in (ROOT / ".github/workflows").glob("*.yml"))


@pytest.mark.parametrize(
    "command",
    [
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOWS],
        ["check-jsonschema", "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml")],
        ["actionlint", "-no-color", *WORKFLOWS],
        ["zizmor", "--offline", "--no-progress", str(ROOT)],
    ],
    ids=["workflows-schema", "action-schema", "actionlint", "zizmor"],
)
def test_the_action_and_workflows_pass_the_linters(command: list[str]) -> None:
    result = subprocess.run(
        [_tool(command[0]), *command[1:]], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_workflow_keeps_the_security_rules() -> None:
    """permissions: {} on top and per job; pinned third-party actions with the version
    beside them; no pull_request_target; checkouts without persisted credentials;
    a shell on every run step; no expression inside a script."""
    for path in [*WORKFLOWS, str(ROOT / "action.yml")]:
        text = Path(path).read_text()
        doc = yaml.safe_load(text)
        for line in re.findall(r"uses: (\S+.*)", text):
            if not line.startswith("./"):
                assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), (path, line)
        steps = (
            doc["runs"]["steps"]
            if "runs" in doc
            else [s for j in doc["jobs"].values() for s in j["steps"]]
        )
        for step in steps:
            if "run" in step:
                assert step.get("shell") and "${{" not in step["run"], (path, step)
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, path
        if "jobs" in doc:
            assert doc["permissions"] == {}, path
            assert "pull_request_target" not in doc[True], path  # YAML reads `on` as True
            assert all("permissions" in job for job in doc["jobs"].values()), path


def test_an_issue_the_token_may_not_open_is_one_clear_line(
    github: FakeGitHub,
    no_network: responses.RequestsMock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A job without ``issues: write``: the report is still written and uploaded."""
    quarter(github)
    refused = json.dumps(gh.error(403, "Resource not accessible by integration"))
    no_network.add(
        responses.POST,
        f"{gh.API}/repos/ada/brag/issues",
        body=refused,
        status=403,
        headers=gh.error_headers(403),
    )
    runner = Runner(tmp_path, monkeypatch)
    runner.run(author=LOGIN, repos="acme/widgets", formats="md", **{"create-issue": "true"})
    assert runner.outcomes["run"] == runner.outcomes["upload"] == "success"
    assert runner.outcomes["issue"] == "failure"
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("::error::")]
    assert "403: Resource not accessible by integration" in line
    assert "permissions: issues: write" in line and TOKEN not in line


def test_a_token_of_no_user_asks_for_the_author(
    github: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """GITHUB_TOKEN and App tokens belong to no user: GET /user is refused."""
    quarter(github)
    body = json.dumps(gh.error(403, "Resource not accessible by integration"))
    github.script.append(
        lambda path: (403, gh.error_headers(403), body) if path == "/user" else None
    )
    runner = Runner(tmp_path, monkeypatch)
    runner.run(repos="acme/widgets")
    assert runner.outcomes["run"] == "failure"
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("::error::")]
    assert "the token belongs to no user" in line and "`author` input" in line


def test_the_readme_workflow_is_short_valid_and_uses_real_inputs(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Run it every quarter") :]
    pasted = section[section.index("```yaml\n") + 8 : section.index("```\n", 8)]
    assert len(pasted.splitlines()) <= 15
    workflow = tmp_path / ".github" / "workflows" / "quarterly.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(pasted)
    check = [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    result = subprocess.run([*check, str(workflow)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
    [step] = yaml.safe_load(pasted)["jobs"]["summary"]["steps"]
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    assert set(step["with"]) <= set(inputs)


def test_caches_and_artifacts_are_named_for_the_person(tmp_path: Path) -> None:
    env = {
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_RUN_ID": "7",
        "INPUT_AUTHOR": "octo@example.com,octocat",  # as the team workflow passes it
    }
    out = action.prepare(env, SCHEDULED)
    assert out["store-key"] == "contribution-miner-store-v1/octocat/2024Q2/7-1"
    restore = out["store-restore"].splitlines()
    assert restore == [
        "contribution-miner-store-v1/octocat/2024Q2/",
        "contribution-miner-store-v1/octocat/",
    ]
    assert out["artifact"] == "contribution-miner-octocat-2024Q2"
    assert out["period"] == "2024Q2" and out["upload"] == "true"
    other = action.prepare({**env, "INPUT_AUTHOR": "octocat-jr"}, SCHEDULED)
    assert not other["store-key"].startswith(tuple(restore))  # never another person's store


def test_mentions_in_the_issue_body_notify_nobody(
    github: FakeGitHub, issues: list[tuple[str, Any]], tmp_path: Path
) -> None:
    markdown = tmp_path / "2024Q2.md"
    markdown.write_text("- thanks @octocat, cc @acme/reviewers, `@code`, ada@example.com\n")
    env = {
        "MINER_MARKDOWN": str(markdown),
        "MINER_LABEL": "2024Q2",
        "GH_TOKEN": github.token,
        "GITHUB_REPOSITORY": "ada/brag",
        "GITHUB_API_URL": gh.API,
    }
    action.issue(env)
    [(_, opened)] = issues
    body = opened["body"]
    assert "@octocat" not in body and "@acme/reviewers" not in body
    assert "@\u2060octocat" in body and "@\u2060acme/reviewers" in body
    assert "`@\u2060code`" in body and "ada@example.com" in body
    assert action.quiet_mentions("@a @b") == "@\u2060a @\u2060b"


def test_every_mention_form_is_quieted_and_no_address_is_touched() -> None:
    """GitHub reads ``@user`` after any character that is not a letter, digit or
    underscore as a mention; addresses (reference-link definitions and inline URLs,
    even with an ``@`` in their path) must stay byte for byte."""
    links = [
        "[1]: https://github.com/acme/widgets/pull/7",
        "[2]: https://www.npmjs.com/package/@scope/pkg",
        "[3]: https://medium.com/@ada/why-batching-2f1e?source=@feed",
        "[4]: http://user@example.com/@ops/",
    ]
    inline = "see HTTPS://example.com/@ops/x and https://github.com/orgs/acme/teams/@x"
    emails = "mail ada@example.com, carol_b@x.io, d.e@f.org"
    forms = ".@u1 /@u2 -@u3 @@u4 (@u5) [@u6] \"@u7\" '@u8' `@u9` :@u10 *@u11 ~@u12 \u00e9@u13 @u14"
    report = "\n".join(["# Q2", f"- {forms}", f"- {emails}", f"- {inline}", "", *links]) + "\n"
    quiet = action.quiet_mentions(report)
    for n in range(1, 15):
        if n == 13:  # a letter before it: GitHub sees an address, not a mention
            continue
        assert f"@u{n}" not in quiet.replace(f"@\u2060u{n}", ""), n
        assert f"@\u2060u{n}" in quiet, n
    for kept in (*links, inline, emails):
        assert kept in quiet, kept
    assert quiet.replace("\u2060", "") == report


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("not yours\n")
    return victim


@pytest.mark.parametrize("command", ["report", "promo"])
@pytest.mark.parametrize("link", ["reports/2024Q2.md", "reports/2024Q2.json"])
def test_the_action_writes_no_file_through_a_symbolic_link(
    github: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    link: str,
) -> None:
    """A repository can commit ``reports/2024Q2.md -> /outside/victim.txt``: the run
    step stops with one error line before writing anything, and the victim is intact."""
    quarter(github)
    victim = _victim(tmp_path)
    runner = Runner(tmp_path, monkeypatch)
    name = link if command == "report" else link.replace("2024Q2", "promo-2024Q2")
    placed = runner.workspace / name
    placed.parent.mkdir(parents=True)
    placed.symlink_to(victim)
    given = {"author": LOGIN, "repos": "acme/widgets", "command": command}
    if command == "promo":
        given["period"] = "2024Q2"
    out = runner.run(**given)
    assert runner.outcomes["run"] == "failure"
    assert out["reports"] == ""
    assert victim.read_text() == "not yours\n"
    errors = [x for x in capsys.readouterr().out.splitlines() if x.startswith("::error::")]
    assert len(errors) == 1 and "symbolic link" in errors[0] and name in errors[0]
    assert list((runner.workspace / "reports").iterdir()) == [placed]  # nothing else written


def test_a_link_inside_the_workspace_that_leaves_it_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``reports/deep -> /outside``: the output dir resolves out of the workspace."""
    victim = _victim(tmp_path)
    workspace = tmp_path / "workspace"
    (workspace / "reports").mkdir(parents=True)
    (workspace / "reports" / "deep").symlink_to(victim.parent, target_is_directory=True)
    env = {
        "RUNNER_TEMP": str(tmp_path / "temp"),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "INPUT_OUTPUT_DIR": "reports/deep",
        "INPUT_FORMATS": "json",
        "MINER_PERIOD": "2024Q2",
    }
    assert action.main(["run"], environ=env, now=SCHEDULED) == 2
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("::error::") and "leaves the workspace" in line
    assert [p.name for p in victim.parent.iterdir()] == ["victim.txt"]


@pytest.mark.parametrize("kind", ["link", "outside"])
def test_the_commit_step_commits_no_link_and_nothing_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    victim = _victim(tmp_path)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    brag_repo(tmp_path, workspace)
    (workspace / "reports").mkdir()
    if kind == "link":
        (workspace / "reports" / "2024Q2.md").symlink_to(victim)
        listed = "reports/2024Q2.md"
    else:
        listed = "../outside/victim.txt"
    env = {
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_REF": "refs/heads/main",
        "MINER_REPORTS": listed,
        "MINER_LABEL": "2024Q2",
    }
    assert action.main(["commit"], environ=env, now=SCHEDULED) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("::error::refused to write")
    head = subprocess.run(
        ["git", "-C", str(workspace), "log", "--format=%s"], capture_output=True, text=True
    ).stdout
    assert head.splitlines() == ["start"]
