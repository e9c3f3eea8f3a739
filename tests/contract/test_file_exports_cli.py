"""``envnb download`` against the sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from envnb.cli import main
from envnb.sandbox import Sandbox

pytestmark = pytest.mark.timeout(120)


def test_envnb_download_lands_and_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(seed=0, clock=datetime(2026, 11, 27, tzinfo=UTC), conversations=5) as sb:
        for name, value in sb.env().items():
            monkeypatch.setenv(name, value)
        argv = ["download", "persons", "--start", "2026-11-19", "--end", "2026-11-27"]
        assert main([*argv, "--format", "JSONLines", str(tmp_path)]) == 0
        assert main(["download", "events", "--start", "2099-01-01", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert list(manifest["runs"]) == [
        "20261119T000000Z-20261126T000000Z",
        "20261126T000000Z-20261127T000000Z",
    ]
    records = sum(run["records_completed"] for run in manifest["runs"].values())
    assert out.startswith(f"envnb: {records} records in ")
    assert out.rstrip().endswith("(verified)")
    assert "start: 2099-01-01T00:00:00+00:00 is in the future" in err


def test_a_relative_start_after_a_space_is_a_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The help's own example, `envnb download events --start -30d DIR`: argparse used to read
    # "-2d" as an unknown option and stop with "argument --start: expected one argument".
    with Sandbox(seed=0, conversations=5, events="tiny") as sb:
        for name, value in sb.env().items():
            monkeypatch.setenv(name, value)
        assert main(["download", "events", "--start", "-2d", "--end", "-1d", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""
    assert len(json.loads((tmp_path / "manifest.json").read_text())["runs"]) == 1
