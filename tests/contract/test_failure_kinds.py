"""Issue 10's failure kinds, end to end: a real client against the sandbox or a hostile
loopback server (odd values, unbounded numbers, line separators)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

import envnb
from conftest import Api
from envnb.errors import (
    APIError,
    APITimeoutError,
    ConfigurationError,
    DataWarning,
    ListChangedWarning,
    RateLimitError,
    StreamError,
    UnexpectedResponseError,
)
from envnb.sandbox import Sandbox
from envnb.sandbox.conversations.responder import MAX_LOREM
from hostile_server import CID, QUESTION, Hostile, Reply, hostile_server, sse, stored_turn

KEY = "phx_" + "k" * 40
S3 = {"type": "S3", "config": {}}
EXPORT: dict[str, Any] = {"id": "e1", "name": "n", "destination": S3, "interval": "day"}
EXPORT.update(paused=False, offset_hour=3)
ODD_EXPORTS = [EXPORT, {**EXPORT, "id": "e2", "paused": 0, "offset_hour": 3.5}]
CONVERSATIONS = [
    {"id": "c1", "title": "ok", "status": "idle", "created_at": "2026-01-01T00:00:00Z"},
    {"id": "c2", "title": 12, "status": "idle", "created_at": "9999-12-31T23:59:59Z"},
]
CONFIGS = [
    {"id": "p1", "scope": "person", "content": [], "updated_at": "2026-01-01T00:00:00Z"},
    {"id": "p2", "scope": "person", "content": [], "updated_at": "when it rains"},
]
LISTS = {
    "batch_exports": ODD_EXPORTS,
    "conversations": CONVERSATIONS,
    "customer_profile_configs": CONFIGS,
}


def _page(rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"count": len(rows), "next": None, "previous": None, "results": rows, **extra}


@pytest.fixture
def odd_server() -> Iterator[Hostile]:
    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        for name, rows in LISTS.items():
            base = f"/api/projects/1/{name}/"
            if path == base:
                return Reply(body=_page(rows))
            for row in rows:
                if path == f"{base}{row['id']}/":
                    return Reply(body=row)
        return Reply(404, {"type": "invalid_request", "code": "not_found", "detail": "Not found."})

    with hostile_server(route) as server:
        yield server


def _client(url: str, **kw: Any) -> envnb.Client:
    return envnb.Client(host=url, api_key=KEY, project_id=1, **kw)


def _notes(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if w.category is DataWarning]


@pytest.mark.parametrize("name", list(LISTS))
def test_one_odd_row_keeps_list_list_df_and_get(odd_server: Hostile, name: str) -> None:
    # Issue 11: `paused: 0` / `offset_hour: 3.5` made list_df() fail with a raw pandas error
    # and list() with a raw pydantic error. Every list now keeps every row and warns.
    with _client(odd_server.url) as client, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resource = getattr(client, "profile_configs" if name.startswith("customer") else name)
        objects = list(resource.list())
        list_notes = _notes(caught)
        caught.clear()
        df = resource.list_df(progress=False)
        frame_notes = _notes(caught)
        caught.clear()
        one = resource.get(LISTS[name][1]["id"])
        get_notes = _notes(caught)
    assert [o.id for o in objects] == [r["id"] for r in LISTS[name]] == list(df["id"])
    assert one.id == LISTS[name][1]["id"]
    assert list_notes and frame_notes and get_notes
    assert all(f"'{LISTS[name][1]['id']}'" in n for n in list_notes + frame_notes + get_notes)


def test_the_export_rows_as_read(odd_server: Hostile) -> None:
    with _client(odd_server.url) as client, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = client.batch_exports.list_df(progress=False)
        second = list(client.batch_exports.list())[1]
    assert df["paused"].tolist() == [False, False] and second.paused is False
    assert df["offset_hour"].iloc[0] == 3 and pd.isna(df["offset_hour"].iloc[1])
    assert second.offset_hour is None
    assert (
        "column 'offset_hour' (Int64): 1 value(s) from the server did not fit: "
        "row 1 (id 'e2'): 3.5 → missing"
    ) in _notes(caught)


def test_a_forever_end_date_round_trips_through_the_sandbox(fresh_sandbox: Sandbox) -> None:
    # Issue 10 #6: end_at = 9999-12-31T23:59:59Z made list_df() raise OutOfBoundsDatetime.
    forever = "9999-12-31T23:59:59Z"
    with fresh_sandbox.client() as client:
        made = client.batch_exports.create(
            "forever",
            {
                "type": "AwsS3",
                "integration_id": 1,
                "config": {"bucket_name": "b", "region": "r", "prefix": "p"},
            },
            "day",
            end_at=forever,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error", DataWarning)
            df = client.batch_exports.list_df(progress=False)
            listed = next(e for e in client.batch_exports.list() if e.id == made.id)
    row = df[df["id"] == made.id].iloc[0]
    assert row["end_at"] == pd.Timestamp("9999-12-31T23:59:59", tz="UTC")
    assert str(df["end_at"].dtype) == "datetime64[us, UTC]"
    assert listed.end_at is not None and listed.end_at.isoformat() == "9999-12-31T23:59:59+00:00"


# ---- unbounded numbers (issue 10 #8) ------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "requests"), [("inf", 1), ("1e400", 1), ("31536000", 1), ("nan", 2)]
)
def test_an_unusable_retry_after_reaches_the_user_as_none(header: str, requests: int) -> None:
    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        body = {"type": "throttled_error", "code": "throttled", "detail": "Slow down."}
        return Reply(429, body, headers={"Retry-After": header})

    with (
        hostile_server(route) as server,
        _client(server.url, max_retries=1) as client,
        pytest.raises(RateLimitError) as err,
    ):
        client.batch_exports.get("e1")
    assert err.value.retry_after is None
    # Too long (or infinite): surfaced at once. NaN says nothing: envnb's own backoff, once.
    assert len(server.seen) == requests


def test_a_lying_count_does_not_plan_a_billion_pages() -> None:
    rows = [{**EXPORT, "id": f"e{i}"} for i in range(5)]

    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        offset = int(query.get("offset", ["0"])[0])
        page = rows[offset : offset + 2]
        nxt = f"/api/projects/1/batch_exports/?limit=2&offset={offset + 2}"
        more = offset + 2 < len(rows)
        return Reply(body={"count": 10**15, "next": nxt if more else None, "results": page})

    with hostile_server(route) as server, _client(server.url) as client:
        df = client.batch_exports.list_df(page_size=2, progress=False)
    assert list(df["id"]) == ["e0", "e1", "e2", "e3", "e4"]
    assert len(server.seen) == 3


def test_the_sandbox_bounds_limit_and_offset(api: Api) -> None:
    huge = "9" * 30
    page = api.get("batch_exports/", params={"limit": huge, "offset": "0"})
    assert page.status_code == 200 and page.json()["next"] is None
    beyond = api.get("batch_exports/", params={"limit": "1", "offset": huge})
    assert beyond.status_code == 200 and beyond.json()["results"] == []
    digits = api.get("batch_exports/", params={"limit": "9" * 5000})
    assert digits.status_code == 200


def test_the_sandbox_caps_a_lorem_with_thousands_of_digits() -> None:
    with Sandbox(stream_delay=0, words_per_frame=1000) as sb, sb.client() as client:
        answer = client.conversations.ask("lorem " + "9" * 5000)
    assert len(answer.text.split()) == MAX_LOREM


# ---- line ends (issue 10 #7) ----------------------------------------------------------------


def test_a_line_separator_stays_inside_the_title_and_the_quoted_question(
    fresh_sandbox: Sandbox,
) -> None:
    question = "Which exports\u2028are paused?\nAnd why?"
    with fresh_sandbox.client() as client:
        answer = client.conversations.ask(question)
        conv = client.conversations.get(answer.conversation_id)
        md = client.conversations.to_markdown(conv)
    assert conv.title == "Which exports\u2028are paused?"
    assert "> Which exports\u2028are paused?\n> And why?\n" in md


# ---- the media type of a body (issue 10 #2) -------------------------------------------------

LOGIN_PAGE = (
    "<!doctype html><html><head><title>Sign in</title><style>body{color:red}</style>"
    "<script>var token='phx_not_ours';</script></head><body>\u202eSign in to   continue"
    "<form><input name=password></form>" + "x" * 5000 + "</body></html>"
)


@pytest.mark.parametrize(
    ("call", "route", "method"),
    [
        (lambda c: c.conversations.ask("lorem 5"), "conversations", "POST"),
        (lambda c: c.batch_exports.list_df(progress=False), "batch_exports", "GET"),
        (lambda c: list(c.profile_configs.list()), "customer_profile_configs", "GET"),
        (lambda c: c.conversations.list_df(progress=False), "conversations", "GET"),
    ],
)
def test_a_200_html_page_is_not_parsed_retried_or_resumed(
    fresh_sandbox: Sandbox, call: Any, route: str, method: str
) -> None:
    # The instance: a proxy's 200 text/html page to the chat POST was read as an event
    # stream (two POSTs, then "the stream ended before the reply was complete"), and the
    # same page on a list call was retried as "malformed JSON".
    fresh_sandbox.set_faults(f"route={route},method={method},html=200,times=1")
    before = fresh_sandbox.stats()["requests"]
    with fresh_sandbox.client() as client, pytest.raises(UnexpectedResponseError) as err:
        call(client)
    fresh_sandbox.set_faults(None)
    message = str(err.value)
    assert err.value.status == 200 and err.value.content_type == "text/html"
    assert "200 with text/html" in message and "'200 Error 200 Error nginx'" in message
    assert fresh_sandbox.stats()["requests"] - before == 1
    assert fresh_sandbox.stats()["writes"].get("conversation.message", 0) == 0


def test_the_excerpt_of_a_login_page_is_short_and_plain() -> None:
    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        return Reply(body=LOGIN_PAGE, content_type="text/html; charset=utf-8")

    with hostile_server(route) as server, _client(server.url) as client:
        with pytest.raises(UnexpectedResponseError) as err:
            client.batch_exports.get("e1")
        with pytest.raises(UnexpectedResponseError) as streamed:
            client.conversations.ask("hello")
    for error in (err.value, streamed.value):
        detail = error.detail or ""
        assert "Sign in Sign in to continue" in detail
        assert "<" not in detail and "phx_not_ours" not in detail and "color:red" not in detail
        assert "\u202e" not in detail and len(detail) < 300
    assert len(server.seen) == 2  # one GET, one POST: nothing retried or resumed


@pytest.mark.anyio
async def test_the_async_client_refuses_the_page_the_same_way(fresh_sandbox: Sandbox) -> None:
    fresh_sandbox.set_faults("route=conversations,method=POST,html=200,times=1")
    async with fresh_sandbox.async_client() as client:
        with pytest.raises(UnexpectedResponseError):
            await client.conversations.ask("lorem 5")
    fresh_sandbox.set_faults(None)
    assert fresh_sandbox.stats()["writes"].get("conversation.message", 0) == 0


# ---- a quiet stream is not a dropped one (issue 10 #3) --------------------------------------


def _quiet_reply(gap: float, keepalive: float | None) -> list[tuple[float, bytes]]:
    """A turn that goes quiet for ``gap`` s mid-reply (a tool running), with keepalives."""
    conv = {"id": CID, "status": "in_progress", "title": None, "type": "assistant"}
    pieces = [
        (0.0, sse("conversation", conv)),
        (0.0, sse("message", {"type": "human", "content": "hi", "id": "h1"})),
        (0.0, sse("message", {"type": "ai", "content": "Let me"})),
    ]
    if keepalive is None:
        pieces.append((gap, b""))
    else:
        pieces += [(keepalive, b": keepalive\n\n")] * int(gap / keepalive)
    pieces += [
        (0.0, sse("message", {"type": "ai", "content": "Let me check.", "id": "a1"})),
        (0.0, sse("conversation", {**conv, "status": "idle", "title": "t"})),
    ]
    return pieces


@pytest.mark.parametrize("keepalive", [0.5, None])
def test_a_reply_quiet_for_longer_than_the_request_timeout_completes(
    keepalive: float | None,
) -> None:
    # The instance: 2.5 s of quiet with Client(timeout=1.0) failed with "the connection
    # dropped (ReadTimeout)" after spending the resume. The stream has its own idle limit.
    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        return Reply(content_type="text/event-stream", pieces=_quiet_reply(2.5, keepalive))

    with hostile_server(route) as server, _client(server.url, timeout=1.0) as client:
        answer = client.conversations.ask("hi", conversation=CID)
    assert answer.text == "Let me check."
    assert len(server.seen) == 1  # no resume was needed


def test_a_stream_quiet_past_its_idle_limit_says_so_and_keeps_the_resume() -> None:
    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        return Reply(content_type="text/event-stream", pieces=_quiet_reply(3.0, None))

    with (
        hostile_server(route) as server,
        _client(server.url, timeout=5.0, stream_idle_timeout=0.5) as client,
        pytest.raises(StreamError) as err,
    ):
        client.conversations.ask("hi", conversation=CID)
    message = str(err.value)
    assert "sent nothing for 0.5 s" in message and "stream_idle_timeout" in message
    assert f"conversations.resume('{CID}')" in message and "dropped" not in message
    assert len(server.seen) == 1  # not resumed: the connection had not dropped


@pytest.mark.parametrize("value", [None, 0, -1, float("inf"), float("nan"), "60", True])
def test_the_idle_limit_is_checked_up_front(value: object) -> None:
    with pytest.raises(ConfigurationError, match="stream_idle_timeout"):
        _client("http://127.0.0.1:9", stream_idle_timeout=value)


# ---- offset paging over an order that moves (issue 10 #5) -----------------------------------


def test_list_over_a_moving_order_yields_no_row_twice_and_says_so() -> None:
    # The instance: one conversation updated between page 1 and page 2 made list() return
    # one row twice and lose another, with no warning. PostHog lists newest-updated first.
    with Sandbox(stream_delay=0, words_per_frame=50, conversations=30) as sb, sb.client() as c:
        everyone = [conv.id for conv in c.conversations.list()]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            listed = c.conversations.list(page_size=10)
            first_page = [next(listed).id for _ in range(10)]
            c.conversations.ask("lorem 3", conversation=everyone[15])  # moves it to the top
            rest = [conv.id for conv in listed]
    ids = first_page + rest
    assert len(ids) == len(set(ids))  # no row twice
    assert set(ids) == set(everyone) - {everyone[15]}  # the moved one went before page 1
    changed = [str(w.message) for w in caught if w.category is ListChangedWarning]
    assert len(changed) == 1
    assert f"1 row(s) came on two pages (id {everyone[9]!r})" in changed[0]
    assert "may be missing" in changed[0]


def _moving_server(moves: int) -> Any:
    """Conversations c0..c5 in pages of 2; in the first ``moves`` reads of the list, c5 moves
    to the top just after page 1 was read (so page 2 repeats c1).

    A read is counted at its page 1: the client reads page 1 first, then the other pages
    concurrently, in any order. (Counting at page 2 let a concurrent page 3 of the second
    read arrive first and still see the move: the list seemed to move twice.)"""
    rows = [{"id": f"c{i}", "title": "t", "status": "idle"} for i in range(6)]
    reads = {"lists": 0}

    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        offset = int(query.get("offset", ["0"])[0])
        order = rows
        if offset == 0:
            reads["lists"] += 1
        if offset >= 2 and reads["lists"] <= moves:
            order = [rows[5], *rows[:5]]
        nxt = f"/api/projects/1/conversations/?limit=2&offset={offset + 2}"
        page = {
            "count": 6,
            "next": nxt if offset + 2 < 6 else None,
            "results": order[offset : offset + 2],
        }
        return Reply(body=page)

    return route


def test_list_df_reads_a_moved_list_again() -> None:
    with (
        hostile_server(_moving_server(moves=1)) as server,
        _client(server.url) as client,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("error", ListChangedWarning)
        df = client.conversations.list_df(page_size=2, progress=False)
    assert list(df["id"]) == ["c0", "c1", "c2", "c3", "c4", "c5"]
    assert len(server.seen) == 6  # three pages, read twice


def test_list_df_that_keeps_moving_keeps_each_row_once_and_warns() -> None:
    with (
        hostile_server(_moving_server(moves=99)) as server,
        _client(server.url) as client,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        df = client.conversations.list_df(page_size=2, progress=False)
    assert list(df["id"]) == ["c0", "c1", "c2", "c3", "c4"]  # c5 moved before page 1: missing
    (note,) = [str(w.message) for w in caught if w.category is ListChangedWarning]
    assert "1 row(s) came on two pages (id 'c1')" in note and "read twice" in note
    assert len(server.seen) == 6


# ---- ask before sending again (issue 10 #4) -------------------------------------------------


def _reply_stream() -> list[tuple[float, bytes]]:
    conv = {"id": CID, "status": "in_progress", "title": "t", "type": "assistant"}
    return [
        (0.0, sse("conversation", conv)),
        (0.0, sse("message", {"type": "human", "content": QUESTION, "id": "h1"})),
        (0.0, sse("message", {"type": "ai", "content": "None are paused.", "id": "a1"})),
        (0.0, sse("conversation", {**conv, "status": "idle"})),
    ]


def _chat_server(state: str, bodies: list[Any]) -> Any:
    """The first POST with content is stored but answered too late (a lost answer); what a
    resume then finds is ``state``: "running", "idle" (the stored turn) or "missing"."""

    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        body = bodies[-1]
        if method == "GET":
            return Reply(body=stored_turn())
        if body["content"] is not None:
            sends = sum(1 for b in bodies if b and b.get("content") is not None)
            if sends == 1 and state != "missing":
                time.sleep(1.5)  # past the client's timeout: the answer is lost
            return Reply(content_type="text/event-stream", pieces=_reply_stream())
        if state == "running":
            return Reply(content_type="text/event-stream", pieces=_reply_stream())
        if state == "idle":
            detail = {"type": "validation_error", "code": "invalid_input", "attr": None}
            detail["detail"] = "Cannot continue streaming from an idle conversation"
            return Reply(400, detail)
        return Reply(400, {"error": "Cannot stream from non-existent conversation"})

    return route


def _sends(bodies: list[Any]) -> list[str | None]:
    return [b["content"] for b in bodies if b is not None]


@pytest.mark.parametrize("state", ["running", "idle"])
def test_a_lost_answer_is_followed_by_asking_not_by_sending_again(state: str) -> None:
    # The instance: the answer to the chat POST was lost (timeout); sending again met a
    # 409 and stored the question twice. envnb asks first (a resume) and reads the reply.
    bodies: list[Any] = []
    with (
        hostile_server(_chat_server(state, bodies), bodies) as server,
        _client(server.url, timeout=0.5) as client,
    ):
        answer = client.conversations.ask(QUESTION, conversation=CID)
    assert answer.text == "None are paused."
    assert _sends(bodies) == [QUESTION, None]  # the message once, then the question
    assert [m for m, _ in server.seen].count("GET") == (1 if state == "idle" else 0)


def test_a_lost_answer_the_server_has_no_trace_of_is_not_sent_again_in_the_turn() -> None:
    bodies: list[Any] = []

    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        if bodies[-1]["content"] is not None:
            time.sleep(1.5)  # still on its way when the client asks
            return Reply(content_type="text/event-stream", pieces=_reply_stream())
        return Reply(400, {"error": "Cannot stream from non-existent conversation"})

    with (
        hostile_server(route, bodies) as server,
        _client(server.url, timeout=0.5) as client,
        pytest.raises(APITimeoutError, match="may have applied it"),
    ):
        client.conversations.ask(QUESTION, conversation=CID)
    assert _sends(bodies) == [QUESTION, None]


@pytest.mark.parametrize(("state", "sends"), [("missing", [None, QUESTION]), ("idle", [None])])
def test_check_first_sends_only_what_the_server_does_not_have(
    state: str, sends: list[str | None]
) -> None:
    bodies: list[Any] = []
    with (
        hostile_server(_chat_server(state, bodies), bodies) as server,
        _client(server.url) as client,
    ):
        answer = client.conversations.ask(QUESTION, conversation=CID, check_first=True)
    assert answer.text == "None are paused."
    assert _sends(bodies) == sends


def test_a_required_field_that_cannot_be_read_names_the_row_and_field() -> None:
    # Issue 11: list() failed with a raw pydantic error; get() said "unexpected response
    # shape" without the field. Both are envnb APIErrors naming what did not fit.
    rows = [EXPORT, {**EXPORT, "id": "e2", "name": {"first": "no"}}]

    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        if path.endswith("/e2/"):
            return Reply(body=rows[1])
        return Reply(body=_page(rows))

    with hostile_server(route) as server, _client(server.url) as client:
        with pytest.raises(APIError) as listed:
            list(client.batch_exports.list())
        with pytest.raises(APIError) as got:
            client.batch_exports.get("e2")
    assert "unexpected response shape in row 1 (id 'e2'): field 'name'" in str(listed.value)
    assert "unexpected response shape: field 'name'" in str(got.value)
    assert listed.value.__cause__ is None and listed.value.__context__ is None


def test_check_first_into_another_running_turn_sends_nothing() -> None:
    bodies: list[Any] = []

    def route(method: str, path: str, query: dict[str, list[str]]) -> Reply:
        conv = {"id": CID, "status": "in_progress", "title": "t", "type": "assistant"}
        other = {"type": "human", "content": "someone else's question", "id": "h0"}
        pieces = [(0.0, sse("conversation", conv)), (0.0, sse("message", other))]
        return Reply(content_type="text/event-stream", pieces=pieces)

    with (
        hostile_server(route, bodies) as server,
        _client(server.url) as client,
        pytest.raises(StreamError, match="answering another message, so yours was not sent"),
    ):
        client.conversations.ask(QUESTION, conversation=CID, check_first=True)
    assert _sends(bodies) == [None]
