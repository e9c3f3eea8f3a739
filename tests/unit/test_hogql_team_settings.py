"""The team's timezone and week start in HogQL's date functions (PostHog: tz-aware functions
use the team's timezone; toStartOfWeek uses its week start). Compiled by the engine and run on
a bare DuckDB connection; every answer worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest

from envnb.sandbox.query.hogql import _json_value, compile_hogql

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Monday 03:00 UTC = Sunday 22:00 in New York


def answer(text: str, **settings: Any) -> list[Any]:
    con = duckdb.connect(":memory:")
    compiled = compile_hogql(text, NOW, con, **settings)
    return [_json_value(v) for v in con.execute(compiled.sql).fetchall()[0]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # local midnight of 10 March in New York (EST, UTC-5) is 05:00 UTC
        ("select toStartOfDay(toDateTime('2024-03-10 12:00:00'))", ["2024-03-10T05:00:00Z"]),
        # 03:00 UTC on 1 January is still 31 December in New York
        ("select toDate(toDateTime('2024-01-01 03:00:00Z'))", ["2023-12-31"]),
        ("select today(), yesterday()", ["2026-03-01", "2026-02-28"]),
        ("select toHour(now()), toDayOfWeek(now())", [22, 7]),
        ("select toStartOfMonth(now()), toStartOfWeek(now())", ["2026-03-01", "2026-03-01"]),
    ],
)
def test_team_timezone(text: str, expected: list[Any]) -> None:
    assert answer(text, timezone="America/New_York") == expected


def test_team_week_start_monday() -> None:
    # Sunday 1 March 2026 (New York) belongs to the week of Monday 23 February
    assert answer("select toStartOfWeek(now())", timezone="America/New_York", week_start=1) == [
        "2026-02-23"
    ]
    # in UTC it is already Monday 2 March: its own week
    assert answer("select toStartOfWeek(now())", week_start=1) == ["2026-03-02"]
    assert answer("select toStartOfWeek(now())") == ["2026-03-01"]  # Sunday start (default)
