"""Deterministic seeding: the same seed and sizes always give the same rows and ids."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from ._util import SecondsFormatter, dumps, iso, now, seeded_uuid
from .batch_exports import schedule, seed_runs
from .conversations.content import CANARY, CANARY_HISTORY, QUESTIONS
from .conversations.timeline import conversation_times
from .profile_configs.seed import seed_profile_configs
from .projects import backend as project_backend
from .store import CONVERSATIONS_INDEX, Store

PROJECT_ID = 1
MAIN_USER = 1
OTHER_USER = 2
SECRETS = "sandbox-secret-"  # prefix of seeded secret values, handy for leak tests

USERS = (
    (MAIN_USER, "Ada", "Lovelace", "ada@example.com"),
    (OTHER_USER, "Grace", "Hopper", "grace@example.com"),
)

_EXPORT_PLAN: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "S3",
        "Events archive",
        {
            "bucket_name": "acme-events",
            "region": "us-east-1",
            "prefix": "posthog/events/",
            "file_format": "Parquet",
            "compression": "zstd",
            "aws_access_key_id": SECRETS + "akid",
            "aws_secret_access_key": SECRETS + "sak",
        },
    ),
    (
        "Snowflake",
        "Warehouse sync",
        {
            "account": "acme-xy12345",
            "user": SECRETS + "user",
            "password": SECRETS + "pw",
            "database": "ANALYTICS",
            "warehouse": "COMPUTE_WH",
            "schema": "POSTHOG",
            "table_name": "events",
        },
    ),
    (
        "BigQuery",
        "BigQuery events",
        {
            "project_id": "acme-analytics",
            "dataset_id": "posthog",
            "table_id": "events",
            "private_key": SECRETS + "pk",
            "private_key_id": SECRETS + "pkid",
            "token_uri": "https://oauth2.googleapis.com/token",
            "client_email": "exporter@acme.iam.gserviceaccount.com",
        },
    ),
    (
        "Postgres",
        "Postgres mirror",
        {
            "user": SECRETS + "user",
            "password": SECRETS + "pw",
            "host": "db.acme.internal",
            "database": "analytics",
            "schema": "public",
            "table_name": "events",
            "port": 5432,
        },
    ),
    (
        "HTTP",
        "Webhook relay",
        {"url": "https://hooks.acme.test/posthog", "token": SECRETS + "token"},
    ),
    (
        "Redshift",
        "Redshift copy",
        {
            "user": SECRETS + "user",
            "password": SECRETS + "pw",
            "host": "acme.redshift.amazonaws.com",
            "database": "dev",
            "port": 5439,
        },
    ),
)
_INTERVALS = ("hour", "day", "week", "hour", "day")


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
    anchor = now().replace(second=0, microsecond=0)
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
        export_ids = _seed_exports(db, rng, anchor, batch_exports, canary, intervals or _INTERVALS)
        _seed_conversations(db, rng, anchor, conversations, canary)
        seed_profile_configs(db, rng, anchor, profile_configs, PROJECT_ID, MAIN_USER)
        # Drawn after project 1's rows, so a one-project sandbox is seeded as it always was.
        project_backend.seed_projects(db, rng, projects)
        for team in range(PROJECT_ID + 1, projects + 1):
            _seed_exports(db, rng, anchor, batch_exports, False, intervals or _INTERVALS, team)
            project_backend.drift_exports(db, rng, team, iso(anchor - timedelta(days=20)) or "")
            rows = db.execute(
                "SELECT id FROM batch_exports WHERE team_id = ? ORDER BY rowid", (team,)
            )
            export_ids += [row[0] for row in rows]
            _seed_conversations(db, rng, anchor, conversations // 2, False, team)
            seed_profile_configs(db, rng, anchor, profile_configs, team, MAIN_USER)
            project_backend.drift_configs(db, team)
        seed_runs.defer(db, export_ids, anchor.timestamp(), seed)
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("seeded", iso(anchor)),
                ("seed", str(seed)),
                ("project_id", str(PROJECT_ID)),
                ("api_key", main_key),
                ("canary", "1" if canary else "0"),
            ],
        )


def _seed_exports(
    db: Any,
    rng: random.Random,
    anchor: datetime,
    n: int,
    canary: bool,
    intervals: tuple[str, ...],
    team_id: int = PROJECT_ID,
) -> list[str]:
    rows = []
    for i in range(n):
        dtype, base_name, config = _EXPORT_PLAN[i % len(_EXPORT_PLAN)]
        name = f"{base_name} {i // len(_EXPORT_PLAN) + 1}" if i >= len(_EXPORT_PLAN) else base_name
        if canary and i < 2:
            name = f"{base_name} {CANARY[i]}"
        interval = intervals[i % len(intervals)]
        offset = {"day": 3 * 3600, "week": 86400 + 2 * 3600}.get(interval)
        created = anchor - timedelta(days=90 - i, hours=i)
        paused = i % 3 == 2
        export_id = seeded_uuid(rng)
        rows.append(
            (
                export_id,
                team_id,
                name,
                "events",
                dtype,
                dumps(config),
                None,
                interval,
                offset,
                int(paused),
                iso(created),
                iso(created + timedelta(days=1)),
                iso(anchor - timedelta(days=2, hours=i)) if paused else None,
                None,
                None,
                None,
                None,
                None,
                None,
                0,
            )
        )
    db.executemany(f"INSERT INTO batch_exports VALUES ({','.join('?' * 20)})", rows)
    return [row[0] for row in rows]


def _seed_conversations(
    db: Any, rng: random.Random, anchor: datetime, n: int, canary: bool, team_id: int = PROJECT_ID
) -> None:
    """Conversations over the last 90 days (weekly rhythm, growth); 100k take seconds."""
    fmt = SecondsFormatter()
    times = conversation_times(n, int(anchor.timestamp()) - 300, rng)
    count = len(QUESTIONS)
    rand = rng.random

    def rows() -> Any:
        for i, updated in enumerate(times):
            template = int(rand() * count)
            title = QUESTIONS[template][0]
            history = template
            if canary and i < 2:
                title = f"{title} {CANARY[i]}"
                history += CANARY_HISTORY
            created = updated - 180 - 60 * (i % 20)
            yield (
                seeded_uuid(rng),
                team_id,
                MAIN_USER,
                title,
                "idle",
                "assistant",
                0,
                fmt(created),
                fmt(updated),
                history,
                1,
            )

    # Building the list index once after the bulk insert beats maintaining it row by row.
    db.execute("DROP INDEX IF EXISTS conversations_list")
    db.executemany("INSERT INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows())
    db.execute(CONVERSATIONS_INDEX)
    # Another user's conversations (for "Cannot access other users' conversations") and
    # an internal one of the main user that lists must hide.
    extra = []
    for j in range(3):
        updated = anchor - timedelta(hours=6 * j + 1)
        extra.append(
            (
                seeded_uuid(rng),
                team_id,
                OTHER_USER,
                QUESTIONS[j][0],
                "idle",
                "assistant",
                0,
                iso(updated - timedelta(minutes=2)),
                iso(updated),
                j,
                1,
            )
        )
    hidden = anchor - timedelta(hours=2)
    extra.append(
        (
            seeded_uuid(rng),
            team_id,
            MAIN_USER,
            "Internal support session",
            "idle",
            "assistant",
            1,
            iso(hidden),
            iso(hidden),
            0,
            0,
        )
    )
    db.executemany("INSERT INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?,?)", extra)
