"""The one route table: every product's ``urls.ROUTES`` joined; dispatch and the OpenAPI
document both read it.

To add an operation: a ``Route(...)`` entry in its product's ``urls.py`` (a new product:
one more line in ``ROUTES`` below). Within a product, literal paths come before ``{id}`` ones.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .batch_exports import urls as batch_exports
from .conversations import urls as conversations
from .file_exports import urls as file_exports
from .insights import urls as insights
from .integrations import urls as integrations
from .profile_configs import urls as profile_configs
from .projects import urls as projects
from .query import urls as query
from .route import Route

ROUTES: tuple[Route, ...] = (
    *batch_exports.ROUTES,
    *conversations.ROUTES,
    *query.ROUTES,
    *profile_configs.ROUTES,
    *file_exports.ROUTES,
    *insights.ROUTES,
    *projects.ROUTES,
    *integrations.ROUTES,
)
PROJECT_ROUTES = tuple(r for r in ROUTES if r.project_scoped)
PREFIXES = ("environments", "projects")


class RouteRow(NamedTuple):
    """What the agreement test compares with the client's endpoint table."""

    method: str
    path: str  # with {name} placeholders and a final /: under /api/projects/{project_id}/,
    # or under /api/ for the routes that are not project-scoped
    scope: str | None
    project_scoped: bool


def route_rows() -> list[RouteRow]:
    """Every operation the sandbox serves, as (method, path template, scope, project_scoped)."""
    return [RouteRow(r.method, f"{r.path}/", r.scope, r.project_scoped) for r in ROUTES]


def _compile(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
    return re.compile(f"^{pattern}$")


_COMPILED = [(_compile(r.path), r) for r in PROJECT_ROUTES]
# Identity routes: `{id}` is a number or `@current`, `{organization_id}` a UUID or
# `@current`; /api/environments/ is an alias.
_IDENTITY_PARAMS = {"organization_id": r"[0-9a-fA-F-]{36}|@current"}
_IDENTITY_ID = r"\d+|@current"


def _identity_param(found: re.Match[str]) -> str:
    return f"(?P<{found[1]}>{_IDENTITY_PARAMS.get(found[1], _IDENTITY_ID)})"


_IDENTITY = [
    (re.compile("^/api/" + re.sub(r"\{(\w+)\}", _identity_param, r.path) + "/?$"), r)
    for r in ROUTES
    if not r.project_scoped
]
_ENVIRONMENTS = re.compile(r"^/api/environments/")


def match(rest: str, method: str) -> tuple[Route, dict[str, str]] | str | None:
    """The route for a path and method; "405" if only the method is wrong; None if none."""
    # Django/DRF answer HEAD with the GET handler (ViewSetMixin maps head -> get).
    method = "GET" if method == "HEAD" else method
    wrong_method = False
    for pattern, route in _COMPILED:
        found = pattern.match(rest)
        if found is None:
            continue
        if route.method == method:
            return route, found.groupdict()
        wrong_method = True
    return "405" if wrong_method else None


def match_identity(path: str, method: str) -> tuple[Route, dict[str, str]] | str | None:
    """The identity route of a whole path; "405" for a wrong method; None if not one."""
    path = _ENVIRONMENTS.sub("/api/projects/", path)  # the deprecated alias (contract §11)
    method = "GET" if method == "HEAD" else method
    for pattern, route in _IDENTITY:
        found = pattern.match(path)
        if found is not None:
            return (route, found.groupdict()) if route.method == method else "405"
    return None
