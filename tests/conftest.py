"""Shared fixtures: a session-wide sandbox and a fresh one per test, over real loopback HTTP."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest

from envnb.sandbox import Sandbox

# The tests' sandboxes keep 40 conversations (the demo default is hundreds): small pages and
# counts are written out literally in the paging tests.
TEST_CONVERSATIONS = 40
# Streams in tests run fast; tests that need time to cancel or resume mid-stream pass their
# own stream_delay to fresh sandboxes or call sb.set_stream().
TEST_STREAM_DELAY = 0.002


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """One seeded sandbox for the whole run (seed 0); don't leave faults switched on."""
    with Sandbox(seed=0, stream_delay=TEST_STREAM_DELAY, conversations=TEST_CONVERSATIONS) as sb:
        yield sb


@pytest.fixture
def fresh_sandbox() -> Iterator[Sandbox]:
    """A sandbox of its own for a test that mutates state, counts writes or sets faults."""
    with Sandbox(seed=0, stream_delay=TEST_STREAM_DELAY, conversations=TEST_CONVERSATIONS) as sb:
        yield sb


@pytest.fixture
def anyio_backend() -> str:
    """Run anyio tests on asyncio only."""
    return "asyncio"


# --- plain-httpx helpers for the sandbox contract tests (no envnb client involved) -------


def seeded_hour(sb: Sandbox) -> datetime:
    """The hour the seeded run history counts back from. Windows written "30 hours ago" count
    from it: a time read later may be in the next hour and shift the window across the
    seeded pattern of gaps and empty runs."""
    return datetime.fromisoformat(sb.seeded_at).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Frame:
    """One server-sent event: its name and decoded JSON data."""

    event: str
    data: Any


def parse_sse(raw: bytes) -> list[Frame]:
    """A deliberately tiny SSE parser for tests: ``event:``/``data:`` lines, blank-line ends."""
    frames = []
    for block in raw.decode().split("\n\n"):
        if not block.strip():
            continue
        event, data = "message", []
        for line in block.split("\n"):
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
        if data:  # a block of comments only (": keepalive") is not an event
            frames.append(Frame(event, json.loads("\n".join(data))))
    return frames


class Api:
    """An httpx client bound to a sandbox project: ``api.get("batch_exports/")``."""

    def __init__(self, sb: Sandbox, key: str | None = None, prefix: str = "environments"):
        self.sb = sb
        self.base = f"{sb.url}/api/{prefix}/{sb.project_id}/"
        headers = {} if key == "" else {"Authorization": f"Bearer {key or sb.api_key}"}
        self.http = httpx.Client(headers=headers, timeout=10)

    def url(self, path: str) -> str:
        """Absolute URL of a path under the project prefix."""
        return self.base + path

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request under the project prefix."""
        return self.http.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET under the project prefix."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        """POST under the project prefix."""
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        """PATCH under the project prefix."""
        return self.request("PATCH", path, **kwargs)

    def chat(
        self, content: str | None, conversation: str | None = None, **body: Any
    ) -> tuple[httpx.Response, list[Frame]]:
        """POST conversations/ and read the whole stream."""
        payload = {
            "content": content,
            "conversation": conversation or str(uuid.uuid4()),
            "trace_id": str(uuid.uuid4()),
            **body,
        }
        response = self.post("conversations/", json=payload)
        frames = parse_sse(response.content) if response.status_code == 200 else []
        return response, frames


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[Api]:
    """Plain httpx bound to the session sandbox with its legacy key."""
    client = Api(sandbox)
    yield client
    client.http.close()


@pytest.fixture
def fresh_api(fresh_sandbox: Sandbox) -> Iterator[Api]:
    """Plain httpx bound to a fresh sandbox."""
    client = Api(fresh_sandbox)
    yield client
    client.http.close()
