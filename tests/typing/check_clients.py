"""Checked by mypy (``make typecheck``), never run: what each public call returns, on both clients.

``tests/unit/test_typing.py`` runs mypy on code with a forgotten ``await`` and asserts the
errors, so both directions are proven: right types accepted, mistakes refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import assert_type

import pandas as pd

from envnb import AskResult, AsyncClient, AsyncEventStream, Client, EventStream
from envnb.batch_exports.models import (
    BatchExport,
    BatchExportRun,
    Integration,
    PauseResult,
    TestStep,
)
from envnb.batch_exports.ops_models import Backfill, Cancelled
from envnb.conversations.models import AppendedMessage, Conversation, StreamEvent
from envnb.conversations.proposals import ConversationQueue
from envnb.conversations.runtime import (
    AIUsage,
    CommandResult,
    RunFrame,
    RunHandle,
    SessionLogEntry,
    SessionMessage,
)
from envnb.conversations.streaming import StreamAssembler
from envnb.file_exports.download import Download
from envnb.file_exports.models import FileExport
from envnb.profile_configs.models import ProfileConfig
from envnb.query.insights.models import Insight
from envnb.query.results import AsyncQueryResult, QueryResult, Visualization
from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell, ExportPanel, ProfileConfigEditor


def check_client(c: Client) -> None:
    assert_type(c.batch_exports.list(), Iterator[BatchExport])
    assert_type(c.batch_exports.list_df(), pd.DataFrame)
    assert_type(c.batch_exports.get("e"), BatchExport)
    assert_type(c.batch_exports.create("n", {"type": "AwsS3"}, "hour"), BatchExport)
    assert_type(c.batch_exports.update("e", name="n"), BatchExport)
    assert_type(c.batch_exports.pause("e"), PauseResult)
    assert_type(c.batch_exports.unpause("e", backfill=True), PauseResult)
    assert_type(c.batch_exports.test_steps("S3"), list[TestStep])
    assert_type(c.batch_exports.run_test_step("e", 0), TestStep)
    assert_type(c.batch_exports.run_test_step_new(0, {}), TestStep)
    assert_type(c.batch_exports.integrations("aws-s3"), list[Integration])
    assert_type(c.conversations.list(limit=3), Iterator[Conversation])
    assert_type(c.conversations.list_df(), pd.DataFrame)
    assert_type(c.conversations.get("c"), Conversation)
    stream = c.conversations.stream("hi")
    assert_type(stream, EventStream)
    assert_type(next(stream), StreamEvent)
    assert_type(stream.assembler, StreamAssembler)
    assert_type(c.conversations.resume("c"), EventStream)
    answer = c.conversations.ask("hi")
    assert_type(answer, AskResult[list[pd.DataFrame]])
    assert_type(answer.frames(), list[pd.DataFrame])
    assert_type(answer.queries, list[Visualization])
    assert_type(answer.pin(), str)
    assert_type(c.query("SELECT 1"), QueryResult)
    assert_type(c.query({"kind": "FunnelsQuery"}).actors_df(step=2), pd.DataFrame)
    assert_type(c.query_df({"kind": "TrendsQuery"}), pd.DataFrame)
    assert_type(c.conversations.append_message("c", "text"), AppendedMessage)
    assert_type(c.conversations.cancel("c"), None)
    assert_type(c.conversations.delete("c"), None)
    assert_type(c.conversations.messages_df("c"), pd.DataFrame)
    assert_type(c.conversations.to_markdown("c"), str)
    assert_type(c.conversations.queue("c"), ConversationQueue)
    assert_type(c.conversations.enqueue("c", "later"), ConversationQueue)
    assert_type(c.conversations.edit_queued("c", "q", "later"), ConversationQueue)
    assert_type(c.conversations.dequeue("c", "q"), ConversationQueue)
    assert_type(c.conversations.clear_queue("c"), ConversationQueue)
    assert_type(c.conversations.decide("c", "p", approve=True), EventStream)
    assert_type(c.conversations.approve("c", "p"), AskResult[list[pd.DataFrame]])
    assert_type(c.conversations.reject("c", "p", "no"), AskResult[list[pd.DataFrame]])
    assert_type(c.conversations.open("c", "hi"), RunHandle)
    assert_type(c.conversations.session_logs("c", event_types="tool_call"), list[SessionLogEntry])
    assert_type(c.conversations.session_messages("c"), list[SessionMessage])
    assert_type(c.conversations.session_messages_df("c"), pd.DataFrame)
    assert_type(c.conversations.follow_up("c", "more"), CommandResult)
    assert_type(c.conversations.cancel_run("c"), CommandResult)
    assert_type(c.conversations.run_events("c"), Iterator[RunFrame])
    assert_type(c.conversations.ai_usage("c", product="slack_app"), AIUsage)
    assert_type(c.profile_configs.list(), Iterator[ProfileConfig])
    assert_type(c.profile_configs.list_df(), pd.DataFrame)
    assert_type(c.profile_configs.get("p"), ProfileConfig)
    assert_type(c.profile_configs.create("person"), ProfileConfig)
    assert_type(c.profile_configs.update("p", content=[]), ProfileConfig)
    assert_type(c.profile_configs.delete("p"), None)
    assert_type(c.profile_configs.for_scope("person"), ProfileConfig | None)
    assert_type(c.batch_exports.delete("e"), None)
    # export operations (ids or the objects themselves; times as datetime, date or text)
    assert_type(c.batch_exports.runs("e", after="-7d", status=["Failed"]), Iterator[BatchExportRun])
    assert_type(c.batch_exports.runs_df(), pd.DataFrame)
    assert_type(c.batch_exports.get_run("e", "r"), BatchExportRun)
    assert_type(c.batch_exports.retry_run("e", "r"), str)
    assert_type(c.batch_exports.cancel_run("e", "r"), Cancelled)
    assert_type(c.batch_exports.backfills("e"), Iterator[Backfill])
    assert_type(c.batch_exports.backfills_df(None), pd.DataFrame)
    assert_type(c.batch_exports.get_backfill("e", "b"), Backfill)
    assert_type(c.batch_exports.backfill_overlaps("e", "2026-01-01", "2026-01-02"), list[str])
    assert_type(c.batch_exports.create_backfill("e", "2026-01-01", "2026-01-02"), str)
    assert_type(c.batch_exports.cancel_backfill("e", "b"), Cancelled)
    assert_type(c.batch_exports.logs_df("e", level="ERROR", limit=10), pd.DataFrame)
    assert_type(c.batch_exports.metrics_df("e", date_from="-7d"), pd.DataFrame)
    assert_type(c.batch_exports.health(since="-7d"), pd.DataFrame)
    assert_type(c.file_exports.create("events", "-1d"), str)
    assert_type(c.file_exports.get("f"), FileExport)
    assert_type(c.file_exports.list(), Iterator[FileExport])
    assert_type(c.file_exports.list_df(), pd.DataFrame)
    assert_type(c.file_exports.cancel("f"), FileExport)
    assert_type(c.file_exports.count_rows("SELECT 1"), int)
    assert_type(c.file_exports.link("f"), str)
    assert_type(c.file_exports.download("events", "-1d"), Download)
    assert_type(c.insights.get("abc123"), Insight)
    assert_type(c.insight_df("abc123"), pd.DataFrame)
    assert_type(c.actors_df({"kind": "TrendsQuery"}, day="2026-01-01"), pd.DataFrame)
    assert_type(c.close(), None)
    assert_type(c.to_async(), AsyncClient)
    with c as same:
        assert_type(same, Client)


async def check_async_client(ac: AsyncClient) -> None:
    assert_type(ac.batch_exports.list(), AsyncIterator[BatchExport])
    assert_type(await ac.batch_exports.list_df(), pd.DataFrame)
    assert_type(await ac.batch_exports.get("e"), BatchExport)
    assert_type(await ac.batch_exports.create("n", {"type": "AwsS3"}, "hour"), BatchExport)
    assert_type(await ac.batch_exports.update("e", name="n"), BatchExport)
    assert_type(await ac.batch_exports.pause("e"), PauseResult)
    assert_type(await ac.batch_exports.unpause("e", backfill=True), PauseResult)
    assert_type(await ac.batch_exports.test_steps("S3"), list[TestStep])
    assert_type(await ac.batch_exports.run_test_step("e", 0), TestStep)
    assert_type(await ac.batch_exports.run_test_step_new(0, {}), TestStep)
    assert_type(await ac.batch_exports.integrations(), list[Integration])
    assert_type(ac.conversations.list(limit=3), AsyncIterator[Conversation])
    assert_type(await ac.conversations.list_df(), pd.DataFrame)
    assert_type(await ac.conversations.get("c"), Conversation)
    stream = ac.conversations.stream("hi")
    assert_type(stream, AsyncEventStream)
    assert_type(await anext(stream), StreamEvent)
    assert_type(stream.assembler, StreamAssembler)
    assert_type(ac.conversations.resume("c"), AsyncEventStream)
    answer = await ac.conversations.ask("hi")
    assert_type(await answer.frames(), list[pd.DataFrame])
    assert_type(await ac.query("SELECT 1"), AsyncQueryResult)
    funnel = await ac.query({"kind": "FunnelsQuery"})
    assert_type(await funnel.actors_df(step=2, dropped=True), pd.DataFrame)
    assert_type(await ac.query_df("SELECT 1", refresh="async"), pd.DataFrame)
    assert_type(await ac.conversations.append_message("c", "text"), AppendedMessage)
    assert_type(await ac.conversations.cancel("c"), None)
    assert_type(await ac.conversations.delete("c"), None)
    assert_type(await ac.conversations.messages_df("c"), pd.DataFrame)
    assert_type(await ac.conversations.to_markdown("c"), str)
    assert_type(await ac.conversations.queue("c"), ConversationQueue)
    assert_type(await ac.conversations.enqueue("c", "later"), ConversationQueue)
    assert_type(await ac.conversations.edit_queued("c", "q", "later"), ConversationQueue)
    assert_type(await ac.conversations.dequeue("c", "q"), ConversationQueue)
    assert_type(await ac.conversations.clear_queue("c"), ConversationQueue)
    assert_type(ac.conversations.decide("c", "p", approve=True), AsyncEventStream)
    approved = await ac.conversations.approve("c", "p")
    assert_type(await approved.frames(), list[pd.DataFrame])
    rejected = await ac.conversations.reject("c", "p")
    assert_type(await rejected.frames(), list[pd.DataFrame])
    assert_type(await ac.conversations.open("c", "hi"), RunHandle)
    logs = await ac.conversations.session_logs("c", event_types="tool_call")
    assert_type(logs, list[SessionLogEntry])
    assert_type(await ac.conversations.session_messages("c"), list[SessionMessage])
    assert_type(await ac.conversations.session_messages_df("c"), pd.DataFrame)
    assert_type(await ac.conversations.follow_up("c", "more"), CommandResult)
    assert_type(await ac.conversations.cancel_run("c"), CommandResult)
    assert_type(ac.conversations.run_events("c"), AsyncIterator[RunFrame])
    assert_type(await ac.conversations.ai_usage("c", product="slack_app"), AIUsage)
    assert_type(ac.profile_configs.list(), AsyncIterator[ProfileConfig])
    assert_type(await ac.profile_configs.list_df(), pd.DataFrame)
    assert_type(await ac.profile_configs.get("p"), ProfileConfig)
    assert_type(await ac.profile_configs.create("person"), ProfileConfig)
    assert_type(await ac.profile_configs.update("p", content=[]), ProfileConfig)
    assert_type(await ac.profile_configs.delete("p"), None)
    assert_type(await ac.profile_configs.for_scope("person"), ProfileConfig | None)
    assert_type(await ac.batch_exports.delete("e"), None)
    assert_type(ac.batch_exports.runs("e", after="-7d"), AsyncIterator[BatchExportRun])
    assert_type(await ac.batch_exports.runs_df(), pd.DataFrame)
    assert_type(await ac.batch_exports.get_run("e", "r"), BatchExportRun)
    assert_type(await ac.batch_exports.retry_run("e", "r"), str)
    assert_type(await ac.batch_exports.cancel_run("e", "r"), Cancelled)
    assert_type(ac.batch_exports.backfills("e"), AsyncIterator[Backfill])
    assert_type(await ac.batch_exports.backfills_df(None), pd.DataFrame)
    assert_type(await ac.batch_exports.get_backfill("e", "b"), Backfill)
    overlaps = await ac.batch_exports.backfill_overlaps("e", "2026-01-01", "2026-01-02")
    assert_type(overlaps, list[str])
    assert_type(await ac.batch_exports.create_backfill("e", "2026-01-01", "2026-01-02"), str)
    assert_type(await ac.batch_exports.cancel_backfill("e", "b"), Cancelled)
    assert_type(await ac.batch_exports.logs_df("e", level="ERROR"), pd.DataFrame)
    assert_type(await ac.batch_exports.metrics_df("e"), pd.DataFrame)
    assert_type(await ac.batch_exports.health(), pd.DataFrame)
    assert_type(await ac.file_exports.create("events", "-1d"), str)
    assert_type(await ac.file_exports.get("f"), FileExport)
    assert_type(ac.file_exports.list(), AsyncIterator[FileExport])
    assert_type(await ac.file_exports.list_df(), pd.DataFrame)
    assert_type(await ac.file_exports.cancel("f"), FileExport)
    assert_type(await ac.file_exports.count_rows("SELECT 1"), int)
    assert_type(await ac.file_exports.link("f"), str)
    assert_type(await ac.file_exports.download("events", "-1d"), Download)
    assert_type(await ac.insights.get("abc123"), Insight)
    assert_type(await ac.insight_df("abc123"), pd.DataFrame)
    assert_type(await ac.actors_df({"kind": "TrendsQuery"}, day="2026-01-01"), pd.DataFrame)
    assert_type(await ac.aclose(), None)
    async with ac as same:
        assert_type(same, AsyncClient)


def check_panels(c: Client, ac: AsyncClient) -> None:
    for client in (c, ac):
        ExportPanel(client)
        ChatCell(client)
        ProfileConfigEditor(client)


def check_sandbox(sb: Sandbox) -> None:
    assert_type(sb.client(), Client)
    assert_type(sb.async_client(), AsyncClient)
