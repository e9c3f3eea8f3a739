"""Bench: ``list_df()`` over a slow link, against a sequential loop at the same page size.

A sandbox seeded with N conversations (default 20,000) runs in a subprocess with the latency
fault adding 50 ms to every page (what a laptop far from PostHog sees). In one run, for each
client (``Client`` and ``AsyncClient``), two consumers fetch every conversation in pages of
1,000:

* ``sequential`` — an httpx loop (the same kind of client) following ``next`` one page at a
  time, ``json.loads`` per page, rows into the same ``FrameBuilder`` list_df uses;
* ``list_df``    — ``client.conversations.list_df()``: once the count is known the other
  pages are fetched PAGE_WINDOW at a time, each page parsed while the others wait.

So the ratio isolates the overlap of waits and parsing. Target: list_df / sequential <= 0.5
on both clients. Each is timed ``--repeat`` times, interleaved; the median is kept.

    .venv/bin/python bench/list_df_latency.py [--rows 20000] [--latency 0.05] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
import pandas as pd
from list_df import start_sandbox

import envnb
from envnb._core.framing import FrameBuilder
from envnb.conversations.frames import CONVERSATION_COLUMNS

PAGE = 1000


def sequential_sync(url: str, key: str, project: str) -> pd.DataFrame:
    """One page after another with ``httpx.Client``."""
    builder = FrameBuilder(CONVERSATION_COLUMNS)
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        next_url: str | None = f"{url}/api/projects/{project}/conversations/?limit={PAGE}"
        while next_url:
            page = json.loads(http.get(next_url).content)
            builder.add(page["results"])
            next_url = page["next"]
    return builder.build()


async def sequential_async(url: str, key: str, project: str) -> pd.DataFrame:
    """One page after another with ``httpx.AsyncClient``."""
    builder = FrameBuilder(CONVERSATION_COLUMNS)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        next_url: str | None = f"{url}/api/projects/{project}/conversations/?limit={PAGE}"
        while next_url:
            page = json.loads((await http.get(next_url)).content)
            builder.add(page["results"])
            next_url = page["next"]
    return builder.build()


def list_df_sync(url: str, key: str, project: str) -> pd.DataFrame:
    with envnb.Client(url, key, project, progress=False) as client:
        return client.conversations.list_df(page_size=PAGE)


async def list_df_async(url: str, key: str, project: str) -> pd.DataFrame:
    async with envnb.AsyncClient(url, key, project, progress=False) as client:
        return await client.conversations.list_df(page_size=PAGE)


def wall(fn: Callable[[], Any], rows: int) -> float:
    """Seconds ``fn`` takes; it must return every row."""
    start = time.perf_counter()
    df = fn()
    took = time.perf_counter() - start
    assert len(df) == rows, (len(df), rows)
    return took


def main() -> None:
    """Run both clients' comparisons and print the walls and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds added to every page")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    faults = f"latency={args.latency},route=conversations"
    proc, url, key, project = start_sandbox(args.rows, faults)
    try:
        sequential_sync(url, key, project)  # warm the server's caches once for everyone
        runs: dict[str, Callable[[], Any]] = {
            "sync sequential": lambda: sequential_sync(url, key, project),
            "sync list_df": lambda: list_df_sync(url, key, project),
            "async sequential": lambda: asyncio.run(sequential_async(url, key, project)),
            "async list_df": lambda: asyncio.run(list_df_async(url, key, project)),
        }
        walls: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.repeat):
            for name, fn in runs.items():
                walls[name].append(wall(fn, args.rows))
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    median = {name: statistics.median(times) for name, times in walls.items()}
    print(f"{args.rows:,} conversations, pages of {PAGE}, +{args.latency * 1000:.0f} ms a page")
    for name, seconds in median.items():
        print(
            f"  {name:<17} {seconds:6.3f} s  (runs: {', '.join(f'{t:.3f}' for t in walls[name])})"
        )
    for kind in ("sync", "async"):
        ratio = median[f"{kind} list_df"] / median[f"{kind} sequential"]
        print(f"{kind}: list_df / sequential wall = {ratio:.2f}  (target <= 0.5)")


if __name__ == "__main__":
    main()
