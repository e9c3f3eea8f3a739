"""HTTP of the identity endpoints under ``/api/`` (not under one project): the projects a
key can see, one project, the organization, the user. State and rules are in ``backend``.

Their own small table, matched before the project routes: they have no project prefix
(``/api/projects/{id}/`` is the project itself), so they are not in the OpenAPI document
of the project-scoped routes.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import JSONResponse, Response

from .. import auth, errors, paging
from ..context import Ctx
from ..endpoint import Endpoint
from . import backend

PROJECT_READ = "project:read"


def _org_id(ctx: Ctx) -> str:
    return ctx.store.meta("organization_id") or ""


def _rows(ctx: Ctx) -> list[Any]:
    rows = ctx.store.read("SELECT * FROM projects ORDER BY id")
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
    auth.check_project(ctx.key, project_id)
    row = ctx.store.one("SELECT * FROM projects WHERE id = ?", (project_id,))
    if row is None:
        raise errors.not_found()
    return JSONResponse(backend.project_json(row, _org_id(ctx)))


def get_organization(ctx: Ctx) -> Response:
    """GET /api/organizations/@current/ (rule 3 for project-limited keys)."""
    if ctx.key.scopes and ctx.key.project_ids is not None:
        raise errors.permission_denied(
            "API keys with scoped projects are only supported on project-based endpoints."
        )
    rows = ctx.store.read("SELECT * FROM projects ORDER BY id")
    created = ctx.store.meta("organization_created")
    return JSONResponse(backend.organization_json(rows, _org_id(ctx), created))


def get_me(ctx: Ctx) -> Response:
    """GET /api/users/@me/ (exempt from project limits, as in PostHog)."""
    user = ctx.store.one("SELECT * FROM users WHERE id = ?", (ctx.key.user_id,))
    if user is None:
        raise errors.not_found()
    org = _org_id(ctx)
    current = ctx.store.one("SELECT * FROM projects WHERE id = ?", (ctx.state.project_id,))
    rows = ctx.store.read("SELECT * FROM projects ORDER BY id")
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


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "projects_list",
        "GET",
        "projects",
        list_projects,
        PROJECT_READ,
        "core",
        "Projects the key can see",
        response="Project",
        paginated=True,
    ),
    Endpoint(
        "projects_retrieve",
        "GET",
        "projects/{id}",
        get_project,
        PROJECT_READ,
        "core",
        "One project",
        response="Project",
    ),
    Endpoint(
        "organizations_projects_list",
        "GET",
        "organizations/@current/projects",
        list_projects,
        PROJECT_READ,
        "core",
        "Projects of the current organization",
        response="Project",
        paginated=True,
    ),
    Endpoint(
        "organizations_retrieve",
        "GET",
        "organizations/@current",
        get_organization,
        "organization:read",
        "core",
        "The current organization",
        response="Organization",
    ),
    Endpoint(
        "users_me",
        "GET",
        "users/@me",
        get_me,
        "user:read",
        "core",
        "The key's user",
        response="User",
    ),
)

_COMPILED = [
    (re.compile("^/api/" + re.sub(r"\{(\w+)\}", r"(?P<\1>\\d+|@current)", e.path) + "/?$"), e)
    for e in ENDPOINTS
]
_ENVIRONMENTS = re.compile(r"^/api/environments/")


def match(path: str, method: str) -> tuple[Endpoint, dict[str, str]] | str | None:
    """The identity endpoint for a path; "405" for a wrong method; None if not one of them."""
    path = _ENVIRONMENTS.sub("/api/projects/", path)  # the deprecated alias (contract §11)
    method = "GET" if method == "HEAD" else method
    for pattern, endpoint in _COMPILED:
        found = pattern.match(path)
        if found is not None:
            return (endpoint, found.groupdict()) if endpoint.method == method else "405"
    return None
