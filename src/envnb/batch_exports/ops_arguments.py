"""Checks and shapes of the export-operations arguments (pure; both clients use them).

Every check raises :class:`~envnb.errors.RequestValidationError` naming the argument before
anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeAlias

from .._core.arguments import check_allowed
from .._core.models import allowed_values
from ..errors import RequestValidationError
from .models import RunStatus
from .ops_models import LogLevel

DEFAULT_RUNS_WINDOW = timedelta(days=30)
_RELATIVE = re.compile(r"^-\d+[hdwmqyM]$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STATUSES = allowed_values(RunStatus)
_LEVELS = allowed_values(LogLevel)

# One name or several (run statuses, log levels); None for every one.
Names: TypeAlias = str | Iterable[str] | None


def moment(name: str, value: Any, now: datetime | None = None) -> str | None:
    """A time argument as the text to send: aware datetimes and dates as ISO, relative
    values like ``"-30d"`` as they are, ``timedelta`` as ``now - value``; None stays None."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return ((now or datetime.now(UTC)) - value).isoformat()
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise RequestValidationError(
                f"{name}: {value.isoformat()!r} is naive; give a timezone-aware datetime "
                "(e.g. with tzinfo=datetime.UTC)",
                attr=name,
            )
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        if _RELATIVE.match(text):
            return text
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return text
    raise RequestValidationError(
        f"{name}: {value!r} is not a time; give an aware datetime, a date, an ISO string, a "
        "timedelta (that long ago) or a relative value like '-30d'",
        attr=name,
    )


def instant_of(name: str, value: Any, now: datetime) -> datetime:
    """A time argument as an aware UTC datetime (relative values counted back from now)."""
    text = moment(name, value, now)
    assert text is not None
    if _RELATIVE.match(text):
        n, unit = int(text[1:-1]), text[-1]
        days = {"h": 1 / 24, "d": 1, "w": 7, "m": 30, "q": 91, "y": 365}
        try:
            span = timedelta(minutes=n) if unit == "M" else timedelta(days=n * days[unit])
            return now - span
        except OverflowError:  # a span past datetime's year 1..9999 (a typo such as -99999999999d)
            raise RequestValidationError(
                f"{name}: {value!r} reaches back beyond the year 1; give a smaller relative value",
                attr=name,
            ) from None
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def time_window(
    start_name: str, start: Any, end_name: str, end: Any, now: datetime
) -> tuple[str | None, str | None]:
    """The texts to send for a ``[start, end]`` window, checked as every window is.

    One check for every window argument (runs, logs, metrics, health): a start in the
    future or an end before the start would be answered with an empty frame — a wrong
    "nothing happened" with no sign — so both are a RequestValidationError naming the
    argument. An end in the future is fine (it means "until now").
    """
    start_text, end_text = moment(start_name, start, now), moment(end_name, end, now)
    first = None if start_text is None else instant_of(start_name, start_text, now)
    if first is not None and first > now:
        raise RequestValidationError(
            f"{start_name}: {start_text!r} is in the future (now is "
            f"{now.astimezone(UTC):%Y-%m-%d %H:%M} UTC), so nothing can lie after it",
            attr=start_name,
        )
    last = None if end_text is None else instant_of(end_name, end_text, now)
    if last is not None and end_text is not None and _DATE_ONLY.match(end_text):
        last += timedelta(days=1)  # a date as the end means that whole day
    if first is not None and last is not None and last < first:
        raise RequestValidationError(
            f"{end_name}: {end_text!r} is before {start_name} ({start_text!r}), "
            "so the window is empty; swap them?",
            attr=end_name,
        )
    return start_text, end_text


def run_window(after: Any, before: Any, now: datetime) -> dict[str, str]:
    """``after``/``before`` of a runs list; ``after`` always set (default 30 days back)."""
    start = (now - DEFAULT_RUNS_WINDOW).isoformat() if after is None else after
    sent, end = time_window("after", start, "before", before, now)
    assert sent is not None
    window = {"after": sent}
    if end is not None:
        window["before"] = end
    return window


def _names(value: Names) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(getattr(v, "value", v)) for v in value]


def statuses(value: Names) -> list[str]:
    """Run statuses to filter on (one, a comma list or a list), each one PostHog's."""
    names = _names(value)
    for name in names:
        check_allowed("status", name, _STATUSES)
    return names


def levels(value: Names) -> list[str]:
    """Log levels to filter on (case-insensitive), each one PostHog's."""
    names = [name.upper() for name in _names(value)]
    for name in names:
        check_allowed("level", name, _LEVELS)
    return names


def log_limit(value: Any) -> int | None:
    """PostHog returns 1-500 entries (default 50)."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 500:
        raise RequestValidationError(
            f"limit: must be an int from 1 to 500 (PostHog's range), got {value!r}", attr="limit"
        )
    return value
