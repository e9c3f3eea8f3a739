"""Property tests of the sans-I/O SSE decoder: any byte split of a stream decodes to the same
events as one whole read, junk never hangs or crashes it, and well-formed streams decode to
exactly the events that were encoded.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from envnb._core.sse import ServerSentEvent, SSEDecoder

FIELD = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"),
    max_size=24,
)
EVENT = st.tuples(
    FIELD,  # event name ("" means the default, "message")
    st.lists(FIELD, min_size=1, max_size=3),  # data lines
    st.one_of(st.none(), FIELD),  # id
)
FAST = settings(max_examples=200, deadline=2000)


def decode(chunks: list[bytes]) -> list[ServerSentEvent]:
    """Feed chunks in order, then EOF."""
    dec = SSEDecoder()
    out: list[ServerSentEvent] = []
    for chunk in chunks:
        out += dec.feed(chunk)
    return out + dec.close()


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    """Cut ``data`` at the given positions (any byte offset, even inside a UTF-8 sequence)."""
    points = sorted({c % (len(data) + 1) for c in cuts})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def encode(
    events: list[tuple[str, list[str], str | None]], eol: str, bom: bool, comments: bool
) -> tuple[bytes, list[ServerSentEvent]]:
    """A stream in wire format and the events a correct decoder dispatches from it."""
    text, expected, last_id = "\ufeff" if bom else "", [], ""
    for name, lines, ident in events:
        if comments:
            text += ": keepalive" + eol
        if name:
            text += f"event: {name}{eol}"
        text += "".join(f"data: {line}{eol}" for line in lines)
        if ident is not None:
            text += f"id: {ident}{eol}"
            last_id = ident
        text += eol
        expected.append(ServerSentEvent(name or "message", "\n".join(lines), last_id))
    return text.encode("utf-8"), expected


@FAST
@given(
    st.lists(EVENT, max_size=6),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
    st.booleans(),
    st.lists(st.integers(min_value=0), max_size=12),
)
def test_any_split_decodes_to_the_encoded_events(
    events: list[tuple[str, list[str], str | None]],
    eol: str,
    bom: bool,
    comments: bool,
    cuts: list[int],
) -> None:
    data, expected = encode(events, eol, bom, comments)
    assert decode([data]) == expected
    assert decode(split(data, cuts)) == expected


@FAST
@given(st.binary(max_size=400), st.lists(st.integers(min_value=0), max_size=16))
def test_junk_decodes_the_same_however_it_is_split(junk: bytes, cuts: list[int]) -> None:
    whole = decode([junk])
    assert decode(split(junk, cuts)) == whole
    assert decode([bytes([b]) for b in junk]) == whole
    assert len(whole) <= junk.count(b"\n") + junk.count(b"\r")  # a dispatch needs a line end


@settings(max_examples=50, deadline=2000)
@given(
    st.lists(EVENT, min_size=1, max_size=4),
    st.binary(min_size=1, max_size=80).filter(lambda b: b"\n" not in b and b"\r" not in b),
)
def test_a_cut_stream_drops_only_the_unterminated_tail(
    events: list[tuple[str, list[str], str | None]], tail: bytes
) -> None:
    data, expected = encode(events, "\n", False, False)
    # Whatever half-written line follows the last blank line, nothing extra is dispatched.
    assert decode([data, b"data: " + tail]) == expected


def test_a_large_stream_fed_one_byte_at_a_time() -> None:
    events = [("message", [f"frame {i} " + "é" * 50], str(i)) for i in range(300)]
    data, expected = encode(events, "\r\n", True, True)
    assert decode([data[i : i + 1] for i in range(len(data))]) == expected
