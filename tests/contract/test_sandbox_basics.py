"""Sandbox basics over loopback: lifecycle, auth bodies, prefixes, paging, schema, seed."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from conftest import Api
from envnb.sandbox import Sandbox
from envnb.sandbox.routes import PROJECT_ROUTES

NOT_AUTHENTICATED = {
    "type": "authentication_error",
    "code": "not_authenticated",
    "detail": "Authentication credentials were not provided.",
    "attr": None,
}
INVALID_KEY = {
    "type": "authentication_error",
    "code": "authentication_failed",
    "detail": "Invalid personal API key.",
    "attr": None,
}


def test_sandbox_exposes_url_key_project_and_env(sandbox: Sandbox) -> None:
    assert sandbox.url.startswith("http://127.0.0.1:") and not sandbox.url.endswith("/")
    assert sandbox.api_key.startswith("phx_")
    assert sandbox.env() == {
        "POSTHOG_HOST": sandbox.url,
        "POSTHOG_PERSONAL_API_KEY": sandbox.api_key,
        "POSTHOG_PROJECT_ID": str(sandbox.project_id),
    }
    assert sandbox.api_key not in repr(sandbox)


def test_no_credentials_gives_401_not_authenticated(sandbox: Sandbox) -> None:
    response = Api(sandbox, key="").get("batch_exports/")
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    assert "WWW-Authenticate" in response.headers


def test_unknown_key_gives_401_invalid_key(sandbox: Sandbox) -> None:
    response = Api(sandbox, key="phx_nope").get("conversations/")
    assert response.status_code == 401
    assert response.content == (
        b'{"type":"authentication_error","code":"authentication_failed",'
        b'"detail":"Invalid personal API key.","attr":null}'
    )


def test_key_in_query_and_body_are_accepted(sandbox: Sandbox) -> None:
    base = f"{sandbox.url}/api/projects/{sandbox.project_id}/"
    by_query = httpx.get(base + "batch_exports/", params={"personal_api_key": sandbox.api_key})
    assert by_query.status_code == 200
    by_body = httpx.post(
        base + "batch_exports/not-a-real-id/pause/",
        json={"personal_api_key": sandbox.api_key},
    )
    assert by_body.status_code == 404  # authenticated; the export just doesn't exist


def test_only_the_first_candidate_is_tried(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/api/projects/{sandbox.project_id}/batch_exports/"
    response = httpx.get(
        url,
        headers={"Authorization": "Bearer phx_wrong"},
        params={"personal_api_key": sandbox.api_key},
    )
    assert response.status_code == 401
    assert response.json() == INVALID_KEY


@pytest.mark.parametrize("prefix", ["environments", "projects"])
@pytest.mark.parametrize("slash", ["", "/"])
def test_both_prefixes_and_optional_trailing_slash(
    sandbox: Sandbox, prefix: str, slash: str
) -> None:
    api = Api(sandbox, prefix=prefix)
    for path in ("batch_exports", "conversations", "customer_profile_configs"):
        response = api.get(path + slash)
        assert response.status_code == 200, (path, response.text)
        assert set(response.json()) == {"count", "next", "previous", "results"}


def test_unknown_route_is_endpoint_not_found(api: Api, sandbox: Sandbox) -> None:
    expected = {
        "type": "invalid_request",
        "code": "not_found",
        "detail": "Endpoint not found.",
        "attr": None,
    }
    assert api.get("no_such_thing/").json() == expected
    assert api.get("no_such_thing/").status_code == 404
    assert httpx.get(f"{sandbox.url}/api/nothing/").json() == expected


def test_wrong_method_is_405(api: Api) -> None:
    response = api.request("DELETE", "conversations/")
    assert response.status_code == 405
    assert response.json() == {
        "type": "invalid_request",
        "code": "method_not_allowed",
        "detail": 'Method "DELETE" not allowed.',
        "attr": None,
    }


def test_head_is_answered_like_get_without_a_body(api: Api) -> None:
    # Django's View and DRF's ViewSetMixin route HEAD to the GET handler.
    head = api.request("HEAD", "customer_profile_configs/")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == "application/json"
    assert api.request("HEAD", "conversations/no-such-id/").status_code == 404


def test_wrong_method_without_key_is_401_first(sandbox: Sandbox) -> None:
    # DRF authenticates before dispatching on the method, so 401 wins over 405.
    url = f"{sandbox.url}/api/projects/{sandbox.project_id}/conversations/"
    response = httpx.delete(url)
    assert response.status_code == 401
    assert response.content == (
        b'{"type":"authentication_error","code":"not_authenticated",'
        b'"detail":"Authentication credentials were not provided.","attr":null}'
    )


def test_unknown_project_is_404(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/api/projects/999999/batch_exports/"
    response = httpx.get(url, headers={"Authorization": f"Bearer {sandbox.api_key}"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_malformed_json_body_is_a_parse_error(api: Api) -> None:
    response = api.post(
        "customer_profile_configs/",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["type"] == "invalid_request"


def test_page_envelope_with_absolute_links(fresh_api: Api) -> None:
    api = fresh_api  # counts the seeded rows: nothing else may have written
    first = api.get("conversations/", params={"limit": 7}).json()
    assert first["count"] == 40
    assert len(first["results"]) == 7
    assert first["previous"] is None
    assert first["next"] == api.url("conversations/?limit=7&offset=7")
    second = httpx.get(first["next"], headers=api.http.headers).json()
    assert second["previous"] == api.url("conversations/?limit=7")
    third = httpx.get(second["next"], headers=api.http.headers).json()
    assert third["previous"] == api.url("conversations/?limit=7&offset=7")
    last = api.get("conversations/", params={"limit": 7, "offset": 35}).json()
    assert last["next"] is None and len(last["results"]) == 5
    beyond = api.get("conversations/", params={"offset": 1000}).json()
    assert beyond["results"] == [] and beyond["count"] == 40


def test_paging_visits_every_row_once_in_order(fresh_api: Api) -> None:
    api = fresh_api  # counts the seeded rows: nothing else may have written
    ids, url = [], api.url("conversations/?limit=6")
    while url:
        page = httpx.get(url, headers=api.http.headers).json()
        ids += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(ids) == len(set(ids)) == 40
    default = api.get("conversations/").json()
    assert [row["id"] for row in default["results"]] == ids
    stamps = [row["updated_at"] for row in default["results"]]
    assert stamps == sorted(stamps, reverse=True)


def test_invalid_limit_and_offset_fall_back_to_defaults(fresh_api: Api) -> None:
    api = fresh_api  # counts the seeded rows: nothing else may have written
    page = api.get("conversations/", params={"limit": "abc", "offset": "-3"}).json()
    assert len(page["results"]) == 40 and page["previous"] is None
    # DRF's _positive_int(strict=True): 0 and negatives are errors -> default limit 100;
    # there is no max_limit, so a huge limit is honoured.
    for limit in ("0", "-1", "1.5", ""):
        page = api.get("conversations/", params={"limit": limit, "offset": 3}).json()
        assert len(page["results"]) == 37
        assert page["previous"] == api.url("conversations/?limit=100")
    huge = api.get("conversations/", params={"limit": 10**9}).json()
    assert len(huge["results"]) == 40 and huge["next"] is None


def test_openapi_document_lists_every_endpoint(sandbox: Sandbox) -> None:
    doc = httpx.get(f"{sandbox.url}/api/schema/").json()
    assert doc["openapi"].startswith("3.")
    for route in PROJECT_ROUTES:
        for prefix in ("environments", "projects"):
            path = f"/api/{prefix}/{{project_id}}/{route.path}/"
            assert route.method.lower() in doc["paths"][path], path
    create = doc["paths"]["/api/projects/{project_id}/conversations/"]["post"]
    assert "text/event-stream" in create["responses"]["200"]["content"]
    append = doc["paths"]["/api/projects/{project_id}/conversations/{id}/append_message/"]
    assert append["post"]["security"] == [{"PersonalAPIKeyAuth": []}]
    refs = {
        value.split("/")[-1]
        for value in _walk(doc["paths"])
        if isinstance(value, str) and value.startswith("#/components/schemas/")
    }
    assert refs <= set(doc["components"]["schemas"])


def _walk(node: object) -> list[object]:
    if isinstance(node, dict):
        return [v for value in node.values() for v in [value, *_walk(value)]]
    if isinstance(node, list):
        return [v for value in node for v in [value, *_walk(value)]]
    return []


def test_same_seed_gives_same_data_and_other_seed_differs() -> None:
    def snapshot(seed: int) -> tuple[list[str], list[str], str]:
        with Sandbox(seed=seed, conversations=5) as sb:
            api = Api(sb)
            exports = [e["id"] + e["name"] for e in api.get("batch_exports/").json()["results"]]
            convs = [c["id"] + c["title"] for c in api.get("conversations/").json()["results"]]
            return exports, convs, sb.api_key

    assert snapshot(3) == snapshot(3)
    assert snapshot(3) != snapshot(4)


def test_db_file_survives_a_restart(tmp_path: object) -> None:
    db = str(tmp_path) + "/sandbox.db"  # type: ignore[operator]
    with Sandbox(db=db) as sb:
        api = Api(sb)
        created = api.post(
            "customer_profile_configs/", json={"scope": "group_2", "content": {"a": 1}}
        ).json()
        exports = api.get("batch_exports/").json()["results"]
        assert api.post(f"batch_exports/{exports[0]['id']}/pause/").status_code == 200
        key = sb.api_key
    with Sandbox(db=db, seed=99) as again:
        assert again.api_key == key  # the stored seed wins over a new one
        api = Api(again)
        fetched = api.get(f"customer_profile_configs/{created['id']}/")
        assert fetched.status_code == 200 and fetched.json()["content"] == {"a": 1}
        assert api.get(f"batch_exports/{exports[0]['id']}/").json()["paused"] is True


def test_stats_count_requests(fresh_sandbox: Sandbox) -> None:
    fresh_sandbox.reset_stats()
    api = Api(fresh_sandbox)
    for _ in range(3):
        api.get("batch_exports/")
    assert fresh_sandbox.stats() == {"requests": 3, "faults": {}, "writes": {}, "queries": 0}


def test_client_helpers_point_at_the_sandbox(sandbox: Sandbox) -> None:
    client = sandbox.client()
    assert sandbox.api_key not in repr(client)
    first = Api(sandbox).get("conversations/", params={"limit": 1}).json()["results"][0]
    assert str(client.conversations.get(first["id"]).id) == first["id"]
    client.close()

    async def count() -> int:
        async with sandbox.async_client() as aclient:
            return len([c async for c in aclient.conversations.list()])

    assert asyncio.run(count()) >= 40


def test_a_second_sandbox_on_one_db_is_refused_and_the_first_keeps_its_replies(
    tmp_path: object,
) -> None:
    from envnb.sandbox import SandboxDatabaseError

    db = str(tmp_path) + "/shared.db"  # type: ignore[operator]
    with Sandbox(db=db) as first:
        conv = first.other_user_conversation()
        with first.store.tx() as conn:  # a reply in progress on the first sandbox
            conn.execute("UPDATE conversations SET status = 'in_progress' WHERE id = ?", (conv,))
        with pytest.raises(SandboxDatabaseError) as err:
            Sandbox(db=db)
        assert str(err.value) == (
            f"sandbox database {db} is in use by another running sandbox; stop it, or pass "
            "another --db file"
        )
        assert first.conversation_status(conv) == "in_progress"
    with Sandbox(db=db) as again:  # stopped: the file is free again
        assert again.conversation_status(conv) == "idle"


def test_a_read_only_db_is_named(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from envnb.sandbox import SandboxDatabaseError

    db = str(tmp_path) + "/ro.db"  # type: ignore[operator]
    Sandbox(db=db).stop()
    # The tests may run as root, which ignores file modes: open the file the way SQLite
    # opens a read-only file instead, so SQLite raises its own read-only error.
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda path, **kw: real_connect(f"file:{path}?mode=ro", uri=True, **kw)
    )
    with pytest.raises(SandboxDatabaseError) as err:
        Sandbox(db=db)
    assert str(err.value).startswith(
        f"sandbox database {db}: the file (or its folder) is read-only; pass a writable --db file"
    )
    assert err.value.__cause__ is None and err.value.__suppress_context__
