"""Every resource method of both clients against the sandbox, over real loopback HTTP."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from test_client_kit import KINDS, close, items, make, take, val

from envnb.models import (
    AIMessage,
    BatchExport,
    Conversation,
    ConversationEvent,
    HumanMessage,
    MessageEvent,
    PauseResult,
    ProfileConfig,
    StepStatus,
    TestStep,
)
from envnb.sandbox import Sandbox
from expected_dtypes import CONVERSATIONS, EXPORTS, dtypes

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

SNOWFLAKE = {
    "account": "acme",
    "user": "loader",
    "password": "hunter2",
    "database": "db",
    "warehouse": "wh",
    "schema": "public",
}


@pytest.mark.parametrize("kind", KINDS)
async def test_batch_exports_every_method(fresh_sandbox: Sandbox, kind: str) -> None:
    sb = fresh_sandbox
    c = make(sb, kind)
    try:
        exports = await items(c.batch_exports.list())
        assert exports and all(isinstance(e, BatchExport) for e in exports)
        df = await val(c.batch_exports.list_df())
        assert len(df) == len(exports)
        assert set(df["id"]) == {e.id for e in exports}
        one = await val(c.batch_exports.get(exports[0].id))
        assert one.id == exports[0].id and one.name == exports[0].name

        created = await val(
            c.batch_exports.create(
                "Nightly Snowflake",
                {"type": "Snowflake", "config": SNOWFLAKE},
                "day",
                offset_hour=4,
            )
        )
        assert created.destination.type == "Snowflake" and created.offset_hour == 4
        assert "password" not in created.destination.config  # secrets stripped
        updated = await val(c.batch_exports.update(created.id, name="Renamed"))
        assert updated.name == "Renamed"

        assert await val(c.batch_exports.pause(created.id)) == PauseResult(paused=True)
        assert await val(c.batch_exports.pause(created.id)) == PauseResult(paused=True)
        assert await val(c.batch_exports.unpause(created.id, backfill=True)) == PauseResult(
            paused=False
        )
        assert len(sb.backfills(created.id)) == 1
        writes = sb.stats()["writes"]
        assert writes["batch_export.create"] == 1 and writes["batch_export.backfill"] == 1

        steps = await val(c.batch_exports.test_steps("Snowflake"))
        assert steps[0].name == "Establish connection to Snowflake"
        assert all(isinstance(s, TestStep) and s.result is None for s in steps)
        ran = await val(c.batch_exports.run_test_step(created.id, 0))
        assert ran.name == steps[0].name and ran.result.status in set(StepStatus)
        fresh = await val(
            c.batch_exports.run_test_step_new(
                1,
                {
                    "name": "probe",
                    "interval": "hour",
                    "destination": {"type": "Snowflake", "config": SNOWFLAKE},
                },
            )
        )
        assert fresh.name == steps[1].name and fresh.result is not None
    finally:
        await close(c)


@pytest.mark.parametrize("kind", KINDS)
async def test_profile_configs_every_method(fresh_sandbox: Sandbox, kind: str) -> None:
    c = make(fresh_sandbox, kind)
    try:
        before = await items(c.profile_configs.list())
        made = await val(
            c.profile_configs.create("group_1", content=[{"block": "events"}], sidebar={})
        )
        assert isinstance(made, ProfileConfig) and made.scope == "group_1"
        got = await val(c.profile_configs.get(made.id))
        assert got.content == [{"block": "events"}]
        upd = await val(c.profile_configs.update(made.id, sidebar=[{"block": "notes"}]))
        assert upd.sidebar == [{"block": "notes"}] and upd.content == [{"block": "events"}]
        df = await val(c.profile_configs.list_df())
        assert len(df) == len(before) + 1
        assert df.loc[df["id"] == made.id, "sidebar_items"].iloc[0] == 1
        assert await val(c.profile_configs.delete(made.id)) is None
        assert len(await items(c.profile_configs.list())) == len(before)
    finally:
        await close(c)


@pytest.mark.parametrize("kind", KINDS)
async def test_conversations_read_methods(sandbox: Sandbox, kind: str) -> None:
    c = make(sandbox, kind)
    try:
        convs = await items(c.conversations.list(limit=5))
        assert len(convs) == 5 and all(isinstance(x, Conversation) for x in convs)
        full = await val(c.conversations.get(convs[0].id))
        assert full.messages and isinstance(full.messages[0], HumanMessage)
        mdf = await val(c.conversations.messages_df(full.id))
        assert len(mdf) == len(full.messages)
        md = await val(c.conversations.to_markdown(full))
        assert md.startswith(f"# {full.title}")
    finally:
        await close(c)


@pytest.mark.parametrize("kind", KINDS)
async def test_stream_ask_append(fresh_sandbox: Sandbox, kind: str) -> None:
    sb = fresh_sandbox
    c = make(sb, kind)
    try:
        events = await items(c.conversations.stream("lorem 30"))
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

        result = await val(c.conversations.ask("which batch exports are paused?"))
        assert "paused" in result.text and result.conversation_id != stream_conv
        follow = await val(c.conversations.ask("lorem 5", conversation=result.conversation_id))
        assert len(follow.text.split()) == 5
        conv = await val(c.conversations.get(result.conversation_id))
        assert [m.type for m in conv.messages].count("human") == 2

        appended = await val(c.conversations.append_message(conv.id, "A note from the analyst"))
        assert appended.id
        assert sb.stats()["writes"]["conversation.append"] == 1
        assert sb.stats()["writes"]["conversation.message"] == 3
    finally:
        await close(c)


@pytest.mark.parametrize("kind", KINDS)
async def test_cancel_and_resume(fresh_sandbox: Sandbox, kind: str) -> None:
    sb = fresh_sandbox
    sb.set_stream(stream_delay=0.01, words_per_frame=2)
    c = make(sb, kind)
    try:
        # Leave a long reply running, then re-attach with resume(): replayed, not duplicated.
        stream = c.conversations.stream("lorem 120")
        first = await take(stream, 6)
        cid = stream.conversation_id
        assert first and sb.conversation_status(cid) == "in_progress"
        await close(stream)
        resumed = c.conversations.resume(cid)
        await items(resumed)
        asm = resumed.assembler
        assert len(asm.reply.split()) == 120 and not asm.in_progress
        assert [m.type for m in asm.messages].count("human") == 1

        # Cancel a running reply; cancel is idempotent.
        stream2 = c.conversations.stream("lorem 400")
        await take(stream2, 6)
        assert await val(c.conversations.cancel(stream2.conversation_id)) is None
        assert await val(c.conversations.cancel(stream2.conversation_id)) is None
        await close(stream2)
        assert sb.stats()["writes"]["conversation.cancel"] >= 1
    finally:
        await close(c)


@pytest.mark.parametrize("kind", KINDS)
async def test_dataframes_multi_page_and_empty(kind: str) -> None:
    with Sandbox(conversations=57, profile_configs=0, batch_exports=0, stream_delay=0) as sb:
        c = make(sb, kind)
        try:
            df = await val(c.conversations.list_df(page_size=10))  # 6 pages, fetched concurrently
            listed = await items(c.conversations.list(page_size=10))
            assert len(df) == len(listed) == 57
            assert list(df["id"]) == [x.id for x in listed]  # page order kept
            assert dtypes(df) == CONVERSATIONS
            assert str(df["created_at"].dt.tz) == "UTC"
            limited = await val(c.conversations.list_df(limit=13, page_size=5))
            assert list(limited["id"]) == [x.id for x in listed[:13]]

            empty = await val(c.batch_exports.list_df())
            assert empty.empty
            assert dtypes(empty) == EXPORTS
            assert isinstance(empty["paused"].dtype, pd.BooleanDtype)
            assert await items(c.profile_configs.list()) == []
        finally:
            await close(c)


async def test_to_async_shares_settings(sandbox: Sandbox) -> None:
    c = make(sandbox, "sync")
    a = c.to_async()
    try:
        assert a.host == c.host and a.project_id == c.project_id
        got: Any = await a.batch_exports.list_df(limit=2)
        assert len(got) == 2
    finally:
        c.close()
        await a.aclose()
