"""Contract: a two-project sandbox (staging = 1, production = 2) through Fleet and diff."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

import envnb
from envnb.errors import FleetWarning
from envnb.sandbox import Sandbox

SECRET = "sandbox-secret-"  # every seeded secret value starts with it


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(projects=2, conversations=10) as made:
        yield made


def _get(sb: Sandbox, path: str, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key or sb.api_key}"}
    return httpx.get(sb.url + path, headers=headers)


def test_identity_endpoints_in_posthogs_shapes(sb: Sandbox) -> None:
    listed = _get(sb, "/api/projects/").json()
    assert (listed["count"], listed["next"], listed["previous"]) == (2, None, None)
    assert [(p["id"], p["name"]) for p in listed["results"]] == [(1, "Staging"), (2, "Production")]
    assert set(listed["results"][0]) == {
        "id", "uuid", "organization", "api_token", "name", "completed_snippet_onboarding",
        "has_completed_onboarding_for", "ingested_event", "is_demo", "timezone",
        "access_control",
    }  # fmt: skip
    org = _get(sb, "/api/organizations/@current/").json()
    assert (org["name"], org["slug"]) == ("Acme", "acme")
    assert [p["name"] for p in org["projects"]] == ["Staging", "Production"]
    assert listed["results"][1]["organization"] == org["id"]
    nested = _get(sb, "/api/organizations/@current/projects/").json()
    assert [p["id"] for p in nested["results"]] == [1, 2]
    one = _get(sb, "/api/projects/2/").json()
    assert (one["id"], one["name"], one["timezone"]) == (2, "Production", "UTC")
    assert _get(sb, "/api/environments/2/").json()["name"] == "Production"
    me = _get(sb, "/api/users/@me/").json()
    assert (me["email"], me["team"]["id"], me["organization"]["id"]) == (
        "ada@example.com",
        1,
        org["id"],
    )
    missing = _get(sb, "/api/projects/3/")
    assert missing.status_code == 404
    assert _get(sb, "/api/projects/3/batch_exports/").status_code == 404


def test_a_key_limited_to_one_project_sees_and_reaches_only_it(sb: Sandbox) -> None:
    key = sb.create_key(["batch_export:read", "project:read", "organization:read"], projects=[2])
    listed = _get(sb, "/api/projects/", key).json()
    assert [p["id"] for p in listed["results"]] == [2]
    refused = _get(sb, "/api/projects/1/batch_exports/", key)
    assert refused.status_code == 403
    assert refused.json() == {
        "type": "authentication_error",
        "code": "permission_denied",
        "detail": "API key does not have access to the requested project: ID 1.",
        "attr": None,
    }
    assert _get(sb, "/api/projects/1/", key).status_code == 403
    org = _get(sb, "/api/organizations/@current/", key)
    assert org.status_code == 403
    assert org.json()["detail"] == (
        "API keys with scoped projects are only supported on project-based endpoints."
    )
    assert _get(sb, "/api/projects/2/batch_exports/", key).json()["count"] == 11
    # Through envnb: every_project sees one project, so nothing is ever sent to project 1.
    with sb.client(api_key=key, project_id=2) as client, envnb.Fleet.every_project(client) as fl:
        assert [(m.project, m.project_id) for m in fl.members] == [("Production", "2")]
        assert len(fl.batch_exports_df()) == 11


def test_every_project_frames(sb: Sandbox) -> None:
    with sb.client() as client, envnb.Fleet.every_project(client) as fleet:
        projects = fleet.projects_df()
        assert projects[["project", "project_id", "name", "timezone"]].to_dict("records") == [
            {"project": "Staging", "project_id": "1", "name": "Staging", "timezone": "UTC"},
            {"project": "Production", "project_id": "2", "name": "Production", "timezone": "UTC"},
        ]
        exports = fleet.batch_exports_df()
        by_project = exports.groupby("project", sort=False)["name"].apply(set).to_dict()
        assert by_project["Staging"] - by_project["Production"] == {
            "Webhook relay",
            "Webhook relay 2",
        }
        assert by_project["Production"] - by_project["Staging"] == {"Audit log archive"}
        configs = fleet.profile_configs_df()
        assert configs.groupby("project", sort=False).size().to_dict() == {
            "Staging": 8,
            "Production": 7,
        }
        chats = fleet.conversations_df()
        assert chats.groupby("project", sort=False).size().to_dict() == {
            "Staging": 10,
            "Production": 5,
        }
        health = fleet.health()
        assert health.groupby("project", sort=False).size().to_dict() == {
            "Staging": 12,
            "Production": 11,
        }


def test_a_key_revoked_mid_way_fails_only_its_project(sb: Sandbox) -> None:
    staging_key = sb.create_key(["batch_export:read"], projects=[1])
    production_key = sb.create_key(["batch_export:read"], projects=[2])
    with (
        sb.client(api_key=staging_key) as staging,
        sb.client(api_key=production_key, project_id=2) as production,
    ):
        fleet = envnb.Fleet({"staging": staging, "production": production})
        assert len(fleet.batch_exports_df()) == 23
        sb.revoke_key(production_key)
        with pytest.warns(FleetWarning, match="project 'production'") as caught:
            frame = fleet.batch_exports_df()
        assert frame.groupby("project", sort=False).size().to_dict() == {
            "staging": 12,
            "production": 1,
        }
        error = frame.loc[frame["project"] == "production", "error"].iloc[0]
        assert error.startswith("AuthenticationError: 401: Invalid personal API key.")
        shown = frame.to_string() + repr(fleet) + " ".join(str(w.message) for w in caught)
        assert staging_key not in shown and production_key not in shown


BATCH_EXPORT_PLAN = [
    {"name": "Webhook relay", "action": "create", "fields": "", "needs": "token"},
    {"name": "Webhook relay 2", "action": "create", "fields": "", "needs": "token"},
    {
        "name": "Events archive",
        "action": "update",
        "fields": "destination.config.prefix",
        "needs": "",
    },
    {"name": "Warehouse sync", "action": "update", "fields": "interval, offset_hour", "needs": ""},
    {"name": "Audit log archive", "action": "delete", "fields": "", "needs": ""},
] + [
    {"name": name, "action": "same", "fields": "", "needs": ""}
    for name in (
        "BigQuery events",
        "BigQuery events 2",
        "Events archive 2",
        "Postgres mirror",
        "Postgres mirror 2",
        "Redshift copy",
        "Redshift copy 2",
        "Warehouse sync 2",
    )
]


def test_batch_export_plan_rows(sb: Sandbox) -> None:
    with sb.client() as staging, sb.client(project_id=2) as production:
        plan = envnb.diff(staging, production, "batch_exports")
        frame = plan.df
        assert frame[["name", "action", "fields", "needs"]].to_dict("records") == BATCH_EXPORT_PLAN
        assert frame.loc[0, "note"] == (
            "created paused: secrets are never copied; set token in the target"
        )
        assert list(frame["action"].cat.categories) == ["create", "update", "delete", "same"]
        assert SECRET not in frame.to_string() and SECRET not in repr(plan)
        assert repr(plan).endswith("2 create, 2 update, 1 delete, 8 same>")


def test_apply_makes_the_target_match_without_copying_secrets(sb: Sandbox) -> None:
    with sb.client() as staging, sb.client(project_id=2) as production:
        plan = envnb.diff(staging, production, "batch_exports")
        first = plan.apply(confirm=False)
        assert first[["name", "result"]].head(5).to_dict("records") == [
            {"name": "Webhook relay", "result": "created (paused: fill in token)"},
            {"name": "Webhook relay 2", "result": "created (paused: fill in token)"},
            {"name": "Events archive", "result": "updated"},
            {"name": "Warehouse sync", "result": "updated"},
            {"name": "Audit log archive", "result": "skipped: not confirmed"},
        ]
        second = plan.apply(confirm=True)
        assert second.loc[second["action"] != "same", ["name", "result"]].to_dict("records") == [
            {"name": "Audit log archive", "result": "deleted"}
        ]
        sb.reset_stats()
        third = plan.apply(confirm=True)
        assert set(third["action"]) == {"same"} and set(third["result"]) == {"same"}
        assert sb.stats()["writes"] == {}  # the second apply did nothing
        created = sb.store.read(
            "SELECT dest_config, paused FROM batch_exports "
            "WHERE team_id = 2 AND name LIKE 'Webhook relay%' AND deleted = 0"
        )
        assert [(json.loads(r["dest_config"]), r["paused"]) for r in created] == [
            ({"url": "https://hooks.acme.test/posthog", "token": ""}, 1)
        ] * 2
        stored = " ".join(
            r["dest_config"]
            for r in sb.store.read("SELECT dest_config FROM batch_exports WHERE team_id = 2")
        )
        assert "sandbox-secret-token" not in stored
        # Deep-merged updates kept production's own secrets where it had them.
        archive = sb.store.one(
            "SELECT dest_config FROM batch_exports WHERE team_id = 2 AND name = 'Events archive'"
        )
        assert archive is not None
        assert json.loads(archive["dest_config"])["prefix"] == "posthog/events/"
        assert json.loads(archive["dest_config"])["aws_secret_access_key"] == SECRET + "sak"


def test_profile_layouts_copy_with_flags_and_idempotently(sb: Sandbox) -> None:
    with sb.client() as staging, sb.client(project_id=2) as production:
        plan = envnb.diff(staging, production, "profile_configs")
        rows = plan.df[["scope", "action", "fields"]].to_dict("records")
        assert rows == [
            {"scope": "group_2", "action": "create", "fields": ""},
            {"scope": "group_1", "action": "update", "fields": "content, sidebar"},
            {"scope": "group_0", "action": "same", "fields": ""},
            {"scope": "group_3", "action": "same", "fields": ""},
            {"scope": "group_4", "action": "same", "fields": ""},
            {"scope": "person", "action": "same", "fields": ""},
        ]
        assert plan.df.loc[0, "note"].startswith(
            "ph-revenue-forecast: unknown panel type, kept; the target may not render it"
        )
        applied = plan.apply()
        assert applied["result"].tolist()[:2] == ["created", "updated"]
        copied = production.profile_configs.for_scope("group_2")
        assert copied is not None
        assert [p["type"] for p in copied.content][:2] == [
            "ph-usage-metrics",
            "ph-revenue-forecast",
        ]
        assert set(plan.apply()["result"]) == {"same"}
        shown = production.profile_configs.for_scope("group_1")
        source = staging.profile_configs.for_scope("group_1")
        assert shown is not None and source is not None
        assert (shown.content, shown.sidebar) == (source.content, source.sidebar)


def test_diff_refuses_an_unknown_kind_before_sending(sb: Sandbox) -> None:
    with sb.client() as client:
        with pytest.raises(envnb.errors.RequestValidationError) as caught:
            envnb.diff(client, client, "dashboards")
        assert caught.value.attr == "kind"
        assert "allowed values: batch_exports, profile_configs" in str(caught.value)


def test_apply_without_a_prompt_skips_deletes_with_a_warning(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_stdin(prompt: str) -> str:  # what input() does with no terminal (stdlib)
        raise EOFError

    monkeypatch.setattr("builtins.input", no_stdin)
    with sb.client() as staging, sb.client(project_id=2) as production:
        with pytest.warns(UserWarning, match=r"deletes skipped \(Audit log archive\)"):
            result = envnb.diff(staging, production, "batch_exports").apply()
        assert result.loc[result["action"] == "delete", "result"].tolist() == [
            "skipped: not confirmed"
        ]


def test_a_copied_export_names_the_targets_own_integration() -> None:
    """Integrations belong to a project (ids differ): a created export that needs one names
    the target's integration of its kind, or the row says why nothing was created."""
    with Sandbox(projects=2, conversations=0, profile_configs=0) as sb:
        with sb.store.tx() as db:  # production has no Databricks integration
            db.execute("DELETE FROM integrations WHERE team_id = 2 AND kind = 'databricks'")
        with sb.client() as staging, sb.client(project_id=2) as production:
            staging.batch_exports.create(
                name="Lake copy",
                interval="hour",
                destination={
                    "type": "AwsS3",
                    "config": {"bucket_name": "lake", "region": "eu-west-1", "prefix": "ph/"},
                    "integration_id": 1,
                },
            )
            staging.batch_exports.create(
                name="Bricks copy",
                interval="hour",
                destination={
                    "type": "Databricks",
                    "config": {
                        "http_path": "/sql/1.0/warehouses/x",
                        "catalog": "main",
                        "schema": "ph",
                        "table_name": "events",
                    },
                    "integration_id": 4,
                },
            )
            applied = envnb.diff(staging, production, "batch_exports").apply(confirm=False)
            results = applied.set_index("name")["result"].to_dict()
            assert results["Lake copy"] == "created"
            assert results["Bricks copy"] == (
                "error: RequestValidationError: destination.integration_id: a Databricks export "
                "needs an integration of kind 'databricks' and the target project has 0; "
                "integrations belong to a project and are never copied: connect one in the target"
            )
            [lake] = [e for e in production.batch_exports.list() if e.name == "Lake copy"]
            assert lake.destination.integration == 9  # production's aws-s3, not staging's 1
            assert not any(e.name == "Bricks copy" for e in production.batch_exports.list())
