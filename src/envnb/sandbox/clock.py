"""The simulated clock of export operations, its timestamps and PostHog's date parameters.

Runs, backfills, logs and metrics read time from :class:`Clock`: real time plus an offset
that ``sb.advance(seconds)`` moves forward, so a test can jump to the next scheduled run
or to a backfill's end without sleeping. Everything the simulation writes is stamped in
whole seconds, so stored timestamps compare correctly as text.
"""

from __future__ import annotations

import calendar
import re
import threading
import time
from datetime import UTC, datetime, timedelta

from ._util import SecondsFormatter


class Clock:
    """Real time shifted by an offset that only moves forward."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def epoch(self) -> float:
        """Seconds since 1970 on the simulated clock."""
        return time.time() + self._offset

    def now(self) -> datetime:
        """The simulated time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.epoch(), UTC)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (a negative value is refused: time does not go back)."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds


_seconds = SecondsFormatter()


def stamp(epoch: float) -> str:
    """``1700000000.7`` -> ``"2023-11-14T22:13:20Z"`` (whole seconds, DRF's ``Z``)."""
    return _seconds(int(epoch))


def parse_stamp(text: str) -> float:
    """A stored or ISO timestamp -> epoch seconds (naive values are UTC)."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


_RELATIVE = re.compile(r"^-?(?P<n>\d+)?(?P<unit>[hdwmqyMs])(?P<pos>Start|End)?$")


def relative_date(text: str | None, now: datetime) -> datetime:
    """PostHog's ``relative_date_parse`` for the team's timezone (UTC here).

    ISO dates and datetimes are taken as they are (naive = UTC); ``-7d``, ``-24h``, ``-2w``,
    ``-1m`` (month), ``-1q``, ``-1y``, ``-30M`` (minutes) count back from ``now``; like
    PostHog, anything else means ``now`` rather than an error.
    """
    if not text:
        return now
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    else:
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    match = _RELATIVE.match(text.strip())
    if match is None:
        return now
    n = int(match["n"] or 1)
    unit = match["unit"]
    if unit in "mqy":
        return _months_back(now, n * {"m": 1, "q": 3, "y": 12}[unit])
    seconds = {"h": 3600, "d": 86400, "w": 7 * 86400, "M": 60, "s": 1}[unit]
    return now - timedelta(seconds=n * seconds)


def _months_back(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months (the day is clamped to the month's length)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
