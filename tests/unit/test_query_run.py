"""The query run's decisions without a server: bodies, async polling, failures, deadline."""

from __future__ import annotations

import pytest

from envnb.errors import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    RequestValidationError,
)
from envnb.query.results import QueryResult
from envnb.query.run import Poll, QueryRun

HOGQL_ANSWER = {"columns": ["n"], "types": [["n", "UInt64"]], "results": [[3]]}


def test_body_and_blocking_answer() -> None:
    run = QueryRun("SELECT count() FROM events")
    assert run.body() == {"query": {"kind": "HogQLQuery", "query": "SELECT count() FROM events"}}
    result = run.on_answer(HOGQL_ANSWER)
    assert isinstance(result, QueryResult) and result.df["n"].tolist() == [3]
    forced = QueryRun({"kind": "TrendsQuery", "series": []}, refresh="force_blocking")
    assert forced.body()["refresh"] == "force_blocking"
    with pytest.raises(RequestValidationError):
        QueryRun("SELECT 1", refresh="later")


def test_body_sends_only_fields_posthogs_query_request_has() -> None:
    # PostHog refuses any other top-level field (QueryRequest forbids extras): 400 parse_error.
    query_request = {
        "async",
        "client_query_id",
        "filters_override",
        "limit_context",
        "name",
        "query",
        "refresh",
        "variables_override",
    }
    wrapped = {"kind": "InsightVizNode", "source": {"kind": "TrendsQuery", "series": []}}
    for query in ("SELECT 1", {"kind": "TrendsQuery", "series": []}, wrapped):
        for refresh in (None, "async", "force_blocking"):
            body = QueryRun(query, refresh=refresh).body()
            assert set(body) <= query_request, body


def test_async_run_polls_with_growing_waits_then_reads_results() -> None:
    run = QueryRun("SELECT 1", refresh="async")
    pending = {"query_status": {"id": "q1", "complete": False}}
    steps = [run.on_answer(pending) for _ in range(6)]
    assert steps == [
        Poll("q1", 0.1),
        Poll("q1", 0.2),
        Poll("q1", 0.4),
        Poll("q1", 0.8),
        Poll("q1", 1.0),
        Poll("q1", 1.0),
    ]
    done = run.on_answer({"query_status": {"id": "q1", "complete": True, "results": HOGQL_ANSWER}})
    assert isinstance(done, QueryResult) and done.results == [[3]]


def test_deadline_and_malformed_answers() -> None:
    run = QueryRun("SELECT 1", deadline=1.0)
    pending = {"query_status": {"id": "q1", "complete": False}}
    assert [run.on_answer(pending) for _ in range(3)] == [
        Poll("q1", 0.1),
        Poll("q1", 0.2),
        Poll("q1", 0.4),
    ]
    with pytest.raises(APITimeoutError, match="still running after 1 s"):
        run.on_answer(pending)
    for bad in ([], {"query_status": {"complete": False}}, {"query_status": {"complete": True}}):
        with pytest.raises(APIConnectionError):
            QueryRun("SELECT 1").on_answer(bad)


def test_failed_status_says_why() -> None:
    body = {
        "query_status": {"id": "q1", "error": True, "error_message": "Unable to resolve field: x"}
    }
    raw = BadRequestError(status=400, body=body)
    err = QueryRun("SELECT x").on_failed_status(raw)
    assert isinstance(err, BadRequestError)
    assert (
        err.detail == "Unable to resolve field: x" and str(err) == "400: Unable to resolve field: x"
    )
    plain = BadRequestError(status=400, detail="nope", body={"detail": "nope"})
    assert QueryRun("SELECT x").on_failed_status(plain) is plain
