"""scripts/posthog_openapi_subset.py: the cut of PostHog's document the property run uses."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SUBSET = ROOT / "tests" / "contract" / "posthog_openapi_subset.json"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "posthog_openapi_subset", ROOT / "scripts" / "posthog_openapi_subset.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_the_cut_keeps_served_operations_and_the_components_they_reach() -> None:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "PostHog API", "version": "1.0.0"},
        "paths": {
            # served, PostHog's parameter names differ from the sandbox's ({id}/{run_id})
            "/api/projects/{project_id}/batch_exports/{batch_export_id}/runs/{id}/": {
                "get": {
                    "operationId": "batch_exports_runs_retrieve",
                    "description": "prose",
                    "responses": {
                        "200": {"content": {"application/json": {"schema": _ref("Run")}}}
                    },
                }
            },
            # served, documented under the environment router
            "/api/environments/{project_id}/conversations/{conversation}/": {
                "get": {"operationId": "conversations_retrieve", "responses": {}}
            },
            # not served by the sandbox
            "/api/projects/{project_id}/cohorts/": {"get": {"operationId": "cohorts_list"}},
            # the deprecated alias of a served route: the projects path already has it
            "/api/environments/{environment_id}/batch_exports/": {"get": {"operationId": "x"}},
        },
        "components": {
            "schemas": {
                "Run": {"type": "object", "properties": {"status": _ref("Status")}},
                "Status": {"enum": ["Running"], "description": "prose", "type": "string"},
                "Unused": {"type": "object"},
            }
        },
    }
    cut = _script().subset(document, "abc123")
    assert sorted(cut["paths"]) == [
        "/api/projects/{project_id}/batch_exports/{batch_export_id}/runs/{id}/",
        "/api/projects/{project_id}/conversations/{conversation}/",
    ]
    run = cut["paths"]["/api/projects/{project_id}/batch_exports/{batch_export_id}/runs/{id}/"]
    assert "description" not in run["get"]
    assert cut["components"]["schemas"] == {
        "Run": {"type": "object", "properties": {"status": _ref("Status")}},
        "Status": {"enum": ["Running"], "type": "string"},
    }
    assert cut["info"]["x-posthog-commit"] == "abc123"
    assert "GET batch_exports" in cut["x-envnb-undocumented"]
    assert "GET conversations/{}" not in cut["x-envnb-undocumented"]


def test_the_committed_subset_is_what_the_script_makes_of_it() -> None:
    # The subset is a document itself: cutting it again must give it back, so a route added
    # to the sandbox (or a path PostHog's document gains) shows here until it is regenerated.
    committed = json.loads(SUBSET.read_text())
    again = _script().subset(committed, committed["info"]["x-posthog-commit"])
    assert again["paths"] == committed["paths"]
    assert again["components"] == committed["components"]
    # A sandbox route new here is not yet in the subset. Before calling it newer than PostHog's
    # document, look for its path in frontend/src/generated/openapi.yaml at x-posthog-commit
    # (under /api/projects/{project_id}/ or /api/environments/{project_id}/): the conversation
    # queue was there. If it is there, regenerate the subset with its pages.
    undocumented = [
        "DELETE conversations/{}",  # soft delete: newer than the document
        # Not under /api/ at 1404d6c (organizations -> projects, no personal_api_keys between).
        "GET api/personal_api_keys/{}",
        # The second runtime's opener (contract §16): added after the subset was cut, not
        # looked for in the document at 1404d6c yet.
        "POST conversations/{}/open",
        "POST query/{}",  # query/{kind}/: newer than the document (contract §14)
    ]
    assert again["x-envnb-undocumented"] == undocumented, "see the comment above"
    assert committed["x-envnb-undocumented"] == undocumented


def test_identity_routes_root_aliases_and_the_query_union() -> None:
    union = {
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"HogQLQuery": "#/x", "TrendsQuery": "#/y"},
        },
        "oneOf": [_ref("HogQLQuery"), _ref("TrendsQuery")],
    }
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "PostHog API", "version": "1.0.0"},
        "paths": {
            # the sandbox's users/@me/: a path parameter in PostHog's document
            "/api/users/{uuid}/": {"get": {"operationId": "users_retrieve", "responses": {}}},
            # PostHog documents its projects under the organization only
            "/api/organizations/{organization_id}/projects/{id}/": {
                "get": {
                    "operationId": "retrieve_2",
                    "parameters": [
                        {"in": "path", "name": "id"},
                        {"in": "path", "name": "organization_id"},
                    ],
                }
            },
            "/api/projects/{project_id}/query/upgrade/": {
                "post": {
                    "operationId": "query_upgrade_create",
                    "requestBody": {"content": {"application/json": {"schema": _ref("Up")}}},
                }
            },
        },
        "components": {
            "schemas": {
                "Up": {"type": "object", "properties": {"query": union}},
                "HogQLQuery": {"type": "object"},
                "TrendsQuery": {"type": "object"},
            }
        },
    }
    cut = _script().subset(document, "abc123")
    assert sorted(cut["paths"]) == [
        "/api/projects/{id}/",
        "/api/projects/{project_id}/query/upgrade/",
        "/api/users/{uuid}/",
    ]
    root = cut["paths"]["/api/projects/{id}/"]["get"]
    assert root["operationId"] == "retrieve_2_root"
    assert root["parameters"] == [{"in": "path", "name": "id"}]
    schemas = cut["components"]["schemas"]
    assert schemas["Up"] == {"type": "object", "properties": {"query": _ref("QueryNode")}}
    assert schemas["QueryNode"] == {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string", "enum": ["HogQLQuery", "TrendsQuery"]}},
    }
    assert "HogQLQuery" not in schemas
