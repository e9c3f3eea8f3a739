"""The files a file-download run writes: one SELECT per model, copied out by DuckDB.

Rules of this module:
1. The rows come from the seeded population (events, persons, person_distinct_ids,
   sessions; read under the database's lock, as Arrow); the files are written by a
   separate DuckDB connection, because the query connection has file access switched off
   (HogQL must never reach the disk).
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
# Ids are written as text, as PostHog's S3 files carry them.
_EVENTS = """
SELECT CAST(e.uuid AS VARCHAR) AS uuid, e.event, e.properties, e.distinct_id,
       {team} AS team_id, e.timestamp, e.created_at, e.elements_chain,
       CAST(e.person_id AS VARCHAR) AS person_id,
       coalesce(p.properties, '{{}}') AS person_properties,
       coalesce(CAST(json_extract(e.properties, '$."$set"') AS VARCHAR), '{{}}') AS "set",
       coalesce(CAST(json_extract(e.properties, '$."$set_once"') AS VARCHAR), '{{}}')
           AS set_once
FROM events e LEFT JOIN persons p ON p.id = e.person_id
WHERE e.timestamp >= $start AND e.timestamp < $end ORDER BY e.timestamp, e.uuid
"""
# A persons export: one row per distinct id of each person created in the interval.
_PERSONS = """
SELECT {team} AS team_id, d.distinct_id, CAST(p.id AS VARCHAR) AS person_id, p.properties,
       0 AS person_version, 0 AS person_distinct_id_version, p.created_at,
       p.created_at AS _inserted_at, false AS is_deleted
FROM persons p JOIN person_distinct_ids d ON d.person_id = p.id
WHERE p.created_at >= $start AND p.created_at < $end ORDER BY p.created_at, d.distinct_id
"""
# A sessions export: the sessions that started in the interval, every column of the table.
_SESSIONS = """
SELECT {team} AS team_id, * REPLACE (CAST(session_id AS VARCHAR) AS session_id,
                                     CAST(person_id AS VARCHAR) AS person_id)
FROM sessions WHERE "$start_timestamp" >= $start AND "$start_timestamp" < $end
ORDER BY "$start_timestamp", session_id
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
        # DuckDB's limit is a 64-bit count: a larger size is no limit in practice.
        limit = min(int(spec.max_size_mb) * 1024 * 1024, 2**63 - 1)
        options.append(f"FILE_SIZE_BYTES {limit}")
    options.append(f"FILENAME_PATTERN '{stem}_{{i}}'")
    out = folder / stem
    con = duckdb.connect(":memory:", config={"threads": 2})
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("run_rows", rows)
        con.execute(f"COPY (SELECT * FROM run_rows) TO '{out}' ({', '.join(options)})")
    finally:
        con.close()
    # Without FILE_SIZE_BYTES (max_size_mb 0 or null: one file) DuckDB writes one file, not a
    # folder of parts.
    single = out.is_file()
    files = (
        [out]
        if single
        else sorted(out.iterdir(), key=lambda p: int(p.name.split("_")[-1].split(".")[0]))
    )
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
    if not single:
        out.rmdir()
    return named
