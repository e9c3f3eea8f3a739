"""Request bodies of the message queue, checked before sending as PostHog's
QueueMessageSerializer checks them [src: PH:ee/api/conversation.py]."""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator

from .._core.models import RequestModel
from ..errors import RequestValidationError
from .models import MAX_CONTENT, AgentMode


def queue_content(value: object) -> str:
    """A queued message's text: a non-blank str of at most 40000 characters."""
    if not isinstance(value, str):
        raise RequestValidationError(
            f"content: must be the message text (a str), not {type(value).__name__}",
            attr="content",
        )
    if not value.strip():
        raise RequestValidationError("content: must not be empty", attr="content")
    if len(value) > MAX_CONTENT:
        raise RequestValidationError(
            f"content: {len(value)} characters is too long; at most {MAX_CONTENT} allowed",
            attr="content",
        )
    return value


class QueueMessageRequest(RequestModel):
    """POST conversations/{id}/queue/ body."""

    content: str
    agent_mode: AgentMode | None = None

    _exclude_none: ClassVar[bool] = True

    @field_validator("content", mode="before")
    @classmethod
    def _content(cls, value: object) -> str:
        return queue_content(value)


class QueueUpdateRequest(RequestModel):
    """PATCH conversations/{id}/queue/{queue_id}/ body."""

    content: str

    @field_validator("content", mode="before")
    @classmethod
    def _content(cls, value: object) -> str:
        return queue_content(value)
