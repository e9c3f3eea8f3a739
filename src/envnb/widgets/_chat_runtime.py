"""ChatCell's view of a conversation on PostHog's sandbox runtime: PostHog returns it with no
messages, so its history is read from its task run's session log (``conversations.runtime``);
when that cannot be read, a note says what it is and where its history lives — never an
empty transcript."""

from __future__ import annotations

from typing import Any

from ..conversations.runtime import SANDBOX_RUNTIME, SessionMessage
from ..errors import EnvnbError
from ..render import escape
from ._transcript import message_html, note_html

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
