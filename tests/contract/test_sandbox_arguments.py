"""Sandbox(...) from Python refuses the ports and counts the CLI refuses, in the same words,
before it makes any state (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envnb.cli import build_parser
from envnb.sandbox import Sandbox


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"port": 99999}, "Sandbox(port=...): 99999 is not a port; use 0 (any free port) to 65535"),
        ({"port": -1}, "Sandbox(port=...): -1 is not a port; use 0 (any free port) to 65535"),
        ({"port": "8010"}, None),  # text of a whole number is read as the CLI reads it
        (
            {"conversations": -5},
            "Sandbox(conversations=...): -5 is not a count; use a whole number >= 0",
        ),
        (
            {"batch_exports": True},
            "Sandbox(batch_exports=...): True is not a count; use a whole number >= 0",
        ),
        (
            {"profile_configs": 2.5},
            "Sandbox(profile_configs=...): 2.5 is not a count; use a whole number >= 0",
        ),
        ({"projects": 0}, "Sandbox(projects=...): 0 is not a count; use a whole number >= 1"),
        (
            {"max_backfills": -1},
            "Sandbox(max_backfills=...): -1 is not a count; use a whole number >= 0",
        ),
        (
            {"words_per_frame": 0},
            "Sandbox(words_per_frame=...): 0 is not a count; use a whole number >= 1",
        ),
    ],
)
def test_bad_port_or_count_is_refused_before_any_state(
    tmp_path: Path, arguments: dict[str, object], message: str | None
) -> None:
    db = tmp_path / "state.db"
    if message is None:
        Sandbox(db=str(db), conversations=0, batch_exports=0, **arguments)  # type: ignore[arg-type]
        assert db.exists()
        return
    with pytest.raises(ValueError) as caught:
        Sandbox(db=str(db), **arguments)  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert not db.exists()  # refused before the store was made


@pytest.mark.parametrize(
    ("flag", "keyword", "text", "value"),
    [
        ("--port", "port", "99999", 99999),
        ("--conversations", "conversations", "-5", -5),
        ("--batch-exports", "batch_exports", "-1", -1),
        ("--profile-configs", "profile_configs", "-3", -3),
    ],
)
def test_cli_and_python_refuse_with_the_same_words(
    capsys: pytest.CaptureFixture[str], flag: str, keyword: str, text: str, value: int
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sandbox", flag, text])
    cli_words = capsys.readouterr().err.strip().splitlines()[-1].split(f"argument {flag}: ")[1]
    with pytest.raises(ValueError) as caught:
        Sandbox(**{keyword: value})  # type: ignore[arg-type]
    python_words = str(caught.value).split(f"Sandbox({keyword}=...): ")[1]
    # The same sentence; the CLI quotes the text it was given, Python shows the value.
    assert cli_words == python_words.replace(str(value), repr(text), 1)
