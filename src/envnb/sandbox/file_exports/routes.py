"""HTTP of file-download exports: parse the request, call the backend, shape the answer.

The six operations of contract §13 under ``/api/projects/{id}/file_download_batch_exports/``
and the object store the ``download/`` redirect points to (``/object-store/...``), which
needs no API key, as a presigned S3 URL needs none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from envnb.sandbox.query.hogql import HogQLError

from .. import errors
from ..context import Ctx, State
from ..paging import page
from .backend import FileExports, FileRun
from .requests import parse_create

OBJECT_PREFIX = "/object-store/"
_CHUNK = 64 * 1024


def _backend(ctx: Ctx) -> FileExports:
    backend = ctx.state.file_exports
    backend.tick(ctx.state.ops.clock, ctx.state.events)
    return backend


def _run(ctx: Ctx) -> FileRun:
    run = _backend(ctx).run(ctx.project_id, ctx.params["id"])
    if run is None:
        raise errors.not_found()
    return run


def _body(ctx: Ctx) -> dict[str, object]:
    if not isinstance(ctx.data, dict):
        raise errors.validation(
            f"Invalid data. Expected a dictionary, but got {type(ctx.data).__name__}."
        )
    return ctx.data


def create(ctx: Ctx) -> Response:
    """POST: 202 ``{"id"}``, or 429 above the concurrency limit."""
    backend = _backend(ctx)
    request = parse_create(_body(ctx), ctx.state.ops.clock.now())
    run = backend.create(ctx.project_id, request, ctx.state.ops.clock)
    ctx.store.count_write("file_export.create")
    return JSONResponse({"id": run.id}, status_code=202)


def list_runs(ctx: Ctx) -> Response:
    """GET: the page envelope of ``{id, status}``, newest first."""
    runs = _backend(ctx).team_runs(ctx.project_id)

    def fetch(limit: int, offset: int) -> list[dict[str, object]]:
        return [{"id": r.id, "status": r.status} for r in runs[offset : offset + limit]]

    return JSONResponse(page(ctx.request, len(runs), fetch))


def retrieve(ctx: Ctx) -> Response:
    """GET one: its shape depends on its status."""
    ctx.state.file_exports.count_read(ctx.project_id, ctx.params["id"])
    run = _run(ctx)
    answer: dict[str, object] = {"status": run.status}
    if run.status == "Completed":
        answer["files"] = [file_id for file_id, _ in run.files]
        answer["records_completed"] = run.records
    if run.error is not None:
        answer["error"] = run.error
    return JSONResponse(answer)


def download(ctx: Ctx) -> Response:
    """GET download[/part]: 302 to a signed object-store URL, never cached."""
    run = _run(ctx)
    backend = ctx.state.file_exports
    file_id, path = backend.file_for(run, ctx.params.get("part"))
    expires, token = backend.sign(file_id, ctx.state.ops.clock)
    base = str(ctx.request.base_url).rstrip("/")
    url = (
        f"{base}{OBJECT_PREFIX}file-downloads/{file_id}/{quote(path.name)}"
        f"?expires={expires}&token={token}"
    )
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})


def cancel(ctx: Ctx) -> Response:
    """POST cancel: ``{"status"}``; 400 unless Starting/Running."""
    run = _run(ctx)
    status = ctx.state.file_exports.cancel(run)
    ctx.store.count_write("file_export.cancel")
    return JSONResponse({"status": status})


def count_rows(ctx: Ctx) -> Response:
    """POST count_rows: ``{"count"}`` of a HogQL query with its bounds."""
    request = parse_create(_body(ctx), ctx.state.ops.clock.now(), counting=True)
    try:
        count = ctx.state.file_exports.count_rows(request, ctx.state.events)
    except HogQLError as exc:
        raise errors.validation(exc.message, None, exc.code) from None
    return JSONResponse({"count": count})


def _s3_error(status: int, code: str) -> Response:
    body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code></Error>"
    return Response(body, status_code=status, media_type="application/xml")


async def serve_object(state: State, request: Request) -> Response:
    """The object store: a signed link's file, streamed; no API key asked for or needed."""
    backend = state.file_exports
    number = backend.record_object_request(dict(request.headers))
    parts = request.url.path[len(OBJECT_PREFIX) :].split("/")
    if len(parts) != 3 or parts[0] != "file-downloads" or request.method != "GET":
        return _s3_error(404, "NoSuchKey")
    query = request.query_params
    found = backend.object_path(
        parts[1], query.get("expires", ""), query.get("token", ""), state.ops.clock
    )
    if isinstance(found, str):
        return _s3_error(404 if found == "NoSuchKey" else 403, found)
    stall = backend.stall_bytes if backend.stall_request == number else None
    size = found.stat().st_size
    with backend.lock:
        drop = backend.drop_objects > 0
        backend.drop_objects -= int(drop)

    async def body() -> AsyncIterator[bytes]:
        sent, hold = 0, stall
        with found.open("rb") as handle:
            if drop:  # half the promised bytes, then the connection breaks
                yield handle.read(size // 2)
                raise ConnectionAbortedError("the object store dropped the connection")
            while chunk := handle.read(_CHUNK):
                if hold is not None and sent + len(chunk) > hold:
                    head, chunk = chunk[: hold - sent], chunk[hold - sent :]
                    sent, hold = sent + len(head), None
                    yield head
                    backend.stalled.set()
                    await anyio.to_thread.run_sync(backend.release.wait)
                sent += len(chunk)
                yield chunk

    headers = {
        "Content-Length": str(size),
        "Content-Disposition": f'attachment; filename="{found.name}"',
    }
    return StreamingResponse(body(), headers=headers, media_type="application/octet-stream")
