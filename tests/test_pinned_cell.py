"""A pinned cell re-runs the reply's queries in a fresh kernel: the same frame, no AI call."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

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


def test_the_pinned_cell_gets_the_same_frame_without_asking_again(
    pinned_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = pinned_sandbox
    client = sb.client()
    answer = client.conversations.ask("how many purchases per week")
    (expected,) = answer.frames()
    code = answer.pin()  # outside IPython: only returns the code
    assert code.startswith("# Pinned from PostHog AI")
    assert "# Question: how many purchases per week" in code

    for name, value in sb.env().items():  # the fresh kernel finds the sandbox as a user would
        monkeypatch.setenv(name, value)
    sb.reset_stats()
    messages_before = sb.stats()["writes"].get("conversation.message", 0)
    name = "weekly_purchases_last_90_days"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(code),
        nbformat.v4.new_code_cell(f"print({name}.to_json(orient='split', date_format='iso'))"),
    ]
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    printed = "".join(o.get("text", "") for o in nb.cells[1].outputs if o.output_type == "stream")
    got = pd.read_json(io.StringIO(printed), orient="split")
    want = pd.read_json(
        io.StringIO(expected.to_json(orient="split", date_format="iso")), orient="split"
    )
    pd.testing.assert_frame_equal(got, want)
    assert len(got) == 14 and got["value"].sum() == 688  # 13 weeks + the current one
    stats = sb.stats()
    assert stats["queries"] == 1  # the pinned cell ran the query once ...
    assert stats["writes"].get("conversation.message", 0) == messages_before  # ... and no chat
