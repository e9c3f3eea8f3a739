"""HTTP of conversations (PostHog AI): list, retrieve, create-or-stream, append, cancel,
delete, and the message queue.

Each handler parses the request, calls :mod:`.backend` and serialises the answer.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response, StreamingResponse

from .. import paging
from ..context import Ctx
from . import backend, queue
from .streamlog import StreamLog


def list_conversations(ctx: Ctx) -> Response:
    """GET conversations/ — own, titled, visible conversations, newest update first."""
    params = (ctx.project_id, ctx.key.user_id)
    keys = backend.sort_keys(ctx.store, params)
    users = backend.users(ctx.store)

    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        rows = backend.page_rows(ctx.store, params, keys, limit, offset)
        found = backend.tasks(ctx.store, [r["id"] for r in rows])
        return [backend.minimal(r, users, found.get(r["id"])) for r in rows]

    return JSONResponse(paging.page(ctx.request, len(keys), fetch))


def retrieve(ctx: Ctx) -> Response:
    """GET conversations/{id}/ — 404 while the title is still null."""
    row = backend.visible(ctx.store, ctx.params["id"], ctx.project_id)
    return JSONResponse(backend.full(ctx.store, row))


def append_message(ctx: Ctx) -> Response:
    """POST conversations/{id}/append_message/ — store an ai message without running AI."""
    row = backend.owned(ctx.store, ctx.params["id"], ctx.project_id, ctx.key.user_id)
    message_id = backend.append_message(ctx.state, row, ctx.data)
    return JSONResponse({"id": message_id}, status_code=201)


def cancel(ctx: Ctx) -> Response:
    """PATCH conversations/{id}/cancel/ — 204; a running (or queued, starting) reply stops."""
    row = backend.owned(ctx.store, ctx.params["id"], ctx.project_id, ctx.key.user_id)
    backend.cancel(ctx.state, row)
    return Response(status_code=204)


def create(ctx: Ctx) -> Response:
    """POST conversations/ — start a reply (content) or follow a running one (null)."""
    log: StreamLog = backend.reply(ctx.state, ctx.project_id, ctx.key.user_id, ctx.data)
    return StreamingResponse(
        log.follow(ctx.state.settings.keepalive),
        status_code=200,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def destroy(ctx: Ctx) -> Response:
    """DELETE conversations/{id}/ — soft delete, 204; then 404 "Conversation does not exist"."""
    row = backend.owned(ctx.store, ctx.params["id"], ctx.project_id, ctx.key.user_id)
    backend.soft_delete(ctx.store, row)
    return Response(status_code=204)


def queue_list_or_add(ctx: Ctx) -> Response:
    """GET/POST conversations/{id}/queue/ — the queue; POST adds a message (409 when full)."""
    cid = ctx.params["id"]
    queue.queue_owner(ctx.store, cid, ctx.project_id, ctx.key.user_id)
    queues = ctx.state.conversations
    if ctx.request.method == "POST":
        queues.enqueue(cid, queue.new_message(ctx.data, backend.AGENT_MODES))
        ctx.store.count_write("conversation.enqueue")
    return JSONResponse(queue.answer(queues, cid))


def queue_item(ctx: Ctx) -> Response:
    """PATCH/DELETE conversations/{id}/queue/{queue_id}/ — edit or remove a queued message."""
    cid = ctx.params["id"]
    queue.queue_owner(ctx.store, cid, ctx.project_id, ctx.key.user_id)
    queues = ctx.state.conversations
    item = queues.find(cid, ctx.params["queue_id"])
    if ctx.request.method == "PATCH":
        item["content"] = queue.new_content(ctx.data)
    else:
        queues.delete(cid, item["id"])
    return JSONResponse(queue.answer(queues, cid))


def queue_clear(ctx: Ctx) -> Response:
    """POST conversations/{id}/queue/clear/ — empty the queue."""
    cid = ctx.params["id"]
    queue.queue_owner(ctx.store, cid, ctx.project_id, ctx.key.user_id)
    ctx.state.conversations.clear(cid)
    return JSONResponse(queue.answer(ctx.state.conversations, cid))
