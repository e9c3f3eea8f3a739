"""Both clients follow PostHog's published schema where users would notice (contract §3, §9).

The sandbox's side is in ``../test_posthog_fidelity.py``.
"""

from __future__ import annotations

import pytest

from envnb.conversations.models import Conversation
from envnb.errors import RequestValidationError
from envnb.sandbox import Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

# The legacy S3 type can no longer be created (PostHog #64350): AwsS3 on the seeded
# aws-s3 integration (id 1).
S3 = {
    "type": "AwsS3",
    "integration_id": 1,
    "config": {"bucket_name": "b", "region": "us-east-1", "prefix": "p/"},
}


async def test_client_sends_every_agent_mode_and_refuses_others(fresh_sandbox: Sandbox) -> None:
    c = fresh_sandbox.async_client()
    try:
        answer = await c.conversations.ask("lorem 2", agent_mode="llm_analytics")
        assert answer.text == "lorem ipsum"
        with pytest.raises(RequestValidationError) as info:
            await c.conversations.ask("hi", agent_mode="sandbox")
        assert info.value.attr == "agent_mode" and "llm_analytics" in str(info.value)
    finally:
        await c.aclose()


async def test_ask_none_is_refused_before_sending(fresh_sandbox: Sandbox) -> None:
    # None used to go out as a resume of a new conversation and come back as PostHog's
    # "Cannot stream from non-existent conversation".
    c = fresh_sandbox.async_client()
    try:
        with pytest.raises(RequestValidationError) as info:
            await c.conversations.ask(None)  # type: ignore[arg-type]
        assert str(info.value) == (
            "content: must be the message text (a str), not NoneType; "
            "resume() re-attaches to a reply still running"
        )
        assert info.value.attr == "content"
        assert "conversation.message" not in fresh_sandbox.stats()["writes"]
    finally:
        await c.aclose()


async def test_client_reads_pending_approvals(sandbox: Sandbox) -> None:
    c = sandbox.async_client()
    try:
        first = (await c.conversations.list_df(limit=1))["id"].iloc[0]
        conv = await c.conversations.get(first)
        assert isinstance(conv, Conversation)
        assert conv.pending_approvals == [] and conv.has_unsupported_content is False
    finally:
        await c.aclose()


async def test_client_export_fields(fresh_sandbox: Sandbox) -> None:
    c = fresh_sandbox.async_client()
    try:
        made = await c.batch_exports.create(
            "From the client",
            S3,
            "day",
            hogql_query=None,
            last_paused_at="2026-03-01T10:00:00Z",
            paused=True,
            timezone="Europe/Kyiv",
        )
        assert made.hogql_query is None and made.timezone == "Europe/Kyiv"
        assert made.last_paused_at is not None and made.last_paused_at.isoformat() == (
            "2026-03-01T10:00:00+00:00"
        )
        with pytest.raises(RequestValidationError) as info:
            await c.batch_exports.update(made.id, timezone="America/Coyhaique")
        assert info.value.attr == "timezone"
        assert "batch_export.update" not in fresh_sandbox.stats()["writes"]
    finally:
        await c.aclose()
