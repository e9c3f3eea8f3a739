"""A failed connection says why, in plain words, over real sockets (no secrets in the text)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

import envnb
from envnb.errors import APIConnectionError, APITimeoutError
from envnb.sandbox import Sandbox

KEY = "phx_" + "c0ffee" * 6 + "1234"


def _client(host: str, **kw: object) -> envnb.Client:
    return envnb.Client(host=host, api_key=KEY, project_id=1, max_retries=0, **kw)  # type: ignore[arg-type]


def _fails_with(client: envnb.Client, cls: type[Exception]) -> str:
    with pytest.raises(cls) as caught:
        client.batch_exports.get("0193a0a0-0000-7000-8000-000000000000")
    text = str(caught.value)
    assert KEY not in text and KEY not in repr(caught.value)
    return text


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[tuple[int, list[bytes]]]:
    """Accepts connections; answers with ``replies[0]`` if given, else never."""
    replies: list[bytes] = []
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    conns: list[socket.socket] = []
    done = threading.Event()

    def serve() -> None:
        srv.settimeout(0.2)
        while not done.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            conns.append(conn)
            if replies:
                conn.recv(65536)
                conn.sendall(replies[0])

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield int(srv.getsockname()[1]), replies
    done.set()
    t.join(2)
    for c in conns:
        c.close()
    srv.close()


def test_refused(closed_port: int) -> None:
    text = _fails_with(_client(f"http://127.0.0.1:{closed_port}"), APIConnectionError)
    assert text.startswith(
        "connection failed: the connection was refused (nothing listens at that host and port)"
    )


def test_name_not_resolved() -> None:
    text = _fails_with(_client("https://envnb-test.invalid"), APIConnectionError)
    assert text.startswith(
        "connection failed: the host name could not be resolved (DNS lookup failed)"
    )


def test_tls_to_a_plain_http_server() -> None:
    with Sandbox(conversations=0) as sb:
        port = sb.url.rsplit(":", 1)[1]
        text = _fails_with(_client(f"https://127.0.0.1:{port}"), APIConnectionError)
    assert text.startswith("connection failed: TLS failed:")


def test_timeout(silent_server: tuple[int, list[bytes]]) -> None:
    port, _ = silent_server
    text = _fails_with(_client(f"http://127.0.0.1:{port}", timeout=0.5), APITimeoutError)
    assert text.startswith("request timed out: the server did not answer in time [ReadTimeout]")


def test_proxy_refusing_the_tunnel(
    silent_server: tuple[int, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, replies = silent_server
    replies.append(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    text = _fails_with(_client("https://eu.posthog.com"), APIConnectionError)
    assert text.startswith("connection failed: the proxy refused or failed the connection")
