"""Sans-I/O retry policy and per-request decisions: response or error in → Done/Retry/Fail.

Retries are only for requests that cannot duplicate a side effect: safe methods (GET,
HEAD, OPTIONS) and the actions the contract says are idempotent (pause, unpause, cancel).
A conversation message, an append or a create is never retried — the endpoint declares it.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any, Generic, TypeVar

import pydantic

from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    RequestInfo,
    UnexpectedResponseError,
    body_excerpt,
    error_from_response,
)
from .lines import split_lines

T = TypeVar("T")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Added to the error of a write whose answer was lost (it may have happened).
MAYBE_APPLIED = " — the server may have applied it; check before sending it again"
# The longest Retry-After envnb reports (one day). Longer, infinite or NaN values are not
# a wait anyone can use: they are reported as None (no usable hint), never as a number a
# caller's ``time.sleep(err.retry_after)`` would hang on.
MAX_RETRY_AFTER = 86_400.0


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
        told = _seconds(retry_after)
        if told is not None and not math.isnan(told):
            if told > self.max_wait:  # also inf: the server asks for too long, surface it
                return None
            return max(0.0, told)
        return self.backoff(attempt)

    def after_error(self, attempt: int, *, retryable: bool) -> float | None:
        """Seconds to wait before retrying after a connection error/timeout, or None."""
        if not retryable or attempt > self.max_retries:
            return None
        return self.backoff(attempt)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (seconds or HTTP date) into seconds, 0 to one day.

    None when absent, unparsable, infinite, NaN or longer than :data:`MAX_RETRY_AFTER`.
    """
    secs = _seconds(value, now)
    if secs is None or not math.isfinite(secs) or secs > MAX_RETRY_AFTER:
        return None
    return max(0.0, secs)


def _seconds(value: str | None, now: datetime | None = None) -> float | None:
    """The header as seconds, unbounded (inf, NaN and negative included); None if unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - (now or datetime.now(UTC))).total_seconds()


# ---- per-request decisions ----------------------------------------------------------------


@dataclass(frozen=True)
class Done(Generic[T]):
    """The request succeeded with this parsed value."""

    value: T


@dataclass(frozen=True)
class Retry:
    """Wait this many seconds, then send again."""

    wait: float


@dataclass(frozen=True)
class Fail:
    """Give up with this error."""

    error: Exception


POOL_FULL_MESSAGE = (
    "no free connection: every connection of this client is held by an open stream or "
    "request, so nothing was sent. Close the streams you stopped reading (stream.close(), or "
    "read them in `with client.conversations.stream(...) as stream:`); streams you no "
    "longer reference are closed when Python collects them"
)


class TransportFailure(Enum):
    """How a request failed below HTTP (the transport maps its library's errors to these)."""

    # Before the request left this machine: nothing can have been applied.
    NOT_SENT = "not sent"
    CONNECT_TIMED_OUT = "connect timed out"
    # No free connection in the client's pool within the timeout (streams left open).
    POOL_FULL = "pool full"
    # After sending: the server may have acted on it.
    TIMED_OUT = "timed out"
    BROKEN = "broken"

    @property
    def timed_out(self) -> bool:
        """True for both timeouts."""
        return self in (TransportFailure.CONNECT_TIMED_OUT, TransportFailure.TIMED_OUT)

    @property
    def sent(self) -> bool:
        """True when the request may have reached the server."""
        return self in (TransportFailure.TIMED_OUT, TransportFailure.BROKEN)


class Attempts(Generic[T]):
    """Pure per-request state: each response or error in, Done/Retry/Fail out.

    ``parse`` turns a 2xx JSON body into the result; ``retry_safe`` says whether sending
    the request again can duplicate a side effect (see the module docstring).
    """

    def __init__(
        self,
        parse: Callable[[Any], T],
        retry_safe: bool,
        policy: RetryPolicy,
        info: RequestInfo,
    ) -> None:
        self.parse = parse
        self.retry_safe = retry_safe
        self.policy = policy
        self.info = info
        self.attempt = 0

    def on_response(
        self, status: int, headers: Mapping[str, str], content: bytes
    ) -> Done[T] | Retry | Fail:
        """Decide after a complete response."""
        self.attempt += 1
        if status >= 300:
            body, text = _json_or_none(content)
            wait = self.policy.after_status(
                self.attempt, status, headers.get("retry-after"), retryable=self.retry_safe
            )
            if wait is not None:
                return Retry(wait)
            retry_after = parse_retry_after(headers.get("retry-after"))
            return Fail(
                error_from_response(
                    status, body, request=self.info, retry_after=retry_after, text=text
                )
            )
        mismatch = unexpected_media(status, headers, content, self.info, want=JSON)
        if mismatch is not None:
            return Fail(mismatch)  # a proxy or login page: asking again would get it again
        try:
            body = json.loads(content) if content.strip() else None
        except ValueError:
            # A truncated body means the connection broke mid-body: retry if safe.
            return self._error("malformed JSON in response", timed_out=False, reached_server=True)
        try:
            return Done(self.parse(body))
        except ValueError as exc:  # pydantic.ValidationError is a ValueError
            return Fail(shape_error(exc, status=status, info=self.info, body=body))

    def on_error(self, failure: TransportFailure, name: str) -> Retry | Fail:
        """Decide after a transport error; ``name`` is its cause in words, for the message."""
        self.attempt += 1
        if failure is TransportFailure.POOL_FULL:
            # Waiting again would only wait again: what holds the connections must let go.
            return Fail(APIConnectionError(POOL_FULL_MESSAGE, request=self.info))
        message = (
            f"request timed out: {name}" if failure.timed_out else f"connection failed: {name}"
        )
        return self._error(message, timed_out=failure.timed_out, reached_server=failure.sent)

    def _error(self, message: str, *, timed_out: bool, reached_server: bool) -> Retry | Fail:
        wait = self.policy.after_error(self.attempt, retryable=self.retry_safe)
        if wait is not None:
            return Retry(wait)
        if reached_server and not self.retry_safe:
            # A write whose answer was lost may still have happened: say so, so nobody
            # blindly sends it again (that is why it was not retried).
            message += MAYBE_APPLIED
        cls = APITimeoutError if timed_out else APIConnectionError
        return Fail(cls(message, request=self.info))


def shape_error(
    exc: ValueError, *, status: int, info: RequestInfo, body: Any, where: str = ""
) -> APIError:
    """The error for a body that does not have the shape of its model, naming the field
    (``where``: e.g. " in row 3 (id 'e4')" for an item of a list)."""
    what = split_lines(str(exc))[0]
    if isinstance(exc, pydantic.ValidationError) and exc.errors():
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "the object"
        what = f"field {field!r}: {first['msg']}"
    return APIError(
        status=status, detail=f"unexpected response shape{where}: {what}", request=info, body=body
    )


JSON = "JSON"
EVENT_STREAM = "an event stream"


def media_type(headers: Mapping[str, str]) -> str:
    """The Content-Type without parameters, lower-case ("" when absent)."""
    return (headers.get("content-type") or "").split(";", 1)[0].strip().lower()


def unexpected_media(
    status: int, headers: Mapping[str, str], content: bytes, info: RequestInfo, *, want: str
) -> UnexpectedResponseError | None:
    """The error for a 2xx body that is not ``want`` (:data:`JSON` or :data:`EVENT_STREAM`).

    A missing Content-Type is accepted for JSON (the parser decides), and an empty body
    never mismatches. ``content`` may be only the start of the body (for the excerpt).
    """
    kind = media_type(headers)
    if want == JSON:
        fits = kind in ("", "application/json", "text/json") or kind.endswith("+json")
        if fits or not content.strip():
            return None
    elif kind == "text/event-stream":
        return None
    quoted = body_excerpt(content)
    detail = (
        f"expected {want} but the server answered {status} with "
        f"{kind or 'no Content-Type'}{f': {quoted!r}' if quoted else ''} — a proxy or login "
        "page may be in the way (check the host); nothing was read from it"
    )
    return UnexpectedResponseError(
        content_type=kind, status=status, detail=detail, request=info, body=None
    )


def _json_or_none(content: bytes) -> tuple[Any, str]:
    text = content.decode("utf-8", errors="replace")
    try:
        return json.loads(text), text
    except ValueError:
        return None, text
