"""``{filters}`` with a HogQLQuery's ``filters``, as PostHog's ReplaceFilters fills it
(PH:posthog/hogql/filters.py and posthog/hogql/test/test_filters.py), over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from envnb import Client
from envnb.errors import BadRequestError
from envnb.sandbox import Sandbox

CLOCK = datetime(2026, 3, 18, 15, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with Sandbox(clock=CLOCK) as sb, sb.client() as c:
        yield c


def run(client: Client, text: str, **extra: Any) -> Any:
    return client.query({"kind": "HogQLQuery", "query": text, **extra})


def count(client: Client, text: str, **extra: Any) -> int:
    return int(run(client, text, **extra).results[0][0])


def test_without_filters_the_placeholder_is_true(client: Client) -> None:
    everything = count(client, "SELECT count() FROM events")
    assert count(client, "SELECT count() FROM events WHERE {filters}") == everything
    assert count(client, "SELECT count() FROM events WHERE {filters}", filters={}) == everything
    assert run(client, "SELECT 1 FROM events WHERE {filters} LIMIT 1").hogql == (
        "SELECT 1 FROM events WHERE true LIMIT 1"
    )


def test_a_relative_date_range_runs_from_midnight_to_the_end_of_today(client: Client) -> None:
    answer = run(
        client,
        "SELECT count() FROM events WHERE {filters}",
        filters={"dateRange": {"date_from": "-7d"}},
    )
    assert answer.hogql == (
        "SELECT count() FROM events WHERE and("
        "lessOrEquals(timestamp, toDateTime('2026-03-18 23:59:59.999999', 'UTC')), "
        "greaterOrEquals(timestamp, toDateTime('2026-03-11 00:00:00.000000', 'UTC'))) LIMIT 100"
    )
    explicit = count(
        client,
        "SELECT count() FROM events WHERE timestamp >= toDateTime('2026-03-11 00:00:00') "
        "AND timestamp < toDateTime('2026-03-19 00:00:00')",
    )
    assert int(answer.results[0][0]) == explicit
    assert 0 < explicit < count(client, "SELECT count() FROM events")


def test_dates_and_datetimes_as_posthog_bounds_them(client: Client) -> None:
    # A date-only date_to covers that whole day (<=, end of day); a datetime is exact (<).
    day = run(
        client,
        "SELECT count() FROM events WHERE {filters}",
        filters={"dateRange": {"date_from": "2026-03-01", "date_to": "2026-03-02"}},
    )
    assert "lessOrEquals(timestamp, toDateTime('2026-03-02 23:59:59.999999', 'UTC'))" in day.hogql
    assert "greaterOrEquals(timestamp, toDateTime('2026-03-01 00:00:00.000000', 'UTC'))" in (
        day.hogql
    )
    exact = run(
        client,
        "SELECT count() FROM events WHERE {filters}",
        filters={"dateRange": {"date_from": "-1h", "date_to": "2026-03-18T15:00:00Z"}},
    )
    assert "less(timestamp, toDateTime('2026-03-18 15:00:00.000000', 'UTC'))" in exact.hogql
    assert "greaterOrEquals(timestamp, toDateTime('2026-03-18 14:30:00.000000', 'UTC'))" in (
        exact.hogql
    )
    # "all" is no bound at all.
    assert count(
        client,
        "SELECT count() FROM events WHERE {filters}",
        filters={"dateRange": {"date_from": "all"}},
    ) == count(client, "SELECT count() FROM events")


def test_property_filters_and_sessions(client: Client) -> None:
    chrome = count(
        client,
        "SELECT count() FROM events WHERE {filters}",
        filters={"properties": [{"key": "$browser", "operator": "exact", "value": "Chrome"}]},
    )
    assert chrome == count(
        client, "SELECT count() FROM events WHERE properties.$browser = 'Chrome'"
    )
    assert 0 < chrome < count(client, "SELECT count() FROM events")
    sessions = run(
        client,
        "SELECT count() FROM sessions WHERE {filters}",
        filters={"dateRange": {"date_from": "-1h"}},
    )
    assert sessions.hogql == (
        "SELECT count() FROM sessions WHERE greaterOrEquals($start_timestamp, "
        "toDateTime('2026-03-18 14:30:00.000000', 'UTC')) LIMIT 100"
    )


def test_filters_outside_events_or_sessions_are_refused(client: Client) -> None:
    with pytest.raises(BadRequestError, match="Cannot use 'filters' placeholder in a SELECT"):
        run(client, "SELECT count() FROM persons WHERE {filters}")
