"""The conversation operations (PostHog AI)."""

from __future__ import annotations

from ..route import NO_SCOPES, Doc, Route
from . import routes, runtime_urls

READ, WRITE = "conversation:read", "conversation:write"
TAG = "conversations"
# The queue actions answer PostHog's plain bodies, not drf-exceptions-hog's
# [src: PH:ee/api/conversation.py _ensure_queue_access, queue, queue_item].
QUEUE_ANSWERS = {
    403: Doc("Another user's conversation", "ConversationQueueError"),
    404: Doc("No such conversation, or queue message", "ConversationQueueError"),
}
QUEUE_FULL = {409: Doc("The queue already holds two messages", "ConversationQueueError")}

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
        summary="Cancel a running reply (an idle conversation's starting queued turn too)",
        status=204,
    ),
    Route(
        name="conversations_queue_clear",
        method="POST",
        path="conversations/{id}/queue/clear",
        handler=routes.queue_clear,
        scope=NO_SCOPES,
        tag=TAG,
        summary="Empty the message queue",
        response="ConversationQueue",
        answers=QUEUE_ANSWERS,
    ),
    *(
        Route(
            name=f"conversations_queue_{verb}",
            method=method,
            path="conversations/{id}/queue",
            handler=routes.queue_list_or_add,
            scope=NO_SCOPES,
            tag=TAG,
            summary=summary,
            request=request,
            response="ConversationQueue",
            answers={**QUEUE_ANSWERS, **full},
        )
        for verb, method, summary, request, full in (
            ("retrieve", "GET", "The queued messages (at most 2)", None, {}),
            ("create", "POST", "Queue a message for after this reply", "QueueMessage", QUEUE_FULL),
        )
    ),
    *(
        Route(
            name=f"conversations_queue_{verb}",
            method=method,
            path="conversations/{id}/queue/{queue_id}",
            handler=routes.queue_item,
            scope=NO_SCOPES,
            tag=TAG,
            summary=summary,
            request=request,
            response="ConversationQueue",
            answers=QUEUE_ANSWERS,
        )
        for verb, method, summary, request in (
            ("partial_update", "PATCH", "Edit a queued message", "QueueMessageUpdate"),
            ("destroy", "DELETE", "Remove a queued message", None),
        )
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
    *runtime_urls.ROUTES,
)
