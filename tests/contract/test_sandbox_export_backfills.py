"""Contract tests of the sandbox's backfills, logs and app metrics (contract §6), over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from ops_helpers import BIGQUERY_DENIED, all_runs, export

from conftest import Api
from envnb.sandbox import Sandbox


def _error(detail: str, code: str = "invalid_input") -> dict[str, Any]:
    return {"type": "validation_error", "code": code, "detail": detail, "attr": None}


@pytest.fixture
def slow() -> Iterator[Api]:
    """A fresh sandbox whose created backfills make one run every 30 s of its clock."""
    with Sandbox(seed=0, backfill_pace=30) as sb:
        api = Api(sb)
        yield api
        api.http.close()


def _hours_ago(hours: int) -> str:
    moment = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return (moment - timedelta(hours=hours)).isoformat()


def test_seeded_backfills_running_cancelled_completed(slow: Api) -> None:
    mirror = export(slow, "Postgres mirror 2")
    body = slow.get(f"batch_exports/{mirror['id']}/backfills/").json()
    assert set(body) == {"next", "previous", "results"} and body["next"] is None
    [running] = body["results"]
    assert running["status"] == "Running" and running["finished_at"] is None
    assert running["progress"] == {"total_runs": 30, "finished_runs": 12, "progress": 0.4}
    assert set(running) == {
        "id", "progress", "start_at", "end_at", "status", "created_at", "finished_at",
        "last_updated_at", "total_records_count", "adjusted_start_at", "team", "batch_export",
    }  # fmt: skip
    slow.sb.advance(2 * 120)  # the seeded backfill makes a run every 120 s
    later = slow.get(f"batch_exports/{mirror['id']}/backfills/{running['id']}/").json()
    assert later["progress"] == {"total_runs": 30, "finished_runs": 14, "progress": 0.5}
    cancelled = slow.get(f"batch_exports/{export(slow, 'Postgres mirror')['id']}/backfills/")
    [stopped] = cancelled.json()["results"]
    assert stopped["status"] == "Cancelled" and stopped["progress"] is None
    retried = slow.get(f"batch_exports/{export(slow, 'Warehouse sync')['id']}/backfills/")
    [done] = retried.json()["results"]
    assert done["status"] == "Completed"
    assert done["progress"] == {"total_runs": 1, "finished_runs": 1, "progress": 1.0}


def test_a_created_backfill_runs_at_its_pace_and_completes(slow: Api) -> None:
    archive = export(slow, "Events archive")
    start, end = _hours_ago(30), _hours_ago(25)
    created = slow.post(
        f"batch_exports/{archive['id']}/backfills/", json={"start_at": start, "end_at": end}
    )
    assert created.status_code == 201 and set(created.json()) == {"backfill_id"}
    path = f"batch_exports/{archive['id']}/backfills/{created.json()['backfill_id']}/"
    first = slow.get(path).json()
    assert first["progress"] == {"total_runs": 5, "finished_runs": 0, "progress": 0.0}
    assert (first["start_at"], first["end_at"]) == (
        start.replace("+00:00", "Z"),
        end.replace("+00:00", "Z"),
    )
    slow.sb.advance(61)
    assert slow.get(path).json()["progress"] == {
        "total_runs": 5,
        "finished_runs": 2,
        "progress": 0.4,
    }
    slow.sb.advance(120)
    done = slow.get(path).json()
    assert done["status"] == "Completed" and done["progress"]["progress"] == 1.0
    assert done["finished_at"] is not None
    runs = [r for r in all_runs(slow, archive["id"]) if r["backfill"] == first["id"]]
    assert sorted(r["data_interval_start"] for r in runs) == [
        _hours_ago(h).replace("+00:00", "Z") for h in (30, 29, 28, 27, 26)
    ]
    assert {r["status"] for r in runs} == {"Completed"}
    assert done["total_records_count"] == sum(r["records_completed"] for r in runs)
    assert slow.sb.stats()["writes"]["batch_export.backfill"] == 1


def test_cancel_stops_a_backfill(slow: Api) -> None:
    archive = export(slow, "Events archive")
    created = slow.post(
        f"batch_exports/{archive['id']}/backfills/",
        json={"start_at": _hours_ago(30), "end_at": _hours_ago(20)},
    ).json()
    path = f"batch_exports/{archive['id']}/backfills/{created['backfill_id']}/"
    slow.sb.advance(45)
    assert slow.post(path + "cancel/").json() == {"cancelled": True}
    slow.sb.advance(1000)
    stopped = slow.get(path).json()
    assert stopped["status"] == "Cancelled" and stopped["progress"] is None
    runs = [r for r in all_runs(slow, archive["id"]) if r["backfill"] == created["backfill_id"]]
    assert sorted(r["status"] for r in runs) == ["Cancelled", "Completed"]
    again = slow.post(path + "cancel/")
    assert again.status_code == 400
    assert again.json() == _error("Cannot cancel a backfill that is in 'Cancelled' status")


def test_two_backfills_of_one_window_both_run(slow: Api) -> None:
    archive = export(slow, "Events archive")
    window = {"start_at": _hours_ago(4), "end_at": _hours_ago(3)}
    ids = [
        slow.post(f"batch_exports/{archive['id']}/backfills/", json=window).json()["backfill_id"]
        for _ in range(2)
    ]
    slow.sb.advance(31)
    runs = [r for r in all_runs(slow, archive["id"]) if r["backfill"] in ids]
    assert len(runs) == 2 and len({r["data_interval_start"] for r in runs}) == 1


def test_backfill_input_rules_with_posthogs_messages(slow: Api) -> None:
    daily, weekly = export(slow, "Warehouse sync"), export(slow, "Warehouse sync 2")
    hourly = export(slow, "Events archive")
    assert (weekly["offset_day"], weekly["offset_hour"]) == (1, 2)

    def post(row: dict[str, Any], body: dict[str, Any]) -> Any:
        return slow.post(f"batch_exports/{row['id']}/backfills/", json=body)

    answer = post(daily, {"start_at": "2026-01-01T00:00:00", "end_at": "2026-01-02"})
    assert answer.status_code == 400
    assert answer.json() == _error(
        "Input '2026-01-01T00:00:00' is not a valid ISO formatted date. Daily or weekly "
        "batch export backfills expect only the date component, but a time was included."
    )
    assert post(daily, {"start_at": "soon", "end_at": "2026-01-02"}).json() == _error(
        "Input 'soon' is not a valid ISO formatted date."
    )
    assert post(weekly, {"start_at": "2026-11-01", "end_at": "2026-11-09"}).json() == _error(
        "Input 2026-11-01 is not on the correct day of the week for this batch export. "
        "2026-11-01 is a Sunday but this batch export is configured to run weekly on Monday."
    )
    assert post(hourly, {"start_at": "2026-11-01T00:00:00", "end_at": _hours_ago(1)}).json() == (
        _error("Input 2026-11-01T00:00:00 is naive.")
    )
    assert post(hourly, {"start_at": "nope", "end_at": _hours_ago(1)}).json() == _error(
        "Input nope is not a valid ISO formatted datetime."
    )
    assert post(hourly, {"start_at": _hours_ago(1), "end_at": _hours_ago(2)}).json() == _error(
        "The initial backfill datetime 'start_at' must be before 'end_at'"
    )
    tomorrow = date.today() + timedelta(days=2)
    assert post(daily, {"start_at": "2026-01-01", "end_at": tomorrow.isoformat()}).json() == (
        _error(f"The provided 'end_at' ({tomorrow.isoformat()}T03:00:00+00:00) is in the future")
    )
    assert post(daily, {"end_at": "2026-01-02"}).json() == _error(
        "Backfilling from the beginning of time is not enabled for this team."
    )
    missing = slow.post(
        "batch_exports/00000000-0000-4000-8000-000000000000/backfills/",
        json={"start_at": "2026-01-01", "end_at": "2026-01-02"},
    )
    assert missing.status_code == 404 and missing.json()["detail"] == "BatchExport not found."
    assert "batch_export.backfill" not in slow.sb.stats()["writes"]


def test_too_many_concurrent_backfills_is_429() -> None:
    with Sandbox(seed=0, backfill_pace=600, max_backfills=2) as sb:
        api = Api(sb)
        archive = export(api, "Events archive")
        window = {"start_at": _hours_ago(10), "end_at": _hours_ago(5)}
        first = api.post(f"batch_exports/{archive['id']}/backfills/", json=window)
        assert first.status_code == 201  # the seeded running backfill is the other one
        refused = api.post(f"batch_exports/{archive['id']}/backfills/", json=window)
        assert refused.status_code == 429
        assert refused.json() == {
            "type": "server_error",
            "code": "too_many_concurrent_backfills",
            "detail": "This team already has 2 batch export backfills running. Wait for some "
            "to finish or cancel them before creating more.",
            "attr": None,
        }
        backfill = first.json()["backfill_id"]
        api.post(f"batch_exports/{archive['id']}/backfills/{backfill}/cancel/")
        assert api.post(f"batch_exports/{archive['id']}/backfills/", json=window).status_code == 201


def test_backfill_list_pages_by_50_and_orders() -> None:
    with Sandbox(seed=0, backfill_pace=0, max_backfills=100) as sb:
        api = Api(sb)
        archive = export(api, "Events archive")
        for hours in range(60, 0, -1):
            body = {"start_at": _hours_ago(hours + 1), "end_at": _hours_ago(hours)}
            assert api.post(f"batch_exports/{archive['id']}/backfills/", json=body).status_code
        first = api.get(f"batch_exports/{archive['id']}/backfills/").json()
        assert len(first["results"]) == 50 and "count" not in first
        rest = api.http.get(first["next"]).json()
        assert len(rest["results"]) == 10 and rest["next"] is None
        by_start = api.get(
            f"batch_exports/{archive['id']}/backfills/", params={"ordering": "start_at"}
        ).json()["results"]
        assert [b["start_at"] for b in by_start] == sorted(b["start_at"] for b in by_start)


def test_logs_filter_by_level_search_and_run(slow: Api) -> None:
    paused = export(slow, "BigQuery events 2")
    base = f"batch_exports/{paused['id']}/logs/"
    errors = slow.get(base, params={"level": "ERROR", "after": "2020-01-01T00:00:00Z"}).json()
    assert len(errors["results"]) == 3
    assert all(BIGQUERY_DENIED in e["message"] for e in errors["results"])
    stamps = [e["timestamp"] for e in errors["results"]]
    assert stamps == sorted(stamps, reverse=True)
    assert set(errors["results"][0]) == {
        "log_source_id",
        "instance_id",
        "timestamp",
        "level",
        "message",
    }
    found = slow.get(base, params={"search": "ACCESS DENIED", "limit": 500}).json()["results"]
    assert sorted(e["level"] for e in found) == ["ERROR"] * 3 + ["WARN"] * 6
    comma = slow.get(base, params={"level": "WARN,ERROR", "limit": 500}).json()["results"]
    repeated = slow.get(
        base, params=[("level", "WARN"), ("level", "ERROR"), ("limit", "500")]
    ).json()["results"]
    assert comma == repeated and len(comma) == 9
    run = all_runs(slow, paused["id"], status="Failed")[0]
    own = slow.get(f"batch_exports/{paused['id']}/runs/{run['id']}/logs/").json()["results"]
    assert {e["instance_id"] for e in own} == {run["id"]} and len(own) == 4
    assert len(slow.get(base).json()["results"]) == 50


@pytest.mark.parametrize(
    ("limit", "detail", "code"),
    [
        ("0", "Ensure this value is greater than or equal to 1.", "min_value"),
        ("501", "Ensure this value is less than or equal to 500.", "max_value"),
        ("x", "A valid integer is required.", "invalid_input"),
    ],
)
def test_logs_limit_is_checked(slow: Api, limit: str, detail: str, code: str) -> None:
    archive = export(slow, "Events archive")
    answer = slow.get(f"batch_exports/{archive['id']}/logs/", params={"limit": limit})
    assert answer.status_code == 400
    assert answer.json() == {
        "type": "validation_error",
        "code": code,
        "detail": detail,
        "attr": "limit",
    }


def test_app_metrics_sum_records_per_day(slow: Api) -> None:
    paused = export(slow, "BigQuery events 2")
    body = slow.get(f"app_metrics/{paused['id']}/", params={"date_from": "-90d"}).json()
    assert body["errors"] is None
    metrics = body["metrics"]
    runs = all_runs(slow, paused["id"], after="-100d")
    failed = sum(r["records_total_count"] for r in runs if r["status"] == "Failed")
    done = sum(r["records_total_count"] for r in runs if r["status"] == "Completed")
    assert metrics["totals"] == {"successes": done, "successes_on_retry": 0, "failures": failed}
    assert sum(metrics["failures"]) == failed and sum(metrics["successes"]) == done
    days = [date.fromisoformat(d) for d in metrics["dates"]]
    assert days == [days[0] + timedelta(days=n) for n in range(len(days))]  # one per day
    assert metrics["dates"][-1] == paused["last_paused_at"][:10]  # nothing after the pause
    assert metrics["successes_on_retry"] == [0] * len(metrics["dates"])
    reader = Api(slow.sb, key=slow.sb.create_key(["batch_export:read"]))
    denied = reader.get(f"app_metrics/{paused['id']}/")
    assert denied.status_code == 403
    assert denied.json()["detail"] == "API key missing required scope 'plugin:read'"
    plugin = Api(slow.sb, key=slow.sb.create_key(["plugin:read"]), prefix="projects")
    assert plugin.get(f"app_metrics/{paused['id']}/").status_code == 200
    reader.http.close()
    plugin.http.close()
