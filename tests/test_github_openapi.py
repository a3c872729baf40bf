"""The replayed GitHub bodies against GitHub's own OpenAPI description.

``tests/data/openapi/*.json`` hold the response schemas of the endpoints miner calls,
extracted from the ``@octokit/openapi`` package by ``tests/data/openapi/extract.py``
(api.github.com, and GitHub Enterprise Server 3.17, the oldest release it ships).
Every body ``tests.github_fixtures`` builds must validate, except where the
description and GitHub's real answers disagree: those places are listed in
``gh.OPENAPI_DEVIATIONS`` with the reason the fixtures follow the recordings, and
the test checks that the description still says what that list claims it says.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests import github_fixtures as gh

DATA = Path(__file__).parent / "data" / "openapi"
AT = "2024-05-03T10:00:00Z"


def described(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    return doc


def validator(doc: dict[str, Any], operation: str) -> jsonschema.Draft202012Validator:
    schema = {"$defs": doc["$defs"], **doc["operations"][operation]}
    return jsonschema.Draft202012Validator(schema, format_checker=None)


def relaxed(doc: dict[str, Any]) -> dict[str, Any]:
    """The description with each listed deviation applied (and each checked to be there)."""
    doc = copy.deepcopy(doc)
    for where, field, change, _why in gh.OPENAPI_DEVIATIONS:
        schema = doc["operations"][where] if where in doc["operations"] else doc["$defs"][where]
        if change == "optional":
            assert field in schema["required"], f"{where}.{field} is no longer required"
            schema["required"].remove(field)
        else:
            assert change == "nullable"
            prop = schema["properties"][field]
            assert prop["type"] == "string", f"{where}.{field} is no longer a plain string"
            prop["type"] = ["string", "null"]
    return doc


def bodies() -> dict[str, Any]:
    """One body per operation, from the builders the collector tests replay."""
    pr = gh.search_issue_item(
        "acme", "widgets", 7, "Batch writes", "ada", AT, merged_at=AT, labels=("perf",), body=None
    )
    issue = gh.search_issue_item(
        "acme", "widgets", 3, "Slow", "ada", AT, is_pr=False, body="It is slow"
    )
    sha = gh._sha("commit:7a")
    bot = "github-actions[bot]"
    summary = "Contribution summary 2024Q2"
    opened = gh.created_issue("ada", "brag", 2, summary, "# Summary", bot, user_type="Bot")
    return {
        "GET /user": gh.authenticated_user("ada"),
        "GET /rate_limit": gh.rate_limit(4990, 1712142000, 29, 1712138460),
        "GET /search/issues": gh.search_page([pr, issue], 2),
        "GET /repos/{owner}/{repo}/pulls/{pull_number}": gh.pull_request(
            "acme", "widgets", 7, "Batch writes", "ada", AT, AT, 160, 30, 3, labels=("perf",)
        ),
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/files": [
            gh.pr_file("src/upload.py", 90, 30),
            gh.pr_file("docs/design/batching.md", 40, 0, status="added"),
            gh.pr_file("src/new.py", 5, 5, status="renamed", previous_filename="src/old.py"),
            gh.pr_file("assets/logo.png", 0, 0, status="added", patch=False),
        ],
        "GET /repos/{owner}/{repo}/issues/{issue_number}/timeline": [
            gh.timeline_committed("7a", "Batch writes", "Ada", "ada@example.com", AT),
            gh.timeline_review(401, "carol", "CHANGES_REQUESTED", AT, commit_id=sha),
            gh.timeline_review(402, "ada", "APPROVED", AT, body="Nice", commit_id=sha),
            gh.timeline_line_commented(
                [gh.review_comment(7001, "ada", "README.md", AT, "Spell it", review_id=402)]
            ),
            gh.timeline_commented(
                gh.issue_comment(9100, "acme", "widgets", 7, "bob", AT, "Thanks", on_pull=True)
            ),
        ],
        "GET /repos/{owner}/{repo}/issues/{issue_number}/comments": [
            gh.issue_comment(9001, "acme", "widgets", 11, "dave", AT, "Anyone?"),
            gh.issue_comment(9002, "acme", "widgets", 11, "ada", AT, "See the docs"),
        ],
        "GET /repos/{owner}/{repo}/releases": [
            gh.release("acme", "widgets", "v2.1.0", "ada", AT, name="Widgets 2.1"),
            gh.release("acme", "widgets", "v2.2.0", "ada", AT, draft=True),
        ],
        "GET /repos/{owner}/{repo}/issues": [
            opened,
            gh.created_issue("ada", "brag", 1, "Hi", "", "ada"),
        ],
        "POST /repos/{owner}/{repo}/issues": opened,
        "PATCH /repos/{owner}/{repo}/issues/{issue_number}": opened,
    }


@pytest.mark.parametrize("description", ["api.github.com", "ghes-3.17"])
@pytest.mark.parametrize("operation", list(bodies()))
def test_replayed_bodies_match_githubs_description(description: str, operation: str) -> None:
    doc = relaxed(described(description))
    errors = sorted(validator(doc, operation).iter_errors(bodies()[operation]), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


EVENTS = {  # a timeline event's own schema: the list's anyOf of 33 accepts nearly anything
    "committed": "timeline-committed-event",
    "reviewed": "timeline-reviewed-event",
    "line-commented": "timeline-line-commented-event",
    "commented": "timeline-comment-event",
}


@pytest.mark.parametrize("description", ["api.github.com", "ghes-3.17"])
def test_each_timeline_event_matches_the_schema_of_its_kind(description: str) -> None:
    doc = described(description)
    timeline = bodies()["GET /repos/{owner}/{repo}/issues/{issue_number}/timeline"]
    assert {e["event"] for e in timeline} == set(EVENTS)
    for event in timeline:
        schema = {"$defs": doc["$defs"], "$ref": f"#/$defs/{EVENTS[event['event']]}"}
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(event))
        assert not errors, (event["event"], [e.message for e in errors[:3]])
    comments = timeline[3]["comments"]
    schema = {"$defs": doc["$defs"], "$ref": "#/$defs/pull-request-review-comment"}
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(comments[0]))


def test_the_deviations_are_exactly_where_the_description_is_stricter_than_github() -> None:
    """Without the relaxations the search answer fails on both listed fields and nothing
    else: a deviation that stops being needed, or a new one, fails this test."""
    doc = described("api.github.com")
    errors = validator(doc, "GET /search/issues").iter_errors(bodies()["GET /search/issues"])
    found = {(tuple(e.absolute_path), e.validator) for e in errors}
    assert found == {((), "required"), (("items", 0, "body"), "type")}


def test_every_operation_the_collector_and_the_action_call_is_covered() -> None:
    assert set(bodies()) == set(described("api.github.com")["operations"])
