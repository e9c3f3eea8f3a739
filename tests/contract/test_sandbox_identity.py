"""The identity endpoints PostHog's own tools read (its CLI and agent toolkit)."""

from __future__ import annotations

import httpx

from envnb.sandbox import Sandbox


def _get(sb: Sandbox, key: str, path: str) -> httpx.Response:
    return httpx.get(f"{sb.url}{path}", headers={"Authorization": f"Bearer {key}"}, timeout=10)


def test_personal_api_keys_current_describes_the_calling_key(sandbox: Sandbox) -> None:
    # PostHog: posthog/api/personal_api_key.py — `@current` is the authenticating key; a key
    # may only retrieve itself, whatever its scopes (the viewset has no scope object).
    legacy = _get(sandbox, sandbox.api_key, "/api/personal_api_keys/@current/")
    assert legacy.status_code == 200, legacy.text
    body = legacy.json()
    assert body["scopes"] == ["*"] and body["value"] is None
    assert sandbox.api_key not in legacy.text
    assert body["mask_value"] == f"{sandbox.api_key[:4]}...{sandbox.api_key[-4:]}"
    assert set(body) >= {"id", "label", "created_at", "user_id", "scoped_teams"}
    scoped_key = sandbox.create_key(["query:read"], project_ids=[sandbox.project_id])
    scoped = _get(sandbox, scoped_key, "/api/personal_api_keys/@current/")
    assert scoped.status_code == 200, scoped.text
    assert scoped.json()["scopes"] == ["query:read"]
    assert scoped.json()["scoped_teams"] == [sandbox.project_id]
    assert scoped.json()["id"] != body["id"]


def test_users_me_answers(sandbox: Sandbox) -> None:
    me = _get(sandbox, sandbox.api_key, "/api/users/@me/")
    assert me.status_code == 200 and me.json()["email"]


def test_organization_by_the_id_users_me_names(sandbox: Sandbox) -> None:
    # PostHog's CLI (@posthog/cli's api tools) reads users/@me, then organizations/{id}/ with
    # the id it names; a 404 there was logged as a failed look-up on every CLI call.
    org_id = _get(sandbox, sandbox.api_key, "/api/users/@me/").json()["organization"]["id"]
    by_id = _get(sandbox, sandbox.api_key, f"/api/organizations/{org_id}/")
    assert by_id.status_code == 200, by_id.text
    assert by_id.json() == _get(sandbox, sandbox.api_key, "/api/organizations/@current/").json()
    other_id = "00000000-0000-4000-8000-000000000000"
    other = _get(sandbox, sandbox.api_key, f"/api/organizations/{other_id}/")
    assert other.status_code == 404
