"""HTTP of PostHog AI's second runtime and of AI usage: open a conversation, a task run's
stream, commands and session logs, and ``ai_usage/``. The rules are in :mod:`.runtime`,
:mod:`.runtime_log` and :mod:`.usage`."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime

from starlette.responses import JSONResponse, Response, StreamingResponse

from .. import validate as v
from ..context import Ctx
from . import runtime, usage
from . import runtime_log as wire

DEFAULT_LIMIT, MAX_LIMIT = 1000, 5000


def open_conversation(ctx: Ctx) -> Response:
    """POST conversations/{id}/open/ — create or resume a sandbox-runtime conversation."""
    handle = runtime.open_conversation(
        ctx.state, ctx.project_id, ctx.key.user_id, ctx.params["id"], ctx.data
    )
    return JSONResponse(handle)


def _run(ctx: Ctx) -> sqlite3.Row:
    return runtime.task_run(ctx.store, ctx.project_id, ctx.params["task_id"], ctx.params["run_id"])


def run_stream(ctx: Ctx) -> Response:
    """GET tasks/{task_id}/runs/{run_id}/stream/ — the run's frames as SSE."""
    frames = runtime.stream_frames(ctx.store, _run(ctx))

    async def body() -> AsyncIterator[bytes]:
        for frame in frames:
            yield frame

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def run_command(ctx: Ctx) -> Response:
    """POST tasks/{task_id}/runs/{run_id}/command/ — a JSON-RPC command for the run."""
    return JSONResponse(runtime.command(ctx.state, _run(ctx), ctx.data))


def run_session_logs(ctx: Ctx) -> Response:
    """GET tasks/{task_id}/runs/{run_id}/session_logs/ — the run's log, filtered."""
    run = _run(ctx)
    query = dict(ctx.request.query_params)
    after_text = v.moment(query, "after")
    limit = v.integer(query, "limit", 1, MAX_LIMIT)
    offset = v.integer(query, "offset", 0, 2**63 - 1)
    entries = runtime.log_entries(ctx.store, run["id"])
    kept = wire.select(
        entries,
        after=datetime.fromisoformat(after_text.replace("Z", "+00:00")) if after_text else None,
        event_types=query.get("event_types"),
        exclude_types=query.get("exclude_types"),
        offset=offset or 0,
        limit=DEFAULT_LIMIT if limit is None else limit,
    )
    headers = {
        "X-Total-Count": str(len(entries)),
        "X-Filtered-Count": str(len(kept)),
        "Cache-Control": "no-cache",
    }
    return JSONResponse(kept, headers=headers)


def ai_usage(ctx: Ctx) -> Response:
    """GET ai_usage/ — PostHog AI credits (a conversation's, a product's, the project's)."""
    return JSONResponse(usage.report(ctx.store, ctx.project_id, dict(ctx.request.query_params)))
