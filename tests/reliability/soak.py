"""The soak's workers and tallies: mixed calls under rate-based faults, counted client-side.

Each worker owns its batch exports and conversations, so it knows exactly which side effects
it caused; the soak test compares those counts with the sandbox's own counters.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import envnb
from envnb._core.retry import RetryPolicy
from envnb.errors import (
    APIConnectionError,
    APIError,
    EnvnbError,
    RateLimitError,
    ServerError,
    StreamError,
)

# ~20% of requests hit a transient fault. Faults that strike after the server acted (a
# dropped or truncated body) only go to requests that are safe to repeat, or to the chat
# stream, which resumes; non-idempotent writes get faults that strike before the server acts,
# which is what lets the client-side count of writes be exact.
FAULTS = ";".join(
    [
        "cut_after=4,route=conversations,method=POST,rate=0.1",
        "drop=body,method=GET,rate=0.05",
        "malformed=json,method=GET,rate=0.03",
        "drop=body,route=pause,rate=0.08",
        "status=503,rate=0.05",
        "status=502,rate=0.03",
        "html=502,rate=0.02",
        "status=429,retry_after=0,rate=0.04",
        "latency=0.05,rate=0.02",
    ]
)
LOREM_SIZES = (6, 17, 40)
NOT_APPLIED = (ServerError, RateLimitError)  # the soak's write faults all strike first
# After the client's own retries ran out (9 faults in a row: rare, but thousands of calls
# make it happen), a safe call is made again, up to this many times in all.
APP_ATTEMPTS = 3
TRANSIENT = (ServerError, RateLimitError, APIConnectionError)


def soak_seconds() -> float:
    """ENVNB_SOAK_SECONDS (default 30: the short form in ``make test``)."""
    return float(os.environ.get("ENVNB_SOAK_SECONDS", "30"))


def rss_bytes() -> int:
    """Resident set size of this process now (Linux /proc)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# The two client set-ups the soak runs with (the figures in docs/reliability.md name them).
SETTINGS = {
    "tuned": "max_retries=8, backoff 5-50 ms, timeout 5 s; the worker makes a failed safe "
    "call again, up to 3 times in all",
    "default": "envnb's defaults: max_retries=3, backoff 0.5-8 s, timeout 30 s; nothing is "
    "made again",
}


def tune(client: Any) -> Any:
    """Fast backoff (the retry policy is the transport's seam) so the soak makes many calls."""
    client._transport.wire.policy = RetryPolicy(max_retries=8, base=0.005, cap=0.05)
    return client


@dataclass
class Tally:
    """What one worker did and saw."""

    calls: int = 0  # logical calls, each one HTTP request when no fault strikes
    reads_ok: int = 0
    read_failures: list[str] = field(default_factory=list)
    writes: Counter[str] = field(default_factory=Counter)  # side effects the client caused
    unapplied: Counter[str] = field(default_factory=Counter)  # writes refused before acting
    write_failures: list[str] = field(default_factory=list)  # anything else: a test failure
    streams_ok: int = 0
    streams_resumed_later: int = 0  # StreamError; reply checked from the stored conversation
    text_mismatches: list[str] = field(default_factory=list)
    broken_conversations: list[str] = field(default_factory=list)
    giveups: int = 0  # safe calls whose retries ran out and that were made again
    # Pause/unpause calls that failed once the client's retries ran out; the worker reads the
    # export back to learn whether the server acted, so the exactly-once count stays exact.
    toggle_failures: list[str] = field(default_factory=list)
    attempts: int = APP_ATTEMPTS  # 1: a failed safe call is not made again

    def again(self, fn: Any) -> Any:
        """Call a safe (idempotent) ``fn``; on a transient failure call it again."""
        for attempt in range(self.attempts):
            try:
                return fn()
            except TRANSIENT:
                if attempt == self.attempts - 1:
                    raise
                self.giveups += 1

    async def again_async(self, fn: Any) -> Any:
        """:meth:`again` for coroutine functions."""
        for attempt in range(self.attempts):
            try:
                return await fn()
            except TRANSIENT:
                if attempt == self.attempts - 1:
                    raise
                self.giveups += 1

    def merge(self, other: Tally) -> None:
        """Add another worker's tally to this one."""
        self.calls += other.calls
        self.reads_ok += other.reads_ok
        self.read_failures += other.read_failures
        self.writes.update(other.writes)
        self.unapplied.update(other.unapplied)
        self.write_failures += other.write_failures
        self.streams_ok += other.streams_ok
        self.streams_resumed_later += other.streams_resumed_later
        self.text_mismatches += other.text_mismatches
        self.broken_conversations += other.broken_conversations
        self.giveups += other.giveups
        self.toggle_failures += other.toggle_failures


@dataclass
class Plan:
    """A worker's objects and the expected replies."""

    exports: dict[str, bool]  # export id -> paused, as this worker left it
    conversation: str  # where this worker appends messages
    replies: dict[int, str]  # lorem N -> the deterministic reply
    deadline: float
    max_calls: int
    seed: int
    attempts: int = APP_ATTEMPTS


OPS = ("read", "read", "read", "read", "toggle", "create", "append", "ask", "ask")


class SyncWorker:
    """Mixed calls from one thread with the sync client."""

    def __init__(self, client: envnb.Client, plan: Plan) -> None:
        self.c, self.plan, self.t = client, plan, Tally(attempts=plan.attempts)
        self.rng = random.Random(plan.seed)
        self.pending: list[tuple[str, str]] = []  # (conversation, expected) after StreamError

    def run(self) -> Tally:
        """Work until the deadline (or the call budget), then check deferred replies."""
        while time.monotonic() < self.plan.deadline and self.t.calls < self.plan.max_calls:
            getattr(self, "_" + self.rng.choice(OPS))()
        for conv, expected in self.pending:
            self._check_stored(conv, expected)
        return self.t

    def _read(self) -> None:
        c, rng = self.c, self.rng
        choices = [
            lambda: list(c.batch_exports.list(limit=5)),
            lambda: c.batch_exports.get(rng.choice(list(self.plan.exports))),
            lambda: list(c.conversations.list(limit=5)),
            lambda: c.profile_configs.list_df(),
            lambda: c.conversations.get(self.plan.conversation),
        ]
        self.t.calls += 1
        try:
            self.t.again(rng.choice(choices))
            self.t.reads_ok += 1
        except EnvnbError as exc:
            self.t.read_failures.append(f"{type(exc).__name__}: {exc}")

    def _toggle(self) -> None:
        export = self.rng.choice(list(self.plan.exports))
        paused = self.plan.exports[export]
        self.t.calls += 1
        be = self.c.batch_exports
        try:
            self.t.again(lambda: be.unpause(export) if paused else be.pause(export))
        except EnvnbError as exc:
            self.t.toggle_failures.append(f"toggle {type(exc).__name__}: {exc}")
            if settled(lambda: be.get(export)).paused == paused:
                return  # the server did not act
        # Each toggle changed the state, so the server performed the action exactly once.
        self.t.writes["batch_export.unpause" if paused else "batch_export.pause"] += 1
        self.plan.exports[export] = not paused

    def _write(self, op: str, fn: Any) -> None:
        self.t.calls += 1
        try:
            fn()
        except NOT_APPLIED:
            self.t.unapplied[op] += 1
        except EnvnbError as exc:
            self.t.write_failures.append(f"{op} {type(exc).__name__}: {exc}")
        else:
            self.t.writes[op] += 1

    def _create(self) -> None:
        content = {"sections": [{"n": self.rng.randrange(10**6)}]}
        self._write(
            "profile_config.create", lambda: self.c.profile_configs.create("person", content)
        )

    def _append(self) -> None:
        note = f"soak note {self.rng.randrange(10**6)}"
        self._write(
            "conversation.append",
            lambda: self.c.conversations.append_message(self.plan.conversation, note),
        )

    def _ask(self) -> None:
        n = self.rng.choice(LOREM_SIZES)
        expected = self.plan.replies[n]
        conv = str(uuid.uuid4())
        self.t.calls += 1
        try:
            result = self.c.conversations.ask(f"lorem {n}", conversation=conv)
        except NOT_APPLIED:
            self.t.unapplied["conversation.message"] += 1
            return
        except StreamError:
            # The message was stored but the stream and its one resume broke: the reply must
            # still be complete on the server (checked at the end, once it has finished).
            self.t.writes["conversation.message"] += 1
            self.t.streams_resumed_later += 1
            self.pending.append((conv, expected))
            return
        except EnvnbError as exc:
            self.t.write_failures.append(f"ask {type(exc).__name__}: {exc}")
            return
        self.t.writes["conversation.message"] += 1
        self.t.streams_ok += 1
        if result.text != expected:
            self.t.text_mismatches.append(f"lorem {n}: {result.text[:80]!r}")

    def _check_stored(self, conv: str, expected: str) -> None:
        for _ in range(100):
            self.t.calls += 1
            try:
                stored = self.c.conversations.get(conv)
            except (APIError, APIConnectionError) as exc:  # 404 until the title is set
                if not isinstance(exc, TRANSIENT) and getattr(exc, "status", 0) != 404:
                    self.t.read_failures.append(f"get {conv}: {exc}")
                    return
                time.sleep(0.05)
                continue
            if stored_reply_ok(self.t, conv, stored, expected):
                return
            time.sleep(0.05)
        self.t.broken_conversations.append(conv)


def settled(read: Any) -> Any:
    """What the server holds now: ``read()`` repeated through transient faults (the harness
    learning the truth after a failed call; not one of the calls it measures)."""
    for _ in range(50):
        try:
            return read()
        except TRANSIENT:
            time.sleep(0.02)
    return read()


async def settled_async(read: Any) -> Any:
    """:func:`settled` for coroutine functions."""
    for _ in range(50):
        try:
            return await read()
        except TRANSIENT:
            await asyncio.sleep(0.02)
    return await read()


def stored_reply_ok(t: Tally, conv: str, stored: Any, expected: str) -> bool:
    """True once the conversation is idle (recording a mismatch if its reply is wrong)."""
    if stored.status != "idle":
        return False
    ai = [m for m in stored.messages if m.type == "ai"]
    if not ai or ai[-1].content != expected:
        t.text_mismatches.append(f"stored reply of {conv}")
    return True


class AsyncWorker:
    """The same mix from one asyncio client, several calls in flight at once."""

    def __init__(self, client: envnb.AsyncClient, plans: list[Plan]) -> None:
        self.c, self.plans = client, plans

    def run(self) -> Tally:
        """Drive one asyncio loop in this thread until the deadline."""
        return asyncio.run(self._main())

    async def _main(self) -> Tally:
        tallies = await asyncio.gather(*(self._task(plan) for plan in self.plans))
        await self.c.aclose()
        total = Tally()
        for t in tallies:
            total.merge(t)
        return total

    async def _task(self, plan: Plan) -> Tally:
        t, rng, c = Tally(attempts=plan.attempts), random.Random(plan.seed), self.c
        pending: list[tuple[str, str]] = []
        while time.monotonic() < plan.deadline and t.calls < plan.max_calls:
            op = rng.choice(("read", "read", "toggle", "ask", "append"))
            t.calls += 1
            try:
                if op == "read":
                    export_id = rng.choice(list(plan.exports))
                    await t.again_async(lambda: c.batch_exports.get(export_id))  # noqa: B023
                    t.reads_ok += 1
                elif op == "toggle":
                    export = rng.choice(list(plan.exports))
                    paused = plan.exports[export]
                    be = c.batch_exports
                    try:
                        await t.again_async(
                            lambda: be.unpause(export) if paused else be.pause(export)  # noqa: B023
                        )
                    except EnvnbError as exc:
                        t.toggle_failures.append(f"async toggle {type(exc).__name__}: {exc}")
                        now = await settled_async(lambda: be.get(export))  # noqa: B023
                        if now.paused == paused:
                            continue  # the server did not act
                    t.writes["batch_export.unpause" if paused else "batch_export.pause"] += 1
                    plan.exports[export] = not paused
                elif op == "append":
                    try:
                        await c.conversations.append_message(plan.conversation, "async note")
                        t.writes["conversation.append"] += 1
                    except NOT_APPLIED:
                        t.unapplied["conversation.append"] += 1
                else:
                    await self._ask(t, rng, plan, pending)
            except EnvnbError as exc:
                bucket = t.read_failures if op == "read" else t.write_failures
                bucket.append(f"async {op} {type(exc).__name__}: {exc}")
        for conv, expected in pending:
            await self._check_stored(t, conv, expected)
        return t

    async def _check_stored(self, t: Tally, conv: str, expected: str) -> None:
        for _ in range(100):
            t.calls += 1
            try:
                stored = await self.c.conversations.get(conv)
            except (APIError, APIConnectionError) as exc:
                if not isinstance(exc, TRANSIENT) and getattr(exc, "status", 0) != 404:
                    t.read_failures.append(f"async get {conv}: {exc}")
                    return
                await asyncio.sleep(0.05)
                continue
            if stored_reply_ok(t, conv, stored, expected):
                return
            await asyncio.sleep(0.05)
        t.broken_conversations.append(conv)

    async def _ask(
        self, t: Tally, rng: random.Random, plan: Plan, pending: list[tuple[str, str]]
    ) -> None:
        n = rng.choice(LOREM_SIZES)
        conv = str(uuid.uuid4())
        try:
            result = await self.c.conversations.ask(f"lorem {n}", conversation=conv)
        except NOT_APPLIED:
            t.unapplied["conversation.message"] += 1
            return
        except StreamError:
            t.writes["conversation.message"] += 1
            t.streams_resumed_later += 1
            pending.append((conv, plan.replies[n]))
            return
        t.writes["conversation.message"] += 1
        t.streams_ok += 1
        if result.text != plan.replies[n]:
            t.text_mismatches.append(f"async lorem {n}: {result.text[:80]!r}")


def run_threads(workers: list[Any]) -> list[Tally]:
    """Run each worker's ``run()`` in its own thread; return their tallies in order."""
    out: list[Tally | None] = [None] * len(workers)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            out[i] = workers[i].run()
        except BaseException as exc:  # surfaced in the test, not lost in a thread
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(len(workers))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    return [t for t in out if t is not None]
