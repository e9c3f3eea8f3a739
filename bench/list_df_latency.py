"""Bench: ``list_df()`` over a far link, against a hand-written loop of 1,000-row pages.

A sandbox seeded with N conversations (default 20,000) runs in a subprocess with the latency
fault adding 50 ms to every page (what a laptop far from PostHog sees), so this process's
CPU time is the client's alone. In one run, for each client (``Client`` and
``AsyncClient``), two consumers fetch every conversation:

* ``hand loop`` — what one writes by hand: an httpx loop (the same kind of client) asking
  for ``limit=1000`` and following ``next`` one page at a time, ``json.loads`` per page,
  then ``pd.DataFrame(records)``;
* ``list_df``   — ``client.conversations.list_df()`` (its default page size, 1,000): once
  the count is known the other pages are fetched PAGE_WINDOW at a time, larger when the
  list is long (``_core.paging`` Rule 6), into a frame with the declared dtypes.

Each runs once untimed (imports, the server's caches), then is timed ``--repeat`` times,
interleaved, each from a collected heap, for wall (``perf_counter``) and client CPU
(``process_time``); the medians are kept. Targets: list_df / hand loop wall <= 0.5 and
CPU <= 1.0 on both clients.

    .venv/bin/python bench/list_df_latency.py [--rows 20000] [--latency 0.05] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
import pandas as pd
from list_df import start_sandbox

import envnb

PAGE = 1000


def hand_sync(url: str, key: str, project: str) -> pd.DataFrame:
    """One page after another with ``httpx.Client``, then ``pd.DataFrame(records)``."""
    records: list[dict[str, Any]] = []
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        next_url: str | None = f"{url}/api/projects/{project}/conversations/?limit={PAGE}"
        while next_url:
            page = json.loads(http.get(next_url).content)
            records.extend(page["results"])
            next_url = page["next"]
    return pd.DataFrame(records)


async def hand_async(url: str, key: str, project: str) -> pd.DataFrame:
    """One page after another with ``httpx.AsyncClient``, then ``pd.DataFrame(records)``."""
    records: list[dict[str, Any]] = []
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        next_url: str | None = f"{url}/api/projects/{project}/conversations/?limit={PAGE}"
        while next_url:
            page = json.loads((await http.get(next_url)).content)
            records.extend(page["results"])
            next_url = page["next"]
    return pd.DataFrame(records)


def list_df_sync(url: str, key: str, project: str) -> pd.DataFrame:
    with envnb.Client(url, key, project, progress=False) as client:
        return client.conversations.list_df()


async def list_df_async(url: str, key: str, project: str) -> pd.DataFrame:
    async with envnb.AsyncClient(url, key, project, progress=False) as client:
        return await client.conversations.list_df()


def timed(fn: Callable[[], Any], rows: int) -> tuple[float, float]:
    """Wall and CPU seconds ``fn`` takes; it must return every row."""
    gc.collect()  # each starts from the same clean heap (no collection of another's garbage)
    wall, cpu = time.perf_counter(), time.process_time()
    df = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert len(df) == rows, (len(df), rows)
    return wall, cpu


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
        runs: dict[str, Callable[[], Any]] = {
            "sync hand loop": lambda: hand_sync(url, key, project),
            "sync list_df": lambda: list_df_sync(url, key, project),
            "async hand loop": lambda: asyncio.run(hand_async(url, key, project)),
            "async list_df": lambda: asyncio.run(list_df_async(url, key, project)),
        }
        for fn in runs.values():  # warm the server's caches and each way's imports, untimed
            fn()
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        for _ in range(args.repeat):
            for name, fn in runs.items():
                times[name].append(timed(fn, args.rows))
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    wall = {name: statistics.median(w for w, _ in runs) for name, runs in times.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in times.items()}
    print(f"{args.rows:,} conversations, +{args.latency * 1000:.0f} ms a page "
          f"(median of {args.repeat})")  # fmt: skip
    print(f"  {'':<16} {'wall s':>7} {'CPU s':>7}   walls")
    for name in times:
        walls = ", ".join(f"{w:.2f}" for w, _ in times[name])
        print(f"  {name:<16} {wall[name]:7.3f} {cpu[name]:7.3f}   {walls}")
    for kind in ("sync", "async"):
        ours, hand = f"{kind} list_df", f"{kind} hand loop"
        print(
            f"{kind}: list_df / hand loop  wall {wall[ours] / wall[hand]:.2f} (target <= 0.5)"
            f"  CPU {cpu[ours] / cpu[hand]:.2f} (target <= 1.0)"
        )


if __name__ == "__main__":
    main()
