"""Deterministic seeding: the same seed and sizes always give the same rows and ids."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from ._util import iso, now, seeded_uuid
from .batch_exports import schedule, seed_runs
from .batch_exports.seed import INTERVALS, attach_integrations, seed_exports
from .conversations.content import CANARY
from .conversations.seed import seed_conversations, seed_sandbox_runtime
from .integrations.backend import seed_integrations
from .profile_configs.seed import seed_profile_configs
from .projects import backend as project_backend
from .store import Store

PROJECT_ID = 1
MAIN_USER = 1
OTHER_USER = 2

USERS = (
    (MAIN_USER, "Ada", "Lovelace", "ada@example.com"),
    (OTHER_USER, "Grace", "Hopper", "grace@example.com"),
)


def seed(
    store: Store,
    *,
    seed: int,
    batch_exports: int,
    intervals: tuple[str, ...] | None = None,
    conversations: int,
    profile_configs: int,
    canary: bool,
    projects: int = 1,
) -> None:
    """Fill an empty store; a store that already holds data (``--db``) is left alone.

    Project 1 is seeded the same whatever ``projects`` is; projects 2..N hold the same
    objects with the differences listed in ``projects.backend`` (rule 1 there).
    """
    if store.meta("seeded") is not None:
        return
    unknown = sorted(set(intervals or ()) - set(schedule.STEP))
    if unknown:
        raise ValueError(f"unknown export intervals {unknown}; allowed: {', '.join(schedule.STEP)}")
    rng = random.Random(seed)
    # One instant for the whole seed: the history's runs are those due by ``started``; a
    # second reading of the clock could fall in the next hour and add a Running run.
    started = now()
    anchor = started.replace(second=0, microsecond=0)
    main_key = "phx_" + "".join(rng.choice("0123456789abcdef") for _ in range(40))
    with store.tx() as db:
        db.executemany(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
            [
                (uid, seeded_uuid(rng), f"user-{uid}", first, last, email)
                for uid, first, last, email in USERS
            ],
        )
        db.execute("INSERT INTO api_keys VALUES (?, ?, NULL, NULL, 'main')", (main_key, MAIN_USER))
        export_ids = seed_exports(
            db, rng, anchor, batch_exports, canary, intervals or INTERVALS, PROJECT_ID, CANARY
        )
        _integrations(db, PROJECT_ID, anchor)
        seed_conversations(db, rng, anchor, conversations, canary, **_users(PROJECT_ID))
        seed_sandbox_runtime(db, anchor, team_id=PROJECT_ID, user=OTHER_USER)
        seed_profile_configs(db, rng, anchor, profile_configs, PROJECT_ID, MAIN_USER)
        # Drawn after project 1's rows, so a one-project sandbox is seeded as it always was.
        project_backend.seed_projects(db, rng, projects)
        for team in range(PROJECT_ID + 1, projects + 1):
            seed_exports(
                db, rng, anchor, batch_exports, False, intervals or INTERVALS, team, CANARY
            )
            project_backend.drift_exports(db, rng, team, iso(anchor - timedelta(days=20)) or "")
            _integrations(db, team, anchor)
            rows = db.execute(
                "SELECT id FROM batch_exports WHERE team_id = ? ORDER BY rowid", (team,)
            )
            export_ids += [row[0] for row in rows]
            seed_conversations(db, rng, anchor, conversations // 2, False, **_users(team))
            seed_profile_configs(db, rng, anchor, profile_configs, team, MAIN_USER)
            project_backend.drift_configs(db, team)
        seed_runs.defer(db, export_ids, anchor.timestamp(), seed, started.timestamp())
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("seeded", iso(anchor)),
                # The instant the history is the history of: runs created after it are live.
                ("seeded_at", iso(started)),
                ("seed", str(seed)),
                ("project_id", str(PROJECT_ID)),
                ("api_key", main_key),
                ("canary", "1" if canary else "0"),
            ],
        )


def _integrations(db: Any, team_id: int, anchor: datetime) -> None:
    """One integration of every kind, older than the exports; seeded exports name theirs."""
    ids = seed_integrations(db, team_id, iso(anchor - timedelta(days=120)) or "", MAIN_USER)
    attach_integrations(db, team_id, ids)


def _users(team_id: int) -> dict[str, int]:
    return {"team_id": team_id, "owner": MAIN_USER, "other_user": OTHER_USER}
