"""Frames: declared dtypes, empty frames keep them, nested flattening, no secrets."""

from __future__ import annotations

import pandas as pd
import pytest

from envnb._core.framing import FrameBuilder, dtypes_of, frame_from_records
from envnb.batch_exports.frames import BATCH_EXPORT_COLUMNS
from envnb.conversations.frames import CONVERSATION_COLUMNS
from envnb.conversations.models import Conversation
from envnb.conversations.transcript import conversation_markdown, messages_frame
from envnb.profile_configs.frames import PROFILE_CONFIG_COLUMNS
from expected_dtypes import CONVERSATIONS, EXPORTS, PROFILE_CONFIGS, dtypes

EXPORT = {
    "id": "e1",
    "name": "S3 nightly",
    "model": "events",
    "destination": {
        "type": "S3",
        "config": {"bucket_name": "b", "aws_secret_access_key": "SEKRET"},
    },
    "interval": "day",
    "paused": False,
    "created_at": "2026-01-02T03:04:05Z",
    "last_paused_at": None,
    "offset_hour": 3,
    "latest_runs": [{"status": "Completed", "created_at": "2026-01-03T00:00:00+01:00"}],
}


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (BATCH_EXPORT_COLUMNS, EXPORTS),
        (CONVERSATION_COLUMNS, CONVERSATIONS),
        (PROFILE_CONFIG_COLUMNS, PROFILE_CONFIGS),
    ],
)
def test_empty_frame_has_declared_columns_and_dtypes(columns: tuple, expected: dict) -> None:
    df = frame_from_records([], columns)
    assert list(df.columns) == [c.name for c in columns]
    assert dtypes(df) == expected == dtypes_of(columns)


def test_export_frame_dtypes_and_flattening() -> None:
    df = frame_from_records([EXPORT, {**EXPORT, "id": "e2", "paused": None}], BATCH_EXPORT_COLUMNS)
    assert dtypes(df) == EXPORTS
    row = df.iloc[0]
    assert row["destination_type"] == "S3" and row["latest_run_status"] == "Completed"
    assert row["created_at"] == pd.Timestamp("2026-01-02T03:04:05Z")
    assert df["latest_run_at"].iloc[0] == pd.Timestamp("2026-01-02T23:00:00Z")
    assert pd.isna(df["last_paused_at"].iloc[0]) and pd.isna(df["paused"].iloc[1])
    assert df["offset_hour"].iloc[0] == 3 and pd.isna(df["offset_day"].iloc[0])
    assert "SEKRET" not in df.to_csv()


def test_unknown_enum_values_become_extra_categories() -> None:
    df = frame_from_records([{**EXPORT, "interval": "every 2 minutes"}], BATCH_EXPORT_COLUMNS)
    assert df["interval"].iloc[0] == "every 2 minutes"
    assert "day" in df["interval"].cat.categories


def test_builder_pages_equal_one_shot() -> None:
    recs = [{**EXPORT, "id": f"e{i}"} for i in range(5)]
    b = FrameBuilder(BATCH_EXPORT_COLUMNS)
    b.add(recs[:2])
    b.add(recs[2:])
    pd.testing.assert_frame_equal(b.build(), frame_from_records(recs, BATCH_EXPORT_COLUMNS))


def test_messages_frame_and_markdown() -> None:
    conv = Conversation.model_validate(
        {
            "id": "c",
            "title": "Paused exports",
            "messages": [
                {"type": "human", "content": "which are paused?", "id": "1"},
                {"type": "ai/reasoning", "content": "Looking", "id": "2"},
                {"type": "ai", "content": "**Two** are paused.", "id": "3"},
            ],
        }
    )
    df = messages_frame(conv)
    assert list(df["type"]) == ["human", "ai/reasoning", "ai"]
    assert str(df["content"].dtype) == "string"
    md = conversation_markdown(conv)
    assert md.startswith("# Paused exports")
    assert "> which are paused?" in md and "**Two** are paused." in md
    assert "Looking" not in md


def test_conversation_columns_read_every_shape_of_row() -> None:
    # The column reads without a call per row (nested ``user.email``, ``each`` counting
    # messages, masked Int64/boolean arrays) against rows of every shape they meet.
    rows = [
        {"id": "c1", "user": {"email": "a@x.io"}, "is_internal": True, "messages": [1, 2, 3]},
        {"id": "c2", "user": None, "is_internal": None, "messages": []},
        {"id": "c3", "is_internal": False},
        {"id": "c4", "user": {"name": "no email"}, "messages": {"k": 1}},
    ]
    df = frame_from_records(rows, CONVERSATION_COLUMNS)
    assert df["user_email"].tolist() == ["a@x.io", pd.NA, pd.NA, pd.NA]
    assert df["is_internal"].tolist() == [True, pd.NA, False, pd.NA]
    assert df["message_count"].tolist() == [3, 0, pd.NA, 1]
    assert dtypes(df) == CONVERSATIONS
    every_email = [{"id": "c5", "user": {"email": "b@x.io"}}, {"id": "c6", "user": {}}]
    assert frame_from_records(every_email, CONVERSATION_COLUMNS)["user_email"].tolist() == [
        "b@x.io",
        pd.NA,
    ]
    none_at_all = frame_from_records([{"id": "c7"}, {"id": "c8"}], CONVERSATION_COLUMNS)
    assert none_at_all["message_count"].isna().all() and none_at_all["is_internal"].isna().all()
    assert dtypes(none_at_all) == CONVERSATIONS


def test_text_columns_read_in_one_pass_still_report_what_is_not_text() -> None:
    # Text columns go through pyarrow in one pass; an int or bytes value still falls back
    # to the value-by-value reading and its DataWarning (bytes are text for pyarrow).
    import warnings

    from envnb._core.framing import Column
    from envnb.errors import DataWarning

    cols = [Column("id", "string"), Column("title", "string")]
    rows = [
        {"id": "a", "title": "plain"},
        {"id": "b", "title": None},
        {"id": "c", "title": 7},
        {"id": "d", "title": b"raw"},
        {"id": "e"},
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = frame_from_records(rows, cols)
    assert df["title"].tolist() == ["plain", pd.NA, pd.NA, "raw", pd.NA]
    assert [str(w.message) for w in caught if w.category is DataWarning] == [
        "column 'title' (string): 2 value(s) from the server did not fit: "
        "row 2 (id 'c'): 7 → missing; row 3 (id 'd'): b'raw' → 'raw'"
    ]
    assert [str(t) for t in df.dtypes] == ["string", "string"]
