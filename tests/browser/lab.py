"""A throwaway JupyterLab server plus page helpers for the real-browser tests.

Follows ../shared/browser-testing.md: a temp root holding copies of the notebooks, temp
settings/workspaces/runtime dirs (no state leaks between runs), the news toast off, and
the kernel-ready race avoided by waiting for the status bar's ``| Idle``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx
from playwright.sync_api import Locator, Page, expect

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VISIBLE_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# Both stderr streams and raised exceptions render with this mime type.
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


# Installed before any page script: a payload that calls alert() (or its siblings) leaves a
# trace in window.__xss instead of a dialog that could go unnoticed.
XSS_TRAP = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (...args) => { window.__xss.push(name + ": " + args.join(" ")); };
}
"""


def xss_calls(page: Page) -> list[str]:
    """The alert/confirm/prompt calls recorded on the page (empty when no script ran)."""
    return list(page.evaluate("window.__xss || []"))


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LabServer:
    """A JupyterLab process on loopback serving a temp root; stop() ends it by its handle."""

    def __init__(self, base: Path, env: Mapping[str, str]) -> None:
        self.root = base / "root"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / "jupyterlab.log"
        dirs = {
            name: base / name for name in ("settings", "workspaces", "runtime", "config", "data")
        }
        for d in (self.root, *dirs.values()):
            d.mkdir(parents=True, exist_ok=True)
        # The "Jupyter news?" toast would cover the bottom-right corner of screenshots.
        notif = dirs["settings"] / "@jupyterlab" / "apputils-extension"
        notif.mkdir(parents=True)
        (notif / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
        # Render every cell: with windowing, off-screen cells have empty prompts and outputs.
        tracker = dirs["settings"] / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True)
        (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        self.env = {
            **os.environ,
            **env,
            "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
            "JUPYTER_CONFIG_DIR": str(dirs["config"]),
            "IPYTHONDIR": str(dirs["data"] / "ipython"),
            # Kernels must be this interpreter, where envnb is installed.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        }
        self._proc: subprocess.Popen[bytes] | None = None

    def copy_notebooks(self, *paths: Path) -> None:
        """Copy notebooks into the served root (the checked-in files are never touched)."""
        for p in paths:
            shutil.copy2(p, self.root / p.name)

    def start(self, timeout: float = 60.0) -> None:
        """Launch the server and wait until /api/status answers."""
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.news_url=",
        ]
        log = self.log_path.open("wb")
        self._proc = subprocess.Popen(
            cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.root
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/api/status", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"jupyter lab did not answer:\n{self.log_path.read_text()[-3000:]}")

    def delete_sessions(self) -> None:
        """Shut down every kernel session so a reopened notebook gets a fresh kernel."""
        for s in httpx.get(f"{self.url}/api/sessions", timeout=10).json():
            httpx.delete(f"{self.url}/api/sessions/{s['id']}", timeout=30)

    def stop(self) -> None:
        """Stop the server process (and, through it, its kernels)."""
        if self._proc is None:
            return
        with contextlib.suppress(httpx.HTTPError):
            self.delete_sessions()
        self._proc.terminate()
        try:
            self._proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None


def notebook(page: Page) -> Locator:
    """The visible notebook panel (hidden duplicates from old workspaces are ignored)."""
    return page.locator(VISIBLE_NOTEBOOK)


def open_notebook(page: Page, lab: LabServer, name: str, timeout: float = 60_000) -> Locator:
    """Open NAME fresh and wait until its kernel is really idle (not just the toolbar)."""
    page.goto(f"{lab.url}/lab/tree/{name}?reset")
    nb = notebook(page)
    expect(nb).to_be_visible(timeout=timeout)
    wait_kernel_idle(page, timeout)
    hide_left_sidebar(page)
    return nb


def hide_left_sidebar(page: Page) -> None:
    """Close the file browser so panels get the page's width (and screenshots too)."""
    if page.locator("#jp-left-stack").is_visible():
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()


def wait_kernel_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait for the status bar's '| Idle' (the toolbar reads idle too early)."""
    expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle", timeout=timeout)


def run_all(page: Page) -> None:
    """Run every cell through the Run menu, as a person would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()


def wait_all_cells_done(page: Page, timeout: float = 90_000) -> None:
    """Wait until every code cell shows an execution count, then check none raised."""
    nb = notebook(page)
    prompts = nb.locator(".jp-CodeCell .jp-InputArea-prompt")
    deadline = time.monotonic() + timeout / 1000
    while True:
        texts = prompts.all_text_contents()  # textContent: not layout-dependent
        if texts and all(re.fullmatch(r"\[\d+\]:", t.strip()) for t in texts):
            break
        errors = nb.locator(STDERR)
        tracebacks = [t for t in errors.all_text_contents() if "Traceback" in t]
        if tracebacks and "[*]:" not in " ".join(texts):
            raise AssertionError(f"a cell failed:\n{tracebacks[0][:3000]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"cells not all done: {texts}")
        time.sleep(0.25)
    wait_kernel_idle(page, timeout)
    assert_no_errors(page)


def assert_no_errors(page: Page) -> None:
    """Fail with the traceback text if any cell raised."""
    errs = notebook(page).locator(STDERR)
    for text in errs.all_text_contents():
        assert "Traceback" not in text, text[:3000]


def screenshot(target: Page | Locator, name: str) -> Path:
    """Save a PNG under test-artifacts/browser/ and return its path.

    A tall panel would be clipped by the notebook's scroll area, so the viewport is grown
    to fit it for the shot, then put back.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if isinstance(target, Page):
        target.screenshot(path=str(path))
        return path
    page = target.page
    before = page.viewport_size or {"width": 1280, "height": 900}
    box = target.bounding_box()
    needed = int(box["height"]) + 250 if box else before["height"]
    if needed > before["height"]:
        page.set_viewport_size({"width": before["width"], "height": needed})
        page.wait_for_timeout(300)  # let the notebook re-lay out
    target.scroll_into_view_if_needed()
    target.screenshot(path=str(path))
    if needed > before["height"]:
        page.set_viewport_size(before)
    return path
