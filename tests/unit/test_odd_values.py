"""Odd server values: one rule for every list, list_df and object (issue 10 #6, issue 11).

A value that does not fit its field or column is converted the way pydantic's lax mode
converts it, or read as missing — each with a DataWarning naming the row or object, the
field or column, the value and what it became. The frame or list is never lost to it.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest

from envnb._core.framing import frame_from_records
from envnb.batch_exports.frames import BATCH_EXPORT_COLUMNS
from envnb.batch_exports.models import BatchExport
from envnb.conversations.frames import CONVERSATION_COLUMNS
from envnb.conversations.models import Conversation
from envnb.errors import DataWarning
from envnb.profile_configs.frames import PROFILE_CONFIG_COLUMNS
from envnb.profile_configs.models import ProfileConfig

EXPORT: dict[str, Any] = {
    "id": "e1",
    "name": "nightly",
    "destination": {"type": "S3", "config": {}},
    "interval": "day",
    "paused": False,
    "created_at": "2026-01-02T03:04:05Z",
    "offset_hour": 3,
}


def _frame(records: list[dict[str, Any]], columns: Any) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = frame_from_records(records, columns)
    return df, [str(w.message) for w in caught if w.category is DataWarning]


def test_a_forever_end_date_is_kept_in_the_frame() -> None:
    # Issue 10 #6: end_at = 9999-12-31T23:59:59Z raised OutOfBoundsDatetime and lost the frame.
    rows = [{**EXPORT, "end_at": "9999-12-31T23:59:59Z", "start_at": "0001-01-01T00:00:00Z"}]
    df, notes = _frame(rows, BATCH_EXPORT_COLUMNS)
    assert notes == []
    assert str(df["end_at"].dtype) == "datetime64[us, UTC]"
    assert df["end_at"].iloc[0] == pd.Timestamp("9999-12-31T23:59:59", tz="UTC")
    assert df["start_at"].iloc[0] == pd.Timestamp("0001-01-01T00:00:00", tz="UTC")


def test_the_forever_date_among_ordinary_ones_and_a_bad_one() -> None:
    rows = [
        {**EXPORT, "id": "a", "end_at": "2026-05-01T00:00:00.123456+02:00"},
        {**EXPORT, "id": "b", "end_at": "9999-12-31T23:59:59Z"},
        {**EXPORT, "id": "c", "end_at": "the end of time"},
        {**EXPORT, "id": "d", "end_at": None},
    ]
    df, notes = _frame(rows, BATCH_EXPORT_COLUMNS)
    assert list(df["end_at"].iloc[:2]) == [
        pd.Timestamp("2026-04-30T22:00:00.123456", tz="UTC"),
        pd.Timestamp("9999-12-31T23:59:59", tz="UTC"),
    ]
    assert df["end_at"].iloc[2:].isna().all()
    assert notes == [
        "column 'end_at' (datetime64[us, UTC]): 1 value(s) from the server did not fit: "
        "row 2 (id 'c'): 'the end of time' → missing"
    ]


def test_odd_values_in_one_row_keep_the_frame_and_name_row_and_column() -> None:
    # Issue 11: `paused: 0` and `offset_hour: 3.5` failed list_df() with a raw pandas error.
    rows = [EXPORT, {**EXPORT, "id": "e2", "paused": 0, "offset_hour": 3.5, "offset_day": 4.0}]
    df, notes = _frame(rows, BATCH_EXPORT_COLUMNS)
    assert list(df["id"]) == ["e1", "e2"]
    assert df["paused"].tolist() == [False, False]
    assert df["offset_hour"].iloc[0] == 3 and pd.isna(df["offset_hour"].iloc[1])
    assert df["offset_day"].iloc[1] == 4
    assert sorted(notes) == [
        "column 'offset_day' (Int64): 1 value(s) from the server did not fit: "
        "row 1 (id 'e2'): 4.0 → 4",
        "column 'offset_hour' (Int64): 1 value(s) from the server did not fit: "
        "row 1 (id 'e2'): 3.5 → missing",
        "column 'paused' (boolean): 1 value(s) from the server did not fit: "
        "row 1 (id 'e2'): 0 → False",
    ]
    assert str(df["paused"].dtype) == "boolean" and str(df["offset_hour"].dtype) == "Int64"


def test_integers_beyond_int64_and_numbers_as_text() -> None:
    rows = [{**EXPORT, "team_id": 2**70, "name": 5, "timezone": ["UTC"]}]
    df, notes = _frame(rows, BATCH_EXPORT_COLUMNS)
    assert pd.isna(df["team_id"].iloc[0]) and pd.isna(df["name"].iloc[0])
    assert pd.isna(df["timezone"].iloc[0])
    assert sorted(notes) == [
        "column 'name' (string): 1 value(s) from the server did not fit: "
        "row 0 (id 'e1'): 5 → missing",
        "column 'team_id' (Int64): 1 value(s) from the server did not fit: "
        "row 0 (id 'e1'): 1180591620717411303424 → missing",
        "column 'timezone' (string): 1 value(s) from the server did not fit: "
        "row 0 (id 'e1'): ['UTC'] → missing",
    ]


def test_many_misfits_in_one_column_make_one_warning() -> None:
    rows = [{**EXPORT, "id": f"e{i}", "offset_hour": 0.5} for i in range(8)]
    _df, notes = _frame(rows, BATCH_EXPORT_COLUMNS)
    assert len(notes) == 1
    assert notes[0].startswith("column 'offset_hour' (Int64): 8 value(s)")
    assert notes[0].endswith("row 4 (id 'e4'): 0.5 → missing; and 3 more")


ODD = {"odd": ["value"]}  # a JSON object: fits no typed column


@pytest.mark.parametrize(
    "columns", [BATCH_EXPORT_COLUMNS, CONVERSATION_COLUMNS, PROFILE_CONFIG_COLUMNS]
)
def test_every_list_frame_survives_an_odd_value_in_every_column(columns: Any) -> None:
    record: dict[str, Any] = {"id": "x1"}
    for col in columns:
        if col.each is None and len(col.path) <= 1 and col.name != "id":
            record[col.path[0] if col.path else col.name] = ODD
    df, notes = _frame([record, {"id": "x2"}], columns)
    assert list(df["id"]) == ["x1", "x2"]
    odd_columns = [k for k in record if k != "id"]
    assert len(notes) == len(odd_columns) > 0
    for name in odd_columns:
        assert df[name].isna().all()
        assert any(n.startswith(f"column {name!r}") and "(id 'x1')" in n for n in notes)


# ---- the typed objects of list() / get(): the same rule ----------------------------------


def _read(model: Any, data: dict[str, Any]) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        obj = model.model_validate(data)
    return obj, [str(w.message) for w in caught if w.category is DataWarning]


def test_an_object_reads_odd_optional_fields_as_missing_with_a_warning() -> None:
    data = {
        **EXPORT,
        "paused": 0,
        "offset_hour": 3.5,
        "end_at": "9999-12-31T23:59:59Z",
        "last_paused_at": "yesterday",
        "latest_runs": [{"id": "r1", "records_completed": "many"}],
    }
    export, notes = _read(BatchExport, data)
    assert export.paused is False and export.offset_hour is None
    assert export.end_at is not None and export.end_at.year == 9999
    assert export.last_paused_at is None and export.latest_runs[0].records_completed is None
    assert notes == [
        "BatchExport 'e1': field 'paused': the server's value did not fit: 0 → False",
        "BatchExport 'e1': field 'offset_hour': the server's value did not fit: 3.5 → missing",
        "BatchExport 'e1': field 'last_paused_at': the server's value did not fit: "
        "'yesterday' → missing",
        "BatchExportRun 'r1': field 'records_completed': the server's value did not fit: "
        "'many' → missing",
    ]


def test_a_required_field_that_cannot_be_read_fails_and_warns_nothing() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="name"):
            BatchExport.model_validate({**EXPORT, "name": {"x": 1}, "offset_hour": 3.5})
    assert [w for w in caught if w.category is DataWarning] == []


def test_conversations_and_profile_configs_follow_the_same_rule() -> None:
    conv, notes = _read(
        Conversation, {"id": "c1", "title": 7, "created_at": "9999-12-31T23:59:59Z"}
    )
    assert conv.title is None and conv.created_at is not None
    assert notes == [
        "Conversation 'c1': field 'title': the server's value did not fit: 7 → missing"
    ]
    config, notes = _read(ProfileConfig, {"id": "p1", "scope": "person", "updated_at": 12.5e30})
    assert config.updated_at is None
    assert notes == [
        "ProfileConfig 'p1': field 'updated_at': the server's value did not fit: 1.25e+31 → missing"
    ]


# ---- query results: the same rule for the frames of query_df() ------------------------------


def test_query_datetimes_past_2262_and_odd_cells_keep_the_frame() -> None:
    from envnb.query.results import QueryResult

    raw = {
        "columns": ["ts", "day", "n"],
        "types": [["ts", "DateTime64(6, 'UTC')"], ["day", "Date32"], ["n", "Int64"]],
        "results": [
            ["2299-12-31T23:59:59.999999Z", "2299-12-31", 1],
            ["2026-01-01T00:00:00Z", "not a day", "many"],
        ],
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = QueryResult({"kind": "HogQLQuery", "query": "SELECT 1"}, raw).df
    assert df["ts"][0] == pd.Timestamp("2299-12-31T23:59:59.999999", tz="UTC")
    assert df["day"][0] == pd.Timestamp("2299-12-31") and pd.isna(df["day"][1])
    assert df["n"].iloc[0] == 1 and pd.isna(df["n"].iloc[1])
    notes = sorted(str(w.message) for w in caught if w.category is DataWarning)
    assert notes == [
        "column 'day' (datetime64[us, UTC]): 1 value(s) from the server did not fit: "
        "row 1: 'not a day' → missing",
        "column 'n' (Int64): 1 value(s) from the server did not fit: row 1: 'many' → missing",
    ]
