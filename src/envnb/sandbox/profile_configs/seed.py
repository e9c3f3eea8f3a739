"""Seeded customer profile configs, in the shapes PostHog's UI writes (contract §9).

The plan, in creation order (the list answers newest first):
0. person — PostHog's defaults in the older shape (titles under ``attrs.title``)
1. group_0 — defaults (``{type, title, index}``)
2. group_1 — customised: reordered, renamed, two panels removed, a custom sidebar title
3. person — a second config for ``person``: PostHog's UI shows only the first of a scope
4. group_2 — defaults plus a panel type newer than this envnb (``ph-revenue-forecast``)
5. group_3, 6. group_4, 7. group_0 again (a duplicate) — defaults
Sizes above the plan repeat it.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from .._util import dumps, iso, seeded_uuid
from .layouts import default_content, default_sidebar

UNKNOWN_PANEL = "ph-revenue-forecast"


def _older_shape(scope: str) -> list[dict[str, Any]]:
    return [{"type": p["type"], "attrs": {"title": p["title"]}} for p in default_content(scope)]


def _customised() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    content = [
        {"type": "ph-query", "title": "Recent events", "index": 0},
        {"type": "ph-usage-metrics", "title": "Product usage", "index": 1},
        {"type": "ph-issues", "title": "Issues", "index": 2},
        {"type": "ph-llm-trace", "title": "LLM traces", "index": 3},
    ]
    sidebar = default_sidebar("group_1")
    sidebar[0]["attrs"]["title"] = "Company"
    return content, sidebar


def _second_person() -> list[dict[str, Any]]:
    return [
        {"type": "ph-person-feed", "title": "Sessions", "index": 0},
        {"type": "ph-usage-metrics", "title": "Usage metrics", "index": 1},
    ]


def _with_unknown(scope: str) -> list[dict[str, Any]]:
    content = default_content(scope)
    content.insert(
        1,
        {
            "type": UNKNOWN_PANEL,
            "title": "Revenue forecast",
            "index": 1,
            "horizon_days": 90,
        },
    )
    for i, panel in enumerate(content):
        panel["index"] = i
    return content


def _plan(i: int) -> tuple[str, Any, Any]:
    """(scope, content, sidebar) of the i-th seeded config."""
    step = i % 8
    if step == 0:
        return "person", _older_shape("person"), default_sidebar("person")
    if step == 2:
        content, sidebar = _customised()
        return "group_1", content, sidebar
    if step == 3:
        return "person", _second_person(), default_sidebar("person")
    if step == 4:
        return "group_2", _with_unknown("group_2"), default_sidebar("group_2")
    scope = {1: "group_0", 5: "group_3", 6: "group_4", 7: "group_0"}[step]
    return scope, default_content(scope), default_sidebar(scope)


def seed_profile_configs(
    db: Any, rng: random.Random, anchor: datetime, n: int, team_id: int, user_id: int
) -> None:
    """Insert ``n`` configs following the plan above."""
    rows = []
    for i in range(n):
        scope, content, sidebar = _plan(i)
        created = anchor - timedelta(days=30 - i)
        rows.append(
            (
                seeded_uuid(rng),
                team_id,
                scope,
                dumps(content),
                dumps(sidebar),
                iso(created),
                iso(created + timedelta(hours=i)),
                user_id,
                0,
            )
        )
    db.executemany("INSERT INTO profile_configs VALUES (?,?,?,?,?,?,?,?,?)", rows)
