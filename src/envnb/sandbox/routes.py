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
from .profile_configs import urls as profile_configs
from .query import urls as query
from .route import Route

ROUTES: tuple[Route, ...] = (
    *batch_exports.ROUTES,
    *conversations.ROUTES,
    *query.ROUTES,
    *profile_configs.ROUTES,
    *file_exports.ROUTES,
)
PREFIXES = ("environments", "projects")


class RouteRow(NamedTuple):
    """What the agreement test compares with the client's endpoint table."""

    method: str
    path: str  # under /api/projects/{project_id}/, with {name} placeholders and a final /
    scope: str | None


def route_rows() -> list[RouteRow]:
    """Every operation the sandbox serves, as (method, path template, scope)."""
    return [RouteRow(r.method, f"{r.path}/", r.scope) for r in ROUTES]


def _compile(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
    return re.compile(f"^{pattern}$")


_COMPILED = [(_compile(r.path), r) for r in ROUTES]


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
