"""Run-wide pytest hooks for `make test` (tests/ and the nbval notebooks in one run)."""

from __future__ import annotations

from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).parent / "tests" / "browser"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the real-browser tests last.

    Playwright's sync API keeps an asyncio loop running on the main thread for as long as its
    session fixture lives, so any async test or nbval kernel after it would fail with
    "Cannot run the event loop while another loop is running".
    """
    items.sort(key=lambda item: item.path.is_relative_to(BROWSER_TESTS))
