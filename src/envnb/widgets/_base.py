"""What every panel shares: its async client, its tasks on the kernel's loop, display."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import weakref
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from ..errors import EnvnbError
from ._snapshot import Snapshot
from ._transcript import note_html

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

log = logging.getLogger("envnb.widgets")
# A library logger: without a handler, Python's last-resort handler would print the
# traceback of an unexpected panel error to stderr, i.e. into a notebook cell. The panel
# shows the error in words; the traceback reaches only logging the user configured.
log.addHandler(logging.NullHandler())


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread, or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# One AsyncClient (one connection pool) per Client and event loop, shared by every panel
# built on that Client: re-running a panel's cell 30 times must not leave 30 pools open.
# Weak on both keys: a Client or a loop nobody uses any more takes its entry with it.
_shared: weakref.WeakKeyDictionary[Any, weakref.WeakKeyDictionary[Any, AsyncClient]] = (
    weakref.WeakKeyDictionary()
)


def async_client_of(client: Client | AsyncClient) -> AsyncClient:
    """The AsyncClient to use for ``client`` (a Client, or already an AsyncClient).

    For a Client, the same AsyncClient each time on the same event loop (panels share it).
    """
    from .._client import Client

    if not isinstance(client, Client):
        return client
    loop = _running_loop()
    if loop is None:
        return client.to_async()  # nothing to share it with outside a loop
    per_loop = _shared.setdefault(client, weakref.WeakKeyDictionary())
    shared = per_loop.get(loop)
    if shared is None:
        shared = per_loop[loop] = client.to_async()
    return shared


class Panel(Snapshot):
    """Base of the panels: owns ``widget`` and runs network calls as asyncio tasks.

    Click handlers only start tasks: the task runs on the kernel's event loop, so the
    notebook stays responsive and handlers and tasks share one thread (no locks).
    """

    def __init__(self, client: Client | AsyncClient) -> None:
        """Keep the client (never in a widget trait: traits are saved into the notebook)."""
        self._client = client
        self.status = ""
        self.error = ""
        self.status_html = W.HTML()
        self.actions = Actions(self, show=self._show_failure)
        self._aclient: AsyncClient | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        # Followers (a backfill's progress) may run for hours: not waited for by wait(),
        # but cancelled by close() like every other task of the panel.
        self._background: set[asyncio.Task[Any]] = set()
        self.closed = False
        self.task: asyncio.Task[Any] | None = None
        # The loop every task of this panel lives on: the kernel's main loop (panels are
        # built in a cell). With JupyterLab 4.6 + ipykernel 7, a widget callback may run in
        # a kernel *subshell* thread with a loop of its own (seen in the browser tests: the
        # Stop click arrived there and its cancel task could not await the stream task,
        # "attached to a different loop"). _spawn and _cancel_task hop back to this loop.
        self._home: asyncio.AbstractEventLoop | None = _running_loop()

    @property
    def aclient(self) -> AsyncClient:
        """The async client the panel's tasks use (created on first use)."""
        if self._aclient is None:
            self._aclient = async_client_of(self._client)
        return self._aclient

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` as a task on the panel's loop and remember it as ``self.task``."""
        if self.closed:  # a click or a follower racing close(): start nothing new
            coro.close()
            raise RuntimeError("this envnb panel is closed")
        current = _running_loop()
        home = self._home if self._home is not None and self._home.is_running() else current
        if home is None:
            coro.close()
            raise RuntimeError(
                "envnb panels run their calls on the notebook's event loop; "
                "use them inside Jupyter (or an running asyncio loop)"
            )
        self._home = home
        if home is current:
            return self._track(home.create_task(self._guard(coro)), coro)
        # Called from another thread (a kernel subshell): create the task on the home loop
        # and wait until it exists, so callers get a real Task as usual.
        made: concurrent.futures.Future[asyncio.Task[Any]] = concurrent.futures.Future()

        def create() -> None:
            made.set_result(self._track(home.create_task(self._guard(coro)), coro))

        home.call_soon_threadsafe(create)
        return made.result()

    def _spawn_background(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Like ``_spawn``, for a follower that ``wait()`` does not wait for."""
        task = self._spawn(coro)
        self._tasks.discard(task)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def close(self) -> None:
        """Stop the panel: cancel every task it started (calls and followers, so nothing
        polls the server any more) and close its widgets."""
        self.closed = True
        for task in [*self._tasks, *self._background]:
            self._cancel_task(task)
        for widget in iter_widgets(self.widget):
            widget.close()

    def _track(self, task: asyncio.Task[Any], coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        # A task cancelled before its first step (close() right after a click) never starts
        # _guard, so nothing awaits ``coro``: close it then (a no-op once it ran).
        task.add_done_callback(lambda _task: coro.close())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self.task = task
        return task

    def _cancel_task(self, task: asyncio.Task[Any]) -> None:
        """Cancel one of the panel's tasks from any thread (its own loop does it)."""
        loop = task.get_loop()
        if _running_loop() is loop:
            task.cancel()
        else:
            loop.call_soon_threadsafe(task.cancel)

    async def _guard(self, coro: Coroutine[Any, Any, Any]) -> Any:
        # Each coroutine shows its own expected errors; this catches the unexpected so a
        # bug shows as words in the panel, not as a traceback nobody sees.
        try:
            return await coro
        except asyncio.CancelledError:
            raise
        except Exception as err:
            log.exception("envnb panel task failed")
            self._show_unexpected(err)
            return None
        finally:
            self._publish()

    def _show_unexpected(self, err: Exception) -> None:
        """Show an unexpected error of a task that is no action on the panel's status line."""
        self._show_failure(f"Unexpected error: {err}", True)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        """The panel's status line: what it is doing, or what went wrong."""
        self.status = text
        self.status_html.value = note_html(text, error=error)

    def _show_failure(self, text: str, error: bool) -> None:
        """Where a panel-wide action's outcome goes (``Actions``' default line)."""
        if error:
            self.error = text
        self._set_status(text, error=error)

    async def wait(self, timeout: float = 60.0) -> None:
        """Wait until every call the panel started has finished (for tests and notebooks)."""
        async with asyncio.timeout(timeout):
            while self._tasks:
                await asyncio.wait(set(self._tasks))


Show = Callable[[str, bool], None]  # (text, is_error) onto a status line


class Actions:
    """The calls in flight of a panel, or of one part of it (a row): busy state in one place.

    Rule 1: ``start(name, …)`` while ``name`` is in flight does nothing, so a second click
    never sends a second call.
    Rule 2: the action's widgets are disabled from the click until its call ends and put
    back in ``finally`` whatever the end (done, an error, a bug, cancelled) — as ipywidgets'
    ``interactive.update`` does with its run button. A widget held by two actions at once is
    put back when the last one ends, to the state it had before the first.
    Rule 3: an error the call lets escape ends it with its words on the action's status line
    (``show``), beside the buttons that caused it; the inputs the user typed are not touched.
    """

    def __init__(
        self,
        panel: Panel,
        *,
        show: Show,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        """Run the calls on ``panel``'s loop; ``on_change`` redraws after a start and an end."""
        self._panel = panel
        self._show = show
        self._on_change = on_change
        self.busy: set[str] = set()  # names of the actions in flight
        self._held: dict[int, tuple[W.Widget, int, bool]] = {}  # id -> (widget, holds, before)

    def __contains__(self, name: object) -> bool:
        return name in self.busy

    def __bool__(self) -> bool:
        return bool(self.busy)

    def start(
        self,
        name: str,
        coro: Coroutine[Any, Any, Any],
        *,
        disable: Iterable[W.Widget] = (),
        enable: Iterable[W.Widget] = (),
        status: str | None = None,
        failed: str = "",
        show: Show | None = None,
    ) -> asyncio.Task[Any] | None:
        """Run ``coro`` as action ``name`` unless it is in flight (then None, ``coro`` closed).

        ``disable`` are disabled and ``enable`` enabled (a Stop button) until it ends;
        ``status`` is shown at once; an escaping error is shown as ``failed`` + its words.
        """
        if name in self.busy:
            coro.close()
            return None
        line = show or self._show
        holds = [(w, True) for w in disable] + [(w, False) for w in enable]
        self.busy.add(name)
        for widget, disabled in holds:
            self._hold(widget, disabled)
        if status is not None:
            line(status, False)
        self._changed()
        try:
            return self._panel._spawn(self._run(name, coro, holds, line, failed))
        except BaseException:  # no loop to run on: the action never started
            coro.close()
            self._end(name, holds)
            raise

    async def _run(
        self,
        name: str,
        coro: Coroutine[Any, Any, Any],
        holds: list[tuple[W.Widget, bool]],
        line: Show,
        failed: str,
    ) -> Any:
        try:
            return await coro
        except EnvnbError as err:
            line(f"{failed}{err}", True)
        except Exception as err:
            # A bug: words beside its cause; the traceback only to logging the user set up.
            log.exception("envnb panel action %r failed", name)
            line(f"Unexpected error: {err}", True)
        finally:
            self._end(name, holds)
        return None

    def _end(self, name: str, holds: list[tuple[W.Widget, bool]]) -> None:
        self.busy.discard(name)
        for widget, _disabled in holds:
            self._release(widget)
        self._changed()

    def _hold(self, widget: W.Widget, disabled: bool) -> None:
        _w, count, before = self._held.get(id(widget), (widget, 0, widget.disabled))
        self._held[id(widget)] = (widget, count + 1, before)
        widget.disabled = disabled

    def _release(self, widget: W.Widget) -> None:
        _w, count, before = self._held.pop(id(widget))
        if count > 1:
            self._held[id(widget)] = (widget, count - 1, before)
        else:
            widget.disabled = before

    def holds(self, widget: W.Widget) -> bool:
        """True while an action in flight holds ``widget`` (its ``disabled`` is the action's)."""
        return id(widget) in self._held

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()


def loop_running() -> bool:
    """True when called on a running asyncio loop (a notebook cell, an async test)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def iter_widgets(root: W.Widget) -> list[W.Widget]:
    """Every widget reachable from ``root`` through ``children`` (for state walks)."""
    seen: list[W.Widget] = []
    stack = [root]
    while stack:
        w = stack.pop()
        if any(w is s for s in seen):
            continue
        seen.append(w)
        stack.extend(getattr(w, "children", ()) or ())
    return seen


def utc_minutes(when: datetime | str | None) -> str:
    """``when`` as "YYYY-MM-DD HH:MM UTC" (a server may answer with any offset), or ""."""
    if not when:
        return ""
    if isinstance(when, str):
        try:
            moment = datetime.fromisoformat(when)
        except ValueError:
            return when  # not a timestamp we can read: show what the server sent
    else:
        moment = when
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return f"{utc:%Y-%m-%d %H:%M} UTC"
