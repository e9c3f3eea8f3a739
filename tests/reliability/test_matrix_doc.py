"""docs/reliability.md holds the fault matrix exactly as fault_cases.py states it."""

from __future__ import annotations

from pathlib import Path

from .fault_cases import BEGIN, CASES, END, FAULTS, render_table, sync_doc

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"


def test_doc_table_matches_the_tested_cases() -> None:
    assert sync_doc(str(DOC), write=False), (
        "docs/reliability.md is out of date: run `python -m tests.reliability.fault_cases`"
    )


def test_table_has_one_row_per_case() -> None:
    table = render_table()
    assert table.startswith(BEGIN) and table.endswith(END)
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(CASES) == 8 * len(FAULTS)
