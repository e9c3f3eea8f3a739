"""Bench: seven days of events into a DuckDB relation — ``download()`` against the query API.

A sandbox seeded with N events (``Sandbox(events=N)``, default sized so the last seven days
hold at least a million) runs in a child process, as PostHog would. Each way then runs in a
fresh Python process of its own, so its peak memory (``ru_maxrss``) is its own:

* ``by hand``   — what PostHog's docs advise for a query-API export: HogQL pages of 50,000
  rows ordered by ``timestamp``, the next page ``WHERE timestamp > <last one>``, each page
  ``query_df()`` into pandas, ``pd.concat``, then a DuckDB relation over the frame;
* ``download``  — ``client.file_exports.download("events", start, end)``: one run of seven
  days written as Parquet, fetched by streaming to disk, hashed, counted, and
  ``Download.duckdb()`` (a relation over ``read_parquet``; nothing loaded).

Both end with ``count(*)`` over the relation. Printed: rows, wall seconds and peak RSS of
each, and the ratios download / by hand. Targets: wall <= 0.2x, peak memory <= 0.5x.

    .venv/bin/python bench/file_download.py [--events 9000000] [--days 7]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

PAGE = 50_000
COLUMNS = "uuid, event, properties, distinct_id, timestamp, person_id"


def _serve(events: int, ready: Any, stop: Any) -> None:
    from envnb.sandbox import Sandbox

    with Sandbox(conversations=5, **({"events": events} if events else {})) as sb:
        sb.file_exports.start_delay = sb.file_exports.duration = 0.0
        ready.put((sb.url, sb.api_key, sb.project_id))
        stop.wait()


def by_hand(client: Any, start: str, end: str) -> int:
    """HogQL pages of 50,000 rows by timestamp into pandas, then a DuckDB relation."""
    import duckdb
    import pandas as pd

    frames = []
    where = f"timestamp >= toDateTime('{start}')"
    while True:
        page = client.query_df(
            f"SELECT {COLUMNS} FROM events WHERE {where} AND timestamp < toDateTime('{end}') "
            f"ORDER BY timestamp LIMIT {PAGE}"
        )
        frames.append(page)
        if len(page) < PAGE:
            break
        last = page["timestamp"].iloc[-1].strftime("%Y-%m-%d %H:%M:%S.%f")
        where = f"timestamp > toDateTime('{last}')"
    frame = pd.concat(frames, ignore_index=True)
    con = duckdb.connect()
    return int(con.from_df(frame).count("*").fetchall()[0][0])


def by_download(client: Any, start: str, end: str) -> int:
    """download() into a temporary folder, then Download.duckdb()."""
    import duckdb

    with tempfile.TemporaryDirectory() as folder:
        dl = client.file_exports.download("events", start, end, folder=folder, progress=False)
        con = duckdb.connect()
        return int(dl.duckdb(con).count("*").fetchall()[0][0])


WAYS = {"by hand": by_hand, "download": by_download}


def child(way: str, host: str, key: str, project: str, start: str, end: str) -> None:
    """One way, timed, in this (fresh) process; prints rows and wall seconds as JSON."""
    import envnb

    with envnb.Client(host=host, api_key=key, project_id=project, timeout=120) as client:
        began = time.perf_counter()
        rows = WAYS[way](client, start, end)
        wall = time.perf_counter() - began
    print(json.dumps({"rows": rows, "wall": wall}))


def measure(way: str, target: tuple[str, str, int], start: str, end: str) -> dict[str, float]:
    """Run one way in a child process: its rows, wall seconds and peak RSS (MiB)."""
    url, key, project = target
    args = [sys.executable, __file__, "--child", way, url, key, str(project), start, end]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{way} failed ({proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    result["rss_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=9_000_000, help="events in 90 days")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--child", nargs=6, metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    ctx = mp.get_context("spawn")
    ready, stop = ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=_serve, args=(args.events, ready, stop), daemon=True)
    proc.start()
    try:
        target = ready.get(timeout=600)
        end_at = datetime.now(UTC).replace(second=0, microsecond=0)
        start, end = (
            (end_at - timedelta(days=args.days)).strftime("%Y-%m-%d %H:%M:%S"),
            end_at.strftime("%Y-%m-%d %H:%M:%S"),
        )
        import envnb

        with envnb.Client(
            host=target[0], api_key=target[1], project_id=target[2], timeout=600
        ) as c:
            began = time.perf_counter()
            count = c.query(
                f"SELECT count() FROM events WHERE timestamp >= toDateTime('{start}') "
                f"AND timestamp < toDateTime('{end}')"
            ).results[0][0]
            print(f"sandbox: {args.events:,} events, {count:,} in the last {args.days} days "
                  f"(population built in {time.perf_counter() - began:.1f} s)")  # fmt: skip
        results = {way: measure(way, target, start, end) for way in WAYS}
    finally:
        stop.set()
        proc.join(30)
    print(f"{'way':<10} {'rows':>10} {'wall s':>8} {'peak MiB':>9}")
    for way, r in results.items():
        print(f"{way:<10} {r['rows']:>10,} {r['wall']:>8.2f} {r['rss_mib']:>9.0f}")
    hand, dl = results["by hand"], results["download"]
    print(f"download / by hand: wall {dl['wall'] / hand['wall']:.2f}x (target <= 0.2x), "
          f"peak memory {dl['rss_mib'] / hand['rss_mib']:.2f}x (target <= 0.5x)")  # fmt: skip


if __name__ == "__main__":
    main()
