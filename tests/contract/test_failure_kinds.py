"""Issue 10's failure kinds, end to end: a real client against the sandbox or a hostile
loopback server (odd values, unbounded numbers, line separators)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from hostile_server import Hostile, Reply, hostile_server

import envnb
from conftest import Api
from envnb.errors import DataWarning, RateLimitError
from envnb.sandbox import Sandbox
from envnb.sandbox.responder import MAX_LOREM

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
            {"type": "S3", "config": {"bucket_name": "b", "region": "r", "prefix": "p"}},
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
