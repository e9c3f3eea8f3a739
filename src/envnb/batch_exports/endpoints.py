"""The batch-export endpoints envnb calls, declared once (see ``_core.request.Endpoint``).

Each attribute is an ``Endpoint[T]`` whose ``T`` is what the call returns (one item of the
list for a paged endpoint). To add one, add an attribute here and a method on the resource
under ``_async/`` that sends ``Namespace.attr.request(...)``; then regenerate ``_sync/``.
"""

from __future__ import annotations

from typing import Any

from .._core.request import Endpoint, no_content
from .models import (
    BatchExport,
    BatchExportCreate,
    BatchExportRun,
    BatchExportUpdate,
    Integration,
    PauseResult,
    TestStep,
)
from .ops_models import AppMetrics, Backfill, BackfillCreated, Cancelled


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
    # The integrations a destination names (PostHog's IntegrationViewSet).
    integrations = Endpoint(
        "GET", "integrations/", "integration:read", Integration.model_validate, paging="offset"
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
