"""StreamAssembler: replace-not-append, ids, replays after resume, failures."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from envnb.conversations.models import (
    ConversationEvent,
    MessageEvent,
    StatusEvent,
    UpdateEvent,
    parse_event,
)
from envnb.conversations.streaming import StreamAssembler


def _ev(name: str, data: dict[str, Any]) -> Any:
    return parse_event(name, data)


TURN = [
    _ev("conversation", {"id": "c1", "status": "in_progress", "title": None}),
    _ev("status", {"type": "ack"}),
    _ev("message", {"type": "human", "content": "hi", "id": "h1"}),
    _ev("message", {"type": "ai/reasoning", "content": "Thinking", "id": "r1"}),
    _ev(
        "message",
        {
            "type": "ai",
            "content": "",
            "id": "a0",
            "tool_calls": [{"id": "t1", "name": "search", "args": {}, "type": "tool_call"}],
        },
    ),
    _ev("update", {"id": "u1", "tool_call_id": "t1", "content": "searching"}),
    _ev("message", {"type": "tool", "content": "found", "tool_call_id": "t1", "id": "tm1"}),
    _ev("message", {"type": "ai", "content": "Hello"}),
    _ev("message", {"type": "ai", "content": "Hello there"}),
    _ev("message", {"type": "ai", "content": "Hello there, friend", "id": "a1"}),
    _ev("conversation", {"id": "c1", "status": "idle", "title": "Greeting"}),
]


def _feed_all(asm: StreamAssembler, events: list[Any]) -> list[str]:
    kinds: list[str] = []
    for e in events:
        kinds.extend(c.kind for c in asm.feed(e))
    return kinds


def test_full_turn() -> None:
    asm = StreamAssembler()
    kinds = _feed_all(asm, TURN)
    assert asm.conversation_id == "c1"
    assert asm.title == "Greeting"
    assert asm.reply == "Hello there, friend"
    assert not asm.in_progress
    assert asm.finished
    assert [m.type for m in asm.messages] == ["human", "ai/reasoning", "ai", "tool", "ai"]
    assert kinds.count("message_started") == 1
    assert kinds.count("message_completed") == 5
    assert kinds[-1] == "conversation"


def test_in_progress_state() -> None:
    asm = StreamAssembler()
    _feed_all(asm, TURN[:9])
    assert asm.in_progress
    assert not asm.finished
    assert asm.reply == "Hello there"


def test_replay_after_resume_is_idempotent() -> None:
    asm = StreamAssembler()
    _feed_all(asm, TURN[:9])  # cut while "Hello there" is open
    before = [m.model_dump() for m in asm.messages]
    replay_changes = _feed_all(asm, TURN[:9])  # the server replays from the start
    assert replay_changes == []
    assert [m.model_dump() for m in asm.messages] == before
    _feed_all(asm, TURN[9:])
    assert asm.reply == "Hello there, friend"
    assert len(asm.messages) == 5


def test_replay_never_shows_shorter_text() -> None:
    asm = StreamAssembler()
    _feed_all(asm, TURN[:9])
    asm.feed(TURN[7])  # "Hello" again
    assert asm.reply == "Hello there"


def test_failure_message_and_generation_error() -> None:
    asm = StreamAssembler()
    asm.feed(MessageEvent(TURN[2].message))
    asm.feed(_ev("message", {"type": "ai/failure", "content": "Oops!", "id": "f1"}))
    assert asm.failed and asm.finished
    asm2 = StreamAssembler()
    asm2.feed(StatusEvent("generation_error"))
    assert asm2.failed


def test_reply_empty_until_ai_after_latest_human() -> None:
    asm = StreamAssembler()
    _feed_all(asm, TURN)
    asm.feed(_ev("message", {"type": "human", "content": "again", "id": "h2"}))
    assert asm.reply == ""
    assert not asm.finished


def test_unknown_message_type_kept_and_update_dedup() -> None:
    asm = StreamAssembler()
    changes = asm.feed(_ev("message", {"type": "ai/hologram", "id": "x", "depth": 3}))
    assert changes[0].kind == "message_completed"
    assert asm.messages[0].model_extra == {"depth": 3}
    upd = UpdateEvent("u", "t", "c")
    assert asm.feed(upd)[0].kind == "update"
    assert asm.feed(upd) == []


def test_conversation_event_any_time() -> None:
    asm = StreamAssembler()
    assert asm.feed(TURN[0])[0].kind == "conversation"
    assert asm.feed(TURN[0]) == []
    assert isinstance(TURN[-1], ConversationEvent)
    asm.feed(TURN[-1])
    assert asm.title == "Greeting"


def test_steps_on_the_way_are_not_a_finished_turn() -> None:
    for upto in (3, 4, 5, 7):  # after human, reasoning, tool-call ai, tool result
        asm = StreamAssembler()
        _feed_all(asm, TURN[:upto])
        assert not asm.finished, upto
    viz = StreamAssembler()
    _feed_all(viz, [*TURN[:3], _ev("message", {"type": "ai/viz", "id": "v", "answer": {}})])
    assert viz.finished


@given(st.integers(min_value=1, max_value=len(TURN) - 1))
def test_cut_anywhere_then_full_replay_equals_uncut(cut: int) -> None:
    whole = StreamAssembler()
    _feed_all(whole, TURN)
    resumed = StreamAssembler()
    _feed_all(resumed, TURN[:cut])
    _feed_all(resumed, TURN)  # the server replays the whole log after a resume
    assert [m.model_dump() for m in resumed.messages] == [m.model_dump() for m in whole.messages]
    assert resumed.reply == whole.reply and resumed.title == whole.title
