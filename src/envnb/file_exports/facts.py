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
