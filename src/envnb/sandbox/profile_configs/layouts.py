"""PostHog's default customer profile layouts, as its UI stores them (contract §9).

[src: PH:products/customer_analytics/frontend/customerProfileLogic.ts default content and
sidebar]. The sandbox states them itself, apart from the client's catalog, so the seed is an
independent check of the client's editor.
"""

from __future__ import annotations

from typing import Any

# scope kind -> (panel type, default title), in PostHog's default order
_PERSON_PANELS = (
    ("ph-usage-metrics", "Usage metrics"),
    ("ph-customer-journey", "Customer journey"),
    ("ph-person-feed", "Session feed"),
    ("ph-llm-trace", "LLM traces"),
    ("ph-support-tickets", "Support tickets"),
    ("ph-zendesk-tickets", "Zendesk tickets"),
    ("ph-issues", "Issues"),
)
_GROUP_PANELS = (
    ("ph-usage-metrics", "Usage metrics"),
    ("ph-customer-journey", "Customer journey"),
    ("ph-query", "Events"),
    ("ph-llm-trace", "LLM traces"),
    ("ph-zendesk-tickets", "Zendesk tickets"),
    ("ph-issues", "Issues"),
)
_PERSON_SIDEBAR: tuple[dict[str, Any], ...] = (
    {"type": "ph-person", "attrs": {"title": "Info"}},
    {"type": "ph-related-groups", "attrs": {"title": "Related groups"}},
    {"type": "ph-person-properties", "attrs": {"title": "Properties"}},
)
_GROUP_SIDEBAR: tuple[dict[str, Any], ...] = (
    {"type": "ph-group", "attrs": {"title": "Info"}},
    {"type": "ph-related-groups", "attrs": {"title": "Related people", "type": "person"}},
    {"type": "ph-group-properties", "attrs": {"title": "Properties"}},
)


def default_content(scope: str) -> list[dict[str, Any]]:
    """The panels PostHog shows for ``scope`` by default (``{type, title, index}``)."""
    panels = _PERSON_PANELS if scope == "person" else _GROUP_PANELS
    return [{"type": kind, "title": title, "index": i} for i, (kind, title) in enumerate(panels)]


def default_sidebar(scope: str) -> list[dict[str, Any]]:
    """The default sidebar of ``scope`` (``{type, attrs}``), a fresh copy."""
    items = _PERSON_SIDEBAR if scope == "person" else _GROUP_SIDEBAR
    return [{"type": item["type"], "attrs": dict(item["attrs"])} for item in items]
