"""Shared fixtures: a session-wide sandbox and a fresh one per test, over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from envnb.sandbox import Sandbox

# Streams in tests run fast; tests that need time to cancel or resume mid-stream pass their
# own stream_delay to fresh sandboxes or call sb.set_stream().
TEST_STREAM_DELAY = 0.002


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """One seeded sandbox for the whole run (seed 0); don't leave faults switched on."""
    with Sandbox(seed=0, stream_delay=TEST_STREAM_DELAY) as sb:
        yield sb


@pytest.fixture
def fresh_sandbox() -> Iterator[Sandbox]:
    """A sandbox of its own for a test that mutates state, counts writes or sets faults."""
    with Sandbox(seed=0, stream_delay=TEST_STREAM_DELAY) as sb:
        yield sb


@pytest.fixture
def anyio_backend() -> str:
    """Run anyio tests on asyncio only."""
    return "asyncio"
