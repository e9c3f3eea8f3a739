"""``Sandbox``: the emulator served by uvicorn on loopback from a background thread."""

from __future__ import annotations

import asyncio
import importlib
import logging
import socket
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar

import uvicorn

from . import arguments, auth
from . import seed as seeding
from .app import build_app
from .batch_exports import catchup
from .batch_exports.sim import OpsState
from .context import Settings, State
from .conversations.knobs import ConversationKnobs
from .faults import FaultEngine
from .file_exports.backend import FileExports
from .query.events import EventsDB
from .query.population import EVENTS, check_events
from .query.state import Runs
from .seed import MAIN_USER
from .store import Store

if TYPE_CHECKING:  # the sandbox needs no client at run time; these are for the annotations
    from envnb import AsyncClient, Client

FaultSpec = str | list[dict[str, Any]] | None
_T = TypeVar("_T")
# Hosts that mean "every interface" to bind(): never a URL to connect to.
WILDCARD_HOSTS = frozenset({"0.0.0.0", ""})


class _DropAbortNoise(logging.Filter):
    """Hide uvicorn's complaint when fault injection drops a connection on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that calls ``ready`` once it accepts connections (not merely bound)."""

    def __init__(self, config: uvicorn.Config, ready: Callable[[], object]) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self._ready()


def _checked(name: str, check: Callable[[object], _T], value: object) -> _T:
    """``check(value)``, its ValueError naming the argument as the CLI's names the flag."""
    try:
        return check(value)
    except ValueError as exc:
        raise ValueError(f"Sandbox({name}=...): {exc}") from None


class Sandbox(ConversationKnobs):
    """A seeded PostHog Environments API on 127.0.0.1 (``with Sandbox() as sb: ...``)."""

    def __init__(
        self,
        seed: int = 0,
        db: str | None = None,
        faults: FaultSpec = None,
        batch_exports: int = 12,
        conversations: int = 600,
        profile_configs: int = 8,
        host: str = "127.0.0.1",
        port: int = 0,
        stream_delay: float = 0.02,
        words_per_frame: int = 4,
        canary: bool = False,
        keepalive: float = 15.0,
        backfill_pace: float = 1.0,
        max_backfills: int = 10,
        export_intervals: tuple[str, ...] | None = None,
        clock: datetime | None = None,
        projects: int = 1,
        events: int | str = EVENTS,
    ) -> None:
        # The checks the CLI applies to its flags (arguments.py), before any state is made.
        port = _checked("port", arguments.port, port)
        batch_exports = _checked("batch_exports", arguments.count, batch_exports)
        conversations = _checked("conversations", arguments.count, conversations)
        profile_configs = _checked("profile_configs", arguments.count, profile_configs)
        projects = _checked("projects", arguments.positive, projects)
        max_backfills = _checked("max_backfills", arguments.count, max_backfills)
        words_per_frame = _checked("words_per_frame", arguments.positive, words_per_frame)
        backfill_pace = _checked("backfill_pace", arguments.seconds, backfill_pace)
        stream_delay = _checked("stream_delay", arguments.seconds, stream_delay)
        keepalive = _checked("keepalive", arguments.seconds, keepalive)
        if export_intervals is not None:
            export_intervals = _checked("export_intervals", arguments.intervals, export_intervals)
        size = _checked("events", check_events, events)
        self.seed = seed
        self.host = host
        self._port = port
        engine = FaultEngine(faults, seed)  # a bad spec fails before any state is made
        self.store = Store(db)  # SandboxDatabaseError names the file when it cannot be used
        with self.store.guard():
            seeding.seed(
                self.store,
                seed=seed,
                batch_exports=batch_exports,
                intervals=export_intervals,
                conversations=conversations,
                profile_configs=profile_configs,
                canary=canary,
                projects=projects,
            )
            with self.store.tx() as conn:
                # A reply cannot survive a restart: nothing is producing it any more.
                conn.execute("UPDATE conversations SET status = 'idle' WHERE status != 'idle'")
            self.project_id = int(self.store.meta("project_id") or 1)
            self._api_key = self.store.meta("api_key") or ""
        self.state = State(
            store=self.store,
            project_id=self.project_id,
            settings=Settings(
                stream_delay=stream_delay, words_per_frame=words_per_frame, keepalive=keepalive
            ),
            faults=engine,
            ops=OpsState(backfill_pace=backfill_pace, max_backfills=max_backfills),
            # The query API's clock: pinned by ``clock`` (tests), else the real time; the
            # events table ends where the clock stood when the sandbox was made.
            events=EventsDB(seed, clock, pinned=clock is not None, events=size),
            runs=Runs(),
        )
        self.app = build_app(self.state)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Sandbox {self.url if self.running else ''} {state}>".replace("  ", " ")

    # --- lifecycle -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Self:
        """Bind the port and serve from a daemon thread; returns once it accepts requests."""
        if self.running:
            return self
        sock = self._bind()
        self._socket = sock
        logging.getLogger("uvicorn.error").addFilter(_DropAbortNoise())
        server = uvicorn.Server(self._config())
        self._server = server
        self._thread = threading.Thread(
            target=self._serve, args=(server, sock), name=f"envnb-sandbox-{self._port}", daemon=True
        )
        self._thread.start()
        while not server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the sandbox server failed to start")
            self._thread.join(0.01)
        return self

    @staticmethod
    def _serve(server: uvicorn.Server, sock: socket.socket) -> None:
        asyncio.run(server.serve(sockets=[sock]))

    def serve_forever(self, announce: Callable[[Sandbox], None] | None = None) -> None:
        """Serve in the calling thread until interrupted; ``announce`` runs once listening."""
        sock = self._bind()
        logging.getLogger("uvicorn.error").addFilter(_DropAbortNoise())
        self._server = _AnnouncingServer(self._config(), lambda: announce and announce(self))
        try:
            self._server.run(sockets=[sock])
        finally:
            sock.close()
            self.state.events.close()
            self.state.file_exports.close()
            self.store.close()

    def _bind(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit TCP_NODELAY. Without it a keep-alive client waits ~40 ms
        # per request (Nagle vs delayed ACK on the header and body writes): measured 47 ms
        # -> 5 ms per request here.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self._port))
        self._port = sock.getsockname()[1]
        return sock

    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            # uvicorn's default closes an idle keep-alive connection after 5 s; PostHog's
            # front keeps it far longer. PostHog's CLI (node's fetch) holds its connection
            # through seconds of synchronous start-up work and then reuses it: with 5 s it met
            # a closed socket ("fetch failed: other side closed").
            timeout_keep_alive=75,
            ws="none",
        )

    def stop(self) -> None:
        """Stop serving and close the database."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self.state.events.close()
        self.state.file_exports.close()
        self.store.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what clients need ---------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        return self._port

    @property
    def listens_everywhere(self) -> bool:
        """Whether the host is the wildcard address (every interface of this machine)."""
        return self.host in WILDCARD_HOSTS

    @property
    def url(self) -> str:
        """Base URL, no trailing slash: one a client can reach.

        A wildcard host (``0.0.0.0``) is where to listen, not an address to connect to
        (browsers and some HTTP stacks refuse it): the URL names loopback instead.
        """
        host = "127.0.0.1" if self.listens_everywhere else self.host
        return f"http://{host}:{self._port}"

    @property
    def api_key(self) -> str:
        """The main user's legacy (unscoped) personal API key."""
        return self._api_key

    def env(self) -> dict[str, str]:
        """Environment variables that point envnb at this sandbox."""
        return {
            "POSTHOG_HOST": self.url,
            "POSTHOG_PERSONAL_API_KEY": self.api_key,
            "POSTHOG_PROJECT_ID": str(self.project_id),
        }

    def client(self, **kwargs: Any) -> Client:
        """An ``envnb.Client`` for this sandbox (imported lazily: the sandbox needs no client)."""
        client_cls: type[Client] = importlib.import_module("envnb").Client
        return client_cls(**self._client_settings(kwargs))

    def async_client(self, **kwargs: Any) -> AsyncClient:
        """An ``envnb.AsyncClient`` for this sandbox (imported lazily)."""
        client_cls: type[AsyncClient] = importlib.import_module("envnb").AsyncClient
        return client_cls(**self._client_settings(kwargs))

    def _client_settings(self, overrides: dict[str, Any]) -> dict[str, Any]:
        """This sandbox's host, key and project, with the caller's overrides (e.g. a scoped key)."""
        return {
            "host": self.url,
            "api_key": self.api_key,
            "project_id": self.project_id,
            **overrides,
        }

    # --- test helpers --------------------------------------------------------------------

    def create_key(
        self,
        scopes: list[str] | None = None,
        project_ids: list[int] | None = None,
        *,
        projects: list[int] | None = None,
    ) -> str:
        """A personal key of the main user limited to ``scopes`` (None or []: a legacy key)
        and to ``projects`` (alias ``project_ids``): other projects answer PostHog's 403."""
        return auth.create_key(self.store, MAIN_USER, scopes, projects or project_ids)

    def revoke_key(self, key: str) -> None:
        """Delete a personal key: its next request answers 401 "Invalid personal API key."."""
        with self.store.tx() as db:
            db.execute("DELETE FROM api_keys WHERE key = ?", (key,))

    @property
    def seeded_at(self) -> str:
        """When the seeded history ends (ISO): runs created later were scheduled live."""
        return self.store.meta("seeded_at") or self.store.meta("seeded") or ""

    @property
    def project_ids(self) -> list[int]:
        """The ids of the organization's projects (1..N for ``Sandbox(projects=N)``)."""
        rows = self.store.read("SELECT id FROM projects ORDER BY id")
        return [int(r["id"]) for r in rows] or [self.project_id]

    def key_uses(self, key: str) -> int:
        """How many requests arrived carrying ``key`` (valid or not): for tests that a key
        never reaches a host it does not belong to."""
        with self.store.lock:
            return self.store.keys_seen[key]

    def set_faults(self, spec: FaultSpec) -> None:
        """Replace the fault rules while running (None clears them)."""
        self.state.faults.set(spec)

    def set_stream(
        self, *, stream_delay: float | None = None, words_per_frame: int | None = None
    ) -> None:
        """Change the streaming pace while running."""
        if stream_delay is not None:
            self.state.settings.stream_delay = stream_delay
        if words_per_frame is not None:
            self.state.settings.words_per_frame = words_per_frame

    def stats(self) -> dict[str, Any]:
        """Requests served, faults injected by kind, side effects by operation."""
        with self.store.lock:
            return {
                "requests": self.store.requests,
                "faults": dict(self.store.faults),
                "writes": dict(self.store.writes),
                "queries": self.state.runs.executed,
            }

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no request is being handled (say one a client gave up on, still in a
        ``latency`` fault, has landed); False if one still is after ``timeout`` seconds."""
        with self.store.lock:
            return self.store.idle.wait_for(lambda: self.store.in_flight == 0, timeout)

    def reset_stats(self) -> None:
        """Zero the counters."""
        with self.store.lock:
            self.store.requests = 0
            self.store.faults.clear()
            self.store.writes.clear()
            self.state.runs.executed = 0

    def advance(self, seconds: float) -> None:
        """Move the simulated clock of runs and backfills forward by ``seconds``.

        Scheduled runs, running runs and backfills catch up on the next request, exactly as
        if that much time had passed.
        """
        self.state.ops.clock.advance(seconds)

    def tick(self) -> None:
        """Bring runs and backfills up to the simulated clock now (requests do it anyway)."""
        with self.store.tx() as db:
            catchup.tick(db, self.state.ops, self.project_id)

    @property
    def file_exports(self) -> FileExports:
        """File-download runs, their knobs (``max_concurrent``, ``duration``, ``fail_runs``,
        ``stall_request``...) and what the object store was sent (``object_requests``)."""
        return self.state.file_exports

    def backfills(self, export_id: str | None = None) -> list[dict[str, Any]]:
        """Backfills (seeded, created, or recorded by unpause(backfill=True)), oldest first."""
        with self.store.tx() as db:
            catchup.tick(db, self.state.ops, self.project_id, full=False)
        sql = "SELECT * FROM backfills"
        params: tuple[Any, ...] = ()
        if export_id is not None:
            sql += " WHERE batch_export_id = ?"
            params = (export_id,)
        rows = self.store.read(sql + " ORDER BY created_at, rowid", params)
        return [dict(row) for row in rows]

    def conversation_status(self, conversation_id: str) -> str | None:
        """The stored status of a conversation (idle / in_progress / canceling)."""
        row = self.store.one("SELECT status FROM conversations WHERE id = ?", (conversation_id,))
        return None if row is None else str(row["status"])

    def other_user_conversation(self) -> str:
        """Id of a conversation owned by another user of the project."""
        row = self.store.one(
            "SELECT id FROM conversations WHERE user_id != ? ORDER BY id", (MAIN_USER,)
        )
        assert row is not None
        return str(row["id"])
