"""A loopback HTTP server that answers with whatever a test scripts (odd values, odd headers,
odd media types), for client behaviour a well-behaved sandbox never shows."""

from __future__ import annotations

import json
import threading
import time
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
def hostile_server(route: Route, bodies: list[Any] | None = None) -> Iterator[Hostile]:
    """Serve ``route(method, path, query)`` on 127.0.0.1 until the block ends.

    ``bodies``: each request's JSON body (None when empty) is appended to it before
    ``route`` is called, so a route can answer by body.
    """
    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if bodies is not None:
                bodies.append(json.loads(raw) if raw else None)
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

        def _stream(self, reply: Reply) -> None:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                for delay, piece in reply.pieces or []:
                    time.sleep(delay)
                    self.wfile.write(piece)
                    self.wfile.flush()
            except OSError:
                pass  # the client went away

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


# ---- a scripted PostHog AI conversation (issue 10 #4) ----------------------------------

CID = "5c0b6a64-3f2e-4b8e-9d43-21a0f7a3e111"
QUESTION = "which exports are paused?"
KEY = "phx_" + "w" * 40


def sse(event: str, data: dict[str, Any]) -> bytes:
    """One SSE frame as PostHog writes it."""
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def stored_turn() -> dict[str, Any]:
    """Conversation ``CID`` as stored once ``QUESTION`` was answered."""
    return {
        "id": CID,
        "title": "t",
        "status": "idle",
        "messages": [
            {"type": "human", "content": QUESTION, "id": "h1"},
            {"type": "ai", "content": "None are paused.", "id": "a1"},
        ],
    }


def lost_then_stored(bodies: list[Any], stored: threading.Event) -> Any:
    """The first POST of the question is stored but answered too late (a lost answer);
    a resume finds no conversation until then, and an idle one with that turn after."""

    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        if path.endswith("/conversations/") and method == "GET":
            return Reply(body={"count": 0, "next": None, "previous": None, "results": []})
        if method == "GET":
            return Reply(body=stored_turn())
        if bodies[-1]["content"] is not None:
            time.sleep(1.2)  # the answer comes too late for the client: lost
            stored.set()
            return Reply(400, {"error": "too late"})
        if stored.is_set():
            return Reply(400, {"detail": "Cannot continue streaming from an idle conversation"})
        return Reply(400, {"error": "Cannot stream from non-existent conversation"})

    return route
