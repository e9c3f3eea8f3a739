"""``GET ai_usage/``: PostHog AI credits of a conversation, of a product and of the project.
No HTTP.

The shape and the wording [src: PH:products/posthog_ai/backend/api/usage.py
``AIUsageResponseSerializer``, ``AIUsageQuerySerializer``;
PH:products/posthog_ai/backend/services/usage/report.py; .../usage/credits.py
``format_usage_message``, ``get_ai_usage_period``; PH:.../api/test_usage.py]:

1. ``{conversation_credits (null without conversation_id), period_credits, free_tier_credits
   (2000 by default), remaining_credits (free tier − period, negative over the limit),
   period_label, period_start, period_end, conversation_start, product, message}``;
   ``message`` is the whole report as Markdown, one wording for every surface.
2. Without a billing period the period is "Past 30 days": from 30 days ago (not before
   PostHog AI's general availability, 2025-11-17) to now. The sandbox knows no billing period.
3. ``product`` adds ``{name, credits, separate_bucket}`` for a product billed in PostHog AI
   credits; PostHog Desktop (``posthog_code``) bills its own bucket, which billing has never
   synced here: null, as for a product PostHog does not know.
4. Credits (the sandbox's own model: PostHog sums the cost of ``$ai_generation`` events, which
   the sandbox does not have): each assistant reply costs :data:`CREDITS_PER_REPLY`; the
   project starts with :data:`SEEDED_CREDITS` spent. A conversation counts its replies
   (LangGraph messages, or the runs' completed turns); an unknown id spent 0.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from .. import errors
from .. import validate as v
from .._util import is_uuid, iso, now
from ..store import Store
from .backend import messages
from .runtime_log import TURN_COMPLETE

FREE_TIER_CREDITS = 2000
GA_LAUNCH = datetime(2025, 11, 17, tzinfo=UTC)
CREDITS_PER_REPLY = 3
SEEDED_CREDITS = 760
PERIOD_LABEL = "Past 30 days"
PRODUCT_LABELS = {
    "alert_investigation_agent": "Alert investigation",
    "posthog_ai": "PostHog AI",
    "posthog_code": "PostHog Desktop",
    "product_analytics": "Product analytics",
    "replay_vision": "Replay vision",
    "slack_app": "Slack app",
    "subscriptions": "Subscriptions",
    "surveys": "Surveys",
}
SEPARATE_BUCKETS = ("posthog_code",)


def _sandbox_replies(store: Store, project_id: int) -> int:
    """Replies produced since the sandbox started: stored ai messages and completed turns."""
    stored = store.one(
        "SELECT COUNT(*) AS n FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        "WHERE c.team_id = ? AND json_extract(m.body, '$.type') = 'ai'",
        (project_id,),
    )
    turns = store.one(
        "SELECT COUNT(*) AS n FROM run_log l JOIN task_runs r ON r.id = l.run_id "
        "WHERE r.team_id = ? AND r.streamed = 1 "
        "AND json_extract(l.body, '$.notification.method') = ?",
        (project_id, TURN_COMPLETE),
    )
    return int(stored["n"] if stored else 0) + int(turns["n"] if turns else 0)


def _conversation_replies(store: Store, project_id: int, cid: str) -> tuple[int, str | None]:
    """Rule 4: the replies of one conversation, and when it started (None if unknown)."""
    row = store.one("SELECT * FROM conversations WHERE id = ? AND team_id = ?", (cid, project_id))
    if row is None:
        return 0, None
    link = store.one("SELECT task_id FROM sandbox_runtime WHERE id = ?", (cid,))
    if link is None:
        return sum(1 for m in messages(store, row) if m.get("type") == "ai"), row["created_at"]
    turns = store.one(
        "SELECT COUNT(*) AS n FROM run_log l JOIN task_runs r ON r.id = l.run_id "
        "WHERE r.task_id = ? AND json_extract(l.body, '$.notification.method') = ?",
        (link["task_id"], TURN_COMPLETE),
    )
    return int(turns["n"] if turns else 0), row["created_at"]


def report(store: Store, project_id: int, query: dict[str, Any]) -> dict[str, Any]:
    """Rules 1–4: the answer to ``GET ai_usage/`` with these query parameters."""
    cid = query.get("conversation_id")
    if cid is not None and not is_uuid(cid):
        raise errors.validation("Must be a valid UUID.", "conversation_id")
    started = v.moment(query, "conversation_started_at")
    product = query.get("product")
    end = now()
    start = max(end - timedelta(days=30), GA_LAUNCH)
    sandbox_credits = CREDITS_PER_REPLY * _sandbox_replies(store, project_id)
    period = SEEDED_CREDITS + sandbox_credits
    conversation: int | None = None
    if cid is not None:
        replies, created = _conversation_replies(store, project_id, str(uuid.UUID(cid)))
        conversation, started = CREDITS_PER_REPLY * replies, started or created
    used = None
    if product and product not in SEPARATE_BUCKETS and product in PRODUCT_LABELS:
        credits = sandbox_credits if product == "posthog_ai" else 0
        used = {"name": PRODUCT_LABELS[product], "credits": credits, "separate_bucket": False}
    return {
        "conversation_credits": conversation,
        "period_credits": period,
        "free_tier_credits": FREE_TIER_CREDITS,
        "remaining_credits": FREE_TIER_CREDITS - period,
        "period_label": PERIOD_LABEL,
        "period_start": iso(start),
        "period_end": iso(end),
        "conversation_start": started,
        "product": used,
        "message": message(conversation, period, started, used),
    }


def message(
    conversation: int | None, period: int, started: str | None, product: dict[str, Any] | None
) -> str:
    """Rule 1's Markdown, worded as PostHog words it for a rolling 30-day period."""
    lines = ["## PostHog AI usage", ""]
    if conversation is not None:
        lines.append(f"**Current conversation**: {conversation:,} credits\n")
    if product:
        lines.append(f"**{product['name']} in the past 30 days**: {product['credits']:,} credits\n")
    lines.append(f"**{PERIOD_LABEL}**: {period:,} credits\n")
    lines.append(f"**Free tier limit**: {FREE_TIER_CREDITS:,} credits\n")
    share = period / FREE_TIER_CREDITS
    filled = round(20 * max(0.0, min(share, 1.0)))
    percent = f"{share * 100:.0f}% of free tier" if share * 100 <= 999 else "999%+ of free tier"
    lines.append(f"**{PERIOD_LABEL} usage**: [{'█' * filled}{'░' * (20 - filled)}] {percent}\n")
    left = FREE_TIER_CREDITS - period
    if left >= 0:
        lines.append(f"**Remaining**: {left:,} credits\n")
    else:
        lines.append(f"**Overage**: {-left:,} credits over limit\n")
    if started:
        moment = datetime.fromisoformat(started.replace("Z", "+00:00")).astimezone(UTC)
        lines.append(f"_Conversation since_: {moment.strftime('%Y-%m-%d %H:%M UTC')}\n")
    lines.append("")
    note = (
        "past 30 days is rolling usage for this project because billing period information "
        "is unavailable."
    )
    if conversation is not None:
        lines.append(f"_Current conversation resets when you start a new chat; {note}_")
    else:
        lines.append(f"_{note[0].upper()}{note[1:]}_")
    lines.append(
        "_Note: Usage data depends on AI trace ingestion and may lag slightly behind "
        "real-time activity._"
    )
    return "\n".join(lines)
