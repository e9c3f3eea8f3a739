"""HTTP of the identity endpoints under ``/api/`` (not under one project): the projects a
key can see, one project, the organization, the user. State and rules are in ``backend``.

Their routes (``urls.py``, ``project_scoped=False``) are matched before the project routes:
they have no project prefix (``/api/projects/{id}/`` is the project itself), so they are not
in the OpenAPI document of the project-scoped routes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.responses import JSONResponse, Response

from .. import auth, errors, paging
from ..context import Ctx
from . import backend


def _org_id(ctx: Ctx) -> str:
    return ctx.store.meta("organization_id") or ""


def _rows(ctx: Ctx) -> list[Any]:
    rows = backend.all_projects(ctx.store)
    return backend.visible(rows, ctx.key.project_ids)


def list_projects(ctx: Ctx) -> Response:
    """GET /api/projects/ and /api/organizations/@current/projects/ (rule 2: filtered)."""
    rows = _rows(ctx)
    org = _org_id(ctx)

    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        return [backend.project_json(r, org) for r in rows[offset : offset + limit]]

    return JSONResponse(paging.page(ctx.request, len(rows), fetch))


def get_project(ctx: Ctx) -> Response:
    """GET /api/projects/{id}/ (``@current``: the key's current project)."""
    raw = ctx.params["id"]
    project_id = ctx.state.project_id if raw == "@current" else int(raw)
    if project_id > paging.MAX_INT64:  # PostHog's id is a bigint: beyond it nothing is found
        raise errors.not_found()
    auth.check_project(ctx.key, project_id)
    row = backend.project(ctx.store, project_id)
    if row is None:
        raise errors.not_found()
    return JSONResponse(backend.project_detail(row, _org_id(ctx)))


def get_organization(ctx: Ctx) -> Response:
    """GET /api/organizations/@current/ or /api/organizations/{id}/ (rule 3 for
    project-limited keys); another organization's id is not found, as in PostHog."""
    if ctx.params.get("organization_id", "@current") not in ("@current", _org_id(ctx)):
        raise errors.not_found()
    if ctx.key.scopes and ctx.key.project_ids is not None:
        raise errors.permission_denied(
            "API keys with scoped projects are only supported on project-based endpoints."
        )
    rows = backend.all_projects(ctx.store)
    created = ctx.store.meta("organization_created")
    return JSONResponse(backend.organization_json(rows, _org_id(ctx), created))


def get_me(ctx: Ctx) -> Response:
    """GET /api/users/@me/ (exempt from project limits, as in PostHog)."""
    user = backend.user(ctx.store, ctx.key.user_id)
    if user is None:
        raise errors.not_found()
    org = _org_id(ctx)
    current = backend.project(ctx.store, ctx.state.project_id)
    rows = backend.all_projects(ctx.store)
    return JSONResponse(
        {
            "uuid": user["uuid"],
            "distinct_id": user["distinct_id"],
            "first_name": user["first_name"],
            "last_name": user["last_name"],
            "email": user["email"],
            "is_email_verified": True,
            "team": None if current is None else backend.project_json(current, org),
            "organization": backend.organization_json(
                rows, org, ctx.store.meta("organization_created")
            ),
            "organizations": [backend.organization_basic(org)],
        }
    )


def current_key(ctx: Ctx) -> Response:
    """GET /api/personal_api_keys/@current/: the calling key, as PostHog's
    PersonalAPIKeySerializer shows it (never its value; ``mask_value`` is its first and last
    four characters)."""
    value = auth.find_key(ctx.request, ctx.data) or ""
    row = backend.api_key(ctx.store, value)
    if row is None:
        raise errors.not_found()
    scopes = json.loads(row["scopes"]) if row["scopes"] else []
    return JSONResponse(
        {
            # A stable id that reveals nothing of the key (the sandbox stores no key ids).
            "id": hashlib.sha256(b"envnb-key-id:" + value.encode()).hexdigest()[:22],
            "label": row["label"],
            "value": None,
            "mask_value": f"{value[:4]}...{value[-4:]}",
            "created_at": ctx.store.meta("organization_created"),
            "last_used_at": None,
            "user_id": row["user_id"],
            "scopes": scopes or ["*"],
            "scoped_teams": json.loads(row["project_ids"]) if row["project_ids"] else [],
            "scoped_organizations": [],
            "last_rolled_at": None,
        }
    )
