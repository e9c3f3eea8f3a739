"""Sans-I/O retry policy: (attempt, response or error) in → wait N seconds, or give up.

Retries are only for requests that cannot duplicate a side effect: safe methods (GET,
HEAD, OPTIONS) and the actions the contract says are idempotent (pause, unpause, cancel).
A conversation message, an append or a create is never retried — the endpoint declares it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter, honouring Retry-After up to ``max_wait``."""

    max_retries: int = 3
    base: float = 0.5
    cap: float = 8.0
    max_wait: float = 60.0  # never sleep longer than this on a server's say-so
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Jittered delay before retry number ``attempt`` (1-based)."""
        ceiling = min(self.cap, self.base * (2 ** (attempt - 1)))
        return self.rng.uniform(ceiling / 2, ceiling)

    def after_status(
        self, attempt: int, status: int, retry_after: str | None, *, retryable: bool
    ) -> float | None:
        """Seconds to wait before retrying after a response, or None to give up."""
        if not retryable or attempt > self.max_retries or status not in RETRY_STATUSES:
            return None
        told = parse_retry_after(retry_after)
        if told is not None:
            if told > self.max_wait:
                return None  # the server asks for too long: surface the 429 instead
            return told
        return self.backoff(attempt)

    def after_error(self, attempt: int, *, retryable: bool) -> float | None:
        """Seconds to wait before retrying after a connection error/timeout, or None."""
        if not retryable or attempt > self.max_retries:
            return None
        return self.backoff(attempt)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (seconds or HTTP date) into seconds; None if absent/bad."""
    if value is None:
        return None
    value = value.strip()
    try:
        secs = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        secs = (when - (now or datetime.now(UTC))).total_seconds()
    if secs != secs:  # NaN
        return None
    return max(0.0, secs)
