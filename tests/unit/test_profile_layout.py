"""Profile layouts as PostHog's UI writes and renders them (contract §9)."""

from __future__ import annotations

import pytest

from envnb.profile_configs.layout import (
    ProfileLayout,
    ProfilePanel,
    SidebarItem,
    catalog,
    default_content,
    strip_render_fields,
)


def test_catalog_titles_and_default_order_per_scope() -> None:
    assert [(s.type, s.title) for s in catalog("person")] == [
        ("ph-usage-metrics", "Usage metrics"),
        ("ph-customer-journey", "Customer journey"),
        ("ph-person-feed", "Session feed"),
        ("ph-llm-trace", "LLM traces"),
        ("ph-support-tickets", "Support tickets"),
        ("ph-zendesk-tickets", "Zendesk tickets"),
        ("ph-issues", "Issues"),
    ]
    assert [s.type for s in catalog("group_4")] == [
        "ph-usage-metrics",
        "ph-customer-journey",
        "ph-query",
        "ph-llm-trace",
        "ph-zendesk-tickets",
        "ph-issues",
    ]
    assert catalog("group_9") == ()
    shown_when = {s.type for s in catalog("person") if s.only_when}
    assert shown_when == {"ph-customer-journey", "ph-support-tickets", "ph-zendesk-tickets"}


def test_both_title_placements_are_read() -> None:
    layout = ProfileLayout.from_config(
        "person",
        [
            {"type": "ph-issues", "attrs": {"title": "Old style"}},
            {"type": "ph-usage-metrics", "title": "New style", "index": 0},
        ],
        [{"type": "ph-person", "attrs": {"title": "Info"}}],
    )
    # sorted by index, a missing index sorts as 999
    assert [(p.type, p.title) for p in layout.panels] == [
        ("ph-usage-metrics", "New style"),
        ("ph-issues", "Old style"),
    ]
    assert layout.sidebar[0].title == "Info"


def test_rename_writes_every_place_a_title_is_stored() -> None:
    old = ProfilePanel({"type": "ph-issues", "attrs": {"title": "Old", "x": 1}})
    assert old.renamed("Bugs").raw == {"type": "ph-issues", "attrs": {"title": "Bugs", "x": 1}}
    both = ProfilePanel({"type": "ph-issues", "title": "A", "attrs": {"title": "A"}})
    assert both.renamed("B").raw == {"type": "ph-issues", "title": "B", "attrs": {"title": "B"}}
    plain = ProfilePanel({"type": "ph-issues"})
    assert plain.renamed("C").raw == {"type": "ph-issues", "title": "C"}


def test_unknown_types_and_fields_are_kept_and_flagged() -> None:
    content = [
        {"type": "ph-usage-metrics", "title": "Usage", "index": 0, "future_flag": True},
        {"type": "ph-revenue-forecast", "title": "Revenue", "index": 1, "horizon_days": 90},
        "not a panel",
    ]
    layout = ProfileLayout.from_config("group_0", content, [])
    assert [p.type for p in layout.unknown()] == ["ph-revenue-forecast"]
    layout.move(1, -1)
    assert layout.to_content() == [
        {"type": "ph-revenue-forecast", "title": "Revenue", "index": 0, "horizon_days": 90},
        {"type": "ph-usage-metrics", "title": "Usage", "index": 1, "future_flag": True},
        "not a panel",
    ]


def test_render_time_fields_are_stripped_before_saving() -> None:
    content = [
        {
            "type": "ph-query",
            "title": "Events",
            "index": 0,
            "query": {"kind": "DataTableNode"},
            "nodeId": "n1",
            "height": 300,
            "attrs": {"personId": "p", "groupKey": "g", "keep": 1, "query": {"kind": "x"}},
        },
        {
            "type": "ph-usage-metrics",
            "title": "Usage",
            "index": 1,
            "query": {"kept": "not a ph-query panel"},
            "id": "x",
            "__init": True,
            "children": [],
            "distinctIds": ["a"],
            "groupTypeIndex": 0,
        },
    ]
    sidebar = [{"type": "ph-person", "attrs": {"title": "Info", "nodeId": "n2", "personId": "p"}}]
    layout = ProfileLayout.from_config("group_0", content, sidebar)
    assert layout.to_content() == [
        {"type": "ph-query", "title": "Events", "index": 0, "attrs": {"keep": 1}},
        {
            "type": "ph-usage-metrics",
            "title": "Usage",
            "index": 1,
            "query": {"kept": "not a ph-query panel"},
        },
    ]
    assert layout.to_sidebar() == [{"type": "ph-person", "attrs": {"title": "Info"}}]
    # the same rule without renumbering, for raw-JSON saves
    assert strip_render_fields([{"type": "ph-issues", "index": 7, "height": 2}]) == [
        {"type": "ph-issues", "index": 7}
    ]
    assert strip_render_fields({"blocks": []}) == {"blocks": []}


def test_add_remove_move_reset() -> None:
    layout = ProfileLayout.from_config("person", [], [])
    layout.add("ph-issues")
    layout.add("ph-person-feed", "Sessions")
    assert [s.type for s in layout.addable()][:2] == ["ph-usage-metrics", "ph-customer-journey"]
    assert layout.move(0, +1) == 1 and layout.move(1, +5) == 1
    layout.rename(0, "Replays")
    assert layout.to_content() == [
        {"type": "ph-person-feed", "title": "Replays", "index": 0},
        {"type": "ph-issues", "title": "Issues", "index": 1},
    ]
    layout.remove(0)
    assert layout.to_content() == [{"type": "ph-issues", "title": "Issues", "index": 0}]
    with pytest.raises(ValueError, match="ph-query"):
        layout.add("ph-query")  # a group panel, not a person one
    layout.reset()
    assert layout.to_content() == default_content("person")
    assert [s.title for s in (SidebarItem(s) for s in layout.to_sidebar())] == [
        "Info",
        "Related groups",
        "Properties",
    ]


def test_content_in_another_shape_is_kept_untouched() -> None:
    legacy = {"blocks": [{"type": "notes"}]}
    layout = ProfileLayout.from_config("person", legacy, {"sections": []})
    assert not layout.content_shape_ok and layout.panels == []
    assert layout.to_content() == legacy and layout.to_sidebar() == {"sections": []}
    empty = ProfileLayout.from_config("person", {}, None)
    assert empty.content_shape_ok and empty.to_content() == []
