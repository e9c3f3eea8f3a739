"""The structured (Panels) view of ProfileConfigEditor, driven by clicks, checked on the server."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from widget_helpers import api_get, client_for, html_of, writes

from envnb.sandbox import Sandbox
from envnb.widgets import ProfileConfigEditor

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

GROUP_DEFAULTS = [
    {"type": "ph-usage-metrics", "title": "Usage metrics", "index": 0},
    {"type": "ph-customer-journey", "title": "Customer journey", "index": 1},
    {"type": "ph-query", "title": "Events", "index": 2},
    {"type": "ph-llm-trace", "title": "LLM traces", "index": 3},
    {"type": "ph-zendesk-tickets", "title": "Zendesk tickets", "index": 4},
    {"type": "ph-issues", "title": "Issues", "index": 5},
]
GROUP_SIDEBAR = [
    {"type": "ph-group", "attrs": {"title": "Info"}},
    {"type": "ph-related-groups", "attrs": {"title": "Related people", "type": "person"}},
    {"type": "ph-group-properties", "attrs": {"title": "Properties"}},
]


def _configs(sb: Sandbox) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = api_get(sb, "customer_profile_configs/?limit=100")["results"]
    return rows


def _stored(sb: Sandbox, config_id: str) -> dict[str, Any]:
    row: dict[str, Any] = api_get(sb, f"customer_profile_configs/{config_id}/")
    return row


async def _open(sb: Sandbox, pick: Any) -> tuple[ProfileConfigEditor, dict[str, Any]]:
    ed = ProfileConfigEditor(client_for(sb))
    await ed.wait()
    target = next(c for c in _configs(sb) if pick(c))
    ed.select(target["id"])
    await ed.wait()
    assert ed.loaded is not None and ed.loaded["id"] == target["id"]
    return ed, target


def _titles(ed: ProfileConfigEditor) -> list[tuple[str, str]]:
    return [(r.type, r.title.value) for r in ed.layout_view.rows]


async def test_add_move_rename_remove_and_save_posthogs_shape(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed, target = await _open(sb, lambda c: c["scope"] == "group_3")
    assert ed.view.value == "Panels"
    assert _titles(ed) == [(p["type"], p["title"]) for p in GROUP_DEFAULTS]
    view = ed.layout_view
    view.rows[5].remove_button.click()  # Issues
    view.rows[0].down_button.click()  # Usage metrics below Customer journey
    view.rows[3].up_button.click()  # LLM traces above Events
    view.rows[2].title.value = "AI traces"
    assert [v for _, v in view.add_picker.options] == ["ph-issues"]
    view.add_picker.value = "ph-issues"
    view.add_button.click()
    assert ed.dirty and "unsaved changes" in ed.dirty_html.value
    assert _titles(ed) == [
        ("ph-customer-journey", "Customer journey"),
        ("ph-usage-metrics", "Usage metrics"),
        ("ph-llm-trace", "AI traces"),
        ("ph-query", "Events"),
        ("ph-zendesk-tickets", "Zendesk tickets"),
        ("ph-issues", "Issues"),
    ]
    # the JSON view holds the same state
    assert json.loads(ed.content.value)[2] == {
        "type": "ph-llm-trace",
        "title": "AI traces",
        "index": 2,
    }
    ed.save_button.click()
    await ed.wait()
    assert ed.status == "Saved (content)." and not ed.dirty
    assert writes(sb, "profile_config.update") == 1
    stored = _stored(sb, target["id"])
    assert stored["content"] == [
        {"type": "ph-customer-journey", "title": "Customer journey", "index": 0},
        {"type": "ph-usage-metrics", "title": "Usage metrics", "index": 1},
        {"type": "ph-llm-trace", "title": "AI traces", "index": 2},
        {"type": "ph-query", "title": "Events", "index": 3},
        {"type": "ph-zendesk-tickets", "title": "Zendesk tickets", "index": 4},
        {"type": "ph-issues", "title": "Issues", "index": 5},
    ]
    assert stored["sidebar"] == GROUP_SIDEBAR


async def test_reset_to_posthogs_defaults(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed, target = await _open(sb, lambda c: c["scope"] == "group_1")
    assert _titles(ed)[0] == ("ph-query", "Recent events")
    assert "Company" in ed.layout_view.sidebar_html.value
    ed.layout_view.reset_button.click()
    assert _titles(ed) == [(p["type"], p["title"]) for p in GROUP_DEFAULTS]
    ed.save_button.click()
    await ed.wait()
    stored = _stored(sb, target["id"])
    assert stored["content"] == GROUP_DEFAULTS and stored["sidebar"] == GROUP_SIDEBAR
    assert ed.status == "Saved (content, sidebar)."


async def test_older_title_placement_is_shown_and_renamed_in_place(
    fresh_sandbox: Sandbox,
) -> None:
    sb = fresh_sandbox
    ed, target = await _open(sb, lambda c: c["scope"] == "person" and "attrs" in c["content"][0])
    assert _titles(ed)[:3] == [
        ("ph-usage-metrics", "Usage metrics"),
        ("ph-customer-journey", "Customer journey"),
        ("ph-person-feed", "Session feed"),
    ]
    journey = ed.layout_view.rows[1]
    assert "only when the customer-journeys feature flag is on" in journey.info.value
    assert "only when the project has a Zendesk data source" in ed.layout_view.rows[5].info.value
    assert "only when PostHog support conversations" in ed.layout_view.rows[4].info.value
    ed.layout_view.rows[0].title.value = "Usage"
    ed.save_button.click()
    await ed.wait()
    content = _stored(sb, target["id"])["content"]
    assert content[0] == {"type": "ph-usage-metrics", "attrs": {"title": "Usage"}, "index": 0}
    assert content[1] == {
        "type": "ph-customer-journey",
        "attrs": {"title": "Customer journey"},
        "index": 1,
    }


async def test_unknown_panel_type_is_shown_flagged_and_kept(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed, target = await _open(sb, lambda c: c["scope"] == "group_2")
    unknown = ed.layout_view.rows[1]
    assert unknown.type == "ph-revenue-forecast" and unknown.unknown
    assert "unknown type" in unknown.info.value
    assert "Unknown panel types (kept as they are): ph-revenue-forecast" in (
        ed.layout_view.warning_html.value
    )
    unknown.down_button.click()
    ed.save_button.click()
    await ed.wait()
    content = _stored(sb, target["id"])["content"]
    assert content[2] == {
        "type": "ph-revenue-forecast",
        "title": "Revenue forecast",
        "index": 2,
        "horizon_days": 90,
    }
    assert [p["type"] for p in content] == [
        "ph-usage-metrics",
        "ph-customer-journey",
        "ph-revenue-forecast",
        "ph-query",
        "ph-llm-trace",
        "ph-zendesk-tickets",
        "ph-issues",
    ]


async def test_several_configs_per_scope_warn_and_open_the_first(sandbox: Sandbox) -> None:
    person = [c for c in _configs(sandbox) if c["scope"] == "person"]
    first, second = person[0], person[1]
    ed, _ = await _open(sandbox, lambda c: c["id"] == second["id"])
    warning = ed.layout_view.warning_html.value
    assert f"only the first is shown in PostHog: {first['id']}" in warning
    assert ed.layout_view.open_first_button.layout.display == ""
    label = dict((v, k) for k, v in ed.list_select.options)
    assert label[second["id"]].endswith("· not shown") and "not shown" not in label[first["id"]]
    ed.layout_view.open_first_button.click()
    await ed.wait()
    assert ed.loaded is not None and ed.loaded["id"] == first["id"]
    assert "1 other person config(s) exist" in ed.layout_view.warning_html.value
    assert ed.layout_view.open_first_button.layout.display == "none"


async def test_render_time_fields_are_stripped_on_save(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    target = next(c for c in _configs(sb) if c["scope"] == "group_4")
    rendered = [
        {**GROUP_DEFAULTS[0], "nodeId": "n-1", "height": 320, "attrs": {"groupKey": "acme"}},
        {**GROUP_DEFAULTS[2], "query": {"kind": "DataTableNode"}, "__init": True},
    ]
    url = f"{sb.url}/api/projects/{sb.project_id}/customer_profile_configs/{target['id']}/"
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    httpx.patch(url, json={"content": rendered}, headers=headers, timeout=10).raise_for_status()
    ed, _ = await _open(sb, lambda c: c["id"] == target["id"])
    assert not ed.dirty  # nothing the user changed
    ed.layout_view.rows[1].title.value = "Recent events"
    ed.save_button.click()
    await ed.wait()
    assert _stored(sb, target["id"])["content"] == [
        {"type": "ph-usage-metrics", "title": "Usage metrics", "index": 0, "attrs": {}},
        {"type": "ph-query", "title": "Recent events", "index": 1},
    ]


async def test_json_edits_show_in_panels_and_invalid_json_disables_them(
    sandbox: Sandbox,
) -> None:
    ed, _ = await _open(sandbox, lambda c: c["scope"] == "group_3")
    ed.view.value = "JSON"
    assert ed.json_box.layout.display == "" and ed.layout_view.widget.layout.display == "none"
    ed.content.value = json.dumps([{"type": "ph-issues", "title": "Bugs", "index": 0}])
    ed.view.value = "Panels"
    assert _titles(ed) == [("ph-issues", "Bugs")]
    broken = '[{"type": "ph-issues",'
    ed.content.value = broken
    assert ed.layout_view.rows == [] and ed.layout_view.add_button.disabled
    assert "content: not valid JSON" in ed.layout_view.warning_html.value
    assert ed.content.value == broken and ed.dirty
    ed.content.value = '{"blocks": []}'
    assert "content is not a list of panels" in ed.layout_view.warning_html.value
    ed.layout_view.reset_button.click()
    assert json.loads(ed.content.value) == GROUP_DEFAULTS and not ed.dirty  # as stored
    ed.layout_view.rows[0].title.value = "Usage"
    # unsaved: switching to another config is refused, the edit stays
    other = next(r["id"] for r in ed.rows if r["scope"] == "group_1")
    ed.select(other)
    await ed.wait()
    assert "unsaved changes" in ed.status and ed.dirty
    assert json.loads(ed.content.value)[0]["title"] == "Usage"


async def test_new_config_from_defaults_warns_about_the_existing_one(
    fresh_sandbox: Sandbox,
) -> None:
    sb = fresh_sandbox
    ed = ProfileConfigEditor(client_for(sb))
    await ed.wait()
    ed.new_button.click()
    ed.scope.value = "group_4"
    ed.layout_view.reset_button.click()
    existing = ed.first_of_scope("group_4")
    assert f"only the first is shown in PostHog: {existing}" in ed.layout_view.warning_html.value
    ed.save_button.click()
    await ed.wait()
    assert ed.loaded is not None
    stored = _stored(sb, ed.loaded["id"])
    assert (stored["scope"], stored["content"], stored["sidebar"]) == (
        "group_4",
        GROUP_DEFAULTS,
        GROUP_SIDEBAR,
    )


async def test_large_config_is_checked_after_a_pause_and_the_conflict_view_is_capped(
    fresh_sandbox: Sandbox,
) -> None:
    sb = fresh_sandbox
    ed, target = await _open(sb, lambda c: c["scope"] == "group_3")
    ed.view.value = "JSON"
    big = [
        {"type": "ph-issues", "title": f"Panel {i}", "index": i, "pad": "x" * 100}
        for i in range(80_000)
    ]
    text = json.dumps(big)
    assert len(text) > 10_000_000
    ed.content.value = text
    assert "checking" in ed.content_feedback.value  # not parsed on this keystroke
    ed.content.value = text + " "
    assert "checking" in ed.content_feedback.value
    ed.check_now()
    assert "valid JSON" in ed.content_feedback.value and ed.dirty
    httpx.patch(
        f"{sb.url}/api/projects/{sb.project_id}/customer_profile_configs/{target['id']}/",
        json={"content": big[:3]},
        headers={"Authorization": f"Bearer {sb.api_key}"},
        timeout=10,
    ).raise_for_status()
    ed.save_button.click()
    await ed.wait()
    assert ed.conflict is not None
    assert len(ed.conflict_html.value) < 60_000
    assert "more characters not shown" in ed.conflict_html.value
    assert ed.content.value == text + " "


async def test_hostile_types_and_titles_are_text(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    hostile = "<img src=x onerror=alert(1)>"
    made = httpx.post(
        f"{sb.url}/api/projects/{sb.project_id}/customer_profile_configs/",
        json={"scope": "person", "content": [{"type": hostile, "title": hostile, "index": 0}]},
        headers={"Authorization": f"Bearer {sb.api_key}"},
        timeout=10,
    ).json()
    ed, _ = await _open(sb, lambda c: c["id"] == made["id"])
    assert ed.layout_view.rows[0].title.value == hostile  # a text box shows it as text
    assert hostile not in html_of(ed) and "&lt;img src=x" in html_of(ed)


async def test_delete_asks_twice_and_removes_the_config(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed, target = await _open(sb, lambda c: c["scope"] == "group_4")
    ed.delete_button.click()
    assert ed.delete_button.description == "Really delete?" and "Really delete" in ed.status
    assert writes(sb, "profile_config.delete") == 0
    ed.delete_button.click()
    await ed.wait()
    assert writes(sb, "profile_config.delete") == 1
    assert ed.status == f"Deleted {target['id']}." and ed.mode == "empty"
    assert target["id"] not in [r["id"] for r in ed.rows]
    assert target["id"] not in [c["id"] for c in _configs(sb)]
    assert ed.delete_button.description == "Delete"


async def test_open_the_shown_config_asks_the_server(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    second = [c for c in _configs(sb) if c["scope"] == "group_0"][1]
    ed, target = await _open(sb, lambda c: c["id"] == second["id"])
    assert ed.layout_view.open_first_button.layout.display == ""
    # another config of the scope is created elsewhere after the editor listed them
    newer = httpx.post(
        f"{sb.url}/api/projects/{sb.project_id}/customer_profile_configs/",
        json={"scope": "group_0", "content": [{"type": "ph-issues", "title": "Only issues"}]},
        headers={"Authorization": f"Bearer {sb.api_key}"},
        timeout=10,
    ).json()
    ed.layout_view.open_first_button.click()  # the editor's list still says the seeded one
    await ed.wait()
    assert ed.loaded is not None and ed.loaded["id"] == newer["id"]  # what PostHog shows now
    assert _titles(ed) == [("ph-issues", "Only issues")]
    assert newer["id"] in [r["id"] for r in ed.rows] and target["id"] in [r["id"] for r in ed.rows]


async def test_an_edit_fills_the_rows_in_place(fresh_sandbox: Sandbox) -> None:
    """Every edit (and every keystroke in the JSON view) shows the layout again; the rows are
    refilled, not rebuilt: rebuilding sent ~40 widget messages per row per edit, bursts past
    the IOPub high-water mark (dropped messages, widgets that never show)."""
    ed, _ = await _open(fresh_sandbox, lambda c: c["scope"] == "group_3")
    view = ed.layout_view
    before = [r.widget.model_id for r in view.rows]
    assert len(before) == 6
    view.rows[0].down_button.click()
    assert [r.widget.model_id for r in view.rows] == before
    assert _titles(ed)[:2] == [
        ("ph-customer-journey", "Customer journey"),
        ("ph-usage-metrics", "Usage metrics"),
    ]
    view.rows[5].remove_button.click()
    assert [r.widget.model_id for r in view.rows] == before[:5]
    view.add_picker.value = "ph-issues"
    view.add_button.click()
    assert [r.widget.model_id for r in view.rows][:5] == before[:5]
    assert _titles(ed)[5] == ("ph-issues", "Issues")
