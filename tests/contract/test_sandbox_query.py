"""The sandbox's query API over loopback HTTP: HogQLQuery and TrendsQuery in PostHog's shapes,
errors with PostHog's body, the 100-row default and LIMIT, async runs, scopes, and the
responder's chart answers. The clock is pinned, so every number below is the seeded data's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from conftest import Api
from envnb.sandbox import Sandbox

CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday, noon


@pytest.fixture(scope="module")
def qsb() -> Iterator[Sandbox]:
    with Sandbox(seed=0, clock=CLOCK, stream_delay=0.001) as sb:
        yield sb


@pytest.fixture
def qapi(qsb: Sandbox) -> Iterator[Api]:
    client = Api(qsb, prefix="projects")
    yield client
    client.http.close()


def hogql(api: Api, text: str, **body: Any) -> Any:
    return api.post("query/", json={"query": {"kind": "HogQLQuery", "query": text}, **body})


PAGEVIEWS_14D = {
    "kind": "TrendsQuery",
    "series": [{"kind": "EventsNode", "event": "$pageview", "math": "total"}],
    "interval": "day",
    "dateRange": {"date_from": "-14d", "date_to": None},
}


def test_hogql_answers_columns_type_pairs_rows_and_paging_fields(qapi: Api) -> None:
    r = hogql(qapi, "SELECT event, count() FROM events GROUP BY event ORDER BY count() DESC")
    assert r.status_code == 200
    body = r.json()
    assert body["columns"] == ["event", "count()"]
    assert body["types"] == [["event", "String"], ["count()", "UInt64"]]
    assert body["results"] == [
        ["$pageview", 42282],
        ["$autocapture", 20620],
        ["$pageleave", 10186],
        ["signed_up", 1280],
        ["purchase", 688],
        ["invite_sent", 465],
    ]
    assert (body["hasMore"], body["limit"], body["offset"]) == (False, 100, 0)
    # PostHog echoes the query as its printer prints it, LIMIT included (test_query.py:
    # test_hogql_query_filters_empty_true).
    assert body["hogql"] == (
        "SELECT event, count() FROM events GROUP BY event ORDER BY count() DESC LIMIT 100"
    )
    assert body["is_cached"] is False and body["cache_key"].startswith("cache_")


def test_hogql_properties_dates_and_star(qapi: Api) -> None:
    r = hogql(
        qapi,
        "SELECT properties.$browser AS browser, count() FROM events "
        "WHERE event = 'signed_up' GROUP BY browser ORDER BY browser",
    )
    assert r.json()["results"] == [
        ["Chrome", 703],
        ["Edge", 68],
        ["Firefox", 128],
        ["Opera", 37],
        ["Safari", 284],
        [None, 60],  # sign-ups of persons whose browser sends no $browser (NULLs last)
    ]
    assert r.json()["types"][0] == ["browser", "Nullable(String)"]
    weeks = hogql(
        qapi,
        "SELECT toStartOfWeek(timestamp) AS week, count() FROM events "
        "WHERE event = 'purchase' GROUP BY week ORDER BY week LIMIT 3",
    ).json()
    assert weeks["types"] == [["week", "Date"], ["count()", "UInt64"]]
    assert weeks["results"] == [["2025-11-30", 7], ["2025-12-07", 22], ["2025-12-14", 33]]
    days = hogql(
        qapi,
        "SELECT toStartOfDay(timestamp) AS day, count() FROM events WHERE event = '$pageview' "
        "AND timestamp >= now() - INTERVAL 2 DAY GROUP BY day ORDER BY day",
    ).json()
    assert days["types"][0] == ["day", "DateTime64(6, 'UTC')"]
    assert days["results"] == [
        ["2026-02-28T00:00:00Z", 256],
        ["2026-03-01T00:00:00Z", 496],
        ["2026-03-02T00:00:00Z", 261],
    ]
    star = hogql(qapi, "SELECT * FROM events ORDER BY timestamp LIMIT 1").json()
    # PostHog's events columns, in PostHog's order (posthog/hogql/database/schema/events.py).
    assert star["columns"] == [
        "uuid",
        "event",
        "properties",
        "timestamp",
        "distinct_id",
        "elements_chain",
        "created_at",
        "$session_id",
        "$window_id",
        "person_id",
    ]
    assert star["results"][0][0] == "019ae190-95e5-7bbc-9921-a824a824f997"
    assert star["results"][0][3] == "2025-12-03T00:15:40.516650Z"
    missing = hogql(qapi, "SELECT properties.nope FROM events LIMIT 1").json()
    assert missing["results"] == [[None]]


def test_default_100_rows_says_has_more_and_limit_is_capped_at_50000(qapi: Api) -> None:
    default = hogql(qapi, "SELECT uuid FROM events").json()
    assert len(default["results"]) == 100 and default["hasMore"] is True
    explicit = hogql(qapi, "SELECT uuid FROM events LIMIT 500").json()
    assert len(explicit["results"]) == 500 and "hasMore" not in explicit
    capped = hogql(qapi, "SELECT uuid FROM events LIMIT 100000").json()
    assert len(capped["results"]) == 50000


@pytest.mark.parametrize(
    ("text", "code", "detail"),
    [
        ("SELECT nope FROM events", "hogql_query_error", "Unable to resolve field: nope"),
        ("SELECT * FROM nope", "hogql_query_error", "Unknown table `nope`."),
        # PostHog's own parser's messages (hogql-parser), as PostHog answers them.
        (
            "SELECT count( FROM events",
            "hogql_syntax_error",
            "no viable alternative at input 'SELECT count( FROM events'",
        ),
        ("DELETE FROM events", "hogql_syntax_error", "mismatched input 'DELETE' expecting"),
        ("SELECT 1; SELECT 2", "hogql_syntax_error", "mismatched input 'SELECT' expecting <EOF>"),
        (
            "SELECT sumMap(event) FROM events",
            "hogql_query_error",
            "Unsupported function call 'sumMap(...)'",
        ),
    ],
)
def test_hogql_it_cannot_run_is_a_400_with_posthogs_body(
    qapi: Api, text: str, code: str, detail: str
) -> None:
    r = hogql(qapi, text)
    assert r.status_code == 400
    body = r.json()
    assert (body["type"], body["code"], body["attr"]) == ("validation_error", code, None)
    assert body["detail"].startswith(detail)


def test_request_validation(qapi: Api) -> None:
    missing = qapi.post("query/", json={})
    assert missing.status_code == 400 and missing.json()["attr"] == "query"
    assert missing.json()["code"] == "required"
    kind = qapi.post("query/", json={"query": {"kind": "SessionsTimelineQuery"}})
    assert kind.status_code == 400 and kind.json()["attr"] == "query__kind"
    refresh = qapi.post("query/", json={"query": PAGEVIEWS_14D, "refresh": "sometimes"})
    assert refresh.json() == {
        "type": "validation_error",
        "code": "invalid_choice",
        "detail": '"sometimes" is not a valid choice.',
        "attr": "refresh",
    }
    interval = qapi.post("query/", json={"query": {**PAGEVIEWS_14D, "interval": "fortnight"}})
    assert interval.status_code == 400 and interval.json()["attr"] == "query__interval"


def _without_links(body: dict[str, Any]) -> dict[str, Any]:
    """The body without pydantic's "For further information visit" lines (their URL names the
    pydantic version), having checked there is one per error."""
    lines = body["detail"].split("\n")
    links = [n for n in lines if n.startswith("    For further information visit https://")]
    assert len(links) == sum("[type=" in n for n in lines) > 0
    return {**body, "detail": "\n".join(n for n in lines if n not in links)}


def test_a_top_level_field_query_request_does_not_have_is_refused(qapi: Api) -> None:
    # PostHog's QueryRequest forbids extra fields (additionalProperties: false in its document
    # at 1404d6c); its PydanticModelMixin.get_model raises DRF's ParseError with pydantic's
    # text, which drf-exceptions-hog answers as invalid_request / parse_error, without attr.
    r = hogql(qapi, "SELECT 1", refresh="blocking", foo=1)
    assert r.status_code == 400
    assert _without_links(r.json()) == {
        "type": "invalid_request",
        "code": "parse_error",
        "detail": "JSON parse error - 1 validation error for QueryRequest\nfoo\n"
        "  Extra inputs are not permitted [type=extra_forbidden, input_value=1, input_type=int]",
        "attr": None,
    }
    two = hogql(qapi, "SELECT 1", limit=5, kind="HogQLQuery")
    assert two.status_code == 400
    assert _without_links(two.json())["detail"] == (
        "JSON parse error - 2 validation errors for QueryRequest\n"
        "limit\n  Extra inputs are not permitted [type=extra_forbidden, input_value=5, "
        "input_type=int]\n"
        "kind\n  Extra inputs are not permitted [type=extra_forbidden, "
        "input_value='HogQLQuery', input_type=str]"
    )
    # every field PostHog's QueryRequest has is still accepted
    known = hogql(
        qapi,
        "SELECT 1",
        refresh="blocking",
        name="n",
        client_query_id=None,
        filters_override=None,
        variables_override=None,
        limit_context=None,
        **{"async": False},
    )
    assert known.status_code == 200, known.text


def test_trends_daily_series_shape_and_numbers(qapi: Api) -> None:
    r = qapi.post("query/", json={"query": PAGEVIEWS_14D})
    assert r.status_code == 200
    (series,) = r.json()["results"]
    assert series["data"] == [
        806,
        765,
        726,
        794,
        726,
        332,
        409,
        761,
        799,
        897,
        880,
        713,
        395,
        496,
        261,
    ]
    assert series["count"] == 9760
    assert series["days"][0] == "2026-02-16" and series["days"][-1] == "2026-03-02"
    assert series["labels"][0] == "16-Feb-2026" and len(series["labels"]) == 15
    assert series["label"] == "$pageview"
    assert series["action"]["id"] == "$pageview" and series["action"]["math"] == "total"
    assert "breakdown_value" not in series


def test_trends_weekly_breakdown_keeps_the_top_values_and_groups_the_rest(qapi: Api) -> None:
    query = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "signed_up"}],
        "interval": "week",
        "dateRange": {"date_from": "-28d"},
        "breakdownFilter": {
            "breakdown": "$browser",
            "breakdown_type": "event",
            "breakdown_limit": 2,
        },
    }
    results = qapi.post("query/", json={"query": query}).json()["results"]
    assert [(s["breakdown_value"], s["data"]) for s in results] == [
        ("Chrome", [65, 80, 83, 69, 17]),
        ("Safari", [28, 35, 31, 35, 4]),
        # Firefox, no $browser, Edge and Opera
        ("$$_posthog_breakdown_other_$$", [30, 30, 36, 39, 12]),
    ]
    assert results[0]["days"] == [
        "2026-02-01",
        "2026-02-08",
        "2026-02-15",
        "2026-02-22",
        "2026-03-01",
    ]


def test_trends_hourly_unique_users_and_aggregated_sum(qapi: Api) -> None:
    hourly = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "purchase", "math": "dau"}],
        "interval": "hour",
        "dateRange": {"date_from": "-6h"},
    }
    (series,) = qapi.post("query/", json={"query": hourly}).json()["results"]
    assert series["data"] == [0, 0, 1, 0, 2, 0, 0]  # 3 purchases by 2 persons at 10:00
    assert series["days"][0] == "2026-03-02 06:00:00"
    assert series["labels"][-1] == "2-Mar-2026 12:00"
    bold = {
        "kind": "TrendsQuery",
        "series": [
            {"kind": "EventsNode", "event": "purchase", "math": "sum", "math_property": "amount"}
        ],
        "interval": "month",
        "dateRange": {"date_from": "-3m"},
        "trendsFilter": {"display": "BoldNumber"},
    }
    (total,) = qapi.post("query/", json={"query": bold}).json()["results"]
    assert total["aggregated_value"] == 40838 and total["data"] == []


def test_async_run_answers_query_status_then_results(qapi: Api) -> None:
    started = qapi.post("query/", json={"query": PAGEVIEWS_14D, "refresh": "async"})
    assert started.status_code == 202
    status = started.json()["query_status"]
    assert status["complete"] is False and status["query_async"] is True
    path = f"query/{status['id']}/"
    first = qapi.get(path)
    assert first.status_code == 202 and first.json()["query_status"]["complete"] is False
    done = qapi.get(path)
    assert done.status_code == 200
    finished = done.json()["query_status"]
    assert finished["complete"] is True and finished["error"] is False
    assert finished["results"]["results"][0]["count"] == 9760
    cancelled = qapi.request("DELETE", path)
    assert cancelled.status_code == 200
    gone = qapi.get(path)
    assert gone.status_code == 404
    assert gone.json()["detail"] == f"Query {status['id']} not found for team 1"


def test_async_run_of_bad_hogql_fails_with_its_message(qapi: Api) -> None:
    started = hogql(qapi, "SELECT nope FROM events", refresh="force_async")
    run = started.json()["query_status"]["id"]
    qapi.get(f"query/{run}/")
    failed = qapi.get(f"query/{run}/")
    assert failed.status_code == 400
    status = failed.json()["query_status"]
    assert status["error"] is True and status["error_message"] == "Unable to resolve field: nope"


def test_both_prefixes_and_the_query_read_scope(qsb: Sandbox) -> None:
    envs = Api(qsb, prefix="environments")
    reader = Api(qsb, key=qsb.create_key(scopes=["query:read"]))
    chat_only = Api(qsb, key=qsb.create_key(scopes=["conversation:read"]))
    try:
        assert hogql(envs, "SELECT 1").json()["results"] == [[1]]
        assert hogql(reader, "SELECT 1").status_code == 200
        denied = hogql(chat_only, "SELECT 1")
        assert denied.status_code == 403
        assert denied.json()["detail"] == "API key missing required scope 'query:read'"
    finally:
        for api in (envs, reader, chat_only):
            api.http.close()


def test_chart_questions_answer_with_queries_the_endpoint_runs(qapi: Api) -> None:
    response, frames = qapi.chat("show daily pageviews for the last 14 days")
    assert response.status_code == 200
    (viz,) = [f.data for f in frames if f.event == "message" and f.data["type"] == "ai/viz"]
    assert viz["query"] == "Daily pageviews, last 14 days"
    assert viz["answer"]["kind"] == "TrendsQuery" and viz["id"]
    (series,) = qapi.post("query/", json={"query": viz["answer"]}).json()["results"]
    assert series["count"] == 9760
    _, frames = qapi.chat("product overview")
    (multi,) = [f.data for f in frames if f.event == "message" and f.data["type"] == "ai/multi_viz"]
    assert [v["query"] for v in multi["visualizations"]] == [
        "Daily pageviews, last 30 days",
        "Weekly sign-ups, last 90 days",
    ]
    _, frames = qapi.chat("top pages")
    (pages,) = [f.data for f in frames if f.event == "message" and f.data["type"] == "ai/viz"]
    assert pages["answer"]["kind"] == "HogQLQuery"
    top = qapi.post("query/", json={"query": pages["answer"]}).json()
    assert top["columns"] == ["page", "pageviews", "visitors"] and len(top["results"]) == 7


def test_events_are_deterministic_and_runs_are_counted() -> None:
    with Sandbox(seed=0, clock=CLOCK) as a, Sandbox(seed=0, clock=CLOCK) as b:
        assert a.stats()["queries"] == 0
        first = [
            hogql(Api(sb), "SELECT uuid, event, timestamp FROM events ORDER BY timestamp LIMIT 5")
            for sb in (a, b)
        ]
        assert first[0].json()["results"] == first[1].json()["results"]
        assert a.stats()["queries"] == 1
