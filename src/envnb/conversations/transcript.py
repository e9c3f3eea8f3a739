"""A conversation for a report: its messages as a DataFrame, or the whole as Markdown.

Works on anything with ``title`` and ``messages`` (a ``Conversation``), so this module
needs no import of the models it serves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .._core.framing import Column, frame_from_records
from .._core.lines import split_lines

if TYPE_CHECKING:
    import pandas as pd


class Transcript(Protocol):
    """What a report reads of a conversation."""

    @property
    def title(self) -> str | None: ...

    @property
    def messages(self) -> Sequence[Any]: ...


MESSAGE_COLUMNS: tuple[Column, ...] = (
    Column("position", "Int64"),
    Column("id", "string"),
    Column(
        "type",
        "category",
        categories=("human", "ai", "ai/reasoning", "ai/failure", "tool", "context"),
    ),
    Column("content", "string"),
    Column("tool_call_id", "string"),
)


def messages_frame(conversation: Transcript) -> pd.DataFrame:
    """One row per message of a conversation: position, id, type, text, tool_call_id."""
    rows = []
    for i, msg in enumerate(conversation.messages):
        rows.append(
            {
                "position": i,
                "id": msg.id,
                "type": msg.type,
                "content": _message_text(msg),
                "tool_call_id": getattr(msg, "tool_call_id", None),
            }
        )
    return frame_from_records(rows, MESSAGE_COLUMNS)


def _human(text: str) -> list[str]:
    quoted = "\n".join("> " + line for line in split_lines(text)) if text else ">"
    return ["**You:**", "", quoted, ""]


def _ai(text: str) -> list[str]:
    return ["**PostHog AI:**", "", text, ""] if text else []


def _failure(text: str) -> list[str]:
    return [f"*PostHog AI failed: {text or 'unknown error'}*", ""]


# Message type → its Markdown lines; other types (reasoning, tools, charts) are left out.
MARKDOWN_TURNS: dict[str, Callable[[str], list[str]]] = {
    "human": _human,
    "ai": _ai,
    "ai/failure": _failure,
}


def conversation_markdown(conversation: Transcript) -> str:
    """The conversation as Markdown: a title, then the user's and assistant's turns."""
    lines = [f"# {conversation.title or 'Untitled conversation'}", ""]
    notice = getattr(conversation, "runtime_notice", None)
    if notice:  # its messages are elsewhere: never an empty transcript (proposals rule 3)
        lines += [f"> {notice}", ""]
    for msg in conversation.messages:
        turn = MARKDOWN_TURNS.get(str(msg.type))
        if turn is not None:
            lines += turn(_message_text(msg))
    return "\n".join(lines).rstrip() + "\n"


def _message_text(msg: Any) -> str:
    content = getattr(msg, "content", None)
    if isinstance(content, str):
        return content
    return "" if content is None else str(content)
