"""The chat-turn policy: what ChatCell and %%chat do on 409, after Stop, after a lost answer."""

from __future__ import annotations

from envnb.conversations.chat_turn import ChatTurnPolicy, SendAgain, Show
from envnb.errors import (
    APIConnectionError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    StreamError,
)


def _conflict() -> ConflictError:
    return ConflictError(status=409, detail="Conversation is already in progress.")


def test_busy_conversation_after_the_users_stop_is_sent_again_four_times_then_shown() -> None:
    policy = ChatTurnPolicy(stopped_before=True)
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
    decision = ChatTurnPolicy(stopped_before=True).on_error(_conflict(), events_seen=True)
    assert decision == Show("409: Conversation is already in progress.")


def test_a_conflict_without_the_users_stop_is_never_sent_again() -> None:
    # Issue 10 #4: the busy-retry re-sent a question whose first answer was lost, and it
    # was stored twice. Only the user's own Stop explains a 409 that sending again can fix.
    decision = ChatTurnPolicy().on_error(_conflict(), events_seen=False)
    assert decision == Show(
        "PostHog AI is still answering an earlier message in this conversation, so this one "
        "was not sent; wait for that reply (or press Stop) and send again"
    )


def test_a_lost_answer_is_shown_not_sent_again_and_the_next_send_asks_first() -> None:
    policy = ChatTurnPolicy()
    lost = APIConnectionError(
        "connection failed: ReadError — the server may have applied it; check before "
        "sending it again"
    )
    assert policy.on_error(lost, events_seen=False) == Show(
        "connection failed: ReadError — the server may have applied it; check before sending "
        "it again — send it again to check: envnb asks PostHog first and sends it only if "
        "PostHog does not have it"
    )
    broken = StreamError("the stream broke and could not be resumed")
    assert policy.may_be_stored(broken) and policy.may_be_stored(lost)
    refused = APIConnectionError("connection failed: ConnectError")  # nothing left the machine
    assert not policy.may_be_stored(refused)
    assert policy.on_error(refused, events_seen=False) == Show("connection failed: ConnectError")


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
    policy = ChatTurnPolicy(busy_waits=(0.01,), stopped_before=True)
    assert policy.on_error(_conflict(), events_seen=False) == SendAgain(0.01)
    assert isinstance(policy.on_error(_conflict(), events_seen=False), Show)
