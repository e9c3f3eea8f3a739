"""``client.batch_exports``: list, get, create, update, pause/unpause, destination tests."""

from __future__ import annotations

import builtins
import warnings
from collections.abc import Mapping
from typing import Any

from .._core.arguments import Id, check_flag, ident
from .._core.models import validate_request
from ..batch_exports.arguments import (
    check_destination_type,
    check_mapping,
    check_step,
    check_testable,
    integration_hint,
    run_test_step_body,
)
from ..batch_exports.endpoints import BatchExportEndpoints as Endpoints
from ..batch_exports.frames import BATCH_EXPORT_COLUMNS
from ..batch_exports.models import (
    BatchExport,
    BatchExportCreate,
    Integration,
    PauseResult,
    TestStep,
)
from ..errors import RequestValidationError
from ._listing import AsyncListing
from ._transport import AsyncTransport
from .export_ops import AsyncExportOps


class AsyncBatchExports(AsyncExportOps, AsyncListing[BatchExport]):
    """Batch exports of the project, and their runs, backfills, logs, metrics and health."""

    def __init__(self, transport: AsyncTransport, progress: bool | None) -> None:
        super().__init__(transport, progress, Endpoints.list, Endpoints.get, BATCH_EXPORT_COLUMNS)

    async def create(
        self, name: str, destination: Mapping[str, object], interval: str, **fields: Any
    ) -> BatchExport:
        """Create a batch export (validated locally first); returns the new BatchExport."""
        body = {"name": name, "destination": destination, "interval": interval, **fields}
        return await self._transport.request(Endpoints.create.request(body=body))

    async def update(self, id: Id, **fields: Any) -> BatchExport:
        """PATCH fields of a batch export (destination config is deep-merged by the server)."""
        return await self._transport.request(
            Endpoints.update.request({"id": ident(id)}, body=fields)
        )

    async def delete(self, id: Id) -> None:
        """Delete a batch export (204); its runs stop. NotFoundError if there is none."""
        await self._transport.request(Endpoints.delete.request({"id": ident(id)}))

    async def pause(self, id: Id) -> PauseResult:
        """Pause an export (idempotent); returns PauseResult(paused=True)."""
        return await self._transport.request(Endpoints.pause.request({"id": ident(id)}, body={}))

    async def unpause(self, id: Id, backfill: bool = False) -> PauseResult:
        """Unpause an export; ``backfill=True`` re-exports the paused window."""
        request = Endpoints.unpause.request(
            {"id": ident(id)}, body={"backfill": check_flag("backfill", backfill)}
        )
        return await self._transport.request(request)

    async def test_steps(self, destination_type: str) -> builtins.list[TestStep]:
        """The connection-test steps for a destination type (TestSteps whose result is None).

        RequestValidationError for an unknown destination type, or one without a test
        (Postgres, Redshift, HTTP, …); the key needs INTERNAL.
        """
        check_destination_type(destination_type)
        check_testable(destination_type)
        request = Endpoints.test_steps.request(params={"destination": destination_type})
        return await self._transport.request(request)

    async def run_test_step(self, id: Id, step: int, **overrides: Any) -> TestStep:
        """Run test step ``step`` of an existing export, with optional field overrides.

        The server validates a full export payload, so the stored export is read first and
        ``overrides`` (e.g. ``destination={"config": {...}}``) are laid over it; secret
        config keys the server stripped are merged back in server-side.
        """
        check_step(step)
        export = await self.get(id)
        check_testable(str(export.destination.type))
        body = run_test_step_body(export, step, overrides)
        request = Endpoints.run_test_step.request({"id": ident(id)}, body=body)
        return await self._transport.request(request)

    async def run_test_step_new(
        self, step: int, export: Mapping[str, object] | BatchExportCreate
    ) -> TestStep:
        """Run test step ``step`` for an export that does not exist yet (validated locally)."""
        check_step(step)
        if not isinstance(export, BatchExportCreate):
            check_mapping("export", export)
        data = export.to_body() if isinstance(export, BatchExportCreate) else dict(export)
        body = validate_request(BatchExportCreate, data).to_body()
        request = Endpoints.run_test_step_new.request(body={"step": step, **body})
        return await self._transport.request(request)

    async def integrations(self, kind: str | None = None) -> builtins.list[Integration]:
        """The project's integrations (``kind``: only those of one kind, e.g. ``"aws-s3"``);
        a destination names one by ``integration_id``. The key needs ``integration:read``."""
        if kind is not None and not isinstance(kind, str):
            raise RequestValidationError(
                f"kind: must be an integration kind such as 'aws-s3', got {kind!r}", attr="kind"
            )
        pages = self._transport.items(Endpoints.integrations.request(), None, 100)
        every = [i async for i in pages]
        found = [i for i in every if kind is None or i.kind == kind]
        if kind is not None and not found and every:
            # A misspelt kind ("aws_s3") would read as "no integration": say which exist.
            kinds = ", ".join(sorted({i.kind for i in every}))
            warnings.warn(
                f"no integration of kind {kind!r}{integration_hint(kind)}; this project has: "
                f"{kinds}",
                stacklevel=2,
            )
        return found
