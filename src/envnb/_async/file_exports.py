"""``client.file_exports``: PostHog's file-download exports, and ``download()`` on top of them.

``download()`` plans ≤ 7-day runs (``file_exports.rules``), keeps at most ``concurrency`` of
them running on the server (a 429 ``too_many_concurrent_file_downloads`` means: wait for one
to end), polls them with growing waits, and lands each finished run's files: a fresh
presigned link per file, fetched with a separate HTTP client that sends no API key and no
PostHog header, streamed to ``.partial/`` while it is hashed, counted, checked against the
run's ``records_completed`` (and ``count_rows`` for HogQL), then moved into the folder and
recorded in the manifest (see ``file_exports.manifest``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

import anyio
import httpx

from .._core.arguments import Id, When, ident
from .._core.framing import Column
from .._core.request import RequestSpec
from .._core.retry import Done, Fail
from .._core.wire import failure_of
from ..errors import (
    FileExportError,
    RateLimitError,
    RequestValidationError,
    UnexpectedResponseError,
    describe_connection_error,
)
from ..file_exports import rules
from ..file_exports.download import Download
from ..file_exports.endpoints import FileExportEndpoints as Endpoints
from ..file_exports.facts import DEFAULT_MAX_SIZE_MB, RUNNING, TOO_MANY, duckdb_type
from ..file_exports.manifest import (
    NO_ROOM,
    PARTIAL,
    Hasher,
    LandedFile,
    LandedRun,
    Manifest,
    landing_folder,
    out_of_room,
    resume_window,
    rows_in,
)
from ..file_exports.models import FileExport
from ..file_exports.progress import Bars
from ._listing import AsyncListing
from ._transport import AsyncTransport
from .queries import AsyncQueries

FILE_EXPORT_COLUMNS = (Column("id", "string"), Column("status", "category"))
_REDIRECTS = (301, 302, 303, 307, 308)
_FILE_ATTEMPTS = 3


class AsyncFileExports(AsyncListing[FileExport]):
    """File-download exports of the project (scope ``batch_export``)."""

    def __init__(self, transport: AsyncTransport, progress: bool | None) -> None:
        super().__init__(transport, progress, Endpoints.list, Endpoints.get, FILE_EXPORT_COLUMNS)

    async def create(
        self,
        model: str,
        start: When = None,
        end: When = None,
        *,
        hogql: str | None = None,
        format: str = "Parquet",
        compression: str | None = None,
        max_size_mb: int | None = DEFAULT_MAX_SIZE_MB,
        include: list[str] | None = None,
        exclude: list[str] | None = None,
    ) -> str:
        """Start one run of at most seven days; its id (poll it with ``get``).

        Raises RequestValidationError before sending (unknown model, format or compression;
        a range in the future, reversed or over seven days; HogQL placeholders without their
        bound); RateLimitError (code ``too_many_concurrent_file_downloads``) when the project
        already has as many runs going as PostHog allows.
        """
        options = rules.file_options(format, compression, max_size_mb)
        body = rules.create_body(
            model,
            start,
            end,
            hogql=hogql,
            options=options,
            include=include,
            exclude=exclude,
            now=rules.now_utc(),
        )
        return (await self._transport.request(Endpoints.create.request(body=body))).id

    async def cancel(self, id: Id) -> FileExport:
        """Cancel a Starting/Running run (BadRequestError in PostHog's words otherwise)."""
        return await self._transport.request(Endpoints.cancel.request({"id": ident(id)}))

    async def count_rows(self, hogql: str, start: When = None, end: When = None) -> int:
        """Rows a HogQL export would give for these bounds (needs ``batch_export:write``)."""
        body = rules.create_body(
            "hogql",
            start,
            end,
            hogql=hogql,
            options=rules.FileOptions(),
            include=None,
            exclude=None,
            now=rules.now_utc(),
        )
        body.pop("file")
        return (await self._transport.request(Endpoints.count_rows.request(body=body))).count

    async def link(self, id: Id, part: int | str = 0) -> str:
        """The presigned URL of one file of a Completed run (by index or file id).

        It needs no key, and none must be sent to it. BadRequestError while the run is
        still in progress, failed or cancelled.
        """
        spec = Endpoints.download.request({"id": ident(id), "part": part})
        return await self._location(spec)

    async def _location(self, spec: RequestSpec[Any]) -> str:
        wire = self._transport.wire
        url = wire.url_for(spec)
        attempts = wire.attempts(spec)
        while True:
            try:
                resp = await self._transport.http.get(url, headers=wire.headers_for(url))
                if resp.status_code in _REDIRECTS and "location" in resp.headers:
                    return str(resp.url.join(resp.headers["location"]))
                out = attempts.on_response(resp.status_code, resp.headers, resp.content)
            except httpx.RequestError as exc:
                out = attempts.on_error(failure_of(exc), describe_connection_error(exc))
            if isinstance(out, Done):
                raise UnexpectedResponseError(
                    status=resp.status_code,
                    content_type=resp.headers.get("content-type", ""),
                    detail="expected a redirect to the file, got a JSON answer",
                    request=wire.info(spec),
                )
            if isinstance(out, Fail):
                raise out.error
            await anyio.sleep(out.wait)

    async def download(
        self,
        model: str = "events",
        start: When = "-30d",
        end: When = None,
        *,
        hogql: str | None = None,
        folder: str | os.PathLike[str] | None = None,
        format: str = "Parquet",
        compression: str | None = None,
        max_size_mb: int | None = DEFAULT_MAX_SIZE_MB,
        include: list[str] | None = None,
        exclude: list[str] | None = None,
        concurrency: int = 3,
        progress: bool | None = None,
    ) -> Download:
        """Land ``model`` between ``start`` and ``end`` (default: the last 30 days up to the
        start of this hour; relative bounds count from there) as verified files in
        ``folder``; a ``Download`` over them.

        The range is split into runs of at most seven days; at most ``concurrency`` run at
        once. A folder that already holds finished runs of the same request reuses them
        (a killed download resumes; a relative range finishes the window it started).
        ``hogql`` (with model ``"hogql"``) must filter on
        ``{data_interval_start}`` and ``{data_interval_end}``. Raises
        RequestValidationError before anything is sent (also for a ``folder`` that is a
        file); FileExportError naming the run's error and range when a run fails or is
        cancelled, when files and counts differ, or naming the folder and the bytes needed
        when the disk is full.
        """
        options = rules.file_options(format, compression, max_size_mb)
        plan = rules.plan(
            model,
            start,
            end,
            hogql=hogql,
            options=options,
            include=include,
            exclude=exclude,
            now=rules.now_utc(),
        )
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise RequestValidationError(
                f"concurrency: a whole number ≥ 1, got {concurrency!r}", attr="concurrency"
            )
        where = landing_folder(Path(folder if folder is not None else plan.default_folder()))
        manifest = Manifest.open(where, plan.identity())
        plan = resume_window(manifest, plan)
        manifest.save(where)  # the window is recorded before anything can be interrupted
        todo = [span for span in plan.spans if span.key not in manifest.runs]
        bars = Bars(self._progress if progress is None else progress, len(plan.spans))
        bars.runs_done(len(plan.spans) - len(todo))
        # No default headers, no auth: this client only ever talks to the object store.
        async with httpx.AsyncClient(
            timeout=self._transport.wire.settings.timeout, follow_redirects=False
        ) as objects:
            try:
                await self._run_all(plan, todo, where, manifest, objects, concurrency, bars)
            finally:
                bars.close()
        shutil.rmtree(where / PARTIAL, ignore_errors=True)
        landed = any(manifest.runs[span.key].files for span in plan.spans)
        if plan.hogql is not None and plan.spans and not landed:
            # No file says what the columns are: PostHog's query API does (no rows read).
            answer = await AsyncQueries(self._transport).run(plan.columns_query())
            types = answer.raw.get("types") or []
            manifest.columns = [[str(n), duckdb_type(str(t))] for n, t in types]
            manifest.save(where)
        return Download(where, manifest, [span.key for span in plan.spans])

    async def _run_all(
        self,
        plan: rules.Plan,
        todo: list[rules.Span],
        folder: Path,
        manifest: Manifest,
        objects: httpx.AsyncClient,
        concurrency: int,
        bars: Bars,
    ) -> None:
        waiting = list(todo)
        active: dict[str, rules.Span] = {}
        delays = rules.poll_delays()
        try:
            while waiting or active:
                changed = False
                while waiting and len(active) < concurrency:
                    try:
                        started = await self._transport.request(
                            Endpoints.create.request(body=plan.body(waiting[0]))
                        )
                    except RateLimitError as exc:
                        if exc.code != TOO_MANY:
                            raise
                        break  # the project is at PostHog's limit: wait for a run to end
                    active[started.id] = waiting.pop(0)
                    changed = True
                for run_id, span in list(active.items()):
                    run = await self.get(run_id)
                    if run.status in RUNNING:
                        continue
                    del active[run_id]
                    changed = True
                    if run.status != "Completed":
                        raise FileExportError(
                            f"run {run_id} for {span.start.isoformat()} – {span.end.isoformat()} "
                            f"ended {run.status}: {run.error or 'no error given'}",
                            run=run_id,
                            start=span.start,
                            end=span.end,
                        )
                    landed = await self._land(plan, span, run_id, run, folder, objects, bars)
                    manifest.runs[span.key] = landed
                    manifest.runs = dict(sorted(manifest.runs.items()))
                    manifest.save(folder)
                    bars.runs_done(1)
                if changed:
                    delays = rules.poll_delays()
                else:
                    await anyio.sleep(next(delays))
        finally:
            for run_id in active:  # stopped early: do not leave runs holding PostHog's slots
                with contextlib.suppress(Exception):  # best effort: the first error matters
                    await self.cancel(run_id)

    async def _land(
        self,
        plan: rules.Plan,
        span: rules.Span,
        run_id: str,
        run: FileExport,
        folder: Path,
        objects: httpx.AsyncClient,
        bars: Bars,
    ) -> LandedRun:
        partial = folder / PARTIAL
        partial.mkdir(exist_ok=True)
        files: list[LandedFile] = []
        for index, _file_id in enumerate(run.files or []):
            name = plan.file_name(span, index)
            landed = await self._fetch(run_id, index, partial / name, objects, bars)
            rows = rows_in(partial / name, plan.options.format)
            files.append(LandedFile(name, landed.size, landed.hexdigest(), rows))
        expected = run.records_completed or 0
        found = sum(f.rows for f in files)
        checks = [("the files hold", found)]
        if plan.hogql is not None:
            counted = await self.count_rows(plan.hogql, span.start, span.end)
            checks.append(("count_rows says", counted))
        for what, number in checks:
            if number != expected:
                raise FileExportError(
                    f"run {run_id} for {span.start.isoformat()} – {span.end.isoformat()}: "
                    f"PostHog reports {expected} records but {what} {number}",
                    run=run_id,
                    start=span.start,
                    end=span.end,
                )
        for landed_file in files:  # verified: now, and only now, they look complete
            os.replace(partial / landed_file.name, folder / landed_file.name)
        return LandedRun(span.start.isoformat(), span.end.isoformat(), run_id, expected, files)

    async def _fetch(
        self, run_id: str, index: int, path: Path, objects: httpx.AsyncClient, bars: Bars
    ) -> Hasher:
        for attempt in range(1, _FILE_ATTEMPTS + 1):
            url = await self.link(run_id, index)  # a fresh link: the last one may have expired
            hasher = Hasher()
            try:
                async with objects.stream("GET", url) as resp:
                    if resp.status_code != 200:
                        raise FileExportError(
                            f"run {run_id}: the object store answered {resp.status_code} for "
                            f"file {index}",
                            run=run_id,
                        )
                    try:
                        with path.open("wb") as out:
                            async for chunk in resp.aiter_bytes():
                                out.write(chunk)
                                hasher.update(chunk)
                                bars.bytes(len(chunk))
                            out.flush()
                            os.fsync(out.fileno())
                    except OSError as exc:
                        path.unlink(missing_ok=True)  # never a piece of a file left behind
                        if exc.errno not in NO_ROOM:
                            raise
                        size = resp.headers.get("content-length")
                        needed = int(size) if size and size.isdigit() else None
                        what = f"file {index} of run {run_id} ({path.name})"
                        raise out_of_room(
                            path.parent.parent, what, needed, hasher.size, exc
                        ) from None
            except httpx.TransportError as exc:
                path.unlink(missing_ok=True)
                if attempt == _FILE_ATTEMPTS:
                    # Not chained: the httpx error holds the presigned URL.
                    raise FileExportError(
                        f"run {run_id}: file {index} could not be fetched after "
                        f"{_FILE_ATTEMPTS} attempts: {describe_connection_error(exc)}",
                        run=run_id,
                    ) from None
                continue
            bars.file_done()
            return hasher
        raise AssertionError("unreachable")  # the loop returns or raises
