"""ChatCell on a conversation of PostHog's sandbox runtime (``conversations.runtime``).

1. PostHog returns it with no messages: its history is read from its task run's session log;
   when that cannot be read, a note says what it is and where its history lives — never an
   empty transcript.
2. A message typed there goes through ``open`` (PostHog refuses it on ``conversations/``); the
   panel follows the run's stream until the turn that answers it ends — the first
   ``_posthog/turn_complete`` after the ``_posthog/user_message`` holding the text (a stream
   that replays the run's earlier turns does not end it early) — then reads the history again.
   A run whose stream is gone (or that ends early) is read from its log as it stands.
"""

from __future__ import annotations

from typing import Any

from ..conversations.runtime import SANDBOX_RUNTIME, USER_MESSAGE, SessionMessage
from ..errors import EnvnbError, StreamError
from ..render import escape
from ._transcript import message_html, note_html

TURN_COMPLETE = "_posthog/turn_complete"
READ_FROM_LOGS = (
    "This conversation runs on PostHog's sandbox runtime; its history below is read from its "
    "task run's session log."
)
_DIM = "color:#888;font-size:90%"


def session_message_html(message: SessionMessage) -> str:
    """One history message: a tool call with its latest status; the rest as chat messages
    (the user's text escaped, the agent's Markdown rendered and sanitized)."""
    if message.type == "tool":
        status = f" ({escape(message.status)})" if message.status else ""
        return f'<div style="{_DIM}">⚙ {escape(message.content)}{status}</div>'
    return message_html(message)


async def runtime_history(aclient: Any, conversation: Any) -> tuple[list[Any], list[str]]:
    """(messages, HTML parts) of a sandbox-runtime conversation's history; ``([], [])`` for a
    conversation of the usual runtime (its messages are its own)."""
    if conversation.agent_runtime != SANDBOX_RUNTIME:
        return [], []
    try:
        found = await aclient.conversations.session_messages(conversation)
    except EnvnbError:
        found = []  # no access to the task's logs, or they are gone: say where they live
    if not found:
        return [], [note_html(conversation.runtime_notice or "")]
    return found, [note_html(READ_FROM_LOGS), *(session_message_html(m) for m in found)]


class ChatRuntime:
    """ChatCell's part for the sandbox runtime (rule 2)."""

    runtime_id: str | None = None  # the last conversation loaded that runs there

    @property
    def on_runtime(self) -> bool:
        """The conversation shown runs on PostHog's sandbox runtime."""
        return self.conversation_id is not None and self.conversation_id == self.runtime_id

    async def _runtime_history(self, conversation: Any) -> tuple[list[Any], list[str]]:
        on_runtime = conversation.agent_runtime == SANDBOX_RUNTIME
        self.runtime_id = conversation.id if on_runtime else None
        return await runtime_history(self.aclient, conversation)

    def _runtime_send(self, text: str) -> bool:
        """Send ``text`` through ``open`` if the conversation runs on the sandbox runtime
        (True: handled here)."""
        if not self.on_runtime or self.conversation_id is None:
            return False  # the usual runtime: ChatCell streams it
        self.error = ""
        self.stream_task = self.actions.start(
            "turn",
            self._runtime_turn(text, self.conversation_id),
            disable=self._inputs,
            status="The sandbox agent is working…",
            failed="The message was not sent: ",
        )
        return True

    async def _runtime_turn(self, text: str, conversation_id: str) -> None:
        conversations = self.aclient.conversations
        handle = await conversations.open(conversation_id, text)
        if self.input.value.strip() == text:
            self.input.value = ""  # PostHog has it now
        asked = False
        try:
            async for frame in conversations.run_events(handle, until_turn_end=False):
                content = frame.params.get("content") if frame.method == USER_MESSAGE else None
                asked = asked or (isinstance(content, str) and text in content)
                if asked and frame.method == TURN_COMPLETE:
                    break
        except StreamError:
            pass  # rule 2: read the log as it stands
        await self._load(conversation_id)

    # Provided by ChatCell.
    aclient: Any
    actions: Any
    conversation_id: str | None
    error: str
    input: Any
    stream_task: Any
    _inputs: tuple[Any, ...]

    async def _load(self, conversation_id: str) -> None:
        raise NotImplementedError
