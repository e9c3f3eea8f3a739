"""ChatCell never sends a question twice (issue 10 #4): after a lost answer the next Send
asks PostHog first; a 409 is answered by sending again only after the user's own Stop."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import envnb
from envnb.widgets import ChatCell
from hostile_server import CID, KEY, QUESTION, Reply, hostile_server, lost_then_stored

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def _until(predicate: Any, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_after_a_lost_answer_the_next_send_reads_the_stored_reply() -> None:
    bodies: list[Any] = []
    stored = threading.Event()
    route = lost_then_stored(bodies, stored)

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
