"""Export operations of ``client.batch_exports``: runs, retries, backfills, logs, metrics,
health (contract §6). Mixed into the batch exports resource; names fixed in DESIGN.md."""

from __future__ import annotations

import builtins
import warnings
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .._core.arguments import Id, When, ident
from .._core.concurrency import AsyncPageWindow
from .._core.framing import FrameSink, frame_from_records
from .._core.request import RequestSpec
from .._core.wire import PAGE_WINDOW
from ..batch_exports.backfill_rules import check_window, lookaround, open_retry, overlaps
from ..batch_exports.endpoints import ExportOpsEndpoints as Ops
from ..batch_exports.health import health_frame, pause_lookback
from ..batch_exports.models import BatchExport, BatchExportRun
from ..batch_exports.ops_arguments import (
    Names,
    instant_of,
    levels,
    log_limit,
    run_window,
    statuses,
    time_window,
)
from ..batch_exports.ops_frames import (
    BACKFILL_COLUMNS,
    LOG_COLUMNS,
    RUN_COLUMNS,
    finish_backfills_frame,
    finish_runs_frame,
    metrics_frame,
)
from ..batch_exports.ops_models import Backfill, BackfillOverlapWarning, Cancelled
from ._transport import AsyncTransport

if TYPE_CHECKING:
    import pandas as pd

Target = tuple[str, str]  # export id, name


class _Rows:
    """A page sink that keeps the raw rows (for one export of a many-export frame)."""

    def __init__(self) -> None:
        self.rows: builtins.list[dict[str, Any]] = []

    def start(self, total: int | None) -> None:
        """Nothing to prepare: cursor pages have no count."""

    def add(self, rows: builtins.list[dict[str, Any]]) -> None:
        """Keep one page's rows."""
        self.rows.extend(rows)

    def reset(self) -> None:
        """Forget the rows (the transport reads the list again from the start)."""
        self.rows.clear()


def _now() -> datetime:
    return datetime.now(UTC)


class AsyncExportOps:
    """Runs, backfills, logs and metrics of batch exports, and their health."""

    _transport: AsyncTransport
    _progress: bool | None

    if TYPE_CHECKING:

        def list(
            self, *, limit: int | None = None, page_size: int = 100
        ) -> AsyncIterator[BatchExport]: ...

        async def get(self, id: Id) -> BatchExport: ...

    # ---- runs ---------------------------------------------------------------------------

    def _runs_spec(
        self, export: Id, after: When, before: When, status: Names, now: datetime
    ) -> RequestSpec[BatchExportRun]:
        params: dict[str, Any] = {**run_window(after, before, now), "ordering": "-created_at"}
        params["status"] = statuses(status) or None
        return Ops.runs.request({"id": ident(export)}, params=params)

    def runs(
        self, export: Id, after: When = None, before: When = None, status: Names = None
    ) -> AsyncIterator[BatchExportRun]:
        """Every run of ``export`` created in ``[after, before]``, newest first.

        PostHog lists only runs created in the last 7 days unless ``after`` is given, so
        envnb always sends it: by default 30 days back. ``after``/``before``: aware
        datetimes, dates, ISO strings, relative values like ``"-90d"`` or timedeltas (that
        long ago). ``status``: one of PostHog's run statuses, a comma list or a list.
        Runs come in cursor pages of 100 (no count): a ``next`` link that repeats a page or
        points to another host stops the listing with an APIError.

        Raises RequestValidationError (naming the argument) before sending.
        """
        spec = self._runs_spec(export, after, before, status, _now())
        return self._transport.items(spec, None, 100)

    async def _targets(self, export: Id | None) -> builtins.list[Target]:
        if export is None:
            return [(e.id, e.name) async for e in self.list()]
        if isinstance(export, BatchExport):
            return [(export.id, export.name)]
        found = await self.get(export)
        return [(found.id, found.name)]

    async def _rows(self, targets: builtins.list[Target], spec_of: Any, sink: Any) -> None:
        """Each target's pages (up to PAGE_WINDOW exports at once), in target order."""

        async def fetch(target: Target) -> builtins.list[dict[str, Any]]:
            rows = _Rows()
            await self._transport.pages(spec_of(target[0]), None, 100, rows)
            return rows.rows

        sink.start(None)
        await AsyncPageWindow(PAGE_WINDOW).run(fetch, targets, sink.add)

    async def runs_df(
        self,
        export: Id | None = None,
        after: When = None,
        before: When = None,
        status: Names = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Runs as one typed DataFrame: of ``export``, or of every export when None.

        Columns (``batch_exports.ops_frames.RUN_COLUMNS``): ``export_id``, ``export_name``, ``id``,
        ``status`` (category), ``status_group`` (running / completed / failed / cancelled as
        PostHog's UI groups them), the data interval, ``created_at``/``finished_at``/
        ``last_updated_at`` (UTC), ``duration_s``, record and byte counts (Int64),
        ``latest_error``, ``backfill``. Same window rules as :meth:`runs` (``after``
        defaults to 30 days back). Exports are fetched a few at a time.
        """
        now = _now()
        self._runs_spec("-", after, before, status, now)  # check the arguments first
        targets = await self._targets(export)
        sink = FrameSink(RUN_COLUMNS, self._progress if progress is None else progress)
        try:
            await self._rows(
                targets, lambda id: self._runs_spec(id, after, before, status, now).page(), sink
            )
        finally:
            sink.close()
        return finish_runs_frame(sink.builder.build(), dict(targets))

    async def get_run(self, export: Id, run: Id) -> BatchExportRun:
        """One run; NotFoundError if the export has no such run."""
        spec = Ops.run.request({"id": ident(export), "run": ident(run)})
        return await self._transport.request(spec)

    async def retry_run(self, export: Id, run: Id) -> str:
        """Retry a run: PostHog starts a backfill of exactly its interval; returns its id.

        PostHog advises changing what made the run fail first: read its ``latest_error``
        (``get_run``). The request is never resent automatically (a resend would export
        the interval twice). PostHog would start a backfill for any run; envnb refuses a
        run that is still running (RequestValidationError naming ``run``) and, when a
        retry of the run is still open, warns (``BackfillOverlapWarning``) and returns that
        backfill's id instead of exporting the interval a second time.
        """
        spec = Ops.retry_run.request({"id": ident(export), "run": ident(run)})
        current = (await self.get_run(export, run)).model_dump(mode="json")
        fills = [b.model_dump(mode="json") async for b in self.backfills(export)]
        under_way = open_retry(current, fills)  # a running run: RequestValidationError
        if under_way is not None:
            warnings.warn(
                BackfillOverlapWarning(
                    f"run {current.get('id')} is already being retried by backfill "
                    f"{under_way}; returning it instead of exporting the interval twice"
                ),
                stacklevel=2,
            )
            return under_way
        return (await self._transport.request(spec)).backfill_id

    async def cancel_run(self, export: Id, run: Id) -> Cancelled:
        """Cancel a Running or Starting run (BadRequestError with PostHog's words else)."""
        spec = Ops.cancel_run.request({"id": ident(export), "run": ident(run)})
        return await self._transport.request(spec)

    # ---- backfills ----------------------------------------------------------------------

    def backfills(self, export: Id) -> AsyncIterator[Backfill]:
        """Every backfill of ``export``, newest first (cursor pages of 50)."""
        spec = Ops.backfills.request({"id": ident(export)}, params={"ordering": "-created_at"})
        return self._transport.items(spec, None, 50)

    async def backfills_df(
        self, export: Id | None = None, progress: bool | None = None
    ) -> pd.DataFrame:
        """Backfills of ``export`` (every export when None) as one typed DataFrame
        (``envnb.batch_exports.ops_frames.BACKFILL_COLUMNS``: progress as ``total_runs``,
        ``finished_runs`` and ``progress``)."""
        targets = await self._targets(export)
        sink = FrameSink(BACKFILL_COLUMNS, self._progress if progress is None else progress)
        try:
            await self._rows(
                targets,
                lambda id: Ops.backfills.request(
                    {"id": id}, params={"ordering": "-created_at"}
                ).page(),
                sink,
            )
        finally:
            sink.close()
        return finish_backfills_frame(sink.builder.build(), dict(targets))

    async def get_backfill(self, export: Id, backfill: Id) -> Backfill:
        """One backfill with its ``progress`` (null unless Running, Starting or Completed)."""
        spec = Ops.backfill.request({"id": ident(export), "backfill": ident(backfill)})
        return await self._transport.request(spec)

    async def backfill_overlaps(
        self, export: Id, start_at: When, end_at: When
    ) -> builtins.list[str]:
        """Why a backfill of this window would export data twice (empty: it would not).

        Checks the window first (RequestValidationError, as ``create_backfill``), then
        lists the export's backfills and its Completed runs whose interval meets it.
        """
        row = export if isinstance(export, BatchExport) else await self.get(export)
        window = check_window(row.model_dump(), start_at, end_at, _now())
        fills = [b.model_dump(mode="json") async for b in self.backfills(row.id)]
        # PostHog lists runs wholly inside start/end: read one interval more on each side
        # so a run partly in the window is seen (``overlaps`` keeps the ones meeting it).
        margin = lookaround(row.interval)
        params = {
            "ordering": "data_interval_start",
            "start": (window.start - margin).isoformat(),
            "end": min(window.end + margin, _now()).isoformat(),
            "status": ["Completed"],
        }
        spec = Ops.runs.request({"id": row.id}, params=params)
        done = [r.model_dump(mode="json") async for r in self._transport.items(spec, None, 100)]
        return overlaps(window, fills, done)

    async def create_backfill(
        self, export: Id, start_at: When, end_at: When, *, warn: bool = True
    ) -> str:
        """Backfill ``[start_at, end_at)``; returns the backfill id.

        Checked locally first, with PostHog's messages (RequestValidationError naming
        ``start_at``/``end_at``): day and week exports take dates only (week: on the
        export's ``offset_day``), read at ``offset_hour`` in its timezone; other intervals
        take timezone-aware datetimes; start before end; end not in the future. PostHog does
        not deduplicate: with ``warn`` (default) a ``BackfillOverlapWarning`` is issued when
        the window overlaps another backfill or completed runs. 429 (RateLimitError, code
        ``too_many_concurrent_backfills``) when the team runs too many backfills.
        """
        row = export if isinstance(export, BatchExport) else await self.get(export)
        window = check_window(row.model_dump(), start_at, end_at, _now())
        if warn:
            notes = await self.backfill_overlaps(row, start_at, end_at)
            if notes:
                warnings.warn(
                    BackfillOverlapWarning(
                        f"backfill of {row.name!r} would export data twice: " + "; ".join(notes)
                    ),
                    stacklevel=2,
                )
        spec = Ops.create_backfill.request({"id": row.id}, body=window.body)
        return (await self._transport.request(spec)).backfill_id

    async def cancel_backfill(self, export: Id, backfill: Id) -> Cancelled:
        """Cancel a Running or Starting backfill (BadRequestError with PostHog's words else)."""
        spec = Ops.cancel_backfill.request({"id": ident(export), "backfill": ident(backfill)})
        return await self._transport.request(spec)

    # ---- logs, metrics, health ----------------------------------------------------------

    async def logs_df(
        self,
        export: Id,
        run: Id | None = None,
        level: Names = None,
        search: str | None = None,
        after: When = None,
        before: When = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """The export's (or one run's) latest log entries, newest first, as a DataFrame:
        ``timestamp``, ``level`` (category), ``message``, ``run_id``, ``export_id``.

        ``level``: DEBUG, LOG, INFO, WARN, ERROR (one, a comma list or a list);
        ``search``: case-insensitive substring; ``limit``: 1-500 (PostHog's default 50).
        """
        after_text, before_text = time_window("after", after, "before", before, _now())
        params = {
            "level": levels(level) or None,
            "search": search or None,
            "after": after_text,
            "before": before_text,
            "limit": log_limit(limit),
        }
        if run is None:
            spec = Ops.logs.request({"id": ident(export)}, params=params)
        else:
            spec = Ops.run_logs.request({"id": ident(export), "run": ident(run)}, params=params)
        entries: builtins.list[dict[str, Any]] = await self._transport.request(spec)
        return frame_from_records(entries, LOG_COLUMNS)

    async def metrics_df(
        self, export: Id, date_from: When = "-30d", date_to: When = None
    ) -> pd.DataFrame:
        """Daily ``successes``/``failures`` of the export, one row per day with runs.

        PostHog sums ``records_total_count`` of Completed runs (successes) and of the other
        runs (failures) per day of their ``last_updated_at``: records, not run counts
        (``posthog/api/app_metrics.py``). Needs the ``plugin:read`` scope.
        """
        start, end = time_window("date_from", date_from, "date_to", date_to, _now())
        params = {"date_from": start, "date_to": end}
        metrics = await self._transport.request(
            Ops.metrics.request({"id": ident(export)}, params=params)
        )
        return metrics_frame(metrics.model_dump())

    async def health(self, since: When = "-30d") -> pd.DataFrame:
        """One row per export: status, failure rate, consecutive failures, last error,
        missing intervals, zero-record runs, open backfills and ``paused_by_system_likely``.

        Computed from the runs created since ``since`` and every backfill; each column is
        defined in ``envnb.batch_exports.health`` (PostHog keeps these checks internal).
        """
        now = _now()
        time_window("since", since, "before", None, now)
        start = instant_of("since", since, now)
        exports = [e async for e in self.list()]
        targets = [(e.id, e.name) for e in exports]
        records = [e.model_dump(mode="json", by_alias=True) for e in exports]
        # A paused export's runs are read back to its pause (health_row keeps the window's
        # figures to the window): an auto-pause caused by older failures stays one.
        reads_from = {r["id"]: pause_lookback(r, start) for r in records}
        runs, fills = _Rows(), _Rows()
        await self._rows(
            targets, lambda id: self._runs_spec(id, reads_from[id], None, None, now).page(), runs
        )
        await self._rows(
            targets,
            lambda id: Ops.backfills.request({"id": id}, params={"ordering": "-created_at"}).page(),
            fills,
        )
        return health_frame(records, runs.rows, fills.rows, now=now, since=start)
