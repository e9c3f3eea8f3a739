"""The live turn of a chat as HTML, rebuilt cheaply from a StreamAssembler at each flush.

Shared by ChatCell (asyncio task) and %%chat (blocking): both read the reply state from a
StreamAssembler (the stream's own when it has one, so each frame is assembled once) and
ask this view for HTML at most ~15 times a second.
"""

from __future__ import annotations

from typing import Any

from ..conversations.streaming import StreamAssembler
from ._charts import VIZ_TYPES, ChartBoard
from ._markdown import IncrementalMarkdown
from ._transcript import message_html, note_html, title_html, update_html


class LiveTurn:
    """Renders one question and its streamed answer; finished messages are cached by id."""

    def __init__(self, question: str | None, charts: ChartBoard | None = None) -> None:
        """Start a turn for ``question`` (shown at once, before the server echoes it; None:
        a reply with no question, after an approval); visualization messages are drawn from
        ``charts`` when given."""
        self.question = question
        self.charts = charts
        self.asm = StreamAssembler()
        self.note = ""
        self.note_is_error = False
        self.stopped = False
        self.resumed = False
        self._shared = False
        self._cache: dict[str, str] = {}
        self._md = IncrementalMarkdown()

    def follow(self, stream: Any) -> None:
        """Read the reply from ``stream``'s own assembler when it keeps one (it feeds it)."""
        asm = getattr(stream, "assembler", None)
        self._shared = isinstance(asm, StreamAssembler)
        if isinstance(asm, StreamAssembler):
            self.asm = asm

    def feed(self, event: Any) -> None:
        """Apply one event the stream yielded (a no-op when the stream's assembler is used)."""
        if not self._shared:
            self.asm.feed(event)

    def check_resumed(self, stream: Any) -> bool:
        """True the first time ``stream`` reports it reconnected after a drop (and notes it)."""
        session = getattr(stream, "session", None)
        if self.resumed or not getattr(session, "resumed", False):
            return False
        self.resumed = True
        if not self.note:
            self.note = "The connection dropped; the reply was resumed."
        return True

    @property
    def reply(self) -> str:
        """The assistant's reply text so far."""
        return self.asm.reply

    def html(
        self, *, final: bool = False, with_title: bool = False, heading: str | None = None
    ) -> str:
        """HTML of the turn; ``final`` renders the open message's Markdown in one pass.

        ``with_title`` heads it with the conversation's title, or with ``heading`` when given
        (a follow-up question heads with itself, not with the conversation's first one).
        """
        title = heading if heading is not None else self.asm.title
        parts = [title_html(title)] if with_title else []
        msgs = self.asm.messages
        if self.question is not None and not any(m.type == "human" for m in msgs):
            parts.append(message_html({"type": "human", "content": self.question}))
        for msg in msgs:
            if self.charts is not None and msg.type in VIZ_TYPES:
                parts.append(message_html(msg, charts=self.charts))  # changes as data arrives
            elif msg.id is not None:
                key = f"{msg.id}:{len(str(msg.content))}"
                if key not in self._cache:
                    self._cache[key] = message_html(msg)
                parts.append(self._cache[key])
            elif msg.type == "ai":
                body = self._md.render(msg.content or "", final=final)
                parts.append(message_html(msg, markdown=body))
            else:
                parts.append(message_html(msg))
        # A stopped reply makes no more progress: its last "… doing X" line would mislead.
        if (self.asm.in_progress or not final) and not self.stopped:
            for content in list(self.asm.updates.values())[-1:]:
                if not self.asm.finished:
                    parts.append(update_html(content))
        if self.stopped:
            parts.append(note_html("■ stopped — the reply above is partial"))
        if self.note:
            parts.append(note_html(self.note, error=self.note_is_error))
        return "".join(parts)
