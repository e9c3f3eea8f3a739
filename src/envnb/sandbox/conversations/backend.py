"""Conversations' state and PostHog's rules: who sees which conversation, the serializers,
the checks of a new message, starting and cancelling a reply. No HTTP here: ``routes``
parses the request, calls these and serialises the answer (the reply itself is ``stream``).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from .. import errors
from .. import validate as v
from .._util import is_uuid, now_iso
from ..context import State
from ..store import Store
from . import approvals, stream
from .content import history

# PostHog's published AgentModeEnum [src: PH:frontend/src/generated/openapi.yaml @1404d6c].
AGENT_MODES = (
    "product_analytics",
    "sql",
    "session_replay",
    "error_tracking",
    "plan",
    "execution",
    "survey",
    "onboarding",
    "research",
    "flags",
    "llm_analytics",
)
_LIST_WHERE = (
    "team_id = ? AND user_id = ? AND listed = 1 "
    "AND id NOT IN (SELECT id FROM deleted_conversations)"
)


def users(store: Store) -> dict[int, dict[str, Any]]:
    return {
        int(r["id"]): {
            "id": r["id"],
            "uuid": r["uuid"],
            "distinct_id": r["distinct_id"],
            "first_name": r["first_name"],
            "last_name": r["last_name"],
            "email": r["email"],
            "is_email_verified": True,
            "hedgehog_config": None,
            "role_at_organization": None,
        }
        for r in store.read("SELECT * FROM users")
    }


def minimal(
    row: sqlite3.Row, users: dict[int, dict[str, Any]], task: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The minimal conversation serializer (list, SSE ``conversation`` events); ``topic`` and
    ``task`` as the newest PostHog lists them (contract §16; the sandbox sets no topic)."""
    return {
        "id": row["id"],
        "status": row["status"],
        "title": row["title"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "type": row["type"],
        "user": users.get(int(row["user_id"])),
        "is_internal": bool(row["is_internal"]),
        "slack_thread_key": None,
        "slack_workspace_domain": None,
        "topic": None,
        "task": task,
    }


def tasks(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The ``task`` of each sandbox-runtime conversation among ``ids`` — the fields PostHog's
    frontend reads, ``{id, latest_run}`` (PH:maxThreadLogic.test.ts)."""
    marks = ",".join("?" * len(ids))
    rows = store.read(f"SELECT * FROM sandbox_runtime WHERE id IN ({marks})", tuple(ids))
    return {r["id"]: {"id": r["task_id"], "latest_run": r["run_id"]} for r in rows}


def messages(store: Store, row: sqlite3.Row) -> list[dict[str, Any]]:
    """Seeded history (generated from the seed) followed by stored messages."""
    out = history(row["id"], int(row["history"])) if row["history"] is not None else []
    out += [
        json.loads(m["body"])
        for m in store.read(
            "SELECT body FROM messages WHERE conversation_id = ? ORDER BY seq", (row["id"],)
        )
    ]
    return out


def full(store: Store, row: sqlite3.Row) -> dict[str, Any]:
    """The full serializer (retrieve).

    ``pending_approvals`` is the API field; ``approval_decisions`` is only the database column
    behind it and is never returned [src: PH:frontend/src/generated/openapi.yaml @1404d6c
    ``Conversation``]. A conversation of the second runtime keeps its history in its task
    run's session logs, so its ``messages`` are ``[]`` (contract §16).
    """
    task = tasks(store, [row["id"]]).get(row["id"])
    return {
        **minimal(row, users(store), task),
        "messages": [] if task is not None else messages(store, row),
        "has_unsupported_content": False,
        "agent_mode": None,
        "agent_runtime": "sandbox" if task is not None else "langgraph",
        "is_sandbox": task is not None,
        "pending_approvals": approvals.listed(store, row["id"]),
    }


def sort_keys(store: Store, params: tuple[int, int]) -> list[tuple[str, str]]:
    """(updated_at, id) of every listed conversation in list order, cached between writes.

    Deep OFFSETs re-scan the index on every page (~40 ms at offset 100k); with the keys in
    memory any page, sequential or concurrent, is one keyset seek.
    """
    cache_key = ("conversation_keys", *params)
    with store.lock:
        keys = store.list_cache.get(cache_key)
        if keys is None:
            cursor = store.conn.execute(
                f"SELECT updated_at, id FROM conversations WHERE {_LIST_WHERE} "
                "ORDER BY updated_at DESC, id DESC",
                params,
            )
            cursor.row_factory = None  # plain tuples: 100k rows build in a blink
            keys = store.list_cache[cache_key] = cursor.fetchall()
        return keys


def page_rows(
    store: Store, params: tuple[int, int], keys: list[tuple[str, str]], limit: int, offset: int
) -> list[sqlite3.Row]:
    """One page of the list: a keyset seek after the ``offset``-th key."""
    sql = f"SELECT * FROM conversations WHERE {_LIST_WHERE} "
    if offset == 0:
        args: tuple[Any, ...] = (*params, limit)
    else:
        sql += "AND (updated_at, id) < (?, ?) "
        args = (*params, *keys[offset - 1], limit)
    return store.read(sql + "ORDER BY updated_at DESC, id DESC LIMIT ?", args)


def _not_deleted(store: Store, conversation_id: str) -> None:
    """A soft-deleted conversation answers PostHog's own 404 body (contract §16)."""
    if store.one("SELECT 1 FROM deleted_conversations WHERE id = ?", (conversation_id,)):
        raise errors.ApiError(404, {"error": "Conversation does not exist"})


def soft_delete(store: Store, row: sqlite3.Row) -> None:
    """DELETE conversations/{id}/: PostHog keeps the row, hidden from every read."""
    with store.tx() as db:
        db.execute("INSERT OR IGNORE INTO deleted_conversations VALUES (?)", (row["id"],))


def visible(store: Store, conversation_id: str, project_id: int) -> sqlite3.Row:
    """A team conversation that the list filters would show (any member may read it)."""
    _not_deleted(store, conversation_id)
    row = store.one(
        "SELECT * FROM conversations WHERE id = ? AND team_id = ? AND title IS NOT NULL "
        "AND type IN ('assistant','deep_research','slack') AND is_internal = 0",
        (conversation_id, project_id),
    )
    if row is None:
        raise errors.not_found()
    return row


def owned(store: Store, conversation_id: str, project_id: int, user_id: int) -> sqlite3.Row:
    """A conversation of the caller (append_message, cancel, delete are owner-only)."""
    _not_deleted(store, conversation_id)
    row = store.one(
        "SELECT * FROM conversations WHERE id = ? AND team_id = ? AND user_id = ?",
        (conversation_id, project_id, user_id),
    )
    if row is None:
        raise errors.not_found()
    return row


def append_message(state: State, row: sqlite3.Row, data: Any) -> str:
    """Store an ai message without running the AI; its id."""
    data = v.json_object(data)
    content = v.string(data, "content", required=True, max_length=10000)
    message_id = str(uuid.uuid4())
    stream.store_message(state, row["id"], {"type": "ai", "content": content, "id": message_id})
    state.store.count_write("conversation.append")
    return message_id


def cancel(state: State, row: sqlite3.Row) -> None:
    """Stop a running reply. Only ``canceling`` short-circuits: an idle conversation may be
    handing over to a queued turn, which this stops too (contract §16)."""
    if row["status"] == "canceling":
        return
    store = state.store
    running = state.streams.get(row["id"])
    if row["status"] == "idle" and running is None:
        return  # nothing runs: PostHog's cancel of no workflow is a 204 too
    store.count_write("conversation.cancel")
    with store.tx() as db:
        db.execute("UPDATE conversations SET status = 'canceling' WHERE id = ?", (row["id"],))
    store.touch_conversations()
    if running is not None and not running.done:
        running.cancel_requested = True
    else:
        # Nothing is producing (e.g. after a restart): the workflow is already gone.
        with store.tx() as db:
            db.execute("UPDATE conversations SET status = 'idle' WHERE id = ?", (row["id"],))


def reply(state: State, project_id: int, user_id: int, data: Any) -> stream.StreamLog:
    """POST conversations/: the log of the reply to follow — a new one for ``content``, the
    running one for ``content: null`` — after the serializer's and the viewset's checks."""
    state.conversations.check_quota()  # PostHog checks the AI credits before the body
    data = v.json_object(data)
    if "content" not in data:
        raise errors.required("content")
    content = v.string(data, "content", required=True, max_length=40000, allow_null=True)
    conversation_id = data.get("conversation")
    if conversation_id is None:
        raise errors.required("conversation")
    if not is_uuid(conversation_id):
        raise errors.validation("Must be a valid UUID.", "conversation")
    trace_id = data.get("trace_id")
    if trace_id is None:
        raise errors.required("trace_id")
    if not is_uuid(trace_id):
        raise errors.validation("Must be a valid UUID.", "trace_id")
    if data.get("agent_mode") is not None and data["agent_mode"] not in AGENT_MODES:
        raise errors.validation("Invalid agent mode.", "agent_mode")
    for name in ("contextual_tools",):
        if data.get(name) is not None and not isinstance(data[name], dict):
            raise errors.validation(
                f'Expected a dictionary of items but got type "{type(data[name]).__name__}".',
                name,
                "not_a_dict",
            )
    is_sandbox = v.boolean(data, "is_sandbox")
    if v.boolean(data, "deep_research_mode"):
        raise errors.server_error()  # docs era: NotImplementedError
    cid = str(uuid.UUID(conversation_id))
    row = state.store.one("SELECT * FROM conversations WHERE id = ?", (cid,))
    if row is not None and (row["user_id"] != user_id or row["team_id"] != project_id):
        raise errors.plain_error(400, "Cannot access other users' conversations")
    if row is not None:
        _not_deleted(state.store, cid)
    if row is None and content is None:
        raise errors.plain_error(400, "Cannot stream from non-existent conversation")
    runtime = row is not None and state.store.one(
        "SELECT 1 FROM sandbox_runtime WHERE id = ?", (cid,)
    )
    if is_sandbox or runtime:
        raise errors.validation("Sandbox conversations must be opened via the open endpoint.")
    if row is not None and content is not None and row["status"] != "idle":
        raise errors.conflict("Cannot resume streaming with a new message")
    if content is None:
        assert row is not None
        if row["status"] == "idle" and approvals.is_decision(data.get("resume_payload")):
            return _decide(state, row, data["resume_payload"], user_id)
        if row["status"] == "idle" and data.get("resume_payload") is None:
            raise errors.validation("Cannot continue streaming from an idle conversation")
        running = state.streams.get(cid)
        if running is None:
            raise errors.validation("Cannot continue streaming from an idle conversation")
        return running
    return _start(state, project_id, user_id, cid, row, content)


def _decide(
    state: State, row: sqlite3.Row, payload: dict[str, Any], user_id: int
) -> stream.StreamLog:
    """Approvals rule 2: record the decision, then a reply that acts on it."""
    entry = approvals.decide(state.store, row["id"], payload)
    feedback = payload.get("feedback") if isinstance(payload.get("feedback"), str) else None
    with state.store.tx() as db:
        db.execute(
            "UPDATE conversations SET status = 'in_progress', updated_at = ? WHERE id = ?",
            (now_iso(), row["id"]),
        )
    state.store.touch_conversations()
    state.store.count_write("conversation.decision")
    fresh = state.store.one("SELECT * FROM conversations WHERE id = ?", (row["id"],))
    assert fresh is not None
    conversation = minimal(fresh, users(state.store))
    return stream.resume_decision(state, conversation, entry, feedback, user_id)


def _start(
    state: State, project_id: int, user_id: int, cid: str, row: sqlite3.Row | None, content: str
) -> stream.StreamLog:
    if row is not None:
        approvals.auto_reject(state.store, cid)  # a new message instead of a decision
    stamp = now_iso()
    human = {"type": "human", "content": content, "id": str(uuid.uuid4())}
    with state.store.tx() as db:
        if row is None:
            db.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, NULL, 'in_progress', "
                "'assistant', 0, ?, ?, NULL, 0)",
                (cid, project_id, user_id, stamp, stamp),
            )
        else:
            db.execute(
                "UPDATE conversations SET status = 'in_progress', updated_at = ? WHERE id = ?",
                (stamp, cid),
            )
    state.store.touch_conversations()
    stream.store_message(state, cid, human)
    state.store.count_write("conversation.message")
    fresh = state.store.one("SELECT * FROM conversations WHERE id = ?", (cid,))
    assert fresh is not None
    return stream.start(state, minimal(fresh, users(state.store)), human, user_id)
