"""No envnb error keeps an httpx exception, request or response anywhere a user can reach.

The request's headers hold the bearer key, so an httpx object on an error's ``__cause__``,
``__context__`` (both are walked, not the first of them), attributes or traceback frames
would put the key one attribute away from a notebook's traceback printer.
"""

from __future__ import annotations

import socket
import traceback
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

import envnb
from envnb import errors
from envnb.sandbox import Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

THIRD_PARTY = ("httpx", "httpcore", "h11", "anyio", "ssl", "socket")


def chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception reachable from it through ``__cause__`` and ``__context__``."""
    seen: list[BaseException] = []
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        stack += [e.__cause__, e.__context__]
    return seen


def assert_clean(exc: BaseException, key: str) -> None:
    """Nothing from httpx in the chain, its attributes or its frames; the key nowhere."""
    assert isinstance(exc, errors.EnvnbError), repr(exc)
    for e in chain(exc):
        assert type(e).__module__.split(".")[0] not in THIRD_PARTY, f"{type(e)} on the chain"
        values = [*vars(e).values(), *e.args]
        for value in values:
            assert not isinstance(value, httpx.Request | httpx.Response), (type(e), value)
        for frame, _line in traceback.walk_tb(e.__traceback__):
            module = frame.f_globals.get("__name__", "")
            assert module.split(".")[0] not in THIRD_PARTY, f"a frame of {module} is kept"
        text = "".join(traceback.format_exception(e)) + repr(vars(e))
        assert key not in text and key.removeprefix("phx_") not in text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _error_of(call: Callable[[], Awaitable[Any]]) -> BaseException:
    try:
        await call()
    except Exception as exc:
        return exc
    raise AssertionError("no error was raised")


async def _drain(stream: Any) -> None:
    async for _ in stream:
        pass


FAULTED = [
    # (what, fault spec, call, error class)
    ("500", "status=500", "get", errors.ServerError),
    ("429", "status=429,retry_after=0", "get", errors.RateLimitError),
    ("HTML 502", "html=502", "get", errors.ServerError),
    ("dropped body", "drop=body", "get", errors.APIConnectionError),
    ("malformed JSON", "malformed=json", "get", errors.APIConnectionError),
    ("timeout", "latency=1.5", "get", errors.APITimeoutError),
    ("dropped create", "drop=body", "create", errors.APIConnectionError),
    ("stream 500", "status=500,route=conversations,method=POST", "ask", errors.ServerError),
    ("stream cut twice", "cut_after=3,route=conversations,method=POST", "ask", errors.StreamError),
]


@pytest.mark.parametrize(("what", "fault", "call", "error"), FAULTED, ids=[f[0] for f in FAULTED])
async def test_faulted_calls_raise_clean_errors(
    fresh_sandbox: Sandbox, what: str, fault: str, call: str, error: type[Exception]
) -> None:
    sb = fresh_sandbox
    c = envnb.AsyncClient(sb.url, sb.api_key, sb.project_id, max_retries=0, timeout=0.5)
    try:
        export = (await c.batch_exports.get(await _first_export(c))).id
        sb.set_stream(stream_delay=0.02)  # the reply is still running when the resume comes
        sb.set_faults(fault)
        calls = {
            "get": lambda: c.batch_exports.get(export),
            "create": lambda: c.profile_configs.create("person", {"a": 1}),
            "ask": lambda: c.conversations.ask("lorem 200"),
        }
        exc = await _error_of(calls[call])
    finally:
        sb.set_faults(None)
        await c.aclose()
    assert isinstance(exc, error), (what, repr(exc))
    assert_clean(exc, sb.api_key)


async def _first_export(c: envnb.AsyncClient) -> str:
    async for export in c.batch_exports.list(limit=1):
        return str(export.id)
    raise AssertionError("no export")


async def test_status_and_local_errors_are_clean(sandbox: Sandbox) -> None:
    sb = sandbox
    scoped = sb.create_key(scopes=["batch_export:read"])
    c = sb.async_client(max_retries=0)
    wrong = envnb.AsyncClient(sb.url, "phx_" + "0" * 40, sb.project_id, max_retries=0)
    limited = envnb.AsyncClient(sb.url, scoped, sb.project_id, max_retries=0)
    try:
        found = [
            await _error_of(lambda: c.batch_exports.get(str(uuid.uuid4()))),  # 404
            await _error_of(lambda: wrong.batch_exports.get("x")),  # 401
            await _error_of(lambda: limited.profile_configs.create("person")),  # 403
            await _error_of(  # 400 from the server
                lambda: c.batch_exports.create("nul\x00name", {"type": "NoOp"}, "hour")
            ),
            await _error_of(lambda: c.conversations.ask("bad \udcff")),  # local
        ]
    finally:
        for client in (c, wrong, limited):
            await client.aclose()
    kinds = [type(e) for e in found]
    assert kinds == [
        errors.NotFoundError,
        errors.AuthenticationError,
        errors.PermissionDeniedError,
        errors.BadRequestError,
        errors.RequestValidationError,
    ]
    for exc in found:
        assert_clean(exc, sb.api_key)
        assert_clean(exc, scoped)


async def test_connect_errors_are_clean_for_requests_and_the_stream_post() -> None:
    key = "phx_" + uuid.uuid4().hex + uuid.uuid4().hex[:8]
    c = envnb.AsyncClient(f"http://127.0.0.1:{_closed_port()}", key, 1, max_retries=0)
    try:
        got = await _error_of(lambda: c.batch_exports.get("x"))
        asked = await _error_of(lambda: c.conversations.ask("hello"))
        streamed = await _error_of(lambda: _drain(c.conversations.stream("hello")))
    finally:
        await c.aclose()
    for exc in (got, asked, streamed):
        assert isinstance(exc, errors.APIConnectionError), repr(exc)
        assert "nothing was sent" in str(exc) or "connection failed" in str(exc), str(exc)
        assert "may have applied" not in str(exc)
        assert_clean(exc, key)


def test_the_chain_walk_finds_a_chained_httpx_error() -> None:
    """The check above can fail: an httpx error one step down either link is found."""
    request = httpx.Request("GET", "http://127.0.0.1:9/", headers={"Authorization": "Bearer k"})
    for link in ("__cause__", "__context__"):
        err = errors.APIConnectionError("connection failed")
        setattr(err, link, httpx.ConnectError("refused", request=request))
        with pytest.raises(AssertionError, match="on the chain"):
            assert_clean(err, "phx_never")
    deeper = errors.StreamError("broke")
    deeper.__cause__ = errors.APIConnectionError("connection failed")
    deeper.__cause__.__context__ = httpx.ReadError("cut", request=request)
    with pytest.raises(AssertionError, match="on the chain"):
        assert_clean(deeper, "phx_never")
