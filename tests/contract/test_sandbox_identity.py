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


def test_a_project_answers_every_field_posthogs_project_schema_requires(sandbox: Sandbox) -> None:
    # `required` of ProjectBackwardCompat in PostHog's openapi.yaml at 1404d6c (GET
    # /api/organizations/{organization_id}/projects/{id}/, also /api/projects/{id}/).
    required = {
        "api_token",
        "available_setup_task_ids",
        "created_at",
        "default_modifiers",
        "effective_membership_level",
        "group_types",
        "has_group_types",
        "id",
        "ingested_event",
        "live_events_token",
        "organization",
        "person_on_events_querying_enabled",
        "product_intents",
        "secret_api_token",
        "secret_api_token_backup",
        "updated_at",
        "uuid",
    }
    r = _get(sandbox, sandbox.api_key, f"/api/projects/{sandbox.project_id}/")
    assert r.status_code == 200, r.text
    body = r.json()
    assert required - set(body) == set()
    assert body["id"] == sandbox.project_id
    assert body["effective_membership_level"] == 15  # the key's user owns the organization
    assert body["has_group_types"] is False and body["group_types"] == []
    assert body["person_on_events_querying_enabled"] is True
    assert body["product_intents"] == [] and body["available_setup_task_ids"] == []
    assert isinstance(body["default_modifiers"], dict)
    assert body["created_at"].endswith("Z") or "+" in body["created_at"]
    assert body["secret_api_token"].startswith("phs_sandbox_")
    assert body["live_events_token"].startswith("live_sandbox_")
    assert body["secret_api_token_backup"] is None
    # the tokens are made by the sandbox, never the API key
    assert sandbox.api_key not in r.text
    current = _get(sandbox, sandbox.api_key, "/api/projects/@current/").json()
    assert current == body
