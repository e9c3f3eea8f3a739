"""The query API's operations: run a query, poll or cancel an async run."""

from __future__ import annotations

from ..route import Doc, Route
from . import api

READ = "query:read"  # PostHog treats create/retrieve/destroy of queries as reads
TAG = "query"

ROUTES: tuple[Route, ...] = (
    # Before query/{kind}: "upgrade" is not a kind.
    Route(
        name="query_upgrade_create",
        method="POST",
        path="query/upgrade",
        handler=api.upgrade,
        scope=READ,
        tag=TAG,
        summary="The query in its newest schema, without running it",
        request="QueryRequest",
        response="QueryUpgradeResponse",
    ),
    Route(
        name="query_kind_create",
        method="POST",
        path="query/{kind}",
        handler=api.create_kind,
        scope=READ,
        tag=TAG,
        summary="Run a query of the path's kind (400 on a body of another kind)",
        request="QueryRequest",
        response="QueryResponse",
        string_id=True,
        answers={202: Doc("An async run started (refresh=async)", "QueryStatusResponse")},
    ),
    Route(
        name="query_create",
        method="POST",
        path="query",
        handler=api.create,
        scope=READ,
        tag=TAG,
        summary="Run a HogQLQuery or TrendsQuery (refresh=async answers 202 with query_status)",
        request="QueryRequest",
        response="QueryResponse",
        string_id=True,
        answers={202: Doc("An async run started (refresh=async)", "QueryStatusResponse")},
    ),
    Route(
        name="query_retrieve",
        method="GET",
        path="query/{id}",
        handler=api.retrieve,
        scope=READ,
        tag=TAG,
        summary="Status of an async query run (202 running, 200 complete, 400 failed)",
        response="QueryStatusResponse",
        string_id=True,
        answers={
            202: Doc("Still running", "QueryStatusResponse"),
            400: Doc("The run failed", "QueryStatusResponse"),
        },
    ),
    Route(
        name="query_destroy",
        method="DELETE",
        path="query/{id}",
        handler=api.destroy,
        scope=READ,
        tag=TAG,
        summary="Cancel an async query run",
        response="QueryCancelled",
        string_id=True,
    ),
)
