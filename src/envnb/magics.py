"""``%%chat``: ask PostHog AI from a cell; the reply streams into the cell's output.

Usage::

    %load_ext envnb
    %chat_client client          # optional: use this envnb.Client (else envnb.connect())

    %%chat
    Which batch exports are paused?

Successive ``%%chat`` cells continue one conversation; ``%%chat --new`` starts another.
The reply is rendered with the same renderer as ChatCell (Markdown, sanitized) and is
available afterwards as the cell's value (``_``) and as ``envnb.last_reply()``.

The kernel interrupt (■) is this cell's Stop: reading stops, ``cancel`` is sent to the
server, and the partial reply stays in the output marked as stopped (``last_reply()``
returns it). The KeyboardInterrupt is then **re-raised**, deliberately: ■ means "stop what
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

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import HTML, display

from .chat_turn import ChatTurnPolicy, SendAgain
from .errors import EnvnbError
from .widgets._livechat import LiveTurn
from .widgets._throttle import Pacer, Throttle

if TYPE_CHECKING:
    from ._client import Client
    from ._sync._stream import EventStream

FLUSH_PER_SECOND = 15.0


class Reply(str):
    """The reply text, returned as the cell's value; displays nothing (it is shown above)."""

    conversation_id: str | None = None
    stopped: bool = False
    failed: bool = False

    def _ipython_display_(self) -> None:
        # The reply is already in the cell's output: do not print it a second time.
        return None


@dataclass
class _Session:
    client: Client | None = None
    conversation_id: str | None = None
    last: Reply | None = None


_session = _Session()


def use_client(client: Client | None) -> None:
    """Make ``%%chat`` use ``client`` (an ``envnb.Client``) instead of ``envnb.connect()``."""
    _session.client = client


def new_conversation() -> None:
    """Make the next ``%%chat`` start a new conversation."""
    _session.conversation_id = None


def last_reply() -> str | None:
    """The text of the latest ``%%chat`` reply (partial if it was stopped), or None."""
    return _session.last


def _client() -> Client:
    if _session.client is None:
        from . import connect

        _session.client = connect()
    return _session.client


def chat(question: str, *, new: bool = False) -> Reply:
    """Ask ``question`` in the current conversation, streaming the reply into the output."""
    if new:
        new_conversation()
    if _session.conversation_id is None:
        _session.conversation_id = str(uuid.uuid4())
    conversation_id = _session.conversation_id
    turn = LiveTurn(question)
    handle = display(HTML(turn.html(with_title=True)), display_id=True)

    def show(_: None = None) -> None:
        if handle is not None:
            handle.update(HTML(turn.html(with_title=True)))

    throttle: Throttle[None] = Throttle(show, 1.0 / FLUSH_PER_SECOND)
    pacer = Pacer(1.0 / FLUSH_PER_SECOND)  # nap after a flush: frames are read many at a time
    client: Client | None = None
    stream: EventStream | None = None
    policy = ChatTurnPolicy()
    try:
        client = _client()  # inside the try: a configuration error is shown in words too
        while True:
            stream = client.conversations.stream(question, conversation=conversation_id)
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
                turn.note, turn.note_is_error = decision.message, True
            break
    except KeyboardInterrupt:
        turn.stopped = True
        _close(stream)  # stop reading first, then tell the server
        if client is not None and stream is not None:
            _send_cancel(client, conversation_id, turn)
        # Re-raised on purpose (see the module docstring), without the httpx internals the
        # interrupt happened to land in: the message says where the partial reply is.
        raise KeyboardInterrupt(
            "%%chat stopped: the partial reply is kept above and in envnb.last_reply()"
        ) from None
    except EnvnbError as err:
        turn.note, turn.note_is_error = str(err), True
    finally:
        throttle.flush()
        if handle is not None:
            handle.update(HTML(turn.html(final=True, with_title=True)))
        reply = Reply(turn.reply)
        reply.conversation_id = turn.asm.conversation_id or conversation_id
        reply.stopped, reply.failed = turn.stopped, turn.asm.failed
        _session.last = reply
        _session.conversation_id = reply.conversation_id
    return reply


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
        return chat(question, new=args.new)

    @line_magic
    def chat_client(self, line: str) -> None:
        """``%chat_client NAME``: use the envnb.Client in variable NAME for %%chat."""
        name = line.strip()
        if name not in self.shell.user_ns:  # type: ignore[union-attr]
            raise NameError(f"%chat_client: no variable named {name!r}")
        use_client(self.shell.user_ns[name])  # type: ignore[union-attr]


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%chat`` and ``%chat_client`` (``%load_ext envnb``)."""
    ipython.register_magics(ChatMagics)
