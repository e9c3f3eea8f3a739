"""Fault matrix: every sandbox fault × every kind of call, over real loopback HTTP.

Each row of ``fault_cases.CASES`` states the outcome (retried and succeeded, resumed, or
failed with an exception class and words a person needs) and how often the sandbox saw the
request and performed the side effect — never twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import envnb
from envnb._core.retry import RetryPolicy
from envnb.sandbox import Sandbox

from .fault_cases import CASES, CLIENT_TIMEOUT, LATENCY, Case

pytestmark = pytest.mark.timeout(60)

# An HTTP export (a secret token): the legacy S3 type can no longer be created, and the
# newer ones keep their credentials in an integration.
S3 = {
    "type": "HTTP",
    "config": {"url": "https://us.i.posthog.com/batch/", "token": "matrix-secret"},
}


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """One sandbox for the matrix; each case resets its counters and faults."""
    # Slow enough that a reply is still running when the cancel case cancels it.
    with Sandbox(seed=0, stream_delay=0.02) as sandbox:
        yield sandbox


def _client(sb: Sandbox) -> envnb.Client:
    """A client with a short timeout and fast backoff (the policy is the retry seam)."""
    c = sb.client(timeout=CLIENT_TIMEOUT, max_retries=2)
    # Backoff waits are not under test here (tests/unit covers the policy): keep them short.
    c._transport.wire.policy = RetryPolicy(max_retries=2, base=0.01, cap=0.05)
    return c


@pytest.fixture(scope="module")
def helper(sb: Sandbox) -> Iterator[envnb.Client]:
    """Prepares each case's objects, before any fault is switched on."""
    c = sb.client(timeout=10)
    yield c
    c.close()


@pytest.fixture
def client(sb: Sandbox) -> Iterator[envnb.Client]:
    """A fresh client per case: a connection a fault closed cannot leak into the next case."""
    c = _client(sb)
    yield c
    c.close()


@pytest.fixture(scope="module")
def expected_reply(helper: envnb.Client) -> str:
    """The deterministic 30-word reply, read once without faults."""
    text = str(helper.conversations.ask("lorem 30").text)
    assert len(text.split()) == 30
    return text


def _export(client: envnb.Client, *, paused: bool) -> str:
    """An export in the wanted state (toggled first, without faults, when needed)."""
    export = next(iter(client.batch_exports.list(limit=1)))
    if export.paused != paused:
        (client.batch_exports.pause if paused else client.batch_exports.unpause)(export.id)
    return str(export.id)


def _running_conversation(client: envnb.Client) -> str:
    """A conversation whose reply is still being generated (the stream is left early)."""
    with client.conversations.stream("lorem 3000") as events:
        for event in events:
            if getattr(getattr(event, "message", None), "type", None) == "ai":
                break
        return str(events.conversation_id)


def _idle_conversation(client: envnb.Client) -> str:
    return str(next(iter(client.conversations.list(limit=1))).id)


Act = Callable[[], Any]


def prepare(case: Case, client: envnb.Client, helper: envnb.Client) -> Act:
    """Set up the objects a call needs (no faults yet) and return the call itself."""
    be, cv = client.batch_exports, client.conversations
    name = case.call.name
    if name == "list page":
        return lambda: list(be.list(limit=3))
    if name == "get":
        export_id = _export(helper, paused=False)
        return lambda: be.get(export_id)
    if name == "pause":
        export_id = _export(helper, paused=False)
        return lambda: be.pause(export_id)
    if name == "unpause":
        export_id = _export(helper, paused=True)
        return lambda: be.unpause(export_id)
    if name == "cancel":
        conv_id = _running_conversation(helper)
        return lambda: cv.cancel(conv_id)
    if name == "create":
        return lambda: be.create(name=f"matrix {case.id}", destination=S3, interval="hour")
    if name == "append":
        conv_id = _idle_conversation(helper)
        return lambda: cv.append_message(conv_id, f"note for {case.id}")
    assert name == "stream"
    return lambda: cv.ask("lorem 30")


def _writes(sb: Sandbox, op: str | None) -> int:
    return int(sb.stats()["writes"].get(op, 0)) if op else 0


def _settle(sb: Sandbox, case: Case) -> None:
    """Let a request the client gave up on (latency fault) land before the next case: wait
    for the sandbox to finish handling it, not for a guess at how long that takes."""
    if "latency" in case.fault:
        assert sb.wait_idle(10 * LATENCY), "a request the client gave up on never finished"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fault(
    case: Case, sb: Sandbox, client: envnb.Client, helper: envnb.Client, expected_reply: str
) -> None:
    act = prepare(case, client, helper)
    sb.reset_stats()
    sb.set_faults(case.rule())
    try:
        try:
            result: Any = act()
            error: Exception | None = None
        except Exception as exc:
            result, error = None, exc
        stats = sb.stats()
        _settle(sb, case)
    finally:
        sb.set_faults(None)
    expect = case.expect

    assert stats["faults"], f"the fault never fired: {stats}"
    if expect.error is None:
        assert error is None, f"expected success, got {type(error).__name__}: {error}"
        if case.call.name == "stream":
            assert result.text == expected_reply  # nothing lost, nothing duplicated
        if case.call.name == "pause":
            assert result.paused is True
        if case.call.name == "unpause":
            assert result.paused is False
    else:
        assert type(error) is expect.error, f"got {type(error).__name__}: {error}"
        text = str(error)
        for word in expect.message:
            assert word.lower() in text.lower(), f"{word!r} missing from {text!r}"
        assert "Traceback" not in text and sb.api_key not in text
    assert stats["requests"] in case.request_counts(), stats
    assert _writes(sb, case.call.write) == case.writes(), sb.stats()


def test_lost_write_error_says_it_may_have_been_applied(sb: Sandbox, client: envnb.Client) -> None:
    # The sandbox is the module's: count this test's writes only, whatever ran before it.
    sb.reset_stats()
    sb.set_faults("drop=body,route=batch_exports,method=POST,times=1")
    try:
        with pytest.raises(envnb.errors.APIConnectionError) as info:
            client.batch_exports.create(name="matrix lost write", destination=S3, interval="hour")
    finally:
        sb.set_faults(None)
    assert "the server may have applied it" in str(info.value)
    assert sb.stats()["writes"].get("batch_export.create") == 1
