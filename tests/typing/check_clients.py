"""Checked by mypy (``make typecheck``), never run: what each public call returns, on both clients.

``tests/unit/test_typing.py`` runs mypy on code with a forgotten ``await`` and asserts the
errors, so both directions are proven: right types accepted, mistakes refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import assert_type

import pandas as pd

from envnb import AskResult, AsyncClient, AsyncEventStream, Client, EventStream
from envnb.batch_exports.models import BatchExport, PauseResult, TestStep
from envnb.conversations.models import AppendedMessage, Conversation, StreamEvent
from envnb.conversations.streaming import StreamAssembler
from envnb.profile_configs.models import ProfileConfig
from envnb.query.results import QueryResult, Visualization
from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell, ExportPanel, ProfileConfigEditor


def check_client(c: Client) -> None:
    assert_type(c.batch_exports.list(), Iterator[BatchExport])
    assert_type(c.batch_exports.list_df(), pd.DataFrame)
    assert_type(c.batch_exports.get("e"), BatchExport)
    assert_type(c.batch_exports.create("n", {"type": "S3"}, "hour"), BatchExport)
    assert_type(c.batch_exports.update("e", name="n"), BatchExport)
    assert_type(c.batch_exports.pause("e"), PauseResult)
    assert_type(c.batch_exports.unpause("e", backfill=True), PauseResult)
    assert_type(c.batch_exports.test_steps("S3"), list[TestStep])
    assert_type(c.batch_exports.run_test_step("e", 0), TestStep)
    assert_type(c.batch_exports.run_test_step_new(0, {}), TestStep)
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
    assert_type(c.query_df({"kind": "TrendsQuery"}), pd.DataFrame)
    assert_type(c.conversations.append_message("c", "text"), AppendedMessage)
    assert_type(c.conversations.cancel("c"), None)
    assert_type(c.conversations.messages_df("c"), pd.DataFrame)
    assert_type(c.conversations.to_markdown("c"), str)
    assert_type(c.profile_configs.list(), Iterator[ProfileConfig])
    assert_type(c.profile_configs.list_df(), pd.DataFrame)
    assert_type(c.profile_configs.get("p"), ProfileConfig)
    assert_type(c.profile_configs.create("person"), ProfileConfig)
    assert_type(c.profile_configs.update("p", content=[]), ProfileConfig)
    assert_type(c.profile_configs.delete("p"), None)
    assert_type(c.to_async(), AsyncClient)
    with c as same:
        assert_type(same, Client)


async def check_async_client(ac: AsyncClient) -> None:
    assert_type(ac.batch_exports.list(), AsyncIterator[BatchExport])
    assert_type(await ac.batch_exports.list_df(), pd.DataFrame)
    assert_type(await ac.batch_exports.get("e"), BatchExport)
    assert_type(await ac.batch_exports.create("n", {"type": "S3"}, "hour"), BatchExport)
    assert_type(await ac.batch_exports.update("e", name="n"), BatchExport)
    assert_type(await ac.batch_exports.pause("e"), PauseResult)
    assert_type(await ac.batch_exports.unpause("e", backfill=True), PauseResult)
    assert_type(await ac.batch_exports.test_steps("S3"), list[TestStep])
    assert_type(await ac.batch_exports.run_test_step("e", 0), TestStep)
    assert_type(await ac.batch_exports.run_test_step_new(0, {}), TestStep)
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
    assert_type(await ac.query("SELECT 1"), QueryResult)
    assert_type(await ac.query_df("SELECT 1", refresh="async"), pd.DataFrame)
    assert_type(await ac.conversations.append_message("c", "text"), AppendedMessage)
    assert_type(await ac.conversations.cancel("c"), None)
    assert_type(await ac.conversations.messages_df("c"), pd.DataFrame)
    assert_type(await ac.conversations.to_markdown("c"), str)
    assert_type(ac.profile_configs.list(), AsyncIterator[ProfileConfig])
    assert_type(await ac.profile_configs.list_df(), pd.DataFrame)
    assert_type(await ac.profile_configs.get("p"), ProfileConfig)
    assert_type(await ac.profile_configs.create("person"), ProfileConfig)
    assert_type(await ac.profile_configs.update("p", content=[]), ProfileConfig)
    assert_type(await ac.profile_configs.delete("p"), None)
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
