"""The deterministic chat responder: answers from the sandbox's own data, in Markdown."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .._util import iso, now
from ..store import Store
from .approvals import TRIGGER, Proposal, propose
from .charts import Chart, charts_for, describe
from .content import LOREM


@dataclass(frozen=True)
class Reply:
    """What the assistant does for one human message."""

    reasoning: str
    tool: str
    args: dict[str, Any]
    update: str
    tool_result: str
    text: str
    extra: dict[str, Any] = field(default_factory=dict)
    charts: tuple[Chart, ...] = ()  # sent as ai/viz (one) or ai/multi_viz (several)
    proposal: Proposal | None = None  # a dangerous call: the turn ends awaiting approval


MAX_LOREM = 5000

HELP = (
    "I'm the envnb sandbox's assistant. I can answer:\n\n"
    "- **which batch exports are paused?**\n"
    "- **how many conversations this week?**\n"
    "- **list exports by destination**\n"
    "- charts: **show daily pageviews for the last 14 days**, **signups by browser this "
    "month**, **how many purchases per week**, **top pages**, **product overview**\n"
    "- insights: **where do users drop off between sign-up and purchase?**, **do visitors "
    "come back?** (retention), **visitor lifecycle**, **how sticky are pageviews?**, "
    "**top page paths**\n"
    "- `lorem N` — a reply of exactly N words\n"
    "- **pause all exports** — a dangerous operation: it waits for your approval\n"
)


def _lorem(n: int) -> str:
    words = [LOREM[i % len(LOREM)] for i in range(n)]
    return " ".join(words)


def _paused(store: Store, team: int) -> str:
    rows = store.read(
        "SELECT name, dest_type, last_paused_at FROM batch_exports WHERE "
        "team_id = ? AND deleted = 0 AND paused = 1 ORDER BY name",
        (team,),
    )
    if not rows:
        return "No batch exports are paused right now."
    lines = [
        f"{len(rows)} batch export{'s are' if len(rows) != 1 else ' is'} paused:",
        "",
        "| name | destination | paused since |",
        "|---|---|---|",
    ]
    lines += [f"| {r['name']} | {r['dest_type']} | {_seconds(r['last_paused_at'])} |" for r in rows]
    return "\n".join(lines)


def _seconds(stamp: str | None) -> str:
    """A stored ISO timestamp as a person reads it: "2026-11-30 03:58:51 UTC" (or "—")."""
    if not stamp:
        return "—"
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _by_destination(store: Store, team: int) -> str:
    rows = store.read(
        "SELECT dest_type, COUNT(*) AS n, SUM(paused) AS p FROM batch_exports "
        "WHERE team_id = ? AND deleted = 0 GROUP BY dest_type ORDER BY dest_type",
        (team,),
    )
    if not rows:
        return "There are no batch exports yet."
    lines = ["| destination | exports | paused |", "|---|---|---|"]
    lines += [f"| {r['dest_type']} | {r['n']} | {r['p']} |" for r in rows]
    return "Batch exports by destination:\n\n" + "\n".join(lines)


def _count_conversations(store: Store, team: int, user: int, week: bool) -> str:
    if week:
        since = iso(now() - timedelta(days=7))
        row = store.one(
            "SELECT COUNT(*) AS n FROM conversations WHERE team_id = ? AND "
            "user_id = ? AND listed = 1 AND created_at >= ?",
            (team, user, since),
        )
        n = int(row["n"]) if row else 0
        return f"You started **{n}** conversation{'s' if n != 1 else ''} in the last 7 days."
    row = store.one(
        "SELECT COUNT(*) AS n FROM conversations WHERE team_id = ? AND user_id = ? AND listed = 1",
        (team, user),
    )
    n = int(row["n"]) if row else 0
    return f"You have **{n}** conversation{'s' if n != 1 else ''} in total."


def answer(store: Store, team: int, user: int, content: str) -> Reply:
    """Pick an intent by keywords and build the reply."""
    low = content.lower()
    lorem = re.search(r"\blorem\s+([0-9]+)\b", low)
    if lorem:
        # Capped: every frame carries the whole text so far, so frames grow quadratically.
        # (More digits than int() accepts would raise: anything that long is over the cap.)
        digits = lorem.group(1)
        n = MAX_LOREM if len(digits) > 6 else min(int(digits), MAX_LOREM)
        return Reply(
            "Generating placeholder text",
            "lorem",
            {"words": n},
            "Generating words",
            json.dumps({"words": n}),
            _lorem(n),
        )
    if TRIGGER.search(content):
        proposal = propose(store, team)
        return Reply(
            "Planning a change to your batch exports",
            "pause_batch_exports",
            dict(proposal.payload) if proposal else {},
            "Preparing the change",
            "No batch export is running",
            "This pauses data exports, so it needs your approval first."
            if proposal
            else "Every batch export is already paused.",
            proposal=proposal,
        )
    if "paused" in low:
        return Reply(
            "Looking up paused batch exports",
            "list_batch_exports",
            {"paused": True},
            "Reading batch exports",
            "Fetched paused batch exports",
            _paused(store, team),
        )
    if "how many conversations" in low:
        week = "this week" in low or "last 7 days" in low
        return Reply(
            "Counting your conversations",
            "count_conversations",
            {"this_week": week},
            "Counting conversations",
            "Counted conversations",
            _count_conversations(store, team, user, week),
        )
    charts = charts_for(content)
    if charts:
        return Reply(
            "Planning the insight",
            "create_insight",
            {"query_description": content[:200]},
            "Creating the insight",
            "Created " + ", ".join(chart.title for chart in charts),
            describe(charts),
            charts=tuple(charts),
        )
    if "export" in low or "destination" in low:
        return Reply(
            "Summarising batch exports by destination",
            "list_batch_exports",
            {"group_by": "destination"},
            "Reading batch exports",
            "Fetched batch exports",
            _by_destination(store, team),
        )
    return Reply(
        "Working out what you asked",
        "search_docs",
        {"query": content[:200]},
        "Searching what I can answer",
        "Found the sandbox help",
        HELP,
    )


def chunks(text: str, words_per_frame: int) -> Iterator[str]:
    """Growing prefixes of ``text``, ``words_per_frame`` words more each time; the last is
    ``text`` itself."""
    step = max(1, words_per_frame)
    ends = [m.end() for m in re.finditer(r"\S+", text)]
    for i in range(step - 1, len(ends) - 1, step):
        yield text[: ends[i]]
    yield text
