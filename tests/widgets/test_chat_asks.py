"""ChatCell and what PostHog AI asks of the user, against the sandbox: approvals (Approve /
Reject change the sandbox's state), queued messages (shown, removable, answered), and a
conversation on the other runtime (a notice, never an empty transcript)."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from widget_helpers import api_get, assert_no_secrets, client_for, html_of, writes

from envnb.sandbox import Sandbox
from envnb.sandbox.conversations.seed import SANDBOX_RUNTIME_CONVERSATION
from envnb.widgets import ChatCell
from envnb.widgets._chat_asks import CLEARED, QUEUE_FULL

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

PREVIEW = (
    "Pause 8 batch exports: Events archive, Events archive 2, Postgres mirror, "
    "Postgres mirror 2, Warehouse sync, Warehouse sync 2, Webhook relay, Webhook relay 2"
)


@pytest.fixture
def slow() -> Iterator[Sandbox]:
    """Replies that take seconds, so a message can be typed while one runs."""
    with Sandbox(stream_delay=0.03, words_per_frame=2, conversations=40) as sb:
        yield sb


async def _cell(sb: Any) -> ChatCell:
    cell = ChatCell(client_for(sb))
    await cell.wait()
    return cell


async def _cell_with_key(sb: Any, key: str) -> ChatCell:
    cell = ChatCell(client_for(sb, api_key=key))
    await cell.wait()
    return cell


async def _until(predicate: Any, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


def _buttons(cell: ChatCell, description: str) -> list[Any]:
    from envnb.widgets._base import iter_widgets

    return [
        w
        for w in iter_widgets(cell.asks_box)
        if type(w).__name__ == "Button" and w.description == description
    ]


def _paused(sb: Sandbox) -> int:
    return sum(row["paused"] for row in api_get(sb, "batch_exports/")["results"])


async def _propose(cell: ChatCell) -> None:
    cell.input.value = "pause all exports"
    cell.send_button.click()
    await cell.wait()


async def test_approve_runs_the_proposal_on_the_server(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    cell = await _cell(sb)
    await _propose(cell)
    [approval] = cell.approvals
    assert (approval.tool_name, approval.preview) == ("pause_batch_exports", PREVIEW)
    assert "Approval needed" in html_of(cell) and PREVIEW in html_of(cell)
    assert "pause_batch_exports" in cell.static_html()
    [approve] = _buttons(cell, "Approve")
    assert len(_buttons(cell, "Reject")) == 1
    approve.click()
    await cell.wait()
    server = api_get(sb, f"conversations/{cell.conversation_id}/")
    assert [a["decision_status"] for a in server["pending_approvals"]] == ["approved"]
    assert _paused(sb) == 12
    assert cell.approvals == [] and _buttons(cell, "Approve") == []
    assert cell.reply == "Done: I paused 8 batch exports."
    assert cell.transcript[-2:] == [
        ("tool", "Paused 8 batch exports"),
        ("ai", "Done: I paused 8 batch exports."),
    ]
    assert cell.error == "" and cell.send_button.description == "Send"
    assert_no_secrets(cell, sb.api_key)


async def test_reject_leaves_the_exports_running(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    cell = await _cell(sb)
    await _propose(cell)
    _buttons(cell, "Reject")[0].click()
    await cell.wait()
    server = api_get(sb, f"conversations/{cell.conversation_id}/")
    assert [a["decision_status"] for a in server["pending_approvals"]] == ["rejected"]
    assert _paused(sb) == 4
    assert cell.reply == "OK, I did not change anything."


async def test_the_preview_is_escaped(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    hostile = "<img src=x onerror=alert(1)>"
    created = httpx.post(
        f"{sb.url}/api/projects/{sb.project_id}/batch_exports/",
        headers={"Authorization": f"Bearer {sb.api_key}"},
        json={
            "name": hostile,
            "interval": "day",
            "destination": {
                "type": "HTTP",
                "config": {"url": "https://example.com/x", "token": "t"},
            },
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    cell = await _cell(sb)
    await _propose(cell)
    shown = html_of(cell)
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown and hostile not in shown


async def test_a_message_typed_during_a_reply_is_queued_then_answered(slow: Sandbox) -> None:
    cell = await _cell(slow)
    cell.input.value = "lorem 200"
    cell.send_button.click()
    await _until(lambda: len(cell.transcript) >= 2)
    cell.input.value = "lorem 3"
    cell.send_button.click()
    await _until(lambda: bool(cell.queued))
    assert [m.content for m in cell.queued] == ["lorem 3"]
    assert "queued:" in html_of(cell) and "lorem 3" in html_of(cell)
    assert _buttons(cell, "Remove")
    server_queue = api_get(slow, f"conversations/{cell.conversation_id}/queue/")
    assert [m["content"] for m in server_queue["messages"]] == ["lorem 3"]
    assert cell.input.value == ""
    await cell.wait()
    humans = [c for k, c in cell.transcript if k == "human"]
    assert humans == ["lorem 200", "lorem 3"]
    assert len(cell.reply.split()) == 3 and cell.queued == []
    stored = api_get(slow, f"conversations/{cell.conversation_id}/")["messages"]
    assert [m["content"] for m in stored if m["type"] == "human"] == humans
    assert writes(slow, "conversation.message") == 2 and writes(slow, "conversation.enqueue") == 1


async def test_a_queued_message_can_be_removed(slow: Sandbox) -> None:
    cell = await _cell(slow)
    cell.input.value = "lorem 200"
    cell.send_button.click()
    await _until(lambda: len(cell.transcript) >= 2)
    cell.input.value = "never mind"
    cell.send_button.click()
    await _until(lambda: bool(_buttons(cell, "Remove")))
    _buttons(cell, "Remove")[0].click()
    await _until(lambda: not cell.queued)
    assert api_get(slow, f"conversations/{cell.conversation_id}/queue/")["messages"] == []
    await cell.wait()
    assert [c for k, c in cell.transcript if k == "human"] == ["lorem 200"]
    assert writes(slow, "conversation.message") == 1


async def test_a_third_message_says_to_remove_one_and_keeps_the_text(slow: Sandbox) -> None:
    # The API's QueueFullError text names conversations.dequeue(...); the panel has buttons.
    cell = await _cell(slow)
    cell.input.value = "lorem 200"
    cell.send_button.click()
    await _until(lambda: len(cell.transcript) >= 2)
    for n, text in enumerate(["lorem 3", "lorem 4"], start=1):
        cell.input.value = text
        cell.send_button.click()
        await _until(lambda n=n: len(cell.queued) == n)  # type: ignore[misc]
    cell.input.value = "lorem 5"
    cell.send_button.click()
    await _until(lambda: cell.status.startswith(("Not queued", "Could not queue")))
    assert cell.status == QUEUE_FULL
    assert cell.input.value == "lorem 5"
    assert [m.content for m in cell.queued] == ["lorem 3", "lorem 4"]
    assert writes(slow, "conversation.enqueue") == 2
    cell.stop()
    await cell.wait()


async def test_a_pending_proposal_clears_the_queue(slow: Sandbox) -> None:
    # A proposal's reply is short: paced at 0.2 s a step it lasts ~2 s, time to queue in.
    slow.set_stream(stream_delay=0.2)
    cell = await _cell(slow)
    cell.input.value = "pause all exports"
    cell.send_button.click()
    await _until(lambda: len(cell.transcript) >= 2)
    cell.input.value = "lorem 3"
    cell.send_button.click()
    await _until(lambda: bool(cell.queued))
    await cell.wait()
    assert len(cell.approvals) == 1 and cell.queued == []
    assert cell.status == CLEARED
    assert api_get(slow, f"conversations/{cell.conversation_id}/queue/")["messages"] == []
    assert [c for k, c in cell.transcript if k == "human"] == ["pause all exports"]


async def test_the_other_runtime_shows_its_session_log_history(sandbox: Sandbox) -> None:
    cell = await _cell(sandbox)
    task = cell.load(SANDBOX_RUNTIME_CONVERSATION)
    assert task is not None
    await cell.wait()
    # PostHog returns it with no messages; the panel reads its task run's session log
    assert cell.transcript == [
        ("human", "The signup funnel test fails about one run in ten. Can you find out why?"),
        ("tool", "Read tests/test_signup_funnel.py"),
        (
            "ai",
            "The test compares today's funnel with a fixed date range that crosses midnight "
            "UTC, so a run that starts just before midnight reads one day less. Pinning `now` "
            "in the test's fixture fixes it.",
        ),
    ]
    shown = cell.history_html.value
    assert "its history below is read from its task run&#x27;s session log" in shown
    assert "<b>You:</b> The signup funnel test fails about one run in ten." in shown
    assert "⚙ Read tests/test_signup_funnel.py (completed)</div>" in shown
    assert "Pinning <code>now</code> in the test" in shown  # the agent's Markdown, rendered
    assert cell.reply.endswith("fixes it.")
    assert cell.title == "Fix the flaky signup funnel test (sandbox agent)"


async def test_the_other_runtime_without_its_logs_says_where_they_are() -> None:
    with Sandbox(stream_delay=0.01) as sb:
        # A key that may read conversations but not tasks: the session log answers 403
        key = sb.create_key(scopes=["conversation:read", "conversation:write"])
        cell = await _cell_with_key(sb, key)
        task = cell.load(SANDBOX_RUNTIME_CONVERSATION)
        assert task is not None
        await cell.wait()
        assert cell.messages == [] and cell.transcript == []
        value = cell.history_html.value
        assert value.count("<div") == 1  # a note, not an (empty) transcript
        assert html.unescape(re.sub("<[^>]+>", "", value)) == (
            "This conversation runs on PostHog's sandbox runtime: PostHog does not return its "
            "messages here — its history lives in its task run's session logs (GET "
            "/api/projects/1/tasks/ffffffff-7a5c-4d2e-9f10-000000000002/runs/"
            "ffffffff-8b6d-4e3f-a021-000000000003/session_logs/; "
            "conversations.session_messages() reads them)."
        )
        assert_no_secrets(cell, key, sb.api_key)


async def test_agent_text_from_the_session_log_is_sanitized(fresh_sandbox: Sandbox) -> None:
    c = fresh_sandbox.client()
    handle = c.conversations.open(content="<img src=x onerror=alert(1)> hello")
    cell = await _cell(fresh_sandbox)
    cell.load(handle.conversation_id)
    await cell.wait()
    shown = cell.history_html.value
    assert "<b>You:</b> &lt;img src=x onerror=alert(1)&gt; hello</div>" in shown
    assert "<img" not in shown
    assert [kind for kind, _ in cell.transcript] == ["human", "ai"]


async def test_agent_markdown_from_the_session_log_is_sanitized(fresh_sandbox: Sandbox) -> None:
    from envnb.sandbox.conversations import runtime
    from envnb.sandbox.conversations import runtime_log as wire

    handle = fresh_sandbox.client().conversations.open(content="hi")
    hostile = (
        "**bold** <script>alert(1)</script> [x](javascript:alert(2)) <b onclick=alert(3)>b</b>"
    )
    stamp = "2026-01-01T00:00:00Z"
    runtime.append(
        fresh_sandbox.store,
        handle.run_id,
        [
            *wire.agent_chunks(handle.run_id, "m-hostile", hostile, 50, stamp),
            wire.tool_call(handle.run_id, "t1", "<i>title</i>", "read", "<u>done</u>", stamp),
        ],
    )
    cell = await _cell(fresh_sandbox)
    cell.load(handle.conversation_id)
    await cell.wait()
    shown = cell.history_html.value
    assert "<strong>bold</strong>" in shown  # Markdown rendered ...
    tags = re.findall(r"<[^>]*>", shown)  # ... and sanitized: the server's HTML stays text
    for bad in ("<script", "javascript:", "onclick", "<i>", "<u>", "<b "):
        assert not [t for t in tags if bad in t], bad
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "⚙ &lt;i&gt;title&lt;/i&gt; (&lt;u&gt;done&lt;/u&gt;)</div>" in shown


async def test_a_message_in_a_sandbox_runtime_conversation_goes_through_open(
    fresh_sandbox: Sandbox,
) -> None:
    c = fresh_sandbox.client()
    handle = c.conversations.open(content="First question")
    cell = await _cell(fresh_sandbox)
    cell.load(handle.conversation_id)
    await cell.wait()
    assert cell.on_runtime
    cell.input.value = "Second question"
    cell.send_button.click()
    await cell.wait()
    assert cell.error == "" and cell.input.value == ""
    reply = (
        "This is envnb's sandbox standing in for PostHog's sandbox agent: it logged your "
        "message (2 words) and answers every turn with this text. A real run works in a cloud "
        "sandbox and streams what it does."
    )
    assert cell.transcript == [
        ("human", "First question"),
        ("ai", reply),
        ("human", "Second question"),
        ("ai", reply),
    ]
    assert "<b>You:</b> Second question</div>" in cell.history_html.value
    # the same run took it (a follow-up), not POST conversations/
    assert c.conversations.get(handle.conversation_id).task["latest_run"] == handle.run_id
    # a new conversation from here is PostHog AI's usual one again
    cell.new_button.click()
    assert not cell.on_runtime
    cell.input.value = "lorem 3"
    cell.send_button.click()
    await cell.wait()
    assert cell.error == "" and [k for k, _ in cell.transcript][:1] == ["human"]
    assert c.conversations.get(cell.conversation_id).agent_runtime == "langgraph"
