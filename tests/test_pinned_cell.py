"""A pinned cell re-runs the reply's queries in a fresh kernel: the same frame, no AI call."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from envnb.sandbox import Sandbox

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def pinned_sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=0, clock=datetime(2026, 3, 2, 12, tzinfo=UTC), stream_delay=0.002) as sb:
        yield sb


# The notebook's client is `ph`, made from settings under names envnb does not read: with no
# POSTHOG_* variable in the kernel, a pinned cell that connected on its own would start a
# sandbox of its own (other data, and no query would reach this one).
MAKE_PH = (
    "import os, envnb\n"
    "ph = envnb.Client(host=os.environ['PH_TEST_HOST'], api_key=os.environ['PH_TEST_KEY'],\n"
    "                  project_id=os.environ['PH_TEST_PROJECT'])"
)


def _run(cells: list[str], *, allow_errors: bool = False) -> Any:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=allow_errors).execute()
    return nb


def _printed(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.fixture
def ph_kernel_env(pinned_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    sb = pinned_sandbox
    for name in sb.env():
        monkeypatch.delenv(name, raising=False)
    for name in ("POSTHOG_HOST", "POSTHOG_API_KEY", "POSTHOG_PROJECT_ID", "ENVNB_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PH_TEST_HOST", sb.url)
    monkeypatch.setenv("PH_TEST_KEY", sb.api_key)
    monkeypatch.setenv("PH_TEST_PROJECT", str(sb.project_id))
    return sb


def test_the_pinned_cell_gets_the_same_frame_without_asking_again(ph_kernel_env: Sandbox) -> None:
    sb = ph_kernel_env
    client = sb.client()
    (expected,) = client.conversations.ask("how many purchases per week").frames()
    asked = _run([MAKE_PH, "print(ph.conversations.ask('how many purchases per week').pin())"])
    code = _printed(asked.cells[1])
    assert code.startswith("# Pinned from PostHog AI")
    assert "# Question: how many purchases per week" in code
    name = "weekly_purchases_last_90_days"
    assert f"{name} = ph.query_df(" in code and "connect(" not in code  # the user's own client

    sb.reset_stats()
    messages_before = sb.stats()["writes"].get("conversation.message", 0)
    nb = _run([MAKE_PH, code, f"print({name}.to_json(orient='split', date_format='iso'))"])
    got = pd.read_json(io.StringIO(_printed(nb.cells[2])), orient="split")
    want = pd.read_json(
        io.StringIO(expected.to_json(orient="split", date_format="iso")), orient="split"
    )
    pd.testing.assert_frame_equal(got, want)
    assert len(got) == 14 and got["value"].sum() == 688  # 13 weeks + the current one
    stats = sb.stats()
    assert stats["queries"] == 1  # the pinned cell ran the query once, here ...
    assert stats["writes"].get("conversation.message", 0) == messages_before  # ... and no chat


def test_a_pinned_cell_without_its_client_says_so_and_starts_no_sandbox(
    ph_kernel_env: Sandbox,
) -> None:
    sb = ph_kernel_env
    asked = _run([MAKE_PH, "print(ph.conversations.ask('how many purchases per week').pin())"])
    code = _printed(asked.cells[1])
    sb.reset_stats()
    nb = _run(
        [code, "import envnb._client as c; print('sandbox started:', c._sandbox)"],
        allow_errors=True,
    )
    errors = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    assert [e["ename"] for e in errors] == ["NameError"]
    assert "with `ph`, the client made earlier in this notebook" in errors[0]["evalue"]
    assert _printed(nb.cells[1]) == "sandbox started: None\n"
    assert sb.stats()["queries"] == 0
