"""The query API's DuckDB database: the seeded population (``population.py``) built lazily.

Rules of this module:
1. Deterministic: the same seed, size and clock give the same rows, byte for byte.
2. Lazy: nothing is generated until the first query asks for a table (every test's
   ``Sandbox()`` seeds; most never query events).
3. The tables end at the sandbox's clock (``Sandbox(clock=...)``, else the moment the
   sandbox was made), so "the last 14 days" always has data.
4. Read-only for queries: the DuckDB connection has file access disabled and its
   configuration locked once the tables are built, so HogQL cannot reach the file system.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import duckdb

from .population import EVENTS, Size, build_population, check_events

# Property name -> (materialized DuckDB column of ``events``, HogQL type of
# ``properties.<name>``): PostHog's ``mat_*`` columns, kept typed next to the JSON.
PROPERTIES: dict[str, tuple[str, str]] = {
    "$browser": ("p_browser", "Nullable(String)"),
    "$os": ("p_os", "Nullable(String)"),
    "$device_type": ("p_device_type", "Nullable(String)"),
    "$current_url": ("p_current_url", "Nullable(String)"),
    "$pathname": ("p_pathname", "Nullable(String)"),
    "$lib": ("p_lib", "Nullable(String)"),
    "plan": ("p_plan", "Nullable(String)"),
    "amount": ("p_amount", "Nullable(Float64)"),
}
# Columns of ``events`` a query may name, with their HogQL types (PostHog's order).
COLUMNS: dict[str, str] = {
    "uuid": "UUID",
    "event": "String",
    "properties": "String",
    "timestamp": "DateTime64(6, 'UTC')",
    "distinct_id": "String",
    "elements_chain": "String",
    "created_at": "DateTime64(6, 'UTC')",
    "$session_id": "String",
    "$window_id": "String",
    "person_id": "UUID",
}
EVENT_NAMES = ("$pageview", "$autocapture", "$pageleave", "signed_up", "purchase", "invite_sent")


class EventsDB:
    """The DuckDB database holding ``events``, built on first use (thread-safe)."""

    def __init__(
        self,
        seed: int,
        clock: datetime | None,
        pinned: bool,
        events: Size = EVENTS,
        timezone: str = "UTC",
    ) -> None:
        self.seed = seed
        self.size = check_events(events)
        self.timezone = timezone
        self.clock = (clock or datetime.now(UTC)).replace(microsecond=0)
        self.pinned = pinned
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None

    def now(self) -> datetime:
        """The sandbox's clock for queries: pinned, or the real time."""
        return self.clock if self.pinned else datetime.now(UTC).replace(microsecond=0)

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The connection (the lock must be held by the caller via ``locked``)."""
        if self._con is None:
            self._con = self._build()
        return self._con

    @property
    def lock(self) -> threading.Lock:
        """Serialises queries: one DuckDB connection serves the whole sandbox."""
        return self._lock

    def close(self) -> None:
        """Close the DuckDB connection (the table is rebuilt if queried again)."""
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    def _build(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:", config={"threads": 1})
        build_population(
            con, seed=self.seed, events=self.size, now=self.clock, timezone=self.timezone
        )
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        return con
