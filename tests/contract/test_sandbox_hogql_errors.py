"""HogQL errors as PostHog's query API answers them now (contract §14): a HogQLQuery's own
parse or resolution error names its tables in ``detail`` and carries ``extra.hogql_metadata``
(PostHog: posthog/api/query.py `create`, ``enrich_hogql_validation_error`` in
posthog/hogql/metadata.py; positions as ``Visitor.visit`` attaches them, posthog/hogql/visitor.py).
Offsets are counted by hand in the query texts below."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from envnb.sandbox import Sandbox


def _post(sb: Sandbox, query: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{sb.url}/api/projects/{sb.project_id}/query/",
        headers={"Authorization": f"Bearer {sb.api_key}"},
        json={"query": query},
        timeout=30,
    )


def _hogql(sb: Sandbox, text: str) -> dict[str, Any]:
    answer = _post(sb, {"kind": "HogQLQuery", "query": text})
    assert answer.status_code == 400, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _metadata(text: str, errors: list[dict[str, Any]], tables: list[str]) -> dict[str, Any]:
    return {
        "hogql_metadata": {
            "errors": errors,
            "isValid": False,
            "notices": [],
            "query": text,
            "table_names": tables,
            "warnings": [],
        }
    }


def test_an_unresolved_field_points_at_the_field_and_names_the_table(sandbox: Sandbox) -> None:
    text = "SELECT event,\n  foo FROM events"  # `foo`: offsets 16..19 (line 2, column 3)
    assert _hogql(sandbox, text) == {
        "type": "validation_error",
        "code": "hogql_query_error",
        "detail": "Unable to resolve field: foo\nTables referenced: events",
        "attr": None,
        "extra": _metadata(
            text, [{"message": "Unable to resolve field: foo", "start": 16, "end": 19}], ["events"]
        ),
    }


def test_an_unknown_table_points_at_its_join(sandbox: Sandbox) -> None:
    text = "SELECT event FROM events e JOIN eventz x ON 1"  # `eventz x`: 32..40
    body = _hogql(sandbox, text)
    assert body["detail"] == "Unknown table `eventz`.\nTables referenced: events, eventz"
    assert body["extra"] == _metadata(
        text, [{"message": "Unknown table `eventz`.", "start": 32, "end": 40}], ["events", "eventz"]
    )


def test_a_cte_is_not_a_table_referenced(sandbox: Sandbox) -> None:
    text = "WITH x AS (SELECT 1) SELECT nope FROM x"  # `nope`: 28..32
    body = _hogql(sandbox, text)
    assert body["detail"] == "Unable to resolve field: nope"  # no "Tables referenced" line
    assert body["extra"]["hogql_metadata"]["table_names"] == []
    assert body["extra"]["hogql_metadata"]["errors"] == [
        {"message": "Unable to resolve field: nope", "start": 28, "end": 32}
    ]


def test_a_syntax_error_has_its_place_and_no_tables(sandbox: Sandbox) -> None:
    text = "SELECT event FROM events WHERE"  # the parser stops at the end, offset 30
    message = "no viable alternative at input 'SELECT event FROM events WHERE'"
    assert _hogql(sandbox, text) == {
        "type": "validation_error",
        "code": "hogql_syntax_error",
        "detail": message,
        "attr": None,
        "extra": _metadata(text, [{"message": message, "start": 30, "end": 30}], []),
    }


def test_a_function_error_points_at_the_call(sandbox: Sandbox) -> None:
    text = "SELECT count(1, 2, 3) FROM events"  # the call: 7..21
    body = _hogql(sandbox, text)
    message = "Function 'count' expects at most 1 argument, found 3"
    assert body["detail"] == f"{message}\nTables referenced: events"
    assert body["extra"]["hogql_metadata"]["errors"] == [
        {"message": message, "start": 7, "end": 21}
    ]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        # PostHog enriches only a HogQLQuery sent as the query itself (`isinstance(query,
        # HogQLQuery)`), not one inside a wrapper.
        (
            {
                "kind": "DataVisualizationNode",
                "source": {"kind": "HogQLQuery", "query": "SELECT foo"},
            },
            "Unable to resolve field: foo",
        ),
        # An error of the database that runs the query (PostHog: ClickHouse's), not of HogQL.
        (
            {"kind": "HogQLQuery", "query": "SELECT toInt('x') + [1] FROM events"},
            "Illegal types of arguments in this query: a function or operator was given values "
            "of a type it does not take",
        ),
    ],
)
def test_no_metadata_where_posthog_adds_none(
    sandbox: Sandbox, query: dict[str, Any], detail: str
) -> None:
    answer = _post(sandbox, query)
    assert answer.status_code == 400
    assert answer.json() == {
        "type": "validation_error",
        "code": "hogql_query_error",
        "detail": detail,
        "attr": None,
    }
