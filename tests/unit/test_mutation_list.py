"""Every mutation in tests/mutations.toml still applies to the tree (``scripts/mutation.py``'s
own check: its ``original`` occurs once, the mutant parses): a stale entry stops
``make mutation`` before it runs anything, and nothing else would notice."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_every_mutation_applies_to_its_file(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("mutation", ROOT / "scripts" / "mutation.py")
    assert spec is not None and spec.loader is not None
    mutation = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mutation)
    try:
        entries = mutation.load(mutation.LIST)
    except SystemExit:
        pytest.fail(capsys.readouterr().err)
    assert len(entries) > 50
