"""The conversation stream: a producer task writes SSE frames to a per-conversation log;
each response follows the log, so a client that reconnects gets the whole reply."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from .._util import dumps, first_line, now_iso
from ..context import State
from . import responder
from .streamlog import StreamLog, frame

log = logging.getLogger("envnb.sandbox")

FAILURE_TEXT = "Oops! Something went wrong. Please try again."


def start(
    state: State, conversation: dict[str, Any], human: dict[str, Any], user_id: int
) -> StreamLog:
    """Open a log with the first frames and start the producer task for the reply."""
    stream = StreamLog()
    stream.push(frame("conversation", conversation))
    stream.push(frame("status", {"type": "ack"}))
    stream.push(frame("message", human))
    state.streams[conversation["id"]] = stream
    stream.task = asyncio.get_running_loop().create_task(
        _produce(state, stream, conversation, human["content"], user_id, human.get("id"))
    )
    return stream


def store_message(state: State, conversation_id: str, message: dict[str, Any]) -> None:
    with state.store.tx() as db:
        row = db.execute(
            "SELECT COALESCE(MAX(seq), 99) + 1 FROM messages WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchone()
        db.execute(
            "INSERT INTO messages VALUES (?, ?, ?)", (conversation_id, row[0], dumps(message))
        )


async def _pause(state: State) -> None:
    await asyncio.sleep(state.settings.stream_delay)


async def _produce(
    state: State,
    stream: StreamLog,
    conversation: dict[str, Any],
    content: str,
    user_id: int,
    human_id: str | None,
) -> None:
    """Reasoning, a tool call with an update, the tool result, the chart(s) for a chart
    question, the reply word by word."""
    cid = conversation["id"]
    try:
        reply = responder.answer(state.store, state.project_id, user_id, content)
        steps: list[dict[str, Any]] = []
        call_id = str(uuid.uuid4())
        reasoning = {"type": "ai/reasoning", "content": reply.reasoning, "id": str(uuid.uuid4())}
        call = {
            "type": "ai",
            "content": "",
            "id": str(uuid.uuid4()),
            "tool_calls": [
                {"id": call_id, "name": reply.tool, "args": reply.args, "type": "tool_call"}
            ],
        }
        tool = {
            "type": "tool",
            "content": reply.tool_result,
            "tool_call_id": call_id,
            "id": str(uuid.uuid4()),
        }
        steps = [reasoning, call]
        for message in steps:
            await _pause(state)
            if stream.cancel_requested:
                return
            stream.push(frame("message", message))
            store_message(state, cid, message)
        await _pause(state)
        if stream.cancel_requested:
            return
        stream.push(
            frame("update", {"id": call["id"], "tool_call_id": call_id, "content": reply.update})
        )
        await _pause(state)
        if stream.cancel_requested:
            return
        stream.push(frame("message", tool))
        store_message(state, cid, tool)
        if reply.charts:
            await _pause(state)
            if stream.cancel_requested:
                return
            viz = _visualization(reply, human_id)
            stream.push(frame("message", viz))
            store_message(state, cid, viz)
        for text in responder.chunks(reply.text, state.settings.words_per_frame):
            await _pause(state)
            if stream.cancel_requested:
                return
            stream.push(frame("message", {"type": "ai", "content": text}))
        final = {"type": "ai", "content": reply.text, "id": str(uuid.uuid4())}
        stream.push(frame("message", final))
        store_message(state, cid, final)
        title = conversation.get("title") or _title(content)
        stamp = now_iso()
        with state.store.tx() as db:
            db.execute(
                "UPDATE conversations SET title = ?, status = 'idle', updated_at = ?, "
                "listed = (type IN ('assistant','deep_research','slack') AND "
                "is_internal = 0) WHERE id = ?",
                (title, stamp, cid),
            )
        state.store.touch_conversations()
        done = {**conversation, "title": title, "status": "idle", "updated_at": stamp}
        stream.push(frame("conversation", done))
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("sandbox responder failed")
        stream.push(
            frame(
                "message", {"type": "ai/failure", "content": FAILURE_TEXT, "id": str(uuid.uuid4())}
            )
        )
    finally:
        _finish(state, stream, cid)


def _visualization(reply: responder.Reply, human_id: str | None) -> dict[str, Any]:
    """One chart as ``ai/viz``; several as ``ai/multi_viz`` (PostHog's two shapes)."""
    if len(reply.charts) == 1:
        return reply.charts[0].message(str(uuid.uuid4()), human_id)
    return {
        "type": "ai/multi_viz",
        "id": str(uuid.uuid4()),
        "visualizations": [
            {k: v for k, v in chart.message("", human_id).items() if k not in ("type", "id")}
            for chart in reply.charts
        ],
        "commentary": reply.text,
    }


def _finish(state: State, stream: StreamLog, cid: str) -> None:
    with contextlib.suppress(Exception):
        with state.store.tx() as db:
            db.execute(
                "UPDATE conversations SET status = 'idle', updated_at = ? WHERE id = ? "
                "AND status != 'idle'",
                (now_iso(), cid),
            )
        state.store.touch_conversations()
    stream.close()
    # Followers hold their own reference; a finished log (every in-progress frame repeats the
    # whole text so far) must not stay in memory for the life of the sandbox.
    if state.streams.get(cid) is stream:
        del state.streams[cid]


def _title(content: str) -> str:
    # Only CR, LF and CRLF end the first line: U+2028 and friends are part of the title.
    first = first_line(content.strip()) if content.strip() else "New chat"
    return first if len(first) <= 60 else first[:59].rstrip() + "…"
