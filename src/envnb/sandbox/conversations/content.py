"""Deterministic text the seed draws from: titles, message histories, canary payloads."""

from __future__ import annotations

import uuid
from typing import Any

CANARY = (
    "<img src=x onerror=\"alert('envnb-xss')\">",
    "<script>alert('envnb-xss')</script>",
    '"><svg onload=alert(1)>',
)

QUESTIONS = (
    (
        "Weekly active users trend",
        "How did weekly active users change over the last month?",
        "trends",
        "Weekly active users grew **12%** over the last four weeks, "
        "from 4,210 to 4,716. The biggest jump was in the week of the product launch.",
    ),
    (
        "Signup funnel drop-off",
        "Where do people drop off in the signup funnel?",
        "funnel",
        "Most users drop off between **email verification** (71% conversion) and "
        "**first project created** (43%). Consider a reminder email after 24 hours.",
    ),
    (
        "Retention by plan",
        "Compare 30-day retention for free and paid plans",
        "retention",
        "| plan | day 30 retention |\n|---|---|\n| free | 18% |\n| paid | 61% |\n\n"
        "Paid users retain more than three times as well.",
    ),
    (
        "Top pages last week",
        "Which pages were viewed most last week?",
        "trends",
        "1. `/pricing` — 9,812 views\n2. `/docs/getting-started` — 7,455 views\n"
        "3. `/blog/launch` — 5,120 views",
    ),
    (
        "Churned customers",
        "Which customers churned this quarter?",
        "sql",
        "Seven accounts churned this quarter; four of them had no activity for 30 days "
        "before cancelling.",
    ),
    (
        "Feature flag rollout",
        "How is the new-onboarding flag performing?",
        "experiment",
        "The `new-onboarding` variant converts at **34.1%** versus 30.2% for control (p = 0.03).",
    ),
    (
        "Session length by country",
        "What is the median session length by country?",
        "sql",
        "| country | median session |\n|---|---|\n| US | 6m 12s |\n| DE | 5m 40s |\n"
        "| BR | 4m 55s |",
    ),
    (
        "Mobile vs desktop conversion",
        "Do mobile users convert worse than desktop users?",
        "funnel",
        "Yes: mobile converts at 2.1% and desktop at 3.8%. The checkout step loses "
        "most mobile users.",
    ),
    (
        "Error spikes",
        "Were there any spikes in $exception events yesterday?",
        "trends",
        "One spike at **14:05 UTC** (1,204 exceptions in ten minutes), all from "
        "`TypeError: cannot read properties of undefined`.",
    ),
    (
        "Power users",
        "Who are our power users?",
        "sql",
        "The top 1% of users (212 people) account for 38% of all events. Most are on "
        "the Teams plan.",
    ),
)

LOREM = [
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
    "incididunt",
    "ut",
    "labore",
    "et",
    "dolore",
    "magna",
    "aliqua",
    "ut",
    "enim",
    "ad",
    "minim",
    "veniam",
    "quis",
    "nostrud",
    "exercitation",
    "ullamco",
    "laboris",
    "nisi",
    "ut",
    "aliquip",
    "ex",
    "ea",
    "commodo",
    "consequat",
]


def message_id(conversation_id: str, seq: int) -> str:
    """A stable message id for a generated history."""
    return str(uuid.uuid5(uuid.UUID(conversation_id), f"message-{seq}"))


# Added to a seeded conversation's template number when its history carries canaries.
CANARY_HISTORY = 1000


def history(conversation_id: str, template: int) -> list[dict[str, Any]]:
    """The seeded message history of a conversation, generated on read (not stored)."""
    canary = template >= CANARY_HISTORY
    title, question, tool, answer = QUESTIONS[template % len(QUESTIONS)]
    if canary:
        question = f"{question} {CANARY[template % len(CANARY)]}"
        answer = f"{answer}\n\n{CANARY[(template + 1) % len(CANARY)]}"
    call_id = str(uuid.uuid5(uuid.UUID(conversation_id), "tool-call"))
    tool_name = "create_insight" if tool != "sql" else "execute_sql"
    return [
        {"type": "human", "content": question, "id": message_id(conversation_id, 0)},
        {
            "type": "ai/reasoning",
            "content": f"Planning a {tool} query",
            "id": message_id(conversation_id, 1),
        },
        {
            "type": "ai",
            "content": "",
            "id": message_id(conversation_id, 2),
            "tool_calls": [
                {
                    "id": call_id,
                    "name": tool_name,
                    "args": {"query_description": title},
                    "type": "tool_call",
                }
            ],
        },
        {
            "type": "tool",
            "content": f"The {tool} query for “{title}” returned results.",
            "tool_call_id": call_id,
            "id": message_id(conversation_id, 3),
        },
        {"type": "ai", "content": answer, "id": message_id(conversation_id, 4)},
    ]
