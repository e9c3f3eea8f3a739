"""A loopback HTTP server that answers with whatever a test scripts (odd values, odd headers,
odd media types), for client behaviour a well-behaved sandbox never shows."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes | str | Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    # A streamed body instead: (seconds to wait, bytes to send) pieces, then the connection
    # closes (HTTP/1.0 style: no Content-Length).
    pieces: list[tuple[float, bytes]] | None = None

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Route = Callable[[str, str, dict[str, list[str]]], Reply]


@dataclass
class Hostile:
    """``url`` to point a client at; ``seen`` lists (method, path?query) received."""

    url: str
    seen: list[tuple[str, str]]


@contextmanager
def hostile_server(route: Route) -> Iterator[Hostile]:
    """Serve ``route(method, path, query)`` on 127.0.0.1 until the block ends."""
    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            parts = urlsplit(self.path)
            seen.append((self.command, self.path))
            reply = route(self.command, parts.path, parse_qs(parts.query))
            if reply.pieces is not None:
                self._stream(reply)
                return
            data = reply.payload()
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Hostile(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
