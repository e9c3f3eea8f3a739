"""PostHog AI's second runtime and AI usage over HTTP (contract §16): ``open``, a task run's
``stream``/``command``/``session_logs``, and ``ai_usage`` — shapes as PostHog's source has
them (PH:ee/api/conversation.py, PH:products/tasks/backend/api.py + serializers.py,
PH:products/posthog_ai/backend/api/usage.py, PostHog/Twig agent-server.ts)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from conftest import Api, parse_sse
from envnb.sandbox import Sandbox
from envnb.sandbox.conversations.seed import (
    SANDBOX_RUNTIME_CONVERSATION,
    SANDBOX_RUNTIME_RUN,
    SANDBOX_RUNTIME_TASK,
)

QUESTION = "The signup funnel test fails about one run in ten. Can you find out why?"
SEEDED = f"tasks/{SANDBOX_RUNTIME_TASK}/runs/{SANDBOX_RUNTIME_RUN}/"
REPLY = (
    "This is envnb's sandbox standing in for PostHog's sandbox agent: it logged your message "
    "({words} words) and answers every turn with this text. A real run works in a cloud "
    "sandbox and streams what it does."
)


def _anchor(sb: Sandbox) -> datetime:
    return datetime.fromisoformat(sb.seeded_at).replace(second=0, microsecond=0)


def _z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _types(entries: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in entries:
        note = e["notification"]
        out.append(
            note["params"]["update"]["sessionUpdate"]
            if "update" in note["params"]
            else note["method"]
        )
    return out


def _open(api: Api, cid: str, **body: Any) -> Any:
    return api.post(f"conversations/{cid}/open/", json=body)


def _command(api: Api, run: str, **body: Any) -> Any:
    return api.post(f"{run}command/", json=body)


def test_the_seeded_run_keeps_its_history_in_its_session_log(api: Api) -> None:
    got = api.get(f"{SEEDED}session_logs/")
    assert got.status_code == 200
    assert (got.headers["x-total-count"], got.headers["x-filtered-count"]) == ("7", "7")
    assert got.headers["cache-control"] == "no-cache"
    entries = got.json()
    a = _anchor(api.sb)
    started, middle, ended = (a - timedelta(minutes=m) for m in (192, 191, 189))
    assert entries[0] == {
        "type": "notification",
        "timestamp": _z(started),
        "notification": {
            "jsonrpc": "2.0",
            "method": "_posthog/user_message",
            "params": {"content": QUESTION},
        },
    }
    assert entries[1]["notification"]["params"] == {
        "sessionId": SANDBOX_RUNTIME_RUN,
        "update": {
            "sessionUpdate": "tool_call",
            "toolCallId": "toolu_seeded_01",
            "title": "Read tests/test_signup_funnel.py",
            "kind": "read",
            "status": "pending",
        },
    }
    assert _types(entries) == [
        "_posthog/user_message",
        "tool_call",
        "tool_call_update",
        "agent_message_chunk",
        "agent_message_chunk",
        "agent_message_chunk",
        "_posthog/turn_complete",
    ]
    assert [e["timestamp"] for e in entries] == [_z(started)] + [_z(middle)] * 2 + [_z(ended)] * 4
    chunks = [e["notification"]["params"]["update"]["content"]["text"] for e in entries[3:6]]
    assert chunks == [
        "The test compares today's funnel with a fixed date range that crosses ",
        "midnight UTC, so a run that starts just before midnight reads one ",
        "day less. Pinning `now` in the test's fixture fixes it.",
    ]
    assert entries[6]["notification"]["params"] == {
        "sessionId": SANDBOX_RUNTIME_RUN,
        "stopReason": "end_turn",
    }


def test_session_log_filters(api: Api) -> None:
    def types(query: str) -> tuple[list[str], str, str]:
        got = api.get(f"{SEEDED}session_logs/?{query}")
        assert got.status_code == 200, got.text
        return _types(got.json()), got.headers["x-total-count"], got.headers["x-filtered-count"]

    chunk = "agent_message_chunk"
    assert types("event_types=agent_message_chunk") == ([chunk] * 3, "7", "3")
    assert types("exclude_types=agent_message_chunk,tool_call, tool_call_update") == (
        ["_posthog/user_message", "_posthog/turn_complete"],
        "7",
        "2",
    )
    assert types("offset=1&limit=2") == (["tool_call", "tool_call_update"], "7", "2")
    middle = _z(_anchor(api.sb) - timedelta(minutes=191))
    assert types(f"after={middle}") == ([chunk] * 3 + ["_posthog/turn_complete"], "7", "4")


def test_session_log_query_errors(api: Api) -> None:
    for query, attr, code, detail in (
        ("limit=0", "limit", "min_value", "Ensure this value is greater than or equal to 1."),
        ("limit=5001", "limit", "max_value", "Ensure this value is less than or equal to 5000."),
        ("limit=ten", "limit", "invalid_input", "A valid integer is required."),
        ("offset=-1", "offset", "min_value", "Ensure this value is greater than or equal to 0."),
    ):
        got = api.get(f"{SEEDED}session_logs/?{query}")
        assert got.status_code == 400
        assert got.json() == {
            "type": "validation_error",
            "code": code,
            "detail": detail,
            "attr": attr,
        }
    assert api.get(f"{SEEDED}session_logs/?after=yesterday").json()["attr"] == "after"


def test_unknown_tasks_and_runs_are_404(api: Api) -> None:
    other = str(uuid.uuid4())
    for path in (f"tasks/{other}/runs/{SANDBOX_RUNTIME_RUN}/", f"tasks/not-a-uuid/runs/{other}/"):
        got = api.get(path + "session_logs/")
        assert (got.status_code, got.json()) == (
            404,
            {
                "type": "invalid_request",
                "code": "not_found",
                "detail": "Task not found",
                "attr": None,
            },
        )
    run = f"tasks/{SANDBOX_RUNTIME_TASK}/runs/{other}/"
    for got in (
        api.get(run + "session_logs/"),
        api.get(run + "stream/"),
        _command(api, run, jsonrpc="2.0", method="cancel"),
    ):
        assert (got.status_code, got.json()["detail"]) == (404, "Not found.")


def test_a_run_whose_stream_is_gone_says_so(api: Api) -> None:
    got = api.get(f"{SEEDED}stream/")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/event-stream")
    assert got.content == b'event: error\ndata: {"error":"Stream not available"}\n\n'


def test_open_starts_a_run_then_follows_it_up(fresh_api: Api) -> None:
    cid, trace = str(uuid.uuid4()), str(uuid.uuid4())
    first = _open(fresh_api, cid, content="Why did signups drop last week?", trace_id=trace)
    assert first.status_code == 200
    handle = first.json()
    assert sorted(handle) == ["just_created_run", "run_id", "run_status", "task_id", "trace_id"]
    assert (handle["trace_id"], handle["run_status"], handle["just_created_run"]) == (
        trace,
        "queued",
        True,
    )
    conv = fresh_api.get(f"conversations/{cid}/").json()
    assert (conv["agent_runtime"], conv["is_sandbox"], conv["messages"]) == ("sandbox", True, [])
    assert conv["title"] == "Why did signups drop last week?"
    assert conv["task"] == {"id": handle["task_id"], "latest_run": handle["run_id"]}
    run = f"tasks/{handle['task_id']}/runs/{handle['run_id']}/"
    frames = parse_sse(fresh_api.get(run + "stream/").content)
    assert [f.event for f in frames] == ["message"] * len(frames)
    assert _types([f.data for f in frames[:-1]]) == ["_posthog/user_message"] + [
        "agent_message_chunk"
    ] * 9 + ["_posthog/turn_complete"]
    text = "".join(
        f.data["notification"]["params"]["update"]["content"]["text"] for f in frames[1:10]
    )
    assert text == REPLY.format(words=6)
    state = frames[-1].data
    assert (state["type"], state["run_id"], state["task_id"], state["status"]) == (
        "task_run_state",
        handle["run_id"],
        handle["task_id"],
        "in_progress",
    )
    again = _open(fresh_api, cid, content="And the week before?").json()
    assert (again["run_id"], again["run_status"], again["just_created_run"], again["trace_id"]) == (
        handle["run_id"],
        "in_progress",
        False,
        None,
    )
    humans = [
        e["notification"]["params"]["content"]
        for e in fresh_api.get(run + "session_logs/?event_types=_posthog/user_message").json()
    ]
    assert humans == ["Why did signups drop last week?", "And the week before?"]
    # It is served by `open` only
    refused = fresh_api.chat("hello", cid)[0]
    assert (refused.status_code, refused.json()["detail"]) == (
        400,
        "Sandbox conversations must be opened via the open endpoint.",
    )


def test_open_without_content_warms_a_run(fresh_api: Api) -> None:
    cid = str(uuid.uuid4())
    warm = _open(fresh_api, cid).json()
    assert (warm["run_status"], warm["just_created_run"], warm["trace_id"]) == (
        "queued",
        True,
        None,
    )
    # no title yet: hidden from retrieve, and nothing logged
    assert fresh_api.get(f"conversations/{cid}/").status_code == 404
    logs = fresh_api.get(f"tasks/{warm['task_id']}/runs/{warm['run_id']}/session_logs/")
    assert (logs.json(), logs.headers["x-total-count"]) == ([], "0")
    reused = _open(fresh_api, cid).json()
    assert (reused["run_id"], reused["just_created_run"]) == (warm["run_id"], False)


def test_open_refusals(fresh_api: Api, fresh_sandbox: Sandbox) -> None:
    theirs = _open(fresh_api, SANDBOX_RUNTIME_CONVERSATION, content="hi")
    assert (theirs.status_code, theirs.json()) == (
        403,
        {
            "type": "authentication_error",
            "code": "permission_denied",
            "detail": "Cannot access other users' conversations",
            "attr": None,
        },
    )
    usual = fresh_api.get("conversations/").json()["results"][0]["id"]
    refused = _open(fresh_api, usual, content="hi")
    assert (refused.status_code, refused.json()["detail"]) == (
        400,
        "This conversation is not on the sandbox runtime.",
    )
    for body, attr in (
        ({"content": ["a"]}, "content"),
        ({"trace_id": "nope"}, "trace_id"),
        ({"attached_context": {"type": "text"}}, "attached_context"),
        ({"content": "x" * 40001}, "content"),
    ):
        got = _open(fresh_api, str(uuid.uuid4()), **body)
        assert (got.status_code, got.json()["attr"]) == (400, attr), body
    fresh_sandbox.ai_credits_exhausted = True
    over = _open(fresh_api, str(uuid.uuid4()), content="hi")
    assert (over.status_code, over.json()["code"]) == (402, "quota_limit_exceeded")
    fresh_sandbox.ai_credits_exhausted = False


def test_commands_on_a_live_run(fresh_api: Api) -> None:
    handle = _open(fresh_api, str(uuid.uuid4()), content="Look at retention").json()
    run = f"tasks/{handle['task_id']}/runs/{handle['run_id']}/"
    sent = _command(
        fresh_api, run, jsonrpc="2.0", method="user_message", params={"content": " more "}
    )
    assert (sent.status_code, sent.json()) == (200, {"result": {"queued": True}})
    humans = fresh_api.get(run + "session_logs/?event_types=_posthog/user_message").json()
    assert [e["notification"]["params"]["content"] for e in humans] == ["Look at retention", "more"]
    cancel = _command(fresh_api, run, jsonrpc="2.0", method="cancel", id=7)
    assert cancel.json() == {"jsonrpc": "2.0", "id": 7, "result": {"cancelled": True}}
    unknown = _command(
        fresh_api,
        run,
        jsonrpc="2.0",
        method="permission_response",
        id="p1",
        params={"requestId": "r1", "optionId": "allow_once"},
    )
    assert unknown.json() == {
        "jsonrpc": "2.0",
        "id": "p1",
        "error": {"code": -32000, "message": "Unknown method: permission_response"},
    }
    closed = _command(fresh_api, run, jsonrpc="2.0", method="close", id=8)
    assert closed.json() == {"jsonrpc": "2.0", "id": 8, "result": {"closed": True}}
    gone = _command(fresh_api, run, jsonrpc="2.0", method="cancel")
    assert (gone.status_code, gone.json()) == (
        400,
        {"error": "No active sandbox for this task run"},
    )
    finished = _command(
        fresh_api, SEEDED, jsonrpc="2.0", method="user_message", params={"content": "x"}
    )
    assert (finished.status_code, finished.json()) == (
        400,
        {"error": "No active sandbox for this task run"},
    )


def test_command_bodies_are_checked_like_posthog(api: Api) -> None:
    run = SEEDED  # validation comes before the run's sandbox is looked at
    for body, attr, code, detail in (
        ({"jsonrpc": "2.0", "method": 5}, "method", "invalid_choice", '"5" is not a valid choice.'),
        (
            {"jsonrpc": "2.0", "method": "reboot"},
            "method",
            "invalid_choice",
            '"reboot" is not a valid choice.',
        ),
        ({"method": "cancel"}, "jsonrpc", "required", "This field is required."),
        (
            {"jsonrpc": "1.0", "method": "cancel"},
            "jsonrpc",
            "invalid_choice",
            '"1.0" is not a valid choice.',
        ),
        ({"jsonrpc": "2.0"}, "method", "required", "This field is required."),
        (
            {"jsonrpc": "2.0", "method": "cancel", "params": [1]},
            "params",
            "not_a_dict",
            'Expected a dictionary of items but got type "list".',
        ),
        (
            {"jsonrpc": "2.0", "method": "cancel", "id": [1]},
            "id",
            "invalid_input",
            "id must be a string or number",
        ),
        (
            {"jsonrpc": "2.0", "method": "user_message", "params": {"content": "  "}},
            "params",
            "invalid_input",
            "user_message requires a non-empty content string, artifact_ids, or both",
        ),
        (
            {"jsonrpc": "2.0", "method": "user_message", "params": {"content": 3}},
            "params",
            "invalid_input",
            "content must be a string when provided",
        ),
        (
            {"jsonrpc": "2.0", "method": "permission_response", "params": {"requestId": "r"}},
            "params",
            "invalid_input",
            "optionId is required and must be a non-empty string",
        ),
    ):
        got = _command(api, run, **body)
        assert got.status_code == 400, body
        assert got.json() == {
            "type": "validation_error",
            "code": code,
            "detail": detail,
            "attr": attr,
        }


USAGE_NOTE = (
    "_Current conversation resets when you start a new chat; past 30 days is rolling usage for "
    "this project because billing period information is unavailable._\n"
    "_Note: Usage data depends on AI trace ingestion and may lag slightly behind real-time "
    "activity._"
)


def test_ai_usage_of_the_project(fresh_api: Api) -> None:
    got = fresh_api.get("ai_usage/")
    assert got.status_code == 200
    body = got.json()
    end = datetime.fromisoformat(body.pop("period_end").replace("Z", "+00:00"))
    start = datetime.fromisoformat(body.pop("period_start").replace("Z", "+00:00"))
    assert end - start == timedelta(days=30)
    assert body == {
        "conversation_credits": None,
        "period_credits": 760,
        "free_tier_credits": 2000,
        "remaining_credits": 1240,
        "period_label": "Past 30 days",
        "conversation_start": None,
        "product": None,
        "message": "## PostHog AI usage\n\n"
        "**Past 30 days**: 760 credits\n\n"
        "**Free tier limit**: 2,000 credits\n\n"
        "**Past 30 days usage**: [████████░░░░░░░░░░░░] 38% of free tier\n\n"
        "**Remaining**: 1,240 credits\n\n\n"
        "_Past 30 days is rolling usage for this project because billing period information is "
        "unavailable._\n"
        "_Note: Usage data depends on AI trace ingestion and may lag slightly behind real-time "
        "activity._",
    }


def test_ai_usage_of_a_conversation_and_a_product(fresh_api: Api) -> None:
    cid = str(uuid.uuid4())
    _open(fresh_api, cid, content="one")
    _open(fresh_api, cid, content="two")
    created = fresh_api.sb.store.one("SELECT created_at FROM conversations WHERE id = ?", (cid,))
    assert created is not None
    body = fresh_api.get(f"ai_usage/?conversation_id={cid}&product=posthog_ai").json()
    assert (body["conversation_credits"], body["period_credits"], body["remaining_credits"]) == (
        6,
        766,
        1234,
    )
    assert body["conversation_start"] == created["created_at"]
    assert body["product"] == {"name": "PostHog AI", "credits": 6, "separate_bucket": False}
    since = datetime.fromisoformat(created["created_at"].replace("Z", "+00:00"))
    assert body["message"] == (
        "## PostHog AI usage\n\n"
        "**Current conversation**: 6 credits\n\n"
        "**PostHog AI in the past 30 days**: 6 credits\n\n"
        "**Past 30 days**: 766 credits\n\n"
        "**Free tier limit**: 2,000 credits\n\n"
        "**Past 30 days usage**: [████████░░░░░░░░░░░░] 38% of free tier\n\n"
        "**Remaining**: 1,234 credits\n\n"
        f"_Conversation since_: {since.strftime('%Y-%m-%d %H:%M')} UTC\n\n\n" + USAGE_NOTE
    )
    slack = fresh_api.get("ai_usage/?product=slack_app").json()["product"]
    assert slack == {"name": "Slack app", "credits": 0, "separate_bucket": False}
    for product in ("posthog_code", "no_such_product"):
        assert fresh_api.get(f"ai_usage/?product={product}").json()["product"] is None
    seeded = fresh_api.get(f"ai_usage/?conversation_id={SANDBOX_RUNTIME_CONVERSATION}").json()
    assert seeded["conversation_credits"] == 3  # its one finished turn
    unknown = fresh_api.get(f"ai_usage/?conversation_id={uuid.uuid4()}").json()
    assert (unknown["conversation_credits"], unknown["conversation_start"]) == (0, None)
    bad = fresh_api.get("ai_usage/?conversation_id=not-a-uuid")
    assert (bad.status_code, bad.json()) == (
        400,
        {
            "type": "validation_error",
            "code": "invalid_input",
            "detail": "Must be a valid UUID.",
            "attr": "conversation_id",
        },
    )


BAD_VALUES: list[Any] = [None, 7, 1.5, "x", [1, "a"], {"k": 1}, True, 10**20]


def _sweep(api: Api, path: Any, base: dict[str, Any]) -> int:
    """Each field of ``base`` replaced by each wrong-typed value (and the body itself):
    never a 5xx, and a 400 names the field it changed (or one inside it)."""
    sent = 0
    for bad in BAD_VALUES:
        bodies: list[tuple[Any, str | None]] = [(bad, None)]
        bodies += [({**base, name: bad}, name) for name in base]
        for body, field in bodies:
            got = api.post(path(), json=body)
            sent += 1
            seen = (body, got.status_code, got.text[:300])
            assert got.status_code < 500, seen
            assert api.sb.api_key not in got.text, seen
            attr = got.json().get("attr") if got.status_code == 400 else None
            if field is not None and attr is not None:
                assert f"{attr}__".startswith(f"{field}__"), seen
    return sent


def test_wrong_typed_values_in_open_and_command_bodies_are_400_never_500(fresh_api: Api) -> None:
    opened = {
        "content": "hi",
        "trace_id": str(uuid.uuid4()),
        "attached_context": [{"type": "text", "value": "v"}],
        "initial_permission_mode": "auto",
        "task_id": SANDBOX_RUNTIME_TASK,
    }
    sent = _sweep(fresh_api, lambda: f"conversations/{uuid.uuid4()}/open/", opened)
    handle = _open(fresh_api, str(uuid.uuid4()), content="start").json()
    run = f"tasks/{handle['task_id']}/runs/{handle['run_id']}/"
    command = {"jsonrpc": "2.0", "method": "user_message", "params": {"content": "hi"}, "id": 1}
    sent += _sweep(fresh_api, lambda: run + "command/", command)
    assert sent == 8 * 6 + 8 * 5  # (the body + each field) x each wrong value, both bodies
    # literal answers for a few of them
    assert _open(fresh_api, str(uuid.uuid4()), trace_id=None).json() == {
        "type": "validation_error",
        "code": "null",
        "detail": "This field may not be null.",
        "attr": "trace_id",
    }
    nested = _open(fresh_api, str(uuid.uuid4()), attached_context=[7]).json()
    assert (nested["attr"], nested["detail"]) == (
        "attached_context__0__non_field_errors",
        "Invalid data. Expected a dictionary, but got int.",
    )
    assert _command(fresh_api, run, jsonrpc="2.0", method="cancel", id=True).json()["result"] == {
        "cancelled": True
    }
