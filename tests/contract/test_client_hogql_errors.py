"""The client's typed HogQL error: where PostHog says the query went wrong (the sandbox
answers as PostHog's query API does; see test_sandbox_hogql_errors.py)."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from envnb import magics
from envnb.errors import BadRequestError, HogQLNotice, HogQLQueryError
from envnb.sandbox import Sandbox


def test_a_resolution_error_is_a_hogql_query_error_with_its_place(sandbox: Sandbox) -> None:
    with sandbox.client() as client, pytest.raises(HogQLQueryError) as caught:
        client.query("SELECT event,\n  foo FROM events")
    err = caught.value
    assert isinstance(err, BadRequestError) and err.status == 400
    assert err.code == "hogql_query_error"
    assert err.detail == "Unable to resolve field: foo\nTables referenced: events"
    assert err.query == "SELECT event,\n  foo FROM events"
    assert err.notices == (HogQLNotice("Unable to resolve field: foo", 16, 19),)
    assert (err.start, err.end, err.table_names) == (16, 19, ("events",))
    assert err.pointer() == "line 2, column 3:\n  foo FROM events\n  ^^^"
    assert sandbox.api_key not in str(err) + repr(err.body)


def test_a_syntax_error_points_at_the_end(sandbox: Sandbox) -> None:
    with sandbox.client() as client, pytest.raises(HogQLQueryError) as caught:
        client.query("SELECT event FROM events WHERE")
    assert caught.value.code == "hogql_syntax_error"
    assert caught.value.table_names == ()
    assert caught.value.pointer() == (
        "line 1, column 31:\nSELECT event FROM events WHERE\n" + " " * 30 + "^"
    )


def test_a_database_error_is_typed_but_has_no_place(sandbox: Sandbox) -> None:
    with sandbox.client() as client, pytest.raises(BadRequestError) as caught:
        client.query("SELECT toInt('x') + [1] FROM events")
    # PostHog sends code hogql_query_error but no metadata: typed, with nowhere to point.
    assert isinstance(caught.value, HogQLQueryError)
    assert (caught.value.notices, caught.value.start, caught.value.pointer()) == ((), None, "")


def test_other_bad_requests_stay_bad_request_errors(sandbox: Sandbox) -> None:
    with sandbox.client() as client, pytest.raises(BadRequestError) as caught:
        client.query({"kind": "NoSuchQuery"})
    assert not isinstance(caught.value, HogQLQueryError)


def test_hogql_magic_shows_the_line_and_a_caret(sandbox: Sandbox) -> None:
    shell = InteractiveShell.instance()
    magics.load_ipython_extension(shell)
    with sandbox.client() as client:
        magics.use_client(client)
        try:
            with pytest.raises(UsageError) as caught:
                shell.run_cell_magic("hogql", "", "SELECT event,\n  nope\nFROM events")
        finally:
            magics.use_client(None)
    message = str(caught.value)
    assert message.startswith("%%hogql: 400: Unable to resolve field: nope\nTables referenced")
    assert message.endswith("\nline 2, column 3:\n  nope\n  ^^^^")


def test_an_async_run_that_failed_on_hogql_is_typed(sandbox: Sandbox) -> None:
    # The failed status (GET query/{id}/ → 400) carries error_code, not metadata.
    with sandbox.client() as client, pytest.raises(HogQLQueryError) as caught:
        client.query("SELECT nope FROM events", refresh="async")
    assert (caught.value.code, caught.value.detail) == (
        "hogql_query_error",
        "Unable to resolve field: nope",
    )
    assert caught.value.pointer() == ""
