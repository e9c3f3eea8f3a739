"""Personal API keys and scopes, as PostHog's ``PersonalAPIKeyAuthentication`` and
``APIScopePermission`` enforce them."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from . import errors
from .store import Store

SCOPE_RE = re.compile(r"^(\*|INTERNAL|[a-z_]+:(read|write))$")


@dataclass(frozen=True)
class KeyInfo:
    """Who is calling: the user and the key's scopes (None = legacy key, may do anything)."""

    user_id: int
    scopes: tuple[str, ...] | None
    project_ids: tuple[int, ...] | None


def find_key(request: Request, data: Any) -> str | None:
    """The key candidate, in PostHog's order; only the first candidate found is tried."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        # OAuth and project-secret tokens belong to other authenticators.
        if token and not token.startswith(("pha_", "phs_")):
            return token
    if isinstance(data, dict) and isinstance(data.get("personal_api_key"), str):
        return str(data["personal_api_key"])
    return request.query_params.get("personal_api_key")


def authenticate(store: Store, request: Request, data: Any) -> KeyInfo:
    """Resolve the caller or raise PostHog's 401."""
    key = find_key(request, data)
    if key is None:
        raise errors.not_authenticated()
    with store.lock:
        store.keys_seen[key] += 1
    row = store.one("SELECT user_id, scopes, project_ids FROM api_keys WHERE key = ?", (key,))
    if row is None:
        raise errors.invalid_key()
    scopes = None if row["scopes"] is None else tuple(json.loads(row["scopes"]))
    projects = None if row["project_ids"] is None else tuple(json.loads(row["project_ids"]))
    return KeyInfo(int(row["user_id"]), scopes, projects)


def check_project(key: KeyInfo, project_id: int) -> None:
    """403 when a project-limited key is used on another project."""
    if key.project_ids is not None and project_id not in key.project_ids:
        raise errors.permission_denied(
            f"API key does not have access to the requested project: ID {project_id}."
        )


# A view without a scope object (PostHog's PersonalAPIKeyViewSet): any key, no scope check.
SELF_ACCESS = ""


def check_scope(key: KeyInfo, required: str | None) -> None:
    """Apply ``APIScopePermission``; ``required`` None marks an action without scopes."""
    if not key.scopes or required == SELF_ACCESS:
        # PostHog tests ``if not key_scopes``: no scopes and an empty list are both legacy.
        return
    if required is None:
        raise errors.permission_denied("This action does not support Personal API Key access")
    if "*" in key.scopes:
        return
    if required in key.scopes:
        return
    if required.endswith(":read") and required[:-5] + ":write" in key.scopes:
        return
    raise errors.permission_denied(f"API key missing required scope '{required}'")


def create_key(
    store: Store, user_id: int, scopes: list[str] | None, project_ids: list[int] | None = None
) -> str:
    """Issue a personal key for ``user_id`` limited to ``scopes`` (None or [] = legacy key)."""
    if scopes is not None:
        if isinstance(scopes, str):
            raise TypeError("scopes must be a list of strings, not a string")
        bad = [scope for scope in scopes if not isinstance(scope, str) or not SCOPE_RE.match(scope)]
        if bad:
            raise ValueError(
                f"Invalid scope(s): {bad!r}; expected '<object>:read|write', '*' or 'INTERNAL'"
            )
    key = "phx_" + secrets.token_hex(20)
    with store.tx() as db:
        db.execute(
            "INSERT INTO api_keys VALUES (?, ?, ?, ?, 'scoped')",
            (
                key,
                user_id,
                None if scopes is None else json.dumps(list(scopes)),
                None if project_ids is None else json.dumps(list(project_ids)),
            ),
        )
    return key
