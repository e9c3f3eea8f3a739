"""Fault injection: rules parsed from a spec string or dicts, applied by an ASGI middleware.

Spec grammar (docs/INTERFACES.md): rules separated by ``;``, each a comma-separated list of
``key=value``; keys ``route``, ``method``, ``rate``, ``times`` and exactly one action of
``latency``, ``status`` (+ ``retry_after``), ``drop=body``, ``cut_after``, ``malformed=json``,
``html``.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import errors
from .paths import split_project
from .store import Store

ACTIONS = ("latency", "status", "drop", "cut_after", "malformed", "html")
_KEYS = {"route", "method", "rate", "times", "retry_after", *ACTIONS}


class FaultSpecError(ValueError):
    """A fault spec that does not follow the grammar."""


@dataclass
class Rule:
    """One fault rule; ``times`` counts down as the rule fires."""

    action: str
    value: Any
    route: str | None = None
    method: str | None = None
    rate: float = 1.0
    times: int | None = None
    retry_after: int = 1

    def matches(self, route: str, method: str) -> bool:
        """Whether a request is in this rule's scope (before rate and times)."""
        if self.route is not None and self.route not in route:
            return False
        return self.method is None or self.method == method


def _number(key: str, text: Any, kind: type) -> Any:
    try:
        return kind(text)
    except (TypeError, ValueError):
        raise FaultSpecError(f"fault rule: {key}={text!r} is not a {kind.__name__}") from None


# The numbers a rule may hold, and why: a status outside these cannot be answered over HTTP
# (uvicorn would send a malformed status line or fail mid-response) or is no error at all.
_RANGES: dict[str, tuple[float, float, str]] = {
    "status": (400, 599, "an HTTP error status; use 400 to 599"),
    "html": (200, 599, "an HTTP status an HTML page can carry; use 200 to 599"),
    "latency": (0, math.inf, "a number of seconds >= 0"),
    "cut_after": (0, math.inf, "a number of events >= 0"),
    "times": (1, math.inf, "a number of requests >= 1"),
    "retry_after": (0, math.inf, "a number of seconds >= 0"),
}


def _checked(key: str, value: Any) -> Any:
    low, high, what = _RANGES[key]
    if not (math.isfinite(value) and low <= value <= high):
        raise FaultSpecError(f"fault rule: {key}={value!r} is not {what}")
    return value


def _rule(fields: dict[str, Any]) -> Rule:
    unknown = set(fields) - _KEYS
    if unknown:
        raise FaultSpecError(
            f"fault rule: unknown key(s) {sorted(unknown)}; known: {sorted(_KEYS)}"
        )
    actions = [key for key in ACTIONS if key in fields]
    if len(actions) != 1:
        raise FaultSpecError(
            f"fault rule needs exactly one action of {list(ACTIONS)}, got {actions or 'none'}"
        )
    action = actions[0]
    raw = fields[action]
    value: Any
    if action == "latency":
        value = _checked(action, _number(action, raw, float))
    elif action in ("status", "html", "cut_after"):
        value = _checked(action, _number(action, raw, int))
    elif action == "drop":
        if raw != "body":
            raise FaultSpecError("fault rule: drop only supports drop=body")
        value = raw
    else:
        if raw != "json":
            raise FaultSpecError("fault rule: malformed only supports malformed=json")
        value = raw
    rate = _number("rate", fields.get("rate", 1), float)
    if not 0 <= rate <= 1:
        raise FaultSpecError("fault rule: rate must be between 0 and 1")
    times = fields.get("times")
    return Rule(
        action=action,
        value=value,
        route=fields.get("route") or None,
        method=str(fields["method"]).upper() if fields.get("method") else None,
        rate=rate,
        times=None if times is None else _checked("times", _number("times", times, int)),
        retry_after=_checked(
            "retry_after", _number("retry_after", fields.get("retry_after", 1), int)
        ),
    )


def parse(spec: str | list[dict[str, Any]] | None) -> list[Rule]:
    """Parse a spec string or list of dicts into rules (raises FaultSpecError)."""
    if spec is None or spec == "":
        return []
    if isinstance(spec, str):
        rules = []
        for chunk in spec.split(";"):
            if not chunk.strip():
                continue
            fields: dict[str, Any] = {}
            for part in chunk.split(","):
                key, sep, value = part.partition("=")
                if not sep:
                    raise FaultSpecError(f"fault rule: expected key=value, got {part!r}")
                fields[key.strip()] = value.strip()
            rules.append(_rule(fields))
        return rules
    return [_rule(dict(item)) for item in spec]


class FaultEngine:
    """The active rules; deterministic (seeded RNG) and replaceable while running."""

    def __init__(self, spec: str | list[dict[str, Any]] | None, seed: int) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.rules = parse(spec)

    def set(self, spec: str | list[dict[str, Any]] | None) -> None:
        """Replace the rules."""
        rules = parse(spec)
        with self._lock:
            self.rules = rules

    def pick(self, route: str, method: str) -> Rule | None:
        """The first rule that fires for this request (consumes one of its ``times``)."""
        with self._lock:
            for rule in self.rules:
                if not rule.matches(route, method):
                    continue
                if rule.times is not None and rule.times <= 0:
                    continue
                if rule.rate < 1 and self._rng.random() >= rule.rate:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return rule
        return None


HTML_PAGE = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Time-out",
    429: "Too Many Requests",
}


class _Abort(Exception):
    """Raised to drop the connection mid-body (uvicorn closes the socket)."""


class FaultMiddleware:
    """Counts requests and applies the first matching fault rule to /api/ requests."""

    def __init__(self, app: ASGIApp, engine: FaultEngine, store: Store) -> None:
        self.app = app
        self.engine = engine
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self.store.lock:
            self.store.requests += 1
            self.store.in_flight += 1
        try:
            await self._handle(scope, receive, send)
        finally:
            with self.store.lock:
                self.store.in_flight -= 1
                if not self.store.in_flight:
                    self.store.idle.notify_all()

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if not path.startswith("/api/") or not self.engine.rules:
            await self.app(scope, receive, send)
            return
        split = split_project(path)
        route = split[1] if split else path[len("/api/") :].strip("/")
        rule = self.engine.pick(route, scope["method"])
        if rule is None:
            await self.app(scope, receive, send)
            return
        with self.store.lock:
            self.store.faults[rule.action] += 1
        try:
            await self._apply(rule, scope, receive, send)
        except Exception as exc:
            if not _is_abort(exc):
                raise
            # Returning without completing the response makes uvicorn close the socket.

    async def _apply(self, rule: Rule, scope: Scope, receive: Receive, send: Send) -> None:
        if rule.action == "latency":
            # A slow server, not a slow network: the request has arrived (body included)
            # before the delay, so a client that gives up does not stop the side effect —
            # the case that tempts clients into duplicating a write.
            receive = await _buffered(receive)
            await asyncio.sleep(rule.value)
            await self.app(scope, receive, send)
        elif rule.action == "status":
            await errors.for_status(rule.value, rule.retry_after).response()(scope, receive, send)
        elif rule.action == "html":
            code = rule.value
            page = HTML_PAGE.format(code=code, reason=_REASONS.get(code, "Error")).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": code,
                    "headers": [
                        (b"content-type", b"text/html"),
                        (b"content-length", str(len(page)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": page})
        elif rule.action == "drop":
            await self.app(scope, receive, _dropping(send))
        elif rule.action == "cut_after":
            await self.app(scope, receive, _cutting(send, rule.value))
        else:
            await self._malformed(scope, receive, send)

    async def _malformed(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        kind = [b"application/json"]

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Keep the media type: a cut event stream is still labelled as one.
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        kind[0] = value
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        payload = b"".join(chunks) or b'{"results": []}'
        cut = payload[: max(1, len(payload) // 2)]
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", kind[0]),
                    (b"content-length", str(len(cut)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": cut})


async def _buffered(receive: Receive) -> Receive:
    """Read the whole request body now; the returned ``receive`` replays it."""
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = bool(message.get("more_body"))
    replay: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

    async def replaying() -> Message:
        if replay:
            return replay.pop()
        return await receive()  # after the body: wait for http.disconnect as usual

    return replaying


def _is_abort(exc: BaseException) -> bool:
    """An _Abort, possibly wrapped in exception groups by task groups."""
    if isinstance(exc, BaseExceptionGroup):
        return all(_is_abort(inner) for inner in exc.exceptions)
    return isinstance(exc, _Abort)


def _dropping(send: Send) -> Send:
    """Send the status and half of the first body chunk, then drop the connection."""
    started: dict[str, Any] = {}

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
            await send(message)
            return
        if message["type"] == "http.response.body":
            body = message.get("body", b"")
            if not body and message.get("more_body"):
                return
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
            raise _Abort
        await send(message)

    return wrapped


def _cutting(send: Send, events: int) -> Send:
    """Pass the first ``events`` SSE frames, then drop the connection."""
    seen = 0
    sse = False

    async def wrapped(message: Message) -> None:
        nonlocal seen, sse
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers", []))
            sse = headers.get(b"content-type", b"").startswith(b"text/event-stream")
            await send(message)
            return
        if not sse or message["type"] != "http.response.body":
            await send(message)
            return
        body = message.get("body", b"")
        out = b""
        for part in body.split(b"\n\n")[:-1] if body.endswith(b"\n\n") else [body]:
            if seen >= events:
                break
            out += part + b"\n\n"
            seen += 1
        if out:
            await send({"type": "http.response.body", "body": out, "more_body": True})
        if seen >= events:
            raise _Abort

    return wrapped
