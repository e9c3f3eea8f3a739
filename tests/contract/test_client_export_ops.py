"""client.batch_exports export operations against the sandbox (both clients), over HTTP.

Seed facts (seed 0): see envnb/sandbox/batch_exports/seed_runs.py and tests/contract/ops_helpers.py.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pandas as pd
import pytest
from ops_helpers import BIGQUERY_DENIED

import envnb
from conftest import seeded_hour
from envnb.batch_exports.ops_models import BackfillOverlapWarning
from envnb.errors import APIError, BadRequestError, RateLimitError, RequestValidationError
from envnb.sandbox import Sandbox

SNOWFLAKE_JWT = "SnowflakeAuthenticationError: 390144 (08004): JWT token is invalid."


@pytest.fixture(scope="module")
def ops_sb() -> Iterator[Sandbox]:
    """A sandbox of this module's own; its backfills advance slowly unless a test moves it."""
    with Sandbox(seed=0, backfill_pace=600) as sb:
        yield sb


@pytest.fixture
def client(ops_sb: Sandbox) -> Iterator[envnb.Client]:
    with ops_sb.client(progress=False) as c:
        yield c


def by_name(client: envnb.Client) -> dict[str, Any]:
    return {e.name: e for e in client.batch_exports.list()}


def test_runs_follow_cursor_pages_and_send_after_30_days_back(
    client: envnb.Client, ops_sb: Sandbox
) -> None:
    archive = by_name(client)["Events archive"]
    # the clock schedules a new run each hour after the seed instant: counts stop there
    everything = list(client.batch_exports.runs(archive, after="-100d", before=ops_sb.seeded_at))
    assert len(everything) == 2154 and len({r.id for r in everything}) == 2154
    default = list(client.batch_exports.runs(archive.id))
    # 30 days of hours minus the 6-hour gap (PostHog alone would give 7 days: 162 runs)
    assert len(default) in (714, 715)
    assert min(r.created_at for r in default) >= datetime.now(UTC) - timedelta(days=30, minutes=1)
    failed = list(client.batch_exports.runs(by_name(client)["BigQuery events 2"], status="Failed"))
    assert [r.latest_error for r in failed] == [BIGQUERY_DENIED] * 3


def _pages(handler: Any) -> envnb.Client:
    return envnb.Client(
        host="https://us.posthog.com",
        api_key="phx_" + "a" * 40,
        project_id=1,
        transport=httpx.MockTransport(handler),
        max_retries=0,
        progress=False,
    )


def test_a_repeated_or_foreign_next_link_stops_paging() -> None:
    """A server (not envnb) misbehaving: its next link repeats, then points elsewhere."""
    run = {"id": "r", "status": "Completed", "data_interval_end": "2026-11-01T00:00:00Z"}
    base = "https://us.posthog.com/api/projects/1/batch_exports/e/runs/"

    def repeating(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"next": base + "?cursor=abc", "results": [run]})

    with _pages(repeating) as c, pytest.raises(APIError) as info:
        list(c.batch_exports.runs("e"))
    assert "repeats a page already read" in str(info.value)

    def foreign(request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/runs/"):  # runs_df reads the export's name first
            export = {"id": "e", "name": "E", "interval": "hour",
                      "destination": {"type": "S3", "config": {}}}  # fmt: skip
            return httpx.Response(200, json=export)
        assert "after" in request.url.params
        link = "https://evil.example/api/projects/1/batch_exports/e/runs/?cursor=x"
        return httpx.Response(200, json={"next": link, "results": [run]})

    with _pages(foreign) as c, pytest.raises(APIError) as info:
        c.batch_exports.runs_df("e")
    assert "points to another host" in str(info.value)


def test_runs_df_over_every_export_is_typed(client: envnb.Client, ops_sb: Sandbox) -> None:
    df = client.batch_exports.runs_df(after="-100d", before=ops_sb.seeded_at)
    assert str(df["status"].dtype) == "category" and str(df["status_group"].dtype) == "category"
    assert (
        str(df["records_completed"].dtype) == "Int64" and str(df["duration_s"].dtype) == "Float64"
    )
    counts = df.groupby("export_name")["status_group"].value_counts().unstack(fill_value=0)
    assert counts.loc["Events archive", "completed"] == 2154
    assert counts.loc["BigQuery events 2", "failed"] == 3
    assert counts.loc["Postgres mirror", "cancelled"] == 1
    assert set(df["export_id"]) == {e.id for e in client.batch_exports.list()}
    empty = client.batch_exports.runs_df(
        by_name(client)["Events archive"], after="-1h", before="-1h"
    )
    assert list(empty.columns) == list(df.columns) and empty.empty


def test_health_columns_on_the_seeded_project(client: envnb.Client) -> None:
    h = client.batch_exports.health(since="-30d").set_index("name")
    archive = h.loc["Events archive"]
    assert (archive["status"], archive["missing_intervals"], archive["zero_record_runs"]) == (
        "gaps",
        6,
        8,
    )
    assert archive["failure_rate"] == 0.0 and archive["consecutive_failures"] == 0
    [(start, end)] = archive["missing_ranges"]
    assert end - start == timedelta(hours=6)
    auto = h.loc["BigQuery events 2"]
    assert (auto["status"], auto["paused_by_system_likely"], auto["consecutive_failures"]) == (
        "auto-paused",
        True,
        3,
    )
    assert auto["last_error"] == BIGQUERY_DENIED and auto["failed_runs"] == 3
    warehouse = h.loc["Warehouse sync"]
    assert (warehouse["status"], warehouse["failed_runs"], warehouse["missing_intervals"]) == (
        "gaps",
        2,
        1,
    )
    weekly = h.loc["Warehouse sync 2"]
    assert (weekly["status"], weekly["consecutive_failures"], weekly["last_error"]) == (
        "failing",
        1,
        SNOWFLAKE_JWT,
    )
    assert h.loc["Webhook relay 2", "zero_record_runs"] == 18
    mirror2 = h.loc["Postgres mirror 2"]
    assert (mirror2["open_backfills"], mirror2["backfill_progress"]) == (1, 0.4)
    mirror = h.loc["Postgres mirror"]
    assert (mirror["failed_runs"], mirror["cancelled_runs"], mirror["missing_intervals"]) == (
        3,
        1,
        3,
    )
    paused = h.loc["Redshift copy"]
    assert paused["status"] == "paused" and not paused["paused_by_system_likely"]
    assert h.loc["Webhook relay 2", "status"] == "healthy"


def _refused(call: Any) -> RequestValidationError:
    with pytest.raises(RequestValidationError) as info:
        call()
    return info.value


def test_every_backfill_input_rule_is_checked_before_sending(ops_sb: Sandbox) -> None:
    with ops_sb.client(progress=False) as client:
        exports = by_name(client)
        daily, weekly, hourly = (
            exports["Warehouse sync"],
            exports["Warehouse sync 2"],
            exports["Events archive"],
        )
        ops_sb.reset_stats()
        create = client.batch_exports.create_backfill
        cases = [
            (lambda: create(daily, datetime(2026, 11, 1, tzinfo=UTC), "2026-11-02"), "start_at",
             "Daily or weekly batch export backfills expect only the date component"),
            (lambda: create(daily, "2026-11-01", "soon"), "end_at",
             "Input 'soon' is not a valid ISO formatted date."),
            (lambda: create(weekly, "2026-11-01", "2026-11-09"), "start_at",
             "2026-11-01 is a Sunday but this batch export is configured to run weekly on Monday"),
            (lambda: create(hourly, "2026-11-01T00:00:00", "2026-11-02T00:00:00Z"), "start_at",
             "Input 2026-11-01T00:00:00 is naive."),
            (lambda: create(hourly, "2026-11-02T00:00Z", "2026-11-01T00:00Z"), "start_at",
             "must be before 'end_at'"),
            (lambda: create(daily, "2026-11-01", date.today() + timedelta(days=3)), "end_at",
             "is in the future"),
            (lambda: create(daily, None, "2026-11-02"), "start_at",
             "Backfilling from the beginning of time is not enabled for this team."),
        ]  # fmt: skip
        for call, attr, words in cases:
            err = _refused(call)
            assert err.attr == attr and words in str(err), str(err)
        stats = ops_sb.stats()
        # only the export lookups happened (none here: models were passed); nothing written
        assert stats["requests"] == 0 and "batch_export.backfill" not in stats["writes"]


def test_create_retry_cancel_and_follow_a_backfill() -> None:
    with Sandbox(seed=0, backfill_pace=30) as sb, sb.client(progress=False) as client:
        exports = by_name(client)
        archive = exports["Events archive"]
        now = seeded_hour(sb)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            backfill = client.batch_exports.create_backfill(
                archive, now - timedelta(hours=50), now - timedelta(hours=47)
            )
        [warning] = [w for w in caught if issubclass(w.category, BackfillOverlapWarning)]
        assert "3 completed run(s) already exported data in this window" in str(warning.message)
        assert client.batch_exports.get_backfill(archive, backfill).progress.total_runs == 3
        sb.advance(91)
        done = client.batch_exports.get_backfill(archive.id, backfill)
        assert str(done.status) == "Completed" and done.fraction_done == 1.0
        frame = client.batch_exports.backfills_df(archive)
        assert frame.loc[frame["id"] == backfill, "status"].iloc[0] == "Completed"
        assert frame["export_name"].unique().tolist() == ["Events archive"]

        paused = exports["BigQuery events 2"]
        failed = next(iter(client.batch_exports.runs(paused, status="Failed")))
        assert client.batch_exports.get_run(paused, failed.id) == failed
        retry = client.batch_exports.retry_run(paused, failed)
        assert client.batch_exports.cancel_backfill(paused, retry).cancelled is True
        with pytest.raises(BadRequestError) as info:
            client.batch_exports.cancel_backfill(paused, retry)
        assert info.value.detail == "Cannot cancel a backfill that is in 'Cancelled' status"
        assert sb.stats()["writes"]["batch_export.run_retry"] == 1

        running = next(
            iter(client.batch_exports.runs(exports["Postgres mirror 2"], status="Running"))
        )
        assert client.batch_exports.cancel_run(exports["Postgres mirror 2"], running).cancelled
        with pytest.raises(BadRequestError):
            client.batch_exports.cancel_run(exports["Postgres mirror 2"], running)


def test_too_many_backfills_is_a_rate_limit_error_sent_once() -> None:
    with Sandbox(seed=0, backfill_pace=600, max_backfills=1) as sb, sb.client() as client:
        archive = by_name(client)["Events archive"]
        now = datetime.now(UTC)
        sb.reset_stats()
        with pytest.raises(RateLimitError) as info:
            client.batch_exports.create_backfill(
                archive, now - timedelta(hours=3), now - timedelta(hours=2), warn=False
            )
        assert info.value.code == "too_many_concurrent_backfills"
        assert sb.stats()["requests"] == 1  # a create is never resent


def test_logs_and_metrics_frames(client: envnb.Client) -> None:
    paused = by_name(client)["BigQuery events 2"]
    errors = client.batch_exports.logs_df(paused, level="error")
    assert list(errors["level"].astype(str)) == ["ERROR"] * 3
    assert errors["message"].str.contains("Access Denied").all()
    found = client.batch_exports.logs_df(paused.id, search="access denied", limit=500)
    assert sorted(found["level"].astype(str)) == ["ERROR"] * 3 + ["WARN"] * 6
    run = errors["run_id"].iloc[0]
    own = client.batch_exports.logs_df(paused, run=run)
    assert set(own["run_id"]) == {run} and len(own) == 4
    with pytest.raises(RequestValidationError):
        client.batch_exports.logs_df(paused, limit=501)
    metrics = client.batch_exports.metrics_df(paused, date_from="-90d")
    assert list(metrics.columns) == ["date", "successes", "successes_on_retry", "failures"]
    failed_records = sum(
        r.records_total_count for r in client.batch_exports.runs(paused, status="Failed")
    )
    assert metrics["failures"].sum() == failed_records
    assert metrics["date"].dt.tz is not None and str(metrics["successes"].dtype) == "Int64"


@pytest.mark.anyio
async def test_the_async_client_has_the_same_operations(ops_sb: Sandbox) -> None:
    async with ops_sb.async_client(progress=False) as client:
        exports = {e.name: e async for e in client.batch_exports.list()}
        archive = exports["Events archive"]
        made = ops_sb.seeded_at
        runs = [r async for r in client.batch_exports.runs(archive, after="-100d", before=made)]
        assert len(runs) == 2154
        health = await client.batch_exports.health()
        assert isinstance(health, pd.DataFrame) and len(health) == 12
        df = await client.batch_exports.runs_df(archive, after="-2d")
        assert set(df["export_name"]) == {"Events archive"}
        logs = await client.batch_exports.logs_df(exports["BigQuery events 2"], level="ERROR")
        assert len(logs) == 3


def test_reversed_and_future_windows_are_refused_naming_the_argument(
    client: envnb.Client, ops_sb: Sandbox
) -> None:
    archive = by_name(client)["Events archive"]
    ops = client.batch_exports
    cases: list[tuple[Any, str, str]] = [
        (lambda: ops.runs_df(after="-2d", before="-3d"), "before", "is before after"),
        (lambda: list(ops.runs(archive, after="-2d", before="-3d")), "before", "is before after"),
        (lambda: ops.runs_df(after="2099-01-01"), "after", "is in the future"),
        (lambda: ops.health(since="2099-01-01"), "since", "is in the future"),
        (lambda: ops.health(since=timedelta(days=-1)), "since", "is in the future"),
        (lambda: ops.logs_df(archive, after="-1d", before="-2d"), "before", "is before after"),
        (lambda: ops.logs_df(archive, after="2099-01-01T00:00:00Z"), "after", "in the future"),
        (
            lambda: ops.metrics_df(archive, date_from="-1d", date_to="-7d"),
            "date_to",
            "is before date_from",
        ),
        (lambda: ops.metrics_df(archive, date_from="2099-01-01"), "date_from", "in the future"),
    ]
    before = ops_sb.stats()["requests"]
    for call, attr, words in cases:
        with pytest.raises(RequestValidationError) as info:
            call()
        assert info.value.attr == attr, str(info.value)
        assert words in str(info.value), str(info.value)
    assert ops_sb.stats()["requests"] == before  # refused before sending
    # the edges stay allowed: an empty-length window of one day, an end in the future
    assert ops.metrics_df(archive, date_from=date.today(), date_to=date.today()) is not None
    assert len(ops.runs_df(after="-1h", before="2099-01-01")) >= 0


def test_a_window_partly_covering_completed_runs_warns() -> None:
    with Sandbox(seed=0, backfill_pace=600) as sb, sb.client(progress=False) as client:
        archive = by_name(client)["Events archive"]
        hour = seeded_hour(sb)
        # Half of the run [h-30, h-29) and half of [h-29, h-28): neither lies wholly inside.
        start, end = hour - timedelta(hours=29, minutes=30), hour - timedelta(hours=28, minutes=30)
        assert client.batch_exports.backfill_overlaps(archive, start, end) == [
            "2 completed run(s) already exported data in this window"
        ]
        with pytest.warns(BackfillOverlapWarning, match="2 completed run"):
            client.batch_exports.create_backfill(archive, start, end)
        assert sb.stats()["writes"]["batch_export.backfill"] == 1


def test_retry_refuses_a_running_run_and_does_not_start_a_second_retry() -> None:
    with Sandbox(seed=0, backfill_pace=600) as sb, sb.client(progress=False) as client:
        exports = by_name(client)
        mirror = exports["Postgres mirror 2"]
        running = next(iter(client.batch_exports.runs(mirror, status="Running")))
        with pytest.raises(RequestValidationError, match="still Running") as info:
            client.batch_exports.retry_run(mirror, running)
        assert info.value.attr == "run"
        assert sb.stats()["writes"].get("batch_export.run_retry", 0) == 0

        paused = exports["BigQuery events 2"]
        failed = next(iter(client.batch_exports.runs(paused, status="Failed")))
        first = client.batch_exports.retry_run(paused, failed)
        with pytest.warns(
            BackfillOverlapWarning, match=f"already being retried by backfill {first}"
        ):
            again = client.batch_exports.retry_run(paused, failed.id)
        assert again == first  # the open retry, not a second export of the interval
        assert sb.stats()["writes"]["batch_export.run_retry"] == 1


def test_health_of_a_short_window_still_sees_an_auto_pause(client: envnb.Client) -> None:
    # BigQuery events 2 was paused by PostHog two days ago after 3 failed runs: a one-day
    # window holds none of them, yet the pause is still PostHog's.
    day = client.batch_exports.health(since="-1d").set_index("name").loc["BigQuery events 2"]
    assert day["status"] == "auto-paused" and bool(day["paused_by_system_likely"]) is True
    assert (day["runs"], day["failed_runs"]) == (0, 0)  # the window's own figures stay its own
    month = client.batch_exports.health(since="-30d").set_index("name").loc["BigQuery events 2"]
    assert month["status"] == "auto-paused" and month["failed_runs"] == 3
