"""Both clients: ``profile_configs.for_scope`` / ``delete`` and the ``@current`` project.

PostHog's profile page uses the first config of a scope (customerProfileConfigLogic.ts
``configs.find``); its list ignores ``?scope=``; ``/api/projects/@current/`` is the caller's
project (posthog/api/routing.py).
"""

from __future__ import annotations

from typing import Any

import pytest

import envnb
from conftest import Api
from envnb.errors import RequestValidationError
from envnb.profile_configs.models import ProfileConfig
from envnb.sandbox import Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def _listed(api: Api) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = api.get("customer_profile_configs/").json()["results"]
    return rows


async def test_for_scope_is_the_first_config_of_the_scope(
    fresh_sandbox: Sandbox, fresh_api: Api
) -> None:
    c = fresh_sandbox.async_client()
    try:
        listed = [r for r in _listed(fresh_api) if r["scope"] == "person"]
        assert len(listed) == 2  # the seed has a duplicate person config
        shown = await c.profile_configs.for_scope("person")
        assert isinstance(shown, ProfileConfig) and shown.id == listed[0]["id"]
        assert shown.content == [
            {"type": "ph-person-feed", "title": "Sessions", "index": 0},
            {"type": "ph-usage-metrics", "title": "Usage metrics", "index": 1},
        ]
        # delete it: PostHog's page falls back to the next person config
        assert await c.profile_configs.delete(shown.id) is None
        assert fresh_sandbox.stats()["writes"]["profile_config.delete"] == 1
        after = await c.profile_configs.for_scope("person")
        assert after is not None and after.id == listed[1]["id"]
        await c.profile_configs.delete(after.id)
        assert await c.profile_configs.for_scope("person") is None
        assert fresh_api.get(f"customer_profile_configs/{after.id}/").status_code == 404
    finally:
        await c.aclose()


async def test_for_scope_refuses_a_bad_scope_before_sending(sandbox: Sandbox) -> None:
    c = sandbox.async_client()
    try:
        before = sandbox.stats()["requests"]
        with pytest.raises(RequestValidationError) as info:
            await c.profile_configs.for_scope("group_9")
        assert info.value.attr == "scope" and "group_4" in str(info.value)
        assert sandbox.stats()["requests"] == before
    finally:
        await c.aclose()


async def test_current_project_alias_on_both_clients(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_id = sandbox.async_client()
    cls = envnb.AsyncClient
    current = cls(host=sandbox.url, api_key=sandbox.api_key, project_id="@current")
    monkeypatch.setenv("POSTHOG_HOST", sandbox.url)
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", sandbox.api_key)
    monkeypatch.setenv("POSTHOG_PROJECT_ID", "@current")
    from_env = cls()
    try:
        expected = [x.id async for x in by_id.profile_configs.list()]
        assert [x.id async for x in current.profile_configs.list()] == expected
        assert [x.id async for x in from_env.profile_configs.list()] == expected
        shown = await from_env.profile_configs.for_scope("group_2")
        assert shown is not None and shown.content[1]["type"] == "ph-revenue-forecast"
    finally:
        for c in (by_id, current, from_env):
            await c.aclose()


async def test_edit_a_layout_in_code_and_save_posthogs_shape(
    fresh_sandbox: Sandbox, fresh_api: Api
) -> None:
    c = fresh_sandbox.async_client()
    try:
        config = await c.profile_configs.for_scope("group_1")
        assert config is not None
        layout = config.layout()
        assert [(p.type, p.title) for p in layout.panels] == [
            ("ph-query", "Recent events"),
            ("ph-usage-metrics", "Product usage"),
            ("ph-issues", "Issues"),
            ("ph-llm-trace", "LLM traces"),
        ]
        layout.move(3, -3)
        layout.add("ph-zendesk-tickets")
        await c.profile_configs.update(config.id, content=layout.to_content())
        stored = fresh_api.get(f"customer_profile_configs/{config.id}/").json()
        assert stored["content"] == [
            {"type": "ph-llm-trace", "title": "LLM traces", "index": 0},
            {"type": "ph-query", "title": "Recent events", "index": 1},
            {"type": "ph-usage-metrics", "title": "Product usage", "index": 2},
            {"type": "ph-issues", "title": "Issues", "index": 3},
            {"type": "ph-zendesk-tickets", "title": "Zendesk tickets", "index": 4},
        ]
        assert stored["sidebar"] == config.sidebar
    finally:
        await c.aclose()
