"""The sandbox follows PostHog's published schema where users would notice.
(The clients' side: ``_async/test_client_fidelity.py``.)

Each test names the PostHog behaviour and its source (contract §3, §9, §10).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from conftest import Api
from envnb.sandbox import Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

# The legacy S3 type can no longer be created (PostHog #64350): AwsS3 on the seeded
# aws-s3 integration (id 1).
S3 = {
    "type": "AwsS3",
    "integration_id": 1,
    "config": {"bucket_name": "b", "region": "us-east-1", "prefix": "p/"},
}
AGENT_MODES = [
    "product_analytics",
    "sql",
    "session_replay",
    "error_tracking",
    "plan",
    "execution",
    "survey",
    "onboarding",
    "research",
    "flags",
    "llm_analytics",
]


def _export(api: Api, **extra: Any) -> httpx.Response:
    body = {"name": "Fidelity", "interval": "day", "destination": S3, **extra}
    return api.post("batch_exports/", json=body)


# ---- agent_mode: 11 values (openapi.yaml @1404d6c AgentModeEnum) -------------------------


@pytest.mark.parametrize("mode", AGENT_MODES)
def test_every_published_agent_mode_is_accepted(fresh_api: Api, mode: str) -> None:
    response, frames = fresh_api.chat("lorem 3", agent_mode=mode)
    assert response.status_code == 200
    assert frames[0].event == "conversation"


def test_an_unpublished_agent_mode_is_refused(api: Api) -> None:
    response, _ = api.chat("hi", agent_mode="sandbox")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid agent mode." and response.json()["attr"] == (
        "agent_mode"
    )


# ---- conversation retrieve: pending_approvals, never approval_decisions -------------------


def test_retrieve_has_pending_approvals_not_approval_decisions(api: Api) -> None:
    first = api.get("conversations/", params={"limit": 1}).json()["results"][0]
    body = api.get(f"conversations/{first['id']}/").json()
    assert body["pending_approvals"] == []
    assert "approval_decisions" not in body
    assert {"messages", "has_unsupported_content", "agent_mode"} <= set(body)


# ---- /api/projects/@current/ is the caller's project (PH:posthog/api/routing.py) ----------


@pytest.mark.parametrize("prefix", ["projects", "environments"])
def test_current_project_alias(sandbox: Sandbox, prefix: str) -> None:
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    by_id = httpx.get(
        f"{sandbox.url}/api/{prefix}/{sandbox.project_id}/customer_profile_configs/",
        headers=headers,
    ).json()
    current = httpx.get(
        f"{sandbox.url}/api/{prefix}/@current/customer_profile_configs/", headers=headers
    )
    assert current.status_code == 200
    assert current.json()["results"] == by_id["results"]


def test_current_project_alias_keeps_key_limits(fresh_sandbox: Sandbox) -> None:
    key = fresh_sandbox.create_key(scopes=["*"], project_ids=[99])
    response = httpx.get(
        f"{fresh_sandbox.url}/api/projects/@current/batch_exports/",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "API key does not have access to the requested project: ID 1."
    )


def test_other_strings_are_not_a_project(sandbox: Sandbox) -> None:
    response = httpx.get(
        f"{sandbox.url}/api/projects/@mine/batch_exports/",
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
    )
    assert response.status_code == 404


# ---- batch exports: hogql_query, last_paused_at, timezone (openapi.yaml @1404d6c) ---------


def test_hogql_query_is_omitted_not_null(fresh_api: Api) -> None:
    made = _export(fresh_api)
    assert made.status_code == 201 and "hogql_query" not in made.json()
    assert all("hogql_query" not in e for e in fresh_api.get("batch_exports/").json()["results"])
    with_query = _export(fresh_api, hogql_query="SELECT event FROM events")
    assert with_query.json()["hogql_query"] == "SELECT event FROM events"


def test_hogql_query_null_is_refused(fresh_api: Api) -> None:
    response = _export(fresh_api, hogql_query=None)
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "null",
        "detail": "This field may not be null.",
        "attr": "hogql_query",
    }


def test_last_paused_at_is_stored_on_create_and_update(fresh_api: Api) -> None:
    made = _export(fresh_api, paused=True, last_paused_at="2026-01-02T03:04:05Z").json()
    assert made["last_paused_at"] == "2026-01-02T03:04:05Z"
    path = f"batch_exports/{made['id']}/"
    patched = fresh_api.patch(path, json={"last_paused_at": "2026-02-01T00:00:00+00:00"})
    assert patched.json()["last_paused_at"] == "2026-02-01T00:00:00Z"
    # unpause with backfill starts from it
    fresh_api.post(f"{path}unpause/", json={"backfill": True})
    assert fresh_api.sb.backfills(made["id"])[0]["start_at"] == "2026-02-01T00:00:00Z"


@pytest.mark.parametrize(
    ("zone", "status"),
    [
        ("Asia/Calcutta", 201),  # an old alias: in PostHog's list
        ("Europe/Kyiv", 201),
        ("America/Coyhaique", 400),  # in recent tz databases, not in PostHog's 596
        ("localtime", 400),
        ("Mars/Olympus", 400),
    ],
)
def test_timezone_is_posthogs_fixed_list(fresh_api: Api, zone: str, status: int) -> None:
    response = _export(fresh_api, timezone=zone)
    assert response.status_code == status
    if status == 400:
        assert response.json()["code"] == "invalid_choice"
        assert response.json()["attr"] == "timezone"


# ---- profile configs: the list ignores ?scope= (PH customer_analytics api/views.py) -------


def test_profile_config_list_ignores_scope_parameter(api: Api) -> None:
    everything = api.get("customer_profile_configs/").json()
    filtered = api.get("customer_profile_configs/", params={"scope": "group_3"}).json()
    assert filtered == everything
    assert {r["scope"] for r in filtered["results"]} == {
        "person",
        "group_0",
        "group_1",
        "group_2",
        "group_3",
        "group_4",
    }


def test_seeded_profile_configs_have_posthogs_shapes(api: Api) -> None:
    rows = api.get("customer_profile_configs/").json()["results"]
    assert len(rows) == 8
    by_scope: dict[str, list[dict[str, Any]]] = {}
    for row in reversed(rows):  # creation order
        by_scope.setdefault(row["scope"], []).append(row)
    person_old, person_second = by_scope["person"]
    assert person_old["content"][0] == {
        "type": "ph-usage-metrics",
        "attrs": {"title": "Usage metrics"},
    }
    assert person_second["content"] == [
        {"type": "ph-person-feed", "title": "Sessions", "index": 0},
        {"type": "ph-usage-metrics", "title": "Usage metrics", "index": 1},
    ]
    assert person_old["sidebar"] == [
        {"type": "ph-person", "attrs": {"title": "Info"}},
        {"type": "ph-related-groups", "attrs": {"title": "Related groups"}},
        {"type": "ph-person-properties", "attrs": {"title": "Properties"}},
    ]
    assert by_scope["group_3"][0]["content"] == [
        {"type": "ph-usage-metrics", "title": "Usage metrics", "index": 0},
        {"type": "ph-customer-journey", "title": "Customer journey", "index": 1},
        {"type": "ph-query", "title": "Events", "index": 2},
        {"type": "ph-llm-trace", "title": "LLM traces", "index": 3},
        {"type": "ph-zendesk-tickets", "title": "Zendesk tickets", "index": 4},
        {"type": "ph-issues", "title": "Issues", "index": 5},
    ]
    assert by_scope["group_3"][0]["sidebar"][1] == {
        "type": "ph-related-groups",
        "attrs": {"title": "Related people", "type": "person"},
    }
    assert by_scope["group_2"][0]["content"][1] == {
        "type": "ph-revenue-forecast",
        "title": "Revenue forecast",
        "index": 1,
        "horizon_days": 90,
    }
    assert by_scope["group_1"][0]["content"][0] == {
        "type": "ph-query",
        "title": "Recent events",
        "index": 0,
    }
    assert len(by_scope["group_0"]) == 2  # a duplicate scope


# ---- the sandbox's /api/schema/ agrees with what it serves --------------------------------


def test_schema_states_the_published_enums_and_fields(sandbox: Sandbox) -> None:
    doc = httpx.get(f"{sandbox.url}/api/schema/").json()
    schemas = doc["components"]["schemas"]
    assert schemas["AgentModeEnum"]["enum"] == AGENT_MODES
    zones = schemas["TimezoneEnum"]["enum"]
    assert len(zones) == 596 and "Asia/Calcutta" in zones and "America/Coyhaique" not in zones
    conversation = schemas["Conversation"]["allOf"][1]["properties"]
    assert "pending_approvals" in conversation and "approval_decisions" not in conversation
    assert schemas["BatchExport"]["properties"]["hogql_query"].get("nullable") is not True
    assert "last_paused_at" in schemas["BatchExportInput"]["properties"]
    op = doc["paths"]["/api/projects/{project_id}/batch_exports/"]["get"]
    project = next(p for p in op["parameters"] if p["name"] == "project_id")
    assert project["schema"]["type"] == "string" and "@current" in project["description"]


def test_served_conversation_matches_schema_fields(sandbox: Sandbox, api: Api) -> None:
    doc = httpx.get(f"{sandbox.url}/api/schema/").json()
    schemas = doc["components"]["schemas"]
    declared = set(schemas["ConversationMinimal"]["properties"]) | set(
        schemas["Conversation"]["allOf"][1]["properties"]
    )
    first = api.get("conversations/", params={"limit": 1}).json()["results"][0]
    assert set(api.get(f"conversations/{first['id']}/").json()) == declared
    export = api.get("batch_exports/").json()["results"][0]
    assert set(export) <= set(schemas["BatchExport"]["properties"])


def test_a_line_break_in_the_path_gets_posthogs_json_404(sandbox: Sandbox) -> None:
    # Django's `[^/]+` matches a line break like any character: the id is simply not found.
    response = httpx.get(
        f"{sandbox.url}/api/projects/1/batch_exports/a%0Ab/",
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
    )
    assert response.status_code == 404
    assert response.json()["type"] == "invalid_request"
