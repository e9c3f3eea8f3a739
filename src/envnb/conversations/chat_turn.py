"""One policy for a chat turn that goes wrong, shared by ``ChatCell`` and ``%%chat``.

The front ends keep only their rendering and their way of waiting (an asyncio task, or a
blocking cell); what to do is decided here, from what happened, without I/O.

Rule 1 (busy conversation): a 409 before any event of this turn, right after the user's own
Stop, means the stopped reply is still winding down — PostHog keeps the conversation
"canceling" until its workflow ends. A 409 stores nothing, so the same question is sent
again after 0.2, 0.4, 0.8 and 1.6 s; after that the conflict is shown. A 409 without the
user's Stop means another reply is running (perhaps this very question, sent before and
whose answer was lost): it is shown, and the question is not sent.
Rule 2 (lost answer): any other error — or any error once events arrived — is shown as is.
The question may have been stored, so it is never sent again automatically; when it may
have been (:meth:`ChatTurnPolicy.may_be_stored`), the next Send in the conversation asks
PostHog first (``stream(check_first=True)``) and sends only what PostHog does not have.
Rule 3 (Stop): the front end stops reading at once, then sends ``cancel``;
:meth:`ChatTurnPolicy.after_cancel` says what to show: confirmed (or 404: the server never
had the question) → stopped; any other error → stopped here, not confirmed by the server.

To add a rule, give ``on_error`` (or a new method) a branch that returns one of the
decisions below (or a new decision class the front ends then handle), and test it in
``tests/unit/test_chat_turn.py`` without a server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .._core.retry import MAYBE_APPLIED
from ..errors import APIConnectionError, ConflictError, EnvnbError, NotFoundError, StreamError

BUSY_RETRY_WAITS = (0.2, 0.4, 0.8, 1.6)


@dataclass(frozen=True)
class SendAgain:
    """Send the same question again after ``wait`` seconds, showing ``status`` meanwhile."""

    wait: float
    status: str = "The previous reply is still stopping; retrying…"


@dataclass(frozen=True)
class Show:
    """Stop here and show ``message`` (``error``: as an error)."""

    message: str
    error: bool = True


BUSY = (
    "PostHog AI is still answering an earlier message in this conversation, so this one was "
    "not sent; wait for that reply (or press Stop) and send again"
)
MAYBE_STORED = (
    " — send it again to check: envnb asks PostHog first and sends it only if PostHog does "
    "not have it"
)


class ChatTurnPolicy:
    """Decisions for one turn (one question); make a new one per question."""

    def __init__(
        self,
        busy_waits: Sequence[float] = BUSY_RETRY_WAITS,
        *,
        stopped_before: bool = False,
        check_first: bool = False,
    ) -> None:
        """``busy_waits``: the pauses before each re-send of Rule 1, in seconds;
        ``stopped_before``: the user pressed Stop on the turn before this one;
        ``check_first``: the turn before may have stored this question (Rule 2)."""
        self._waits = list(busy_waits)
        self._stopped_before = stopped_before
        self.check_first = check_first

    def on_error(self, err: EnvnbError, *, events_seen: bool) -> SendAgain | Show:
        """What to do after ``err``; ``events_seen``: the turn had yielded any event."""
        if isinstance(err, ConflictError) and not events_seen:
            if not self._stopped_before:
                return Show(BUSY)
            if self._waits:
                return SendAgain(self._waits.pop(0))
        if self.may_be_stored(err):
            return Show(str(err) + MAYBE_STORED)
        return Show(str(err))

    @staticmethod
    def may_be_stored(err: EnvnbError) -> bool:
        """True when ``err`` leaves it open whether PostHog stored the question (Rule 2)."""
        if isinstance(err, StreamError):
            return True
        return isinstance(err, APIConnectionError) and MAYBE_APPLIED in str(err)

    def after_cancel(self, err: EnvnbError | None) -> Show:
        """What to show once ``cancel`` was answered (``err``: None when it succeeded)."""
        if err is None or isinstance(err, NotFoundError):
            return Show("Stopped.", error=False)
        return Show(f"Stopped here, but the server did not confirm: {err}")
