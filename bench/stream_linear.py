"""Bench: incremental stream consumers cost time proportional to the bytes they are given.

One 16 MiB ``message`` frame (an ``ai`` message whose content is ~16 MiB of text) is fed
in 1 KiB pieces and, as the baseline measured in the same run, in one piece:

* ``decoder``   — ``SSEDecoder.feed`` (bytes → events);
* ``assembler`` — a ``StreamSession``: decoding, JSON, the typed event and the
  ``StreamAssembler`` that holds the reply (what ``stream()`` / ``ask()`` run per chunk);
* ``markdown``  — ``IncrementalMarkdown`` over a growing reply (a code block, a table, a
  list; 1 MiB), rendered every 4 KiB as a panel flush would, against one render of the
  whole text.

Before the fix, the 16 MiB frame took 10-15 s in the decoder (work per piece grew with
the line buffered so far). Targets: pieces / one piece <= 10 for the decoder and the
assembler; markdown streamed / one pass <= 10 (it was 70-90 for a 256 KiB block).
``read`` is the cost of only joining the pieces, for scale.

    .venv/bin/python bench/stream_linear.py [--mib 16] [--piece 1024]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from envnb._core.sse import SSEDecoder
from envnb.conversations.streaming import StreamSession
from envnb.render import render_markdown
from envnb.widgets._markdown import IncrementalMarkdown


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _frame(mib: int) -> bytes:
    content = ("lorem ipsum dolor sit amet " * (mib * 1024 * 1024 // 27 + 1))[: mib << 20]
    payload = json.dumps({"type": "ai", "id": "m1", "content": content})
    return f"event: message\ndata: {payload}\n\n".encode()


def _decode(pieces: list[bytes]) -> None:
    dec = SSEDecoder()
    events = [ev for p in pieces for ev in dec.feed(p)]
    assert len(events) == 1


def _assemble(pieces: list[bytes]) -> None:
    # The requests are not sent here: the session only decodes and assembles.
    session = StreamSession(None, None, None, "c1")  # type: ignore[arg-type]
    dec = SSEDecoder()  # what the transport feeds each connection's bytes to
    for p in pieces:
        for sse in dec.feed(p):
            session.on_sse(sse)
    assert len(session.assembler.reply) > 0


def _markdown_text(size: int) -> str:
    part = (
        "Some intro text.\n\n```sql\n"
        + "select event, count() from events where ts > now() - interval 7 day;\n" * 400
        + "```\n\n| event | count |\n|---|---|\n"
        + "| pageview | 123 |\n" * 1500
        + "\n- first point of the list\n" * 1
        + "- another point, with **bold** text\n" * 800
        + "\n"
    )
    return (part * (size // len(part) + 1))[:size]


def _streamed(text: str, step: int) -> None:
    im = IncrementalMarkdown()
    for i in range(step, len(text) + step, step):
        im.render(text[:i])


def main(mib: int, piece: int, repeat: int) -> None:
    """Print one row per consumer and the ratios."""
    body = _frame(mib)
    pieces = [body[i : i + piece] for i in range(0, len(body), piece)]
    read = _best(lambda: b"".join(pieces), repeat)
    print(f"frame: {len(body) / 2**20:.1f} MiB; {len(pieces)} pieces of {piece} B")
    print(f"{'consumer':<10} {'one piece s':>12} {'pieces s':>10} {'ratio':>7} {'vs read':>8}")
    for name, fn in (("decoder", _decode), ("assembler", _assemble)):
        one = _best(lambda fn=fn: fn([body]), repeat)
        many = _best(lambda fn=fn: fn(pieces), repeat)
        print(f"{name:<10} {one:>12.3f} {many:>10.3f} {many / one:>6.1f}x {many / read:>7.1f}x")
    text = _markdown_text(1 << 20)
    whole = _best(lambda: render_markdown(text), repeat)
    streamed = _best(lambda: _streamed(text, 4096), 1)
    print(
        f"{'markdown':<10} {whole:>12.3f} {streamed:>10.3f} {streamed / whole:>6.1f}x"
        f"   ({len(text) // 4096} flushes of a 1 MiB reply vs one render)"
    )
    print("read (join the pieces): " + f"{read * 1000:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=16)
    parser.add_argument("--piece", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    main(args.mib, args.piece, args.repeat)
