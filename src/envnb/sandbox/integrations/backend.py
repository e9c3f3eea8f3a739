"""Integrations (PostHog's ``Integration`` model and ``IntegrationSerializer``).

Rules of this module:
1. Each project is seeded with one integration of every kind a batch-export destination
   names (``SEEDED``); an integration's ``sensitive_config`` is never in any answer.
2. An integration answers with PostHog's fields: ``id, kind, config, created_at, created_by,
   errors, display_name`` [src: PH:posthog/api/integration.py, posthog/models/integration].
3. ``display_name`` follows the model's property: S3-family kinds say their auth and account
   or endpoint, Databricks and Google Cloud their id, every other kind ``ID: <id>``.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .._util import dumps
from ..store import Store

SECRETS = "sandbox-secret-"  # the seed's leak marker (as batch_exports.seed)

# kind -> (integration_id, config, sensitive_config): one seeded integration per kind.
SEEDED: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "aws-s3": (
        "acme-exports",
        {"auth_type": "access key", "aws_account_id": "123456789012"},
        {"aws_access_key_id": SECRETS + "akid", "aws_secret_access_key": SECRETS + "sak"},
    ),
    "s3-compatible": (
        "acme-r2",
        {"auth_type": "access key", "endpoint_url": "https://acme.r2.cloudflarestorage.com"},
        {"aws_access_key_id": SECRETS + "r2id", "aws_secret_access_key": SECRETS + "r2sak"},
    ),
    "snowflake": (
        "acme-warehouse",
        {
            "name": "acme-warehouse",
            "account": "acme-xy12345",
            "user": "EXPORTER",
            "authentication_type": "password",
        },
        {"password": SECRETS + "pw"},
    ),
    "databricks": (
        "acme.cloud.databricks.com",
        {"server_hostname": "acme.cloud.databricks.com"},
        {"client_id": SECRETS + "dbid", "client_secret": SECRETS + "dbsecret"},
    ),
    "azure-blob": (
        "acmeexports",
        {"storage_account": "acmeexports"},
        {"connection_string": SECRETS + "azure"},
    ),
    "google-cloud-service-account": (
        "exporter@acme.iam.gserviceaccount.com",
        {"project_id": "acme-analytics"},
        {"private_key": SECRETS + "gcpk", "private_key_id": SECRETS + "gcpkid"},
    ),
    "postgresql": (
        "db.acme.example",
        {"host": "db.acme.example", "port": 5432, "database": "analytics"},
        {"user": SECRETS + "pguser", "password": SECRETS + "pgpw"},
    ),
    "aws-redshift": (
        "acme-redshift",
        {"aws_account_id": "123456789012"},
        {"aws_access_key_id": SECRETS + "rsid", "aws_secret_access_key": SECRETS + "rssak"},
    ),
}
KINDS = tuple(SEEDED)


def seed_integrations(db: Any, team_id: int, created_at: str, user_id: int) -> dict[str, int]:
    """Insert one integration of every kind for a project; their ids by kind."""
    ids = {}
    for kind, (name, config, sensitive) in SEEDED.items():
        cursor = db.execute(
            "INSERT INTO integrations (team_id, kind, integration_id, config, sensitive_config, "
            "errors, created_at, created_by) VALUES (?, ?, ?, ?, ?, '', ?, ?)",
            (team_id, kind, name, dumps(config), dumps(sensitive), created_at, user_id),
        )
        ids[kind] = int(cursor.lastrowid)
    return ids


def kind_of(store: Store, team_id: int, integration_id: int) -> tuple[str, dict[str, Any]] | None:
    """The kind and (public) config of this project's integration ``integration_id``; None:
    there is none."""
    row = store.one(
        "SELECT kind, config FROM integrations WHERE id = ? AND team_id = ?",
        (integration_id, team_id),
    )
    return None if row is None else (str(row["kind"]), json.loads(row["config"] or "{}"))


def _s3_family(name: str, config: dict[str, Any], where: str | None) -> str:
    auth = config.get("auth_type", "access key")
    return f"{name} ({auth}, {where})" if where else f"{name} ({auth})"


# kind -> display_name(integration_id, config); every other kind: "ID: <integration_id>".
_DISPLAY: dict[str, Any] = {
    "aws-s3": lambda name, config: _s3_family(
        name,
        config,
        f"AWS account {config['aws_account_id']}" if config.get("aws_account_id") else None,
    ),
    "s3-compatible": lambda name, config: _s3_family(name, config, config.get("endpoint_url")),
    "databricks": lambda name, config: name,
    "google-cloud-service-account": lambda name, config: name,
}


def _display_name(kind: str, name: str, config: dict[str, Any]) -> str:
    shown = _DISPLAY.get(kind)
    return str(shown(name, config)) if shown else f"ID: {name}"


def serialize(row: sqlite3.Row, users: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """An integration as PostHog answers it: never its sensitive config."""
    config = json.loads(row["config"])
    return {
        "id": row["id"],
        "kind": row["kind"],
        "config": config,
        "created_at": row["created_at"],
        "created_by": users.get(row["created_by"]) if row["created_by"] is not None else None,
        "errors": row["errors"],
        "display_name": _display_name(row["kind"], row["integration_id"], config),
    }
