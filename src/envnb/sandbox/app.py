"""The ASGI app: parse, authenticate, check scopes, dispatch through the route table."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

from starlette import routing
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from . import auth, errors, forms, routes
from .context import Ctx, State
from .faults import FaultMiddleware
from .file_exports import routes as file_export_routes
from .paths import split_project
from .route import Route
from .schema import openapi

log = logging.getLogger("envnb.sandbox")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


async def _parse_body(request: Request, schema: str | None) -> Any:
    """The body as DRF's parsers give it to the operation whose request component is
    ``schema``: JSON, or a form read field by field (:mod:`.forms`)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    if forms.is_form(content_type):
        try:
            items = forms.pairs(await request.form())
        except (HTTPException, MultiPartException) as exc:
            detail = getattr(exc, "detail", None) or getattr(exc, "message", str(exc))
            message = f"Multipart form parse error - {detail}"  # DRF MultiPartParser's words
            raise errors.ApiError(
                400, errors.body("invalid_request", "parse_error", message)
            ) from None
        return forms.form_data(items, schema)
    if content_type and "json" not in content_type:
        raise errors.ApiError(
            415,
            errors.body(
                "invalid_request",
                "unsupported_media_type",
                f'Unsupported media type "{content_type}" in request.',
            ),
        )
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.ApiError(
            400, errors.body("invalid_request", "parse_error", f"JSON parse error - {exc}")
        ) from None


def build_app(state: State) -> ASGIApp:
    """The sandbox as an ASGI app (fault middleware outermost)."""

    async def dispatch(request: Request) -> Response:
        try:
            response = await _dispatch(state, request)
        except errors.ApiError as exc:
            response = exc.response()
        except ClientDisconnect:
            return Response(status_code=499)  # the client left before its body arrived
        except Exception:
            log.exception("sandbox handler failed")
            response = errors.server_error().response()
        response.headers.update(deprecation_headers(request.url.path))
        return response

    async def unrouted(request: Request, _exc: Exception) -> Response:
        # Starlette's `path` convertor stops at a line break (`.` in its regex), so a path
        # with an encoded newline would get Starlette's plain-text 404; PostHog's router
        # matches it like any other character. Such paths go through dispatch too.
        return await dispatch(request)

    app = Starlette(
        routes=[routing.Route("/{rest:path}", dispatch, methods=METHODS)],
        exception_handlers={404: unrouted},
    )
    return FaultMiddleware(app, state.faults, state.store)


# PostHog's API_ENVIRONMENTS_SUNSET_DATE default (2026-07-31) as an HTTP date (RFC 8594).
ENVIRONMENTS_SUNSET = "Fri, 31 Jul 2026 00:00:00 GMT"


def deprecation_headers(path: str) -> dict[str, str]:
    """What PostHog's EnvironmentsRewriteMiddleware adds to an ``/api/environments/`` answer
    (served in place, no redirect): ``Deprecation``, ``Sunset`` and the successor ``Link``."""
    if not path.startswith("/api/environments/"):
        return {}
    # Percent-encoded: a header is latin-1, a decoded path may hold any character.
    successor = quote("/api/projects/" + path.removeprefix("/api/environments/"), safe="/@:")
    return {
        "Deprecation": "true",
        "Sunset": ENVIRONMENTS_SUNSET,
        "Link": f'<{successor}>; rel="successor-version"',
    }


async def _dispatch(state: State, request: Request) -> Response:
    path = request.url.path
    if path.rstrip("/") == "/api/schema":
        return JSONResponse(openapi(str(request.base_url).rstrip("/")))
    if path == "/":
        return JSONResponse(
            {"envnb_sandbox": True, "project_id": state.project_id, "schema": "/api/schema/"}
        )
    if path.startswith(file_export_routes.OBJECT_PREFIX):  # presigned links: no API key
        return await file_export_routes.serve_object(state, request)
    identity = routes.match_identity(path, request.method)
    if identity is not None:
        return await _identity(state, request, identity)
    split = split_project(path)
    if split is None:
        raise errors.endpoint_not_found()
    project_id, rest = split
    found = routes.match(rest, request.method)
    if found is None:
        raise errors.endpoint_not_found()
    data = await _parse_body(request, None if isinstance(found, str) else found[0].request)
    # DRF authenticates in initial(), before it looks up the method's handler: a caller
    # without a valid key gets 401 even on a method the route does not serve.
    key = auth.authenticate(state.store, request, data)
    if found == "405":
        raise errors.method_not_allowed(request.method)
    assert not isinstance(found, str)
    route, params = found
    if project_id is None:
        # `@current`: the key's user has one current project here, the sandbox's.
        project_id = state.project_id
    auth.check_project(key, project_id)
    if not _project_exists(state, project_id):
        raise errors.not_found()
    auth.check_scope(key, route.scope)
    ctx = Ctx(
        request=request, state=state, key=key, project_id=project_id, params=params, data=data
    )
    return route.handler(ctx)


def _project_exists(state: State, project_id: int) -> bool:
    # A --db made before projects were stored has no rows: its one project still exists.
    row = state.store.one("SELECT 1 FROM projects WHERE id = ?", (project_id,))
    return row is not None or project_id == state.project_id


async def _identity(
    state: State, request: Request, found: tuple[Route, dict[str, str]] | str
) -> Response:
    """An endpoint under /api/ that is not under one project (``routes.match_identity``)."""
    data = await _parse_body(request, None if isinstance(found, str) else found[0].request)
    key = auth.authenticate(state.store, request, data)
    if isinstance(found, str):
        raise errors.method_not_allowed(request.method)
    route, params = found
    auth.check_scope(key, route.scope)
    ctx = Ctx(
        request=request,
        state=state,
        key=key,
        project_id=state.project_id,
        params=params,
        data=data,
    )
    return route.handler(ctx)
