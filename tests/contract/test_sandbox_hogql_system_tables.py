"""HogQL's ``system.batch_exports`` and ``system.batch_export_backfills`` (contract §12),
queried over loopback HTTP: the project's own rows, PostHog's columns, no runs table."""

from __future__ import annotations

from typing import Any

import httpx

from conftest import Api
from envnb.sandbox import Sandbox

EXPORT_COLUMNS = [
    "id",
    "team_id",
    "name",
    "model",
    "interval",
    "paused",
    "deleted",
    "destination_id",
    "timezone",
    "interval_offset",
    "created_at",
    "last_updated_at",
    "last_paused_at",
    "start_at",
    "end_at",
]
BACKFILL_COLUMNS = [
    "id",
    "batch_export_id",
    "start_at",
    "end_at",
    "status",
    "created_at",
    "finished_at",
    "last_updated_at",
    "total_records_count",
]


def _hogql(http: httpx.Client | Api, text: str) -> dict[str, Any]:
    response = http.post("query/", json={"query": {"kind": "HogQLQuery", "query": text}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_system_batch_exports_lists_the_projects_exports(fresh_api: Api) -> None:
    every = _hogql(fresh_api, "SELECT * FROM system.batch_exports")
    assert every["columns"] == EXPORT_COLUMNS
    assert [kind for _, kind in every["types"]][:7] == [
        "String",
        "Int64",
        "String",
        "String",
        "String",
        "UInt8",
        "UInt8",
    ]
    first = _hogql(
        fresh_api,
        "SELECT name, model, interval, paused, deleted, team_id, timezone "
        "FROM system.batch_exports ORDER BY created_at LIMIT 3",
    )
    assert first["results"] == [
        ["Events archive", "events", "hour", 0, 0, 1, "UTC"],
        ["Warehouse sync", "events", "day", 0, 0, 1, "UTC"],
        ["BigQuery events", "events", "week", 1, 0, 1, "UTC"],
    ]
    # A new export is there on the next query; a deleted one stays, marked deleted.
    made = fresh_api.post(
        "batch_exports/",
        json={
            "name": "From the API",
            "interval": "every 15 minutes",
            "model": "hogql",
            "hogql_query": "SELECT event FROM events",
            "destination": {"type": "NoOp", "config": {}},
        },
    ).json()
    assert fresh_api.request("DELETE", f"batch_exports/{made['id']}/").status_code == 204
    found = _hogql(
        fresh_api,
        "SELECT name, model, interval, deleted FROM system.batch_exports "
        f"WHERE id = '{made['id']}'",
    )
    assert found["results"] == [["From the API", "hogql", "every 15 minutes", 1]]


def test_system_batch_export_backfills_and_no_runs_table(fresh_api: Api) -> None:
    body = _hogql(fresh_api, "SELECT * FROM system.batch_export_backfills LIMIT 1")
    assert body["columns"] == BACKFILL_COLUMNS
    rows = fresh_api.get("batch_exports/").json()["results"]
    export = next(row for row in rows if row["interval"] == "hour")
    made = fresh_api.post(
        f"batch_exports/{export['id']}/backfills/",
        json={"start_at": "2026-01-01T00:00:00Z", "end_at": "2026-01-01T03:00:00Z"},
    )
    assert made.status_code == 201, made.text
    row = _hogql(
        fresh_api,
        "SELECT batch_export_id, start_at, end_at FROM system.batch_export_backfills "
        f"WHERE id = '{made.json()['backfill_id']}'",
    )["results"]
    assert row == [[export["id"], "2026-01-01T00:00:00Z", "2026-01-01T03:00:00Z"]]
    runs = fresh_api.post(
        "query/",
        json={"query": {"kind": "HogQLQuery", "query": "SELECT * FROM system.batch_export_runs"}},
    )
    assert runs.status_code == 400
    assert "Unknown table `system.batch_export_runs`." in runs.json()["detail"]


def test_each_project_sees_only_its_own_exports() -> None:
    with Sandbox(projects=2) as sb:
        headers = {"Authorization": f"Bearer {sb.api_key}"}
        for project in (1, 2):
            with httpx.Client(
                base_url=f"{sb.url}/api/projects/{project}/", headers=headers, timeout=60
            ) as http:
                teams = _hogql(http, "SELECT DISTINCT team_id FROM system.batch_exports")
                assert teams["results"] == [[project]]
