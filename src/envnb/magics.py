"""``%%chat``: ask PostHog AI from a cell; the reply streams into the cell's output.

Usage::

    %load_ext envnb
    %chat_client client          # optional: use this envnb.Client (else envnb.connect())

    %%chat
    Which batch exports are paused?

Successive ``%%chat`` cells continue one conversation; ``%%chat --new`` starts another.
A chart in the reply is drawn below it (title, chart, "Show query", a table preview) once
the stream has ended; ``%%chat --pin`` then writes a next cell that re-runs the reply's
queries with ``client.query_df`` — a report re-run refreshes the numbers, no AI call.

``%%hogql [name]`` runs the cell as HogQL and shows the DataFrame (also assigned to
``name``); ``{var}`` is replaced by the notebook variable ``var`` as a quoted HogQL literal.
HogQL PostHog cannot parse or resolve is shown with its line and a ``^`` under the error.
The reply is rendered with the same renderer as ChatCell (Markdown, sanitized) and is
available afterwards as the cell's value (``_``) and as ``envnb.last_reply()``.

The kernel interrupt (■) is this cell's Stop: reading stops, ``cancel`` is sent to the
server, and the partial reply stays in the output marked as stopped (``last_reply()``
returns it). A KeyboardInterrupt (``ChatStopped``, shown as one line, no traceback) is then
**raised**, deliberately: ■ means "stop what
is running", so a Run All halts here instead of going on to the next cell (which may be
another question that depended on this answer). There is no Stop button in the output: a
click cannot reach a busy cell.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import HTML, display

from .conversations import answers
from .conversations.chat_turn import ChatTurnPolicy, SendAgain
from .errors import EnvnbError, HogQLQueryError
from .query.hogql import substitute
from .query.results import Visualization, visualizations
from .widgets.kit import ChartBoard, LiveTurn, Pacer, Throttle, decide_hint, render_png

if TYPE_CHECKING:
    from ._client import Client
    from ._sync._stream import EventStream

FLUSH_PER_SECOND = 15.0


class ChatStopped(KeyboardInterrupt):
    """■ stopped a ``%%chat`` cell: a KeyboardInterrupt (Run All halts) shown as one line.

    IPython shows ``_render_traceback_()`` instead of a traceback through httpx.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[31m■ {self}\x1b[0m"]


STOPPED = (
    "%%chat stopped: the reply was cut short; "
    "the partial reply is kept above and in envnb.last_reply()"
)


class Reply(str):
    """The reply text, returned as the cell's value; displays nothing (it is shown above).

    ``queries``: the reply's charts as Visualization(title, query); ``frames()`` runs them;
    ``pin()`` writes the next cell that re-runs them (see ``envnb.conversations.answers``)."""

    conversation_id: str | None = None
    stopped: bool = False
    failed: bool = False
    question: str = ""
    queries: tuple[Visualization, ...] = ()

    def frames(self) -> list[Any]:
        """The DataFrame of each query, in order."""
        return answers.run_frames(_client(), self.queries)

    def pin(self) -> str:
        """Write the pinned cell below this one; returns its code."""
        client = _client()
        link = answers.link_for(client, self.conversation_id)
        return answers.pin(self.question, self.queries, link, (client.host, client.project_id))

    def _ipython_display_(self) -> None:
        # The reply is already in the cell's output: do not print it a second time.
        return None


@dataclass
class _Session:
    client: Client | None = None
    conversation_id: str | None = None
    last: Reply | None = None
    stopped: bool = False  # the last %%chat was stopped with ■ (a 409 may be sent again)
    check_next: bool = False  # the last %%chat may have stored its question (ask first)


_session = _Session()


def use_client(client: Client | None) -> None:
    """Make ``%%chat`` use ``client`` (an ``envnb.Client``) instead of ``envnb.connect()``."""
    _session.client = client


def new_conversation() -> None:
    """Make the next ``%%chat`` start a new conversation."""
    _session.conversation_id = None
    _session.stopped = _session.check_next = False


def last_reply() -> str | None:
    """The text of the latest ``%%chat`` reply (partial if it was stopped), or None."""
    return _session.last


def _client() -> Client:
    if _session.client is None:
        from ._client import connect

        _session.client = connect()
    return _session.client


def chat(question: str, *, new: bool = False, pin: bool = False) -> Reply:
    """Ask ``question`` in the current conversation, streaming the reply into the output;
    then draw its charts, and with ``pin`` write the pinned cell below."""
    if new:
        new_conversation()
    # A follow-up cell heads with its own question, not the conversation's first one.
    heading = None if _session.conversation_id is None else question
    if _session.conversation_id is None:
        _session.conversation_id = str(uuid.uuid4())
    conversation_id = _session.conversation_id
    board = ChartBoard()
    turn = LiveTurn(question, board)

    def html(final: bool) -> HTML:
        return HTML(turn.html(final=final, with_title=True, heading=heading))

    handle = display(html(False), display_id=True)

    def show(_: None = None) -> None:
        if handle is not None:
            handle.update(html(not turn.asm.in_progress))

    throttle: Throttle[None] = Throttle(show, 1.0 / FLUSH_PER_SECOND)
    pacer = Pacer(1.0 / FLUSH_PER_SECOND)  # nap after a flush: events are read many at a time
    client: Client | None = None
    stream: EventStream | None = None
    policy = ChatTurnPolicy(stopped_before=_session.stopped, check_first=_session.check_next)
    _session.stopped = _session.check_next = False
    try:
        client = _client()  # inside the try: a configuration error is shown in words too
        while True:
            stream = client.conversations.stream(
                question, conversation=conversation_id, check_first=policy.check_first
            )
            turn.follow(stream)
            events_seen = False
            try:
                for event in stream:
                    events_seen = True
                    turn.feed(event)
                    turn.check_resumed(stream)
                    flushes = throttle.flushes
                    throttle.push(None, ready=pacer.caught_up())
                    if throttle.flushes != flushes:
                        pacer.nap_blocking()
            except EnvnbError as err:
                decision = policy.on_error(err, events_seen=events_seen)
                if isinstance(decision, SendAgain):
                    time.sleep(decision.wait)
                    continue
                _session.check_next = policy.may_be_stored(err)
                turn.note, turn.note_is_error = decision.message, True
            break
    except KeyboardInterrupt:
        turn.stopped = _session.stopped = True
        _close(stream)  # stop reading first, then tell the server
        if client is not None and stream is not None:
            _send_cancel(client, conversation_id, turn)
        # Re-raised on purpose (see the module docstring), without the httpx internals the
        # interrupt happened to land in: the message says where the partial reply is.
        raise ChatStopped(STOPPED) from None
    except EnvnbError as err:
        turn.note, turn.note_is_error = str(err), True
    finally:
        throttle.flush()
        pending = [a for a in turn.asm.approvals.values() if a.pending]
        if pending and not turn.note:
            turn.note = decide_hint(pending, turn.asm.conversation_id or conversation_id)
        if handle is not None:
            handle.update(html(True))
        reply = Reply(turn.reply)
        reply.conversation_id = turn.asm.conversation_id or conversation_id
        reply.stopped, reply.failed = turn.stopped, turn.asm.failed
        reply.question = question
        reply.queries = tuple(visualizations(turn.asm.messages))
        _session.last = reply
        _session.conversation_id = reply.conversation_id
    if client is not None:
        _draw_charts(client, board, turn, show)
    if pin and reply.queries:
        reply.pin()
    elif pin:
        display(HTML("<i>%%chat --pin: this reply has no charts or queries to pin.</i>"))
    return reply


def _draw_charts(client: Any, board: ChartBoard, turn: LiveTurn, show: Any) -> None:
    """Run each chart's query after the stream ended and redraw the output (■ stops it)."""
    charts = [chart for msg in turn.asm.messages for chart in board.add(msg)]
    try:
        for chart in charts:
            try:
                result = client.query(chart.viz.body())
            except EnvnbError as err:
                board.settle(chart, error=str(err))
            else:
                board.settle(chart, result=result, png=render_png(result, chart.viz.title))
            show()
    except KeyboardInterrupt:
        for chart in charts:
            if not chart.done:
                board.settle(chart, error="interrupted before the data arrived")
        show()
        raise ChatStopped("%%chat stopped while loading the charts") from None
    if charts:
        show()


def _close(stream: EventStream | None) -> None:
    if stream is not None:
        # Closing a half-read response must not mask the interrupt.
        with contextlib.suppress(Exception):
            stream.close()


def _send_cancel(client: Client, conversation_id: str, turn: LiveTurn) -> None:
    started = time.monotonic()
    error: EnvnbError | None = None
    try:
        client.conversations.cancel(conversation_id)
    except EnvnbError as err:
        error = err
    shown = ChatTurnPolicy().after_cancel(error)
    turn.note, turn.note_is_error = shown.message, shown.error
    if not shown.error:
        turn.note += f" (cancel confirmed in {time.monotonic() - started:.2f} s)"


@magics_class
class ChatMagics(Magics):
    """``%%chat`` and ``%chat_client``."""

    @magic_arguments()
    @argument("--new", action="store_true", help="start a new conversation")
    @argument("--pin", action="store_true", help="write a next cell that re-runs the charts")
    @cell_magic
    def chat(self, line: str, cell: str) -> Reply | None:
        """Ask PostHog AI the cell's text; the reply streams below."""
        args = parse_argstring(self.chat, line)
        question = cell.strip()
        if not question:
            if args.new:
                new_conversation()
            display(HTML("<i>%%chat: write a question below the %%chat line.</i>"))
            return None
        return chat(question, new=args.new, pin=args.pin)

    @magic_arguments()
    @argument("name", nargs="?", help="variable that receives the DataFrame")
    @cell_magic
    def hogql(self, line: str, cell: str) -> Any:
        """Run the cell as HogQL; ``{var}`` is the notebook variable ``var``, safely quoted."""
        args = parse_argstring(self.hogql, line)
        if args.name is not None and not args.name.isidentifier():
            raise UsageError(f"%%hogql: {args.name!r} is not a valid variable name")
        namespace = self.shell.user_ns  # type: ignore[union-attr]
        try:
            result = _client().query(substitute(cell, namespace))
        except HogQLQueryError as err:
            # PostHog says where: show the line the HogQL went wrong on, with ^ under it (the
            # text PostHog parsed: the cell with any {var} already replaced by its literal).
            where = err.pointer()
            raise UsageError(f"%%hogql: {err}" + (f"\n{where}" if where else "")) from None
        except EnvnbError as err:
            # One line, no traceback through envnb's internals; Run All / papermill still stop.
            raise UsageError(f"%%hogql: {err}") from None
        result.warn_if_truncated()
        frame = result.df
        if args.name:
            namespace[args.name] = frame
        return frame

    @line_magic
    def chat_client(self, line: str) -> None:
        """``%chat_client NAME``: use the envnb.Client in variable NAME for %%chat."""
        from ._client import Client  # at call time: %load_ext should not build a client

        name = line.strip()
        if name not in self.shell.user_ns:  # type: ignore[union-attr]
            raise UsageError(
                f"%chat_client: no variable named {name!r}; "
                "e.g. client = envnb.connect(), then %chat_client client"
            )
        value = self.shell.user_ns[name]  # type: ignore[union-attr]
        if not isinstance(value, Client):
            # Caught here, not as an AttributeError deep inside the next %%chat.
            raise UsageError(
                f"%chat_client: {name!r} holds a value of type {type(value).__name__}, "
                "not an envnb.Client"
            )
        use_client(value)


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%chat`` and ``%chat_client`` (``%load_ext envnb``)."""
    ipython.register_magics(ChatMagics)
