"""Bench: the HogQL engine (PostHog's parser + the AST -> sqlglot -> DuckDB compiler) against
the previous engine (sqlglot's ClickHouse reader, kept in ``bench/baseline_hogql.py``), measured
in the same run on the same DuckDB table, for a mixed set of queries both engines answer.

* ``parse``   — PostHog's parser on new text (cold: the parse cache cleared);
* ``compile`` — parse (cached) + compile to DuckDB SQL;
* ``warm``    — a whole warm query (parse cached, compile, run, shape the answer);
* ``legacy``  — the previous engine's whole query (its own parse, rewrite, run).

Target: a warm query at a few tens of ms; the ratio warm/legacy is reported.

    .venv/bin/python bench/hogql_engine.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from envnb.sandbox.query.events import EventsDB
from envnb.sandbox.query.hogql import compile_hogql, run_hogql
from envnb.sandbox.query.hogql_parse import _parse_text, parse_select

sys.path.insert(0, str(Path(__file__).parent))
import baseline_hogql  # the previous engine, a bench baseline beside this file

QUERIES = [
    "SELECT event, count() FROM events GROUP BY event ORDER BY count() DESC",
    "SELECT properties.$browser AS browser, count() FROM events WHERE event = 'signed_up' "
    "GROUP BY browser ORDER BY browser",
    "SELECT toStartOfWeek(timestamp) AS week, count() FROM events WHERE event = 'purchase' "
    "GROUP BY week ORDER BY week",
    "SELECT toStartOfDay(timestamp) AS day, uniq(distinct_id) FROM events "
    "WHERE timestamp >= now() - INTERVAL 14 DAY GROUP BY day ORDER BY day",
    "SELECT uuid, event, timestamp FROM events ORDER BY timestamp DESC LIMIT 50",
    "SELECT distinct_id, count() AS n FROM events GROUP BY distinct_id ORDER BY n DESC LIMIT 10",
]


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall seconds of ``fn`` over ``repeat`` runs."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    db = EventsDB(0, datetime(2026, 3, 2, 12, tzinfo=UTC), pinned=True)
    con = db.connection()  # built once, outside the timings
    now = db.now()

    def cold_parse() -> None:
        _parse_text.cache_clear()
        for text in QUERIES:
            parse_select(text)

    def compile_all() -> None:
        for text in QUERIES:
            compile_hogql(text, now, con)

    def warm() -> None:
        for text in QUERIES:
            run_hogql(db, text)

    def legacy() -> None:
        for text in QUERIES:
            baseline_hogql.run_hogql(db, text)

    warm()  # caches and DuckDB warmed for both engines
    legacy()
    rows = {
        "parse": timed(cold_parse, repeat),
        "compile": timed(compile_all, repeat),
        "warm": timed(warm, repeat),
        "legacy": timed(legacy, repeat),
    }
    count = len(QUERIES)
    for name, seconds in rows.items():
        print(f"{name:8} {seconds / count * 1000:8.2f} ms/query")
    print(f"ratio warm/legacy: {rows['warm'] / rows['legacy']:.2f}")


if __name__ == "__main__":
    main()
