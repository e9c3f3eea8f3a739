"""The operations of PostHog AI's second runtime (open, task runs) and of AI usage."""

from __future__ import annotations

from ..route import NO_SCOPES, Doc, Route
from . import runtime_routes as routes

RUN = "tasks/{task_id}/runs/{run_id}"
TAG = "conversations"
# The run's command relay answers the agent server's `{"error": …}` as well as DRF's bodies
# [src: PH:products/tasks/backend/api.py TaskRunViewSet.command].
COMMAND_ERRORS = {
    400: Doc("Invalid command, or no active sandbox for this task run", "TaskRunCommandError")
}

ROUTES: tuple[Route, ...] = (
    Route(
        name="conversations_open_create",
        method="POST",
        path="conversations/{id}/open",
        handler=routes.open_conversation,
        scope=NO_SCOPES,
        tag=TAG,
        summary="Create or resume a sandbox-runtime conversation; the (task, run) to follow",
        request="SandboxOpenRequest",
        response="SandboxRunHandle",
        answers={402: Doc("AI credit usage limit reached")},
    ),
    Route(
        name="task_runs_stream_retrieve",
        method="GET",
        path=f"{RUN}/stream",
        handler=routes.run_stream,
        scope="task:read",
        tag="task-runs",
        summary="The run's log entries and state as server-sent events",
        streaming=True,
    ),
    Route(
        name="task_runs_command_create",
        method="POST",
        path=f"{RUN}/command",
        handler=routes.run_command,
        scope="task:write",
        tag="task-runs",
        summary="Send a JSON-RPC command (user_message, cancel, close, …) to the run",
        request="TaskRunCommandRequest",
        response="TaskRunCommandResponse",
        answers=COMMAND_ERRORS,
    ),
    Route(
        name="task_runs_session_logs_retrieve",
        method="GET",
        path=f"{RUN}/session_logs",
        handler=routes.run_session_logs,
        scope="task:read",
        tag="task-runs",
        summary="The run's session log entries, filtered (its history)",
        response="TaskRunSessionLogs",
        options=("after", "event_types", "exclude_types", "limit", "offset"),
        errors=(400,),
    ),
    Route(
        name="ai_usage_list",
        method="GET",
        path="ai_usage",
        handler=routes.ai_usage,
        scope="project:read",
        tag="ai_usage",
        summary="PostHog AI credits of a conversation, a product and the project",
        response="AIUsage",
        options=("conversation_id", "conversation_started_at", "product"),
        errors=(400,),
    ),
)
