"""Checks and shapes of the batch-export resource's arguments (pure; both clients use them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.arguments import check_allowed
from .._core.models import allowed_values
from ..errors import RequestValidationError
from .destinations import DESTINATIONS, testable_types
from .models import BatchExport, DestinationType


def check_step(step: Any) -> None:
    """A destination-test step index: an int >= 0."""
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise RequestValidationError(
            f"step: must be a step index (an int >= 0), got {step!r}", attr="step"
        )


def check_testable(destination_type: str) -> None:
    """A type this envnb knows to have no connection test is refused here, naming it
    (PostHog's bare 404 "not found" read as if the export were missing); a type newer than
    this envnb is left to the server."""
    try:
        known = DestinationType(destination_type)
    except ValueError:
        return
    if DESTINATIONS[known].test_steps is None:
        raise RequestValidationError(
            f"destination_type: {destination_type} destinations have no connection test "
            f"(PostHog answers 404); these have one: {', '.join(testable_types())}",
            attr="destination_type",
        )


def integration_hint(kind: str) -> str:
    """When ``kind`` is a destination type's name ("bigquery"), the kind that type names."""
    for dtype, facts in DESTINATIONS.items():
        if facts.integration and facts.integration != kind and dtype.lower() == kind.lower():
            return f" ({dtype} destinations name one of kind {facts.integration!r})"
    return ""


def check_mapping(attr: str, value: Any) -> None:
    """A dict-like argument (a request body, a destination, a config)."""
    if not isinstance(value, Mapping):
        raise RequestValidationError(
            f"{attr}: must be a dict, got {type(value).__name__} {value!r:.80}",
            attr=attr.replace(".", "__"),
        )


def check_destination_type(destination_type: str) -> None:
    """One of PostHog's destination types (RequestValidationError listing them)."""
    check_allowed("destination_type", destination_type, allowed_values(DestinationType))


def run_test_step_body(export: BatchExport, step: int, overrides: dict[str, Any]) -> dict[str, Any]:
    """The body of ``run_test_step``: the stored export with ``overrides`` laid over it.

    The server validates a full export payload; ``destination`` overrides are merged into
    the stored destination and its ``config`` key by key.
    """
    dest = export.destination
    body: dict[str, Any] = {
        "name": export.name,
        "interval": str(export.interval),
        "model": str(export.model) if export.model is not None else "events",
        "destination": {"type": str(dest.type), "config": dict(dest.config)},
    }
    if dest.integration is not None:
        # PostHog validates the test's destination as a write: a BigQuery, Databricks or
        # AzureBlob destination must name its integration every time (validate_destination).
        body["destination"]["integration"] = dest.integration
    if export.model == "hogql":
        # A hogql export's test is validated with its query, as the export is.
        body["hogql_query"] = export.hogql_query
    dest_over = overrides.get("destination") or {}
    # A mapping is laid over the stored one key by key; anything else would fail in the
    # merge with a bare Python error instead of naming the argument.
    check_mapping("destination", dest_over)
    check_mapping("destination.config", dest_over.get("config") or {})
    merged = {**body, **{k: v for k, v in overrides.items() if k != "destination"}}
    merged["destination"] = {
        **body["destination"],
        **{k: v for k, v in dest_over.items() if k != "config"},
        "config": {**body["destination"]["config"], **(dest_over.get("config") or {})},
    }
    return {"step": step, **merged}
