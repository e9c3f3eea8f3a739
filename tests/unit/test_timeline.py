"""The seeded conversations' timeline: 90 days, busier on weekdays, growing, no collisions."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from itertools import pairwise

from envnb.sandbox.conversations.timeline import conversation_times

TOP = int(datetime(2026, 11, 30, 12, 0, tzinfo=UTC).timestamp())


def _days(times: list[int]) -> Counter[datetime]:
    return Counter(
        datetime.fromtimestamp(t, UTC).replace(hour=0, minute=0, second=0) for t in times
    )


def test_hundreds_over_ninety_days_strictly_decreasing() -> None:
    times = conversation_times(600, TOP, random.Random(0))
    assert len(times) == 600
    assert all(a > b for a, b in pairwise(times))
    assert times[0] <= TOP
    assert datetime.fromtimestamp(times[-1], UTC) >= datetime(2026, 9, 2, tzinfo=UTC)
    assert len(_days(times)) == 90  # no empty day: not a comb of 0/1 spikes


def test_weekly_rhythm_and_growth() -> None:
    days = _days(conversation_times(600, TOP, random.Random(0)))
    weekday = [c for d, c in days.items() if d.weekday() < 5]
    weekend = [c for d, c in days.items() if d.weekday() >= 5]
    assert sum(weekday) / len(weekday) > 2.5 * sum(weekend) / len(weekend)
    ordered = [days[d] for d in sorted(days)]
    first_month, last_month = sum(ordered[1:29]), sum(ordered[-29:-1])
    assert last_month > 1.6 * first_month


def test_deterministic_and_cheap_at_scale() -> None:
    a = conversation_times(100_000, TOP, random.Random(7))
    assert a == conversation_times(100_000, TOP, random.Random(7))
    assert len(set(a)) == 100_000
    assert conversation_times(0, TOP, random.Random(7)) == []
