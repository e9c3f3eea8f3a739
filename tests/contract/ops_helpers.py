"""Helpers of the export-operations contract tests (plain httpx against the sandbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conftest import Api
from envnb.sandbox import Sandbox

BIGQUERY_DENIED = (
    "403 Access Denied: Table acme-analytics:posthog.events: Permission "
    "bigquery.tables.updateData denied on table acme-analytics:posthog.events "
    "(or it may not exist)."
)


def export(api: Api, name: str) -> dict[str, Any]:
    """The seeded export called ``name``."""
    rows = api.get("batch_exports/").json()["results"]
    return next(row for row in rows if row["name"] == name)


def advance_to(sb: Sandbox, moment: datetime) -> None:
    """Move the sandbox clock to ``moment``."""
    sb.advance(max(0.0, moment.timestamp() - sb.state.ops.clock.epoch()))


def all_runs(api: Api, export_id: str, **params: Any) -> list[dict[str, Any]]:
    """Every run, following ``next`` links."""
    out: list[dict[str, Any]] = []
    response = api.get(f"batch_exports/{export_id}/runs/", params=params)
    while True:
        body = response.json()
        assert set(body) == {"next", "previous", "results"}, body
        out += body["results"]
        if body["next"] is None:
            return out
        response = api.http.get(body["next"])
