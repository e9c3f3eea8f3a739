"""Backfill input rules, checked before anything is sent (pure: no I/O).

PostHog checks a backfill's ``start_at``/``end_at`` against the export's interval
(``validate_date_input`` and ``create_backfill`` in PostHog's
``products/batch_exports/backend/presentation/views/batch_export/backfills.py``); envnb
applies the same rules locally, with PostHog's messages prefixed by the field:

- no ``start_at``: "Backfilling from the beginning of time is not enabled for this team."
- day and week exports take a date only; a datetime is refused ("…expect only the date
  component, but a time was included."); a week date must fall on the export's
  ``offset_day`` (0 = Sunday). The date is read at ``offset_hour`` in the export's timezone.
- other intervals take a timezone-aware datetime ("Input … is naive.").
- ``start_at`` before ``end_at``; ``end_at`` not in the future.

:func:`overlaps` says what a new backfill would export twice: PostHog does not deduplicate.
It counts every completed run whose interval *meets* the window, not only runs lying wholly
inside it: PostHog's runs list filters ``start``/``end`` to runs wholly inside, so the
caller widens that read by one interval on each side (``lookaround``).

:func:`open_retry` decides a retry: PostHog's retry is a backfill of exactly the run's
interval and nothing stops a second one (contract §6), so envnb refuses to retry a run
that is still running and hands back an open retry of the same interval instead of
starting another — the user wants the interval exported once, not twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import RequestValidationError
from .health import STEPS, instant
from .ops_models import StatusGroup, status_group

DATE_INTERVALS = ("day", "week")
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


@dataclass(frozen=True)
class BackfillWindow:
    """A checked window: what to send (``body``) and the instants it means (aware, UTC)."""

    body: dict[str, str]
    start: datetime
    end: datetime


def _zone(name: str | None) -> Any:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _error(field: str, message: str) -> RequestValidationError:
    return RequestValidationError(f"{field}: {message}", attr=field)


def _as_text(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def parse_input(
    field: str,
    value: date | datetime | str,
    interval: str,
    offset_day: int | None = None,
    offset_hour: int | None = None,
    timezone: str | None = None,
) -> tuple[str, datetime]:
    """One bound -> (the text to send, the instant it means); RequestValidationError else."""
    text = _as_text(value)
    if interval in DATE_INTERVALS:
        if isinstance(value, datetime):
            parsed_date = None
        elif isinstance(value, date):
            parsed_date = value
        else:
            try:
                parsed_date = date.fromisoformat(text)
            except ValueError:
                parsed_date = None
        if parsed_date is None:
            try:
                datetime.fromisoformat(text)
            except ValueError:
                raise _error(field, f"Input '{text}' is not a valid ISO formatted date.") from None
            raise _error(
                field,
                f"Input '{text}' is not a valid ISO formatted date. Daily or weekly batch "
                "export backfills expect only the date component, but a time was included.",
            )
        if interval == "week":
            expected = offset_day or 0
            if parsed_date.isoweekday() % 7 != expected:
                raise _error(
                    field,
                    f"Input {text} is not on the correct day of the week for this batch export. "
                    f"{text} is a {parsed_date.strftime('%A')} but this batch export is "
                    f"configured to run weekly on {_DAYS[expected]}.",
                )
        moment = datetime.combine(parsed_date, time(hour=offset_hour or 0), _zone(timezone))
        return parsed_date.isoformat(), moment
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(text)
    except ValueError:
        raise _error(field, f"Input {text} is not a valid ISO formatted datetime.") from None
    if parsed.tzinfo is None:
        raise _error(field, f"Input {text} is naive.")
    return parsed.isoformat(), parsed


def check_window(
    export: Mapping[str, Any],
    start_at: date | datetime | str | None,
    end_at: date | datetime | str | None,
    now: datetime,
) -> BackfillWindow:
    """Check a backfill of ``export`` (its ``interval``, ``offset_day``, ``offset_hour``,
    ``timezone``) in PostHog's order; return the body to send.

    Raises:
        RequestValidationError: naming ``start_at`` or ``end_at``, with PostHog's message.
    """
    if start_at is None:
        raise _error(
            "start_at", "Backfilling from the beginning of time is not enabled for this team."
        )
    if end_at is None:
        raise _error("end_at", "Backfilling a BatchExport with no end date is not allowed")
    settings = (
        str(export.get("interval")),
        export.get("offset_day"),
        export.get("offset_hour"),
        export.get("timezone"),
    )
    start_text, start = parse_input("start_at", start_at, *settings)
    end_text, end = parse_input("end_at", end_at, *settings)
    if start >= end:
        raise _error("start_at", "The initial backfill datetime 'start_at' must be before 'end_at'")
    if end > now:
        raise _error("end_at", f"The provided 'end_at' ({end.isoformat()}) is in the future")
    return BackfillWindow(
        {"start_at": start_text, "end_at": end_text}, start.astimezone(UTC), end.astimezone(UTC)
    )


def overlaps(
    window: BackfillWindow,
    backfills: Iterable[Mapping[str, Any]],
    runs: Iterable[Mapping[str, Any]],
) -> list[str]:
    """Why the window would export data twice: open or completed backfills it overlaps, and
    completed runs inside it. Empty when it is safe.

    ``backfills`` and ``runs`` are API records (or frame rows) with ``start_at``/``end_at``/
    ``status`` and ``data_interval_start``/``data_interval_end``/``status``.
    """
    notes = []
    for backfill in backfills:
        if backfill.get("status") not in ("Starting", "Running", "Completed"):
            continue
        start, end = instant(backfill.get("start_at")), instant(backfill.get("end_at"))
        if start is not None and end is not None and start < window.end and window.start < end:
            notes.append(
                f"overlaps backfill {backfill.get('id')} ({backfill.get('status')}, "
                f"{start.isoformat()} to {end.isoformat()})"
            )
    covered = 0
    for run in runs:
        if run.get("status") != "Completed":
            continue
        start, end = instant(run.get("data_interval_start")), instant(run.get("data_interval_end"))
        if start is not None and end is not None and start < window.end and window.start < end:
            covered += 1
    if covered:
        notes.append(f"{covered} completed run(s) already exported data in this window")
    return notes


def lookaround(interval: object) -> timedelta:
    """How far past a window a run meeting it may start or end: one of its intervals."""
    return STEPS.get(str(getattr(interval, "value", interval)), timedelta(days=7))


OPEN = ("Starting", "Running")


def open_retry(run: Mapping[str, Any], backfills: Iterable[Mapping[str, Any]]) -> str | None:
    """The id of an open backfill of exactly ``run``'s interval (a retry under way), or
    None when a retry may start. A run still running is a RequestValidationError."""
    status = str(run.get("status"))
    if status_group(status) is StatusGroup.RUNNING:
        raise _error(
            "run",
            f"run {run.get('id')} is still {status}; wait for it to end, or cancel it, "
            "before retrying (a retry exports its interval again)",
        )
    start, end = instant(run.get("data_interval_start")), instant(run.get("data_interval_end"))
    for backfill in backfills:
        if backfill.get("status") not in OPEN:
            continue
        if (instant(backfill.get("start_at")), instant(backfill.get("end_at"))) == (start, end):
            return str(backfill.get("id"))
    return None
