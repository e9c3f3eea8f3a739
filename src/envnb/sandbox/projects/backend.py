"""State and rules of projects, the organization and the user (no HTTP here).

Rules:

1. One organization holds ``Sandbox(projects=N)`` projects with ids 1..N. Project 1 is the
   key's current project (what ``@current`` means), seeded exactly as a one-project
   sandbox; the others are seeded so that they differ from it (``drift``).
2. A key limited to some projects (``sb.create_key(projects=[...])``) sees only those in
   the project lists, and gets PostHog's 403 on any other project's endpoints.
3. A key limited to projects is refused on the organization endpoint, as PostHog refuses
   it on every view that is not project-based.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from typing import Any

from .._util import dumps, iso, now, seeded_uuid
from ..store import Store

ORGANIZATION_NAME = "Acme"
# Project 1 stands for staging, project 2 for production (the drifted copy).
PROJECT_NAMES = ("Staging", "Production")
OWNER = 15  # OrganizationMembership.Level.OWNER

# How every project after the first differs from project 1 (rule 1), as literal facts tests
# and the notebook rely on.
ONLY_IN_FIRST = ("Webhook relay", "Webhook relay 2")  # exports not copied to the others
ONLY_IN_OTHERS = {
    "name": "Audit log archive",
    "dest_type": "S3",
    "dest_config": {
        "bucket_name": "acme-audit",
        "region": "eu-west-1",
        "prefix": "audit/",
        "file_format": "JSONLines",
        "compression": "gzip",
    },
    "interval": "day",
}
DRIFTED_INTERVAL = ("Warehouse sync", "hour")  # "day" in project 1
DRIFTED_PREFIX = ("Events archive", "posthog/prod-events/")  # "posthog/events/" in project 1
CONFIG_MISSING = "group_2"  # project 1's group_2 layout (with an unknown panel) is not copied
CONFIG_RESET = "group_1"  # project 1's customised group_1 is PostHog's default elsewhere


def project_name(project_id: int) -> str:
    """The seeded name of a project."""
    if project_id <= len(PROJECT_NAMES):
        return PROJECT_NAMES[project_id - 1]
    return f"Project {project_id}"


def seed_projects(db: sqlite3.Connection, rng: random.Random, count: int) -> None:
    """The project rows 1..count and the organization (meta)."""
    stamp = iso(now())
    db.executemany(
        "INSERT INTO projects VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                pid,
                seeded_uuid(rng),
                project_name(pid),
                "phc_" + "".join(rng.choice("0123456789abcdef") for _ in range(32)),
                "UTC",
                stamp,
            )
            for pid in range(1, count + 1)
        ],
    )
    db.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("organization_id", seeded_uuid(rng)), ("organization_created", str(stamp))],
    )


def drift_exports(db: sqlite3.Connection, rng: random.Random, team_id: int, created: str) -> None:
    """Make project ``team_id``'s exports differ from project 1's (rule 1)."""
    db.executemany(
        "DELETE FROM batch_exports WHERE team_id = ? AND name = ?",
        [(team_id, name) for name in ONLY_IN_FIRST],
    )
    name, interval = DRIFTED_INTERVAL
    db.execute(
        "UPDATE batch_exports SET interval = ?, interval_offset = NULL "
        "WHERE team_id = ? AND name = ?",
        (interval, team_id, name),
    )
    name, prefix = DRIFTED_PREFIX
    row = db.execute(
        "SELECT id, dest_config FROM batch_exports WHERE team_id = ? AND name = ?",
        (team_id, name),
    ).fetchone()
    if row is not None:
        config = {**json.loads(row["dest_config"]), "prefix": prefix}
        db.execute(
            "UPDATE batch_exports SET dest_config = ? WHERE id = ?", (dumps(config), row["id"])
        )
    extra = ONLY_IN_OTHERS
    db.execute(
        "INSERT INTO batch_exports (id, team_id, name, model, dest_type, dest_config, interval, "
        "interval_offset, paused, created_at, last_updated_at, deleted) "
        "VALUES (?, ?, ?, 'events', ?, ?, ?, ?, 0, ?, ?, 0)",
        (
            seeded_uuid(rng),
            team_id,
            extra["name"],
            extra["dest_type"],
            dumps(extra["dest_config"]),
            extra["interval"],
            3 * 3600,
            created,
            created,
        ),
    )


def drift_configs(db: sqlite3.Connection, team_id: int) -> None:
    """Make project ``team_id``'s profile configs differ from project 1's (rule 1)."""
    db.execute(
        "DELETE FROM profile_configs WHERE team_id = ? AND scope = ?", (team_id, CONFIG_MISSING)
    )
    # Every group scope has the same default layout: take group_3's (seeded as defaults).
    default = db.execute(
        "SELECT content, sidebar FROM profile_configs WHERE team_id = ? AND scope = 'group_3' "
        "ORDER BY created_at LIMIT 1",
        (team_id,),
    ).fetchone()
    if default is not None:
        db.execute(
            "UPDATE profile_configs SET content = ?, sidebar = ? WHERE team_id = ? AND scope = ?",
            (default["content"], default["sidebar"], team_id, CONFIG_RESET),
        )


# ---- reading ---------------------------------------------------------------------------------


def exists(db_read: Any, project_id: int) -> bool:
    """Whether the project exists (``db_read``: the store's ``one``)."""
    return db_read("SELECT 1 FROM projects WHERE id = ?", (project_id,)) is not None


def all_projects(store: Store) -> list[sqlite3.Row]:
    """Every project of the organization, by id."""
    return store.read("SELECT * FROM projects ORDER BY id")


def project(store: Store, project_id: int) -> sqlite3.Row | None:
    """One project, or None."""
    return store.one("SELECT * FROM projects WHERE id = ?", (project_id,))


def user(store: Store, user_id: int) -> sqlite3.Row | None:
    """One user, or None."""
    return store.one("SELECT * FROM users WHERE id = ?", (user_id,))


def api_key(store: Store, value: str) -> sqlite3.Row | None:
    """The stored row of a personal API key, or None."""
    return store.one("SELECT * FROM api_keys WHERE key = ?", (value,))


def visible(rows: list[sqlite3.Row], limited_to: tuple[int, ...] | None) -> list[sqlite3.Row]:
    """The projects a key sees (rule 2)."""
    return [r for r in rows if limited_to is None or int(r["id"]) in limited_to]


def project_json(row: sqlite3.Row, organization_id: str) -> dict[str, Any]:
    """A project as PostHog's ``ProjectBackwardCompatBasicSerializer`` shows it."""
    return {
        "id": int(row["id"]),
        "uuid": row["uuid"],
        "organization": organization_id,
        "api_token": row["api_token"],
        "name": row["name"],
        "completed_snippet_onboarding": True,
        "has_completed_onboarding_for": {"product_analytics": True},
        "ingested_event": True,
        "is_demo": False,
        "timezone": row["timezone"],
        "access_control": False,
    }


def _sandbox_token(prefix: str, row: sqlite3.Row) -> str:
    """A fake token, stable per project and plainly the sandbox's (never the API key)."""
    digest = hashlib.sha256(f"{prefix}:{row['uuid']}".encode()).hexdigest()[:32]
    return f"{prefix}sandbox_{digest}"


def project_detail(row: sqlite3.Row, organization_id: str) -> dict[str, Any]:
    """A project as ``ProjectBackwardCompatSerializer`` shows it (``projects/{id}/``): the
    list's fields plus every field PostHog's document requires [PH openapi.yaml @1404d6c
    ProjectBackwardCompat; posthog/api/project.py]. The sandbox has no group types, product
    intents or setup tasks, so those are empty; ``default_modifiers``,
    ``person_on_events_querying_enabled`` and ``product_intents`` are documented as strings
    but PostHog answers the team's object, boolean and list, and so does the sandbox."""
    return {
        **project_json(row, organization_id),
        "created_at": row["created_at"],
        "updated_at": row["created_at"],
        "effective_membership_level": OWNER,
        "has_group_types": False,
        "group_types": [],
        # PostHog's is a JWT for its livestream service, which the sandbox does not have.
        "live_events_token": _sandbox_token("live_", row),
        "default_modifiers": {"personsOnEventsMode": "person_id_override_properties_on_events"},
        "person_on_events_querying_enabled": True,
        "product_intents": [],
        "available_setup_task_ids": [],
        "secret_api_token": _sandbox_token("phs_", row),
        "secret_api_token_backup": None,  # only set while a rotated token is still accepted
    }


def project_basic(row: sqlite3.Row, organization_id: str) -> dict[str, Any]:
    """A project as ``ProjectBasicSerializer`` shows it (nested in the organization)."""
    return {"id": int(row["id"]), "organization_id": organization_id, "name": row["name"]}


def organization_json(
    rows: list[sqlite3.Row], organization_id: str, created: str | None
) -> dict[str, Any]:
    """The organization as ``OrganizationSerializer`` shows it (the fields a client reads)."""
    return {
        "id": organization_id,
        "name": ORGANIZATION_NAME,
        "slug": ORGANIZATION_NAME.lower(),
        "logo_media_id": None,
        "created_at": created,
        "updated_at": created,
        "membership_level": OWNER,
        "teams": [project_json(r, organization_id) for r in rows],
        "projects": [project_basic(r, organization_id) for r in rows],
        "member_count": 2,
    }


def organization_basic(organization_id: str) -> dict[str, Any]:
    """``OrganizationBasicSerializer``: what ``users/@me/`` lists."""
    return {
        "id": organization_id,
        "name": ORGANIZATION_NAME,
        "slug": ORGANIZATION_NAME.lower(),
        "logo_media_id": None,
        "membership_level": OWNER,
        "members_can_use_personal_api_keys": True,
    }
