"""Scoped personal API keys in the sandbox, with PostHog's 403 bodies."""

from __future__ import annotations

import uuid

import pytest

from conftest import Api
from envnb.sandbox import Sandbox


def _denied(detail: str) -> dict[str, object]:
    return {
        "type": "authentication_error",
        "code": "permission_denied",
        "detail": detail,
        "attr": None,
    }


def test_read_scope_allows_reads_and_refuses_writes(sandbox: Sandbox) -> None:
    api = Api(sandbox, key=sandbox.create_key(scopes=["batch_export:read"]))
    assert api.get("batch_exports/").status_code == 200
    denied = api.post("batch_exports/", json={})
    assert denied.status_code == 403
    assert denied.json() == _denied("API key missing required scope 'batch_export:write'")
    other = api.get("conversations/")
    assert other.json() == _denied("API key missing required scope 'conversation:read'")


def test_write_scope_implies_read(sandbox: Sandbox) -> None:
    api = Api(sandbox, key=sandbox.create_key(scopes=["customer_profile_config:write"]))
    assert api.get("customer_profile_configs/").status_code == 200


def test_internal_scope_guards_test_endpoints(sandbox: Sandbox) -> None:
    plain = Api(sandbox, key=sandbox.create_key(scopes=["batch_export:write"]))
    response = plain.get("batch_exports/test/", params={"destination": "S3"})
    assert response.status_code == 403
    assert response.content == (
        b'{"type":"authentication_error","code":"permission_denied",'
        b'"detail":"API key missing required scope \'INTERNAL\'","attr":null}'
    )
    step = plain.post("batch_exports/run_test_step_new/", json={})
    assert step.json()["detail"] == "API key missing required scope 'INTERNAL'"
    for key in (
        sandbox.create_key(scopes=["*"]),
        sandbox.create_key(scopes=["INTERNAL"]),
        sandbox.api_key,
    ):
        ok = Api(sandbox, key=key).get("batch_exports/test/", params={"destination": "S3"})
        assert ok.status_code == 200


@pytest.mark.parametrize(
    "scopes",
    [
        ["*"],
        ["conversation:write"],
        ["conversation:read"],
        ["INTERNAL"],
        ["batch_export:write", "customer_profile_config:write"],
    ],
)
def test_actions_without_scopes_refuse_every_scoped_key(
    sandbox: Sandbox, scopes: list[str]
) -> None:
    api = Api(sandbox, key=sandbox.create_key(scopes=scopes))
    conversation = Api(sandbox).get("conversations/").json()["results"][0]["id"]
    expected = _denied("This action does not support Personal API Key access")
    append = api.post(f"conversations/{conversation}/append_message/", json={"content": "x"})
    assert append.status_code == 403 and append.json() == expected
    cancel = api.patch(f"conversations/{conversation}/cancel/")
    assert cancel.status_code == 403 and cancel.json() == expected


def test_empty_scope_list_is_a_legacy_key(fresh_sandbox: Sandbox) -> None:
    # APIScopePermission tests `if not key_scopes`, so [] passes like a key without scopes.
    api = Api(fresh_sandbox, key=fresh_sandbox.create_key(scopes=[]))
    assert api.get("batch_exports/test/", params={"destination": "S3"}).status_code == 200
    conversation = api.get("conversations/").json()["results"][0]["id"]
    append = api.post(f"conversations/{conversation}/append_message/", json={"content": "x"})
    assert append.status_code == 201
    assert api.patch(f"conversations/{conversation}/cancel/").status_code == 204


def test_star_key_may_do_everything_else(fresh_sandbox: Sandbox) -> None:
    api = Api(fresh_sandbox, key=fresh_sandbox.create_key(scopes=["*"]))
    assert api.get("conversations/").status_code == 200
    response, frames = api.chat("lorem 2")
    assert response.status_code == 200 and frames[-1].event == "conversation"
    created = api.post("customer_profile_configs/", json={"scope": "person"})
    assert created.status_code == 201


def test_conversation_write_key_can_stream(fresh_sandbox: Sandbox) -> None:
    api = Api(fresh_sandbox, key=fresh_sandbox.create_key(scopes=["conversation:write"]))
    response, _ = api.chat("lorem 2", str(uuid.uuid4()))
    assert response.status_code == 200
    reader = Api(fresh_sandbox, key=fresh_sandbox.create_key(scopes=["conversation:read"]))
    refused, _ = reader.chat("lorem 2")
    assert refused.status_code == 403
    assert refused.json() == _denied("API key missing required scope 'conversation:write'")


def test_project_limited_key(sandbox: Sandbox) -> None:
    key = sandbox.create_key(scopes=["*"], project_ids=[424242])
    response = Api(sandbox, key=key).get("batch_exports/")
    assert response.status_code == 403
    assert response.json() == _denied(
        f"API key does not have access to the requested project: ID {sandbox.project_id}."
    )


def test_bad_scopes_are_refused_locally(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="Invalid scope"):
        sandbox.create_key(scopes=["batch_export:admin"])
    with pytest.raises(TypeError):
        sandbox.create_key(scopes="batch_export:read")  # type: ignore[arg-type]
