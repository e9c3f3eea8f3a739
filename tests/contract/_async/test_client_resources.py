"""Every resource method of both clients against the sandbox, over real loopback HTTP."""

from __future__ import annotations

import pandas as pd
import pytest

from envnb.batch_exports.models import BatchExport, PauseResult, StepStatus, TestStep
from envnb.conversations.models import (
    AIMessage,
    Conversation,
    ConversationEvent,
    HumanMessage,
    MessageEvent,
)
from envnb.profile_configs.models import ProfileConfig
from envnb.sandbox import Sandbox
from expected_dtypes import CONVERSATIONS, EXPORTS, dtypes

from .helpers import head

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

SNOWFLAKE_INTEGRATION = 3  # the sandbox's seeded snowflake integration (GET integrations/)
SNOWFLAKE = {
    "account": "acme",
    "user": "loader",
    "password": "hunter2",
    "database": "db",
    "warehouse": "wh",
    "schema": "public",
}


async def test_batch_exports_every_method(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    c = sb.async_client()
    try:
        exports = [item async for item in c.batch_exports.list()]
        assert exports and all(isinstance(e, BatchExport) for e in exports)
        df = await c.batch_exports.list_df()
        assert len(df) == len(exports)
        assert set(df["id"]) == {e.id for e in exports}
        one = await c.batch_exports.get(exports[0].id)
        assert one.id == exports[0].id and one.name == exports[0].name

        created = await c.batch_exports.create(
            "Nightly Snowflake",
            {"type": "Snowflake", "config": SNOWFLAKE, "integration_id": SNOWFLAKE_INTEGRATION},
            "day",
            offset_hour=4,
        )
        assert created.destination.type == "Snowflake" and created.offset_hour == 4
        assert "password" not in created.destination.config  # secrets stripped
        updated = await c.batch_exports.update(created.id, name="Renamed")
        assert updated.name == "Renamed"

        assert await c.batch_exports.pause(created.id) == PauseResult(paused=True)
        assert await c.batch_exports.pause(created.id) == PauseResult(paused=True)
        assert await c.batch_exports.unpause(created.id, backfill=True) == PauseResult(paused=False)
        assert len(sb.backfills(created.id)) == 1
        writes = sb.stats()["writes"]
        assert writes["batch_export.create"] == 1 and writes["batch_export.backfill"] == 1

        steps = await c.batch_exports.test_steps("Snowflake")
        assert steps[0].name == "Establish connection to Snowflake"
        assert all(isinstance(s, TestStep) and s.result is None for s in steps)
        ran = await c.batch_exports.run_test_step(created.id, 0)
        assert ran.name == steps[0].name and ran.result.status in set(StepStatus)
        fresh = await c.batch_exports.run_test_step_new(
            1,
            {
                "name": "probe",
                "interval": "hour",
                "destination": {
                    "type": "Snowflake",
                    "config": SNOWFLAKE,
                    "integration_id": SNOWFLAKE_INTEGRATION,
                },
            },
        )
        assert fresh.name == steps[1].name and fresh.result is not None
    finally:
        await c.aclose()


async def test_profile_configs_every_method(fresh_sandbox: Sandbox) -> None:
    c = fresh_sandbox.async_client()
    try:
        before = [item async for item in c.profile_configs.list()]
        made = await c.profile_configs.create("group_1", content=[{"block": "events"}], sidebar={})
        assert isinstance(made, ProfileConfig) and made.scope == "group_1"
        got = await c.profile_configs.get(made.id)
        assert got.content == [{"block": "events"}]
        upd = await c.profile_configs.update(made.id, sidebar=[{"block": "notes"}])
        assert upd.sidebar == [{"block": "notes"}] and upd.content == [{"block": "events"}]
        df = await c.profile_configs.list_df()
        assert len(df) == len(before) + 1
        assert df.loc[df["id"] == made.id, "sidebar_items"].iloc[0] == 1
        assert await c.profile_configs.delete(made.id) is None
        assert len([item async for item in c.profile_configs.list()]) == len(before)
    finally:
        await c.aclose()


async def test_conversations_read_methods(sandbox: Sandbox) -> None:
    c = sandbox.async_client()
    try:
        convs = [item async for item in c.conversations.list(limit=5)]
        assert len(convs) == 5 and all(isinstance(x, Conversation) for x in convs)
        full = await c.conversations.get(convs[0].id)
        assert full.messages and isinstance(full.messages[0], HumanMessage)
        mdf = await c.conversations.messages_df(full.id)
        assert len(mdf) == len(full.messages)
        md = await c.conversations.to_markdown(full)
        assert md.startswith(f"# {full.title}")
    finally:
        await c.aclose()


async def test_stream_ask_append(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    c = sb.async_client()
    try:
        events = [item async for item in c.conversations.stream("lorem 30")]
        assert isinstance(events[0], ConversationEvent)
        final = [
            e
            for e in events
            if isinstance(e, MessageEvent)
            and e.message.id
            and isinstance(e.message, AIMessage)
            and not e.message.tool_calls
        ]
        assert len(final[-1].message.content.split()) == 30
        stream_conv = events[0].conversation.id

        result = await c.conversations.ask("which batch exports are paused?")
        assert "paused" in result.text and result.conversation_id != stream_conv
        follow = await c.conversations.ask("lorem 5", conversation=result.conversation_id)
        assert len(follow.text.split()) == 5
        conv = await c.conversations.get(result.conversation_id)
        assert [m.type for m in conv.messages].count("human") == 2

        appended = await c.conversations.append_message(conv.id, "A note from the analyst")
        assert appended.id
        assert sb.stats()["writes"]["conversation.append"] == 1
        assert sb.stats()["writes"]["conversation.message"] == 3
    finally:
        await c.aclose()


async def test_cancel_and_resume(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    sb.set_stream(stream_delay=0.01, words_per_frame=2)
    c = sb.async_client()
    try:
        # Leave a long reply running, then re-attach with resume(): replayed, not duplicated.
        stream = c.conversations.stream("lorem 120")
        first = await head(stream, 6)
        cid = stream.conversation_id
        assert first and sb.conversation_status(cid) == "in_progress"
        await stream.aclose()
        resumed = c.conversations.resume(cid)
        [item async for item in resumed]
        asm = resumed.assembler
        assert len(asm.reply.split()) == 120 and not asm.in_progress
        assert [m.type for m in asm.messages].count("human") == 1

        # Cancel a running reply; cancel is idempotent.
        stream2 = c.conversations.stream("lorem 400")
        await head(stream2, 6)
        assert await c.conversations.cancel(stream2.conversation_id) is None
        assert await c.conversations.cancel(stream2.conversation_id) is None
        await stream2.aclose()
        assert sb.stats()["writes"]["conversation.cancel"] >= 1
    finally:
        await c.aclose()


async def test_dataframes_multi_page_and_empty() -> None:
    with Sandbox(conversations=57, profile_configs=0, batch_exports=0, stream_delay=0) as sb:
        c = sb.async_client()
        try:
            df = await c.conversations.list_df(page_size=10)  # 6 pages, fetched concurrently
            listed = [item async for item in c.conversations.list(page_size=10)]
            assert len(df) == len(listed) == 57
            assert list(df["id"]) == [x.id for x in listed]  # page order kept
            assert dtypes(df) == CONVERSATIONS
            assert str(df["created_at"].dt.tz) == "UTC"
            limited = await c.conversations.list_df(limit=13, page_size=5)
            assert list(limited["id"]) == [x.id for x in listed[:13]]

            empty = await c.batch_exports.list_df()
            assert empty.empty
            assert dtypes(empty) == EXPORTS
            assert isinstance(empty["paused"].dtype, pd.BooleanDtype)
            assert [item async for item in c.profile_configs.list()] == []
        finally:
            await c.aclose()
