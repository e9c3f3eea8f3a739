"""Bench: ``client.batch_exports.runs_df()`` over 90 days × 12 hourly exports, against a
naive pandas baseline, in one run (the method of ``bench/list_df.py``).

A sandbox seeded with 12 hourly exports (about 25,000 runs over 90 days; paused exports
stop at their pause) runs in a **subprocess**, so this process's CPU time is the client's
alone. Runs come in PostHog's cursor pages of 100 with no count, so nobody can fetch
pages of one export concurrently. Two consumers fetch every run of every export:

* ``baseline`` — what one writes by hand: list the exports, then for each one a sequential
  ``httpx.Client`` loop following ``next`` links with ``after=-100d``, ``json.loads`` per
  page, then ``pd.DataFrame(records)`` with the export's name added per record;
* ``envnb``    — ``client.batch_exports.runs_df(after="-100d")``: exports fetched a few at
  a time, the frame built column by column from the declared dtype map (status as a
  category, ``status_group``, UTC datetimes, nullable integers, ``duration_s``).

Each is measured twice: once for wall and CPU time, once under ``tracemalloc`` for peak
traced memory. Ratios are envnb / baseline. Targets: wall ratio <= 1.0, peak-memory ratio
<= 1.2 (the envnb frame has more, typed columns).

    .venv/bin/python bench/runs_df.py [--exports 12] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

import httpx
import pandas as pd
from list_df import launch, peak, timed

import envnb


def start_sandbox(exports: int) -> tuple[subprocess.Popen[str], str, str, str]:
    """Start ``envnb sandbox`` with hourly exports in a subprocess; return URL, key, project."""
    options = ["--batch-exports", str(exports), "--intervals", "hour"]
    return launch([*options, "--conversations", "0", "--profile-configs", "0"])


def baseline(url: str, key: str, project: str) -> pd.DataFrame:
    """The naive loop: every export, then its runs page by page via ``next``."""
    records: list[dict[str, Any]] = []
    base = f"{url}/api/projects/{project}/batch_exports/"
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        exports = json.loads(http.get(base).content)["results"]
        for export in exports:
            next_url: str | None = f"{base}{export['id']}/runs/?after=-100d"
            while next_url:
                page = json.loads(http.get(next_url).content)
                for run in page["results"]:
                    run["export_name"] = export["name"]
                records.extend(page["results"])
                next_url = page["next"]
    return pd.DataFrame(records)


def with_envnb(url: str, key: str, project: str) -> pd.DataFrame:
    """The envnb way."""
    with envnb.Client(host=url, api_key=key, project_id=project, progress=False) as client:
        df: pd.DataFrame = client.batch_exports.runs_df(after="-100d")
        return df


def main() -> None:
    """Run the comparison and print the figures and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exports", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=1, help="timing runs each (best is kept)")
    args = ap.parse_args()

    proc, url, key, project = start_sandbox(args.exports)
    try:
        t0 = time.perf_counter()
        expected = len(baseline(url, key, project))  # also writes the seeded history once
        warm = time.perf_counter() - t0
        print(f"{expected:,} runs of {args.exports} hourly exports (warm-up {warm:.1f}s)")
        runs: dict[str, Callable[[], pd.DataFrame]] = {
            "baseline": lambda: baseline(url, key, project),
            "envnb": lambda: with_envnb(url, key, project),
        }
        results: dict[str, dict[str, float]] = {}
        for name, fn in runs.items():
            best = min((timed(fn) for _ in range(args.repeat)), key=lambda r: r[0])
            wall, cpu, rows = best
            assert rows == expected, f"{name} fetched {rows} rows, expected {expected}"
            results[name] = {"wall": wall, "cpu": cpu, "peak": float(peak(fn))}
        print(f"{'':12}{'wall s':>10}{'client CPU s':>14}{'peak MiB':>11}")
        for name, r in results.items():
            print(f"{name:12}{r['wall']:>10.2f}{r['cpu']:>14.2f}{r['peak'] / 2**20:>11.1f}")
        e, b = results["envnb"], results["baseline"]
        print(
            f"RATIOS envnb/baseline: wall {e['wall'] / b['wall']:.2f} (target <= 1.0)  "
            f"cpu {e['cpu'] / b['cpu']:.2f}  "
            f"peak memory {e['peak'] / b['peak']:.2f} (target <= 1.2)"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
