"""SQLite state of the sandbox: one connection guarded by a lock, plus request counters."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, distinct_id TEXT NOT NULL,
  first_name TEXT NOT NULL, last_name TEXT NOT NULL, email TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
  key TEXT PRIMARY KEY, user_id INTEGER NOT NULL, scopes TEXT, project_ids TEXT,
  label TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_exports (
  id TEXT PRIMARY KEY, team_id INTEGER NOT NULL, name TEXT NOT NULL, model TEXT,
  dest_type TEXT NOT NULL, dest_config TEXT NOT NULL, integration INTEGER,
  interval TEXT NOT NULL, interval_offset INTEGER, paused INTEGER NOT NULL,
  created_at TEXT NOT NULL, last_updated_at TEXT NOT NULL, last_paused_at TEXT,
  start_at TEXT, end_at TEXT, hogql_query TEXT, schema TEXT, filters TEXT,
  timezone TEXT, deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS batch_exports_list
  ON batch_exports (team_id, deleted, created_at DESC, id);
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, batch_export_id TEXT NOT NULL, status TEXT NOT NULL,
  records_completed INTEGER, latest_error TEXT, data_interval_start TEXT,
  data_interval_end TEXT NOT NULL, cursor TEXT, created_at TEXT NOT NULL, finished_at TEXT,
  last_updated_at TEXT NOT NULL, records_total_count INTEGER, bytes_exported INTEGER,
  backfill TEXT, records_failed INTEGER,
  due_at REAL, due_records INTEGER
);
CREATE INDEX IF NOT EXISTS runs_by_export ON runs (batch_export_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS runs_due ON runs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS runs_by_backfill ON runs (backfill) WHERE backfill IS NOT NULL;
CREATE TABLE IF NOT EXISTS backfills (
  id TEXT PRIMARY KEY, batch_export_id TEXT NOT NULL, team_id INTEGER NOT NULL,
  start_at TEXT, end_at TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL,
  finished_at TEXT, last_updated_at TEXT NOT NULL,
  adjusted_start_at TEXT, total_records_count INTEGER, total_runs INTEGER,
  runs_done INTEGER NOT NULL DEFAULT 0, started REAL, pace REAL
);
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY, team_id INTEGER NOT NULL, user_id INTEGER NOT NULL, title TEXT,
  status TEXT NOT NULL, type TEXT NOT NULL, is_internal INTEGER NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, history INTEGER,
  listed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
  conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);
CREATE TABLE IF NOT EXISTS profile_configs (
  id TEXT PRIMARY KEY, team_id INTEGER NOT NULL, scope TEXT NOT NULL, content TEXT NOT NULL,
  sidebar TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT, created_by INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS profile_configs_list
  ON profile_configs (team_id, deleted, created_at DESC, id);
"""
CONVERSATIONS_INDEX = """
CREATE INDEX IF NOT EXISTS conversations_list
  ON conversations (team_id, user_id, listed, updated_at DESC, id DESC)
"""


class Store:
    """The sandbox's database and counters; every access goes through ``with store.tx()``."""

    def __init__(self, path: str | None) -> None:
        self.path = path or ":memory:"
        # One connection shared by the server thread and the owner's thread (sb.create_key,
        # sb.stats), serialised by a lock: every statement is short.
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(SCHEMA)
        self.conn.execute(CONVERSATIONS_INDEX)
        self.lock = threading.RLock()
        self.requests = 0
        self.faults: Counter[str] = Counter()
        self.writes: Counter[str] = Counter()
        # Derived list data (sort keys, counts), valid until the next conversation write.
        self.list_cache: dict[tuple[Any, ...], Any] = {}

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """Run statements atomically under the lock."""
        with self.lock:
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Run one query and return all rows."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        """Run one query and return its first row or None."""
        with self.lock:
            row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
            return row

    def count_write(self, op: str, n: int = 1) -> None:
        """Record a side effect that happened (tests of "exactly once" read these)."""
        with self.lock:
            self.writes[op] += n

    def touch_conversations(self) -> None:
        """Invalidate cached conversation list data."""
        with self.lock:
            self.list_cache.clear()

    def meta(self, key: str) -> str | None:
        """Read a value from the meta table."""
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.conn.close()
