"""Sans-I/O Server-Sent Events decoder (WHATWG HTML §9.2): bytes in, events out.

Handles CR, LF and CRLF line ends (including a CRLF split across two chunks), a leading
BOM, comment lines (``: keepalive``), multi-line ``data``, ``id`` and ``retry`` fields.
An event is dispatched on a blank line only, so an unterminated event at EOF is dropped
— exactly what a browser does, and how a cut stream is detected.

Rule 1: work is proportional to the new bytes. Only the newly decoded text is searched for
line ends; an unfinished line is kept as a list of pieces and joined once, when its line
end arrives (a 16 MiB ``data`` line read in 1 KiB pieces is not re-scanned or re-copied
at every piece).
Rule 2: only CR, LF and CRLF end a line (never U+2028, U+0085 or a form feed).
Rule 3: a ``retry`` value is used only when it is a plain decimal of at most
:data:`MAX_RETRY_DIGITS` digits (below 1e9 ms, about 11 days); anything else is ignored,
as the spec ignores a non-numeric one.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

MAX_RETRY_DIGITS = 9


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event."""

    event: str = "message"
    data: str = ""
    id: str = ""
    retry: int | None = None


class SSEDecoder:
    """Feed bytes with :meth:`feed`; call :meth:`close` at EOF."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pieces: list[str] = []  # the unfinished line, in the pieces it arrived in
        self._started = False  # the first character (a possible BOM) has been seen
        self._pending_cr = False  # last chunk ended in CR: a following LF belongs to it
        self._event = ""
        self._data: list[str] = []
        self._has_data = False
        self._last_id = ""
        self._retry: int | None = None
        self.last_event_id = ""
        self.reconnection_time: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode a chunk of bytes and return the events it completed."""
        return self._feed_text(self._utf8.decode(chunk))

    def close(self) -> list[ServerSentEvent]:
        """Signal EOF; an event without its terminating blank line is discarded."""
        out = self._feed_text(self._utf8.decode(b"", final=True))
        # A final line without a line end is incomplete: it never dispatches.
        self._pieces = []
        self._reset_event()
        return out

    @property
    def has_partial_event(self) -> bool:
        """True if fields have been read for an event that has not been dispatched yet."""
        return bool(self._pieces) or self._has_data or bool(self._event)

    def _feed_text(self, text: str) -> list[ServerSentEvent]:
        if not text:
            return []
        if not self._started:
            self._started = True
            if text[0] == "\ufeff":
                text = text[1:]
        if self._pending_cr:
            self._pending_cr = False
            if text.startswith("\n"):
                text = text[1:]
        out: list[ServerSentEvent] = []
        start, n = 0, len(text)
        while start < n:
            cr = text.find("\r", start)
            lf = text.find("\n", start, cr if cr != -1 else n)
            if cr == -1 and lf == -1:
                self._pieces.append(text[start:] if start else text)
                break
            if lf != -1:
                end, nxt = lf, lf + 1
            else:
                end, nxt = cr, cr + 1
                if nxt < n:
                    if text[nxt] == "\n":
                        nxt += 1
                else:
                    self._pending_cr = True  # the LF of this CRLF may come in the next chunk
            line = text[start:end]
            if self._pieces:
                self._pieces.append(line)
                line = "".join(self._pieces)
                self._pieces = []
            ev = self._line(line)
            if ev is not None:
                out.append(ev)
            start = nxt
        return out

    def _line(self, line: str) -> ServerSentEvent | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None  # comment, e.g. ": keepalive"
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif (
            name == "retry"
            and 0 < len(value) <= MAX_RETRY_DIGITS
            and value.isascii()
            and value.isdigit()
        ):
            self._retry = int(value)
            self.reconnection_time = self._retry
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        self.last_event_id = self._last_id
        if not self._has_data:
            # Per spec: no data → nothing dispatched; the event type buffer is reset.
            self._event = ""
            return None
        ev = ServerSentEvent(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self._last_id,
            retry=self._retry,
        )
        self._reset_event()
        return ev

    def _reset_event(self) -> None:
        self._event = ""
        self._data = []
        self._has_data = False
