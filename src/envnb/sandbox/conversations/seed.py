"""Seeded conversations: the owner's over the last 90 days, another user's, a hidden one."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from .._util import SecondsFormatter, dumps, iso, seeded_uuid
from ..store import CONVERSATIONS_INDEX
from . import runtime_log as wire
from .content import CANARY, CANARY_HISTORY, QUESTIONS
from .timeline import conversation_times


def seed_conversations(
    db: Any,
    rng: random.Random,
    anchor: datetime,
    n: int,
    canary: bool,
    *,
    team_id: int,
    owner: int,
    other_user: int,
) -> None:
    """Conversations over the last 90 days (weekly rhythm, growth); 100k take seconds."""
    fmt = SecondsFormatter()
    times = conversation_times(n, int(anchor.timestamp()) - 300, rng)
    count = len(QUESTIONS)
    rand = rng.random

    def rows() -> Any:
        for i, updated in enumerate(times):
            template = int(rand() * count)
            title = QUESTIONS[template][0]
            history = template
            if canary and i < 2:
                title = f"{title} {CANARY[i]}"
                history += CANARY_HISTORY
            created = updated - 180 - 60 * (i % 20)
            yield (
                seeded_uuid(rng),
                team_id,
                owner,
                title,
                "idle",
                "assistant",
                0,
                fmt(created),
                fmt(updated),
                history,
                1,
            )

    # Building the list index once after the bulk insert beats maintaining it row by row.
    db.execute("DROP INDEX IF EXISTS conversations_list")
    db.executemany("INSERT INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows())
    db.execute(CONVERSATIONS_INDEX)
    # Another user's conversations (for "Cannot access other users' conversations") and
    # an internal one of the main user that lists must hide.
    extra = []
    for j in range(3):
        updated = anchor - timedelta(hours=6 * j + 1)
        extra.append(
            (
                seeded_uuid(rng),
                team_id,
                other_user,
                QUESTIONS[j][0],
                "idle",
                "assistant",
                0,
                iso(updated - timedelta(minutes=2)),
                iso(updated),
                j,
                1,
            )
        )
    hidden = anchor - timedelta(hours=2)
    extra.append(
        (
            seeded_uuid(rng),
            team_id,
            owner,
            "Internal support session",
            "idle",
            "assistant",
            1,
            iso(hidden),
            iso(hidden),
            0,
            0,
        )
    )
    db.executemany("INSERT INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?,?)", extra)


# The one conversation of PostHog's second runtime (``agent_runtime: "sandbox"``), a
# teammate's: its id is fixed (no draw from the seed's generator, so every other row keeps
# its id) and sorts last, and the caller's list is unchanged; retrieve reads it by id.
SANDBOX_RUNTIME_CONVERSATION = "ffffffff-5a4d-4b0c-8e1f-000000000001"
SANDBOX_RUNTIME_TASK = "ffffffff-7a5c-4d2e-9f10-000000000002"
SANDBOX_RUNTIME_RUN = "ffffffff-8b6d-4e3f-a021-000000000003"


def seed_sandbox_runtime(db: Any, anchor: datetime, *, team_id: int, user: int) -> None:
    """The sandbox-runtime conversation: its history lives in its task run's session logs."""
    updated = anchor - timedelta(hours=3)
    db.execute(
        "INSERT INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            SANDBOX_RUNTIME_CONVERSATION,
            team_id,
            user,
            "Fix the flaky signup funnel test (sandbox agent)",
            "idle",
            "assistant",
            0,
            iso(updated - timedelta(minutes=12)),
            iso(updated),
            None,
            1,
        ),
    )
    db.execute(
        "INSERT INTO sandbox_runtime VALUES (?, ?, ?)",
        (SANDBOX_RUNTIME_CONVERSATION, SANDBOX_RUNTIME_TASK, SANDBOX_RUNTIME_RUN),
    )
    started, ended = updated - timedelta(minutes=12), updated - timedelta(minutes=9)
    # A finished run from before the sandbox: its sandbox and its stream are gone, its
    # session log remains.
    db.execute(
        "INSERT INTO task_runs VALUES (?, ?, ?, 'completed', ?, ?, ?, 0, 0)",
        (SANDBOX_RUNTIME_RUN, SANDBOX_RUNTIME_TASK, team_id, iso(started), iso(ended), iso(ended)),
    )
    db.executemany(
        "INSERT INTO run_log VALUES (?, ?, ?)",
        [
            (SANDBOX_RUNTIME_RUN, i, dumps(entry))
            for i, entry in enumerate(seeded_log(started, ended))
        ],
    )


SEEDED_QUESTION = "The signup funnel test fails about one run in ten. Can you find out why?"
SEEDED_ANSWER = (
    "The test compares today's funnel with a fixed date range that crosses midnight UTC, so "
    "a run that starts just before midnight reads one day less. Pinning `now` in the test's "
    "fixture fixes it."
)


def seeded_log(started: datetime, ended: datetime) -> list[dict[str, Any]]:
    """The seeded run's session log: a question, a tool call, the answer, the turn's end."""
    run, first, last = SANDBOX_RUNTIME_RUN, iso(started) or "", iso(ended) or ""
    middle = iso(started + timedelta(minutes=1)) or ""
    call = "toolu_seeded_01"
    return [
        wire.user_message(SEEDED_QUESTION, first),
        wire.tool_call(run, call, "Read tests/test_signup_funnel.py", "read", "pending", middle),
        wire.tool_call_update(run, call, "completed", middle),
        *wire.agent_chunks(run, "msg_seeded_01", SEEDED_ANSWER, 12, last),
        wire.turn_complete(run, "end_turn", last),
    ]
