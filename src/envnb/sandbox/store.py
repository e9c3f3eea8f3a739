"""SQLite state of the sandbox: one connection guarded by a lock, plus request counters.

A ``--db`` file is claimed for the life of the sandbox (an exclusive ``flock`` on POSIX), is
checked to be a sandbox database before anything is written to it, and every SQLite failure
while opening it becomes a :class:`SandboxDatabaseError` naming the file.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import weakref
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
-- A hogql export's source fields (PostHog's BatchExportSource), each JSON; tables of their
-- own, so a --db made before them needs no new column.
CREATE TABLE IF NOT EXISTS batch_export_sources (
  batch_export_id TEXT PRIMARY KEY, hogql_modifiers TEXT, primary_key TEXT, version_key TEXT,
  incremental_mode TEXT
);
CREATE TABLE IF NOT EXISTS integrations (
  id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL, kind TEXT NOT NULL,
  integration_id TEXT NOT NULL, config TEXT NOT NULL, sensitive_config TEXT NOT NULL,
  errors TEXT NOT NULL, created_at TEXT NOT NULL, created_by INTEGER
);
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
-- Soft-deleted conversations (PostHog keeps the row); a table of its own, so a --db made
-- before deletes existed needs no new column.
CREATE TABLE IF NOT EXISTS deleted_conversations (id TEXT PRIMARY KEY);
-- What the assistant asked the user to approve (PostHog's `approval_decisions` column, served
-- as `pending_approvals`), and the conversations of the second runtime (`agent_runtime:
-- "sandbox"`): tables of their own, so an older --db needs no new column.
CREATE TABLE IF NOT EXISTS approvals (
  proposal_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, decision_status TEXT NOT NULL,
  tool_name TEXT NOT NULL, preview TEXT NOT NULL, payload TEXT NOT NULL,
  original_tool_call_id TEXT, message_id TEXT, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sandbox_runtime (
  id TEXT PRIMARY KEY, task_id TEXT NOT NULL, run_id TEXT NOT NULL
);
-- The task runs behind them (products/tasks `TaskRun`; `live`: its sandbox still answers
-- commands, `streamed`: its stream is still readable) and each run's session log, one JSON
-- entry a row.
CREATE TABLE IF NOT EXISTS task_runs (
  id TEXT PRIMARY KEY, task_id TEXT NOT NULL, team_id INTEGER NOT NULL, status TEXT NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, completed_at TEXT,
  live INTEGER NOT NULL, streamed INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS task_runs_by_task ON task_runs (task_id);
CREATE TABLE IF NOT EXISTS run_log (
  run_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (run_id, seq)
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
CREATE TABLE IF NOT EXISTS projects (
  id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, name TEXT NOT NULL, api_token TEXT NOT NULL,
  timezone TEXT NOT NULL, created_at TEXT NOT NULL
);
"""
CONVERSATIONS_INDEX = """
CREATE INDEX IF NOT EXISTS conversations_list
  ON conversations (team_id, user_id, listed, updated_at DESC, id DESC)
"""


TABLES = frozenset(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA))


class SandboxDatabaseError(RuntimeError):
    """The sandbox's ``--db`` file cannot be used; the message names the file and why."""


class Store:
    """The sandbox's database and counters; every access goes through ``with store.tx()``."""

    def __init__(self, path: str | None) -> None:
        self.path = path or ":memory:"
        self._claim: weakref.finalize[Any, Any] | None = None
        self.lock = threading.RLock()
        with self.guard():
            if path is not None:
                fd = _claim(path)
                if fd is not None:  # released by close(), or when the store is collected
                    self._claim = weakref.finalize(self, os.close, fd)
            # One connection shared by the server thread and the owner's thread
            # (sb.create_key, sb.stats), serialised by a lock: every statement is short.
            self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            if path is not None:
                _refuse_foreign(self.conn, path)
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.executescript(SCHEMA)
            self.conn.execute(CONVERSATIONS_INDEX)
        self.requests = 0
        # Requests being handled, and a condition notified when none is (sb.wait_idle).
        self.in_flight = 0
        self.idle = threading.Condition(self.lock)
        self.faults: Counter[str] = Counter()
        self.writes: Counter[str] = Counter()
        self.keys_seen: Counter[str] = Counter()  # requests per presented key (sb.key_uses)
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

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn an SQLite error into a SandboxDatabaseError naming the file; release on error."""
        try:
            yield
        except (sqlite3.Error, OSError) as err:
            self.close()
            raise SandboxDatabaseError(f"sandbox database {self.path}: {_reason(err)}") from None
        except SandboxDatabaseError:
            self.close()
            raise

    def close(self) -> None:
        """Close the connection and give up the claim on the file."""
        with self.lock:
            conn = getattr(self, "conn", None)
            if conn is not None:
                conn.close()
            if self._claim is not None:
                # Only after SQLite closed: closing any descriptor of the file would drop
                # SQLite's own POSIX locks on it.
                self._claim()


def _claim(path: str) -> int | None:
    """Take an exclusive claim on ``path`` so a second sandbox cannot share it."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise SandboxDatabaseError(
            f"sandbox database {path}: the folder {folder} does not exist; create it first"
        )
    try:
        import fcntl
    except ImportError:  # Windows: no flock; SQLite's own locking is all there is
        return None
    fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise SandboxDatabaseError(
            f"sandbox database {path} is in use by another running sandbox; stop it, or "
            "pass another --db file"
        ) from None
    return fd


def _refuse_foreign(conn: sqlite3.Connection, path: str) -> None:
    """Refuse a database some other program made (before anything is written to it)."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    if not tables:
        return
    if "meta" in tables and conn.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone():
        return
    # Our own file whose first start stopped before seeding: only our tables, all empty.
    if set(tables) <= TABLES and not any(
        conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in tables
    ):
        return
    shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
    raise SandboxDatabaseError(
        f"{path} is not an envnb sandbox database (it holds the tables {shown}); it was left "
        "unchanged — pass a new file name, or a file a sandbox created"
    )


def _reason(err: BaseException) -> str:
    """What went wrong, in words (SQLite's own message, with a hint for the usual causes)."""
    text = str(err) or type(err).__name__
    hints = {
        "readonly": "the file (or its folder) is read-only; pass a writable --db file",
        "not a database": "the file is not an SQLite database, or it is corrupt",
        "malformed": "the database file is corrupt; pass a new --db file",
        "unable to open": "the file cannot be opened (a missing folder, or no permission)",
        "locked": "the file is locked by another program",
    }
    hint = next((h for needle, h in hints.items() if needle in text), "")
    return f"{hint} ({text})" if hint else text
