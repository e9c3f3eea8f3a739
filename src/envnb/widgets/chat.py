"""ChatCell: PostHog AI in a panel — transcript, input, Send / Stop / New, earlier chats.

The reply is read by an asyncio task on the kernel's loop (never the click handler), fed
into a StreamAssembler and rendered at most ~15 times a second. Stop cancels the task at
once, then sends ``cancel`` to the server; the partial reply stays, marked as stopped.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as W

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

from ..conversations.chat_turn import ChatTurnPolicy, SendAgain
from ..conversations.models import MessageEvent
from ..errors import EnvnbError
from ..render import escape, isolate
from ..render import label as render_label
from ._base import Panel, loop_running, utc_minutes
from ._charts import VIZ_TYPES, ChartBoard
from ._chat_asks import ChatAsks
from ._chat_charts import ChatCharts
from ._chat_runtime import ChatRuntime
from ._layout import wrap_row
from ._livechat import LiveTurn
from ._throttle import Pacer, Throttle
from ._transcript import message_html, static_transcript_html, title_html

NEW = ""  # picker value meaning "a new conversation"
PICKER_LIMIT = 50


class ChatCell(ChatAsks, ChatCharts, ChatRuntime, Panel):
    """A chat panel; state for tests: ``messages``, ``reply``, ``title``, ``status``, ``error``,
    ``approvals`` and ``queued`` (what PostHog AI asks of the user: ``_chat_asks``)."""

    static_title = "PostHog AI"

    def __init__(
        self, client: Client | AsyncClient, *, flush_per_second: float = 15.0, pace: bool = True
    ) -> None:
        """Build the panel; ``pace=False`` reads every event as it comes (the bench's baseline)."""
        super().__init__(client)
        self.conversation_id: str | None = None
        self.title: str | None = None
        self.messages: list[Any] = []  # finished turns of this conversation, oldest first
        self.reply = ""
        self.stopped = False
        self.resumed = 0
        self.updates = 0  # values sent to the live HTML widget (the bench reads it)
        self.stream_task: asyncio.Task[Any] | None = None
        self.charts = ChartBoard()  # visualization messages: their data arrives after them
        self.cancel_task: asyncio.Task[Any] | None = None
        self._interval = 1.0 / flush_per_second
        self._pace = pace
        self._turn: LiveTurn | None = None
        self._history_parts: list[str] = []
        self._loading_picker = False
        self._check_next = False  # the last turn may have stored its question (ask first)
        self._init_asks()

        self.picker = W.Dropdown(
            options=[("— new conversation —", NEW)],
            value=NEW,
            layout=W.Layout(flex="1 1 16em", width="auto", min_width="0", max_width="48em"),
        )
        self.refresh_button = W.Button(description="Refresh", icon="refresh")
        self.title_html = W.HTML()
        self.history_html = W.HTML()
        self.live_html = W.HTML()
        self.input = W.Textarea(
            placeholder="Ask PostHog AI…", layout=W.Layout(width="auto", align_self="stretch")
        )
        self.send_button = W.Button(description="Send", button_style="primary", icon="paper-plane")
        self.stop_button = W.Button(description="Stop", icon="stop", disabled=True)
        self.new_button = W.Button(
            description="New conversation", icon="plus", layout=W.Layout(width="auto")
        )
        # What a turn, a Stop or a load holds disabled until it ends (see Actions).
        self._inputs = (self.send_button, self.new_button, self.picker)

        self.send_button.on_click(lambda _b: self.send())
        self.stop_button.on_click(lambda _b: self.stop())
        self.new_button.on_click(lambda _b: self.new_conversation())
        self.refresh_button.on_click(lambda _b: self.refresh_conversations())
        self.picker.observe(self._on_pick, names="value")

        self.widget = W.VBox(
            [
                wrap_row([self.picker, self.refresh_button]),
                self.title_html,
                self.history_html,
                self.live_html,
                self.asks_box,
                self.status_html,
                self.input,
                wrap_row([self.send_button, self.stop_button, self.new_button]),
            ]
        )
        self.widget.add_class("envnb-chat")
        if loop_running():
            self.refresh_conversations()
        else:
            self._set_status("Click Refresh to list earlier conversations.")

    # ---- state for tests -------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        """True while a reply is being read."""
        return self.stream_task is not None and not self.stream_task.done()

    @property
    def transcript(self) -> list[tuple[str, str]]:
        """(type, content) of every message shown, the live turn included."""
        msgs = list(self.messages)
        if self._turn is not None:
            msgs += self._turn.asm.messages
        return [(m.type, m.content if isinstance(m.content, str) else "") for m in msgs]

    # ---- actions ---------------------------------------------------------------------

    def send(self) -> None:
        """Send the input's text and stream the reply (ignored while a call is in flight)."""
        text = self.input.value.strip()
        if not text or self._queue_instead(text) or self._busy() or self._runtime_send(text):
            return
        self.error = ""
        policy = ChatTurnPolicy(stopped_before=self.stopped, check_first=self._check_next)
        self.stopped = False
        if self.conversation_id is None:
            self.conversation_id = str(uuid.uuid4())  # ours, so Stop can cancel at once
        sent_as = self.input.value
        self._asking = text  # before the task runs: a second click is not a new message
        self.stream_task = self.actions.start(
            "turn",
            self._turns(
                self._stream(text, self.conversation_id, sent_as, policy), self.conversation_id
            ),
            # Send stays on during a turn: it queues (``_chat_asks`` rule 2).
            disable=[w for w in self._inputs if w is not self.send_button],
            enable=[self.stop_button],
        )
        self._render_asks()

    def stop(self) -> None:
        """Stop reading at once, then tell the server to cancel the generation."""
        if not self.streaming or (self.cancel_task is not None and not self.cancel_task.done()):
            return  # nothing to stop, or a Stop is already on its way (double click)
        assert self.stream_task is not None
        if self.conversation_id is not None:
            # The inputs stay disabled until the server confirmed the cancel.
            self.cancel_task = self.actions.start(
                "cancel",
                self._cancel(self.conversation_id),
                disable=[*self._inputs, self.stop_button],
            )
        self._cancel_task(self.stream_task)  # thread-safe: the click may come from a subshell

    def new_conversation(self) -> None:
        """Start a new conversation (the current one stays in the picker)."""
        if self._busy():
            return
        self._reset_view()
        self._loading_picker = True
        try:
            self.picker.value = NEW
        finally:
            self._loading_picker = False

    def refresh_conversations(self) -> None:
        """Reload the picker of earlier conversations."""
        self._spawn(self._load_list())

    def load(self, conversation_id: str) -> asyncio.Task[Any] | None:
        """Show an earlier conversation's history and continue it."""
        if self._busy():
            return None
        return self.actions.start(
            "load",
            self._load(conversation_id),
            disable=self._inputs,
            status="Loading conversation…",
            failed="Could not load that conversation: ",
        )

    # ---- tasks -----------------------------------------------------------------------

    async def _stream(
        self,
        text: str,
        conversation_id: str,
        sent_as: str = "",
        policy: ChatTurnPolicy | None = None,
        *,
        question: str | None = None,
        opener: Callable[[], Any] | None = None,
    ) -> LiveTurn:
        """One turn: ``text`` sent, or (``opener``) a reply the server runs anyway — a queued
        turn or a decision's — headed with ``question`` (None: no question line)."""
        turn = self._turn = LiveTurn(text if opener is None else question, self.charts)
        throttle: Throttle[None] = Throttle(lambda _v: self._flush(), self._interval)
        pacer = Pacer(self._interval)
        flushes = 0
        self._set_status("Thinking…")
        self._flush()
        first = True
        policy = policy or ChatTurnPolicy()
        self._check_next = False
        try:
            while True:
                try:
                    # Inside the try: a question refused before sending is an EnvnbError too.
                    stream = (
                        opener()
                        if opener is not None
                        else self.aclient.conversations.stream(
                            text, conversation=conversation_id, check_first=policy.check_first
                        )
                    )
                    turn.follow(stream)
                    async for event in stream:
                        turn.feed(event)
                        if isinstance(event, MessageEvent) and event.message.type in VIZ_TYPES:
                            self._fetch_charts([event.message])
                        if first:
                            first = False
                            # The server has the question now; clear it unless the user
                            # typed while "Thinking…": that text is theirs to keep.
                            if self.input.value == sent_as:
                                self.input.value = ""
                        if turn.asm.title and turn.asm.title != self.title:
                            self._show_title(turn.asm.title)
                        if turn.check_resumed(stream):
                            self.resumed += 1
                            self._set_status(turn.note)
                        throttle.push(None, ready=not self._pace or pacer.caught_up())
                        if self._pace and throttle.flushes != flushes:
                            # Just flushed (here or by its timer): let events queue up.
                            flushes = throttle.flushes
                            await pacer.nap()
                except EnvnbError as err:
                    decision = policy.on_error(err, events_seen=not first)
                    if isinstance(decision, SendAgain):
                        self._set_status(decision.status)
                        await asyncio.sleep(decision.wait)
                        continue
                    self._check_next = policy.may_be_stored(err)
                    self.error = decision.message
                    turn.note, turn.note_is_error = self.error, True
                break
        except asyncio.CancelledError:
            turn.stopped = self.stopped = True
            raise
        finally:
            throttle.close()
            self._finish_turn(turn)
        return turn

    async def _cancel(self, conversation_id: str) -> None:
        self._set_status("Stopping…")
        if self.stream_task is not None:
            await asyncio.gather(self.stream_task, return_exceptions=True)
        error: EnvnbError | None = None
        try:
            await self.aclient.conversations.cancel(conversation_id)
        except EnvnbError as err:
            error = err
        shown = ChatTurnPolicy().after_cancel(error)
        self._set_status(shown.message, error=shown.error)

    async def _load_list(self) -> None:
        options: list[tuple[str, str]] = [("— new conversation —", NEW)]
        try:
            async for conv in self.aclient.conversations.list(limit=PICKER_LIMIT):
                label = render_label(conv.title) if conv.title else "(untitled)"
                when = utc_minutes(conv.updated_at)
                options.append((f"{label} · {when}" if when else label, conv.id))
        except EnvnbError as err:
            self._set_status(f"Could not list earlier conversations: {err}", error=True)
            return
        current = self.picker.value
        if current not in {v for _, v in options}:
            current = NEW
        self._loading_picker = True
        try:
            self.picker.options = options
            self.picker.value = current
        finally:
            self._loading_picker = False
        if self.status.startswith("Click Refresh"):
            self._set_status("")

    async def _load(self, conversation_id: str) -> None:
        conv = await self.aclient.conversations.get(conversation_id)
        self._reset_view()
        self.conversation_id = conv.id
        # The other runtime returns no messages: its session log, or where it lives.
        found, self._history_parts = await self._runtime_history(conv)
        self.messages = found + list(conv.messages)
        self._history_parts += [message_html(m, charts=self.charts) for m in conv.messages]
        self._show_approvals(conv.pending_approvals)
        self._fetch_charts(self.messages)
        self.history_html.value = "".join(self._history_parts)
        self._show_title(conv.title)
        self.reply = next(
            (m.content for m in reversed(self.messages) if m.type == "ai" and m.content), ""
        )
        self._set_status("")

    # ---- view ------------------------------------------------------------------------

    def _busy(self) -> bool:
        return bool(self.actions)

    def _flush(self) -> None:
        if self._turn is None:
            return
        self.reply = self._turn.reply
        self.live_html.value = self._turn.html()
        self.updates += 1

    def _finish_turn(self, turn: LiveTurn) -> None:
        self._settle_asks(turn)
        self.reply = turn.reply
        final = turn.html(final=True)
        self._history_parts.append(final)
        self.history_html.value = "".join(self._history_parts)
        self.live_html.value = ""
        self.messages.extend(turn.asm.messages)
        if turn.asm.conversation_id:
            self.conversation_id = turn.asm.conversation_id
        self._turn = None
        if turn.asm.failed and not self.error:
            self.error = "The assistant failed to answer."
        if self.stopped:
            self._set_status("Stopped — sending cancel…")
            return  # the cancel action reports once the server answered
        self._set_status(self.error, error=bool(self.error))
        if turn.asm.title:
            self.refresh_conversations()

    def static_html(self) -> str:
        """The panel as static, sanitized HTML, with the charts' PNGs (see ChartBoard)."""
        return self.charts.put_pictures(super().static_html())

    def _static_body(self) -> str:
        parts = [f"<p><strong>{isolate(self.title)}</strong></p>" if self.title else ""]
        parts.append(static_transcript_html(self.messages, self.charts))
        parts.append(self._asks_static_html())
        if self.stopped:
            parts.append("<p><em>■ stopped — the reply above is partial</em></p>")
        if self.status:
            parts.append(f"<p><em>{escape(self.status)}</em></p>")
        return "".join(parts)

    def _show_title(self, title: str | None) -> None:
        if title:
            self.title = title
        self.title_html.value = title_html(self.title)

    def _reset_view(self) -> None:
        self.conversation_id = None
        self.title = None
        self.messages = []
        self.reply = ""
        self.error = ""
        self.stopped = False
        self._check_next = False
        self.charts = ChartBoard()
        self._history_parts = []
        self.approvals, self.queued = [], []
        self._render_asks()
        for w in (self.title_html, self.history_html, self.live_html):
            w.value = ""
        self._set_status("")

    def _on_pick(self, change: dict[str, Any]) -> None:
        if self._loading_picker:
            return
        value = change["new"]
        if self._busy():
            # A stream is running: switching would lose it. Put the picker back.
            self._loading_picker = True
            try:
                self.picker.value = change["old"]
            finally:
                self._loading_picker = False
            return
        if value == NEW:
            self._reset_view()
        else:
            self.load(value)
