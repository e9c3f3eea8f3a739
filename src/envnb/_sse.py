"""Sans-I/O Server-Sent Events decoder (WHATWG HTML §9.2): bytes in, events out.

Handles CR, LF and CRLF line ends (including a CRLF split across two chunks), a leading
BOM, comment lines (``: keepalive``), multi-line ``data``, ``id`` and ``retry`` fields.
An event is dispatched on a blank line only, so an unterminated event at EOF is dropped
— exactly what a browser does, and how a cut stream is detected.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass


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
        self._buf = ""
        self._bom_checked = False
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
        if self._buf:
            # A final line without line end is incomplete: it never dispatches.
            self._buf = ""
        self._reset_event()
        return out

    @property
    def has_partial_event(self) -> bool:
        """True if fields have been read for an event that has not been dispatched yet."""
        return bool(self._buf) or self._has_data or bool(self._event)

    def _feed_text(self, text: str) -> list[ServerSentEvent]:
        if not text:
            return []
        if not self._bom_checked and not self._buf and text:
            self._bom_checked = True
            if text[0] == "\ufeff":
                text = text[1:]
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]
        self._pending_cr = False
        self._buf += text
        out: list[ServerSentEvent] = []
        start = 0
        buf = self._buf
        n = len(buf)
        while True:
            cr = buf.find("\r", start)
            lf = buf.find("\n", start)
            if cr == -1 and lf == -1:
                break
            if cr == -1 or (lf != -1 and lf < cr):
                end, nxt = lf, lf + 1
            else:
                end = cr
                if cr + 1 < n:
                    nxt = cr + 2 if buf[cr + 1] == "\n" else cr + 1
                else:
                    nxt = cr + 1
                    self._pending_cr = True  # the LF of this CRLF may come in the next chunk
            ev = self._line(buf[start:end])
            if ev is not None:
                out.append(ev)
            start = nxt
        self._buf = buf[start:]
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
        elif name == "retry" and value.isascii() and value.isdigit():
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
