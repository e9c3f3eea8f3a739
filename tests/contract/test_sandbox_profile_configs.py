"""Customer profile configs in the sandbox: CRUD and validation bodies."""

from __future__ import annotations

import pytest

from conftest import Api


def test_seeded_configs_cover_scopes(api: Api) -> None:
    rows = api.get("customer_profile_configs/").json()["results"]
    scopes = {row["scope"] for row in rows}
    assert "person" in scopes and any(s.startswith("group_") for s in scopes)
    assert all(
        set(row) == {"id", "scope", "content", "sidebar", "created_at", "updated_at"}
        for row in rows
    )


def test_create_retrieve_update_replace_delete(fresh_api: Api) -> None:
    created = fresh_api.post(
        "customer_profile_configs/", json={"scope": "group_1", "content": [{"type": "notes"}]}
    )
    assert created.status_code == 201
    body = created.json()
    assert body["content"] == [{"type": "notes"}] and body["sidebar"] == {}
    path = f"customer_profile_configs/{body['id']}/"
    assert fresh_api.get(path).json() == body
    patched = fresh_api.patch(path, json={"sidebar": {"collapsed": True}})
    assert patched.status_code == 200
    assert patched.json()["sidebar"] == {"collapsed": True}
    assert patched.json()["content"] == [{"type": "notes"}]
    put = fresh_api.request("PUT", path, json={"scope": "person", "content": None})
    assert put.status_code == 200
    assert put.json()["scope"] == "person" and put.json()["content"] == {}
    put_missing = fresh_api.request("PUT", path, json={"content": {}})
    assert put_missing.json()["attr"] == "scope"
    # several configs may share a scope: no uniqueness rule
    again = fresh_api.post("customer_profile_configs/", json={"scope": "person"})
    assert again.status_code == 201
    writes = fresh_api.sb.stats()["writes"]
    assert writes["profile_config.create"] == 2 and writes["profile_config.update"] == 2
    assert fresh_api.request("DELETE", path).status_code == 204
    assert fresh_api.get(path).status_code == 404


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"scope": "group_9"},
            {
                "type": "validation_error",
                "code": "invalid_choice",
                "detail": '"group_9" is not a valid choice.',
                "attr": "scope",
            },
        ),
        (
            {},
            {
                "type": "validation_error",
                "code": "required",
                "detail": "This field is required.",
                "attr": "scope",
            },
        ),
        (
            {"scope": "person", "content": "text"},
            {
                "type": "validation_error",
                "code": "invalid_input",
                "detail": "Invalid value for field 'content'",
                "attr": "content",
            },
        ),
        (
            {"scope": "person", "sidebar": 3},
            {
                "type": "validation_error",
                "code": "invalid_input",
                "detail": "Invalid value for field 'sidebar'",
                "attr": "sidebar",
            },
        ),
    ],
)
def test_validation_bodies(api: Api, body: dict[str, object], expected: dict[str, object]) -> None:
    response = api.post("customer_profile_configs/", json=body)
    assert response.status_code == 400
    assert response.json() == expected


def test_unknown_id_404(api: Api) -> None:
    response = api.get("customer_profile_configs/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert response.json() == {
        "type": "invalid_request",
        "code": "not_found",
        "detail": "Not found.",
        "attr": None,
    }
