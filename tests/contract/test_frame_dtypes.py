"""The dtypes of every list frame, written out: a change to a column map must fail here."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from envnb.sandbox import Sandbox

# tests/ is on sys.path (tests/conftest.py): the stated dtypes are written once.
from expected_dtypes import CONVERSATIONS, EXPORTS, MESSAGES, PROFILE_CONFIGS


def _dtypes(df: pd.DataFrame) -> dict[str, str]:
    return {str(k): str(v) for k, v in df.dtypes.items()}


def _frames(sb: Sandbox) -> dict[str, Any]:
    with sb.client() as c:
        convs = c.conversations.list_df()
        messages = (
            c.conversations.messages_df(convs["id"].iloc[0]) if len(convs) else pd.DataFrame()
        )
        return {
            "exports": c.batch_exports.list_df(),
            "conversations": convs,
            "profile_configs": c.profile_configs.list_df(),
            "messages": messages,
        }


def test_every_list_frame_has_the_stated_dtypes(sandbox: Sandbox) -> None:
    frames = _frames(sandbox)
    assert _dtypes(frames["exports"]) == EXPORTS
    assert _dtypes(frames["conversations"]) == CONVERSATIONS
    assert _dtypes(frames["profile_configs"]) == PROFILE_CONFIGS
    assert _dtypes(frames["messages"]) == MESSAGES
    assert all(len(df) > 0 for df in frames.values())
    assert not frames["exports"]["paused"].isna().any()  # the seed has no unknown states


@pytest.mark.parametrize(
    ("name", "expected"),
    [("exports", EXPORTS), ("conversations", CONVERSATIONS), ("profile_configs", PROFILE_CONFIGS)],
)
def test_an_empty_list_frame_has_the_same_stated_dtypes(name: str, expected: dict) -> None:
    with Sandbox(batch_exports=0, conversations=0, profile_configs=0) as sb:
        df = _frames(sb)[name]
    assert len(df) == 0 and _dtypes(df) == expected
