"""ChatCell's part for what PostHog AI asks of the user: approvals and the message queue.

Rule 1 (approvals): a proposal the assistant waits on is shown with its tool name and its
escaped preview, and Approve / Reject buttons; a click streams the reply that acts on the
decision as a turn of its own (``conversations.decide``). The card goes once decided.
Rule 2 (queue): text sent while a turn runs is queued on the server (``enqueue``), listed as
"queued" with a Remove button, and answered after the running turn: the panel follows that
queued turn (``resume``) within the same turn action, so Stop stops it and ``wait()`` waits
for it. The very text being answered is not queued again (a double click on Send).
Rule 3: a turn that ends with a proposal pending clears the queue, as PostHog's own chat does
(the proposal must be decided first).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from ..conversations.proposals import PendingApproval, QueuedMessage
from ..errors import EnvnbError, QueueFullError
from ..render import escape, isolate
from ._transcript import note_html

if TYPE_CHECKING:
    from ._livechat import LiveTurn

CLEARED = "The queued messages were cleared: the assistant waits for your decision on its proposal."
# The client's QueueFullError names API calls; in the panel the way out is a Remove button.
QUEUE_FULL = (
    "Not queued: two messages already wait for this reply (PostHog keeps two). Wait for the "
    "reply to end, or Remove one; your text stays in the box."
)


def approval_html(approval: PendingApproval) -> str:
    """The card's text: what the assistant wants to run, in words (both escaped)."""
    tool = isolate(approval.tool_name or "a tool")
    return (
        "<div style='border-left:3px solid #d97706;padding:4px 8px;margin:4px 0'>"
        f"<b>Approval needed</b> — <code>{tool}</code><br>{escape(approval.preview or '')}</div>"
    )


def decide_hint(approvals: list[PendingApproval], conversation_id: str) -> str:
    """What a blocking ``%%chat`` cell says when the reply waits on a proposal (it has no
    buttons: the decision is a call)."""
    first = approvals[0]
    return (
        f"Approval needed: {first.tool_name} — {first.preview}. Decide with "
        f"client.conversations.approve({conversation_id!r}, {first.proposal_id!r}) "
        "(or .reject(…))."
    )


def queued_html(message: QueuedMessage) -> str:
    return f"<span style='opacity:.7'>queued:</span> {escape(message.content)}"


class ChatAsks:
    """The mixin: ChatCell provides ``aclient``, ``actions``, ``conversation_id``, the
    widgets and ``_stream``; this adds ``asks_box``, ``approvals``, ``queued``."""

    aclient: Any
    actions: Any
    conversation_id: str | None
    send_button: W.Button
    stop_button: W.Button
    _inputs: tuple[W.Widget, ...]
    _stream: Callable[..., Any]
    _set_status: Callable[..., None]
    _spawn: Callable[..., Any]

    def _init_asks(self) -> None:
        self.approvals: list[PendingApproval] = []  # pending proposals shown
        self.queued: list[QueuedMessage] = []  # this panel's view of the server queue
        self.asks_box = W.VBox()
        self._asking: str | None = None  # the question the running turn answers

    # ---- actions ---------------------------------------------------------------------

    def decide(self, proposal_id: str, approve: bool) -> Any:
        """Approve or reject a shown proposal and stream the reply that acts on it."""
        if self.conversation_id is None or self.actions:
            return None
        cid = self.conversation_id
        self.approvals = [a for a in self.approvals if a.proposal_id != proposal_id]
        self._render_asks()

        def opener() -> Any:
            return self.aclient.conversations.decide(cid, proposal_id, approve=approve)

        task = self.actions.start(
            "turn",
            self._turns(self._stream("", cid, question=None, opener=opener), cid),
            disable=[w for w in self._inputs if w is not self.send_button],
            enable=[self.stop_button],
        )
        self.stream_task = task
        self._render_asks()
        return task

    def _queue_instead(self, text: str) -> bool:
        """Rule 2: True when ``text`` was taken to be queued (a turn is running)."""
        if not self.streaming or self.conversation_id is None or text == self._asking:
            return False
        self._spawn(self._enqueue(self.conversation_id, text))
        return True

    async def _enqueue(self, cid: str, text: str) -> None:
        try:
            queue = await self.aclient.conversations.enqueue(cid, text)
        except QueueFullError:
            self._set_status(QUEUE_FULL, error=True)
            return
        except EnvnbError as err:
            self._set_status(f"Could not queue the message: {err}", error=True)
            return
        self.queued = list(queue.messages)
        self.input.value = ""
        self._render_asks()

    def remove_queued(self, queue_id: str) -> None:
        """Remove a queued message (before it is answered)."""
        if self.conversation_id is not None:
            self._spawn(self._dequeue(self.conversation_id, queue_id))

    async def _dequeue(self, cid: str, queue_id: str) -> None:
        try:
            queue = await self.aclient.conversations.dequeue(cid, queue_id)
        except EnvnbError as err:
            self._set_status(f"Could not remove the queued message: {err}", error=True)
            return
        self.queued = list(queue.messages)
        self._render_asks()

    async def _turns(self, first: Awaitable[LiveTurn], cid: str) -> None:
        """The ``first`` turn, then (rule 2) each queued message the server answers next."""
        try:
            turn = await first
            while turn is not None and self._next_queued(turn):
                head = self.queued.pop(0)
                self._asking = head.content
                self._render_asks()

                def opener() -> Any:
                    # Read more slowly than it is written, the queued turn may be over.
                    return self.aclient.conversations.resume(cid, read_finished=True)

                turn = await self._stream(head.content, cid, question=head.content, opener=opener)
        finally:
            self._asking = None
            self.send_button.description = "Send"

    def _next_queued(self, turn: LiveTurn) -> bool:
        """Whether the server took a queued message as the next turn (rule 2/3)."""
        pending = [a for a in turn.asm.approvals.values() if a.pending]
        if pending:
            if self.queued and self.conversation_id is not None:
                self.queued = []
                self._spawn(self.aclient.conversations.clear_queue(self.conversation_id))
                self._set_status(CLEARED)
            return False
        return bool(self.queued) and not turn.stopped and not turn.note_is_error

    # ---- view ------------------------------------------------------------------------

    def _settle_asks(self, turn: LiveTurn) -> None:
        """At a turn's end: keep only messages the panel does not show yet (a followed turn
        that finished before it was followed is read back whole), show its proposals."""
        known = {m.id for m in self.messages if m.id}
        turn.asm.messages[:] = [m for m in turn.asm.messages if m.id is None or m.id not in known]
        self._show_approvals(list(turn.asm.approvals.values()))

    def _show_approvals(self, approvals: list[PendingApproval]) -> None:
        self.approvals = [a for a in approvals if a.pending]
        self._render_asks()

    def _render_asks(self) -> None:
        rows: list[W.Widget] = []
        for approval in self.approvals:
            approve = W.Button(description="Approve", button_style="success", icon="check")
            reject = W.Button(description="Reject", button_style="danger", icon="times")
            pid = approval.proposal_id
            approve.on_click(lambda _b, pid=pid: self.decide(pid, True))
            reject.on_click(lambda _b, pid=pid: self.decide(pid, False))
            rows.append(W.VBox([W.HTML(approval_html(approval)), W.HBox([approve, reject])]))
        for message in self.queued:
            remove = W.Button(description="Remove", icon="trash", layout=W.Layout(width="auto"))
            remove.on_click(lambda _b, qid=message.id: self.remove_queued(qid))
            rows.append(W.HBox([W.HTML(queued_html(message)), remove]))
        self.asks_box.children = tuple(rows)
        self.send_button.description = "Queue" if self.streaming else "Send"

    def _asks_static_html(self) -> str:
        parts = [approval_html(a) for a in self.approvals]
        parts += [f"<p>{queued_html(m)}</p>" for m in self.queued]
        return "".join(parts)

    @staticmethod
    def _notice_html(notice: str | None) -> str:
        return note_html(notice) if notice else ""

    # Provided by ChatCell.
    input: W.Textarea
    messages: list[Any]
    stream_task: Any

    @property
    def streaming(self) -> bool:  # ChatCell's (a reply is being read)
        raise NotImplementedError
