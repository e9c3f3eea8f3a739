"""Seeding at size: 100k conversations seed correctly and page correctly."""

from __future__ import annotations

import httpx

from conftest import Api
from envnb.sandbox import Sandbox


def test_hundred_thousand_conversations_seed_and_page() -> None:
    with Sandbox(conversations=100_000, batch_exports=2, profile_configs=1) as sb:
        api = Api(sb)
        first = api.get("conversations/", params={"limit": 1000}).json()
        assert first["count"] == 100_000
        stamps = [row["updated_at"] for row in first["results"]]
        assert stamps == sorted(stamps, reverse=True)
        # sequential pages (next links) and a jump to the end agree on what is there
        second = httpx.get(first["next"], headers=api.http.headers).json()
        assert second["results"][0]["updated_at"] <= stamps[-1]
        assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])
        tail = api.get("conversations/", params={"limit": 1000, "offset": 99_500}).json()
        assert len(tail["results"]) == 500 and tail["next"] is None
        jump = api.get("conversations/", params={"limit": 1000, "offset": 1000}).json()
        assert jump["results"] == second["results"]
        one = tail["results"][-1]
        full = api.get(f"conversations/{one['id']}/").json()
        assert full["title"] == one["title"] and len(full["messages"]) == 5


def test_paging_stays_consistent_after_a_write(fresh_sandbox: Sandbox) -> None:
    api = Api(fresh_sandbox)
    page1 = api.get("conversations/", params={"limit": 10}).json()
    api.chat("lorem 3")  # a new conversation moves to the top
    page2 = httpx.get(page1["next"], headers=api.http.headers).json()
    fresh = api.get("conversations/", params={"limit": 10, "offset": 10}).json()
    assert page2["results"] == fresh["results"]
    assert page2["count"] == 41
