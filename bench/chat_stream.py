"""Bench: a long streamed reply consumed by a ChatCell, as PostHog streams it.

The sandbox's ``lorem N`` responder answers with N words, each frame carrying the whole
text so far (``words_per_frame`` more each time). Three consumers read the same reply in
this run:

* ``client only``   — the AsyncClient's event stream, nothing rendered (the baseline);
* ``unthrottled``   — a ChatCell that renders and sets the widget on every frame;
* ``ChatCell``      — the real panel: buffered, flushed at most ~15 times a second.

For each it prints tokens (words) consumed per second, widget value updates per second of
stream, kernel CPU per 1,000 tokens and total kernel CPU. Kernel CPU is the CPU time of
the thread running the event loop (``time.thread_time``). The sandbox runs in a child
process, as a remote PostHog would (``--in-process`` serves it from a thread of this
process instead: its GIL contention then inflates the client's numbers). Target for the
ChatCell: under 1 s of kernel CPU for 5,000 tokens.

    .venv/bin/python bench/chat_stream.py [--words 5000] [--delay 0.005] [--per-frame 4]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import envnb
from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell


def _serve(delay: float, per_frame: int, ready: Any, stop: Any) -> None:
    with Sandbox(stream_delay=delay, words_per_frame=per_frame) as sb:
        ready.put((sb.url, sb.api_key, sb.project_id))
        stop.wait()


@contextmanager
def sandbox_client(delay: float, per_frame: int, in_process: bool) -> Iterator[Any]:
    """An envnb.Client on a sandbox served from a child process (or this one)."""
    if in_process:
        with Sandbox(stream_delay=delay, words_per_frame=per_frame) as sb:
            yield sb.client()
        return
    ctx = mp.get_context("spawn")
    ready, stop = ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=_serve, args=(delay, per_frame, ready, stop), daemon=True)
    proc.start()
    try:
        url, key, project = ready.get(timeout=60)
        with envnb.Client(host=url, api_key=key, project_id=project) as client:
            yield client
    finally:
        stop.set()
        proc.join(10)


@dataclass
class Result:
    """One consumer's measurements."""

    name: str
    words: int
    wall: float
    cpu: float
    updates: int

    def row(self) -> str:
        """A formatted table row."""
        per_k = self.cpu / max(self.words, 1) * 1000
        return (
            f"{self.name:<14} {self.words:>6} {self.words / self.wall:>10.0f} "
            f"{self.updates / self.wall:>12.1f} {per_k * 1000:>14.1f} {self.cpu:>10.3f}"
        )


async def _client_only(client: Any, question: str) -> Result:
    aclient = client.to_async()
    t0, c0 = time.perf_counter(), time.thread_time()
    stream = aclient.conversations.stream(question)
    async for _event in stream:
        pass
    cpu, wall = time.thread_time() - c0, time.perf_counter() - t0
    words = len(stream.assembler.reply.split())
    return Result("client only", words, wall, cpu, 0)


async def _cell(client: Any, question: str, name: str, flush_per_second: float) -> Result:
    cell = ChatCell(client, flush_per_second=flush_per_second)
    await cell.wait()  # the picker's initial load is not part of the stream
    sent = 0

    def count(_change: Any) -> None:
        nonlocal sent
        sent += 1

    cell.live_html.observe(count, names="value")
    cell.input.value = question
    t0, c0 = time.perf_counter(), time.thread_time()
    cell.send_button.click()
    assert cell.stream_task is not None
    await cell.stream_task
    cpu, wall = time.thread_time() - c0, time.perf_counter() - t0
    await cell.wait()
    return Result(name, len(cell.reply.split()), wall, cpu, sent)


async def main(words: int, delay: float, per_frame: int, in_process: bool) -> None:
    """Run the three consumers against one sandbox and print the table and ratios."""
    question = f"lorem {words}"
    with sandbox_client(delay, per_frame, in_process) as client:
        await _client_only(client, "lorem 50")  # warm-up: imports, connections
        results = [
            await _client_only(client, question),
            await _cell(client, question, "unthrottled", 1e9),
            await _cell(client, question, "ChatCell", 15.0),
        ]
    frames = words // per_frame + 1
    where = "a thread of this process" if in_process else "a child process"
    print(f"reply: {words} words in ~{frames} frames, {delay * 1000:.0f} ms apart; "
          f"sandbox in {where}")  # fmt: skip
    print(f"{'consumer':<14} {'tokens':>6} {'tokens/s':>10} {'updates/s':>12} "
          f"{'CPU ms/1k tok':>14} {'CPU s':>10}")  # fmt: skip
    for r in results:
        print(r.row())
    base, naive, cell = results
    print(f"ChatCell CPU / client-only CPU: {cell.cpu / base.cpu:.2f}x")
    print(f"unthrottled CPU / ChatCell CPU: {naive.cpu / cell.cpu:.2f}x")
    print(f"widget updates: ChatCell {cell.updates} vs unthrottled {naive.updates}")
    verdict = "under" if cell.cpu < 1.0 else "OVER"
    print(f"ChatCell total kernel CPU for {cell.words} tokens: {cell.cpu:.3f} s ({verdict} 1 s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--delay", type=float, default=0.005, help="seconds between frames")
    parser.add_argument("--per-frame", type=int, default=4, help="words added per frame")
    parser.add_argument("--in-process", action="store_true", help="sandbox in a thread here")
    args = parser.parse_args()
    asyncio.run(main(args.words, args.delay, args.per_frame, args.in_process))
