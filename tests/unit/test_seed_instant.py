"""The seeded run history is the history of one instant, even when seeding crosses an hour."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from envnb.sandbox import seed as seed_module
from envnb.sandbox.batch_exports import seed_runs
from envnb.sandbox.store import Store

STARTED = datetime(2026, 3, 18, 14, 59, 59, 900_000, tzinfo=UTC)


def test_a_seed_that_straddles_an_hour_writes_the_runs_due_when_it_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(seed_module, "now", lambda: STARTED)
    # A second reading of the clock, a moment later, would be in the next hour (15:00:00.9):
    # it must not decide which runs exist (it made 2155 runs, one Running, on a loaded machine).
    later = SimpleNamespace(time=lambda: STARTED.timestamp() + 1)
    monkeypatch.setattr(seed_runs, "time", later, raising=False)
    store = Store(None)
    seed_module.seed(
        store, seed=0, batch_exports=12, conversations=0, profile_configs=0, canary=False
    )
    with store.tx() as db:
        seed_runs.materialize(db, True)
        (export_id,) = db.execute(
            "SELECT id FROM batch_exports WHERE name = 'Events archive'"
        ).fetchone()
        rows = db.execute(
            "SELECT status, data_interval_end FROM runs WHERE batch_export_id = ?", (export_id,)
        ).fetchall()
    assert len(rows) == 2154
    assert max(r[1] for r in rows) == "2026-03-18T14:00:00Z"
