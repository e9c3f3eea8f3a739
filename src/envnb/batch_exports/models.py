"""Batch export objects, enums and request bodies (contract §2)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from .._core.models import APIModel, RequestModel, open_enum
from ..errors import RequestValidationError
from .destinations import DESTINATIONS, DestinationType, testable_types
from .hogql_rules import IncrementalMode, check_keys, check_model_fields
from .timezones import posthog_timezones

# The destination types with a connection test (from the table; the widgets read it).
TESTABLE_TYPES = testable_types()


class Interval(StrEnum):
    """How often an export runs."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    EVERY_5_MINUTES = "every 5 minutes"
    EVERY_15_MINUTES = "every 15 minutes"


class ExportModel(StrEnum):
    """What an export exports."""

    EVENTS = "events"
    PERSONS = "persons"
    SESSIONS = "sessions"
    HOGQL = "hogql"


class RunStatus(StrEnum):
    """Status of one batch export run."""

    CANCELLED = "Cancelled"
    COMPLETED = "Completed"
    CONTINUED_AS_NEW = "ContinuedAsNew"
    FAILED = "Failed"
    FAILED_RETRYABLE = "FailedRetryable"
    FAILED_BILLING = "FailedBilling"
    TERMINATED = "Terminated"
    TIMED_OUT = "TimedOut"
    RUNNING = "Running"
    STARTING = "Starting"


class StepStatus(StrEnum):
    """Outcome of one destination test step."""

    PASSED = "Passed"
    FAILED = "Failed"
    SKIPPED = "Skipped"


class Destination(APIModel):
    """A destination as returned (secret config keys are stripped by the server)."""

    type: open_enum(DestinationType)  # type: ignore[valid-type]
    config: dict[str, Any] = Field(default_factory=dict)
    integration: int | None = None


class BatchExportRun(APIModel):
    """One run of a batch export."""

    id: str
    status: open_enum(RunStatus) | None = None  # type: ignore[valid-type]
    records_completed: int | None = None
    records_failed: int | None = None
    latest_error: str | None = None
    data_interval_start: datetime | None = None
    data_interval_end: datetime | None = None
    cursor: str | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None
    last_updated_at: datetime | None = None
    records_total_count: int | None = None
    bytes_exported: int | None = None
    batch_export: str | None = None
    backfill: str | None = None


class BatchExport(APIModel):
    """A batch export."""

    id: str
    team_id: int | None = None
    name: str
    model: open_enum(ExportModel) | None = None  # type: ignore[valid-type]
    destination: Destination
    interval: open_enum(Interval)  # type: ignore[valid-type]
    paused: bool = False
    created_at: datetime | None = None
    last_updated_at: datetime | None = None
    last_paused_at: datetime | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    latest_runs: list[BatchExportRun] = Field(default_factory=list)
    hogql_query: str | None = None
    hogql_modifiers: dict[str, Any] | None = None
    primary_key: list[str] | None = None
    version_key: list[str] | None = None
    incremental_mode: open_enum(IncrementalMode) | None = None  # type: ignore[valid-type]
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    filters: Any = None
    timezone: str | None = None
    offset_day: int | None = None
    offset_hour: int | None = None


class Integration(APIModel):
    """One of the project's integrations: stored credentials a destination names by ``id``
    (``destination={"type": ..., "config": ..., "integration_id": id}``); the server never
    returns their secret part."""

    id: int
    kind: str
    display_name: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    errors: str | None = None


class PauseResult(APIModel):
    """Answer of pause/unpause: ``{"paused": bool}``."""

    paused: bool


class TestStepResult(APIModel):
    """The result of running one test step."""

    status: open_enum(StepStatus)  # type: ignore[valid-type]
    message: str | None = None


class TestStep(APIModel):
    """A destination test step; ``result`` is None until the step has run."""

    __test__ = False  # not a pytest class

    name: str
    description: str | None = None
    result: TestStepResult | None = None


class DestinationInput(RequestModel):
    """A destination in a request: type, config and (optionally) an integration id."""

    type: DestinationType
    config: dict[str, Any] = Field(default_factory=dict)
    # Either name of the integration's id (``batch_exports.integrations()``).
    integration_id: int | None = None
    integration: int | None = None


def _check_offsets(interval: str | None, offset_day: int | None, offset_hour: int | None) -> None:
    if offset_day is not None:
        if not 0 <= offset_day <= 6:
            raise RequestValidationError(
                f"offset_day: {offset_day} is out of range; allowed values: 0-6 (0=Sunday)",
                attr="offset_day",
                allowed=range(7),
            )
        if interval is not None and interval != "week":
            raise RequestValidationError(
                "offset_day is not applicable for non-weekly intervals (allowed with interval "
                "'week' only)",
                attr="offset_day",
                allowed=["week"],
            )
    if offset_hour is not None:
        if not 0 <= offset_hour <= 23:
            raise RequestValidationError(
                f"offset_hour: {offset_hour} is out of range; allowed values: 0-23",
                attr="offset_hour",
                allowed=range(24),
            )
        if interval is not None and interval not in ("day", "week"):
            raise RequestValidationError(
                "offset_hour is not applicable for non-daily/weekly intervals (allowed with "
                "interval 'day' or 'week')",
                attr="offset_hour",
                allowed=["day", "week"],
            )


class BatchExportUpdate(RequestModel):
    """PATCH body for a batch export; every field optional (config is deep-merged).

    A keyword that is not one of these is refused: PostHog ignores unknown fields, so a
    typo (``pasued=True``) answered 200 and changed nothing.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: str | None = None
    model: ExportModel | None = None
    destination: DestinationInput | None = None
    interval: Interval | None = None
    paused: bool | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    # Writable on create and update; unpause with backfill starts from it (openapi.yaml
    # @1404d6c).
    last_paused_at: datetime | None = None
    # An optional string, never null, in PostHog's schema: None leaves the key out.
    hogql_query: str | None = None
    # The hogql model's fields (envnb.batch_exports.hogql_rules).
    hogql_modifiers: dict[str, Any] | None = None
    primary_key: list[str] | None = None
    version_key: list[str] | None = None
    incremental_mode: IncrementalMode | None = None
    filters: Any = None
    timezone: str | None = None
    offset_day: int | None = None
    offset_hour: int | None = None

    @field_validator("primary_key", "version_key")
    @classmethod
    def _keys(cls, v: list[str] | None, info: Any) -> list[str] | None:
        return check_keys(info.field_name, v)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str | None) -> str | None:
        if v is not None and v not in posthog_timezones():
            raise RequestValidationError(
                f"timezone: {v!r} is not one of the 596 timezone names PostHog accepts "
                "(IANA names such as 'UTC', 'Europe/Berlin', 'America/New_York')",
                attr="timezone",
            )
        return v

    @model_validator(mode="after")
    def _offsets(self) -> BatchExportUpdate:
        _check_offsets(self.interval, self.offset_day, self.offset_hour)
        if self.model is not None:
            creating = isinstance(self, BatchExportCreate)
            check_model_fields(str(self.model), self.__dict__, creating)
        return self

    def to_body(self) -> dict[str, Any]:
        """The JSON body; ``hogql_query=None`` is left out (PostHog refuses null)."""
        body = super().to_body()
        if body.get("hogql_query", "") is None:
            del body["hogql_query"]
        return body


class BatchExportCreate(BatchExportUpdate):
    """POST body for a new batch export; validated before sending."""

    name: str
    destination: DestinationInput
    interval: Interval

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise RequestValidationError("name: must not be empty", attr="name")
        return v

    @model_validator(mode="after")
    def _destination(self) -> BatchExportCreate:
        dest = self.destination
        spec = DESTINATIONS[dest.type]
        if spec.create_refusal:
            raise RequestValidationError(spec.create_refusal, attr="destination__type")
        missing = [k for k in spec.required if k not in dest.config]
        if missing:
            raise RequestValidationError(
                f"destination.config: {dest.type.value} configuration missing required "
                f"field: {missing[0]!r} (required: {', '.join(spec.required)})",
                attr="destination__config__" + missing[0],
                allowed=spec.required,
            )
        named = dest.integration_id is not None or dest.integration is not None
        if spec.integration and spec.integration_required and not named:
            label = spec.label or dest.type.value
            raise RequestValidationError(
                f"Integration is required for {label} batch exports (name one of kind "
                f"{spec.integration!r}: destination={{..., 'integration_id': id}}; "
                "batch_exports.integrations() lists them)",
                attr="destination__integration_id",
            )
        if self.model is None:
            check_model_fields(ExportModel.EVENTS, self.__dict__, creating=True)
        if spec.models is not None and (self.model or ExportModel.EVENTS) not in spec.models:
            allowed = ", ".join(repr(m) for m in spec.models)
            raise RequestValidationError(
                f"model: {dest.type.value} batch exports only support the "
                f"{' / '.join(spec.models)} model (allowed: {allowed})",
                attr="model",
                allowed=list(spec.models),
            )
        return self
