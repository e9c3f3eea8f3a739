"""Fixtures for the real-browser tests: a canary sandbox, a JupyterLab pointed at it, chromium.

Everything is session-scoped except the page, so the suite pays for one server and one
browser. Each test still gets a fresh kernel: sessions are deleted before and after.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright

from .lab import CHROMIUM, CHROMIUM_ARGS, REPO, XSS_TRAP, LabServer, screenshot, xss_calls

if TYPE_CHECKING:
    from envnb.sandbox import Sandbox

NOTEBOOKS = REPO / "notebooks"

# Slow enough that the browser sees a reply grow and Stop lands mid-stream, fast enough
# that a `lorem 400` reply still finishes in seconds when nobody stops it.
STREAM_DELAY = 0.05
WORDS_PER_FRAME = 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark everything under tests/browser as a browser test (``-m 'not browser'`` skips it)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """Remember each phase's report on the item, so the page fixture can see a failure."""
    report: pytest.TestReport = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser_sandbox() -> Iterator[Sandbox]:
    """A sandbox seeded with XSS canaries, streaming slowly enough to watch."""
    from envnb.sandbox import Sandbox

    with Sandbox(canary=True, stream_delay=STREAM_DELAY, words_per_frame=WORDS_PER_FRAME) as sb:
        yield sb


@pytest.fixture(scope="session")
def lab(browser_sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab on loopback over copies of the notebooks; kernels inherit the sandbox env."""
    server = LabServer(tmp_path_factory.mktemp("lab"), browser_sandbox.env())
    server.copy_notebooks(*sorted(NOTEBOOKS.glob("*.ipynb")))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium driven by playwright (never a downloaded browser)."""
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _on_dialog(dialog: Dialog, script_runs: list[str]) -> None:
    # "Leave page?" on a reload of an edited notebook is JupyterLab's, not a payload's.
    if dialog.type == "beforeunload":
        dialog.accept()
        return
    script_runs.append(f"{dialog.type}: {dialog.message}")
    dialog.dismiss()


_LOUD = {"error", "warning"}


@pytest.fixture
def script_runs() -> list[str]:
    """Every alert/confirm/prompt the page saw: the canary payloads call alert()."""
    return []


@pytest.fixture
def page(
    browser: Browser, lab: LabServer, script_runs: list[str], request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh page watching for injected script; kernel sessions cleared before and after.

    Every test doubles as an XSS check: the sandbox seeds script payloads into names,
    titles and messages, and a page on which any of them ran fails at teardown.
    """
    lab.delete_sessions()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    # Assertions wait like actions do: panels load in the background after their cell ends
    # (runs strips, charts), and a loaded 2-core machine can take longer than playwright's
    # 5 s default. A passing check returns as soon as it holds; only failures wait longer.
    expect.set_options(timeout=15_000)
    context.add_init_script(XSS_TRAP)
    pg = context.new_page()
    pg.on("dialog", lambda d: _on_dialog(d, script_runs))
    # What the page itself complained of (a widget view that failed to render logs here
    # and nowhere else): printed with a failure, so a CI log says why, not only what.
    console: list[str] = []
    pg.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in _LOUD else None)
    pg.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        screenshot(pg, f"FAILED-{request.node.name}")  # what the page showed, for CI logs
        print("browser console (errors and warnings):", *console[-60:], sep="\n  ")
    script_runs.extend(xss_calls(pg))
    context.close()
    lab.delete_sessions()
    assert not script_runs, f"injected script ran: {script_runs}"
