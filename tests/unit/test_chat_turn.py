"""The chat-turn policy: what ChatCell and %%chat do on 409, after Stop, after a lost answer."""

from __future__ import annotations

from envnb.chat_turn import ChatTurnPolicy, SendAgain, Show
from envnb.errors import (
    APIConnectionError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    StreamError,
)


def _conflict() -> ConflictError:
    return ConflictError(status=409, detail="Conversation is already in progress.")


def test_busy_conversation_is_sent_again_four_times_then_shown() -> None:
    policy = ChatTurnPolicy()
    waits = [policy.on_error(_conflict(), events_seen=False) for _ in range(4)]
    assert waits == [
        SendAgain(0.2, "The previous reply is still stopping; retrying…"),
        SendAgain(0.4, "The previous reply is still stopping; retrying…"),
        SendAgain(0.8, "The previous reply is still stopping; retrying…"),
        SendAgain(1.6, "The previous reply is still stopping; retrying…"),
    ]
    assert policy.on_error(_conflict(), events_seen=False) == Show(
        "409: Conversation is already in progress."
    )


def test_a_conflict_after_events_is_never_sent_again() -> None:
    decision = ChatTurnPolicy().on_error(_conflict(), events_seen=True)
    assert decision == Show("409: Conversation is already in progress.")


def test_a_lost_answer_is_shown_not_sent_again() -> None:
    policy = ChatTurnPolicy()
    lost = APIConnectionError("connection failed: ReadError — the server may have applied it")
    assert policy.on_error(lost, events_seen=False) == Show(
        "connection failed: ReadError — the server may have applied it"
    )
    broken = StreamError("the stream broke and could not be resumed")
    assert policy.on_error(broken, events_seen=True) == Show(
        "the stream broke and could not be resumed"
    )


def test_after_stop_what_the_cancel_answer_means() -> None:
    policy = ChatTurnPolicy()
    assert policy.after_cancel(None) == Show("Stopped.", error=False)
    # 404: stopped before the server had the question — nothing to cancel.
    assert policy.after_cancel(NotFoundError(status=404, detail="Not found.")) == Show(
        "Stopped.", error=False
    )
    denied = PermissionDeniedError(status=403, detail="You do not have permission.")
    assert policy.after_cancel(denied) == Show(
        "Stopped here, but the server did not confirm: 403: You do not have permission."
    )


def test_custom_waits() -> None:
    policy = ChatTurnPolicy(busy_waits=(0.01,))
    assert policy.on_error(_conflict(), events_seen=False) == SendAgain(0.01)
    assert isinstance(policy.on_error(_conflict(), events_seen=False), Show)
