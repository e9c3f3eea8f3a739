"""``client.insights``: saved insights, found by id, short id or the URL of the web app."""

from __future__ import annotations

from ..errors import NotFoundError
from ..query.endpoints import InsightEndpoints as Endpoints
from ..query.insights.models import Insight
from ..query.insights.saved import check_same_project, insight_ref
from ._transport import AsyncTransport


class AsyncInsights:
    """The project's saved insights."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def get(self, insight: int | str) -> Insight:
        """The saved insight ``insight`` names: a numeric id, a short id (``AbC123``) or a URL
        pasted from the browser (``https://us.posthog.com/project/1/insights/AbC123``).

        Raises RequestValidationError for text that is none of these, or a URL of another
        project or PostHog host (before sending),
        NotFoundError when the project has no such insight.
        """
        ref = insight_ref(insight)
        settings = self._transport.wire.settings
        check_same_project(ref, settings.base_url, settings.project_id)
        if ref.id is not None:
            return await self._transport.request(Endpoints.get.request({"id": ref.id}))
        found = await self._transport.request(
            Endpoints.list.request(params={"short_id": ref.short_id})
        )
        if not found:
            raise NotFoundError(
                status=404,
                type="invalid_request",
                code="not_found",
                detail=f"No saved insight with short id {ref.short_id!r} in this project.",
            )
        return found[0]
