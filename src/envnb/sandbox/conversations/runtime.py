"""PostHog AI's second runtime (``agent_runtime: "sandbox"``): opening a conversation on it,
its task runs, the commands a run takes and the history it keeps. No HTTP (``runtime_routes``).

Rules [src: PH:ee/api/conversation.py ``open``, ``_get_or_create_sandbox_conversation``,
``SandboxOpenSerializer``; PH:products/posthog_ai/backend/message_routing.py
``SandboxSession.open``; PH:products/tasks/backend/api.py ``TaskRunViewSet``;
PH:products/tasks/backend/serializers.py ``TaskRunCommandRequestSerializer``;
PostHog/Twig packages/agent/src/server/agent-server.ts ``executeCommand``]:

1. ``POST conversations/{id}/open/`` checks the AI-credit quota (402), then the body; the
   conversation is created on first use from the URL id (on the sandbox runtime), another
   user's is 403 "Cannot access other users' conversations", a deleted one 404 "Conversation
   does not exist", one on the LangGraph runtime 400 "This conversation is not on the sandbox
   runtime." (PostHog converts an idle LangGraph thread when its flag is on: not emulated).
   A first ``content`` becomes the title (80 characters).
2. With ``content``: no task yet → a task and its first run; the current run queued or in
   progress → a follow-up on it; the current run finished → a successor run. Without content:
   warm — the current unfinished run, or a new one. The answer is ``{task_id, run_id,
   trace_id (echoed), run_status, just_created_run}``; a new run answers ``queued``.
3. The sandbox's agent answers each turn at once: the run logs ``_posthog/user_message``, the
   reply as ``agent_message_chunk``s and ``_posthog/turn_complete``, and stays
   ``in_progress`` awaiting the next message (an interactive run idles until it times out).
4. ``tasks/{task_id}/runs/{run_id}/``: a task outside the project is 404 "Task not found", a
   run not of that task 404 "Not found.".
5. ``command/`` takes ``{jsonrpc: "2.0", method, params?, id?}``; ``method`` ∈
   ``user_message, cancel, close, permission_response, set_config_option``. ``user_message``
   needs ``params.content`` (or ``artifact_ids``) and is queued onto the live run: ``{"result":
   {"queued": true}}``. The others go to the run's agent server, JSON-RPC in and out: ``cancel``
   → ``{"cancelled": true}``, ``close`` → ``{"closed": true}``; methods that agent-server
   version does not know answer its ``-32000 "Unknown method: …"`` error. A run whose sandbox
   is gone (finished, closed) answers 400 ``{"error": "No active sandbox for this task run"}``.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from .. import errors
from .. import validate as v
from .._util import dumps, is_uuid, now_iso
from ..context import State
from ..store import Store
from . import runtime_log as wire

TERMINAL = ("completed", "failed", "cancelled")
METHODS = ("user_message", "cancel", "close", "permission_response", "set_config_option")
AGENT_ANSWERS: dict[str, dict[str, Any]] = {
    "cancel": {"cancelled": True},
    "close": {"closed": True},
}
NO_SANDBOX = "No active sandbox for this task run"
REPLY = (
    "This is envnb's sandbox standing in for PostHog's sandbox agent: it logged your message "
    "({words} words) and answers every turn with this text. A real run works in a cloud "
    "sandbox and streams what it does."
)


def runtime_task(store: Store, conversation_id: str) -> sqlite3.Row | None:
    """The ``sandbox_runtime`` link of a conversation (task, latest run), if it has one."""
    return store.one("SELECT * FROM sandbox_runtime WHERE id = ?", (conversation_id,))


def _conversation(store: Store, cid: str, project_id: int, user_id: int) -> sqlite3.Row | None:
    """Rule 1: the URL's conversation, or None when it does not exist yet."""
    row = store.one("SELECT * FROM conversations WHERE id = ?", (cid,))
    if row is None:
        return None
    if row["user_id"] != user_id or row["team_id"] != project_id:
        raise errors.permission_denied("Cannot access other users' conversations")
    if store.one("SELECT 1 FROM deleted_conversations WHERE id = ?", (cid,)):
        raise errors.ApiError(
            404, errors.body("invalid_request", "not_found", "Conversation does not exist")
        )
    return row


def _open_body(store: Store, project_id: int, data: Any) -> tuple[str | None, str | None]:
    """``SandboxOpenSerializer``: the content and the task to bind (a new conversation)."""
    data = v.json_object(data)
    content = v.string(
        data, "content", required=False, max_length=40000, allow_null=True, allow_blank=True
    )
    for name in ("trace_id", "task_id", "attached_context", "initial_permission_mode"):
        if name in data and data[name] is None:
            raise errors.validation("This field may not be null.", name, "null")
    if "trace_id" in data and not is_uuid(data["trace_id"]):
        raise errors.validation("Must be a valid UUID.", "trace_id")
    _attached(data.get("attached_context", []))
    mode = data.get("initial_permission_mode")
    if "initial_permission_mode" in data and not isinstance(mode, str):
        raise errors.invalid_choice(mode, "initial_permission_mode")
    if "task_id" not in data:
        return content, None
    task = data["task_id"]
    if not is_uuid(task):
        raise errors.validation("Must be a valid UUID.", "task_id")
    if not store.one(
        "SELECT 1 FROM task_runs WHERE task_id = ? AND team_id = ?", (str(task), project_id)
    ):
        raise errors.validation("Task not found or not accessible.", "task_id")
    return content, str(uuid.UUID(task))


def _attached(items: Any) -> None:
    """``attached_context``: a list of ``{type, id?, name?, value?}`` (PostHog's allowed
    ``type`` values are not checked: the list was not in the source read)."""
    if not isinstance(items, list):
        raise errors.validation(
            f'Expected a list of items but got type "{type(items).__name__}".',
            "attached_context",
            "not_a_list",
        )
    for i, item in enumerate(items):
        where = f"attached_context__{i}"
        if not isinstance(item, dict):
            raise errors.validation(
                f"Invalid data. Expected a dictionary, but got {type(item).__name__}.",
                f"{where}__non_field_errors",
                "invalid",
            )
        kind = item.get("type")
        if kind is None:
            raise errors.required(f"{where}__type")
        if not isinstance(kind, str):
            raise errors.invalid_choice(kind, f"{where}__type")


def open_conversation(
    state: State, project_id: int, user_id: int, cid: str, data: Any
) -> dict[str, Any]:
    """Rules 1–3: ``POST conversations/{id}/open/`` — the run handle."""
    state.conversations.check_quota()
    store = state.store
    content, bind = _open_body(store, project_id, data)
    if not is_uuid(cid):
        raise errors.not_found()
    cid = str(uuid.UUID(cid))
    row = _conversation(store, cid, project_id, user_id)
    link = runtime_task(store, cid)
    if row is not None and link is None:
        raise errors.validation("This conversation is not on the sandbox runtime.")
    has_content = bool(content and content.strip())
    title = str(content)[:80] if has_content else None
    stamp = now_iso()
    with store.tx() as db:
        if row is None:
            db.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, 'idle', 'assistant', 0, ?, ?, "
                "NULL, ?)",
                (cid, project_id, user_id, title, stamp, stamp, int(has_content)),
            )
        elif has_content and row["title"] is None:
            db.execute("UPDATE conversations SET title = ?, listed = 1 WHERE id = ?", (title, cid))
    store.touch_conversations()
    task_id = link["task_id"] if link is not None else (bind or str(uuid.uuid4()))
    run = _run(store, link["run_id"]) if link is not None else None
    live = run is not None and run["status"] not in TERMINAL
    handle = {"task_id": task_id, "trace_id": _echo(data, "trace_id")}
    if live and run is not None:  # a follow-up on the running run (or a reused warm one)
        handle |= {"run_id": run["id"], "run_status": run["status"], "just_created_run": False}
    else:
        new = _new_run(store, project_id, cid, task_id)
        handle |= {"run_id": new, "run_status": "queued", "just_created_run": True}
    if has_content:
        turn(state, handle["run_id"], str(content))
    store.count_write("conversation.open")
    return handle


def _echo(data: Any, name: str) -> Any:
    return data.get(name) if isinstance(data, dict) else None


def _run(store: Store, run_id: str) -> sqlite3.Row | None:
    return store.one("SELECT * FROM task_runs WHERE id = ?", (run_id,))


def _new_run(store: Store, project_id: int, cid: str, task_id: str) -> str:
    run_id, stamp = str(uuid.uuid4()), now_iso()
    with store.tx() as db:
        db.execute(
            "INSERT INTO task_runs VALUES (?, ?, ?, 'queued', ?, ?, NULL, 1, 1)",
            (run_id, task_id, project_id, stamp, stamp),
        )
        db.execute(
            "INSERT OR REPLACE INTO sandbox_runtime VALUES (?, ?, ?)", (cid, task_id, run_id)
        )
    return run_id


def append(store: Store, run_id: str, entries: list[dict[str, Any]]) -> None:
    """Add entries to a run's log, in order."""
    with store.tx() as db:
        seq = db.execute(
            "SELECT COALESCE(MAX(seq), -1) + 1 FROM run_log WHERE run_id = ?", (run_id,)
        ).fetchone()[0]
        db.executemany(
            "INSERT INTO run_log VALUES (?, ?, ?)",
            [(run_id, seq + i, dumps(e)) for i, e in enumerate(entries)],
        )


def turn(state: State, run_id: str, content: str) -> None:
    """Rule 3: the sandbox agent's whole turn, logged at once; the run is in progress."""
    stamp = now_iso()
    reply = REPLY.format(words=len(content.split()))
    words = state.settings.words_per_frame
    entries = [
        wire.user_message(content, stamp),
        *wire.agent_chunks(run_id, str(uuid.uuid4()), reply, words, stamp),
        wire.turn_complete(run_id, "end_turn", stamp),
    ]
    append(state.store, run_id, entries)
    with state.store.tx() as db:
        db.execute(
            "UPDATE task_runs SET status = 'in_progress', updated_at = ? WHERE id = ?",
            (stamp, run_id),
        )


def task_run(store: Store, project_id: int, task_id: str, run_id: str) -> sqlite3.Row:
    """Rule 4: the run at ``tasks/{task_id}/runs/{run_id}/``, or PostHog's 404s."""
    if not is_uuid(task_id) or not store.one(
        "SELECT 1 FROM task_runs WHERE task_id = ? AND team_id = ?",
        (str(uuid.UUID(task_id)), project_id),
    ):
        raise errors.ApiError(404, errors.body("invalid_request", "not_found", "Task not found"))
    run = store.one(
        "SELECT * FROM task_runs WHERE id = ? AND task_id = ? AND team_id = ?",
        (
            str(uuid.UUID(run_id)) if is_uuid(run_id) else run_id,
            str(uuid.UUID(task_id)),
            project_id,
        ),
    )
    if run is None:
        raise errors.not_found()
    return run


def log_entries(store: Store, run_id: str) -> list[dict[str, Any]]:
    """A run's whole log, oldest first."""
    rows = store.read("SELECT body FROM run_log WHERE run_id = ? ORDER BY seq", (run_id,))
    return [json.loads(r["body"]) for r in rows]


def _command_body(data: Any) -> tuple[str, dict[str, Any], Any]:
    """``TaskRunCommandRequestSerializer``: method, params, id."""
    data = v.json_object(data)
    v.choice(data, "jsonrpc", ("2.0",), required=True)
    method = str(v.choice(data, "method", METHODS, required=True))
    params = data.get("params", {})
    if params is None:
        raise errors.validation("This field may not be null.", "params", "null")
    if not isinstance(params, dict):
        raise errors.validation(
            f'Expected a dictionary of items but got type "{type(params).__name__}".',
            "params",
            "not_a_dict",
        )
    ident = data.get("id")
    # PostHog's check is isinstance(str, int, float): a JSON true passes it, as here.
    if ident is not None and not isinstance(ident, str | int | float):
        raise errors.validation("id must be a string or number", "id")
    _method_params(method, params)
    return method, params, ident


def _nonempty(params: dict[str, Any], key: str) -> None:
    value = params.get(key)
    if not isinstance(value, str) or not value.strip():
        raise errors.validation(f"{key} is required and must be a non-empty string", "params")


def _method_params(method: str, params: dict[str, Any]) -> None:
    if method == "user_message":
        content, ids = params.get("content"), params.get("artifact_ids")
        if content is not None and not isinstance(content, str):
            raise errors.validation("content must be a string when provided", "params")
        if ids is not None and (
            not isinstance(ids, list) or not all(isinstance(i, str) and i.strip() for i in ids)
        ):
            raise errors.validation("artifact_ids must be a list of non-empty strings", "params")
        if not (content or "").strip() and not ids:
            raise errors.validation(
                "user_message requires a non-empty content string, artifact_ids, or both",
                "params",
            )
    elif method == "permission_response":
        _nonempty(params, "requestId")
        _nonempty(params, "optionId")
    elif method == "set_config_option":
        _nonempty(params, "configId")
        _nonempty(params, "value")


def command(state: State, run: sqlite3.Row, data: Any) -> dict[str, Any]:
    """Rule 5: ``POST …/runs/{run_id}/command/`` — the answer body (or a 400)."""
    method, params, ident = _command_body(data)
    if run["status"] in TERMINAL or not run["live"]:
        raise errors.plain_error(400, NO_SANDBOX)
    state.store.count_write("task_run.command")
    if method == "user_message":
        turn(state, run["id"], str(params.get("content") or "").strip())
        return {"result": {"queued": True}}
    if method == "close":
        stamp = now_iso()
        with state.store.tx() as db:
            db.execute(
                "UPDATE task_runs SET live = 0, status = 'completed', updated_at = ?, "
                "completed_at = ? WHERE id = ?",
                (stamp, stamp, run["id"]),
            )
    answer = AGENT_ANSWERS.get(method)
    if answer is None:
        error = {"code": -32000, "message": f"Unknown method: {method}"}
        return {"jsonrpc": "2.0", "id": ident, "error": error}
    return {"jsonrpc": "2.0", "id": ident, "result": answer}


def stream_frames(store: Store, run: sqlite3.Row) -> list[bytes]:
    """Rule 2 of ``runtime_log``: the run's stream — its entries then its state — or the
    error frame of a run whose stream is gone (a seeded run from before the sandbox)."""
    if not run["streamed"]:
        return [wire.NO_STREAM]
    frames = [*log_entries(store, run["id"]), wire.state_frame(run)]
    return [f"data: {dumps(f)}\n\n".encode() for f in frames]
