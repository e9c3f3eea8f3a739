"""What a handler sees: the shared sandbox state and one request's context."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from . import errors
from .auth import KeyInfo
from .batch_exports import catchup
from .batch_exports.sim import OpsState
from .conversations.queue import ConversationQueues
from .file_exports.backend import FileExports
from .store import Store

if TYPE_CHECKING:
    from .conversations.streamlog import StreamLog
    from .faults import FaultEngine
    from .query.events import EventsDB
    from .query.state import Runs


@dataclass
class Settings:
    """Tunables of a running sandbox."""

    stream_delay: float = 0.02
    words_per_frame: int = 4
    keepalive: float = 15.0


@dataclass
class State:
    """Everything the app shares between requests."""

    store: Store
    project_id: int
    settings: Settings
    faults: FaultEngine
    events: EventsDB
    runs: Runs
    streams: dict[str, StreamLog] = field(default_factory=dict)
    ops: OpsState = field(default_factory=OpsState)
    file_exports: FileExports = field(default_factory=FileExports)
    conversations: ConversationQueues = field(default_factory=ConversationQueues)


@dataclass
class Ctx:
    """One request: state, the caller, path params, parsed JSON body."""

    request: Request
    state: State
    key: KeyInfo
    project_id: int
    params: dict[str, str]
    data: Any

    @property
    def store(self) -> Store:
        """The sandbox's store."""
        return self.state.store

    def tick(self, *, full: bool = True) -> None:
        """Bring runs and backfills up to the simulated clock (``full``: all seeded history)."""
        with self.store.tx() as db:
            catchup.tick(db, self.state.ops, self.project_id, full=full)

    def live_row(self, table: str) -> sqlite3.Row:
        """The row of ``table`` (our own constant) with the path's ``{id}``, in this project
        and not deleted, or 404."""
        row = self.store.one(
            f"SELECT * FROM {table} WHERE id = ? AND team_id = ? AND deleted = 0",
            (self.params["id"], self.project_id),
        )
        if row is None:
            raise errors.not_found()
        return row

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self.request.method
