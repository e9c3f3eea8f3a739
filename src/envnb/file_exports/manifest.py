"""A download folder's manifest: which runs are landed, their files, hashes and row counts.

Rule 1. A file is written under ``.partial/`` and moved into the folder only after its
        sha256 and row count are known and its run's totals agree; the manifest is rewritten
        (to a temporary name, then renamed) after each run lands. So a file outside
        ``.partial/`` that the manifest lists is complete and verified; anything else is not.
Rule 2. A run in the manifest is reused by a later download of the same request into the
        same folder; a run that is not there is fetched again from the start.
Rule 3. ``verify`` re-reads every listed file: size, sha256 and row count must match.
Rule 4. A download with a relative bound ("-7d", "now") records the window it resolved to
        under the bounds as asked (``windows``). Until every run of that window has landed,
        the same request into the folder resumes that window, whatever the clock says; once
        it is complete, a repeat resolves the bounds afresh (and reuses any run that matches).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import FileExportError, RequestValidationError
from .rules import Plan

NAME = "manifest.json"
PARTIAL = ".partial"
VERSION = 1
_CHUNK = 1024 * 1024
# What a write that found no room raises: a full disk, a quota, a file-size limit.
NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


@dataclass
class LandedFile:
    """One verified file."""

    name: str
    bytes: int
    sha256: str
    rows: int


@dataclass
class LandedRun:
    """One verified run: its span, PostHog's run id and count, and its files."""

    start: str
    end: str
    run_id: str
    records_completed: int
    files: list[LandedFile] = field(default_factory=list)


@dataclass
class Manifest:
    """What a folder holds (see the module rules)."""

    request: dict[str, Any]
    runs: dict[str, LandedRun] = field(default_factory=dict)  # by span key, in span order
    windows: dict[str, list[str]] = field(default_factory=dict)  # Rule 4: as asked → [start, end]
    # A HogQL download without rows: its [name, DuckDB type] pairs (no file tells them).
    columns: list[list[str]] | None = None

    @classmethod
    def open(cls, folder: Path, request: dict[str, Any]) -> Manifest:
        """The folder's manifest, or a new one; RequestValidationError if the folder holds
        another request's files."""
        path = folder / NAME
        if not path.exists():
            return cls(request)
        try:
            data = json.loads(path.read_text())
            runs = {
                key: LandedRun(**{**run, "files": [LandedFile(**f) for f in run["files"]]})
                for key, run in data["runs"].items()
            }
            found = data["request"]
            windows = {str(k): [str(v[0]), str(v[1])] for k, v in data.get("windows", {}).items()}
            columns = data.get("columns")
        except (ValueError, KeyError, TypeError) as exc:
            raise FileExportError(f"{path}: not an envnb download manifest ({exc})") from None
        if found != request:
            raise RequestValidationError(
                f"folder: {folder} holds a download of {found}, not {request}; "
                "choose another folder",
                attr="folder",
            )
        return cls(request, runs, windows, columns)

    def save(self, folder: Path) -> None:
        """Write atomically (Rule 1)."""
        data = {
            "version": VERSION,
            "request": self.request,
            "runs": {key: asdict(run) for key, run in self.runs.items()},
            "windows": self.windows,
            "columns": self.columns,
        }
        temporary = folder / (NAME + ".tmp")
        text = json.dumps(data, indent=1)
        try:
            temporary.write_text(text)
        except OSError as exc:
            temporary.unlink(missing_ok=True)  # the last whole manifest stays
            if exc.errno not in NO_ROOM:
                raise
            raise out_of_room(folder, NAME, len(text.encode()), 0, exc) from None
        os.replace(temporary, folder / NAME)


def landing_folder(folder: Path) -> Path:
    """The folder to land in, created if missing; RequestValidationError (before anything is
    sent) when it, or a folder above it, is an existing file."""
    for place in (folder, *folder.parents):
        if place.exists():
            if not place.is_dir():
                what = "is" if place == folder else f"is inside {place}, which is"
                raise RequestValidationError(
                    f"folder: {folder} {what} a file, not a folder; give a folder (it is "
                    "created if missing)",
                    attr="folder",
                )
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileExportError(f"{folder}: cannot create the folder: {exc.strerror}") from None
    return folder


def resume_window(manifest: Manifest, plan: Plan) -> Plan:
    """Rule 4: the plan over the window to land (the manifest is updated, not saved)."""
    if plan.relative is None:
        return plan
    recorded = manifest.windows.get(plan.relative)
    if recorded is not None:
        earlier = plan.over(*map(datetime.fromisoformat, recorded))
        if any(span.key not in manifest.runs for span in earlier.spans):
            return earlier  # not finished: finish it, whatever the clock says now
    manifest.windows[plan.relative] = [plan.start.isoformat(), plan.end.isoformat()]
    return plan


def out_of_room(
    folder: Path, what: str, needed: int | None, written: int, exc: OSError
) -> FileExportError:
    """The error of a write that found no room (``NO_ROOM``), naming folder and bytes."""
    try:
        free = f"{shutil.disk_usage(folder).free:,} bytes free there"
    except OSError:
        free = "free space unknown"
    need = f"{needed:,} bytes" if needed is not None else f"more than {written:,} bytes"
    return FileExportError(
        f"{folder}: no room to write {what}: it needs {need}, {written:,} were written before "
        f"the file system refused ({exc.strerror}; {free}). Nothing already verified was "
        "lost and no partial file was kept: make room and call download() again to resume"
    )


class Hasher:
    """sha256 and size of a file as its bytes stream past."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0

    def update(self, chunk: bytes) -> None:
        """Feed bytes."""
        self._hash.update(chunk)
        self.size += len(chunk)

    def hexdigest(self) -> str:
        """The sha256 so far."""
        return self._hash.hexdigest()


def sha256_of(path: Path) -> tuple[str, int]:
    """A file's sha256 and size, read in chunks."""
    hasher = Hasher()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest(), hasher.size


def reader_sql(file_format: str) -> str:
    """The DuckDB table function reading one format (compression follows the file name)."""
    return "read_parquet" if file_format == "Parquet" else "read_json_auto"


def rows_in(path: Path, file_format: str) -> int:
    """The rows a file holds, as DuckDB reads them (a truncated file raises FileExportError)."""
    import duckdb  # only a download needs it; ``import envnb`` stays light

    con = duckdb.connect(":memory:")
    try:
        found = con.execute(
            f"SELECT count(*) FROM {reader_sql(file_format)}(?)", [str(path)]
        ).fetchone()
    except duckdb.Error as exc:
        raise FileExportError(f"{path.name}: cannot be read as {file_format}: {exc}") from None
    finally:
        con.close()
    return int(found[0]) if found else 0


def verify(folder: Path, manifest: Manifest, spans: list[str]) -> None:
    """Rule 3 for the runs of ``spans``; FileExportError naming the first file that differs."""
    file_format = manifest.request["format"]
    for key in spans:
        for landed in manifest.runs[key].files:
            path = folder / landed.name
            if not path.exists():
                raise FileExportError(f"{landed.name}: listed in the manifest but missing")
            digest, size = sha256_of(path)
            if size != landed.bytes or digest != landed.sha256:
                raise FileExportError(
                    f"{landed.name}: {size} bytes with sha256 {digest[:12]}…, the manifest "
                    f"recorded {landed.bytes} bytes with sha256 {landed.sha256[:12]}… "
                    "(changed or truncated since it was downloaded)"
                )
            rows = rows_in(path, file_format)
            if rows != landed.rows:
                raise FileExportError(
                    f"{landed.name}: {rows} rows, the manifest recorded {landed.rows}"
                )
