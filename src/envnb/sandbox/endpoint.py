"""One operation of the sandbox's route table (dispatch and the OpenAPI document read it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import Response

from .context import Ctx

NO_SCOPES = None  # a custom action without required_scopes: scoped keys get 403


@dataclass(frozen=True)
class Endpoint:
    """One operation: method + path under the project prefix, handler, scope, docs."""

    name: str
    method: str
    path: str
    handler: Callable[[Ctx], Response]
    scope: str | None
    tag: str
    summary: str
    request: str | None = None  # component schema name of the JSON body
    response: str | None = None  # component schema name of the 2xx body
    status: int = 200
    paginated: bool = False
    streaming: bool = False
    query: tuple[str, ...] = ()
    options: tuple[str, ...] = ()  # optional query parameters (strings; `status` repeats)
    cursor_paged: bool = False  # DRF CursorPagination: {next, previous, results}, no count
    errors: tuple[int, ...] = ()  # error statuses beyond 401/403/404 worth documenting
