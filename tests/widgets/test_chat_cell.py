"""ChatCell against the sandbox: streaming, conversation flow, Stop, resume, errors, XSS."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from widget_helpers import api_get, assert_no_secrets, client_for, html_of, writes

from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def _cell(sb: Any, **kw: Any) -> ChatCell:
    cell = ChatCell(client_for(sb, **kw))
    await cell.wait()
    return cell


async def _ask(cell: ChatCell, text: str) -> None:
    cell.input.value = text
    cell.send_button.click()
    await cell.wait()


async def _until(predicate: Any, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_send_streams_a_reply_with_every_part(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    cell = await _cell(sb)
    sb.reset_stats()
    await _ask(cell, "Which batch exports are paused?")
    kinds = [k for k, _ in cell.transcript]
    assert kinds[0] == "human" and "ai/reasoning" in kinds and "tool" in kinds
    assert kinds[-1] == "ai" and cell.reply and cell.reply == cell.transcript[-1][1]
    assert cell.title == "Which batch exports are paused?"
    assert cell.title in cell.title_html.value
    assert cell.input.value == "" and cell.status == "" and cell.error == ""
    assert cell.live_html.value == "" and not cell.send_button.disabled
    assert cell.stop_button.disabled
    history = cell.history_html.value
    assert "💭" in history and "⚙" in history  # reasoning and tool call, dimmed lines
    assert "<p>" in history or "<table>" in history or "<li>" in history  # Markdown rendered
    assert writes(sb, "conversation.message") == 1
    server = api_get(sb, f"conversations/{cell.conversation_id}/")
    assert server["title"] == cell.title
    assert next(m["type"] for m in server["messages"]) == "human"
    assert server["messages"][-1]["content"] == cell.reply
    assert cell.updates >= 1
    assert_no_secrets(cell, sb.api_key)


async def test_successive_questions_continue_the_conversation(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    cell = await _cell(sb)
    await _ask(cell, "lorem 5")
    first_id = cell.conversation_id
    await _ask(cell, "lorem 7")
    assert cell.conversation_id == first_id
    assert len(cell.reply.split()) == 7
    humans = [c for k, c in cell.transcript if k == "human"]
    assert humans == ["lorem 5", "lorem 7"]
    server = api_get(sb, f"conversations/{first_id}/")
    assert [m["content"] for m in server["messages"] if m["type"] == "human"] == humans
    cell.new_button.click()
    assert cell.conversation_id is None and cell.transcript == [] and cell.title is None
    await _ask(cell, "lorem 3")
    assert cell.conversation_id != first_id


async def test_double_click_sends_once(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    cell = await _cell(sb)
    sb.reset_stats()
    cell.input.value = "lorem 20"
    cell.send_button.click()
    cell.send_button.click()
    # Send stays on while a reply runs (it queues other text): the same text is not resent.
    assert cell.send_button.description == "Queue" and not cell.stop_button.disabled
    await cell.wait()
    assert writes(sb, "conversation.message") == 1
    assert writes(sb, "conversation.enqueue") == 0 and cell.queued == []
    assert cell.send_button.description == "Send"


async def test_paced_reading_shows_the_exact_reply_progressively() -> None:
    # Frames 2 ms apart: the panel naps after each flush and reads the queued frames after.
    with Sandbox(stream_delay=0.002) as sb:
        cell = await _cell(sb)
        shown: list[str] = []
        cell.live_html.observe(lambda _c: shown.append(cell.reply), names="value")
        await _ask(cell, "lorem 800")
        server = api_get(sb, f"conversations/{cell.conversation_id}/")
        final = [m["content"] for m in server["messages"] if m["type"] == "ai"][-1]
        assert cell.reply == final and len(final.split()) == 800
        partial = [r for r in shown if r and r != final]
        assert len(partial) >= 2  # it grew in steps, not only at the end
        assert all(final.startswith(r) for r in partial)


async def test_stop_mid_stream_keeps_the_partial_reply() -> None:
    with Sandbox(stream_delay=0.01) as sb:
        cell = await _cell(sb)
        sb.reset_stats()
        cell.input.value = "lorem 3000"
        cell.send_button.click()
        await _until(lambda: len(cell.reply.split()) >= 20)
        cell.stop_button.click()
        assert cell.stop_button.disabled
        cell.stop_button.click()  # a double click sends one cancel
        await cell.wait()
        assert cell.stopped and cell.status == "Stopped."
        words = len(cell.reply.split())
        assert 20 <= words < 3000
        assert "stopped" in cell.history_html.value
        assert cell.reply.split()[0] in cell.history_html.value
        # no "… Generating words" progress line is left under the stopped reply
        assert "… Generating words" not in cell.history_html.value + cell.live_html.value
        # the stopped turn stays in the panel's state, question and partial reply
        assert cell.transcript[0] == ("human", "lorem 3000")
        assert cell.transcript[-1] == ("ai", cell.reply)
        assert [(m.type, m.content) for m in cell.messages] == cell.transcript
        assert writes(sb, "conversation.cancel") == 1
        assert not cell.send_button.disabled and cell.stop_button.disabled
        # the conversation goes on after a stop (a stopped first turn has no title yet, so
        # the server only lists and serves the conversation once a reply finished)
        await _ask(cell, "lorem 4")
        assert len(cell.reply.split()) == 4 and not cell.stopped
        humans = [c for k, c in cell.transcript if k == "human"]
        assert humans == ["lorem 3000", "lorem 4"]
        server = api_get(sb, f"conversations/{cell.conversation_id}/")
        assert server["status"] == "idle"
        assert [m["content"] for m in server["messages"] if m["type"] == "human"] == [
            "lorem 3000",
            "lorem 4",
        ]
        assert all(len(str(m.get("content", "")).split()) < 3000 for m in server["messages"])


async def test_dropped_stream_resumes_the_reply(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    cell = await _cell(sb)
    sb.set_faults("cut_after=8,route=conversations,method=POST,times=1")
    await _ask(cell, "lorem 60")
    sb.set_faults(None)
    assert cell.error == ""
    assert len(cell.reply.split()) == 60
    assert sb.stats()["faults"]
    assert cell.resumed == 1 and "the reply was resumed" in cell.history_html.value
    assert writes(sb, "conversation.message") == 1  # resuming never re-sends the question


async def test_server_error_keeps_the_question(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    cell = await _cell(sb)
    sb.set_faults("status=500,route=conversations,method=POST")
    await _ask(cell, "lorem 5")
    sb.set_faults(None)
    assert "500" in cell.error and "500" in cell.status_html.value
    assert "Traceback" not in html_of(cell)
    assert cell.input.value == "lorem 5"  # the user's text is not lost
    assert not cell.send_button.disabled
    assert writes(sb, "conversation.message") == 0
    await _ask(cell, cell.input.value)
    assert cell.error == "" and len(cell.reply.split()) == 5


async def test_key_without_write_scope_says_so(sandbox: Sandbox) -> None:
    key = sandbox.create_key(scopes=["conversation:read"])
    cell = await _cell(sandbox, api_key=key)
    assert len(cell.picker.options) > 1  # reading works
    await _ask(cell, "lorem 5")
    assert "403" in cell.error and "conversation:write" in cell.error
    assert cell.input.value == "lorem 5"
    assert_no_secrets(cell, key, sandbox.api_key)


async def test_picker_loads_an_earlier_conversation(sandbox: Sandbox) -> None:
    cell = await _cell(sandbox)
    options = [v for _, v in cell.picker.options if v]
    assert options
    listed = api_get(sandbox, "conversations/?limit=100")["results"]
    assert options[0] == listed[0]["id"]
    cell.picker.value = options[0]
    await cell.wait()
    server = api_get(sandbox, f"conversations/{options[0]}/")
    assert cell.conversation_id == options[0] and cell.title == server["title"]
    assert [c for _, c in cell.transcript] == [m.get("content", "") for m in server["messages"]]
    assert cell.history_html.value
    cell.picker.value = ""
    assert cell.transcript == [] and cell.conversation_id is None


async def test_hostile_titles_and_messages_show_as_text() -> None:
    with Sandbox(canary=True, conversations=4, stream_delay=0.002) as sb:
        cell = await _cell(sb)
        hostile = next(v for label, v in cell.picker.options if "<" in label)
        cell.picker.value = hostile
        await cell.wait()
        assert "<img" in (cell.title or "") or "<script" in (cell.title or "")
        await _ask(cell, "lorem 3 <img src=x onerror=alert(1)>")
        html = html_of(cell)
        for tag in ("<img", "<script", "<svg"):
            assert tag not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert_no_secrets(cell, sb.api_key)


async def test_stop_with_a_scoped_key_says_the_server_did_not_cancel() -> None:
    with Sandbox(stream_delay=0.01) as sb:
        key = sb.create_key(scopes=["conversation:read", "conversation:write"])
        cell = await _cell(sb, api_key=key)
        cell.input.value = "lorem 400"
        cell.send_button.click()
        await _until(lambda: len(cell.reply.split()) >= 10)
        cell.stop_button.click()
        await cell.wait()
        assert cell.stopped and "stopped" in cell.history_html.value
        # PostHog refuses cancel to every scoped personal key: the panel says so in words
        assert cell.status.startswith("Stopped here, but the server did not confirm: 403")
        assert "Personal API Key" in cell.status
        assert not cell.send_button.disabled
        assert_no_secrets(cell, key, sb.api_key)


async def test_text_typed_while_thinking_is_kept() -> None:
    # The sandbox waits before its first frame, so the user types while "Thinking…".
    with Sandbox(stream_delay=0.002, faults="latency=0.6,route=conversations,method=POST") as sb:
        cell = await _cell(sb)
        cell.input.value = "lorem 3"
        cell.send_button.click()
        await _until(lambda: cell.status == "Thinking…")
        cell.input.value = "lorem 3\nand a follow-up I am typing"
        await cell.wait()
        assert cell.reply == "lorem ipsum dolor"
        assert cell.input.value == "lorem 3\nand a follow-up I am typing"
        # untouched input is still cleared once the server has the question
        await _ask(cell, "lorem 2")
        assert cell.input.value == ""


async def test_reversing_title_is_isolated_in_the_title_and_the_picker(
    fresh_sandbox: Sandbox,
) -> None:
    cell = await _cell(fresh_sandbox)
    await _ask(cell, "lorem 2 \u202eevil")
    assert cell.title == "lorem 2 \u202eevil"
    assert cell.title_html.value == "<h4 style='margin:4px 0'><bdi>lorem 2 ⟦U+202E⟧evil</bdi></h4>"
    await cell.wait()  # the picker reloads once a titled turn finished
    labels = [label for label, value in cell.picker.options if value == cell.conversation_id]
    assert len(labels) == 1 and labels[0].startswith("\u2068lorem 2 ⟦U+202E⟧evil\u2069 · ")
    assert "<strong><bdi>lorem 2 ⟦U+202E⟧evil</bdi></strong>" in cell.static_html()
