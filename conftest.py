"""Run-wide pytest hooks for `make test` (tests/ and the nbval notebooks in one run).

`make test` runs in a random order (pytest-randomly prints the seed in the header;
``--randomly-seed=N`` repeats it, ``-p no:randomly`` keeps file order). Randomising is safe
for the tests under tests/ (each builds what it needs), not for two kinds of item, pinned
here:

* nbval notebook cells are steps of one program: each notebook's cells run in their own
  order, after the shuffled tests (pytest-randomly would shuffle them across notebooks, as
  they have no Python module to group them by);
* the real-browser tests run last, in file order (see below).
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).parent / "tests" / "browser"


def _is_browser(item: pytest.Item) -> bool:
    return item.path.is_relative_to(BROWSER_TESTS)


def _is_notebook(item: pytest.Item) -> bool:
    return item.path.suffix == ".ipynb"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> Generator[None, None, None]:
    """Keep notebook cells in order and the real-browser tests last.

    A wrapper registered after pytest-randomly's runs outside it: it sees the collection
    order before the shuffle, and has the last word after it.

    Playwright's sync API keeps an asyncio loop running on the main thread for as long as its
    session fixture lives, so any async test or nbval kernel after it would fail with
    "Cannot run the event loop while another loop is running".
    """
    collected = {id(item): n for n, item in enumerate(items)}
    result = yield
    shuffled = [item for item in items if not (_is_notebook(item) or _is_browser(item))]
    pinned = [item for item in items if _is_notebook(item) or _is_browser(item)]
    pinned.sort(key=lambda item: (_is_browser(item), collected[id(item)]))
    items[:] = shuffled + pinned
    return result
