"""The HogQL corpus (tests/hogql_corpus) against the sandbox over HTTP: every query answers
what PostHog's tests and docs state, or PostHog's refusal; plus the SQL-insight templates of
PostHog's docs (``{filters}``) over the seeded events, counted independently with plain SQL on
the sandbox's DuckDB table (not through the HogQL engine)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Api
from envnb.sandbox import Sandbox
from hogql_corpus.cases import CASES, CLOCK, Case


@pytest.fixture(scope="module")
def qsb() -> Iterator[Sandbox]:
    with Sandbox(seed=0, clock=CLOCK, stream_delay=0.001) as sb:
        yield sb


@pytest.fixture(scope="module")
def qapi(qsb: Sandbox) -> Iterator[Api]:
    client = Api(qsb, prefix="projects")
    yield client
    client.http.close()


def run(api: Api, text: str, **fields: Any) -> Any:
    return api.post("query/", json={"query": {"kind": "HogQLQuery", "query": text, **fields}})


def test_corpus_is_large_and_sourced() -> None:
    assert len(CASES) >= 100
    assert all(case.source for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[f"{i}:{c.query[:50]}" for i, c in enumerate(CASES)])
def test_corpus_case(qapi: Api, case: Case) -> None:
    r = run(qapi, case.query, **case.body)
    body = r.json()
    if case.error is not None:
        assert r.status_code == 400, body
        code, detail = case.error
        assert (body["type"], body["code"]) == ("validation_error", code), body
        assert body["detail"].startswith(detail), body["detail"]
        return
    assert r.status_code == 200, body
    if case.rows is not None:
        assert body["results"] == case.rows
    if case.columns is not None:
        assert body["columns"] == case.columns
    if case.types is not None:
        assert body["types"] == case.types
    if case.hogql is not None:
        assert body["hogql"] == case.hogql


def _plain(sb: Sandbox, sql: str) -> list[tuple[Any, ...]]:
    """Plain DuckDB SQL on the sandbox's own events table (independent of the engine)."""
    db = sb.state.events  # the DuckDB database behind the query API
    with db.lock:
        return db.connection().execute(sql).fetchall()


# posthog.com/docs/product-analytics/sql: SQL insight templates take {filters}.
DOCS_TEMPLATES = [
    (
        "SELECT event, count() AS total FROM events WHERE {filters} GROUP BY event "
        "ORDER BY total DESC, event",
        "SELECT event, count(*) FROM events GROUP BY event ORDER BY 2 DESC, 1",
    ),
    (
        "SELECT toStartOfDay(timestamp) AS day, count() FROM events "
        "WHERE event = '$pageview' AND timestamp >= now() - INTERVAL 7 DAY AND {filters} "
        "GROUP BY day ORDER BY day",
        "SELECT date_trunc('day', timestamp), count(*) FROM events WHERE event = '$pageview' "
        "AND timestamp >= TIMESTAMPTZ '2026-03-02 12:00:00+00' - INTERVAL 7 DAY "
        "GROUP BY 1 ORDER BY 1",
    ),
    (
        "SELECT properties.$browser AS browser, count(DISTINCT person_id) AS users FROM events "
        "WHERE {filters} GROUP BY browser ORDER BY users DESC, browser",
        "SELECT json_extract_string(properties, '$.\"$browser\"'), count(DISTINCT person_id) "
        "FROM events GROUP BY 1 ORDER BY 2 DESC, 1",
    ),
    (
        "SELECT count() FROM events WHERE properties.amount != 29",
        "SELECT count(*) FROM events WHERE coalesce(json_extract_string(properties, "
        "'$.amount')::DOUBLE, -1) <> 29",
    ),
    (
        "SELECT sum(toFloat(properties.amount)) AS revenue FROM events "
        "WHERE event = 'purchase' AND {filters}",
        "SELECT sum(json_extract_string(properties, '$.amount')::DOUBLE) FROM events "
        "WHERE event = 'purchase'",
    ),
    (
        "SELECT concat(properties.$browser, ' / ', properties.plan) AS label, count() AS n "
        "FROM events WHERE event = 'signed_up' GROUP BY label ORDER BY n DESC, label LIMIT 5",
        "SELECT coalesce(json_extract_string(properties, '$.\"$browser\"'), '') || ' / ' || "
        "coalesce(json_extract_string(properties, '$.plan'), ''), count(*) FROM events "
        "WHERE event = 'signed_up' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5",
    ),
]


@pytest.mark.parametrize(("hogql", "plain"), DOCS_TEMPLATES)
def test_docs_templates_answer_the_independent_count(
    qsb: Sandbox, qapi: Api, hogql: str, plain: str
) -> None:
    r = run(qapi, hogql)
    assert r.status_code == 200, r.json()
    expected = [[_norm(v) for v in row] for row in _plain(qsb, plain)]
    assert r.json()["results"] == expected


def _norm(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return value


JUNK = [
    "select",
    "select 1 +",
    "select toDate(event) + 'x' from events",
    "select sum(event) from events",
    "select event from events group by distinct_id",
    "select [1, 2] + 1",
    "select toInt(1) from events join events",
    "select arrayMap(1, [1])",
    "select 'a' - 1",
    "select * from numbers(-1)",
    "select number from numbers(10) where number = 'x'",
    "select JSONExtractInt(event, 'a') from events",
    "select 1/0, intDiv(1, 0)",
    "select toDateTime('garbage') + interval 1 day",
    "select dateDiff('fortnight', now(), now())",
    "select x from (select 1 as y)",
    "select (select 1, 2)",
    "select e.nope.x from events e",
    "select properties.a.b.c[2]['x'] from events limit 1",
    "select count() over w from events",
    "with a as (select 1) select * from b",
    "select \u0000",
]
_DUCK_WORDS = (
    "Binder Error",
    "Catalog Error",
    "Conversion Error",
    "Parser Error",
    "DuckDB",
    "duckdb",
    "LINE 1:",
    "Candidate functions",
    "INTERNAL",
    "Traceback",
)


@pytest.mark.parametrize("text", JUNK)
def test_no_duckdb_text_reaches_a_response(qapi: Api, text: str) -> None:
    r = run(qapi, text)
    assert r.status_code in (200, 400)
    raw = r.text
    assert not any(word in raw for word in _DUCK_WORDS), raw
    if r.status_code == 400:
        assert r.json()["type"] == "validation_error"


def test_a_query_running_too_long_is_stopped(qapi: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from envnb.sandbox.query import hogql as engine

    monkeypatch.setattr(engine, "MAX_SECONDS", 0.05)  # PostHog's limit, scaled down
    r = run(qapi, "select sum(number * number % 7) from numbers(5000000000)")
    assert r.status_code == 400
    assert r.json()["detail"] == "Query exceeded the maximum execution time (0.05 s)"
    after = run(qapi, "select 1")  # the connection is usable again
    assert after.json()["results"] == [[1]]


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        # TQ:test_hogql_union_all_limits: each SELECT of a top-level UNION ALL gets its own
        # LIMIT 100 (the echo is checked in the corpus); here the rows it answers.
        ("SELECT event FROM events UNION ALL SELECT event FROM events", 100 + 100),
        ("SELECT event FROM events UNION ALL SELECT event FROM events LIMIT 5", 100 + 5),
    ],
)
def test_union_all_answers_one_limit_per_select(qapi: Api, text: str, rows: int) -> None:
    body = run(qapi, text).json()
    assert len(body["results"]) == rows
