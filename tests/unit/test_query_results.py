"""QueryResult frames (HogQL typing, Trends tidying), query bodies, ``.queries`` extraction from
PostHog AI's message types, HogQL literal quoting and the pinned cell's code — no server."""

from __future__ import annotations

import ast
import datetime as dt
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from envnb.conversations.models import parse_message
from envnb.errors import RequestValidationError
from envnb.query.hogql import literal, quote_string, substitute
from envnb.query.pin import conversation_link, pin_code, variable_name
from envnb.query.results import (
    QueryResult,
    TruncatedResultWarning,
    Visualization,
    check_refresh,
    query_body,
    visualizations,
)

HOGQL = {"kind": "HogQLQuery", "query": "SELECT ..."}
TRENDS = {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]}
TRENDS_COLUMNS = ["date", "series", "series_index", "math", "breakdown_value", "value"]
TRENDS_DTYPES = ["datetime64[us, UTC]", "string", "Int64", "string", "string", "Float64"]


# ---- HogQL typing ----------------------------------------------------------------------------


def test_hogql_columns_are_typed_from_the_type_pairs() -> None:
    raw = {
        "columns": ["ts", "day", "n", "maybe", "ratio", "name", "id", "flag", "tags"],
        "types": [
            ["ts", "DateTime64(6, 'UTC')"],
            ["day", "Date"],
            ["n", "UInt64"],
            ["maybe", "Nullable(Int64)"],
            ["ratio", "Nullable(Float64)"],
            ["name", "LowCardinality(Nullable(String))"],
            ["id", "UUID"],
            ["flag", "Bool"],
            ["tags", "Array(String)"],
        ],
        "results": [
            ["2026-03-01T10:00:00Z", "2026-03-01", 7, None, 0.5, "a", "0f0e", True, ["x"]],
            [
                "2026-03-02T11:30:00.250000Z",
                "2026-03-02",
                "42",
                3,
                None,
                None,
                "1a",
                False,
                [],
            ],
        ],
    }
    df = QueryResult(HOGQL, raw).df
    assert list(df.columns) == ["ts", "day", "n", "maybe", "ratio", "name", "id", "flag", "tags"]
    assert [str(t) for t in df.dtypes] == [
        "datetime64[us, UTC]",
        "datetime64[us]",
        "Int64",
        "Int64",
        "Float64",
        "string",
        "string",
        "boolean",
        "object",
    ]
    assert df["ts"][1] == pd.Timestamp("2026-03-02 11:30:00.25", tz="UTC")
    assert df["maybe"].isna().tolist() == [True, False]
    assert df["name"].isna().tolist() == [False, True]
    assert df["day"][0] == pd.Timestamp("2026-03-01") and df["n"].tolist() == [7, 42]
    huge = {"columns": ["n"], "types": [["n", "UInt64"]], "results": [[2**64 - 1]]}
    assert str(QueryResult(HOGQL, huge).df["n"].dtype) == "UInt64"


def test_empty_hogql_result_keeps_columns_and_dtypes() -> None:
    raw = {
        "columns": ["day", "n"],
        "types": [["day", "DateTime('UTC')"], ["n", "UInt64"]],
        "results": [],
    }
    result = QueryResult(HOGQL, raw)
    assert list(result.df.columns) == ["day", "n"]
    assert [str(t) for t in result.df.dtypes] == ["datetime64[us, UTC]", "Int64"]
    assert result.columns == ["day", "n"] and result.results == []


def test_has_more_is_said_not_hidden() -> None:
    raw = {"columns": ["x"], "types": [["x", "String"]], "results": [["a"]] * 100}
    raw |= {"hasMore": True, "limit": 100, "offset": 0, "hogql": "SELECT x FROM events LIMIT 100"}
    result = QueryResult(HOGQL, raw)
    assert result.has_more is True and result.df.attrs["has_more"] is True
    assert "more rows on the server" in repr(result)
    assert result.hogql == "SELECT x FROM events LIMIT 100"
    with pytest.warns(TruncatedResultWarning, match="only the first 100 rows"):
        result.warn_if_truncated()
    complete = QueryResult(HOGQL, {**raw, "hasMore": False})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        complete.warn_if_truncated()


def test_df_is_a_copy() -> None:
    result = QueryResult(HOGQL, {"columns": ["x"], "types": [["x", "Int64"]], "results": [[1]]})
    frame = result.df
    frame.loc[0, "x"] = 99
    assert result.df["x"].tolist() == [1]


# ---- Trends tidying --------------------------------------------------------------------------


def _series(label: str, data: list[float], days: list[str], **extra: object) -> dict[str, object]:
    action = {"id": "$pageview", "name": "$pageview", "custom_name": extra.pop("custom", None)}
    return {"label": label, "data": data, "days": days, "action": action, **extra}


def test_trends_breakdown_is_one_row_per_series_breakdown_and_bucket() -> None:
    days = ["2026-02-22", "2026-03-01"]  # weekly buckets
    raw = {
        "results": [
            _series("Chrome", [5, 6], days, breakdown_value="Chrome"),
            _series("x", [1, 0], days, breakdown_value="$$_posthog_breakdown_other_$$"),
            _series("y", [0, 2], days, breakdown_value="$$_posthog_breakdown_null_$$"),
        ]
    }
    df = QueryResult(TRENDS, raw).df
    assert list(df.columns) == TRENDS_COLUMNS
    assert [str(t) for t in df.dtypes] == TRENDS_DTYPES
    assert df.drop(columns="series_index").to_dict("list") == {
        "date": [pd.Timestamp(d, tz="UTC") for d in days * 3],
        "series": ["$pageview"] * 6,
        "math": ["total"] * 6,
        "breakdown_value": ["Chrome", "Chrome", "Other", "Other", "None", "None"],
        "value": [5, 6, 1, 0, 0, 2],
    }


def test_trends_hourly_buckets_and_series_names() -> None:
    hours = ["2026-03-02 10:00:00", "2026-03-02 11:00:00"]
    raw = {
        "results": [
            _series("$pageview", [3, 4], hours),
            _series("$pageview", [1.5, 2], hours, custom="Visitors"),
        ]
    }
    df = QueryResult(TRENDS, raw).df
    assert df["date"].tolist() == [pd.Timestamp(h, tz="UTC") for h in hours * 2]
    assert df["series"].tolist() == ["$pageview", "$pageview", "Visitors", "Visitors"]
    assert df["breakdown_value"].isna().all()
    assert df["value"].tolist() == [3, 4, 1.5, 2]


def test_trends_aggregated_and_empty() -> None:
    bold = {"results": [{"label": "purchase", "aggregated_value": 55690, "data": [], "days": []}]}
    df = QueryResult(TRENDS, bold).df
    assert df["value"].tolist() == [55690] and df["date"].isna().all()
    assert df["series"].tolist() == ["purchase"]
    empty = QueryResult(TRENDS, {"results": []}).df
    assert list(empty.columns) == TRENDS_COLUMNS
    assert [str(t) for t in empty.dtypes] == TRENDS_DTYPES
    assert len(empty) == 0


def test_other_kinds_stay_readable() -> None:
    funnel = {"results": [{"name": "$pageview", "count": 10}, {"name": "signed_up", "count": 2}]}
    df = QueryResult({"kind": "SessionsTimelineQuery"}, funnel).df
    assert df.to_dict("list") == {"name": ["$pageview", "signed_up"], "count": [10, 2]}


# ---- query bodies ----------------------------------------------------------------------------


def test_query_bodies() -> None:
    assert query_body("SELECT 1") == {"kind": "HogQLQuery", "query": "SELECT 1"}
    assistant = {"kind": "AssistantTrendsQuery", "series": []}
    assert query_body(assistant) == {"kind": "TrendsQuery", "series": []}
    assert assistant["kind"] == "AssistantTrendsQuery"  # the caller's object is not changed
    assert query_body({"kind": "AssistantHogQLQuery", "query": "SELECT 2"})["kind"] == "HogQLQuery"
    assert query_body({"kind": "FunnelsQuery", "x": 1}) == {"kind": "FunnelsQuery", "x": 1}
    for bad in ("  ", {"query": "SELECT 1"}, 42):
        with pytest.raises(RequestValidationError) as info:
            query_body(bad)
        assert info.value.attr == "query"
    assert check_refresh(None) is None and check_refresh("async") == "async"
    with pytest.raises(RequestValidationError) as info:
        check_refresh("now")
    assert info.value.attr == "refresh" and "blocking" in (info.value.allowed or ())


# ---- .queries from each message type ---------------------------------------------------------


def test_queries_from_viz_multi_viz_and_artifact_messages() -> None:
    messages = [
        parse_message({"type": "human", "content": "charts please", "id": "h1"}),
        parse_message({"type": "ai/viz", "id": "v1", "query": "Daily pageviews", "answer": TRENDS}),
        parse_message(
            {
                "type": "ai/multi_viz",
                "id": "m1",
                "visualizations": [
                    {"query": "Top pages", "answer": HOGQL},
                    {"query": "Broken", "answer": "not a query"},
                    {"query": "Sign-ups", "answer": {"kind": "AssistantTrendsQuery", "series": []}},
                ],
            }
        ),
        parse_message(
            {
                "type": "ai/artifact",
                "id": "a1",
                "artifact_id": "art",
                "source": "artifact",
                "content": {"content_type": "visualization", "query": HOGQL, "name": "Saved"},
            }
        ),
        {"type": "ai/artifact", "id": "a2", "content": {"content_type": "notebook"}},
        {"type": "ai/viz", "id": "v2", "query": "", "answer": HOGQL},
        {"type": "ai", "content": "done", "id": "x"},
    ]
    found = visualizations(messages)
    assert [(v.title, v.query["kind"], v.message_id) for v in found] == [
        ("Daily pageviews", "TrendsQuery", "v1"),
        ("Top pages", "HogQLQuery", "m1"),
        ("Sign-ups", "AssistantTrendsQuery", "m1"),
        ("Saved", "HogQLQuery", "a1"),
        ("HogQLQuery", "HogQLQuery", "v2"),
    ]
    assert found[2].body()["kind"] == "TrendsQuery"


# ---- HogQL literals and {var} ----------------------------------------------------------------


def test_literals() -> None:
    assert literal("it's") == "'it\\'s'"
    assert literal("a\\b\nc") == "'a\\\\b\\nc'"
    assert literal(None) == "NULL" and literal(True) == "true" and literal(3) == "3"
    assert literal(2.5) == "2.5" and literal(Decimal("1.10")) == "1.10"
    assert literal(dt.date(2026, 3, 1)) == "toDate('2026-03-01')"
    # An aware moment names its zone: PostHog reads a zone-less string in the project's
    # timezone (PH:posthog/hogql/escape_sql.py writes project-zone text for that reason).
    moment = dt.datetime(2026, 3, 1, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert literal(moment) == "toDateTime('2026-03-01 12:00:00', 'UTC')"
    # A naive one means the project's own timezone, as PostHog reads it.
    assert literal(dt.datetime(2026, 3, 1, 13, 0)) == "toDateTime('2026-03-01 13:00:00')"
    assert literal(["a", "b'"]) == "('a', 'b\\'')"
    for bad in (float("nan"), float("-inf"), Decimal("NaN"), Decimal("Infinity"), [], object()):
        with pytest.raises(RequestValidationError):
            literal(bad, "x")


def test_a_negative_number_cannot_start_a_comment() -> None:
    # "10-{n}" with n = -5 would paste "10--5": "--" starts a HogQL comment.
    text = substitute("SELECT 10-{n} AS x, {ev} AS e", {"n": -5, "ev": "$pageview"})
    assert text == "SELECT 10-(-5) AS x, '$pageview' AS e"
    assert literal(-2.5) == "(-2.5)" and literal(Decimal("-1.10")) == "(-1.10)"
    assert literal(-0.0) == "(-0.0)" and literal([-1, 2]) == "((-1), 2)"
    assert substitute("SELECT 1-{n}", {"n": np.int64(-3)}) == "SELECT 1-(-3)"


def test_pandas_and_numpy_values() -> None:
    assert literal(np.bool_(True)) == "true" and literal(np.bool_(False)) == "false"
    assert literal(np.int64(7)) == "7" and literal(np.int32(-7)) == "(-7)"
    assert literal(np.float64(2.5)) == "2.5" and literal(np.float32(0.5)) == "0.5"
    stamp = pd.Timestamp("2026-11-10 12:00", tz="America/New_York")
    assert literal(stamp) == "toDateTime('2026-11-10 17:00:00', 'UTC')"
    for missing in (pd.NaT, np.nan, np.float64("nan"), float("inf"), np.datetime64("NaT")):
        with pytest.raises(RequestValidationError) as info:
            substitute("SELECT {when}", {"when": missing})
        assert info.value.attr == "when" and "{when}" in str(info.value)


def test_a_value_with_a_quote_cannot_change_the_query() -> None:
    evil = "x' OR 1=1 --"
    text = substitute("SELECT count() FROM events WHERE event = {name}", {"name": evil})
    assert text == "SELECT count() FROM events WHERE event = 'x\\' OR 1=1 --'"
    # the whole value is one string literal: the text after it is exactly what was written
    prefix = "SELECT count() FROM events WHERE event = "
    assert text.startswith(prefix) and quote_string(evil) == text[len(prefix) :]
    backslash = substitute("SELECT {v}", {"v": "\\' OR 1=1 --"})
    assert backslash == "SELECT '\\\\\\' OR 1=1 --'"


def test_substitution_rules() -> None:
    names = {"n": 5, "event": "$pageview"}
    text = "SELECT '{n}' -- {n}\nFROM events WHERE event = {event} LIMIT { n }"
    with pytest.raises(RequestValidationError, match="inside quotes") as info:
        substitute(text, names)
    assert info.value.attr == "n"
    fine = substitute("SELECT 1 -- {n}\nFROM events WHERE event = {event} LIMIT { n }", names)
    assert fine == "SELECT 1 -- {n}\nFROM events WHERE event = '$pageview' LIMIT 5"
    assert substitute("SELECT map('a', 1){'x'}", {}) == "SELECT map('a', 1){'x'}"
    with pytest.raises(RequestValidationError, match="no notebook variable named 'missing'"):
        substitute("SELECT {missing}", {})


# ---- the pinned cell -------------------------------------------------------------------------


def test_pinned_code_reruns_the_queries_with_the_question_as_a_comment() -> None:
    charts = [
        Visualization("Daily pageviews, last 14 days", TRENDS, "v1"),
        Visualization(
            "Daily pageviews, last 14 days", {"kind": "AssistantHogQLQuery", "query": "SELECT 1"}
        ),
    ]
    link = conversation_link("https://us.posthog.com/", 7, "c-1")
    assert link == "https://us.posthog.com/project/7/max?chat=c-1"
    code = pin_code("chart it\u2028please\r\nimport os; os.remove('x')", charts, link=link)
    tree = ast.parse(code)  # valid Python
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "query_df"
    ]
    assert [ast.literal_eval(c.args[0]) for c in calls] == [
        TRENDS,
        {"kind": "HogQLQuery", "query": "SELECT 1"},
    ]
    assert "# Question: chart it\u2028please\n# import os; os.remove('x')\n" in code
    assert "# Conversation: https://us.posthog.com/project/7/max?chat=c-1\n" in code
    assigned = sorted(
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    )
    assert assigned == ["client", "daily_pageviews_last_14_days", "daily_pageviews_last_14_days_2"]
    # Nothing known about the asking client: PostHog from POSTHOG_*, never a sandbox.
    assert "client = envnb.Client()" in code and "connect(" not in code
    assert not any(isinstance(n, ast.Import) and n.names[0].name == "os" for n in ast.walk(tree))


def test_pinned_code_uses_the_notebooks_own_client() -> None:
    charts = [Visualization("Client", TRENDS, "v1")]
    code = pin_code("q", charts, client_name="ph")
    tree = ast.parse(code)
    assigned = [
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    ]
    assert assigned == ["df_client"]  # a chart titled "Client" does not rebind a client name
    assert "df_client = ph.query_df(" in code and "envnb" not in code
    namespace: dict[str, object] = {}
    with pytest.raises(NameError, match="with `ph`, the client made earlier in this notebook"):
        exec(compile(code, "<pinned>", "exec"), namespace)
    sandbox = pin_code("q", charts, sandbox=True)
    assert "client = envnb.connect()  # the reply came from envnb's local sandbox" in sandbox


def test_variable_names() -> None:
    taken: set[str] = set()
    assert variable_name("Top 10 pages!", taken) == "top_10_pages"
    assert variable_name("10 pages", taken) == "df_10_pages"
    assert variable_name("class", taken) == "df_class"
    assert variable_name("¿Qué?", taken) == "que"
    assert variable_name("", taken) == "df"


def test_posthog_placeholders_are_sent_unchanged() -> None:
    # The docs' SQL-insight templates end with {filters}; PostHog fills it (PH:posthog/hogql/
    # placeholders.py), so a notebook variable of that name must not be pasted over it.
    text = "SELECT 1 FROM events WHERE event = {ev} AND {filters} AND x = {variables.plan}"
    assert substitute(text, {"ev": "a", "filters": "oops"}) == (
        "SELECT 1 FROM events WHERE event = 'a' AND {filters} AND x = {variables.plan}"
    )
    with pytest.raises(RequestValidationError, match="no notebook variable named 'ev'"):
        substitute(text, {})
