"""HogQL as a careless or hostile analyst writes it (issue 24, QA round two): each answer is
what PostHog answers, and none is a 500 or a minute of silence."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from envnb.sandbox import Sandbox
from envnb.sandbox.query import hogql_parse_worker

pytestmark = pytest.mark.timeout(120)


def _post(sb: Sandbox, text: str) -> httpx.Response:
    return httpx.post(
        f"{sb.url}/api/projects/{sb.project_id}/query/",
        json={"query": {"kind": "HogQLQuery", "query": text}},
        headers={"Authorization": f"Bearer {sb.api_key}"},
        timeout=60,
    )


@pytest.fixture(scope="module")
def sb() -> Any:
    with Sandbox(events="tiny", conversations=0) as sandbox:
        yield sandbox


def test_division_by_zero_is_sent_as_posthogs_renderer_sends_it_and_read_back_as_inf(
    sb: Sandbox,
) -> None:
    # ClickHouse: 1/0 = inf, 0/0 = nan. PostHog's SafeJSONRenderer sends null and marks the
    # place (PH:posthog/renderers.py); the sandbox answered a bare null (a missing value).
    body = _post(sb, "SELECT 1/0 AS a, 0/0 AS b, 2/4 AS c").json()
    assert body["results"] == [[None, None, 0.5]]
    assert body["results::inf!"] == {"0": {"0": True}}
    assert body["results::nan!"] == {"0": {"1": True}}
    with sb.client() as client:
        result = client.query("SELECT 1/0 AS a, 0/0 AS b, 2/4 AS c")
        assert result.results[0][0] == math.inf and math.isnan(result.results[0][1])
        assert "results::inf!" not in result.raw  # the markers are applied, then dropped
        frame = client.query_df("SELECT 1/0 AS a, 0/0 AS b, 2/4 AS c, NULL + 0.5 AS d")
    assert frame["a"].tolist() == [math.inf] and frame["c"].tolist() == [0.5]
    assert math.isnan(frame["b"].iloc[0]) and not frame["b"].isna().iloc[0]  # NaN, not NULL
    assert frame["d"].isna().iloc[0]  # a NULL stays missing
    assert str(frame["b"].dtype) == "Float64"


@pytest.mark.parametrize("text", ["SELECT intDiv(1, 0)", "SELECT 7 % 0"])
def test_integer_division_by_zero_is_refused_as_clickhouse_refuses_it(
    sb: Sandbox, text: str
) -> None:
    body = _post(sb, text).json()
    assert body["detail"] == (
        "Division by zero: intDiv and % of integers cannot divide by 0 "
        "(divide, or /, answers inf or nan)"
    )  # it read "A value in this query cannot be converted to the type it is used as"


def test_a_limit_beyond_64_bits_is_clamped_as_posthog_clamps_it(sb: Sandbox) -> None:
    # PostHog's printer makes a constant top-level LIMIT min(limit, 50,000); the sandbox
    # answered 10**20 with a 400 about types.
    body = _post(sb, f"SELECT 1 AS x LIMIT {10**20}").json()
    assert body["results"] == [[1]] and body["hogql"] == "SELECT 1 AS x LIMIT 50000"
    inner = _post(sb, f"SELECT count() FROM (SELECT 1 FROM numbers(3) LIMIT {10**20})").json()
    assert inner["results"] == [[3]]  # a subquery's LIMIT that large keeps every row
    past = _post(sb, f"SELECT 1 AS x LIMIT 10 OFFSET {10**20}").json()
    assert past["results"] == []  # past the last row: nothing, not an error


def test_a_query_the_parser_cannot_finish_in_time_is_refused_and_the_next_one_runs(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 200 nested parentheses kept PostHog's parser busy for 36-56 s here, holding the GIL.
    assert _post(sb, "SELECT 1 AS warm").status_code == 200  # the worker is up
    monkeypatch.setattr(hogql_parse_worker, "PARSE_SECONDS", 2.0)  # the deep parse takes >10
    deep = _post(sb, "SELECT " + "(" * 200 + "1" + ")" * 200)
    assert deep.status_code == 400
    body = deep.json()
    assert {k: body[k] for k in ("type", "code", "detail", "attr")} == {
        "type": "validation_error",
        "code": "hogql_syntax_error",
        "detail": "The query could not be parsed within 2 s: PostHog's parser slows down "
        "steeply with deeply nested brackets and calls; flatten the expression (e.g. drop "
        "redundant parentheses)",
        "attr": None,
    }
    monkeypatch.setattr(hogql_parse_worker, "PARSE_SECONDS", 10.0)
    assert _post(sb, "SELECT 2 AS after").json()["results"] == [[2]]  # a fresh worker
