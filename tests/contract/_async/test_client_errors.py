"""Every error class from both clients, via real sandbox behaviour, faults and scoped keys."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator

import pytest

import envnb
from envnb import errors
from envnb.sandbox import Sandbox

from .helpers import head
from .test_error_chains import assert_clean

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def _no_secret(sb: Sandbox, err: BaseException, *keys: str) -> None:
    for key in (sb.api_key, *keys):
        assert key not in str(err) and key not in repr(err)
        assert key not in repr(getattr(err, "request", None))


async def test_status_errors(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    c = sb.async_client(max_retries=0)
    try:
        # 404: unknown id.
        with pytest.raises(errors.NotFoundError) as nf:
            await c.batch_exports.get(str(uuid.uuid4()))
        assert nf.value.status == 404 and nf.value.code == "not_found"
        assert nf.value.request.method == "GET"
        _no_secret(sb, nf.value)

        # 400 from the server: streaming into another user's conversation.
        other = sb.other_user_conversation()
        with pytest.raises(errors.BadRequestError) as br:
            [item async for item in c.conversations.stream("hello", conversation=other)]
        assert "other users" in str(br.value)

        # 400 field error (attr) from server-side validation of a scope.
        sb.set_faults(None)
        with pytest.raises(errors.BadRequestError) as fe:
            await c.batch_exports.create(
                "x",
                {
                    "type": "AwsS3",
                    "integration_id": 1,
                    "config": {"bucket_name": "b", "region": "r", "prefix": "p", "nonsense": 1},
                },
                "day",
            )
        assert "nonsense" in str(fe.value)

        # 402, 422, 5xx from faults (PostHog's bodies for those statuses).
        for status, cls in [
            (402, errors.QuotaExceededError),
            (422, errors.UnprocessableError),
            (500, errors.ServerError),
            (503, errors.ServerError),
        ]:
            sb.set_faults(f"status={status},route=customer_profile_configs,times=1")
            with pytest.raises(cls) as info:
                [item async for item in c.profile_configs.list()]
            assert info.value.status == status and str(info.value).startswith(f"{status}: ")

        # 429 surfaced when retries are off, with retry_after.
        sb.set_faults("status=429,retry_after=7,route=batch_exports,times=1")
        with pytest.raises(errors.RateLimitError) as rl:
            [item async for item in c.batch_exports.list()]
        assert rl.value.retry_after == 7.0

        # An HTML proxy page still maps by status.
        sb.set_faults("html=502,route=batch_exports,times=1")
        with pytest.raises(errors.ServerError) as html:
            [item async for item in c.batch_exports.list()]
        assert "HTML" in str(html.value)
        sb.set_faults(None)
    finally:
        await c.aclose()


async def test_auth_and_scope_errors(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    bad = sb.async_client(api_key="phx_not_a_real_key_000000000000")
    scoped_key = sb.create_key(scopes=["batch_export:read", "conversation:read"])
    scoped = sb.async_client(api_key=scoped_key)
    star = sb.async_client(api_key=sb.create_key(scopes=["*"]))
    try:
        with pytest.raises(errors.AuthenticationError) as au:
            [item async for item in bad.batch_exports.list()]
        assert au.value.status == 401
        _no_secret(sb, au.value, "phx_not_a_real_key_000000000000")

        with pytest.raises(errors.PermissionDeniedError) as pd:
            await scoped.profile_configs.create("person")
        assert "customer_profile_config:write" in str(pd.value)
        with pytest.raises(errors.PermissionDeniedError) as internal:
            await scoped.batch_exports.test_steps("Snowflake")
        assert str(internal.value).startswith(
            "403: API key missing required scope 'INTERNAL' — destination tests"
        )
        _no_secret(sb, internal.value, scoped_key)

        convs = [item async for item in star.conversations.list(limit=1)]
        with pytest.raises(errors.PermissionDeniedError) as pk:
            await star.conversations.append_message(convs[0].id, "note")
        assert "Personal API Key" in str(pk.value) and "legacy (unscoped)" in str(pk.value)
    finally:
        for cl in (bad, scoped, star):
            await cl.aclose()


async def test_conflict_on_busy_conversation(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    sb.set_stream(stream_delay=0.02)
    c = sb.async_client()
    try:
        running = c.conversations.stream("lorem 300")
        await head(running, 5)
        with pytest.raises(errors.ConflictError) as cf:
            [
                item
                async for item in c.conversations.stream(
                    "another", conversation=running.conversation_id
                )
            ]
        assert cf.value.status == 409 and cf.value.code == "conflict"
        await c.conversations.cancel(running.conversation_id)
        await running.aclose()
    finally:
        await c.aclose()


async def test_connection_and_timeout_errors(sandbox: Sandbox) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = sandbox.async_client(max_retries=0)
    dead_cls = type(dead)
    dead2 = dead_cls(
        host=f"http://127.0.0.1:{port}", api_key=sandbox.api_key, project_id=1, max_retries=0
    )
    try:
        with pytest.raises(errors.APIConnectionError) as ce:
            [item async for item in dead2.batch_exports.list()]
        assert not isinstance(ce.value, errors.APITimeoutError)
        _no_secret(sandbox, ce.value)
        with pytest.raises(errors.APIConnectionError):  # not StreamError: nothing was sent
            await dead2.conversations.ask("hello")
    finally:
        await dead.aclose()
        await dead2.aclose()

    with Sandbox(faults="latency=2,route=batch_exports", stream_delay=0) as sb:
        slow = sb.async_client(timeout=0.3, max_retries=0)
        try:
            with pytest.raises(errors.APITimeoutError):
                [item async for item in slow.batch_exports.list()]
        finally:
            await slow.aclose()


async def test_stream_error_after_second_cut(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    sb.set_stream(stream_delay=0.02)  # the reply is still running when we resume
    sb.set_faults("cut_after=4,route=conversations,method=POST,times=2")
    c = sb.async_client()
    try:
        with pytest.raises(errors.StreamError) as se:
            await c.conversations.ask("lorem 200")
        assert "resum" in str(se.value)
        assert sb.stats()["writes"]["conversation.message"] == 1
        _no_reachable_key(sb.api_key, se.value)
    finally:
        await c.aclose()


def _no_reachable_key(key: str, exc: BaseException) -> None:
    """Nothing from httpx on the chain (both links walked), in attributes or frames."""
    assert_clean(exc, key)


@pytest.fixture
def bad_gzip_url() -> Iterator[str]:
    """A hostile server: every answer claims gzip but is not (httpx raises DecodingError)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        body = b"not gzip at all"
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(head + b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    stop.set()
    thread.join()
    srv.close()


async def test_undecodable_body_is_an_envnb_error_without_the_key(bad_gzip_url: str) -> None:
    key = "phx_" + uuid.uuid4().hex
    cls = envnb.AsyncClient
    c = cls(host=bad_gzip_url, api_key=key, project_id=1, max_retries=0)
    try:
        with pytest.raises(errors.APIConnectionError) as ce:
            await c.batch_exports.get("x")
        assert "DecodingError" in str(ce.value)
        _no_reachable_key(key, ce.value)
    finally:
        await c.aclose()


async def test_closing_the_stream_closes_the_connection() -> None:
    """A server that never ends its reply sees the socket close when the iterator is closed."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    hung_up = threading.Event()

    def serve() -> None:
        conn, _ = srv.accept()
        with conn:
            conn.recv(65536)
            frame = b'event: status\r\ndata: {"type": "ack"}\r\n\r\n'
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n%s\r\n" % (len(frame), frame)
            )
            conn.settimeout(10)
            try:
                while conn.recv(65536):  # the rest of the request body, then EOF
                    pass
                hung_up.set()
            except ConnectionError:
                hung_up.set()
            except TimeoutError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    cls = envnb.AsyncClient
    c = cls(host=f"http://127.0.0.1:{srv.getsockname()[1]}", api_key="phx_k", project_id=1)
    try:
        stream = c.conversations.stream("hello")
        assert len(await head(stream, 1)) == 1
        await stream.aclose()
        assert hung_up.wait(5), "the HTTP response was left open"
    finally:
        await c.aclose()
        thread.join(10)
        srv.close()
