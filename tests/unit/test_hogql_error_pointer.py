"""The caret under a HogQL error (envnb._hogql_error.pointer), from offsets counted by hand."""

from __future__ import annotations

from envnb._hogql_error import pointer
from envnb.errors import HogQLQueryError, error_from_response


def test_pointer_on_the_first_line() -> None:
    assert pointer("SELECT foo FROM events", 7, 10) == (
        "line 1, column 8:\nSELECT foo FROM events\n       ^^^"
    )


def test_pointer_on_a_later_line_cut_at_its_end() -> None:
    query = "SELECT\n  count(1,\n 2)\nFROM events"  # the call: 9..24 runs onto line 3
    assert pointer(query, 9, 24) == "line 2, column 3:\n  count(1,\n  ^^^^^^^^"


def test_pointer_at_the_end_of_the_text_is_one_caret() -> None:
    assert pointer("SELECT 1 FROM", 13, 13) == "line 1, column 14:\nSELECT 1 FROM\n             ^"


def test_an_older_posthog_body_is_typed_without_a_place() -> None:
    # PostHog before extra.hogql_metadata: the code alone (posthog/api/query.py then).
    body = {"type": "validation_error", "code": "hogql_syntax_error", "detail": "x", "attr": None}
    err = error_from_response(400, body)
    assert isinstance(err, HogQLQueryError)
    assert (err.query, err.notices, err.start, err.table_names, err.pointer()) == (
        None,
        (),
        None,
        (),
        "",
    )


def test_malformed_metadata_is_read_as_missing() -> None:
    body = {
        "type": "validation_error",
        "code": "hogql_query_error",
        "detail": "x",
        "attr": None,
        "extra": {"hogql_metadata": {"errors": [{"message": "m", "start": True, "end": "9"}, 7]}},
    }
    err = error_from_response(400, body)
    assert isinstance(err, HogQLQueryError)
    assert err.notices[0].message == "m" and (err.start, err.pointer()) == (None, "")
