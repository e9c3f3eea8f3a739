"""State and rules of file-download exports (no HTTP here; ``routes`` speaks HTTP).

As PostHog's ``FileDownloadBatchExportOnDemandViewSet`` (products/batch_exports/backend/
presentation/views/file_download.py):
Rule 1. A run is Starting, then Running, then Completed (files written) or Failed, on the
        sandbox's simulated clock: ``start_delay`` then ``duration`` simulated seconds after
        its creation (or on its ``finish_after_reads``-th GET). Nothing runs in the
        background; every read brings runs up to the clock.
Rule 2. At most ``max_concurrent`` Starting/Running runs per team; one more is refused with
        429 ``too_many_concurrent_file_downloads``.
Rule 3. (``requests``) The interval is at most seven days and not in the future; a HogQL
        query's placeholders need their bounds; the 400s use PostHog's words.
Rule 4. ``download/`` answers 302 to ``/object-store/...`` signed with an HMAC token that
        expires (``link_ttl``), like a presigned S3 URL; the object store needs no API key and
        records the headers it was sent (``object_requests``), so a test can prove the client
        sent no key there.
Rule 5. ``fail_runs`` makes the next N runs fail with ``fail_error`` (a fault); a HogQL query
        the engine cannot run fails its run with the engine's message.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from envnb.sandbox.query.events import EventsDB
from envnb.sandbox.query.hogql import HogQLError

from .. import errors
from ..clock import Clock
from .requests import FAILED, RUNNING, Request, hogql_sql
from .writer import FileSpec, WriteError, model_sql, write

TOO_MANY = "Too many concurrent file download batch exports for this team."


@dataclass
class FileRun:
    """One run of a file-download export."""

    id: str
    team_id: int
    model: str
    spec: FileSpec
    start: datetime | None
    end: datetime | None
    hogql: str | None
    created: float  # simulated epoch seconds
    include: list[str] | None = None
    exclude: list[str] | None = None
    status: str = "Starting"
    reads: int = 0  # GETs of this run (see ``finish_after_reads``)
    error: str | None = None
    records: int | None = None
    files: list[tuple[str, Path]] = field(default_factory=list)  # (file id, path), by key


class FileExports:
    """Every file-download run of the sandbox, the files they wrote and the object store."""

    def __init__(self) -> None:
        self.runs: dict[str, FileRun] = {}
        self.max_concurrent = 5
        self.start_delay = 0.05
        self.duration = 0.2
        self.link_ttl = 3600.0
        # Set, a run ends on its N-th GET instead of on the clock: a test can then know that
        # a run is still going when the next create arrives, whatever the machine's speed.
        self.finish_after_reads: int | None = None
        self.fail_runs = 0
        self.fail_error = "An error occurred while exporting: the sandbox was told to fail"
        self.object_requests: list[dict[str, str]] = []
        self.refused = 0  # creates answered 429 (Rule 2)
        # The object store can hang mid-file (a test kills its client there): after
        # ``stall_bytes`` bytes of the ``stall_request``-th object request, it waits for
        # ``release``; ``stalled`` is set when it got there.
        self.drop_objects = 0  # the next N object requests break off after half the file
        self.stall_request: int | None = None
        self.stall_bytes = 0
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.lock = threading.RLock()
        self._dir: tempfile.TemporaryDirectory[str] | None = None  # made by the first run
        self._secret = secrets.token_bytes(32)

    # ---- creating and reading runs --------------------------------------------------------

    def create(self, team_id: int, request: Request, clock: Clock) -> FileRun:
        """Start a run (Rule 2: 429 above the concurrency limit)."""
        with self.lock:
            busy = [r for r in self.runs.values() if r.team_id == team_id and r.status in RUNNING]
            if len(busy) >= self.max_concurrent:
                self.refused += 1
                raise errors.ApiError(
                    429, errors.body("server_error", "too_many_concurrent_file_downloads", TOO_MANY)
                )
            run = FileRun(
                id=str(uuid.uuid4()),
                team_id=team_id,
                model=request.model,
                spec=request.spec,
                start=request.start,
                end=request.end,
                hogql=request.hogql,
                created=clock.epoch(),
                include=request.include,
                exclude=request.exclude,
            )
            self.runs[run.id] = run
            return run

    def team_runs(self, team_id: int) -> list[FileRun]:
        """The team's runs, newest first (PostHog orders by ``-created_at``)."""
        with self.lock:
            return [r for r in reversed(self.runs.values()) if r.team_id == team_id]

    def run(self, team_id: int, run_id: str) -> FileRun | None:
        """One run of the team, or None."""
        with self.lock:
            run = self.runs.get(run_id)
            return run if run is not None and run.team_id == team_id else None

    def tick(self, clock: Clock, events: EventsDB) -> None:
        """Rule 1: bring every unfinished run up to the clock (writing files when done)."""
        now = clock.epoch()
        with self.lock:
            for run in self.runs.values():
                if run.status == "Starting" and now >= run.created + self.start_delay:
                    run.status = "Running"
                if self.finish_after_reads is not None:
                    done = run.reads >= self.finish_after_reads
                else:
                    done = now >= run.created + self.start_delay + self.duration
                if run.status in RUNNING and done:
                    self._finish(run, events)

    def count_read(self, team_id: int, run_id: str) -> None:
        """One more GET of a run (it may finish on it: ``finish_after_reads``)."""
        with self.lock:
            run = self.run(team_id, run_id)
            if run is not None:
                run.reads += 1

    def cancel(self, run: FileRun) -> str:
        """Cancel a Starting/Running run; PostHog's 400 for any other status."""
        with self.lock:
            if run.status not in RUNNING:
                raise errors.validation(f"Cannot cancel a run that is in '{run.status}' status")
            run.status = "Cancelled"
            return run.status

    def _finish(self, run: FileRun, events: EventsDB) -> None:
        if self.fail_runs > 0:
            self.fail_runs -= 1
            run.status, run.error = "Failed", self.fail_error
            return
        try:
            rows = self._rows(run, events)
            paths = write(rows, run.spec, self._folder() / run.id, "export")
        except (HogQLError, WriteError) as exc:
            run.status, run.error = "Failed", str(exc)
            return
        run.records = rows.num_rows
        run.files = [(str(uuid.uuid4()), path) for path in paths]
        run.status = "Completed"

    def _folder(self) -> Path:
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="envnb-sandbox-files-")
        return Path(self._dir.name)

    def close(self) -> None:
        """Delete every file the runs wrote (the sandbox stops)."""
        with self.lock:
            if self._dir is not None:
                self._dir.cleanup()
                self._dir = None
            for run in self.runs.values():
                run.files = []

    def _rows(self, run: FileRun, events: EventsDB) -> Any:
        if run.model == "hogql":
            assert run.hogql is not None
            sql = hogql_sql(run.hogql, run.start, run.end, events.now())
            params: dict[str, Any] = {}
        else:
            sql = model_sql(run.model, run.team_id)
            params = {"start": run.start, "end": run.end}
            sql = _filter_events(sql, run.include, run.exclude, params)
        with events.lock:
            con = events.connection()
            try:
                return con.sql(sql, params=params).to_arrow_table()
            except Exception as exc:  # duckdb.Error: the engine's words become the run's error
                raise HogQLError(f"The sandbox could not run this query: {exc}") from None

    def count_rows(self, request: Request, events: EventsDB) -> int:
        """Rows the HogQL query gives with these bounds."""
        assert request.hogql is not None
        sql = hogql_sql(request.hogql, request.start, request.end, events.now())
        with events.lock:
            con = events.connection()
            try:
                # fetchall, not fetchone: a result left unfinished makes the connection's
                # next query fail ("connection has an unfinished result").
                found = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()
            except Exception as exc:  # duckdb.Error
                raise HogQLError(f"The sandbox could not run this query: {exc}") from None
        return int(found[0][0]) if found else 0

    # ---- links and the object store ------------------------------------------------------

    def file_for(self, run: FileRun, part: str | None) -> tuple[str, Path]:
        """The file a ``download/[part]`` asks for: by id, by index, or the first."""
        if run.status in RUNNING:
            raise errors.validation("Batch export run is still in progress")
        if run.status in FAILED:
            raise errors.validation("Batch export run has failed")
        if run.status == "Cancelled":
            raise errors.validation("Batch export run was cancelled")
        for file_id, path in run.files:
            if part == file_id:
                return file_id, path
        try:
            index = int(part) if part is not None else 0
        except ValueError:
            raise errors.validation(f"Invalid file id or index: '{part}'") from None
        if index < 0 or index >= len(run.files):
            raise errors.ApiError(
                404, errors.body("invalid_request", "not_found", f"No files with index {index}")
            )
        return run.files[index]

    def sign(self, file_id: str, clock: Clock) -> tuple[int, str]:
        """An expiry (simulated epoch) and a token for one file."""
        expires = int(clock.epoch() + self.link_ttl)
        return expires, self._token(file_id, expires)

    def _token(self, file_id: str, expires: int) -> str:
        message = f"{file_id}:{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def object_path(self, file_id: str, expires: str, token: str, clock: Clock) -> Path | str:
        """The file behind a signed link, or the reason it is refused."""
        try:
            when = int(expires)
        except ValueError:
            return "AccessDenied"
        if not hmac.compare_digest(self._token(file_id, when), token):
            return "SignatureDoesNotMatch"
        if clock.epoch() > when:
            return "AccessDenied"  # S3: "Request has expired"
        with self.lock:
            for run in self.runs.values():
                for fid, path in run.files:
                    if fid == file_id:
                        return path
        return "NoSuchKey"

    def record_object_request(self, headers: dict[str, str]) -> int:
        """Remember what the object store was sent; the request's number (1-based)."""
        with self.lock:
            self.object_requests.append(headers)
            return len(self.object_requests)


def _filter_events(
    sql: str, include: list[str] | None, exclude: list[str] | None, params: dict[str, Any]
) -> str:
    """Events' ``include``/``exclude``: only / all but these event names."""
    if include:
        params["include"] = include
        sql = f"SELECT * FROM ({sql}) WHERE list_contains($include, event)"
    if exclude:
        params["exclude"] = exclude
        sql = f"SELECT * FROM ({sql}) WHERE NOT list_contains($exclude, event)"
    return sql
