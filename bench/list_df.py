"""Bench: ``client.conversations.list_df()`` against a naive pandas baseline, in one run.

A sandbox seeded with N conversations (default 100,000) runs in a **subprocess**, so this
process's CPU time is the client's alone. Two consumers fetch every conversation:

* ``baseline`` — what one writes by hand: a sequential ``httpx.Client`` loop following
  ``next`` links at the server's default page size, ``json.loads`` per page, then
  ``pd.DataFrame(records)``;
* ``baseline1k`` — the same loop asking for ``limit=1000`` pages (the page size list_df
  uses), so the gain from fewer round trips is separated from the rest;
* ``envnb``    — ``client.conversations.list_df()``: pages fetched concurrently once the
  count is known, the frame built column by column from the declared dtype map.

Each is measured twice: once for wall and CPU time (``time.perf_counter`` and
``time.process_time``), once under ``tracemalloc`` for peak traced memory (the same
method for both; timing runs are not traced). Ratios are envnb / baseline. Targets:
wall ratio <= 1.0, peak-memory ratio <= 1.2.

    .venv/bin/python bench/list_df.py [--rows 100000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import httpx
import pandas as pd

import envnb


def start_sandbox(
    rows: int, faults: str | None = None
) -> tuple[subprocess.Popen[str], str, str, str]:
    """Start ``envnb sandbox`` in a subprocess; return it with its URL, key and project."""
    options = ["--conversations", str(rows), "--batch-exports", "0", "--profile-configs", "0"]
    return launch([*options, *(["--faults", faults] if faults else [])])


def launch(options: list[str]) -> tuple[subprocess.Popen[str], str, str, str]:
    """``envnb sandbox --port 0 OPTIONS`` in a subprocess, with its URL, key and project."""
    cmd = [sys.executable, "-m", "envnb.cli", "sandbox", "--port", "0", *options]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env={**os.environ})
    url = key = project = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        if m := re.search(r"serving at (\S+)", line):
            url = m.group(1)
        elif m := re.search(r"project id:\s*(\S+)", line):
            project = m.group(1)
        elif m := re.search(r"api key:\s*(\S+)", line):
            key = m.group(1)
        if url and key and project:
            break
    if not (url and key and project):
        proc.kill()
        raise SystemExit("the sandbox did not start")
    return proc, url, key, project


def baseline(url: str, key: str, project: str, query: str = "") -> pd.DataFrame:
    """The naive loop: sequential pages via ``next``, json.loads, pd.DataFrame(records)."""
    records: list[dict[str, Any]] = []
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        next_url: str | None = f"{url}/api/projects/{project}/conversations/{query}"
        while next_url:
            page = json.loads(http.get(next_url).content)
            records.extend(page["results"])
            next_url = page["next"]
    return pd.DataFrame(records)


def with_envnb(url: str, key: str, project: str) -> pd.DataFrame:
    """The envnb way."""
    with envnb.Client(host=url, api_key=key, project_id=project, progress=False) as client:
        df: pd.DataFrame = client.conversations.list_df()
        return df


def timed(fn: Callable[[], pd.DataFrame]) -> tuple[float, float, int]:
    """(wall seconds, process CPU seconds, rows)."""
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    df = fn()
    return time.perf_counter() - w0, time.process_time() - c0, len(df)


def peak(fn: Callable[[], pd.DataFrame]) -> int:
    """Peak traced memory (bytes) while ``fn`` runs and its frame is alive."""
    gc.collect()
    tracemalloc.start()
    try:
        df = fn()
        _, top = tracemalloc.get_traced_memory()
        del df
    finally:
        tracemalloc.stop()
    return top


def main() -> None:
    """Run the comparison and print the figures and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1, help="timing runs each (best is kept)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    proc, url, key, project = start_sandbox(args.rows)
    print(f"sandbox with {args.rows:,} conversations up in {time.perf_counter() - t0:.1f}s")
    try:
        with httpx.Client() as http:  # warm the server's caches the same way for both
            http.get(
                f"{url}/api/projects/{project}/conversations/?limit=1",
                headers={"Authorization": f"Bearer {key}"},
            )
        runs: dict[str, Callable[[], pd.DataFrame]] = {
            "baseline": lambda: baseline(url, key, project),
            "baseline1k": lambda: baseline(url, key, project, "?limit=1000"),
            "envnb": lambda: with_envnb(url, key, project),
        }
        results: dict[str, dict[str, float]] = {}
        for name, fn in runs.items():
            best = min((timed(fn) for _ in range(args.repeat)), key=lambda r: r[0])
            wall, cpu, rows = best
            assert rows == args.rows, f"{name} fetched {rows} rows, expected {args.rows}"
            results[name] = {"wall": wall, "cpu": cpu, "peak": float(peak(fn))}
        print(f"{'':12}{'wall s':>10}{'client CPU s':>14}{'peak MiB':>11}")
        for name, r in results.items():
            print(f"{name:12}{r['wall']:>10.2f}{r['cpu']:>14.2f}{r['peak'] / 2**20:>11.1f}")
        e = results["envnb"]
        for base in ("baseline", "baseline1k"):
            b = results[base]
            print(
                f"RATIOS envnb/{base}: wall {e['wall'] / b['wall']:.2f} (target <= 1.0)  "
                f"cpu {e['cpu'] / b['cpu']:.2f}  "
                f"peak memory {e['peak'] / b['peak']:.2f} (target <= 1.2)"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
