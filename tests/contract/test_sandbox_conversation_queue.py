"""The conversation message queue, cancel on idle and the AI-credit quota (contract §16;
PostHog ee/api/conversation.py ``queue``/``queue_item``/``clear_queue``, ee/hogai/queue.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conftest import Api, parse_sse
from envnb.sandbox import Sandbox

FULL = {"error": "queue_full", "detail": "Only two messages can be queued at a time."}
QUOTA = {
    "type": "server_error",
    "code": "quota_limit_exceeded",
    "detail": "Your organization reached its AI credit usage limit. Increase the limits in "
    "Billing settings, or ask an org admin to do so.",
    "attr": None,
}
QUEUE_FIELDS = [
    "id",
    "content",
    "created_at",
    "contextual_tools",
    "ui_context",
    "billing_context",
    "agent_mode",
    "session_id",
]


def _body(content: str | None, conversation: str, **extra: Any) -> dict[str, Any]:
    return {
        "content": content,
        "conversation": conversation,
        "trace_id": str(uuid.uuid4()),
        **extra,
    }


def _own(api: Api) -> str:
    return str(api.get("conversations/").json()["results"][0]["id"])


@pytest.fixture
def slow() -> Iterator[Sandbox]:
    """Replies that take seconds, so a message can be queued while one runs."""
    with Sandbox(stream_delay=0.03, words_per_frame=2, conversations=40) as sb:
        yield sb


def test_queue_add_list_edit_remove_clear(fresh_api: Api) -> None:
    # PostHog: ConversationViewSet.queue / queue_item / clear_queue.
    cid = _own(fresh_api)
    url = f"conversations/{cid}/queue/"
    assert fresh_api.get(url).json() == {"messages": [], "max_queue_messages": 2}
    first = fresh_api.post(url, json={"content": "first", "agent_mode": "sql"})
    assert first.status_code == 200
    [item] = first.json()["messages"]
    assert list(item) == QUEUE_FIELDS
    assert (item["content"], item["agent_mode"], item["contextual_tools"]) == ("first", "sql", None)
    second = fresh_api.post(url, json={"content": "second"}).json()["messages"]
    assert [m["content"] for m in second] == ["first", "second"]
    third = fresh_api.post(url, json={"content": "third"})
    assert (third.status_code, third.json()) == (409, FULL)
    edited = fresh_api.patch(f"{url}{item['id']}/", json={"content": "first, edited"})
    assert [m["content"] for m in edited.json()["messages"]] == ["first, edited", "second"]
    removed = fresh_api.request("DELETE", f"{url}{item['id']}/")
    assert [m["content"] for m in removed.json()["messages"]] == ["second"]
    gone = fresh_api.request("DELETE", f"{url}{item['id']}/")
    assert (gone.status_code, gone.json()) == (404, {"detail": "Queue message not found."})
    missing = fresh_api.patch(f"{url}nope/", json={"content": "x"})
    assert (missing.status_code, missing.json()) == (404, {"detail": "Queue message not found."})
    cleared = fresh_api.post(f"{url}clear/")
    assert cleared.json() == {"messages": [], "max_queue_messages": 2}


@pytest.mark.parametrize(
    ("body", "attr", "code", "detail"),
    [
        ({}, "content", "required", "This field is required."),
        ({"content": "   "}, "content", "blank", "This field may not be blank."),
        ({"content": None}, "content", "null", "This field may not be null."),
        ({"content": ["a"]}, "content", "invalid_input", "Not a valid string."),
        (
            {"content": "x" * 40001},
            "content",
            "max_length",
            "Ensure this field has no more than 40000 characters.",
        ),
        (
            {"content": "x", "contextual_tools": [1]},
            "contextual_tools",
            "not_a_dict",
            'Expected a dictionary of items but got type "list".',
        ),
        (
            {"content": "x", "agent_mode": "nope"},
            "agent_mode",
            "invalid_choice",
            '"nope" is not a valid choice.',
        ),
    ],
)
def test_queue_post_validation(
    api: Api, body: dict[str, Any], attr: str, code: str, detail: str
) -> None:
    response = api.post(f"conversations/{_own(api)}/queue/", json=body)
    assert response.status_code == 400
    expected = {"type": "validation_error", "code": code, "detail": detail, "attr": attr}
    assert response.json() == expected


def test_queue_is_the_owners_only(api: Api, sandbox: Sandbox) -> None:
    other = api.get(f"conversations/{sandbox.other_user_conversation()}/queue/")
    assert (other.status_code, other.json()) == (
        403,
        {"error": "Cannot access other users' conversations"},
    )
    missing = api.post(f"conversations/{uuid.uuid4()}/queue/clear/")
    assert (missing.status_code, missing.json()) == (404, {"error": "Conversation not found"})


def test_a_queued_message_is_answered_when_the_reply_ends(slow: Sandbox) -> None:
    api = Api(slow)
    cid = str(uuid.uuid4())
    with api.http.stream(
        "POST", api.url("conversations/"), json=_body("lorem 400", cid)
    ) as response:
        chunks = response.iter_bytes()
        next(chunks)  # the reply has started
        queued = api.post(f"conversations/{cid}/queue/", json={"content": "lorem 300"})
        assert [m["content"] for m in queued.json()["messages"]] == ["lorem 300"]
        first = parse_sse(b"".join(chunks))
    assert first[-1].event == "conversation"
    # The queued turn was registered before that reply's log closed: follow it.
    followed = api.post("conversations/", json=_body(None, cid))
    frames = parse_sse(followed.content)
    assert frames[0].data["status"] == "in_progress"
    assert frames[2].event == "message" and frames[2].data["type"] == "human"
    assert frames[2].data["content"] == "lorem 300"
    assert len(frames[-2].data["content"].split()) == 300
    assert frames[-1].data["status"] == "idle"
    assert api.get(f"conversations/{cid}/queue/").json()["messages"] == []
    stored = api.get(f"conversations/{cid}/").json()["messages"]
    assert [m["content"] for m in stored if m["type"] == "human"] == ["lorem 400", "lorem 300"]
    assert slow.stats()["writes"]["conversation.message"] == 2


def test_cancel_on_idle_with_nothing_running_is_a_204_that_stops_nothing(fresh_api: Api) -> None:
    cid = _own(fresh_api)
    assert fresh_api.patch(f"conversations/{cid}/cancel/").status_code == 204
    assert fresh_api.sb.stats()["writes"].get("conversation.cancel", 0) == 0


def test_cancel_stops_the_queued_turn(slow: Sandbox) -> None:
    api = Api(slow)
    cid = str(uuid.uuid4())
    with api.http.stream(
        "POST", api.url("conversations/"), json=_body("lorem 300", cid)
    ) as response:
        chunks = response.iter_bytes()
        next(chunks)
        api.post(f"conversations/{cid}/queue/", json={"content": "lorem 2000"})
        b"".join(chunks)
    # The queued turn took over when the first reply ended: cancel stops it (PostHog's cancel
    # short-circuits only while CANCELING, since an idle-looking conversation may be starting
    # a queued turn; in the sandbox the hand-over sets in_progress at once).
    assert api.patch(f"conversations/{cid}/cancel/").status_code == 204
    assert slow.stats()["writes"]["conversation.cancel"] == 1
    followed = parse_sse(api.post("conversations/", json=_body(None, cid)).content)
    assert followed[-1].event == "message"  # stopped: no final conversation frame
    assert not any(f.data.get("id") and f.data.get("type") == "ai" for f in followed[3:])


def test_quota_402_before_anything_else(fresh_sandbox: Sandbox) -> None:
    api = Api(fresh_sandbox)
    fresh_sandbox.ai_credits_exhausted = True
    for body in (_body("hi", str(uuid.uuid4())), {"content": ["not even valid"]}):
        response = api.post("conversations/", json=body)
        assert (response.status_code, response.json()) == (402, QUOTA)
    # The queue is not a message POST: PostHog does not gate it.
    assert api.post(f"conversations/{_own(api)}/queue/", json={"content": "x"}).status_code == 200
    fresh_sandbox.ai_credits_exhausted = False
    assert api.chat("hi")[0].status_code == 200


BAD_VALUES: list[Any] = [None, 7, 1.5, "x", [1, "a"], {"k": 1}, True, 10**20]


def test_wrong_typed_values_in_conversation_bodies_are_400_never_500(fresh_api: Api) -> None:
    """Every field of every conversation body, every JSON type: a 4xx naming the field."""
    cid = _own(fresh_api)
    queued = fresh_api.post(f"conversations/{cid}/queue/", json={"content": "q"}).json()
    qid = queued["messages"][0]["id"]
    bodies = {
        ("POST", "conversations/"): _body("hi", cid, is_sandbox=False, agent_mode="sql"),
        ("POST", f"conversations/{cid}/queue/"): {
            "content": "x",
            "contextual_tools": {},
            "ui_context": {},
            "billing_context": {},
            "agent_mode": "sql",
        },
        ("PATCH", f"conversations/{cid}/queue/{qid}/"): {"content": "x"},
        ("POST", f"conversations/{cid}/append_message/"): {"content": "x"},
    }
    checked = 0
    for (method, path), base in bodies.items():
        for bad in BAD_VALUES:
            for name, body in [(None, bad), *((name, {**base, name: bad}) for name in base)]:
                response = fresh_api.request(method, path, json=body)
                checked += 1
                assert response.status_code < 500, (method, path, body, response.text)
                if response.status_code == 400 and name is not None:
                    # The one wrong field is the one named (or a non-field rule answered).
                    attr = response.json().get("attr")
                    assert attr in (None, name), (path, body, response.text)
                # Keep only the first queued message, so a good body never meets a full queue.
                for message in fresh_api.get(f"conversations/{cid}/queue/").json()["messages"]:
                    if message["id"] != qid:
                        fresh_api.request("DELETE", f"conversations/{cid}/queue/{message['id']}/")
    assert checked > 100


def test_a_wrong_type_names_the_field(api: Api) -> None:
    cid = _own(api)
    checks: list[tuple[str, dict[str, Any], str]] = [
        ("conversations/", _body("hi", cid, is_sandbox=[1]), "is_sandbox"),
        ("conversations/", _body(["hi"], cid), "content"),
        (f"conversations/{cid}/queue/", {"content": {"a": 1}}, "content"),
        (f"conversations/{cid}/queue/", {"content": "x", "agent_mode": 3}, "agent_mode"),
    ]
    for path, body, attr in checks:
        response = api.post(path, json=body)
        assert response.status_code == 400, response.text
        assert response.json()["attr"] == attr


def test_queue_routes_in_the_openapi_document(api: Api) -> None:
    doc = httpx.get(f"{api.sb.url}/api/schema/").json()
    base = "/api/projects/{project_id}/conversations/{id}/queue/"
    assert set(doc["paths"][base]) >= {"get", "post"}
    assert set(doc["paths"][base + "{queue_id}/"]) >= {"patch", "delete"}
    assert "post" in doc["paths"][base + "clear/"]
