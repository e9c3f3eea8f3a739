"""Shapes of the conversation resource's request bodies (pure; both clients use them)."""

from __future__ import annotations

from typing import Any

from .._core.arguments import new_uuid
from ..errors import RequestValidationError


def message_text(content: object) -> str:
    """The message of ``stream``/``ask``, refused locally unless it is text: ``None`` would
    be sent as a resume and come back as PostHog's puzzling "Cannot stream from
    non-existent conversation"."""
    if not isinstance(content, str):
        raise RequestValidationError(
            f"content: must be the message text (a str), not {type(content).__name__}; "
            "resume() re-attaches to a reply still running",
            attr="content",
        )
    return content


def stream_body(
    conversation_id: str, content: str | None, options: dict[str, Any]
) -> dict[str, Any]:
    """The body of a conversation POST; a resume (``content=None``) keeps only ``session_id``."""
    if content is None:
        # Options that only make sense with a new message are not resent on resume.
        options = {k: v for k, v in options.items() if k in ("session_id",)}
    return {"content": content, "conversation": conversation_id, "trace_id": new_uuid(), **options}
