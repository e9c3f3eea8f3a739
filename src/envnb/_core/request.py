"""How an endpoint is declared (``Endpoint``) and the request it describes (``RequestSpec``).

An ``Endpoint[T]`` says method, path template, required scope, request model, how to parse
the answer into a ``T``, whether it may be retried, whether it streams and how it pages.
``Endpoint.request()`` validates the body and fills the path, producing a
``RequestSpec[T]``: plain data that both transports send the same way, returning ``T``.
The declarations themselves are in each product's ``endpoints.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

from ..errors import RequestValidationError
from .models import RequestModel, check_sendable, validate_request

T = TypeVar("T")

# "offset": DRF LimitOffsetPagination, ``{count, next, previous, results}`` (count may be
# null); "cursor": DRF CursorPagination, ``{next, previous, results}`` with no count.
Paging = Literal["offset", "cursor"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Endpoint(Generic[T]):
    """One API endpoint, declared once; ``parse`` turns the answer (one item when paged) into T."""

    method: str
    path: str  # relative to /api/projects/{project_id}/, with {name} placeholders
    scope: str | None  # the scope PostHog requires ("INTERNAL": no scoped key may call it)
    parse: Callable[[Any], T]
    body: type[RequestModel] | None = None  # validates the JSON body before sending
    retry_safe: bool = False  # besides safe methods: idempotent actions (pause, cancel)
    streams: bool = False  # the answer is text/event-stream
    paging: Paging | None = None  # a list endpoint: how its pages link to each other

    def request(
        self,
        path_params: Mapping[str, Any] | None = None,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> RequestSpec[T]:
        """Validate the body and fill the path: the request, described, not sent.

        Raises RequestValidationError (naming the field) for a bad body or an empty id.
        """
        path = self.path
        for key, value in (path_params or {}).items():
            path = path.replace("{" + key + "}", _path_segment(key, value))
        json_body: Any = None
        if self.body is not None:
            json_body = validate_request(self.body, dict(body or {})).to_body()
        elif body is not None:
            json_body = dict(body)
            check_sendable(json_body)  # a lone surrogate would be httpx's UnicodeEncodeError
        query = {k: v for k, v in (params or {}).items() if v is not None}
        check_sendable(query)
        return RequestSpec(
            method=self.method,
            path=path,
            params=query,
            json=json_body,
            parse=self.parse,
            retry_safe=self.retry_safe or self.method in SAFE_METHODS,
            stream=self.streams,
            paging=self.paging,
        )


def _path_segment(name: str, value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    if not text or text in (".", ".."):
        raise RequestValidationError(f"{name}: must be a non-empty id, got {text!r}", attr=name)
    try:
        # Quote everything, so an id can never climb out of its path segment.
        return quote(text, safe="")
    except UnicodeEncodeError:  # a lone surrogate cannot go into a URL
        raise RequestValidationError(
            f"{name}: {text!r} is not a valid id (it contains a lone surrogate)", attr=name
        ) from None


@dataclass(frozen=True)
class RequestSpec(Generic[T]):
    """A request described as data: what a transport sends and how it reads the answer."""

    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    parse: Callable[[Any], T] = field(default=lambda body: body)
    retry_safe: bool = False
    stream: bool = False
    paging: Paging | None = None
    url: str | None = None  # absolute URL (a followed ``next`` link) overriding ``path``

    def with_params(self, **params: Any) -> RequestSpec[T]:
        """A copy with extra query parameters."""
        return replace(self, params={**self.params, **params})

    def page(self, **params: Any) -> RequestSpec[dict[str, Any]]:
        """The request for one page of this list, answered as the raw page envelope."""
        return RequestSpec(
            method=self.method,
            path=self.path,
            params={**self.params, **params},
            json=self.json,
            parse=page_envelope,
            retry_safe=self.retry_safe,
            paging=self.paging,
            url=self.url,
        )


def page_envelope(body: Any) -> dict[str, Any]:
    """A page envelope as sent, checked to be one (else the answer is "unexpected")."""
    if not isinstance(body, dict) or not isinstance(body.get("results", []), list):
        raise ValueError("a page must be an object with a 'results' list")
    return body


def no_content(body: Any) -> None:
    """The parse of an answer with nothing to read (204, or a body the caller ignores)."""
    return None
