"""The saved-insight operations: list (``?short_id=`` finds one) and retrieve."""

from __future__ import annotations

from ..route import Route
from . import routes

READ = "insight:read"
TAG = "insights"

ROUTES: tuple[Route, ...] = (
    Route(
        name="insights_list",
        method="GET",
        path="insights",
        handler=routes.list_insights,
        scope=READ,
        tag=TAG,
        summary="List saved insights (?short_id= finds one)",
        response="Insight",
        paginated=True,
        options=("short_id",),
    ),
    Route(
        name="insights_retrieve",
        method="GET",
        path="insights/{id}",
        handler=routes.retrieve,
        scope=READ,
        tag=TAG,
        summary="Retrieve a saved insight with its query",
        response="Insight",
    ),
)
