"""The HogQL parse worker outlives an interrupt of the process group it was started in."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from envnb.sandbox.query import hogql_parse_worker as worker


def test_an_interrupt_does_not_kill_the_parse_worker() -> None:
    """A notebook's Interrupt sends SIGINT to the kernel's process group, the worker included:
    it died with a KeyboardInterrupt traceback (seen running notebook 06 under nbclient)."""
    assert worker.parse_select_json("SELECT 1")[0] == "ok"
    assert worker._worker is not None
    process = worker._worker.process
    os.kill(process.pid, signal.SIGINT)
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=1)  # still running a second later
    assert worker.parse_select_json("SELECT 2")[0] == "ok"
    assert worker._worker.process is process
