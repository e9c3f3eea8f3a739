"""`envnb --help`, `--version` and `envnb demo`'s early checks, through the real parser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from envnb.cli import main


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_top_level_help_describes_each_command_in_plain_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _help(capsys)
    assert "``" not in text and ":func:" not in text  # no raw reST
    assert "sandbox   serve the sandbox in the foreground" in text
    assert "demo      start a sandbox and JupyterLab on the demo notebooks" in text
    assert "--version" in text


def test_sandbox_help_has_defaults_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys, "sandbox")
    assert "--port PORT          port (0: any free port) (default: 8010)" in text
    assert "--seed N             seed of the generated data (default: 0)" in text
    assert "--batch-exports N    number of seeded batch exports (default: 12)" in text
    assert "examples:\n  envnb sandbox " in text
    assert "(default: None)" not in text and "(default: False)" not in text


def test_demo_help_says_where_the_notebooks_come_from(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys, "demo")
    assert "--notebooks DIR" in text and "(default: notebooks)" in text
    assert "pip install\n'envnb[notebook]'" in text or "pip install 'envnb[notebook]'" in text


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == "envnb 0.1.0\n"


def test_demo_outside_a_checkout_says_what_to_do_before_starting_anything(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "envnb.cli", "demo", "--no-browser"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""  # no sandbox was started (it would announce itself)
    assert result.stderr == (
        f"envnb demo: no notebooks in {tmp_path / 'notebooks'}. The demo notebooks are in "
        "the envnb repository's notebooks/ folder: run 'envnb demo' from a checkout of it "
        "(or 'make demo' there), or pass --notebooks DIR with a folder of notebooks.\n"
    )
