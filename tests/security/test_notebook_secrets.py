"""Every notebook in notebooks/, executed with a recognisable sandbox-issued key in the
environment and saved: the saved file (outputs and widget state included) holds no key and
no secret destination value.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from envnb.sandbox import Sandbox

from .secrets_helpers import S3_WITH_SECRETS, leaks

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def leak_sandbox() -> Iterator[tuple[Sandbox, str]]:
    """A sandbox, a fresh legacy key for it, and an export carrying our canary secrets."""
    with Sandbox(seed=0, stream_delay=0.001) as sb:
        key = sb.create_key(None)
        with sb.client() as c:
            c.batch_exports.create(name="nb leak test", destination=S3_WITH_SECRETS, interval="day")
        yield sb, key


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_executed_notebook_holds_no_secret(
    path: Path,
    leak_sandbox: tuple[Sandbox, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sb, key = leak_sandbox
    # The kernel inherits this process's environment: connect() picks the key up from it.
    for name, value in {**sb.env(), "POSTHOG_PERSONAL_API_KEY": key}.items():
        monkeypatch.setenv(name, value)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    before = sb.stats()["requests"]
    client.execute(env=dict(os.environ))
    saved = tmp_path / path.name
    nbformat.write(nb, saved)
    text = saved.read_text(encoding="utf-8")
    assert sb.stats()["requests"] > before, "the notebook did not talk to the sandbox"
    assert leaks(text, key) == [], leaks(text, key)
