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
from . import approvals, responder
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


async def _emit(state: State, stream: StreamLog, cid: str, message: dict[str, Any]) -> bool:
    """Pause, then send and store a whole message; False once a cancel was asked for."""
    await _pause(state)
    if stream.cancel_requested:
        return False
    stream.push(frame("message", message))
    store_message(state, cid, message)
    return True


async def _produce(
    state: State,
    stream: StreamLog,
    conversation: dict[str, Any],
    content: str,
    user_id: int,
    human_id: str | None,
) -> None:
    """Reasoning, a tool call with an update, the tool result (or a proposal awaiting
    approval), the chart(s) for a chart question, the reply word by word."""
    cid = conversation["id"]
    try:
        reply = responder.answer(state.store, state.project_id, user_id, content)
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
        for message in (reasoning, call):
            if not await _emit(state, stream, cid, message):
                return
        await _pause(state)
        if stream.cancel_requested:
            return
        stream.push(
            frame("update", {"id": call["id"], "tool_call_id": call_id, "content": reply.update})
        )
        if reply.proposal is not None:
            proposal_id = str(uuid.uuid4())
            tool = approvals.tool_message(reply.proposal, proposal_id, call_id)
            if not await _emit(state, stream, cid, tool):
                return
            entry = approvals.record(
                state.store, cid, reply.proposal, proposal_id, call_id, tool["id"]
            )
            stream.push(frame("approval", entry))
        else:
            tool = {
                "type": "tool",
                "content": reply.tool_result,
                "tool_call_id": call_id,
                "id": str(uuid.uuid4()),
            }
            if not await _emit(state, stream, cid, tool):
                return
        if reply.charts and not await _emit(state, stream, cid, _visualization(reply, human_id)):
            return
        if await _say(state, stream, cid, reply.text):
            _end_turn(state, stream, conversation, content, user_id)
    except asyncio.CancelledError:
        raise
    except Exception:
        _failed(stream)
    finally:
        _finish(state, stream, cid)


def resume_decision(
    state: State,
    conversation: dict[str, Any],
    entry: dict[str, Any],
    feedback: str | None,
    user_id: int,
) -> StreamLog:
    """A new reply after an approval decision: the tool runs (approved) or not."""
    stream = StreamLog()
    stream.push(frame("conversation", conversation))
    stream.push(frame("status", {"type": "ack"}))
    state.streams[conversation["id"]] = stream
    stream.task = asyncio.get_running_loop().create_task(
        _decided(state, stream, conversation, entry, feedback, user_id)
    )
    return stream


async def _decided(
    state: State,
    stream: StreamLog,
    conversation: dict[str, Any],
    entry: dict[str, Any],
    feedback: str | None,
    user_id: int,
) -> None:
    cid = conversation["id"]
    try:
        result, text = approvals.carry_out(state.store, state.ops.clock, entry, feedback)
        tool = {
            "type": "tool",
            "content": result,
            "tool_call_id": entry["original_tool_call_id"],
            "id": str(uuid.uuid4()),
        }
        if await _emit(state, stream, cid, tool) and await _say(state, stream, cid, text):
            _end_turn(state, stream, conversation, conversation.get("title") or "", user_id)
    except asyncio.CancelledError:
        raise
    except Exception:
        _failed(stream)
    finally:
        _finish(state, stream, cid)


async def _say(state: State, stream: StreamLog, cid: str, text: str) -> bool:
    """The reply word by word, then whole (stored); False once a cancel was asked for."""
    for prefix in responder.chunks(text, state.settings.words_per_frame):
        await _pause(state)
        if stream.cancel_requested:
            return False
        stream.push(frame("message", {"type": "ai", "content": prefix}))
    final = {"type": "ai", "content": text, "id": str(uuid.uuid4())}
    stream.push(frame("message", final))
    store_message(state, cid, final)
    return True


def _end_turn(
    state: State, stream: StreamLog, conversation: dict[str, Any], content: str, user_id: int
) -> None:
    """The conversation goes idle with its title; then a queued message starts the next turn."""
    cid = conversation["id"]
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
    if not approvals.has_pending(state.store, cid):
        _take_queued(state, done, user_id)


def _take_queued(state: State, conversation: dict[str, Any], user_id: int) -> None:
    """Queue rule 3: the first queued message becomes the next turn, registered before this
    reply's log closes, so a client that sees this reply end can follow the next one."""
    queued = state.conversations.pop_next(conversation["id"])
    if queued is None:
        return
    stamp = now_iso()
    with state.store.tx() as db:
        db.execute(
            "UPDATE conversations SET status = 'in_progress', updated_at = ? WHERE id = ?",
            (stamp, conversation["id"]),
        )
    state.store.touch_conversations()
    human = {"type": "human", "content": queued["content"], "id": str(uuid.uuid4())}
    store_message(state, conversation["id"], human)
    state.store.count_write("conversation.message")
    start(state, {**conversation, "status": "in_progress", "updated_at": stamp}, human, user_id)


def _failed(stream: StreamLog) -> None:
    log.exception("sandbox responder failed")
    failure = {"type": "ai/failure", "content": FAILURE_TEXT, "id": str(uuid.uuid4())}
    stream.push(frame("message", failure))


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
    if state.streams.get(cid) is not stream:
        stream.close()  # a queued turn took over: its status is in_progress
        return
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
