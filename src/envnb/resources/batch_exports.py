"""``client.batch_exports``: list, get, create, update, pause/unpause, destination tests."""

from __future__ import annotations

import builtins
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .._endpoints import BATCH_EXPORTS as EP
from .._endpoints import RequestSpec
from ..errors import RequestValidationError
from ..frames import BATCH_EXPORT_COLUMNS
from ..models.batch_exports import BatchExport, BatchExportCreate, DestinationType
from ..models.common import allowed_values, validate_request
from ._base import ListableResource, ident

if TYPE_CHECKING:
    from ..models.batch_exports import PauseResult, TestStep


class BatchExports(ListableResource[BatchExport]):
    """Batch exports of the project."""

    _endpoints = EP
    _columns = BATCH_EXPORT_COLUMNS

    def create(
        self,
        name: str,
        destination: dict[str, Any],
        interval: str,
        **fields: Any,
    ) -> BatchExport:
        """Create a batch export (validated locally first); returns the new BatchExport."""
        body = {"name": name, "destination": destination, "interval": interval, **fields}
        return self._ex.run(EP["create"].spec(body=body))

    def update(self, id: Any, **fields: Any) -> BatchExport:
        """PATCH fields of a batch export (destination config is deep-merged by the server)."""
        return self._ex.run(EP["update"].spec({"id": ident(id)}, body=fields))

    def pause(self, id: Any) -> PauseResult:
        """Pause an export (idempotent); returns PauseResult(paused=True)."""
        return self._ex.run(EP["pause"].spec({"id": ident(id)}, body={}))

    def unpause(self, id: Any, backfill: bool = False) -> PauseResult:
        """Unpause an export; ``backfill=True`` re-exports the paused window."""
        return self._ex.run(EP["unpause"].spec({"id": ident(id)}, body={"backfill": backfill}))

    def test_steps(self, destination_type: str) -> builtins.list[TestStep]:
        """The connection-test steps for a destination type (list of TestStep, result None)."""
        allowed = allowed_values(DestinationType)
        if destination_type not in allowed:
            raise RequestValidationError(
                f"destination_type: {destination_type!r} is not allowed; allowed values: "
                + ", ".join(allowed),
                attr="destination_type",
                allowed=allowed,
            )
        return self._ex.run(EP["test_steps"].spec(params={"destination": destination_type}))

    def run_test_step(self, id: Any, step: int, **overrides: Any) -> TestStep:
        """Run test step ``step`` of an existing export, with optional field overrides.

        The server validates a full export payload, so the stored export is read first and
        ``overrides`` (e.g. ``destination={"config": {...}}``) are laid over it; secret
        config keys the server stripped are merged back in server-side.
        """
        _check_step(step)
        export_id = ident(id)

        def then(export: BatchExport) -> RequestSpec:
            body = _payload_from(export)
            dest_over = overrides.get("destination") or {}
            merged = {**body, **{k: v for k, v in overrides.items() if k != "destination"}}
            merged["destination"] = {
                **body["destination"],
                **{k: v for k, v in dest_over.items() if k != "config"},
                "config": {**body["destination"]["config"], **(dest_over.get("config") or {})},
            }
            return EP["run_test_step"].spec({"id": export_id}, body={"step": step, **merged})

        return self._ex.run(replace(EP["get"].spec({"id": export_id}), then=then))

    def run_test_step_new(self, step: int, export: dict[str, Any]) -> TestStep:
        """Run test step ``step`` for an export that does not exist yet (validated locally)."""
        _check_step(step)
        data = export.to_body() if isinstance(export, BatchExportCreate) else dict(export)
        body = validate_request(BatchExportCreate, data).to_body()
        return self._ex.run(EP["run_test_step_new"].spec(body={"step": step, **body}))


def _check_step(step: Any) -> None:
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise RequestValidationError(
            f"step: must be a step index (an int >= 0), got {step!r}", attr="step"
        )


def _payload_from(export: BatchExport) -> dict[str, Any]:
    dest = export.destination
    return {
        "name": export.name,
        "interval": str(export.interval),
        "model": str(export.model) if export.model is not None else "events",
        "destination": {"type": str(dest.type), "config": dict(dest.config)},
    }
