"""PostHog AI's second runtime and AI usage from both clients, against the sandbox over
loopback HTTP (contract §16): open, the run's events, follow-ups and cancel, the history read
from the session log (messages and DataFrame), ai_usage, and bad input refused."""

from __future__ import annotations

import pytest

from envnb.conversations.endpoints import TaskRunEndpoints
from envnb.conversations.runtime import RunHandle, SessionMessage
from envnb.errors import (
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RequestValidationError,
    StreamError,
)
from envnb.sandbox import Sandbox
from envnb.sandbox.conversations.seed import (
    SANDBOX_RUNTIME_CONVERSATION,
    SANDBOX_RUNTIME_TASK,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

QUESTION = "The signup funnel test fails about one run in ten. Can you find out why?"
ANSWER = (
    "The test compares today's funnel with a fixed date range that crosses midnight UTC, so a "
    "run that starts just before midnight reads one day less. Pinning `now` in the test's "
    "fixture fixes it."
)
REPLY = (
    "This is envnb's sandbox standing in for PostHog's sandbox agent: it logged your message "
    "({words} words) and answers every turn with this text. A real run works in a cloud "
    "sandbox and streams what it does."
)


async def test_the_history_of_a_sandbox_runtime_conversation(sandbox: Sandbox) -> None:
    c = sandbox.async_client()
    try:
        conv = await c.conversations.get(SANDBOX_RUNTIME_CONVERSATION)
        assert conv.messages == []  # PostHog's answer: the history is elsewhere
        got = await c.conversations.session_messages(conv)
        assert [(m.type, m.content, m.id, m.status) for m in got] == [
            ("human", QUESTION, None, None),
            ("tool", "Read tests/test_signup_funnel.py", "toolu_seeded_01", "completed"),
            ("ai", ANSWER, "msg_seeded_01", None),
        ]
        entries = await c.conversations.session_logs(SANDBOX_RUNTIME_CONVERSATION)
        assert [e.event_type for e in entries] == [
            "_posthog/user_message",
            "tool_call",
            "tool_call_update",
            "agent_message_chunk",
            "agent_message_chunk",
            "agent_message_chunk",
            "_posthog/turn_complete",
        ]
        chunks = await c.conversations.session_logs(
            conv, event_types="agent_message_chunk", offset=1, limit=1
        )
        assert [e.update["content"]["text"] for e in chunks] == [
            "midnight UTC, so a run that starts just before midnight reads one "
        ]
        frame = await c.conversations.session_messages_df(conv)
        assert list(frame.columns) == ["position", "id", "type", "content", "tool_call_id"]
        assert frame["type"].astype(str).tolist() == ["human", "tool", "ai"]
        assert frame["content"].tolist() == [QUESTION, "Read tests/test_signup_funnel.py", ANSWER]
        assert frame["tool_call_id"].tolist()[1] == "toolu_seeded_01"
        # Its stream is gone (a run from before): read the log instead
        with pytest.raises(StreamError, match="Stream not available"):
            async for _ in c.conversations.run_events(conv):
                pass
    finally:
        await c.aclose()


async def test_open_follow_up_and_cancel(fresh_sandbox: Sandbox) -> None:
    c = fresh_sandbox.async_client()
    try:
        handle = await c.conversations.open(content="Why did signups drop?")
        assert isinstance(handle, RunHandle)
        assert (handle.run_status, handle.just_created_run) == ("queued", True)
        frames = [f async for f in c.conversations.run_events(handle)]
        kinds = [f.method for f in frames]
        assert kinds == ["_posthog/user_message"] + ["session/update"] * 9 + [
            "_posthog/turn_complete"
        ]
        conv = await c.conversations.get(handle.conversation_id)
        assert (conv.agent_runtime, conv.title, conv.messages) == (
            "sandbox",
            "Why did signups drop?",
            [],
        )
        sent = await c.conversations.follow_up(conv, "And last month?")
        assert (sent.ok, sent.result) == (True, {"queued": True})
        stopped = await c.conversations.cancel_run(handle.conversation_id)
        assert (stopped.jsonrpc, stopped.result, stopped.ok) == ("2.0", {"cancelled": True}, True)
        history = await c.conversations.session_messages(handle)
        assert [(m.type, m.content) for m in history] == [
            ("human", "Why did signups drop?"),
            ("ai", REPLY.format(words=4)),
            ("human", "And last month?"),
            ("ai", REPLY.format(words=3)),
        ]
        again = await c.conversations.open(handle.conversation_id, "Thanks")
        assert (again.run_id, again.just_created_run, again.run_status) == (
            handle.run_id,
            False,
            "in_progress",
        )
        usage = await c.conversations.ai_usage(handle.conversation_id, product="posthog_ai")
        assert (usage.conversation_credits, usage.period_credits, usage.remaining_credits) == (
            9,
            769,
            1231,
        )
        assert (usage.period_label, usage.free_tier_credits) == ("Past 30 days", 2000)
        assert usage.product is not None
        assert (usage.product.name, usage.product.credits) == ("PostHog AI", 9)
        project = await c.conversations.ai_usage()
        assert (project.conversation_credits, project.period_credits) == (None, 769)
        assert project.message.startswith("## PostHog AI usage\n\n**Past 30 days**: 769 credits")
    finally:
        await c.aclose()


async def test_refusals_and_bad_input(fresh_sandbox: Sandbox) -> None:
    c = fresh_sandbox.async_client()
    try:
        usual = [x async for x in c.conversations.list(limit=1)].pop()
        # A conversation of the usual runtime has no run: refused before sending
        with pytest.raises(RequestValidationError) as local:
            await c.conversations.session_logs(usual.id)
        assert local.value.attr == "conversation"
        with pytest.raises(BadRequestError, match="not on the sandbox runtime"):
            await c.conversations.open(usual.id, "hi")
        with pytest.raises(PermissionDeniedError, match="Cannot access other users"):
            await c.conversations.open(SANDBOX_RUNTIME_CONVERSATION, "hi")
        with pytest.raises(RequestValidationError) as text:
            await c.conversations.follow_up(SANDBOX_RUNTIME_CONVERSATION, 5)  # type: ignore[arg-type]
        assert text.value.attr == "content"
        # A wrong-typed method never leaves the client
        with pytest.raises(RequestValidationError) as method:
            TaskRunEndpoints.command.request(
                {"task_id": SANDBOX_RUNTIME_TASK, "run_id": "r"}, body={"method": 5}
            )
        assert method.value.attr == "method"
        # The seeded run finished: its sandbox is gone
        with pytest.raises(BadRequestError, match="No active sandbox for this task run"):
            await c.conversations.cancel_run(SANDBOX_RUNTIME_CONVERSATION)
        lost = RunHandle(
            task_id=SANDBOX_RUNTIME_TASK, run_id="00000000-0000-4000-8000-000000000000"
        )
        with pytest.raises(NotFoundError):
            await c.conversations.session_logs(lost)
        with pytest.raises(BadRequestError) as bad:
            await c.conversations.ai_usage("not-a-uuid")
        assert bad.value.attr == "conversation_id"
    finally:
        await c.aclose()


async def test_session_messages_read_the_wire_faithfully() -> None:
    from envnb.conversations.runtime import SessionLogEntry, session_messages

    def update(body: dict[str, object]) -> SessionLogEntry:
        note = {"method": "session/update", "params": {"sessionId": "s", "update": body}}
        return SessionLogEntry.model_validate({"type": "notification", "notification": note})

    chunk = {"sessionUpdate": "agent_message_chunk", "messageId": "m1"}
    entries = [
        SessionLogEntry.model_validate(
            {
                "type": "notification",
                "notification": {
                    "method": "_posthog/user_message",
                    "params": {"content": [{"type": "text", "text": "hi "}, {"text": "there"}]},
                },
            }
        ),
        update({"sessionUpdate": "agent_thought_chunk", "content": {"text": "Let me "}}),
        update({"sessionUpdate": "agent_thought_chunk", "content": {"text": "look."}}),
        update({**chunk, "content": {"type": "text", "text": "Hel"}}),
        update({**chunk, "content": {"type": "text", "text": "lo"}}),
        update(
            {"sessionUpdate": "agent_message", "messageId": "m1", "content": {"text": "Hello!"}}
        ),
        update({"sessionUpdate": "tool_call", "toolCallId": "t1", "title": "Run query"}),
        update({"sessionUpdate": "tool_call_update", "toolCallId": "t1", "status": "failed"}),
        update({"sessionUpdate": "current_mode_update", "currentModeId": "plan"}),
        update({**chunk, "messageId": "m2", "content": {"text": "Sorry."}}),
    ]
    assert session_messages(entries) == [
        SessionMessage("human", "hi there"),
        SessionMessage("ai/reasoning", "Let me look."),
        SessionMessage("ai", "Hello!", "m1"),
        SessionMessage("tool", "Run query", "t1", None, "failed"),
        SessionMessage("ai", "Sorry.", "m2"),
    ]


async def test_without_access_to_the_logs_the_notice_says_where_they_are(
    fresh_sandbox: Sandbox,
) -> None:
    key = fresh_sandbox.create_key(scopes=["conversation:read"])
    c = fresh_sandbox.async_client(api_key=key)
    try:
        with pytest.raises(PermissionDeniedError, match="task:read"):
            await c.conversations.session_logs(SANDBOX_RUNTIME_CONVERSATION)
        markdown = await c.conversations.to_markdown(SANDBOX_RUNTIME_CONVERSATION)
        assert markdown == (
            "# Fix the flaky signup funnel test (sandbox agent)\n\n"
            "> This conversation runs on PostHog's sandbox runtime: PostHog does not return its "
            "messages here — its history lives in its task run's session logs (GET "
            "/api/projects/1/tasks/ffffffff-7a5c-4d2e-9f10-000000000002/runs/"
            "ffffffff-8b6d-4e3f-a021-000000000003/session_logs/; "
            "conversations.session_messages() reads them).\n"
        )
        assert key not in markdown
    finally:
        await c.aclose()


async def test_messages_df_of_a_sandbox_runtime_conversation_is_its_session_log(
    sandbox: Sandbox,
) -> None:
    # PostHog returns such a conversation with messages == []: an empty frame would read as
    # an empty conversation, so messages_df reads the session log as session_messages_df does.
    c = sandbox.async_client()
    try:
        frame = await c.conversations.messages_df(SANDBOX_RUNTIME_CONVERSATION)
        assert frame["type"].astype(str).tolist() == ["human", "tool", "ai"]
        assert frame["content"].tolist() == [QUESTION, "Read tests/test_signup_funnel.py", ANSWER]
        conv = await c.conversations.get(SANDBOX_RUNTIME_CONVERSATION)
        with pytest.warns(UserWarning, match="sandbox runtime.*conversations.messages_df"):
            assert conv.messages_df().empty  # the model alone cannot read the log: it says so
    finally:
        await c.aclose()


@pytest.mark.parametrize("conversation", ["my-chat", "12345"])
async def test_open_names_a_conversation_id_that_is_not_a_uuid(
    fresh_sandbox: Sandbox, conversation: str
) -> None:
    # PostHog creates the conversation from the URL id on first use, so an id of one's own
    # choosing is natural to try; it answered a bare 404 "Not found.".
    c = fresh_sandbox.async_client()
    before = fresh_sandbox.stats()["requests"]
    try:
        with pytest.raises(RequestValidationError, match=r"^conversation: must be a UUID") as e:
            await c.conversations.open(conversation, "hello")
        assert e.value.attr == "conversation"
        assert fresh_sandbox.stats()["requests"] == before  # nothing was sent
        opened = await c.conversations.open("0b9d7b9e-1111-4222-8333-444455556666", "hello")
        assert opened.conversation_id == "0b9d7b9e-1111-4222-8333-444455556666"
    finally:
        await c.aclose()
