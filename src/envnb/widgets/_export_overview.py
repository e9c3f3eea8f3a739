"""ExportPanel's overview load: every export's recent runs and backfills in two calls,
handed to each row's ``ExportOps`` (runs strip, health)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..batch_exports.health import pause_lookback
from ..batch_exports.ops_arguments import instant_of
from ..errors import EnvnbError
from ._ops_view import backfill_record, records_of


async def load_overview(panel: Any) -> None:
    """Fetch every export's recent runs and its backfills; give each row its part."""
    api = panel.aclient.batch_exports
    now = datetime.now(UTC)
    try:
        since = instant_of("runs_window", panel.runs_window, now)
        runs = records_of(await api.runs_df(after=since, progress=False))
        fills = records_of(await api.backfills_df(progress=False))
    except EnvnbError as err:
        panel.error = f"Runs could not be loaded: {err}"
        panel._set_status(panel.error, error=True)
        return
    by_export: dict[Any, list[dict[str, Any]]] = {}
    for run in runs:
        by_export.setdefault(run.get("export_id"), []).append(run)
    backfills: dict[Any, list[dict[str, Any]]] = {}
    for fill in fills:
        backfills.setdefault(fill.get("export_id"), []).append(backfill_record(fill))
    for row in panel.rows:
        older = await _runs_before(api, row, since)
        row.ops.show(by_export.get(row.id, []), backfills.get(row.id, []), since, older)


async def _runs_before(api: Any, row: Any, since: datetime) -> list[dict[str, Any]]:
    """A paused export's runs between its pause's deciding runs and the window (as
    ``health()`` reads them): an auto-pause caused by older failures stays one."""
    export = row.export.model_dump(mode="json")
    start = pause_lookback(export, since)
    if start >= since:
        return []
    try:
        return records_of(await api.runs_df(row.id, after=start, before=since, progress=False))
    except EnvnbError:
        return []  # the health then says "paused", as without the older runs
