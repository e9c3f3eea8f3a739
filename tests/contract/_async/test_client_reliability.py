"""Retries where safe (429, dropped connections), never for writes; a cut stream resumes once."""

from __future__ import annotations

import pytest

from envnb import errors
from envnb.conversations.models import AIMessage, MessageEvent
from envnb.sandbox import Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_get_retried_after_429_honouring_retry_after(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    sb.set_faults("status=429,retry_after=1,route=batch_exports,method=GET,times=2")
    c = sb.async_client()
    try:
        exports = [item async for item in c.batch_exports.list()]
        assert exports
        stats = sb.stats()
        assert stats["faults"]["status"] == 2 and stats["requests"] == 3
    finally:
        await c.aclose()


async def test_get_retried_after_dropped_connection_and_malformed_body(
    fresh_sandbox: Sandbox,
) -> None:
    sb = fresh_sandbox
    c = sb.async_client()
    try:
        sb.set_faults("drop=body,route=customer_profile_configs,times=1")
        df = await c.profile_configs.list_df()
        assert len(df) > 0 and sb.stats()["faults"]["drop"] == 1
        sb.set_faults("malformed=json,route=conversations,times=1")
        assert len([item async for item in c.conversations.list(limit=3)]) == 3
        assert sb.stats()["faults"]["malformed"] == 1
    finally:
        await c.aclose()


async def test_idempotent_actions_retried(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    c = sb.async_client()
    try:
        export = await anext(c.batch_exports.list(limit=1))
        sb.set_faults("status=503,route=pause,times=1")
        assert (await c.batch_exports.pause(export.id)).paused is True
        sb.set_faults("drop=body,route=unpause,times=1")
        assert (await c.batch_exports.unpause(export.id, backfill=True)).paused is False
        # The first unpause happened before the drop; the retry found it unpaused: one backfill.
        assert len(sb.backfills(export.id)) == 1
        writes = sb.stats()["writes"]
        assert writes.get("batch_export.unpause", 0) == 1
        assert writes.get("batch_export.backfill", 0) == 1
    finally:
        await c.aclose()


async def test_writes_never_retried(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    c = sb.async_client()
    try:
        # The create happens, then the connection drops: retrying would create a second one.
        sb.set_faults("drop=body,route=customer_profile_configs,method=POST,times=1")
        with pytest.raises(errors.APIConnectionError):
            await c.profile_configs.create("person", content={})
        assert sb.stats()["writes"]["profile_config.create"] == 1

        # A 503 on a conversation message: surfaced, not resent (no message stored twice).
        sb.set_faults("status=503,route=conversations,method=POST,times=1")
        before = sb.stats()["requests"]
        with pytest.raises(errors.ServerError):
            await c.conversations.ask("lorem 3")
        assert sb.stats()["requests"] == before + 1
        assert sb.stats()["writes"].get("conversation.message", 0) == 0

        # 429 on a create: not retried either.
        sb.set_faults("status=429,retry_after=1,route=batch_exports,method=POST,times=1")
        with pytest.raises(errors.RateLimitError):
            await c.batch_exports.create("x", {"type": "NoOp", "config": {}}, "day")
        assert sb.stats()["writes"].get("batch_export.create", 0) == 0
    finally:
        sb.set_faults(None)
        await c.aclose()


async def test_stream_resumed_after_cut(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    sb.set_stream(stream_delay=0.02, words_per_frame=4)  # still running when we resume
    sb.set_faults("cut_after=9,route=conversations,method=POST,times=1")
    c = sb.async_client()
    try:
        stream = c.conversations.stream("lorem 120")
        events = [item async for item in stream]
        assert stream.session.resumed
        asm = stream.assembler
        assert len(asm.reply.split()) == 120 and asm.finished
        assert [m.type for m in asm.messages].count("human") == 1
        finals = [
            e
            for e in events
            if isinstance(e, MessageEvent)
            and e.message.id
            and isinstance(e.message, AIMessage)
            and not e.message.tool_calls
        ]
        assert len(finals) == 1  # replayed messages are not yielded twice
        ids = [e.message.id for e in events if isinstance(e, MessageEvent) and e.message.id]
        assert len(ids) == len(set(ids))
        stats = sb.stats()
        assert stats["faults"]["cut_after"] == 1
        assert stats["writes"]["conversation.message"] == 1  # the resume stored nothing new
    finally:
        await c.aclose()
