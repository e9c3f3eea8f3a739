"""What a run of PostHog's second runtime writes: its log entries (the history that
``session_logs/`` serves), its stream frames, and the filters of ``session_logs/``. No HTTP.

The wire shapes [src: PH:frontend/src/scenes/max/types/sandboxWireTypes.ts (the authoritative
typed view), PH:products/posthog_ai/backend/wire_types.py, PH:products/tasks/backend/api.py]:

1. A log entry is ``{type: "notification", timestamp, notification: {jsonrpc: "2.0", method,
   params}}`` — an ACP notification. ``session/update`` carries ``{sessionId, update:
   {sessionUpdate, ...}}`` (``agent_message_chunk``, ``agent_message``, ``agent_thought_chunk``,
   ``tool_call``, ``tool_call_update``, ``current_mode_update``); PostHog's own methods are
   ``_posthog/*`` (``user_message`` with ``{content}``, ``turn_complete`` with ``{sessionId,
   stopReason}``, ...). The agent server's session id is the run id.
2. The run's stream sends those same entries, plus ``{type: "task_run_state", run_id, task_id,
   status, stage, output, branch, error_message, updated_at, completed_at}`` on a status
   change, each as one ``data: <json>`` SSE event (no ``event:`` line); a run without a
   stream answers ``event: error`` / ``{"error": "Stream not available"}``.
3. ``session_logs/``' event type of an entry is the notification's method, or for
   ``session/update`` its ``sessionUpdate``; ``after`` keeps entries strictly later (entries
   without a parsable timestamp are dropped), ``event_types``/``exclude_types`` are
   comma-separated, then ``offset`` and ``limit`` (default 1000, at most 5000).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

SESSION_UPDATE = "session/update"
USER_MESSAGE = "_posthog/user_message"
TURN_COMPLETE = "_posthog/turn_complete"
NO_STREAM = b'event: error\ndata: {"error":"Stream not available"}\n\n'


def notification(method: str, params: dict[str, Any], timestamp: str) -> dict[str, Any]:
    """Rule 1: one log entry."""
    return {
        "type": "notification",
        "timestamp": timestamp,
        "notification": {"jsonrpc": "2.0", "method": method, "params": params},
    }


def update(session_id: str, body: dict[str, Any], timestamp: str) -> dict[str, Any]:
    """A ``session/update`` entry."""
    return notification(SESSION_UPDATE, {"sessionId": session_id, "update": body}, timestamp)


def user_message(content: str, timestamp: str) -> dict[str, Any]:
    """The user's message as the run logs it."""
    return notification(USER_MESSAGE, {"content": content}, timestamp)


def agent_chunks(
    session_id: str, message_id: str, text: str, words: int, timestamp: str
) -> list[dict[str, Any]]:
    """An agent message as streamed: ``agent_message_chunk`` entries of ``words`` words."""
    parts = text.split(" ")
    pieces = [" ".join(parts[i : i + words]) for i in range(0, len(parts), max(words, 1))]
    pieces = [p + " " for p in pieces[:-1]] + pieces[-1:]
    return [
        update(
            session_id,
            {
                "sessionUpdate": "agent_message_chunk",
                "messageId": message_id,
                "content": {"type": "text", "text": piece},
            },
            timestamp,
        )
        for piece in pieces
    ]


def tool_call(
    session_id: str, call_id: str, title: str, kind: str, status: str, timestamp: str
) -> dict[str, Any]:
    """A ``tool_call`` entry (its later ``tool_call_update`` carries the new status)."""
    body = {"sessionUpdate": "tool_call", "toolCallId": call_id, "title": title}
    return update(session_id, {**body, "kind": kind, "status": status}, timestamp)


def tool_call_update(session_id: str, call_id: str, status: str, timestamp: str) -> dict[str, Any]:
    """A ``tool_call_update`` entry."""
    body = {"sessionUpdate": "tool_call_update", "toolCallId": call_id, "status": status}
    return update(session_id, body, timestamp)


def turn_complete(session_id: str, stop_reason: str, timestamp: str) -> dict[str, Any]:
    """The end of a turn."""
    return notification(
        TURN_COMPLETE, {"sessionId": session_id, "stopReason": stop_reason}, timestamp
    )


def state_frame(run: Any) -> dict[str, Any]:
    """Rule 2: a run's ``task_run_state`` frame (not part of the log)."""
    return {
        "type": "task_run_state",
        "run_id": run["id"],
        "task_id": run["task_id"],
        "status": run["status"],
        "stage": None,
        "output": None,
        "branch": None,
        "error_message": None,
        "updated_at": run["updated_at"],
        "completed_at": run["completed_at"],
    }


def event_type(entry: Any) -> str:
    """Rule 3: the type ``event_types``/``exclude_types`` match."""
    note = entry.get("notification") if isinstance(entry, dict) else None
    if not isinstance(note, dict):
        return ""
    method = note.get("method", "")
    if method == SESSION_UPDATE:
        params = note.get("params")
        body = params.get("update", {}) if isinstance(params, dict) else {}
        return str(body.get("sessionUpdate", method)) if isinstance(body, dict) else str(method)
    return str(method)


def _later(entry: dict[str, Any], after: datetime) -> bool:
    stamp = entry.get("timestamp")
    if not isinstance(stamp, str) or not stamp:
        return False
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")) > after
    except ValueError:
        return False


def _types(text: str | None) -> set[str] | None:
    if not text:
        return None
    return {t.strip() for t in text.split(",") if t.strip()} or None


def select(
    entries: list[dict[str, Any]],
    *,
    after: datetime | None,
    event_types: str | None,
    exclude_types: str | None,
    offset: int,
    limit: int,
) -> list[dict[str, Any]]:
    """Rule 3: the entries ``session_logs/`` answers."""
    wanted, unwanted = _types(event_types), _types(exclude_types)
    kept = []
    for entry in entries:
        if after is not None and not _later(entry, after):
            continue
        kind = event_type(entry)
        if (wanted is not None and kind not in wanted) or (unwanted and kind in unwanted):
            continue
        kept.append(entry)
    return kept[offset : offset + limit]
