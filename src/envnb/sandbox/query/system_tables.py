"""HogQL's ``system.batch_exports`` and ``system.batch_export_backfills`` (contract §12).

Rules of this module:
1. The tables hold the calling project's rows only (PostHog's system tables are filtered by
   team): they are rewritten from the sandbox's store just before a query that names them,
   under the query connection's lock, so two projects' queries never see each other's rows.
2. Columns as contract §12 lists them (there is no runs table, PostHog #53205); the sandbox
   keeps no destination row, so ``destination_id`` is a UUID derived from the export's id.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import duckdb

from ..store import Store

EXPORTS = "system_batch_exports"
BACKFILLS = "system_batch_export_backfills"
_DDL = (
    f"CREATE TABLE IF NOT EXISTS {EXPORTS} (id VARCHAR, team_id BIGINT, name VARCHAR, "
    "model VARCHAR, interval VARCHAR, paused BOOLEAN, deleted BOOLEAN, destination_id VARCHAR, "
    "timezone VARCHAR, interval_offset BIGINT, created_at TIMESTAMPTZ, "
    "last_updated_at TIMESTAMPTZ, last_paused_at TIMESTAMPTZ, start_at TIMESTAMPTZ, "
    "end_at TIMESTAMPTZ)",
    f"CREATE TABLE IF NOT EXISTS {BACKFILLS} (id VARCHAR, batch_export_id VARCHAR, "
    "start_at TIMESTAMPTZ, end_at TIMESTAMPTZ, status VARCHAR, created_at TIMESTAMPTZ, "
    "finished_at TIMESTAMPTZ, last_updated_at TIMESTAMPTZ, total_records_count BIGINT)",
)
# HogQL names these tables ``system.<name>``; the engine looks them up by the dotted name.
NAMES = ("system.batch_exports", "system.batch_export_backfills")
_DESTINATIONS = uuid.UUID("6a1b7c1e-0000-4000-8000-000000000b0e")


def _exports(store: Store, team_id: int) -> list[tuple[Any, ...]]:
    rows = store.read(
        "SELECT id, team_id, name, model, interval, paused, deleted, timezone, interval_offset, "
        "created_at, last_updated_at, last_paused_at, start_at, end_at FROM batch_exports "
        "WHERE team_id = ? ORDER BY created_at, id",
        (team_id,),
    )
    return [
        (
            row["id"],
            row["team_id"],
            row["name"],
            row["model"] or "events",
            row["interval"],
            bool(row["paused"]),
            bool(row["deleted"]),
            str(uuid.uuid5(_DESTINATIONS, row["id"])),
            row["timezone"] or "UTC",
            row["interval_offset"],
            row["created_at"],
            row["last_updated_at"],
            row["last_paused_at"],
            row["start_at"],
            row["end_at"],
        )
        for row in rows
    ]


def _backfills(store: Store, team_id: int) -> list[tuple[Any, ...]]:
    rows = store.read(
        "SELECT id, batch_export_id, start_at, end_at, status, created_at, finished_at, "
        "last_updated_at, total_records_count FROM backfills WHERE team_id = ? "
        "ORDER BY created_at, id",
        (team_id,),
    )
    return [tuple(row) for row in rows]


def refresh(con: duckdb.DuckDBPyConnection, store: Store, team_id: int) -> None:
    """Rewrite both tables with ``team_id``'s rows (the caller holds the connection's lock)."""
    for ddl in _DDL:
        con.execute(ddl)
    for table, rows in (
        (EXPORTS, _exports(store, team_id)),
        (BACKFILLS, _backfills(store, team_id)),
    ):
        con.execute(f"DELETE FROM {table}")
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            con.executemany(f"INSERT INTO {table} VALUES ({marks})", [list(r) for r in rows])


def mentions(text: str) -> bool:
    """Whether a query's text may name a system table (a cheap test before refreshing)."""
    return "system." in text.lower()


class TeamTables:
    """The sandbox's ``EventsDB`` as one project's query sees it: the same connection, lock
    and clock, with the system tables rewritten for ``team_id`` when it is taken (rule 1)."""

    def __init__(self, events: Any, prepare: Callable[[duckdb.DuckDBPyConnection], None]):
        self._events = events
        self._prepare = prepare

    def __getattr__(self, name: str) -> Any:
        return getattr(self._events, name)

    @property
    def lock(self) -> threading.Lock:
        lock: threading.Lock = self._events.lock
        return lock

    def connection(self) -> duckdb.DuckDBPyConnection:
        con: duckdb.DuckDBPyConnection = self._events.connection()
        self._prepare(con)
        return con
