"""The conversation queue, approvals, quota and the sandbox runtime from both clients, against
the sandbox over loopback HTTP (contract §16)."""

from __future__ import annotations

import pytest

from envnb.conversations.models import ConversationEvent, MessageEvent
from envnb.conversations.proposals import ApprovalEvent, ConversationQueue, PendingApproval
from envnb.errors import (
    BadRequestError,
    NotFoundError,
    QueueFullError,
    QuotaExceededError,
    RequestValidationError,
)
from envnb.sandbox import Sandbox
from envnb.sandbox.conversations.seed import SANDBOX_RUNTIME_CONVERSATION

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

PREVIEW = (
    "Pause 8 batch exports: Events archive, Events archive 2, Postgres mirror, "
    "Postgres mirror 2, Warehouse sync, Warehouse sync 2, Webhook relay, Webhook relay 2"
)


async def test_queue_methods(fresh_sandbox: Sandbox) -> None:
    c = fresh_sandbox.async_client()
    try:
        first = [item async for item in c.conversations.list(limit=1)].pop()
        empty = await c.conversations.queue(first.id)
        assert isinstance(empty, ConversationQueue)
        assert (empty.messages, empty.max_queue_messages) == ([], 2)
        one = await c.conversations.enqueue(first.id, "first", agent_mode="sql")
        assert [(m.content, m.agent_mode) for m in one.messages] == [("first", "sql")]
        two = await c.conversations.enqueue(first.id, "second")
        assert [m.content for m in two.messages] == ["first", "second"]
        with pytest.raises(QueueFullError) as full:
            await c.conversations.enqueue(first.id, "third")
        assert str(full.value).startswith(
            "409: Only two messages can be queued at a time. — the conversation answers its "
            "queued messages in order as each reply ends; wait for one, or remove one with "
            "conversations.dequeue(id, queue_id) or clear_queue(id) [POST "
        )
        edited = await c.conversations.edit_queued(first.id, one.messages[0].id, "first!")
        assert [m.content for m in edited.messages] == ["first!", "second"]
        left = await c.conversations.dequeue(first.id, one.messages[0].id)
        assert [m.content for m in left.messages] == ["second"]
        with pytest.raises(NotFoundError) as gone:
            await c.conversations.dequeue(first.id, one.messages[0].id)
        assert gone.value.detail == "Queue message not found."
        cleared = await c.conversations.clear_queue(first.id)
        assert cleared.messages == []
        assert fresh_sandbox.stats()["writes"]["conversation.enqueue"] == 2
    finally:
        await c.aclose()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("   ", "content: must not be empty"),
        ("x" * 40001, "content: 40001 characters is too long; at most 40000 allowed"),
        (None, "content: must be the message text (a str), not NoneType"),
        (7, "content: must be the message text (a str), not int"),
    ],
)
async def test_enqueue_checks_content_before_sending(
    sandbox: Sandbox, content: object, message: str
) -> None:
    c = sandbox.async_client()
    before = sandbox.stats()["requests"]
    try:
        cid = "0b7b9a3e-0000-4000-8000-000000000000"
        with pytest.raises(RequestValidationError) as added:
            await c.conversations.enqueue(cid, content)  # type: ignore[arg-type]
        assert (str(added.value), added.value.attr) == (message, "content")
        with pytest.raises(RequestValidationError) as edited:
            await c.conversations.edit_queued(cid, "q", content)  # type: ignore[arg-type]
        assert (str(edited.value), edited.value.attr) == (message, "content")
    finally:
        await c.aclose()
    assert sandbox.stats()["requests"] == before  # nothing was sent


@pytest.mark.parametrize("feedback", [5, ["later"], {"text": "later"}])
async def test_reject_checks_feedback_before_sending(sandbox: Sandbox, feedback: object) -> None:
    # A number or list used to go out as JSON (PostHog's feedback is text).
    c = sandbox.async_client()
    before = sandbox.stats()["requests"]
    try:
        cid = "0b7b9a3e-0000-4000-8000-000000000000"
        with pytest.raises(RequestValidationError) as bad:
            await c.conversations.reject(cid, "p", feedback)  # type: ignore[arg-type]
        assert bad.value.attr == "feedback"
        assert str(bad.value).startswith("feedback: must be text (a str) or None, not ")
    finally:
        await c.aclose()
    assert sandbox.stats()["requests"] == before  # nothing was sent


async def test_approve_and_reject(fresh_sandbox: Sandbox) -> None:
    c = fresh_sandbox.async_client()
    try:
        events = [e async for e in c.conversations.stream("pause all exports")]
        [event] = [e for e in events if isinstance(e, ApprovalEvent)]
        assert isinstance(event.approval, PendingApproval)
        assert (event.approval.tool_name, event.approval.preview) == (
            "pause_batch_exports",
            PREVIEW,
        )
        cid = next(e for e in events if isinstance(e, ConversationEvent)).conversation.id
        conv = await c.conversations.get(cid)
        assert [a.proposal_id for a in conv.awaiting] == [event.approval.proposal_id]
        done = await c.conversations.approve(cid, event.approval.proposal_id)
        assert done.text == "Done: I paused 8 batch exports."
        after = await c.conversations.get(cid)
        assert after.awaiting == []
        assert after.pending_approvals[0].decision_status == "approved"
        assert all(e.paused for e in [x async for x in c.batch_exports.list()])

        again = await c.conversations.ask("pause every export")
        assert again.text == "Every batch export is already paused."

        with pytest.raises(BadRequestError) as err:
            await c.conversations.reject(cid, event.approval.proposal_id)
        assert err.value.detail == "This proposal was already decided (approved)."
    finally:
        await c.aclose()


async def test_reject_with_feedback(fresh_sandbox: Sandbox) -> None:
    c = fresh_sandbox.async_client()
    try:
        events = [e async for e in c.conversations.stream("pause all exports")]
        [event] = [e for e in events if isinstance(e, ApprovalEvent)]
        cid = next(e for e in events if isinstance(e, ConversationEvent)).conversation.id
        said = await c.conversations.reject(cid, event.approval.proposal_id, feedback="later")
        assert said.text == 'OK, I did not change anything. You said: "later".'
        conv = await c.conversations.get(cid)
        assert conv.pending_approvals[0].decision_status == "rejected"
        assert sum(e.paused for e in [x async for x in c.batch_exports.list()]) == 4
    finally:
        await c.aclose()


async def test_quota_402_is_typed_and_says_what_to_do(fresh_sandbox: Sandbox) -> None:
    fresh_sandbox.ai_credits_exhausted = True
    c = fresh_sandbox.async_client()
    try:
        with pytest.raises(QuotaExceededError) as err:
            await c.conversations.ask("hi")
        assert str(err.value).startswith(
            "402: Your organization reached its AI credit usage limit. Increase the limits in "
            "Billing settings, or ask an org admin to do so. — nothing was sent; PostHog AI "
            "answers again once the limit is raised [POST "
        )
        assert err.value.code == "quota_limit_exceeded"
    finally:
        await c.aclose()


async def test_a_sandbox_runtime_conversation_is_never_an_empty_transcript(
    sandbox: Sandbox,
) -> None:
    c = sandbox.async_client()
    try:
        conv = await c.conversations.get(SANDBOX_RUNTIME_CONVERSATION)
        assert conv.messages == [] and conv.agent_runtime == "sandbox" and conv.is_sandbox
        assert conv.runtime_notice == (
            "This conversation runs on PostHog's sandbox runtime: PostHog does not return its "
            "messages here — its history lives in its task run's session logs (GET "
            "/api/projects/1/tasks/ffffffff-7a5c-4d2e-9f10-000000000002/runs/"
            "ffffffff-8b6d-4e3f-a021-000000000003/session_logs/; "
            "conversations.session_messages() reads them)."
        )
        markdown = await c.conversations.to_markdown(conv)  # written from its session log
        assert markdown == (
            "# Fix the flaky signup funnel test (sandbox agent)\n\n**You:**\n\n"
            "> The signup funnel test fails about one run in ten. Can you find out why?\n\n"
            "**PostHog AI:**\n\nThe test compares today's funnel with a fixed date range that "
            "crosses midnight UTC, so a run that starts just before midnight reads one day less. "
            "Pinning `now` in the test's fixture fixes it.\n"
        )
        listed = [x async for x in c.conversations.list(limit=1)]
        usual = await c.conversations.get(listed.pop().id)
        assert (usual.agent_runtime, usual.runtime_notice) == ("langgraph", None)
    finally:
        await c.aclose()


async def test_resume_can_read_a_reply_that_already_finished(fresh_sandbox: Sandbox) -> None:
    c = fresh_sandbox.async_client()
    try:
        done = await c.conversations.ask("lorem 4")
        with pytest.raises(BadRequestError):
            [e async for e in c.conversations.resume(done.conversation_id)]
        stream = c.conversations.resume(done.conversation_id, read_finished=True)
        read = [e async for e in stream]
        assert stream.assembler.reply == done.text and len(done.text.split()) == 4
        kinds = [e.message.type for e in read if isinstance(e, MessageEvent)]
        assert kinds[:1] == ["human"]
    finally:
        await c.aclose()
