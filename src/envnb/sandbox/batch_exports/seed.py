"""Seeded batch exports: one per entry of the plan below, cycling destinations and intervals
(every third paused). Their runs and backfills are ``seed_runs``'s."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from .._util import dumps, iso, seeded_uuid

SECRETS = "sandbox-secret-"  # prefix of seeded secret values, handy for leak tests

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
INTERVALS = ("hour", "day", "week", "hour", "day")  # the default cycle


def seed_exports(
    db: Any,
    rng: random.Random,
    anchor: datetime,
    n: int,
    canary: bool,
    intervals: tuple[str, ...],
    team_id: int,
    canary_names: tuple[str, ...],
) -> list[str]:
    """Insert ``n`` exports of ``team_id``; their ids in creation order."""
    rows = []
    for i in range(n):
        dtype, base_name, config = _EXPORT_PLAN[i % len(_EXPORT_PLAN)]
        name = f"{base_name} {i // len(_EXPORT_PLAN) + 1}" if i >= len(_EXPORT_PLAN) else base_name
        if canary and i < 2:
            name = f"{base_name} {canary_names[i]}"
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


def attach_integrations(db: Any, team_id: int, ids: dict[str, int]) -> None:
    """Give the project's seeded exports of a type that must name an integration the seeded
    one of its kind (``ids``: integration id by kind), as PostHog's would have."""
    from .destinations import DESTINATIONS

    for dtype, spec in DESTINATIONS.items():
        if spec.integration is not None and spec.integration_required in ("always", "kept"):
            db.execute(
                "UPDATE batch_exports SET integration = ? WHERE team_id = ? AND dest_type = ?",
                (ids[spec.integration], team_id, dtype),
            )
