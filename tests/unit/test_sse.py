"""SSE decoder: WHATWG line handling, split chunks, comments, EOF behaviour."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envnb._core.sse import ServerSentEvent, SSEDecoder

STREAM = (
    b"\xef\xbb\xbf: keepalive\r\n"
    b'event: conversation\r\ndata: {"id": "c1"}\r\n\r\n'
    b"event: message\ndata: line one\ndata: line two\nid: 7\n\n"
    b"data:no-space\rretry: 1500\r\r"
    b'event: status\ndata: {"type":"ack"}\n\n'
)

EXPECTED = [
    ServerSentEvent("conversation", '{"id": "c1"}', ""),
    ServerSentEvent("message", "line one\nline two", "7"),
    ServerSentEvent("message", "no-space", "7", 1500),
    ServerSentEvent("status", '{"type":"ack"}', "7", 1500),
]


def _decode(chunks: list[bytes]) -> list[ServerSentEvent]:
    dec = SSEDecoder()
    out: list[ServerSentEvent] = []
    for c in chunks:
        out.extend(dec.feed(c))
    out.extend(dec.close())
    return out


def test_whole_stream() -> None:
    assert _decode([STREAM]) == EXPECTED


def test_every_single_byte_split() -> None:
    assert _decode([STREAM[i : i + 1] for i in range(len(STREAM))]) == EXPECTED


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_split(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    chunks = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]
    assert _decode(chunks) == EXPECTED


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    # "data: a\r" + "\n\r\n": the LF belongs to the CR; one blank line follows → one event.
    assert _decode([b"data: a\r", b"\n\r\n"]) == [ServerSentEvent("message", "a")]


def test_unterminated_event_at_eof_is_not_dispatched() -> None:
    dec = SSEDecoder()
    assert dec.feed(b'event: message\ndata: {"partial": tr') == []
    assert dec.has_partial_event
    assert dec.close() == []


def test_event_without_data_is_not_dispatched_and_type_resets() -> None:
    assert _decode([b"event: x\n\ndata: y\n\n"]) == [ServerSentEvent("message", "y")]


def test_unknown_fields_and_bad_retry_ignored() -> None:
    assert _decode([b"foo: bar\nretry: 12a\ndata\n\n"]) == [ServerSentEvent("message", "")]


def test_utf8_split_inside_character() -> None:
    payload = "data: héllo ✓\n\n".encode()
    idx = payload.index("✓".encode()) + 1
    assert _decode([payload[:idx], payload[idx:]]) == [ServerSentEvent("message", "héllo ✓")]


@pytest.mark.parametrize("junk", [b"\x00\xff\xfe\n", b":::\n", b"\n\n\n"])
def test_junk_does_not_crash(junk: bytes) -> None:
    out = _decode([junk, b"data: 1\n\n"])
    assert json.loads(out[-1].data) == 1


def test_a_16_mib_frame_in_1_kib_pieces_decodes_whole() -> None:
    # The instance of issue 10 item 1: this took 10-15 s when each piece re-scanned the
    # buffered line; its cost is now linear (bench/stream_linear.py prints the ratio).
    payload = json.dumps({"type": "ai", "content": "é" * (8 * 1024 * 1024)})
    body = f"event: message\r\ndata: {payload}\r\n\r\n".encode()
    assert len(body) > 16 * 1024 * 1024
    pieces = [body[i : i + 1024] for i in range(0, len(body), 1024)]
    assert _decode(pieces) == [ServerSentEvent("message", payload)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1500", 1500), ("999999999", 999_999_999), ("1000000000", None), ("9" * 5000, None)],
)
def test_retry_is_used_only_when_small(value: str, expected: int | None) -> None:
    # int() of 5,000 digits raises ValueError (Python's digit limit); a huge value is
    # ignored like a non-numeric one instead of breaking the stream.
    dec = SSEDecoder()
    (event,) = dec.feed(f"retry: {value}\ndata: x\n\n".encode())
    assert event.retry == expected and dec.reconnection_time == expected


def test_only_cr_lf_and_crlf_end_a_line() -> None:
    text = "a\u2028b\u2029c\u0085d\x0ce\x0bf\x1cg\x1dh\x1ei"
    events = _decode([f"data: {text}\r".encode(), b"\n", f"data: {text}\n\r".encode()])
    assert events == [ServerSentEvent("message", f"{text}\n{text}")]
