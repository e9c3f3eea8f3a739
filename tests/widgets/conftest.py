"""Fixtures shared by the widget tests (the sandbox fixtures live in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Panels run their calls as asyncio tasks on the kernel's loop: test on asyncio."""
    return "asyncio"
