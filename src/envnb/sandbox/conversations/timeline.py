"""When seeded conversations happen: 90 days with a weekly rhythm and growth.

A demo chart of "conversations per day" should look like a product in use: busier on
weekdays than at weekends, growing over the quarter, a little noisy. Each calendar day
(UTC) gets a share of the ``n`` conversations proportional to its weight; within a day
the times are random. Pure and deterministic for a given ``rng``; cheap enough for 100k.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

DAYS = 90
DAY = 86_400
# Monday .. Sunday: people ask PostHog AI at work.
WEEKLY = (1.0, 1.08, 1.05, 1.0, 0.85, 0.32, 0.26)
START, END = 0.45, 1.0  # growth: the oldest day's weight relative to today's


def day_weights(top: int, rng: random.Random, days: int = DAYS) -> list[tuple[int, int, float]]:
    """(start, end, weight) of each UTC day back from ``top`` (epoch seconds), newest first.

    Today is cut at ``top`` and weighs the fraction of it that has passed.
    """
    midnight = top - top % DAY
    out = []
    for k in range(days):
        start = midnight - k * DAY
        end = min(start + DAY, top)
        growth = END - (END - START) * k / max(days - 1, 1)
        weekday = datetime.fromtimestamp(start, UTC).weekday()
        noise = 0.85 + 0.3 * rng.random()
        out.append((start, end, growth * WEEKLY[weekday] * noise * (end - start) / DAY))
    return out


def conversation_times(n: int, top: int, rng: random.Random, days: int = DAYS) -> list[int]:
    """``n`` strictly decreasing epoch seconds at or before ``top``, spread as described."""
    if n <= 0:
        return []
    weights = day_weights(top, rng, days)
    total = sum(w for _, _, w in weights)
    exact = [n * w / total for _, _, w in weights]
    counts = [int(x) for x in exact]
    # Largest remainders get the conversations rounding left over, so the counts sum to n.
    order = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    rand = rng.random
    times: list[int] = []
    for (start, end, _), count in zip(weights, counts, strict=True):
        span = max(end - start, 1)
        times.extend(sorted((start + int(rand() * span) for _ in range(count)), reverse=True))
    # Distinct times keep the list order (updated_at, then id) meaningful for people too.
    for i in range(1, len(times)):
        if times[i] >= times[i - 1]:
            times[i] = times[i - 1] - 1
    return times
