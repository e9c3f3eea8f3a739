"""The sandbox's OpenAPI 3 document, generated from the same route table that dispatches."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .routes import ENDPOINTS, PREFIXES
from .schema_components import COMPONENTS, RUN_STATUS
from .schema_ops import ERRORS as _ERRORS
from .schema_ops import cursor_paginated
from .schema_types import STR, UUID, nullable, ref


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


def _operation(endpoint: Any, prefix: str) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "401": _error("Missing or invalid personal API key"),
        "403": _error("Missing scope"),
    }
    if endpoint.streaming:
        responses["200"] = {
            "description": "Server-sent events: conversation, status, message, update",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
        responses["409"] = _error("A reply is already in progress")
    elif endpoint.status == 204:
        responses["204"] = {"description": "No response body"}
    else:
        if endpoint.cursor_paged:
            schema = cursor_paginated(str(endpoint.response))
        elif endpoint.paginated:
            schema = _paginated(str(endpoint.response))
        else:
            schema = ref(endpoint.response) if endpoint.response else {"type": "object"}
        responses[str(endpoint.status)] = {
            "description": endpoint.summary,
            "content": {"application/json": {"schema": schema}},
        }
    # Every operation lives under a project: an unknown project id is a 404.
    responses["404"] = _error("Not found")
    if endpoint.request:
        responses["400"] = _error("Validation error")
        responses["415"] = _error("Unsupported media type")
    for status in endpoint.errors:
        responses[str(status)] = _error(_ERRORS[status])
    if endpoint.name == "batch_exports_test":
        responses["400"] = {"description": "No `destination` parameter (empty body)"}
        responses["404"] = {"description": "No test for this destination (empty body)"}
    if endpoint.name == "query_create":
        responses["202"] = {
            "description": "An async run started (refresh=async)",
            "content": {"application/json": {"schema": ref("QueryStatusResponse")}},
        }
    if endpoint.name == "query_retrieve":
        for code, what in (("202", "Still running"), ("400", "The run failed")):
            responses[code] = {
                "description": what,
                "content": {"application/json": {"schema": ref("QueryStatusResponse")}},
            }
    if "run_test_step" in endpoint.name:
        responses["500"] = _error("Step index out of range, or no destination (as PostHog)")
    params: list[dict[str, Any]] = [
        {
            "name": "project_id",
            "in": "path",
            "required": True,
            "schema": STR,
            "description": "A project id, or `@current` for the caller's current project.",
        }
    ]
    for name in ("id", "run_id", "backfill_id"):
        if f"{{{name}}}" in endpoint.path:
            id_kind = STR if endpoint.tag == "query" and name == "id" else UUID
            params.append({"name": name, "in": "path", "required": True, "schema": id_kind})
    if endpoint.paginated:
        params += [
            {"name": "limit", "in": "query", "schema": {"type": "integer"}},
            {"name": "offset", "in": "query", "schema": {"type": "integer"}},
        ]
    params += [{"name": q, "in": "query", "required": True, "schema": STR} for q in endpoint.query]
    for name in endpoint.options:
        kind: dict[str, Any] = STR
        if name == "status":
            kind = {"type": "array", "items": {"type": "string", "enum": RUN_STATUS}}
        elif name == "limit":
            kind = {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}
        params.append({"name": name, "in": "query", "schema": kind})
    scopes = [] if endpoint.scope is None else [endpoint.scope]
    op: dict[str, Any] = {
        "operationId": f"{endpoint.name}{'' if prefix == 'projects' else '_environments'}",
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": params,
        "responses": responses,
        "security": [{"PersonalAPIKeyAuth": scopes}],
    }
    if prefix == "environments":
        op["deprecated"] = True
    if endpoint.request:
        op["requestBody"] = {
            "required": endpoint.method in ("POST", "PUT"),
            "content": {"application/json": {"schema": ref(endpoint.request)}},
        }
    if endpoint.scope is None:
        op["description"] = "Not available to scoped personal API keys (403)."
    return op


@lru_cache(maxsize=8)
def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for prefix in PREFIXES:
        for endpoint in ENDPOINTS:
            url = f"/api/{prefix}/{{project_id}}/{endpoint.path}/"
            paths.setdefault(url, {})[endpoint.method.lower()] = _operation(endpoint, prefix)
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
