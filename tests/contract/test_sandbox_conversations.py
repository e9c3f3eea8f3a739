"""Conversations in the sandbox: list/retrieve, the SSE stream event by event, cancel,
resume, conflicts, append_message and the responder's intents."""

from __future__ import annotations

import itertools
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conftest import Api, Frame, parse_sse
from envnb.sandbox import Sandbox


def _wait(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def _frames(response: httpx.Response) -> Iterator[tuple[bytes, Frame]]:
    """Frames as they arrive: (raw bytes, parsed)."""
    buffer = b""
    for chunk in response.iter_bytes():
        buffer += chunk
        while b"\n\n" in buffer:
            raw, buffer = buffer.split(b"\n\n", 1)
            yield raw + b"\n\n", parse_sse(raw + b"\n\n")[0]


@pytest.fixture
def slow() -> Iterator[Sandbox]:
    """A sandbox whose replies take a while, so tests can act mid-stream."""
    with Sandbox(stream_delay=0.03, words_per_frame=2) as sb:
        yield sb


def _body(content: str | None, conversation: str) -> dict[str, Any]:
    return {"content": content, "conversation": conversation, "trace_id": str(uuid.uuid4())}


def test_list_shows_own_titled_conversations_minimal(
    fresh_api: Api, fresh_sandbox: Sandbox
) -> None:
    api, sandbox = fresh_api, fresh_sandbox  # counts the seeded rows
    page = api.get("conversations/").json()
    assert page["count"] == 40
    row = page["results"][0]
    assert set(row) >= {"id", "status", "title", "created_at", "updated_at", "type", "user"}
    # The newest list fields (contract §16): no topic is set, a langgraph conversation has no task.
    assert (row["topic"], row["task"]) == (None, None)
    assert "messages" not in row
    assert all(r["user"]["id"] == 1 and r["title"] for r in page["results"])
    other = sandbox.other_user_conversation()
    assert other not in {r["id"] for r in page["results"]}


def test_retrieve_has_realistic_history(fresh_api: Api) -> None:
    api = fresh_api  # the latest conversation must be a seeded one
    first = api.get("conversations/", params={"limit": 1}).json()["results"][0]
    full = api.get(f"conversations/{first['id']}/").json()
    types = [m["type"] for m in full["messages"]]
    assert types == ["human", "ai/reasoning", "ai", "tool", "ai"]
    call = full["messages"][2]["tool_calls"][0]
    assert call["type"] == "tool_call" and full["messages"][3]["tool_call_id"] == call["id"]
    assert all(m["id"] for m in full["messages"])
    again = api.get(f"conversations/{first['id']}").json()
    assert again == full  # histories are generated deterministically


def test_any_member_can_read_another_users_conversation(api: Api, sandbox: Sandbox) -> None:
    other = sandbox.other_user_conversation()
    response = api.get(f"conversations/{other}/")
    assert response.status_code == 200 and response.json()["user"]["id"] == 2


def test_missing_conversation_404(api: Api) -> None:
    response = api.get(f"conversations/{uuid.uuid4()}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_stream_frames_in_posthog_order(fresh_api: Api) -> None:
    response, frames = fresh_api.chat("which batch exports are paused?")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert frames[0].event == "conversation"
    assert frames[0].data["title"] is None and frames[0].data["status"] == "in_progress"
    assert frames[1] == Frame("status", {"type": "ack"})
    human = frames[2]
    assert human.event == "message" and human.data["type"] == "human"
    assert human.data["content"] == "which batch exports are paused?" and human.data["id"]
    reasoning, call, update, tool = frames[3:7]
    assert reasoning.data["type"] == "ai/reasoning" and reasoning.data["id"]
    assert call.data["type"] == "ai" and call.data["id"]
    tool_call = call.data["tool_calls"][0]
    assert set(tool_call) == {"id", "name", "args", "type"} and tool_call["type"] == "tool_call"
    assert update.event == "update"
    assert update.data["tool_call_id"] == tool_call["id"] and update.data["id"] == call.data["id"]
    assert tool.data["type"] == "tool" and tool.data["tool_call_id"] == tool_call["id"]
    partials = frames[7:-2]
    assert len(partials) >= 2
    assert all(f.event == "message" and "id" not in f.data for f in partials)
    texts = [f.data["content"] for f in partials]
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(texts))
    final = frames[-2]
    assert final.data["type"] == "ai" and final.data["id"]
    assert final.data["content"] == texts[-1] or final.data["content"].startswith(texts[-1])
    last = frames[-1]
    assert last.event == "conversation" and last.data["title"] and last.data["status"] == "idle"
    # the reply answers from the sandbox's own data
    paused = [r["name"] for r in fresh_api.get("batch_exports/").json()["results"] if r["paused"]]
    assert all(name in final.data["content"] for name in paused)
    # paused-since times read as a person writes them: to the second, in UTC
    stamps = re.findall(r"\| (\d{4}-\d\d-\d\d[^|]*?) \|", final.data["content"])
    assert stamps
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", t) for t in stamps), stamps
    assert fresh_api.sb.stats()["writes"]["conversation.message"] == 1


def test_message_frames_omit_null_fields(fresh_api: Api) -> None:
    response, _ = fresh_api.chat("hello")
    for block in response.text.split("\n\n"):
        if block.startswith("event: message"):
            assert "null" not in block


def test_lorem_n_gives_exactly_n_words(fresh_api: Api) -> None:
    _, frames = fresh_api.chat("lorem 57")
    final = frames[-2].data
    assert final["id"] and len(final["content"].split()) == 57


def test_how_many_conversations_this_week(fresh_api: Api) -> None:
    stamps = [r["created_at"] for r in fresh_api.get("conversations/").json()["results"]]
    _, frames = fresh_api.chat("How many conversations this week?")
    reply = frames[-2].data["content"]
    since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 7 * 86400))
    assert f"**{sum(s >= since for s in stamps)}**" in reply


def test_help_reply_for_anything_else(fresh_api: Api) -> None:
    _, frames = fresh_api.chat("what's the weather?")
    assert "lorem N" in frames[-2].data["content"]


def test_conversation_appears_with_title_after_reply(fresh_api: Api) -> None:
    conversation = str(uuid.uuid4())
    fresh_api.chat("Tell me about exports and destinations", conversation)
    got = fresh_api.get(f"conversations/{conversation}/").json()
    assert got["title"] == "Tell me about exports and destinations"
    assert [m["type"] for m in got["messages"]] == ["human", "ai/reasoning", "ai", "tool", "ai"]
    assert fresh_api.get("conversations/").json()["results"][0]["id"] == conversation
    # a follow-up keeps the title and appends to the history
    response, frames = fresh_api.chat("lorem 3", conversation)
    assert response.status_code == 200
    assert frames[0].data["title"] == got["title"]
    assert len(fresh_api.get(f"conversations/{conversation}/").json()["messages"]) == 10


def test_in_progress_conversation_404_then_409_then_done(slow: Sandbox) -> None:
    api = Api(slow)
    conversation = str(uuid.uuid4())
    with api.http.stream(
        "POST", api.url("conversations/"), json=_body("lorem 60", conversation)
    ) as response:
        frames = _frames(response)
        next(frames)
        assert api.get(f"conversations/{conversation}/").status_code == 404
        assert conversation not in {r["id"] for r in api.get("conversations/").json()["results"]}
        busy = api.post("conversations/", json=_body("another", conversation))
        assert busy.status_code == 409
        assert busy.content == (
            b'{"type":"server_error","code":"conflict",'
            b'"detail":"Cannot resume streaming with a new message","attr":null}'
        )
        rest = [frame for _, frame in frames]
    assert rest[-1].event == "conversation" and rest[-1].data["title"] == "lorem 60"
    assert api.get(f"conversations/{conversation}/").status_code == 200


def test_resume_replays_then_follows_live(slow: Sandbox) -> None:
    api = Api(slow)
    conversation = str(uuid.uuid4())
    with api.http.stream(
        "POST", api.url("conversations/"), json=_body("lorem 80", conversation)
    ) as response:
        seen = []
        for raw, _ in _frames(response):
            seen.append(raw)
            if len(seen) == 9:
                break  # the client goes away mid-reply
    resumed = api.post("conversations/", json=_body(None, conversation))
    assert resumed.status_code == 200
    raws = [block + b"\n\n" for block in resumed.content.split(b"\n\n") if block]
    assert raws[:9] == seen  # the replay starts from the very first frame
    frames = parse_sse(resumed.content)
    assert frames[-1].event == "conversation" and frames[-2].data["id"]
    assert len(frames[-2].data["content"].split()) == 80
    assert slow.stats()["writes"]["conversation.message"] == 1  # resume stored nothing new


def test_resume_rules(fresh_api: Api, sandbox: Sandbox) -> None:
    idle = fresh_api.get("conversations/").json()["results"][0]["id"]
    response = fresh_api.post("conversations/", json=_body(None, idle))
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": "Cannot continue streaming from an idle conversation",
        "attr": None,
    }
    unknown = fresh_api.post("conversations/", json=_body(None, str(uuid.uuid4())))
    assert unknown.status_code == 400
    assert unknown.json() == {"error": "Cannot stream from non-existent conversation"}
    other = fresh_api.sb.other_user_conversation()
    foreign = fresh_api.post("conversations/", json=_body("hi", other))
    assert foreign.status_code == 400
    assert foreign.json() == {"error": "Cannot access other users' conversations"}


def test_cancel_stops_the_reply(slow: Sandbox) -> None:
    api = Api(slow)
    conversation = str(uuid.uuid4())
    with api.http.stream(
        "POST", api.url("conversations/"), json=_body("lorem 200", conversation)
    ) as response:
        frames = []
        for _, frame in _frames(response):
            frames.append(frame)
            if len(frames) == 9:
                cancel = api.patch(f"conversations/{conversation}/cancel/")
                assert cancel.status_code == 204 and cancel.content == b""
                assert api.patch(f"conversations/{conversation}/cancel/").status_code == 204
    # the stream ended without the final message or the titled conversation event
    assert not any(
        f.data.get("type") == "ai" and "id" in f.data and f.data["content"] for f in frames
    )
    _wait(lambda: slow.conversation_status(conversation) == "idle")
    assert api.patch(f"conversations/{conversation}/cancel/").status_code == 204
    assert slow.stats()["writes"]["conversation.cancel"] == 1
    # idle again: a new message is accepted
    again = api.post("conversations/", json=_body("lorem 2", conversation))
    assert again.status_code == 200


def test_cancel_idle_is_204_and_others_404(api: Api, sandbox: Sandbox) -> None:
    idle = api.get("conversations/").json()["results"][0]["id"]
    assert api.patch(f"conversations/{idle}/cancel/").status_code == 204
    other = sandbox.other_user_conversation()
    assert api.patch(f"conversations/{other}/cancel/").status_code == 404
    assert api.patch(f"conversations/{uuid.uuid4()}/cancel/").status_code == 404


def test_append_message(fresh_api: Api) -> None:
    conversation = fresh_api.get("conversations/").json()["results"][0]["id"]
    response = fresh_api.post(
        f"conversations/{conversation}/append_message/", json={"content": "Noted."}
    )
    assert response.status_code == 201
    message_id = response.json()["id"]
    uuid.UUID(message_id)
    messages = fresh_api.get(f"conversations/{conversation}/").json()["messages"]
    assert messages[-1] == {"type": "ai", "content": "Noted.", "id": message_id}
    assert fresh_api.sb.stats()["writes"]["conversation.append"] == 1
    too_long = fresh_api.post(
        f"conversations/{conversation}/append_message/", json={"content": "x" * 10001}
    )
    assert too_long.status_code == 400 and too_long.json()["code"] == "max_length"
    other = fresh_api.sb.other_user_conversation()
    assert (
        fresh_api.post(f"conversations/{other}/append_message/", json={"content": "x"}).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"conversation": "c", "trace_id": "t"}, "content", "required"),
        ({"content": "hi", "trace_id": "t"}, "conversation", "required"),
        (
            {"content": "hi", "conversation": "not-a-uuid", "trace_id": "t"},
            "conversation",
            "invalid_input",
        ),
        ({"content": "x" * 40001, "conversation": "c", "trace_id": "t"}, "content", "max_length"),
        (
            {"content": "hi", "conversation": "c", "trace_id": "t", "agent_mode": "chaos"},
            "agent_mode",
            "invalid_input",
        ),
    ],
)
def test_create_validation(api: Api, body: dict[str, Any], attr: str, code: str) -> None:
    filled = {k: (str(uuid.uuid4()) if v in ("c", "t") else v) for k, v in body.items()}
    response = api.post("conversations/", json=filled)
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert (response.json()["attr"], response.json()["code"]) == (attr, code)


def test_canary_seeds_hostile_strings() -> None:
    with Sandbox(canary=True) as sb:
        api = Api(sb)
        titles = " ".join(r["title"] for r in api.get("conversations/").json()["results"])
        names = " ".join(r["name"] for r in api.get("batch_exports/").json()["results"])
        assert "<script>" in titles or "<img" in titles
        assert "<img" in names
        first = api.get("conversations/", params={"limit": 1}).json()["results"][0]
        contents = [
            m["content"] for m in api.get(f"conversations/{first['id']}/").json()["messages"]
        ]
        assert any("<" in c for c in contents)


def test_keepalive_comments_during_silence() -> None:
    with Sandbox(stream_delay=0.25, keepalive=0.05) as sb:
        response, frames = Api(sb).chat("lorem 3")
        assert b"\n: keepalive\n\n" in response.content
        assert frames[-1].event == "conversation"  # comments are not events
