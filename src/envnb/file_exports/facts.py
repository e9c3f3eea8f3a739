"""What PostHog says about file-download exports (contract §13; file_download.py)."""

from __future__ import annotations

from datetime import timedelta

MODELS = ("events", "persons", "sessions", "hogql")
FORMATS = ("Parquet", "JSONLines")
COMPRESSIONS = ("zstd", "gzip", "brotli", "lz4", "snappy")
MAX_RUN = timedelta(days=7)  # FILE_DOWNLOAD_MAX_RANGE
DEFAULT_MAX_SIZE_MB = 1024
PLACEHOLDERS = ("data_interval_start", "data_interval_end")
RUNNING = ("Starting", "Running")
FAILED = ("Failed", "FailedRetryable", "FailedBilling", "Terminated", "TimedOut")
TOO_MANY = "too_many_concurrent_file_downloads"  # the 429's code: wait for a run to end
# File name extension by format, and the suffix a compressed JSON Lines file gets.
EXTENSIONS = {"Parquet": ".parquet", "JSONLines": ".jsonl"}
JSON_SUFFIXES = {"gzip": ".gz", "zstd": ".zst", "brotli": ".br", "lz4": ".lz4", "snappy": ".sz"}

# The columns of each model's files (an S3 batch export's), as DuckDB types: what an empty
# download (no run had a row, so PostHog wrote no file) reads as. HogQL's come from its query.
_TS = "TIMESTAMP WITH TIME ZONE"
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "events": (
        ("uuid", "VARCHAR"), ("event", "VARCHAR"), ("properties", "VARCHAR"),
        ("distinct_id", "VARCHAR"), ("team_id", "INTEGER"), ("timestamp", _TS),
        ("created_at", _TS), ("elements_chain", "VARCHAR"), ("person_id", "VARCHAR"),
        ("person_properties", "VARCHAR"), ("set", "VARCHAR"), ("set_once", "VARCHAR"),
    ),
    "persons": (
        ("team_id", "INTEGER"), ("distinct_id", "VARCHAR"), ("person_id", "VARCHAR"),
        ("properties", "VARCHAR"), ("person_version", "INTEGER"),
        ("person_distinct_id_version", "INTEGER"), ("created_at", _TS), ("_inserted_at", _TS),
        ("is_deleted", "BOOLEAN"),
    ),
    "sessions": (
        ("team_id", "INTEGER"), ("session_id", "VARCHAR"), ("distinct_id", "VARCHAR"),
        ("person_id", "VARCHAR"), ("$start_timestamp", _TS), ("$end_timestamp", _TS),
        ("duration", "BIGINT"), ("$session_duration", "BIGINT"), ("$entry_current_url", "VARCHAR"),
        ("$entry_pathname", "VARCHAR"), ("$end_current_url", "VARCHAR"),
        ("$end_pathname", "VARCHAR"), ("$entry_utm_source", "VARCHAR"),
        ("$entry_utm_medium", "VARCHAR"), ("$entry_utm_campaign", "VARCHAR"),
        ("$entry_referring_domain", "VARCHAR"), ("$pageview_count", "BIGINT"),
        ("$autocapture_count", "BIGINT"), ("$is_bounce", "BOOLEAN"), ("$channel_type", "VARCHAR"),
    ),
}  # fmt: skip

# A HogQL export's columns when it has no file: PostHog's query API types (ClickHouse's) as
# DuckDB reads the files' ones. The first matching prefix wins; anything else is text.
WRAPPERS = ("Nullable(", "LowCardinality(")
DUCKDB_TYPES: tuple[tuple[str, str], ...] = (
    ("DateTime", _TS), ("Date", "DATE"), ("UInt64", "UBIGINT"), ("Int", "BIGINT"),
    ("UInt", "BIGINT"), ("Float", "DOUBLE"), ("Decimal", "DOUBLE"), ("Bool", "BOOLEAN"),
)  # fmt: skip


def duckdb_type(clickhouse: str) -> str:
    """The DuckDB type of a ClickHouse type name (``Nullable(DateTime64(6, 'UTC'))`` …)."""
    name = clickhouse.strip()
    while name.startswith(WRAPPERS) and name.endswith(")"):
        name = name[name.index("(") + 1 : -1]
    return next((duck for prefix, duck in DUCKDB_TYPES if name.startswith(prefix)), "VARCHAR")
