"""The files a file-download run writes: one SELECT per model, copied out by DuckDB.

Rules of this module:
1. The rows come from the sandbox's events database (read under its lock, as Arrow); the
   files are written by a separate DuckDB connection, because the query connection has
   file access switched off (HogQL must never reach the disk).
2. A model is one entry of ``MODELS``: the columns an S3 batch export of that model writes,
   as SQL over the seeded tables. A new model is a new entry, not a branch.
3. Files are split by DuckDB's ``FILE_SIZE_BYTES`` (PostHog's ``max_size_mb``; 0/None is one
   file) and named so that their order by name is the order PostHog lists them (by key).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

# Interval bounds are bound as parameters ($start, $end): [start, end) like a batch export.
_EVENTS = """
SELECT uuid, event, properties, distinct_id, {team} AS team_id, timestamp,
       timestamp AS created_at, '' AS elements_chain, person_id,
       '{{}}' AS person_properties, '{{}}' AS "set", '{{}}' AS set_once
FROM events WHERE timestamp >= $start AND timestamp < $end ORDER BY timestamp, uuid
"""
# Until the seeded persons table exists, a person is first seen with their first event.
_PERSONS = """
SELECT {team} AS team_id, distinct_id, person_id,
       json_object('plan', any_value(p_plan), '$browser', any_value(p_browser))::VARCHAR
           AS properties,
       0 AS person_version, 0 AS person_distinct_id_version, min(timestamp) AS created_at,
       min(timestamp) AS _inserted_at
FROM events GROUP BY distinct_id, person_id
HAVING min(timestamp) >= $start AND min(timestamp) < $end ORDER BY created_at, distinct_id
"""
# One session per person and UTC day of activity (the seed has no $session_id yet).
_SESSIONS = """
SELECT md5(distinct_id || CAST(date_trunc('day', timestamp) AS VARCHAR)) AS session_id,
       {team} AS team_id, any_value(distinct_id) AS distinct_id,
       min(timestamp) AS start_timestamp, max(timestamp) AS end_timestamp,
       count(*) AS event_count, count(*) FILTER (WHERE event = '$pageview') AS pageview_count,
       arg_min(p_current_url, timestamp) AS entry_current_url,
       arg_max(p_current_url, timestamp) AS end_current_url
FROM events GROUP BY distinct_id, date_trunc('day', timestamp)
HAVING min(timestamp) >= $start AND min(timestamp) < $end ORDER BY start_timestamp, session_id
"""
MODELS: dict[str, str] = {"events": _EVENTS, "persons": _PERSONS, "sessions": _SESSIONS}

# File format -> (DuckDB COPY format, extension, compressions DuckDB can write for it).
FORMATS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Parquet": ("parquet", "parquet", ("zstd", "gzip", "brotli", "lz4", "snappy")),
    "JSONLines": ("json", "jsonl", ("gzip", "zstd")),
}
# What a compressed JSON Lines file is called (Parquet compresses inside the file).
_JSON_SUFFIX = {"gzip": ".gz", "zstd": ".zst"}


class WriteError(Exception):
    """The run cannot write its files; the message becomes the run's ``error``."""


@dataclass(frozen=True)
class FileSpec:
    """How to write: PostHog's ``file`` object, validated."""

    format: str = "Parquet"
    compression: str | None = None
    max_size_mb: int | None = 1024


def model_sql(model: str, team_id: int) -> str:
    """The SELECT of one model (bounds as $start/$end parameters)."""
    return MODELS[model].format(team=int(team_id))


def write(rows: Any, spec: FileSpec, folder: Path, stem: str) -> list[Path]:
    """Write ``rows`` (an Arrow table) into ``folder``; the files in PostHog's list order."""
    duck_format, extension, allowed = FORMATS[spec.format]
    if spec.compression is not None and spec.compression not in allowed:
        raise WriteError(
            f"Compression '{spec.compression}' is not supported for {spec.format} files"
        )
    if rows.num_rows == 0:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    options = [f"FORMAT {duck_format}"]
    if spec.compression is not None:
        options.append(f"COMPRESSION {spec.compression}")
    if spec.max_size_mb:
        options.append(f"FILE_SIZE_BYTES {int(spec.max_size_mb) * 1024 * 1024}")
    options.append(f"FILENAME_PATTERN '{stem}_{{i}}'")
    out = folder / stem
    con = duckdb.connect(":memory:", config={"threads": 2})
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("run_rows", rows)
        con.execute(f"COPY (SELECT * FROM run_rows) TO '{out}' ({', '.join(options)})")
    finally:
        con.close()
    files = sorted(out.iterdir(), key=lambda p: int(p.name.split("_")[-1].split(".")[0]))
    suffix = (
        "."
        + extension
        + (_JSON_SUFFIX.get(spec.compression or "", "") if spec.format == "JSONLines" else "")
    )
    named: list[Path] = []
    for index, path in enumerate(files):
        final = folder / f"{stem}-{index:04d}{suffix}"
        os.replace(path, final)
        named.append(final)
    out.rmdir()
    return named
