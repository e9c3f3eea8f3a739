"""PostHog's conventions on the wire, shared by both transports (no I/O here).

Rule 1: the ``Authorization: Bearer`` header only goes to the configured origin.
Rule 2: redirects are never followed (a redirect to another host must not get the key).
Rule 3: an httpx error is mapped to a :class:`TransportFailure` before the retry policy sees
it; its class name is kept only for the message.
Rule 4: a stream waits for its response headers up to the client's ``timeout``, and then for
each piece of its body up to ``stream_idle_timeout`` (see :meth:`Wire.stream_reads`).
"""

from __future__ import annotations

import os
import ssl
import warnings
from functools import lru_cache
from typing import Any, TypeVar

import httpx

from .._version import __version__
from ..errors import (
    APIDeprecationWarning,
    APIError,
    RequestInfo,
    UnexpectedResponseError,
    describe_connection_error,
    redact_url,
)
from .config import Settings, origin_of
from .request import RequestSpec
from .retry import (
    EVENT_STREAM,
    Attempts,
    Fail,
    RetryPolicy,
    TransportFailure,
    shape_error,
    unexpected_media,
)

T = TypeVar("T")

# Requests in flight at once for one list_df (and pages held in memory: see _concurrency).
PAGE_WINDOW = 4
POOL_WAIT = 5.0  # seconds a request waits for a free connection of the client's pool


class Wire:
    """Settings and retry policy of one client: URLs, headers, errors for its requests."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = RetryPolicy(max_retries=settings.max_retries)
        self.origin = settings.origin
        self._deprecation_noted = False  # deprecation_notice warns once per client

    def url_for(self, spec: RequestSpec[Any]) -> str:
        """Absolute URL of a request (a followed ``next`` link, or the project URL + path)."""
        return spec.url if spec.url is not None else self.settings.project_url + spec.path

    def deprecation_notice(self, response: httpx.Response) -> None:
        """Warn once per client when an answer carries ``Deprecation`` or ``Sunset``."""
        headers = response.headers
        if self._deprecation_noted or not ("Deprecation" in headers or "Sunset" in headers):
            return
        self._deprecation_noted = True
        sunset = headers.get("Sunset")
        successor = headers.get("Link")
        warnings.warn(
            APIDeprecationWarning(
                f"PostHog marks {response.request.url.path} as deprecated"
                + (f" (it stops working after {sunset})" if sunset else "")
                + (f"; its successor: {successor}" if successor else "")
                + ". envnb itself uses /api/projects/; check the URL you configured. "
                "(Shown once per client.)"
            ),
            stacklevel=2,
        )

    def headers_for(self, url: str, *, accept: str = "application/json") -> dict[str, str]:
        """Headers for a request; the key only goes to the configured origin."""
        headers = {"Accept": accept, "User-Agent": f"envnb/{__version__}"}
        if origin_of(url) == self.origin:
            headers["Authorization"] = "Bearer " + self.settings.api_key.reveal()
        return headers

    def info(self, spec: RequestSpec[Any]) -> RequestInfo:
        """Secret-free description of a request, for errors."""
        return RequestInfo(spec.method, redact_url(self.url_for(spec)))

    def attempts(self, spec: RequestSpec[T], *, retry: bool = True) -> Attempts[T]:
        """The pure retry state of one request (``retry=False``: never sent twice)."""
        return Attempts(spec.parse, spec.retry_safe and retry, self.policy, self.info(spec))

    def error_status(
        self, spec: RequestSpec[Any], status: int, headers: httpx.Headers, content: bytes
    ) -> APIError:
        """The APIError for a streamed request's error status (streams are never retried)."""
        out = self.attempts(spec, retry=False).on_response(status, headers, content)
        assert isinstance(out, Fail) and isinstance(out.error, APIError)
        return out.error

    def parse_item(self, spec: RequestSpec[T], item: Any, row: int, info: RequestInfo) -> T:
        """One item of a list as its model, or an APIError naming the row and field."""
        try:
            return spec.parse(item)
        except ValueError as exc:  # pydantic.ValidationError is a ValueError
            ident = item.get("id") if isinstance(item, dict) else None
            where = f" in row {row}" + (f" (id {ident!r})" if ident is not None else "")
            error = shape_error(exc, status=200, info=info, body=item, where=where)
        raise error  # outside the except: the message says it all, nothing is chained

    def wrong_stream_media(
        self, spec: RequestSpec[Any], status: int, headers: httpx.Headers, head: bytes
    ) -> UnexpectedResponseError | None:
        """The error when a stream's answer is not an event stream (``head``: its start)."""
        return unexpected_media(status, headers, head, self.info(spec), want=EVENT_STREAM)

    def connection_error(self, spec: RequestSpec[Any], exc: httpx.RequestError) -> Exception:
        """The envnb error for a streamed request that got no answer at all."""
        cause = describe_connection_error(exc)
        out = self.attempts(spec, retry=False).on_error(failure_of(exc), cause)
        assert isinstance(out, Fail)
        return out.error

    def stream_reads(self, request: httpx.Request) -> None:
        """Let an open stream's body reads wait up to the idle limit (Rule 4).

        The response headers waited up to the client's ``timeout``; from here on PostHog's
        ``: keepalive`` every 15 s (any bytes) resets a read, so only a stream with nothing
        at all for ``stream_idle_timeout`` times out. httpcore reads the request's
        ``timeout`` extension when the body is first read, so it is replaced before that.
        """
        timeout = dict(request.extensions.get("timeout") or {})
        timeout["read"] = self.settings.stream_idle_timeout
        request.extensions["timeout"] = timeout

    def http_options(self) -> dict[str, Any]:
        """Keyword arguments shared by the sync and async httpx clients."""
        return {
            # A free connection comes within moments or not at all (streams left open hold
            # them): waiting the whole ``timeout`` for one only delays the same error.
            "timeout": httpx.Timeout(
                self.settings.timeout, pool=min(POOL_WAIT, self.settings.timeout)
            ),
            "follow_redirects": False,
            "limits": httpx.Limits(max_connections=PAGE_WINDOW * 2),
            "verify": tls_context(),
        }


def tls_context() -> ssl.SSLContext:
    """The certificate store httpx would load for a new client, loaded once a process.

    Loading it costs ~20-25 ms of CPU (about an eighth of a 20,000-row ``list_df()``'s);
    every client opened after the first shares it. Keyed by the variables read while
    loading it (httpx's ``SSL_CERT_FILE``, ``SSL_CERT_DIR``; ``ssl``'s ``SSLKEYLOGFILE``),
    so changing one still takes effect.
    """
    names = ("SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE")
    return _tls_context(tuple(os.environ.get(name) for name in names))


@lru_cache(maxsize=4)
def _tls_context(variables: tuple[str | None, ...]) -> ssl.SSLContext:
    return httpx.create_ssl_context()  # reads the same variables


def failure_of(exc: httpx.RequestError) -> TransportFailure:
    """The kind of an httpx error, for the retry policy."""
    if isinstance(exc, httpx.PoolTimeout):  # waited for a free connection: nothing sent
        return TransportFailure.POOL_FULL
    if isinstance(exc, httpx.ConnectTimeout):
        return TransportFailure.CONNECT_TIMED_OUT
    if isinstance(exc, httpx.ConnectError):
        return TransportFailure.NOT_SENT
    if isinstance(exc, httpx.TimeoutException):
        return TransportFailure.TIMED_OUT
    return TransportFailure.BROKEN


class StreamDropped(Exception):
    """Internal: a streamed request's connection failed (never reaches a user).

    ``answered`` tells whether the server had begun to answer; ``error`` is the envnb error
    to raise when nothing was answered; ``name`` names the httpx error for messages;
    ``failure`` is its kind. ``idle``: an open stream sent nothing for the idle limit (a
    read timeout, not a dropped connection).
    """

    def __init__(
        self, answered: bool, error: Exception, name: str, failure: TransportFailure
    ) -> None:
        super().__init__(name)
        self.answered = answered
        self.error = error
        self.name = name
        self.failure = failure
        self.idle = answered and failure is TransportFailure.TIMED_OUT
