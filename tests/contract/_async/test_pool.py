"""Streams left open cannot make a call wait and then claim it may have been applied.

The client's pool has 8 connections (``_core.wire.http_options``). Eight streams read to
their first event and kept open hold all of them; the next call waits for a free connection
a few seconds (``POOL_WAIT``, not the whole timeout) and fails saying nothing was sent and
what to do. Streams nobody references any more are closed when collected, which frees their
connections.
"""

from __future__ import annotations

import gc
import time

import pytest

from envnb import errors
from envnb.sandbox import Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

POOL = 8


async def test_streams_left_open_give_a_not_sent_error_and_collected_ones_free_the_pool(
    fresh_sandbox: Sandbox,
) -> None:
    sb = fresh_sandbox
    sb.set_stream(stream_delay=0.05)  # long replies still running while we look
    c = sb.async_client(timeout=1)
    try:
        export = (await anext(c.batch_exports.list(limit=1))).id
        streams = []
        for _ in range(POOL):
            stream = c.conversations.stream("lorem 3000")
            async for _event in stream:
                break  # stop reading, keep the stream in a variable: its connection stays busy
            streams.append(stream)
        sb.reset_stats()
        with pytest.raises(errors.APIConnectionError) as read:
            await c.batch_exports.get(export)
        with pytest.raises(errors.APIConnectionError) as write:
            await c.profile_configs.create("person", {"a": 1})
        for err in (read.value, write.value):
            text = str(err)
            assert text.startswith("no free connection: every connection of this client is held")
            assert "nothing was sent" in text and "stream.close()" in text
            assert "may have applied" not in text and "timed out" not in text
        assert sb.stats()["requests"] == 0  # waiting for a connection sent nothing
        assert sb.stats()["writes"].get("profile_config.create", 0) == 0

        del stream, streams
        gc.collect()  # the abandoned streams are closed, and their connections freed
        assert (await c.batch_exports.get(export)).id == export
        assert (await c.profile_configs.create("person", {"a": 2})).content == {"a": 2}
    finally:
        await c.aclose()


async def test_with_default_settings_a_full_pool_fails_in_seconds_not_the_timeout(
    fresh_sandbox: Sandbox,
) -> None:
    sb = fresh_sandbox
    sb.set_stream(stream_delay=0.05)
    c = sb.async_client()  # timeout 30 s
    try:
        streams = []
        for _ in range(POOL):
            stream = c.conversations.stream("lorem 3000")
            async for _event in stream:
                break
            streams.append(stream)
        started = time.monotonic()
        with pytest.raises(errors.APIConnectionError, match=r"^no free connection: every"):
            await c.batch_exports.list_df()
        waited = time.monotonic() - started
        assert waited < 15  # 5 s for a connection; the 30 s timeout would have been waited
        for stream in streams:
            await stream.aclose()
        assert len(await c.batch_exports.list_df()) == 12  # closed streams free the pool
    finally:
        await c.aclose()
