"""BASELINE for bench/population.py, not used by envnb: the sandbox's ``events`` table as it
was built before the seeded population (src/envnb/sandbox/events.py at c94fd07, unchanged
below this paragraph), kept so the bench can measure the new build against it in one run.

The seeded ``events`` table behind the query API: a product's last 90 days in DuckDB.

Rules of this module:
1. Deterministic: the same seed and the same clock give the same rows, byte for byte.
2. Lazy: nothing is generated until the first query asks for the table (every test's
   ``Sandbox()`` seeds; most never query events).
3. The table ends at the sandbox's clock (``Sandbox(clock=...)``, else the moment the
   sandbox was made), so "the last 14 days" always has data.
4. Read-only for queries: the DuckDB connection has file access disabled and its
   configuration locked once the table is built, so HogQL cannot reach the file system.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

DAYS = 90
USERS = 1400

# Property name -> (DuckDB column, HogQL/ClickHouse type of ``properties.<name>``).
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
# Columns of ``events`` a query may name, with their HogQL types.
COLUMNS: dict[str, str] = {
    "uuid": "UUID",
    "event": "String",
    "distinct_id": "String",
    "person_id": "UUID",
    "timestamp": "DateTime64(6, 'UTC')",
    "properties": "String",
}

_BROWSERS = (("Chrome", 0.58), ("Safari", 0.22), ("Firefox", 0.1), ("Edge", 0.07), ("Opera", 0.03))
_OS_BY_BROWSER = {
    "Chrome": "Windows",
    "Safari": "Mac OS X",
    "Firefox": "Linux",
    "Edge": "Windows",
    "Opera": "Android",
}
_PLANS = (("free", 0.7), ("pro", 0.23), ("enterprise", 0.07))
_PAGES = (
    ("/", 0.3),
    ("/pricing", 0.14),
    ("/docs", 0.18),
    ("/blog", 0.12),
    ("/dashboard", 0.16),
    ("/settings", 0.06),
    ("/signup", 0.04),
)
_HOST = "https://hedgebox.example"
# Share of a day's events per UTC hour: quiet nights, a working-day hump.
_HOURS = np.array([1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 9, 10, 10, 10, 9, 8, 6, 5, 4, 3, 2, 1.0])
# Chance that a known user is active on Monday..Sunday.
_WEEKDAY_ACTIVE = np.array([0.21, 0.22, 0.22, 0.21, 0.18, 0.08, 0.07])
EVENT_NAMES = ("$pageview", "$autocapture", "$pageleave", "signed_up", "purchase", "invite_sent")


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    names = np.array([name for name, _ in table], dtype=object)
    weights = np.array([w for _, w in table])
    return names[rng.choice(len(table), size=n, p=weights / weights.sum())]


def generate(seed: int, clock: datetime) -> pd.DataFrame:
    """The events of the 90 days that end at ``clock``: one row per event, sorted by time.

    Columns: uuid, event, distinct_id, person_id, timestamp (UTC), then one column per
    property in ``PROPERTIES``. Users sign up over the window (growth), are less active on
    weekends (weekly rhythm) and by day more than by night.
    """
    rng = np.random.default_rng(seed)
    clock = clock.astimezone(UTC)
    first_midnight = datetime(clock.year, clock.month, clock.day, tzinfo=UTC) - timedelta(
        days=DAYS - 1
    )
    # A third of the users predate the window; the rest sign up at a growing pace.
    growth = np.linspace(1.0, 3.0, DAYS)
    joined = rng.choice(DAYS, size=USERS, p=growth / growth.sum())
    joined[rng.random(USERS) < 0.33] = -1
    browser = _pick(rng, _BROWSERS, USERS)
    plan = _pick(rng, _PLANS, USERS)
    user_ids = np.array([f"user-{i:05d}" for i in range(USERS)], dtype=object)

    days: list[np.ndarray] = []
    users: list[np.ndarray] = []
    for day in range(DAYS):
        weekday = (first_midnight + timedelta(days=day)).weekday()
        known = np.flatnonzero(joined <= day)
        active = known[rng.random(known.size) < _WEEKDAY_ACTIVE[weekday]]
        newcomers = np.flatnonzero(joined == day)
        active = np.union1d(active, newcomers)
        days.append(np.full(active.size, day))
        users.append(active)
    visit_day = np.concatenate(days)
    visit_user = np.concatenate(users)

    pageviews = 1 + rng.poisson(2.2, visit_user.size)
    clicks = rng.poisson(1.6, visit_user.size)
    leaves = (rng.random(visit_user.size) < 0.6).astype(int)
    paying = np.where(plan[visit_user] == "free", 0.015, 0.07)
    purchases = (rng.random(visit_user.size) < paying).astype(int)
    invites = (rng.random(visit_user.size) < 0.03).astype(int)
    counts = np.stack([pageviews, clicks, leaves, purchases, invites], axis=1)
    kinds = np.array(["$pageview", "$autocapture", "$pageleave", "purchase", "invite_sent"])
    per_visit = counts.sum(axis=1)
    event = np.repeat(np.tile(kinds, visit_user.size), counts.ravel()).astype(object)
    event_day = np.repeat(visit_day, per_visit)
    user = np.repeat(visit_user, per_visit)

    signups = np.flatnonzero(joined >= 0)
    event = np.concatenate([event, np.full(signups.size, "signed_up", dtype=object)])
    event_day = np.concatenate([event_day, joined[signups]])
    user = np.concatenate([user, signups])

    n = event.size
    hour = rng.choice(24, size=n, p=_HOURS / _HOURS.sum())
    second = hour * 3600 + rng.integers(0, 3600, n)
    start = pd.Timestamp(first_midnight)
    timestamp = start + pd.to_timedelta(event_day * 86400 + second, unit="s")
    keep = np.asarray(timestamp <= pd.Timestamp(clock))

    path = _pick(rng, _PAGES, n)
    path[event == "signed_up"] = "/signup"
    path[event == "purchase"] = "/pricing"
    amount = np.where(event == "purchase", rng.choice([29.0, 49.0, 99.0, 290.0], size=n), np.nan)
    browsers = browser[user]
    frame = pd.DataFrame(
        {
            "event": event,
            "distinct_id": user_ids[user],
            "timestamp": timestamp,
            "p_browser": browsers,
            "p_os": pd.Series(browsers).map(_OS_BY_BROWSER).to_numpy(),
            "p_device_type": np.where(browsers == "Opera", "Mobile", "Desktop"),
            "p_current_url": _HOST + path,
            "p_pathname": path,
            "p_lib": "web",
            "p_plan": plan[user],
            "p_amount": amount,
        }
    )
    frame = frame[keep].sort_values("timestamp", kind="stable").reset_index(drop=True)
    return frame


def _uuid_sql(h: str) -> str:
    """SQL for a version-4-shaped UUID string from the md5 hex column ``h`` (deterministic)."""
    return (
        f"substr({h}, 1, 8) || '-' || substr({h}, 9, 4) || '-4' || substr({h}, 14, 3) || '-' || "
        f"'89ab'[1 + (ascii(substr({h}, 17, 1)) % 4)] || substr({h}, 18, 3) || '-' || "
        f"substr({h}, 21, 12)"
    )


class EventsDB:
    """The DuckDB database holding ``events``, built on first use (thread-safe)."""

    def __init__(self, seed: int, clock: datetime | None, pinned: bool) -> None:
        self.seed = seed
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
        frame = generate(self.seed, self.clock)
        con = duckdb.connect(":memory:", config={"threads": 1})
        con.execute("SET TimeZone = 'UTC'")
        con.register("seed_frame", frame)
        always = [(name, col) for name, (col, _) in PROPERTIES.items() if name != "amount"]
        base = ", ".join(f'"{name}" := {col}' for name, col in always)
        event_uuid, person_uuid = _uuid_sql("h_event"), _uuid_sql("h_person")
        # Each md5 once per row, in the inner select; the outer one only slices the hex.
        hashed = (
            f"(SELECT *, md5('{self.seed}:' || row_number() OVER ()) AS h_event, "
            f"md5('{self.seed}:' || distinct_id) AS h_person FROM seed_frame)"
        )
        # PostHog stores only the properties an event has: no "amount": null on a pageview.
        con.execute(
            "CREATE TABLE events AS SELECT "
            f"{event_uuid} AS uuid, event, distinct_id, {person_uuid} AS person_id, timestamp, "
            f"CAST(CASE WHEN p_amount IS NULL THEN to_json(struct_pack({base})) "
            f"ELSE to_json(struct_pack({base}, amount := p_amount)) END AS VARCHAR) "
            "AS properties, " + ", ".join(col for col, _ in PROPERTIES.values()) + f" FROM {hashed}"
        )
        con.unregister("seed_frame")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        return con
