"""Bench: building the seeded population (``build_population``) against the ``events`` table
the sandbox built before it (``bench/baseline_events.py``, the old generator: numpy + pandas
for 75,000 events of one table), measured in the same run, median of ``--repeat`` runs.

* ``old 75k``        — the old build (the baseline);
* ``new 75k``        — the default population: five tables, about 75,000 events;
* ``new 1M``         — ``events=1_000_000`` on one DuckDB thread (as the sandbox builds it)
  and on two;
* ``first query``    — ``Sandbox()`` started, its first HogQL query over HTTP (start + build;
  its CPU time includes the server thread).

Targets: ``new 75k`` about the old build (<= 1.5x); ``new 1M`` a few seconds on 2 cores.

    .venv/bin/python bench/population.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import httpx

from envnb.sandbox import Sandbox
from envnb.sandbox.query.population import build_population

sys.path.insert(0, str(Path(__file__).parent))
from baseline_events import EventsDB as OldEventsDB

CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``fn`` over ``repeat`` runs (CPU time: this process,
    every thread; steadier than wall time on a machine other jobs share)."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def old() -> None:
    OldEventsDB(0, CLOCK, pinned=True).connection().close()


def new(events: int, threads: int = 1) -> Callable[[], None]:
    def run() -> None:
        con = duckdb.connect(":memory:", config={"threads": threads})
        build_population(con, seed=0, events=events, now=CLOCK)
        con.close()

    return run


def first_query() -> None:
    with Sandbox(clock=CLOCK) as sb:
        url = f"{sb.url}/api/projects/{sb.project_id}/query/"
        query = {"kind": "HogQLQuery", "query": "SELECT count() FROM events"}
        response = httpx.post(
            url,
            json={"query": query},
            headers={"Authorization": f"Bearer {sb.api_key}"},
            timeout=120,
        )
        response.raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = timed(old, args.repeat)
    rows = [
        ("old 75k", base),
        ("new 75k", timed(new(75_000), args.repeat)),
        ("new 1M, 1 thread", timed(new(1_000_000), args.repeat)),
        ("new 1M, 2 threads", timed(new(1_000_000, threads=2), args.repeat)),
        ("first query (new)", timed(first_query, args.repeat)),
    ]
    for name, (wall, cpu) in rows:
        print(
            f"{name:20} wall {wall * 1000:8.0f} ms ({wall / base[0]:5.2f}x)  "
            f"cpu {cpu * 1000:8.0f} ms ({cpu / base[1]:5.2f}x old 75k)"
        )


if __name__ == "__main__":
    main()
