"""`make demo` installs what the demo needs only; `make test` installs the test tools too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _plan(target: str) -> list[str]:
    """The commands `make TARGET` would run from scratch (-n: nothing is run, -B: all)."""
    out = subprocess.run(
        ["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.split("\n") if "pip install" in line]


def test_make_demo_installs_only_the_notebook_extra() -> None:
    installs = _plan("demo")
    assert ".venv/bin/python -m pip install -q -e '.[notebook]'" in installs
    assert not any("test" in line for line in installs)


def test_make_test_installs_the_test_tools_too() -> None:
    assert ".venv/bin/python -m pip install -q -e '.[notebook,test]'" in _plan("test")
