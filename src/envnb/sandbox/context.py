"""What a handler sees: the shared sandbox state and one request's context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from . import catchup
from .auth import KeyInfo
from .sim import OpsState
from .store import Store

if TYPE_CHECKING:
    from .events import EventsDB
    from .faults import FaultEngine
    from .query_state import Runs
    from .streamlog import StreamLog


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

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self.request.method
