"""The one exception tree of envnb.

::

    EnvnbError
    ├── ConfigurationError                  missing/invalid host, key, project id
    ├── RequestValidationError(ValueError)  local validation before sending; .attr, .allowed
    ├── APIError                            .status .type .code .detail .attr .request .body
    │   ├── BadRequestError        400      .attr names the field when it is a field error
    │   │   └── HogQLQueryError    400      HogQL PostHog could not parse or resolve:
    │   │                                   .query .notices .start .end .table_names .pointer()
    │   ├── AuthenticationError    401
    │   ├── QuotaExceededError     402
    │   ├── PermissionDeniedError  403
    │   ├── NotFoundError          404
    │   ├── ConflictError          409
    │   │   └── QueueFullError     409      a conversation already holds two queued messages
    │   ├── UnprocessableError     422
    │   ├── RateLimitError         429      .retry_after (seconds, or None)
    │   ├── ServerError            5xx
    │   └── UnexpectedResponseError 2xx     a body of the wrong media type (an HTML page)
    ├── APIConnectionError                  connection refused/dropped, malformed body
    │   └── APITimeoutError
    ├── StreamError                         a stream ended abnormally and could not be resumed
    └── FileExportError                     a file-download run failed or was cancelled, or a
                                            landed file does not verify; .run .start .end

    DataWarning(UserWarning)                a server value did not fit its field or column
                                            and was read as missing (the row is kept)
    ListChangedWarning(UserWarning)         a list changed while it was read page by page
    FleetWarning(UserWarning)               one project of a Fleet failed (its row says why)

Messages are written for a person: ``403: API key missing required scope 'INTERNAL' —
destination tests need a key with that scope``. No message ever contains the API key:
``request`` is a :class:`RequestInfo` with the method and a URL stripped of secrets.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._connection_error import describe_connection_error
from ._hogql_error import HogQLDetails, HogQLNotice, is_hogql_refusal

_SECRET_PARAMS = {"personal_api_key", "api_key", "token", "access_token"}


def redact_url(url: str) -> str:
    """Return ``url`` with credentials and secret query parameters removed."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    query = urlencode(
        [(k, "[secure]" if k.lower() in _SECRET_PARAMS else v) for k, v in parse_qsl(parts.query)]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


@dataclass(frozen=True)
class RequestInfo:
    """The method and secret-free URL of the request that failed."""

    method: str
    url: str

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


class EnvnbError(Exception):
    """Base of every error envnb raises."""


class ConfigurationError(EnvnbError):
    """A setting (host, API key, project id) is missing or invalid."""


class RequestValidationError(EnvnbError, ValueError):
    """A request failed local validation; nothing was sent."""

    def __init__(
        self, message: str, *, attr: str | None = None, allowed: Iterable[Any] | None = None
    ) -> None:
        super().__init__(message)
        self.attr = attr
        self.allowed: tuple[Any, ...] | None = tuple(allowed) if allowed is not None else None


# Hints appended to server messages when we know what the user should do next.
_SCOPE_HINTS = {
    "INTERNAL": "destination tests need a key with that scope (or a legacy/unscoped key)",
}

# Conversation errors whose server wording does not say what to do next.
_DETAIL_HINTS = {
    "Cannot continue streaming from an idle conversation": (
        "the reply has already finished; read it with conversations.get(id)"
    ),
    "Cannot resume streaming with a new message": (
        "a reply is still being generated; resume(id) it, cancel(id) it, wait, or "
        "enqueue(id, content) the message for when it ends"
    ),
    "Only two messages can be queued at a time": (
        "the conversation answers its queued messages in order as each reply ends; wait for "
        "one, or remove one with conversations.dequeue(id, queue_id) or clear_queue(id)"
    ),
    "reached its AI credit usage limit": (
        "nothing was sent; PostHog AI answers again once the limit is raised"
    ),
}


class APIError(EnvnbError):
    """The server answered with an error status."""

    status: int = 0

    def __init__(
        self,
        *,
        status: int,
        type: str | None = None,
        code: str | None = None,
        detail: str | None = None,
        attr: str | None = None,
        request: RequestInfo | None = None,
        body: Any = None,
    ) -> None:
        self.status = status
        self.type = type
        self.code = code
        self.detail = detail
        self.attr = attr
        self.request = request
        self.body = body
        super().__init__(self._message())

    def _message(self) -> str:
        detail = self.detail or _DEFAULT_DETAIL.get(self.status, "request failed")
        msg = f"{self.status}: {detail}"
        if self.attr:
            msg += f" (field '{self.attr}')"
        for scope, hint in _SCOPE_HINTS.items():
            if f"scope '{scope}'" in detail:
                msg += f" — {hint}"
        if "does not support Personal API Key access" in detail:
            msg += " — this action needs a legacy (unscoped) personal API key"
        for needle, hint in _DETAIL_HINTS.items():
            if needle in detail:
                msg += f" — {hint}"
        if self.request is not None:
            msg += f" [{self.request}]"
        return msg


_DEFAULT_DETAIL = {
    400: "bad request",
    401: "authentication failed — check POSTHOG_PERSONAL_API_KEY",
    402: "quota exceeded",
    403: "permission denied",
    404: "not found",
    409: "conflict",
    422: "the server could not process the request",
    429: "rate limited",
}


class BadRequestError(APIError):
    """400: the server rejected the request; ``attr`` names the field if any."""


class HogQLQueryError(HogQLDetails, BadRequestError):
    """400: HogQL that PostHog could not parse or resolve; where, from the body's
    ``extra.hogql_metadata`` (read in ``envnb._hogql_error``)."""


class AuthenticationError(APIError):
    """401: the API key is missing or invalid."""


class QuotaExceededError(APIError):
    """402: a quota (such as AI credits) is exhausted."""


class PermissionDeniedError(APIError):
    """403: the key lacks a scope or access to the project or action."""


class NotFoundError(APIError):
    """404: no such object (or not visible to this key)."""


class ConflictError(APIError):
    """409: the object is busy (e.g. a conversation is still generating)."""


class QueueFullError(ConflictError):
    """409 ``queue_full``: a conversation already holds its two queued messages."""


class UnprocessableError(APIError):
    """422: the server could not carry out the action."""


class RateLimitError(APIError):
    """429: throttled; ``retry_after`` says how many seconds to wait."""

    def __init__(self, *, retry_after: float | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kw)


class ServerError(APIError):
    """5xx: the server failed."""


class UnexpectedResponseError(APIError):
    """A success status whose body is not what was asked for: HTML (a proxy's or a login
    page) where JSON or an event stream was expected. Not parsed, retried or resumed;
    ``content_type`` is what came back, and the message quotes a short excerpt."""

    def __init__(self, *, content_type: str, **kw: Any) -> None:
        self.content_type = content_type
        super().__init__(**kw)


def body_excerpt(content: bytes, limit: int = 120) -> str:
    """A short, printable excerpt of a body for a message: tags, control and format
    characters removed, whitespace collapsed, at most ``limit`` characters."""
    text = content[: limit * 20].decode("utf-8", errors="replace")
    text = re.sub(r"(?is)<(script|style)\b.*?(</\1>|$)", " ", text)
    text = html.unescape(re.sub(r"<[^>]*>?", " ", text))
    text = "".join(ch if unicodedata.category(ch)[0] not in "CZ" else " " for ch in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class ListChangedWarning(UserWarning):
    """A list changed while it was read page by page (an object created, updated or
    deleted between two pages of an ordering that moves): rows seen twice were kept once,
    and rows may be missing. The message says what changed and what to do."""


class APIDeprecationWarning(FutureWarning):
    """PostHog answered with ``Deprecation``/``Sunset`` headers: the endpoint used will go away
    (e.g. ``/api/environments/``, now ``/api/projects/``). Shown once per client; a
    ``FutureWarning`` so notebooks show it (a plain ``DeprecationWarning`` is hidden there)."""


class FleetWarning(UserWarning):
    """One project of an ``envnb.Fleet`` failed; its row in the frame carries the error and
    the other projects' rows are complete."""


class APIConnectionError(EnvnbError):
    """The connection failed, dropped, or the body could not be read."""

    def __init__(self, message: str, *, request: RequestInfo | None = None) -> None:
        self.request = request
        super().__init__(f"{message} [{request}]" if request else message)


class APITimeoutError(APIConnectionError):
    """The request timed out."""


# errno values (Linux / macOS / Windows) that name a cause in words.


class StreamError(EnvnbError):
    """A stream ended abnormally and could not be resumed."""


class FileExportError(EnvnbError):
    """A file-download run failed or was cancelled (``run``: its id, ``start``/``end``: the
    range it covered), or a landed file does not match its manifest."""

    def __init__(
        self,
        message: str,
        *,
        run: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.run = run
        self.start = start
        self.end = end


class DataWarning(UserWarning):
    """A value from the server did not fit its field or column and was read as missing.

    The message names the object or row (position and id), the field or column and the
    value; the rest of the object, list or DataFrame is kept.
    """


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: QuotaExceededError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableError,
    429: RateLimitError,
}


# Errors told apart by their code within a status [src: PH:ee/api/conversation.py queue].
_BY_CODE: dict[tuple[int, str], type[APIError]] = {
    (409, "queue_full"): QueueFullError,
}


def error_class(status: int) -> type[APIError]:
    """Return the APIError subclass for an HTTP status."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIError)


def error_from_response(
    status: int,
    body: Any,
    *,
    request: RequestInfo | None = None,
    retry_after: float | None = None,
    text: str = "",
) -> APIError:
    """Build the right APIError from a status and a parsed (or unparsable) body."""
    type_ = code = detail = attr = None
    if isinstance(body, Mapping):
        type_ = _str_or_none(body.get("type"))
        code = _str_or_none(body.get("code"))
        detail = _str_or_none(body.get("detail")) or _str_or_none(body.get("error"))
        attr = _str_or_none(body.get("attr"))
    elif text and "<html" in text[:200].lower():
        detail = "the server (or a proxy in front of it) answered with an HTML error page"
    cls = error_class(status)
    if isinstance(body, Mapping):
        # A few views answer {"error": <code>, "detail": <text>} instead of drf's body.
        cls = _BY_CODE.get((status, code or _str_or_none(body.get("error")) or ""), cls)
    if cls is BadRequestError and is_hogql_refusal(body):
        cls = HogQLQueryError
    kw: dict[str, Any] = dict(
        status=status, type=type_, code=code, detail=detail, attr=attr, request=request, body=body
    )
    if cls is RateLimitError:
        return RateLimitError(retry_after=retry_after, **kw)
    return cls(**kw)


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


__all__ = [
    "APIConnectionError",
    "APIDeprecationWarning",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "EnvnbError",
    "FileExportError",
    "FleetWarning",
    "HogQLNotice",
    "HogQLQueryError",
    "ListChangedWarning",
    "NotFoundError",
    "PermissionDeniedError",
    "QueueFullError",
    "QuotaExceededError",
    "RateLimitError",
    "RequestInfo",
    "RequestValidationError",
    "ServerError",
    "StreamError",
    "UnexpectedResponseError",
    "UnprocessableError",
    "describe_connection_error",
    "error_class",
    "error_from_response",
    "redact_url",
]
