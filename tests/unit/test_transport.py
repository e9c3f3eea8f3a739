"""Transport behaviour that needs no server, through httpx's own transport seam."""

from __future__ import annotations

import json

import httpx
import pytest

import envnb
from envnb.errors import NotFoundError, ServerError

KEY = "phx_unit_secret_key_0001"
CID = "3f0c8a9e-1b2c-4d5e-8f90-123456789abc"


def _client(handler: object, **kw: object) -> envnb.Client:
    return envnb.Client(
        "https://ph.example.com", KEY, 1, transport=httpx.MockTransport(handler), **kw
    )


def test_key_never_sent_to_a_foreign_next_link() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.params.get("offset") in (None, "0"):
            body = {
                "count": None,
                "next": "https://evil.example.net/steal?limit=1&offset=1",
                "results": [{"id": "a", "scope": "person"}],
            }
        else:
            body = {"count": None, "next": None, "results": [{"id": "b", "scope": "person"}]}
        return httpx.Response(200, json=body)

    with _client(handler) as c:
        ids = [p.id for p in c.profile_configs.list(page_size=1)]
    assert ids == ["a", "b"]
    assert all(r.url.host == "ph.example.com" for r in seen)
    assert seen[1].url.params["offset"] == "1"
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in seen)


def test_same_origin_next_link_followed_with_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if "offset=5" in str(request.url):
            return httpx.Response(200, json={"count": 6, "next": None, "results": [{"id": "z"}]})
        nxt = "https://ph.example.com/api/projects/1/conversations/?limit=5&offset=5"
        return httpx.Response(200, json={"count": 6, "next": nxt, "results": [{"id": "y"}] * 5})

    with _client(handler) as c:
        assert len(list(c.conversations.list(page_size=5))) == 6
    assert str(seen[1].url).endswith("offset=5") and "authorization" in seen[1].headers


def test_5xx_retried_for_get_then_raised_with_readable_message() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(
            503,
            json={
                "type": "server_error",
                "code": "error",
                "detail": "A server error occurred.",
                "attr": None,
            },
        )

    with _client(handler, max_retries=1) as c:
        c._transport.wire.policy.base = 0.0  # no sleeping in unit tests
        with pytest.raises(ServerError) as info:
            c.batch_exports.get("x")
    assert calls == 2
    text = str(info.value)
    assert text.startswith("503: A server error occurred.") and KEY not in text
    assert info.value.request is not None and info.value.request.method == "GET"


def test_post_create_not_retried_on_503() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503)

    with _client(handler) as c, pytest.raises(ServerError):
        c.profile_configs.create("person", content={})
    assert calls == 1


def test_stream_decodes_split_chunks_and_resumes_on_early_end() -> None:
    frames = [
        ("conversation", {"id": CID, "status": "in_progress", "title": None}),
        ("message", {"type": "human", "content": "hi", "id": "h"}),
        ("message", {"type": "ai", "content": "Hel"}),
    ]
    rest = [
        ("message", {"type": "ai", "content": "Hello"}),
        ("message", {"type": "ai", "content": "Hello!", "id": "a"}),
    ]
    bodies: list[dict[str, object]] = []

    def sse(items: list[tuple[str, object]]) -> bytes:
        return b"".join(f"event: {e}\r\ndata: {json.dumps(d)}\r\n\r\n".encode() for e, d in items)

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        payload = sse(frames) if len(bodies) == 1 else sse(frames + rest)
        chunks = [payload[i : i + 7] for i in range(0, len(payload), 7)]
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            stream=httpx.ByteStream(b"".join(chunks)),
        )

    with _client(handler) as c:
        result = c.conversations.ask("hi", conversation=CID)
    assert result.text == "Hello!" and result.conversation_id == CID
    assert bodies[0]["content"] == "hi" and bodies[1]["content"] is None
    assert bodies[0]["trace_id"] != bodies[1]["trace_id"]


def test_404_maps_and_ids_are_quoted() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(
            404,
            json={
                "type": "invalid_request",
                "code": "not_found",
                "detail": "Not found.",
                "attr": None,
            },
        )

    with _client(handler) as c, pytest.raises(NotFoundError):
        c.batch_exports.get("a/../../b")
    assert seen == ["/api/projects/1/batch_exports/a%2F..%2F..%2Fb/"]


def test_progress_bar_only_in_notebooks_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    from envnb._core.notebook import in_notebook, progress_bar

    assert not in_notebook()
    assert progress_bar(None, 10, "fetching") is None
    assert progress_bar(False, 10, "fetching") is None
    bar = progress_bar(True, 10, "fetching")
    assert bar is not None and getattr(bar, "total", None) == 10
    bar.close()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"count": 1, "next": None, "results": [{"id": "p", "scope": "person"}]}
        )

    with _client(handler) as c:
        df = c.profile_configs.list_df(progress=True)
    assert len(df) == 1
    assert "fetching" in capsys.readouterr().err


def test_resume_refused_as_idle_falls_back_to_stored_conversation() -> None:
    methods: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        if request.method == "GET":
            return httpx.Response(
                200,
                json={
                    "id": CID,
                    "title": "t",
                    "messages": [
                        {"type": "human", "content": "hi", "id": "h"},
                        {"type": "ai", "content": "All done.", "id": "a"},
                    ],
                },
            )
        if json.loads(request.content)["content"] is None:
            return httpx.Response(
                400,
                json={
                    "type": "validation_error",
                    "code": "invalid_input",
                    "detail": "Cannot continue streaming from an idle conversation",
                    "attr": None,
                },
            )
        body = (
            f'event: conversation\ndata: {{"id": "{CID}"}}\n\n'
            'event: message\ndata: {"type": "human", "content": "hi", "id": "h"}\n\n'
            'event: message\ndata: {"type": "ai", "content": "All"}\n\n'
            'event: message\ndata: {"type": "ai", "content": "All do'
        )  # cut mid-event
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=body.encode()
        )

    with _client(handler) as c:
        result = c.conversations.ask("hi", conversation=CID)
    assert methods == ["POST", "POST", "GET"]
    assert result.text == "All done." and [m.type for m in result.messages] == ["human", "ai"]


@pytest.mark.anyio
async def test_async_list_df_page_error_is_the_envnb_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("offset") == "0":
            nxt = "https://ph.example.com/api/projects/1/conversations/?limit=2&offset=2"
            return httpx.Response(
                200, json={"count": 6, "next": nxt, "results": [{"id": "a"}, {"id": "b"}]}
            )
        return httpx.Response(404, json={"detail": "Not found."})

    client = envnb.AsyncClient(
        "https://ph.example.com", KEY, 1, max_retries=0, transport=httpx.MockTransport(handler)
    )
    try:
        with pytest.raises(NotFoundError):
            await client.conversations.list_df(page_size=2)
    finally:
        await client.aclose()


def test_clients_share_one_tls_store_until_its_variables_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Loading the certificate store is ~20 ms of CPU: it is loaded once, not per client,
    # and SSL_CERT_FILE / SSL_CERT_DIR (which httpx reads) still take effect.
    import certifi

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)

    def store(client: envnb.Client) -> object:
        return client._transport.http._transport._pool._ssl_context  # type: ignore[attr-defined]

    with envnb.Client("https://ph.example.com", KEY, 1) as a:
        with envnb.Client("https://ph.example.com", KEY, 2) as b:
            assert store(a) is store(b)
        monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
        with envnb.Client("https://ph.example.com", KEY, 3) as c:
            assert store(c) is not store(a)
            with envnb.Client("https://ph.example.com", KEY, 4) as d:
                assert store(d) is store(c)
