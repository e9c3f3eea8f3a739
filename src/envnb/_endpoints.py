"""Every endpoint of the API that envnb calls, declared once (see ``_request.Endpoint``).

One namespace class per resource; each attribute is an ``Endpoint[T]`` whose ``T`` is what
the call returns (one item of the list for a paged endpoint). To add an endpoint, add an
attribute here and a method on the resource under ``_async/`` that sends
``Namespace.attr.request(...)``; then regenerate ``_sync/``.
"""

from __future__ import annotations

from typing import Any

from ._request import Endpoint, no_content
from .models import (
    AppendedMessage,
    BatchExport,
    BatchExportCreate,
    BatchExportUpdate,
    Conversation,
    PauseResult,
    ProfileConfig,
    ProfileConfigCreate,
    ProfileConfigUpdate,
    TestStep,
)
from .models.batch_exports import BatchExportRun
from .models.conversations import AppendMessageRequest, StreamRequest
from .models.export_ops import AppMetrics, Backfill, BackfillCreated, Cancelled
from .models.insights import Insight


def _test_steps(body: Any) -> list[TestStep]:
    steps = body.get("steps", []) if isinstance(body, dict) else []
    return [TestStep.model_validate(s) for s in steps]


class BatchExportEndpoints:
    """``batch_exports/``: PostHog's BatchExportViewSet."""

    path = "batch_exports/"
    list = Endpoint("GET", path, "batch_export:read", BatchExport.model_validate, paging="offset")
    get = Endpoint("GET", path + "{id}/", "batch_export:read", BatchExport.model_validate)
    create = Endpoint(
        "POST", path, "batch_export:write", BatchExport.model_validate, body=BatchExportCreate
    )
    update = Endpoint(
        "PATCH",
        path + "{id}/",
        "batch_export:write",
        BatchExport.model_validate,
        body=BatchExportUpdate,
    )
    delete = Endpoint("DELETE", path + "{id}/", "batch_export:write", no_content)
    # pause/unpause are idempotent per the contract (already paused → no change; not
    # paused → unpause returns early without a backfill), so retrying cannot duplicate.
    pause = Endpoint(
        "POST",
        path + "{id}/pause/",
        "batch_export:write",
        PauseResult.model_validate,
        retry_safe=True,
    )
    unpause = Endpoint(
        "POST",
        path + "{id}/unpause/",
        "batch_export:write",
        PauseResult.model_validate,
        retry_safe=True,
    )
    test_steps = Endpoint("GET", path + "test/", "INTERNAL", _test_steps)
    run_test_step = Endpoint(
        "POST", path + "{id}/run_test_step/", "INTERNAL", TestStep.model_validate
    )
    run_test_step_new = Endpoint(
        "POST", path + "run_test_step_new/", "INTERNAL", TestStep.model_validate
    )


def _results(body: Any) -> list[dict[str, Any]]:
    results = body.get("results", []) if isinstance(body, dict) else []
    return [r for r in results if isinstance(r, dict)]


def _metrics(body: Any) -> AppMetrics:
    return AppMetrics.model_validate(body.get("metrics") or {} if isinstance(body, dict) else {})


class ExportOpsEndpoints:
    """``batch_exports/{id}/runs|backfills|logs/`` and ``app_metrics/{id}/``."""

    path = "batch_exports/{id}/"
    read, write = "batch_export:read", "batch_export:write"
    runs = Endpoint("GET", path + "runs/", read, BatchExportRun.model_validate, paging="cursor")
    run = Endpoint("GET", path + "runs/{run}/", read, BatchExportRun.model_validate)
    # A retry is a new backfill: never resent, or the interval would be exported twice.
    retry_run = Endpoint("POST", path + "runs/{run}/retry/", write, BackfillCreated.model_validate)
    cancel_run = Endpoint("POST", path + "runs/{run}/cancel/", write, Cancelled.model_validate)
    run_logs = Endpoint("GET", path + "runs/{run}/logs/", read, _results)
    backfills = Endpoint("GET", path + "backfills/", read, Backfill.model_validate, paging="cursor")
    backfill = Endpoint("GET", path + "backfills/{backfill}/", read, Backfill.model_validate)
    create_backfill = Endpoint("POST", path + "backfills/", write, BackfillCreated.model_validate)
    cancel_backfill = Endpoint(
        "POST", path + "backfills/{backfill}/cancel/", write, Cancelled.model_validate
    )
    logs = Endpoint("GET", path + "logs/", read, _results)
    metrics = Endpoint("GET", "app_metrics/{id}/", "plugin:read", _metrics)


class ConversationEndpoints:
    """``conversations/``: PostHog AI's ConversationViewSet."""

    path = "conversations/"
    list = Endpoint("GET", path, "conversation:read", Conversation.model_validate, paging="offset")
    get = Endpoint("GET", path + "{id}/", "conversation:read", Conversation.model_validate)
    # Never retried: a retry could store the human message twice.
    stream = Endpoint(
        "POST", path, "conversation:write", no_content, body=StreamRequest, streams=True
    )
    append_message = Endpoint(
        "POST",
        path + "{id}/append_message/",
        None,
        AppendedMessage.model_validate,
        body=AppendMessageRequest,
    )
    # cancel is idempotent (already canceling/idle → 204).
    cancel = Endpoint("PATCH", path + "{id}/cancel/", None, no_content, retry_safe=True)


class ProfileConfigEndpoints:
    """``customer_profile_configs/``: CustomerProfileConfigViewSet."""

    path = "customer_profile_configs/"
    scope_read, scope_write = "customer_profile_config:read", "customer_profile_config:write"
    list = Endpoint("GET", path, scope_read, ProfileConfig.model_validate, paging="offset")
    get = Endpoint("GET", path + "{id}/", scope_read, ProfileConfig.model_validate)
    create = Endpoint(
        "POST", path, scope_write, ProfileConfig.model_validate, body=ProfileConfigCreate
    )
    update = Endpoint(
        "PATCH",
        path + "{id}/",
        scope_write,
        ProfileConfig.model_validate,
        body=ProfileConfigUpdate,
    )
    delete = Endpoint("DELETE", path + "{id}/", scope_write, no_content)


def _page_of_insights(body: object) -> list[Insight]:
    """The insights of one page (a short id matches at most one)."""
    results = body.get("results") if isinstance(body, dict) else None
    return [Insight.model_validate(item) for item in results or []]


def _answer(body: object) -> object:
    """A query answer as sent (``_queryrun`` reads it)."""
    return body


class InsightEndpoints:
    """``insights/``: saved insights (PH:posthog/api/insight.py); ``?short_id=`` finds one."""

    path = "insights/"
    list = Endpoint("GET", path, "insight:read", _page_of_insights)
    get = Endpoint("GET", path + "{id}/", "insight:read", Insight.model_validate)


class QueryEndpoints:
    """``query/``: PostHog's QueryViewSet; every action needs ``query:read``."""

    path = "query/"
    # A query reads; PostHog itself lists create as a read action, so a retry is harmless.
    run = Endpoint("POST", path, "query:read", _answer, retry_safe=True)
    status = Endpoint("GET", path + "{id}/", "query:read", _answer)
