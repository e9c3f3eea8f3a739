"""When the sandbox's exports run, and what a run looks like (records, bytes, duration).

Schedules are aligned in UTC epoch seconds: an hourly export's intervals end on the hour,
a daily one at ``offset_hour``, a weekly one on ``offset_day`` (0 = Sunday) at
``offset_hour``. The export's ``timezone`` is not applied to scheduled runs (a documented
simplification); backfill dates are read in it, as PostHog does.

Record counts are a deterministic function of the export and the interval, so a run
produced now and the same interval re-exported by a backfill carry the same numbers.
"""

from __future__ import annotations

import math
import zlib

from .destinations import DEFAULT_THROUGHPUT, DESTINATIONS

STEP = {
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "every 5 minutes": 300,
    "every 15 minutes": 900,
}
_FIRST_SUNDAY = 3 * 86400  # 1970-01-04, the first Sunday of the epoch

BYTES_PER_RECORD = 310


def step_of(interval: str) -> int:
    """Seconds between two runs of an interval (unknown intervals run hourly)."""
    return STEP.get(interval, 3600)


def base_of(interval: str, offset: int | None) -> int:
    """An epoch second on which a run of this schedule ends."""
    base = _FIRST_SUNDAY if interval == "week" else 0
    if interval in ("day", "week"):
        base += offset or 0
    return base


def next_end(interval: str, offset: int | None, after: float) -> int:
    """The first interval end at or after ``after``."""
    step, base = step_of(interval), base_of(interval, offset)
    return base + math.ceil((after - base) / step) * step


def last_end(interval: str, offset: int | None, before: float) -> int:
    """The last interval end at or before ``before``."""
    step, base = step_of(interval), base_of(interval, offset)
    return base + math.floor((before - base) / step) * step


def _unit(key: str) -> float:
    """A stable number in [0, 1) for a key."""
    return (zlib.crc32(key.encode()) & 0xFFFFFF) / 0x1000000


def records_for(export_id: str, start: float, end: float) -> int:
    """Events in ``[start, end)`` for this export: a daily and weekly rhythm plus noise."""
    scale = 3_000 + int(_unit(export_id) * 40_000)  # the export's events per busy hour
    total = 0.0
    hour = int(start // 3600)
    last = math.ceil(end / 3600)
    if last - hour > 24 * 14:  # long windows: a day's average is close enough
        return int(scale * 0.62 * (end - start) / 3600)
    for h in range(hour, last):
        covered = min(end, (h + 1) * 3600) - max(start, h * 3600)
        if covered <= 0:
            continue
        of_day = h % 24
        weekday = (h // 24 + 4) % 7  # 0 = Sunday
        rhythm = 0.3 + 0.7 * math.sin(math.pi * ((of_day - 4) % 24) / 24) ** 2
        if weekday in (0, 6):
            rhythm *= 0.55
        total += scale * rhythm * covered / 3600
    noise = 0.85 + 0.3 * _unit(f"{export_id}:{int(start)}")
    return int(total * noise)


def duration_for(dest_type: str, records: int, key: str) -> int:
    """Seconds a run of ``records`` rows takes on this destination (0 rows: a few seconds)."""
    if records == 0:
        return 2 + int(3 * _unit(key))
    destination = DESTINATIONS.get(dest_type)
    rate, setup = destination.throughput if destination else DEFAULT_THROUGHPUT
    return int(setup * (0.7 + 0.6 * _unit(key)) + records / rate)
