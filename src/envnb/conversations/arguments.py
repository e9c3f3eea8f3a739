"""Shapes of the conversation resource's request bodies (pure; both clients use them)."""

from __future__ import annotations

from typing import Any

from .._core.arguments import new_uuid


def stream_body(
    conversation_id: str, content: str | None, options: dict[str, Any]
) -> dict[str, Any]:
    """The body of a conversation POST; a resume (``content=None``) keeps only ``session_id``."""
    if content is None:
        # Options that only make sense with a new message are not resent on resume.
        options = {k: v for k, v in options.items() if k in ("session_id",)}
    return {"content": content, "conversation": conversation_id, "trace_id": new_uuid(), **options}
