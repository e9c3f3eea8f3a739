"""Bench: what the query API's ``events`` table costs, as ratios against the sandbox's own
start-up (seeding SQLite + binding + serving), measured in the same run.

* ``start``        — ``Sandbox()`` started and stopped: what every test pays (the baseline);
* ``build``        — generating and loading the 90-day ``events`` table into DuckDB (paid
  once, on a sandbox's first query; never by a sandbox that is not queried);
* ``first_query``  — a started sandbox plus its first HogQL query over HTTP (start + build);
* ``query``        — one more TrendsQuery over HTTP once the table exists.

Targets: ``start`` is unchanged by this feature (the table is lazy); ``build`` <= 1x start.

    .venv/bin/python bench/sandbox_events.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from envnb.sandbox import Sandbox
from envnb.sandbox.query.events import EventsDB

TRENDS = {
    "kind": "TrendsQuery",
    "series": [{"kind": "EventsNode", "event": "$pageview"}],
    "interval": "day",
    "dateRange": {"date_from": "-30d"},
    "breakdownFilter": {"breakdown": "$browser"},
}


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall seconds of ``fn`` over ``repeat`` runs."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def start() -> None:
    with Sandbox():
        pass


def build() -> None:
    EventsDB(0, datetime(2026, 3, 2, 12, tzinfo=UTC), pinned=True).connection()


def first_query() -> None:
    with Sandbox() as sb:
        post(sb, {"kind": "HogQLQuery", "query": "SELECT count() FROM events"})


def post(sb: Sandbox, query: dict[str, object]) -> None:
    url = f"{sb.url}/api/projects/{sb.project_id}/query/"
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    response = httpx.post(url, json={"query": query}, headers=headers, timeout=60)
    response.raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base = timed(start, args.repeat)
    built = timed(build, args.repeat)
    first = timed(first_query, args.repeat)
    with Sandbox() as sb:
        post(sb, TRENDS)
        one = timed(lambda: post(sb, TRENDS), args.repeat)
    print(f"start        {base * 1000:8.1f} ms  (baseline)")
    print(f"build        {built * 1000:8.1f} ms  ratio {built / base:5.2f}")
    print(f"first_query  {first * 1000:8.1f} ms  ratio {first / base:5.2f}")
    print(f"query        {one * 1000:8.1f} ms  ratio {one / base:5.2f}")


if __name__ == "__main__":
    main()
