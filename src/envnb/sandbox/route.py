"""One operation of the sandbox: the fields dispatch and the OpenAPI document read.

Each product folder lists its operations in ``<product>/urls.py`` as ``Route`` entries built
with keywords; :mod:`envnb.sandbox.routes` joins them into the one table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from starlette.responses import Response

from .context import Ctx

NO_SCOPES = None  # a custom action without required_scopes: scoped keys get 403


@dataclass(frozen=True)
class Doc:
    """A documented answer beyond the usual ones: its description and JSON body schema
    (a component name; None for an empty body)."""

    description: str
    schema: str | None = "Error"


@dataclass(frozen=True, kw_only=True)
class Route:
    """One operation: method + path under the project prefix, handler, scope, docs."""

    name: str  # the OpenAPI operationId (PostHog's, without `_environments`)
    method: str
    path: str  # under /api/{projects|environments}/{project_id}/, no trailing slash
    handler: Callable[[Ctx], Response]
    scope: str | None  # the required scope; NO_SCOPES: refused to every scoped key
    tag: str
    summary: str
    request: str | None = None  # component schema name of the JSON body
    response: str | None = None  # component schema name of the 2xx body
    status: int = 200
    paginated: bool = False  # LimitOffsetPagination: {count, next, previous, results}
    cursor_paged: bool = False  # DRF CursorPagination: {next, previous, results}, no count
    streaming: bool = False  # text/event-stream
    query: tuple[str, ...] = ()  # required query parameters
    options: tuple[str, ...] = ()  # optional query parameters (strings; `status` repeats)
    errors: tuple[int, ...] = ()  # error statuses beyond 401/403/404 worth documenting
    string_id: bool = False  # `{id}` is not a UUID (query ids)
    project_scoped: bool = True  # False: `path` is under /api/ itself (identity routes)
    answers: Mapping[int, Doc] = field(default_factory=dict)  # documented last, they win
