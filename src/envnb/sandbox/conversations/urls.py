"""The conversation operations (PostHog AI)."""

from __future__ import annotations

from ..route import NO_SCOPES, Route
from . import routes

READ, WRITE = "conversation:read", "conversation:write"
TAG = "conversations"

ROUTES: tuple[Route, ...] = (
    Route(
        name="conversations_list",
        method="GET",
        path="conversations",
        handler=routes.list_conversations,
        scope=READ,
        tag=TAG,
        summary="List your conversations",
        response="ConversationMinimal",
        paginated=True,
    ),
    Route(
        name="conversations_create",
        method="POST",
        path="conversations",
        handler=routes.create,
        scope=WRITE,
        tag=TAG,
        summary="Send a message (or resume with content null); streams SSE",
        request="ConversationInput",
        streaming=True,
    ),
    Route(
        name="conversations_retrieve",
        method="GET",
        path="conversations/{id}",
        handler=routes.retrieve,
        scope=READ,
        tag=TAG,
        summary="Retrieve a conversation with messages",
        response="Conversation",
    ),
    Route(
        name="conversations_append_message",
        method="POST",
        path="conversations/{id}/append_message",
        handler=routes.append_message,
        scope=NO_SCOPES,
        tag=TAG,
        summary="Append an ai message without running the AI",
        request="AppendMessageInput",
        response="MessageId",
        status=201,
    ),
    Route(
        name="conversations_cancel",
        method="PATCH",
        path="conversations/{id}/cancel",
        handler=routes.cancel,
        scope=NO_SCOPES,
        tag=TAG,
        summary="Cancel a running reply (idempotent)",
        status=204,
    ),
    Route(
        name="conversations_destroy",
        method="DELETE",
        path="conversations/{id}",
        handler=routes.destroy,
        scope="conversation:write",
        tag=TAG,
        summary="Soft-delete a conversation (then 404 'Conversation does not exist')",
        status=204,
    ),
)
