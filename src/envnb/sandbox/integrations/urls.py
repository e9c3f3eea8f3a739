"""The integration operations (read only: the sandbox's integrations are seeded)."""

from __future__ import annotations

from ..route import Route
from . import routes

READ = "integration:read"
TAG = "integrations"

ROUTES: tuple[Route, ...] = (
    Route(
        name="integrations_list",
        method="GET",
        path="integrations",
        handler=routes.list_integrations,
        scope=READ,
        tag=TAG,
        summary="List integrations",
        response="Integration",
        paginated=True,
    ),
    Route(
        name="integrations_retrieve",
        method="GET",
        path="integrations/{id}",
        handler=routes.retrieve,
        scope=READ,
        tag=TAG,
        summary="Retrieve an integration",
        response="Integration",
        string_id=True,
    ),
)
