"""The API key and secret destination fields never reach a repr, a log line at DEBUG, an
exception, a DataFrame or a widget's synced state — with a sandbox-issued key we can grep for.
"""

from __future__ import annotations

import json
import logging
import pickle
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

import envnb
from envnb._core.retry import RetryPolicy
from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell, ExportPanel, ProfileConfigEditor
from envnb.widgets._base import iter_widgets

from .secrets_helpers import S3_WITH_SECRETS, leaks

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A sandbox of our own (we create exports with secret configs in it)."""
    with Sandbox(seed=3, stream_delay=0.001) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def key(sb: Sandbox) -> str:
    """A sandbox-issued legacy key (all scopes), distinct from ``sb.api_key``."""
    return sb.create_key(None)


def _client(sb: Sandbox, key: str, **kw: Any) -> envnb.Client:
    c = envnb.Client(host=sb.url, api_key=key, project_id=sb.project_id, **kw)
    c._transport.wire.policy = RetryPolicy(max_retries=1, base=0.01, cap=0.02)
    return c


def _exc_text(exc: BaseException) -> str:
    """Everything an exception shows: str, repr, args, attributes and the chained traceback."""
    parts = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))]
    for attr in ("request", "body", "detail", "attr"):
        parts.append(repr(getattr(exc, attr, None)))
    return "\n".join(parts)


def _errors(sb: Sandbox, key: str) -> list[BaseException]:
    """Every kind of failure a user can meet, raised with the leak-test key in use."""
    out: list[BaseException] = []
    c = _client(sb, key, timeout=0.3)
    wrong = envnb.Client(host=sb.url, api_key=key[:-4] + "0000", project_id=sb.project_id)
    closed = envnb.Client(host="http://127.0.0.1:9", api_key=key, project_id=1, max_retries=0)
    attempts: list[Any] = [
        lambda: c.batch_exports.get("no-such-export"),  # 404
        lambda: wrong.batch_exports.get("x"),  # 401
        lambda: closed.batch_exports.get("x"),  # connection refused
        lambda: c.batch_exports.create(  # 400 with the secret-bearing body sent
            name="bad",
            destination={
                **S3_WITH_SECRETS,
                "config": {**S3_WITH_SECRETS["config"], "file_format": "nope"},
            },
            interval="hour",
        ),
        lambda: c.batch_exports.create(  # local validation with secrets in the input
            name="bad", destination=S3_WITH_SECRETS, interval="fortnightly"
        ),
        lambda: c.conversations.ask("x" * 40_001),
    ]
    for attempt in attempts:
        try:
            attempt()
        except envnb.errors.EnvnbError as exc:
            out.append(exc)
    for fault in ("latency=1", "html=502", "malformed=json", "drop=body", "status=429"):
        sb.set_faults(f"{fault},route=batch_exports,times=5")
        try:
            c.batch_exports.create(name="f", destination=S3_WITH_SECRETS, interval="hour")
        except envnb.errors.EnvnbError as exc:
            out.append(exc)
        finally:
            sb.set_faults(None)
    for client in (c, wrong, closed):
        client.close()
    return out


def test_key_and_secrets_never_leak(
    sb: Sandbox, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # root: envnb, httpx, httpcore, uvicorn, everything
    for name in ("httpx", "httpcore", "envnb", "uvicorn", "hpack"):
        caplog.set_level(logging.DEBUG, logger=name)
    c = _client(sb, key)
    aclient = c.to_async()
    created = c.batch_exports.create(name="leak test", destination=S3_WITH_SECRETS, interval="hour")
    shown: list[str] = [repr(c), str(c), repr(aclient), repr(c.batch_exports), repr(c._settings)]
    shown += [repr(created), created.model_dump_json(), str(created.destination)]
    shown.append(repr(c.batch_exports.pause(created.id)))
    shown.append(repr(c.batch_exports.unpause(created.id, backfill=True)))
    shown.append(repr(c.batch_exports.get(created.id)))
    shown.append(repr(c.batch_exports.run_test_step(created.id, 0)))
    shown.append(repr(list(c.batch_exports.list())))
    for frame in (
        c.batch_exports.list_df(),
        c.conversations.list_df(),
        c.profile_configs.list_df(),
    ):
        shown.append(frame.to_csv())
        shown.append(repr(frame.dtypes))
    reply = c.conversations.ask("which exports are paused?")
    shown += [repr(reply), str(reply), c.conversations.to_markdown(reply.conversation_id)]
    shown.append(c.conversations.messages_df(reply.conversation_id).to_csv())
    shown += [_exc_text(e) for e in _errors(sb, key)]
    with pytest.raises(TypeError) as pickled:
        pickle.dumps(c)
    shown.append(_exc_text(pickled.value))
    c.close()

    logs = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )
    assert "HTTP Request" in logs  # the DEBUG capture did see httpx's request lines
    everything = "\n".join([*shown, logs])
    assert leaks(everything, key) == [], leaks(everything, key)


def test_the_leak_check_finds_planted_secrets(key: str) -> None:
    assert leaks(f"Authorization: Bearer {key}", key)
    assert leaks(f"token …{key[-16:]}", key)
    assert leaks(f"value='{key[13:25]}'", key)  # a 12-character piece from the middle
    assert leaks(f"…{key[20:28]}…", key)  # any 8 characters of it
    assert leaks(json.dumps(S3_WITH_SECRETS), key)
    assert leaks("password=sandbox-secret-3", key)
    assert not leaks(f"ApiKey('[secure]') …{key[-4:]}", key)  # the last-4 hint is allowed


@pytest.mark.anyio
async def test_widget_state_never_holds_the_key(sb: Sandbox, key: str) -> None:
    c = _client(sb, key)
    c.batch_exports.create(name="widget leak", destination=S3_WITH_SECRETS, interval="hour")
    export = ExportPanel(c)
    chat = ChatCell(c)
    editor = ProfileConfigEditor(c)
    for panel in (export, chat, editor):
        await panel.wait()
    export.rows[0].test()
    chat.input.value = "which exports are paused?"
    chat.send()
    editor.select(editor.rows[0]["id"])
    for panel in (export, chat, editor):
        await panel.wait()
    assert chat.reply
    states = [w.get_state() for p in (export, chat, editor) for w in iter_widgets(p.widget)]
    dump = json.dumps(states, default=str)
    assert "widget leak" in dump  # the state really holds server data
    assert leaks(dump, key) == []
    assert leaks(repr(vars(export)) + repr(vars(chat)) + repr(vars(editor)), key) == []
