"""ChatCell never sends a question twice (issue 10 #4): after a lost answer the next Send
asks PostHog first; a 409 is answered by sending again only after the user's own Stop."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest

import envnb
from envnb.widgets import ChatCell
from hostile_server import Reply, hostile_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

CID = "5c0b6a64-3f2e-4b8e-9d43-21a0f7a3e111"
QUESTION = "which exports are paused?"
KEY = "phx_" + "w" * 40


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _stored() -> dict[str, Any]:
    return {
        "id": CID,
        "title": "t",
        "status": "idle",
        "messages": [
            {"type": "human", "content": QUESTION, "id": "h1"},
            {"type": "ai", "content": "None are paused.", "id": "a1"},
        ],
    }


async def _until(predicate: Any, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_after_a_lost_answer_the_next_send_reads_the_stored_reply() -> None:
    bodies: list[Any] = []
    stored = threading.Event()

    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        if path.endswith("/conversations/") and method == "GET":
            return Reply(body={"count": 0, "next": None, "previous": None, "results": []})
        if method == "GET":
            return Reply(body=_stored())
        if bodies[-1]["content"] is not None:
            time.sleep(1.2)  # the answer comes too late for the client: lost
            stored.set()
            return Reply(400, {"error": "too late"})
        if stored.is_set():
            return Reply(400, {"detail": "Cannot continue streaming from an idle conversation"})
        return Reply(400, {"error": "Cannot stream from non-existent conversation"})

    with hostile_server(route, bodies) as server:
        client = envnb.Client(host=server.url, api_key=KEY, project_id=1, timeout=0.5)
        cell = ChatCell(client)
        await cell.wait()
        cell.conversation_id = CID
        cell.input.value = QUESTION
        cell.send_button.click()
        await cell.wait()
        # Lost, and PostHog had no trace of it yet: shown, the text kept, nothing re-sent.
        assert "may have applied it" in cell.error and "send it again to check" in cell.error
        assert cell.input.value == QUESTION
        await _until(stored.is_set)
        cell.send_button.click()
        await cell.wait()
        client.close()
    sends = [b["content"] for b in bodies if b is not None]
    assert sends == [QUESTION, None, None]  # the question once; then asking, twice
    assert cell.reply == "None are paused." and cell.error == ""
    assert [m for m, p in server.seen if "/conversations/" in p].count("POST") == 3


async def test_a_409_without_stop_is_shown_and_not_sent_again() -> None:
    bodies: list[Any] = []

    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        if method == "GET":
            return Reply(body={"count": 0, "next": None, "previous": None, "results": []})
        body = {"type": "server_error", "code": "conflict"}
        body["detail"] = "Cannot resume streaming with a new message"
        return Reply(409, body)

    with hostile_server(route, bodies) as server:
        client = envnb.Client(host=server.url, api_key=KEY, project_id=1)
        cell = ChatCell(client)
        await cell.wait()
        cell.input.value = QUESTION
        cell.send_button.click()
        await cell.wait()
        client.close()
    assert [b["content"] for b in bodies if b is not None] == [QUESTION]
    assert cell.error.startswith("PostHog AI is still answering an earlier message")
    assert cell.input.value == QUESTION


@pytest.fixture
def shell() -> Any:
    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    from envnb import magics

    ip = InteractiveShell.instance()
    ip.display_pub = CapturingDisplayPublisher()
    magics.load_ipython_extension(ip)
    magics.new_conversation()
    yield ip
    magics.use_client(None)
    magics.new_conversation()


@pytest.mark.anyio(False)
def test_chat_magic_after_a_lost_answer_reads_the_stored_reply(shell: Any) -> None:
    from envnb import magics

    bodies: list[Any] = []
    stored = threading.Event()

    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        if method == "GET":
            return Reply(body=_stored())
        if bodies[-1]["content"] is not None:
            time.sleep(1.2)
            stored.set()
            return Reply(400, {"error": "too late"})
        if stored.is_set():
            return Reply(400, {"detail": "Cannot continue streaming from an idle conversation"})
        return Reply(400, {"error": "Cannot stream from non-existent conversation"})

    with hostile_server(route, bodies) as server:
        client = envnb.Client(host=server.url, api_key=KEY, project_id=1, timeout=0.5)
        magics.use_client(client)
        magics._session.conversation_id = CID
        lost = shell.run_cell_magic("chat", "", QUESTION + "\n")
        assert lost == "" and "send it again to check" in str(shell.display_pub.outputs[-1])
        stored.wait(10)
        again = shell.run_cell_magic("chat", "", QUESTION + "\n")
        client.close()
    assert again == "None are paused."
    assert [b["content"] for b in bodies if b is not None] == [QUESTION, None, None]
