"""Bring the sandbox's export operations up to the simulated clock.

This sits above :mod:`.sim` (the simulation) and :mod:`.seed_runs` (the seeded history,
built from the simulation's rows), so that neither of those imports the other.
"""

from __future__ import annotations

import sqlite3

from . import seed_runs, sim


def tick(db: sqlite3.Connection, ops: sim.OpsState, team_id: int, *, full: bool = True) -> None:
    """Bring runs and backfills up to the simulated clock (inside a transaction).

    ``full=False`` (the export list, which shows 10 runs each) leaves older seeded history
    unwritten until something asks for it.
    """
    if ops.history_pending and (full or not ops.recent_written):
        ops.history_pending = seed_runs.materialize(db, full)
        ops.recent_written = True
    sim.advance(db, ops, team_id)
