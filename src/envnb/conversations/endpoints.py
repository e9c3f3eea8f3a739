"""The conversation endpoints envnb calls, declared once (see ``_core.request.Endpoint``).

Each attribute is an ``Endpoint[T]`` whose ``T`` is what the call returns (one item of the
list for a paged endpoint). To add one, add an attribute here and a method on the resource
under ``_async/`` that sends ``Namespace.attr.request(...)``; then regenerate ``_sync/``.
"""

from __future__ import annotations

from typing import Any

from .._core.request import Endpoint, no_content
from .models import AppendedMessage, AppendMessageRequest, Conversation, StreamRequest
from .proposals import ConversationQueue
from .queue_bodies import QueueMessageRequest, QueueUpdateRequest
from .runtime import AIUsage, CommandRequest, CommandResult, OpenRequest, RunHandle, SessionLogEntry


def _entries(body: Any) -> list[SessionLogEntry]:
    """A session-log answer: a JSON array of entries."""
    if not isinstance(body, list):
        raise ValueError("session logs must be a JSON array")
    return [SessionLogEntry.model_validate(e) for e in body if isinstance(e, dict)]


class ConversationEndpoints:
    """``conversations/``: PostHog AI's ConversationViewSet."""

    path = "conversations/"
    list = Endpoint("GET", path, "conversation:read", Conversation.model_validate, paging="offset")
    get = Endpoint("GET", path + "{id}/", "conversation:read", Conversation.model_validate)
    # Never retried: a retry could store the human message twice.
    stream = Endpoint(
        "POST", path, "conversation:write", no_content, body=StreamRequest, streams=True
    )
    append_message = Endpoint(
        "POST",
        path + "{id}/append_message/",
        None,
        AppendedMessage.model_validate,
        body=AppendMessageRequest,
    )
    # PostHog soft-deletes (204); a retry of a DELETE that landed answers 404.
    delete = Endpoint("DELETE", path + "{id}/", "conversation:write", no_content)
    # cancel may be repeated: a second one stops nothing more (an idle conversation may be
    # handing over to a queued turn, which it stops too).
    cancel = Endpoint("PATCH", path + "{id}/cancel/", None, no_content, retry_safe=True)
    # The queue (custom actions without scopes: a scoped key gets 403). Enqueueing is never
    # retried (it would queue the message twice); removing and clearing may be repeated.
    queue = Endpoint("GET", path + "{id}/queue/", None, ConversationQueue.model_validate)
    enqueue = Endpoint(
        "POST",
        path + "{id}/queue/",
        None,
        ConversationQueue.model_validate,
        body=QueueMessageRequest,
    )
    edit_queued = Endpoint(
        "PATCH",
        path + "{id}/queue/{queue_id}/",
        None,
        ConversationQueue.model_validate,
        body=QueueUpdateRequest,
        retry_safe=True,
    )
    dequeue = Endpoint(
        "DELETE",
        path + "{id}/queue/{queue_id}/",
        None,
        ConversationQueue.model_validate,
        retry_safe=True,
    )
    clear_queue = Endpoint(
        "POST",
        path + "{id}/queue/clear/",
        None,
        ConversationQueue.model_validate,
        retry_safe=True,
    )
    # The second runtime (contract §16). `open` is never retried: it may start a run.
    open = Endpoint("POST", path + "{id}/open/", None, RunHandle.model_validate, body=OpenRequest)
    ai_usage = Endpoint("GET", "ai_usage/", "project:read", AIUsage.model_validate)


class TaskRunEndpoints:
    """``tasks/{task_id}/runs/{run_id}/``: products/tasks' TaskRunViewSet (the second runtime)."""

    path = "tasks/{task_id}/runs/{run_id}/"
    session_logs = Endpoint("GET", path + "session_logs/", "task:read", _entries)
    stream = Endpoint("GET", path + "stream/", "task:read", no_content, streams=True)
    # A follow-up is never retried (it would be sent twice); cancel may be repeated.
    command = Endpoint(
        "POST", path + "command/", "task:write", CommandResult.model_validate, body=CommandRequest
    )
