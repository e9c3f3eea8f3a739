"""Seeded run history: what 90 days of batch exports look like in a real project.

Every export has a run per interval of its schedule since it was created (until it was
paused), mostly Completed with records and durations that follow the destination. On top
of that, by export position in the seed (``i``, creation order) and by ``p``, the number of
intervals back from the newest interval that ended before the seeding hour:

====  ===========================  ==========================================================
i     export                        what happened
====  ===========================  ==========================================================
0     Events archive (S3, hour)     no runs at p = 40..45 (a 6-hour gap); 0 records when
                                    p % 97 == 13
1     Warehouse sync (Snowflake,    p = 9 and 10 Failed (suspended warehouse); p = 10 was
      day)                          retried by a backfill that Completed
3     Postgres mirror (hour)        p = 100, 101, 250 Failed (connection timed out); a 7-day
                                    backfill created 10 days ago, Cancelled after 40 runs
4     Webhook relay (HTTP, day)     0 records at p = 3 and 17
6     Events archive 2 (S3, day)    a Completed 14-day backfill of the days before it existed
7     Warehouse sync 2 (Snowflake,  the newest run (p = 0) Failed (invalid JWT)
      week)
8     BigQuery events 2 (hour)      its last three runs Failed (permission denied), then
                                    PostHog paused it: ``last_paused_at`` 45 s after the last
                                    failure
9     Postgres mirror 2 (day)       a Running 30-day backfill: 12 of 30 runs done at seeding,
                                    one more every 120 s of the sandbox clock
10    Webhook relay 2 (HTTP, hour)  0 records when p % 41 == 5
====  ===========================  ==========================================================

Other paused exports were paused by a person: their runs simply stop at ``last_paused_at``.
"""

from __future__ import annotations

import json
import random
import sqlite3
from typing import Any

from envnb.sandbox.projects.backend import ONLY_IN_OTHERS

from .._util import seeded_uuid
from ..clock import parse_stamp, stamp
from . import schedule, sim

AUTO_PAUSED = 8
BACKFILL_PAGE = 50  # backfills in one cursor page (PostHog's backfill list page size)
STARTING_FOR = 7 * 86400  # how long project 2's Starting backfill waits for a worker
BIGQUERY_DENIED = (
    "403 Access Denied: Table acme-analytics:posthog.events: Permission "
    "bigquery.tables.updateData denied on table acme-analytics:posthog.events "
    "(or it may not exist)."
)
SNOWFLAKE_SUSPENDED = (
    "SnowflakeWarehouseSuspendedError: The configured warehouse 'COMPUTE_WH' is suspended "
    "and cannot be resumed: resource monitor 'MONTHLY_QUOTA' has exceeded its quota."
)
SNOWFLAKE_JWT = "SnowflakeAuthenticationError: 390144 (08004): JWT token is invalid."
POSTGRES_TIMEOUT = (
    'OperationalError: connection to server at "db.acme.internal" (10.0.4.12), port 5432 '
    "failed: Connection timed out"
)


def _outcome(i: int, p: int) -> str | int | None:
    """What run ``p`` of export ``i`` was: an error text, 0 (no records), -1 (no run), None."""
    if i == 0:
        if 40 <= p <= 45:
            return -1
        return 0 if p % 97 == 13 else None
    if i == 1 and p in (9, 10):
        return SNOWFLAKE_SUSPENDED
    if i == 3 and p in (100, 101, 250):
        return POSTGRES_TIMEOUT
    if i == 4 and p in (3, 17):
        return 0
    if i == 7 and p == 0:
        return SNOWFLAKE_JWT
    if i == 10 and p % 41 == 5:
        return 0
    return None


PENDING = "history_pending"
RECENT = 12  # runs per export written first: enough for ``latest_runs`` and the auto-pause


def defer(
    db: sqlite3.Connection, export_ids: list[str], anchor: float, seed: int, now: float
) -> None:
    """Note the history to write; requests that need runs write it (see :func:`materialize`).

    Writing ~11k runs costs a few hundred milliseconds, and most sandboxes (one per test)
    never look at them. The seeding time is kept, so the history is the same whenever it is
    made.
    """
    plan = {"export_ids": export_ids, "anchor": anchor, "seed": seed, "now": now}
    db.execute("INSERT INTO meta VALUES (?, ?)", (PENDING, json.dumps(plan)))


def materialize(db: sqlite3.Connection, full: bool) -> bool:
    """Write the deferred history; return whether some is still deferred.

    The newest :data:`RECENT` runs of each export and the seeded backfills come first (what
    the export list shows); ``full`` writes the older runs too (runs, logs, metrics).
    """
    row = db.execute("SELECT value FROM meta WHERE key = ?", (PENDING,)).fetchone()
    if row is None:
        return False
    plan = json.loads(row[0])
    args = (db, plan["export_ids"], plan["anchor"], plan["seed"], plan["now"])
    if not plan.get("recent_done"):
        seed_history(*args, newest_first=RECENT)
        _seed_backfills(db, plan["export_ids"], plan["anchor"], plan["now"], plan["seed"])
        plan["recent_done"] = True
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (json.dumps(plan), PENDING))
    if not full:
        return True
    seed_history(*args, skip=RECENT)
    db.execute("DELETE FROM meta WHERE key = ?", (PENDING,))
    return False


def seed_history(
    db: sqlite3.Connection,
    export_ids: list[str],
    anchor: float,
    seed: int,
    now: float,
    *,
    newest_first: int | None = None,
    skip: int = 0,
) -> None:
    """Insert runs of the seeded exports (``export_ids`` in seed order), newest first.

    ``newest_first`` stops after that many runs per export; ``skip`` leaves out the newest
    ``skip`` (already written). Ids come from one RNG per export drawn newest first, so
    both passes give every run the same id.
    """
    hour = anchor - anchor % 3600
    rows = {r["id"]: r for r in db.execute("SELECT * FROM batch_exports").fetchall()}
    runs: list[tuple[Any, ...]] = []
    for i, export_id in enumerate(export_ids):
        row = rows[export_id]
        rng = random.Random(f"{seed}:runs:{i}")
        interval, offset = row["interval"], row["interval_offset"]
        step = schedule.step_of(interval)
        newest = schedule.last_end(interval, offset, hour)
        stop = now
        auto_paused = i == AUTO_PAUSED and bool(row["paused"])
        if auto_paused:
            stop = hour - 2 * 86400 - i * 3600 - step + 1
        elif row["paused"] and row["last_paused_at"]:
            stop = parse_stamp(row["last_paused_at"])
        first = schedule.next_end(interval, offset, parse_stamp(row["created_at"]))
        last = schedule.last_end(interval, offset, stop)
        export_runs = []
        for n, end in enumerate(range(last, first - 1, -step)):
            if newest_first is not None and n >= newest_first:
                break
            p = (newest - end) // step
            outcome = BIGQUERY_DENIED if auto_paused and n < 3 else _outcome(i, p)
            if outcome == -1:
                continue
            created = min(end + 15 + rng.randrange(60), now)
            run_id = seeded_uuid(rng)
            took = (
                min(600 + rng.randrange(900), now - created) if isinstance(outcome, str) else None
            )
            if n < skip:
                continue
            export_runs.append(
                sim.run_row(run_id, export_id, row["dest_type"], end - step, end, created, now,
                            error=outcome if isinstance(outcome, str) else None,
                            records=outcome if isinstance(outcome, int) else None,
                            duration=took)
            )  # fmt: skip
        if auto_paused and export_runs and skip == 0:
            paused_at = parse_stamp(export_runs[0][9]) + 45
            db.execute(
                "UPDATE batch_exports SET last_paused_at = ? WHERE id = ?",
                (stamp(paused_at), export_id),
            )
        runs.extend(export_runs)
    db.executemany(sim.INSERT_RUN, runs)


def _seed_backfills(
    db: sqlite3.Connection, export_ids: list[str], anchor: float, now: float, seed: int
) -> None:
    hour = anchor - anchor % 3600
    rows = {r["id"]: r for r in db.execute("SELECT * FROM batch_exports").fetchall()}
    rng = random.Random(f"{seed}:backfills")

    def backfill(i: int, start: float, end: float, started: float, pace: float) -> str | None:
        if i >= len(export_ids):
            return None
        backfill_id = seeded_uuid(rng)
        export = rows[export_ids[i]]
        sim.create_backfill(
            db, backfill_id=backfill_id, export=export, start=start, end=end, started=started,
            pace=pace,
        )  # fmt: skip
        return backfill_id

    def day_end(i: int, days_back: int) -> float:
        export = rows[export_ids[i]] if i < len(export_ids) else None
        offset = export["interval_offset"] if export is not None else 0
        return schedule.last_end("day", offset, hour - days_back * 86400)

    if len(export_ids) > 1:  # the retry of Warehouse sync's p = 10
        end = day_end(1, 10)
        backfill(1, end - 86400, end, end + 86400 + 3 * 3600, 300)
    if len(export_ids) > 3:  # a week of Postgres mirror, cancelled after 40 runs
        start = hour - 17 * 86400
        first = backfill(3, start, start + 7 * 86400, hour - 10 * 86400, 60)
        cancelled_at = hour - 10 * 86400 + 40.5 * 60
        sim.advance_backfills(db, cancelled_at, only=first)
        sim.cancel_backfill(db, str(first), cancelled_at)
    if len(export_ids) > 6:  # Events archive 2: the two weeks before it was created
        created = parse_stamp(rows[export_ids[6]]["created_at"])
        end = schedule.last_end("day", rows[export_ids[6]]["interval_offset"], created)
        backfill(6, end - 14 * 86400, end, created + 3600, 240)
    if len(export_ids) > 9:  # Postgres mirror 2: a month re-exported, still running
        end = day_end(9, 30)
        backfill(9, end - 30 * 86400, end, now - 12.5 * 120, 120)
    _seed_one_page(db, list(rows.values()), hour, now, rng)
    sim.advance_backfills(db, now)


def _seed_one_page(
    db: sqlite3.Connection, exports: list[sqlite3.Row], hour: float, now: float, rng: Any
) -> None:
    """Project 2's "Audit log archive": exactly one page of backfills (a list whose length
    is the page size tells an off-by-one in paging from the truth), the newest Starting.

    Project 2 only, so project 1's backfill counts (and its concurrency limit) are as they
    were. The Starting one waits for a worker for a week of the sandbox clock (nothing in a
    test run moves it on); the others are one-day backfills, Completed, an hour apart.
    """
    audit = next(
        (e for e in exports if e["team_id"] == 2 and e["name"] == ONLY_IN_OTHERS["name"]), None
    )
    if audit is None:
        return
    for k in range(BACKFILL_PAGE):
        end = schedule.last_end("day", audit["interval_offset"], hour - (k + 1) * 86400)
        created = now - (BACKFILL_PAGE - k) * 3600 if k else now - 300
        backfill_id = seeded_uuid(rng)
        sim.create_backfill(
            db, backfill_id=backfill_id, export=audit, start=end - 86400, end=end,
            started=created if k else now + STARTING_FOR, pace=60,
        )  # fmt: skip
        if not k:  # created now, not when it will start
            db.execute(
                "UPDATE backfills SET created_at = ?, last_updated_at = ? WHERE id = ?",
                (stamp(created), stamp(created), backfill_id),
            )
