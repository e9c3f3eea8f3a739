"""State and rules of file-download exports (no HTTP here; ``routes`` speaks HTTP).

As PostHog's ``FileDownloadBatchExportOnDemandViewSet`` (products/batch_exports/backend/
presentation/views/file_download.py):
Rule 1. A run is Starting, then Running, then Completed (files written) or Failed, on the
        sandbox's simulated clock: ``start_delay`` then ``duration`` simulated seconds after
        its creation. Nothing runs in the background; every read brings runs up to the clock.
Rule 2. At most ``max_concurrent`` Starting/Running runs per team; one more is refused with
        429 ``too_many_concurrent_file_downloads``.
Rule 3. The interval is at most seven days and not in the future; HogQL placeholders need the
        bounds they reference; the 400s use PostHog's words.
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
import re
import secrets
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from envnb.sandbox.query.events import EventsDB
from envnb.sandbox.query.hogql import HogQLError, compile_hogql

from .. import errors
from ..clock import Clock
from .writer import FORMATS, FileSpec, WriteError, model_sql, write

MAX_RANGE = timedelta(days=7)
MODELS = ("events", "persons", "sessions", "hogql")
COMPRESSIONS = ("zstd", "gzip", "brotli", "lz4", "snappy")
RUNNING = ("Starting", "Running")
FAILED = ("Failed", "FailedRetryable", "FailedBilling", "Terminated", "TimedOut")
PLACEHOLDERS = ("data_interval_start", "data_interval_end")
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
    error: str | None = None
    records: int | None = None
    files: list[tuple[str, Path]] = field(default_factory=list)  # (file id, path), by key


@dataclass
class Request:
    """A create or count_rows body, validated."""

    model: str
    spec: FileSpec
    start: datetime | None
    end: datetime | None
    hogql: str | None
    include: list[str] | None
    exclude: list[str] | None


class FileExports:
    """Every file-download run of the sandbox, the files they wrote and the object store."""

    def __init__(self) -> None:
        self.runs: dict[str, FileRun] = {}
        self.max_concurrent = 5
        self.start_delay = 0.05
        self.duration = 0.2
        self.link_ttl = 3600.0
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
                done_at = run.created + self.start_delay + self.duration
                if run.status == "Running" and now >= done_at:
                    self._finish(run, events)

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
                found = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()
            except Exception as exc:  # duckdb.Error
                raise HogQLError(f"The sandbox could not run this query: {exc}") from None
        return int(found[0]) if found else 0

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


# ---- validation (Rule 3) ----------------------------------------------------------------


def _moment(data: dict[str, Any], name: str) -> datetime | None:
    value = data.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise errors.validation(
            "Datetime has wrong format. Use one of these formats instead: "
            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
            name,
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _file_spec(data: dict[str, Any]) -> FileSpec:
    file = data.get("file")
    if file is None:
        raise errors.required("file")
    if not isinstance(file, dict):
        raise errors.validation(
            f"Invalid data. Expected a dictionary, but got {type(file).__name__}.", "file"
        )
    fmt = file.get("format", "Parquet")
    if fmt not in FORMATS:
        raise errors.invalid_choice(fmt, "file__format")
    compression = file.get("compression")
    if compression is not None and compression not in COMPRESSIONS:
        raise errors.invalid_choice(compression, "file__compression")
    size = file.get("max_size_mb", 1024)
    if size is not None:
        if isinstance(size, bool) or not isinstance(size, int | str):
            raise errors.validation("A valid integer is required.", "file__max_size_mb")
        try:
            size = int(size)
        except ValueError:
            raise errors.validation("A valid integer is required.", "file__max_size_mb") from None
        if size < 0:
            raise errors.validation(
                "Ensure this value is greater than or equal to 0.", "file__max_size_mb", "min_value"
            )
    return FileSpec(format=fmt, compression=compression, max_size_mb=size)


def placeholders(hogql: str) -> list[str]:
    """The interval placeholders a query references, sorted."""
    return sorted(name for name in PLACEHOLDERS if "{" + name + "}" in hogql)


def _interval(
    start: datetime | None, end: datetime | None, hogql: str | None, now: datetime
) -> None:
    if hogql is not None:
        for name in placeholders(hogql):
            if {"data_interval_start": start, "data_interval_end": end}[name] is None:
                raise errors.validation(
                    f"'{name}' is required because the query references '{{{name}}}'.", name
                )
    elif start is None or end is None:
        raise errors.validation(
            "'data_interval_start' and 'data_interval_end' are required. Provide both bounds."
        )
    if start is not None and end is not None:
        if start > end:
            raise errors.validation("'data_interval_end' must occur after 'data_interval_start'")
        if end - start > MAX_RANGE:
            raise errors.validation(
                "data interval range too big. Choose an interval of at most seven days."
            )
    for name, value in (("data_interval_start", start), ("data_interval_end", end)):
        if value is not None and value > now:
            raise errors.validation(f"The provided '{name}' ({value.isoformat()}) is in the future")


def parse_create(data: dict[str, Any], now: datetime, *, counting: bool = False) -> Request:
    """A create (or, with ``counting``, a count_rows) body checked as PostHog checks it."""
    model = data.get("model")
    if model is None:
        raise errors.required("model")
    allowed = ("hogql",) if counting else MODELS
    if model not in allowed:
        raise errors.invalid_choice(model, "model")
    spec = FileSpec() if counting else _file_spec(data)
    start, end = _moment(data, "data_interval_start"), _moment(data, "data_interval_end")
    hogql = data.get("hogql_query")
    include, exclude = data.get("include"), data.get("exclude")
    if model == "hogql":
        if not hogql:
            if counting:
                raise errors.required("hogql_query")
            raise errors.validation("'hogql_query' is required when 'model' is 'hogql'")
        if not isinstance(hogql, str):
            raise errors.validation("Not a valid string.", "hogql_query")
        if include is not None or exclude is not None:
            raise errors.validation(
                "'include' and 'exclude' are not supported when 'model' is 'hogql'"
            )
    else:
        if hogql is not None:
            raise errors.validation("'hogql_query' is only supported when 'model' is 'hogql'")
        if data.get("hogql_modifiers") is not None:
            raise errors.validation("'hogql_modifiers' are only supported when 'model' is 'hogql'")
        for name, value in (("include", include), ("exclude", exclude)):
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                raise errors.validation(
                    f'Expected a list of items but got type "{type(value).__name__}".', name
                )
    _interval(start, end, hogql, now)
    if hogql is not None:
        try:  # a query the engine cannot read is refused now, as PostHog's validation does
            hogql_sql(hogql, start, end, now)
        except HogQLError as exc:
            raise errors.validation(exc.message, "hogql_query") from None
    if model != "events":
        include = exclude = None
    return Request(model, spec, start, end, hogql, include, exclude)


# ---- HogQL ------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(data_interval_start|data_interval_end)\}")


def hogql_sql(hogql: str, start: datetime | None, end: datetime | None, now: datetime) -> str:
    """DuckDB SQL of an export's HogQL: bounds put in, and no LIMIT added (an export is
    every row, unlike the query API's 100-row default)."""
    bounds = {"data_interval_start": start, "data_interval_end": end}

    def literal(found: re.Match[str]) -> str:
        value = bounds[found.group(1)]
        assert value is not None  # parse_create refused a missing bound
        return f"toDateTime('{value.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S.%f')}')"

    compiled = compile_hogql(_PLACEHOLDER.sub(literal, hogql), now)
    sql = compiled.sql
    if compiled.paginated:  # no LIMIT of its own: drop the one the query API adds
        tree = sqlglot.parse_one(sql, read="duckdb")
        assert isinstance(tree, exp.Select)
        tree.set("limit", None)
        sql = tree.sql("duckdb")
    if not compiled.names:
        return sql
    # The engine names columns by position; the files carry the names the query gave them.
    renames = ", ".join(
        f"{_quote(alias)} AS {_quote(name)}" for alias, name in compiled.names.items()
    )
    return f"SELECT * RENAME ({renames}) FROM ({sql})"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
