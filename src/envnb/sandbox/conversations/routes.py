"""Conversation endpoints (PostHog AI): list, retrieve, create-or-stream, append, cancel."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from starlette.responses import JSONResponse, Response, StreamingResponse

from .. import errors, paging
from .. import validate as v
from .._util import is_uuid, now_iso
from ..context import Ctx
from . import stream
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
_LIST_WHERE = "team_id = ? AND user_id = ? AND listed = 1"


def _users(ctx: Ctx) -> dict[int, dict[str, Any]]:
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
        for r in ctx.store.read("SELECT * FROM users")
    }


def minimal(row: sqlite3.Row, users: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The minimal conversation serializer (list, SSE ``conversation`` events)."""
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
    }


def messages(ctx: Ctx, row: sqlite3.Row) -> list[dict[str, Any]]:
    """Seeded history (generated from the seed) followed by stored messages."""
    out = history(row["id"], int(row["history"])) if row["history"] is not None else []
    out += [
        json.loads(m["body"])
        for m in ctx.store.read(
            "SELECT body FROM messages WHERE conversation_id = ? ORDER BY seq", (row["id"],)
        )
    ]
    return out


def full(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    """The full serializer (retrieve).

    ``pending_approvals`` is the API field; ``approval_decisions`` is only the database column
    behind it and is never returned [src: PH:frontend/src/generated/openapi.yaml @1404d6c
    ``Conversation``]. The sandbox's responder never asks for approval, so it is empty.
    """
    return {
        **minimal(row, _users(ctx)),
        "messages": messages(ctx, row),
        "has_unsupported_content": False,
        "agent_mode": None,
        "pending_approvals": [],
    }


def _sort_keys(ctx: Ctx, params: tuple[int, int]) -> list[tuple[str, str]]:
    """(updated_at, id) of every listed conversation in list order, cached between writes.

    Deep OFFSETs re-scan the index on every page (~40 ms at offset 100k); with the keys in
    memory any page, sequential or concurrent, is one keyset seek.
    """
    store = ctx.store
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


def list_conversations(ctx: Ctx) -> Response:
    """GET conversations/ — own, titled, visible conversations, newest update first."""
    params = (ctx.project_id, ctx.key.user_id)
    store = ctx.store
    keys = _sort_keys(ctx, params)
    users = _users(ctx)

    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        sql = f"SELECT * FROM conversations WHERE {_LIST_WHERE} "
        if offset == 0:
            args: tuple[Any, ...] = (*params, limit)
        else:
            sql += "AND (updated_at, id) < (?, ?) "
            args = (*params, *keys[offset - 1], limit)
        rows = store.read(sql + "ORDER BY updated_at DESC, id DESC LIMIT ?", args)
        return [minimal(r, users) for r in rows]

    return JSONResponse(paging.page(ctx.request, len(keys), fetch))


def _visible(ctx: Ctx) -> sqlite3.Row:
    """A team conversation that the list filters would show (any member may read it)."""
    row = ctx.store.one(
        "SELECT * FROM conversations WHERE id = ? AND team_id = ? AND title IS NOT NULL "
        "AND type IN ('assistant','deep_research','slack') AND is_internal = 0",
        (ctx.params["id"], ctx.project_id),
    )
    if row is None:
        raise errors.not_found()
    return row


def _owned(ctx: Ctx) -> sqlite3.Row:
    """A conversation of the caller (append_message and cancel are owner-only)."""
    row = ctx.store.one(
        "SELECT * FROM conversations WHERE id = ? AND team_id = ? AND user_id = ?",
        (ctx.params["id"], ctx.project_id, ctx.key.user_id),
    )
    if row is None:
        raise errors.not_found()
    return row


def retrieve(ctx: Ctx) -> Response:
    """GET conversations/{id}/ — 404 while the title is still null."""
    return JSONResponse(full(ctx, _visible(ctx)))


def append_message(ctx: Ctx) -> Response:
    """POST conversations/{id}/append_message/ — store an ai message without running AI."""
    row = _owned(ctx)
    data = v.json_object(ctx.data)
    content = v.string(data, "content", required=True, max_length=10000)
    message = {"type": "ai", "content": content, "id": str(uuid.uuid4())}
    stream.store_message(ctx.state, row["id"], message)
    ctx.store.count_write("conversation.append")
    return JSONResponse({"id": message["id"]}, status_code=201)


def cancel(ctx: Ctx) -> Response:
    """PATCH conversations/{id}/cancel/ — idempotent 204; a running reply stops."""
    row = _owned(ctx)
    if row["status"] in ("canceling", "idle"):
        return Response(status_code=204)
    with ctx.store.tx() as db:
        db.execute("UPDATE conversations SET status = 'canceling' WHERE id = ?", (row["id"],))
    ctx.store.touch_conversations()
    ctx.store.count_write("conversation.cancel")
    running = ctx.state.streams.get(row["id"])
    if running is not None and not running.done:
        running.cancel_requested = True
    else:
        # Nothing is producing (e.g. after a restart): the workflow is already gone.
        with ctx.store.tx() as db:
            db.execute("UPDATE conversations SET status = 'idle' WHERE id = ?", (row["id"],))
    return Response(status_code=204)


def _sse(ctx: Ctx, log: stream.StreamLog) -> StreamingResponse:
    return StreamingResponse(
        log.follow(ctx.state.settings.keepalive),
        status_code=200,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def create(ctx: Ctx) -> Response:
    """POST conversations/ — start a reply (content) or follow a running one (null)."""
    data = v.json_object(ctx.data)
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
    if v.boolean(data, "deep_research_mode"):
        raise errors.server_error()  # docs era: NotImplementedError
    cid = str(uuid.UUID(conversation_id))
    row = ctx.store.one("SELECT * FROM conversations WHERE id = ?", (cid,))
    if row is not None and (row["user_id"] != ctx.key.user_id or row["team_id"] != ctx.project_id):
        raise errors.plain_error(400, "Cannot access other users' conversations")
    if row is None and content is None:
        raise errors.plain_error(400, "Cannot stream from non-existent conversation")
    if row is not None and content is not None and row["status"] != "idle":
        raise errors.conflict("Cannot resume streaming with a new message")
    if content is None:
        assert row is not None
        if row["status"] == "idle" and data.get("resume_payload") is None:
            raise errors.validation("Cannot continue streaming from an idle conversation")
        running = ctx.state.streams.get(cid)
        if running is None:
            raise errors.validation("Cannot continue streaming from an idle conversation")
        return _sse(ctx, running)
    return _sse(ctx, _start(ctx, cid, row, content))


def _start(ctx: Ctx, cid: str, row: sqlite3.Row | None, content: str) -> stream.StreamLog:
    stamp = now_iso()
    human = {"type": "human", "content": content, "id": str(uuid.uuid4())}
    with ctx.store.tx() as db:
        if row is None:
            db.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, NULL, 'in_progress', "
                "'assistant', 0, ?, ?, NULL, 0)",
                (cid, ctx.project_id, ctx.key.user_id, stamp, stamp),
            )
        else:
            db.execute(
                "UPDATE conversations SET status = 'in_progress', updated_at = ? WHERE id = ?",
                (stamp, cid),
            )
    ctx.store.touch_conversations()
    stream.store_message(ctx.state, cid, human)
    ctx.store.count_write("conversation.message")
    fresh = ctx.store.one("SELECT * FROM conversations WHERE id = ?", (cid,))
    assert fresh is not None
    return stream.start(ctx.state, minimal(fresh, _users(ctx)), human, ctx.key.user_id)
