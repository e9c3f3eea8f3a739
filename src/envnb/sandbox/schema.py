"""The sandbox's OpenAPI 3 document, generated from the same route table that dispatches."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .forms import FORM_TYPES
from .route import Route
from .routes import PREFIXES, PROJECT_ROUTES
from .schema_components import COMPONENTS, RUN_STATUS
from .schema_ops import ERRORS as _ERRORS
from .schema_ops import cursor_paginated
from .schema_types import STR, UUID, nullable, ref

# The `limit` query parameter of each route that takes one: PostHog's bounds and default.
LIMITS: dict[str, dict[str, Any]] = {
    "task_runs_session_logs_retrieve": {
        "type": "integer",
        "minimum": 1,
        "maximum": 5000,
        "default": 1000,
    },
}


def _paginated(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["count", "results"],
        "properties": {
            "count": {"type": "integer"},
            "next": nullable({"type": "string", "format": "uri"}),
            "previous": nullable({"type": "string", "format": "uri"}),
            "results": {"type": "array", "items": ref(item)},
        },
    }


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def _operation(route: Route, prefix: str) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "401": _error("Missing or invalid personal API key"),
        "403": _error("Missing scope"),
    }
    if route.streaming:
        responses["200"] = {
            "description": "Server-sent events: conversation, status, message, update",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
        responses["409"] = _error("A reply is already in progress")
    elif route.status == 204:
        responses["204"] = {"description": "No response body"}
    else:
        if route.cursor_paged:
            schema = cursor_paginated(str(route.response))
        elif route.paginated:
            schema = _paginated(str(route.response))
        else:
            schema = ref(route.response) if route.response else {"type": "object"}
        responses[str(route.status)] = {
            "description": route.summary,
            "content": {"application/json": {"schema": schema}},
        }
    # Every operation lives under a project: an unknown project id is a 404.
    responses["404"] = _error("Not found")
    if route.request:
        responses["400"] = _error("Validation error")
        responses["415"] = _error("Unsupported media type")
    for status in route.errors:
        responses[str(status)] = _error(_ERRORS[status])
    for status, doc in route.answers.items():
        answer: dict[str, Any] = {"description": doc.description}
        if doc.schema is not None:
            answer["content"] = {"application/json": {"schema": ref(doc.schema)}}
        responses[str(status)] = answer
    params: list[dict[str, Any]] = [
        {
            "name": "project_id",
            "in": "path",
            "required": True,
            "schema": STR,
            "description": "A project id, or `@current` for the caller's current project.",
        }
    ]
    for name in ("id", "task_id", "run_id", "backfill_id", "queue_id"):
        if f"{{{name}}}" in route.path:
            # A queue id is PostHog's OpenApiTypes.STR [src: PH:ee/api/conversation.py].
            string = (route.string_id and name == "id") or name == "queue_id"
            id_kind = STR if string else UUID
            params.append({"name": name, "in": "path", "required": True, "schema": id_kind})
    if route.paginated:
        params += [
            {"name": "limit", "in": "query", "schema": {"type": "integer"}},
            {"name": "offset", "in": "query", "schema": {"type": "integer"}},
        ]
    params += [{"name": q, "in": "query", "required": True, "schema": STR} for q in route.query]
    for name in route.options:
        kind: dict[str, Any] = STR
        if name == "status":
            kind = {"type": "array", "items": {"type": "string", "enum": RUN_STATUS}}
        elif name == "limit":
            default = {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}
            kind = LIMITS.get(route.name, default)
        params.append({"name": name, "in": "query", "schema": kind})
    scopes = [] if route.scope is None else [route.scope]
    op: dict[str, Any] = {
        "operationId": f"{route.name}{'' if prefix == 'projects' else '_environments'}",
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": params,
        "responses": responses,
        "security": [{"PersonalAPIKeyAuth": scopes}],
    }
    if prefix == "environments":
        op["deprecated"] = True
    if route.request:
        op["requestBody"] = {
            "required": route.method in ("POST", "PUT"),
            # DRF's three parsers, as PostHog's schema declares for every body (.forms).
            "content": {
                media: {"schema": ref(route.request)} for media in ("application/json", *FORM_TYPES)
            },
        }
    if route.scope is None:
        op["description"] = "Not available to scoped personal API keys (403)."
    return op


@lru_cache(maxsize=8)
def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for prefix in PREFIXES:
        for route in PROJECT_ROUTES:
            url = f"/api/{prefix}/{{project_id}}/{route.path}/"
            paths.setdefault(url, {})[route.method.lower()] = _operation(route, prefix)
    return paths


def openapi(server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document for a sandbox served at ``server_url``."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "envnb sandbox — PostHog Environments API (subset)",
            "version": "1.0.0",
            "description": "A local emulator of the PostHog endpoints envnb uses.",
        },
        "servers": [{"url": server_url}],
        "paths": _paths(),
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {"PersonalAPIKeyAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
