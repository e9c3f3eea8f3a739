"""The query endpoints envnb calls, declared once (see ``_core.request.Endpoint``).

Each attribute is an ``Endpoint[T]`` whose ``T`` is what the call returns (one item of the
list for a paged endpoint). To add one, add an attribute here and a method on the resource
under ``_async/`` that sends ``Namespace.attr.request(...)``; then regenerate ``_sync/``.
"""

from __future__ import annotations

from .._core.request import Endpoint
from .insights.models import Insight


def _page_of_insights(body: object) -> list[Insight]:
    """The insights of one page (a short id matches at most one)."""
    results = body.get("results") if isinstance(body, dict) else None
    return [Insight.model_validate(item) for item in results or []]


def _answer(body: object) -> object:
    """A query answer as sent (``query.run`` reads it)."""
    return body


class QueryEndpoints:
    """``query/``: PostHog's QueryViewSet; every action needs ``query:read``."""

    path = "query/"
    # A query reads; PostHog itself lists create as a read action, so a retry is harmless.
    run = Endpoint("POST", path, "query:read", _answer, retry_safe=True)
    status = Endpoint("GET", path + "{id}/", "query:read", _answer)
    # PostHog's newer routes (contract §14): a run checked against the path's kind, and the
    # query upgraded to its newest schema without running it.
    run_kind = Endpoint("POST", path + "{kind}/", "query:read", _answer, retry_safe=True)
    upgrade = Endpoint("POST", path + "upgrade/", "query:read", _answer, retry_safe=True)


class InsightEndpoints:
    """``insights/``: saved insights (PH:posthog/api/insight.py); ``?short_id=`` finds one."""

    path = "insights/"
    list = Endpoint("GET", path, "insight:read", _page_of_insights)
    get = Endpoint("GET", path + "{id}/", "insight:read", Insight.model_validate)
