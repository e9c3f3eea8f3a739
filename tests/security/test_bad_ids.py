"""Careless ids and flags fail with a RequestValidationError naming the argument, before
anything is sent: never a raw httpx error, never a request for ``.../None/``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import envnb
from envnb.errors import RequestValidationError
from envnb.sandbox import Sandbox

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A sandbox of its own (nothing here should reach it)."""
    with Sandbox(seed=4, stream_delay=0) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def client(sb: Sandbox) -> Iterator[envnb.Client]:
    """A plain client of that sandbox."""
    with sb.client(timeout=10) as c:
        yield c


def _calls(client: envnb.Client) -> dict[str, Callable[[Any], Any]]:
    be, cv, pc = client.batch_exports, client.conversations, client.profile_configs
    return {
        "batch_exports.get": be.get,
        "batch_exports.pause": be.pause,
        "batch_exports.unpause": be.unpause,
        "batch_exports.update": lambda v: be.update(v, name="x"),
        "conversations.get": cv.get,
        "conversations.cancel": cv.cancel,
        "conversations.append_message": lambda v: cv.append_message(v, "hi"),
        "profile_configs.get": pc.get,
        "profile_configs.delete": pc.delete,
        "profile_configs.update": lambda v: pc.update(v, content={}),
    }


BAD_IDS = [
    (None, "must be an id (a string, an int or the object itself), not NoneType"),
    (True, "must be an id (a string, an int or the object itself), not bool"),
    (1.5, "must be an id (a string, an int or the object itself), not float"),
    ([1], "must be an id (a string, an int or the object itself), not list"),
    (b"abc", "must be an id (a string, an int or the object itself), not bytes"),
    ("x" * 1_000_000, "1000000 characters is too long for an id; at most 200"),
    ("ab\x00c", "is not a valid id (it contains control characters)"),
    ("ab\x1b[31m", "is not a valid id (it contains control characters)"),
    ("  ", "must be a non-empty id, got ''"),
]


@pytest.mark.parametrize(("bad", "words"), BAD_IDS)
def test_bad_ids_fail_clearly_before_sending(
    sb: Sandbox, client: envnb.Client, bad: Any, words: str
) -> None:
    before = sb.stats()["requests"]
    for name, call in _calls(client).items():
        with pytest.raises(RequestValidationError) as info:
            call(bad)
        assert info.value.attr == "id", (name, info.value.attr)
        assert words in str(info.value), (name, str(info.value)[:200])
    conversation_calls = [lambda: list(client.conversations.resume(bad))]
    if bad is not None:  # ask(conversation=None) starts a new conversation
        conversation_calls.append(lambda: client.conversations.ask("hi", conversation=bad))
    for call in conversation_calls:
        with pytest.raises(RequestValidationError) as info:
            call()
        assert info.value.attr == "conversation"
        assert words in str(info.value)
    assert sb.stats()["requests"] == before  # nothing was sent


def test_ids_that_are_fine_still_work(client: envnb.Client) -> None:
    export = next(iter(client.batch_exports.list(limit=1)))
    assert client.batch_exports.get(export).id == export.id  # the object itself
    assert client.batch_exports.get(f"  {export.id} ").id == export.id  # stray spaces


@pytest.mark.parametrize("flag", [b"yes", float("nan"), 1, "true", None])
def test_unpause_backfill_must_be_a_bool(sb: Sandbox, client: envnb.Client, flag: Any) -> None:
    export = next(iter(client.batch_exports.list(limit=1)))
    before = sb.stats()["requests"]
    with pytest.raises(RequestValidationError) as info:
        client.batch_exports.unpause(export.id, backfill=flag)
    assert info.value.attr == "backfill"
    assert f"backfill: must be True or False, got {flag!r}" == str(info.value)
    assert sb.stats()["requests"] == before
