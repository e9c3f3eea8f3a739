"""Bench: a long streamed reply consumed by a ChatCell, as PostHog streams it.

The sandbox's ``lorem N`` responder answers with N words, each frame carrying the whole
text so far (``words_per_frame`` more each time). Three consumers read the same reply in
this run:

* ``httpx raw``     — plain httpx reading the same SSE bytes, no parsing (transport floor);
* ``client only``   — the AsyncClient's event stream, nothing rendered (the baseline);
* ``unthrottled``   — a ChatCell that renders and sets the widget on every frame;
* ``unpaced``       — the panel flushed ~15 times a second but reading every frame as it
  comes (``pace=False``: one socket read per frame, as before pacing);
* ``ChatCell``      — the real panel: buffered, flushed at most ~15 times a second, and
  napping one flush interval after each flush so frames are read many per socket read;
* ``render only``   — the panel's own share: the recorded events of the same reply replayed
  through the panel's assembler, throttle and renderer on a simulated clock (one frame
  every ``--delay`` seconds), no network.

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
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import ipywidgets as W

import envnb
from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell
from envnb.widgets._livechat import LiveTurn
from envnb.widgets._throttle import Throttle


def _serve(delay: float, per_frame: int, ready: Any, stop: Any) -> None:
    with Sandbox(stream_delay=delay, words_per_frame=per_frame) as sb:
        ready.put((sb.url, sb.api_key, sb.project_id))
        stop.wait()


@dataclass
class Target:
    """Where the sandbox serves, and a client for it."""

    client: Any
    url: str
    key: str
    project_id: int


@contextmanager
def sandbox_client(delay: float, per_frame: int, in_process: bool) -> Iterator[Target]:
    """An envnb.Client on a sandbox served from a child process (or this one)."""
    if in_process:
        with Sandbox(stream_delay=delay, words_per_frame=per_frame) as sb:
            yield Target(sb.client(), sb.url, sb.api_key, sb.project_id)
        return
    ctx = mp.get_context("spawn")
    ready, stop = ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=_serve, args=(delay, per_frame, ready, stop), daemon=True)
    proc.start()
    try:
        url, key, project = ready.get(timeout=60)
        with envnb.Client(host=url, api_key=key, project_id=project) as client:
            yield Target(client, url, key, project)
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


async def _httpx_raw(target: Target, question: str) -> Result:
    url = f"{target.url}/api/projects/{target.project_id}/conversations/"
    body = {"content": question, "conversation": str(uuid.uuid4()), "trace_id": str(uuid.uuid4())}
    headers = {"Authorization": f"Bearer {target.key}"}
    async with httpx.AsyncClient(timeout=120) as http:
        t0, c0 = time.perf_counter(), time.thread_time()
        async with http.stream("POST", url, json=body, headers=headers) as resp:
            async for _chunk in resp.aiter_raw():
                pass
        cpu, wall = time.thread_time() - c0, time.perf_counter() - t0
    words = int(question.split()[1])
    return Result("httpx raw", words, wall, cpu, 0)


async def _client_only(client: Any, question: str) -> Result:
    aclient = client.to_async()
    t0, c0 = time.perf_counter(), time.thread_time()
    stream = aclient.conversations.stream(question)
    async for _event in stream:
        pass
    cpu, wall = time.thread_time() - c0, time.perf_counter() - t0
    words = len(stream.assembler.reply.split())
    return Result("client only", words, wall, cpu, 0)


async def _cell(
    client: Any, question: str, name: str, flush_per_second: float, pace: bool = True
) -> Result:
    cell = ChatCell(client, flush_per_second=flush_per_second, pace=pace)
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


async def _record(client: Any, question: str) -> list[Any]:
    stream = client.to_async().conversations.stream(question)
    return [event async for event in stream]


def _render_only(events: list[Any], question: str, delay: float) -> Result:
    """Replay recorded events through what ChatCell does per frame, on a simulated clock."""
    clock = [0.0]
    turn = LiveTurn(question)
    html = W.HTML()
    sent = [0]

    def sink(_value: None) -> None:
        html.value = turn.html()
        sent[0] += 1

    throttle: Throttle[None] = Throttle(sink, 1 / 15, clock=lambda: clock[0])
    c0 = time.thread_time()
    for event in events:
        turn.feed(event)  # its own assembler here: the stream's is not available offline
        clock[0] += delay
        throttle.push(None)
    throttle.close()
    html.value = turn.html(final=True)
    cpu = time.thread_time() - c0
    return Result("render only", len(turn.reply.split()), clock[0], cpu, sent[0] + 1)


async def main(words: int, delay: float, per_frame: int, in_process: bool) -> None:
    """Run the consumers against one sandbox and print the table and ratios."""
    question = f"lorem {words}"
    with sandbox_client(delay, per_frame, in_process) as target:
        client = target.client
        await _client_only(client, "lorem 50")  # warm-up: imports, connections
        results = [
            await _httpx_raw(target, question),
            await _client_only(client, question),
            await _cell(client, question, "unthrottled", 1e9, pace=False),
            await _cell(client, question, "unpaced", 15.0, pace=False),
            await _cell(client, question, "ChatCell", 15.0),
        ]
        results.append(_render_only(await _record(client, question), question, delay))
    frames = words // per_frame + 1
    where = "a thread of this process" if in_process else "a child process"
    print(f"reply: {words} words in ~{frames} frames, {delay * 1000:.0f} ms apart; "
          f"sandbox in {where}")  # fmt: skip
    print(f"{'consumer':<14} {'tokens':>6} {'tokens/s':>10} {'updates/s':>12} "
          f"{'CPU ms/1k tok':>14} {'CPU s':>10}")  # fmt: skip
    for r in results:
        print(r.row())
    raw, base, naive, unpaced, cell, render = results
    print(f"client-only CPU / httpx-raw CPU: {base.cpu / raw.cpu:.2f}x")
    print(f"ChatCell CPU / client-only CPU: {cell.cpu / base.cpu:.2f}x")
    print(f"unthrottled CPU / ChatCell CPU: {naive.cpu / cell.cpu:.2f}x")
    print(f"unpaced CPU / ChatCell CPU: {unpaced.cpu / cell.cpu:.2f}x")
    print(f"widget updates: ChatCell {cell.updates} vs unthrottled {naive.updates}")
    print(f"the panel's own CPU (render only): {render.cpu:.3f} s for {render.words} tokens")
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
