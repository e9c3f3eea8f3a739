"""XSS corpus through every server-supplied string the panels show, checked at widget level.

Hostile export names, conversation titles and messages (human echo, appended ai messages,
streamed replies), and profile config contents come back from the sandbox; every HTML widget
value the panels then hold must be inert: no script-ish tags, no ``on*=`` handlers, no
``javascript:`` URLs. (The real-browser canary is tests/browser/test_xss.py.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import envnb
from envnb.render import escape, render_markdown
from envnb.sandbox import Sandbox
from envnb.widgets import ChatCell, ExportPanel, ProfileConfigEditor

from .hostile import XSS_CORPUS, audit_html, html_values

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

INERT_AS_RAW_HTML = {  # corpus entries that are not HTML attacks until rendered as Markdown
    "[markdown link](javascript:alert(6))",
    "![markdown image](javascript:alert(7))",
    "<b>unclosed <i>broken <table><tr><td>markup",
}


@pytest.fixture(scope="module")
def hostile() -> Iterator[tuple[Sandbox, dict[str, Any]]]:
    """A canary sandbox plus the corpus stored as export names, chats and configs."""
    with Sandbox(seed=0, canary=True, stream_delay=0.001) as sb, sb.client() as c:
        exports = [
            c.batch_exports.create(
                name=f"x{i} {s}", destination={"type": "NoOp", "config": {}}, interval="hour"
            ).id
            for i, s in enumerate(XSS_CORPUS)
        ]
        convs = []
        for s in XSS_CORPUS:
            result = c.conversations.ask(s)  # the title is made from the human message
            c.conversations.append_message(result.conversation_id, s)
            convs.append(result.conversation_id)
        configs = [
            c.profile_configs.create("person", {"title": s, "items": [s]}, [{"label": s}]).id
            for s in XSS_CORPUS
        ]
        yield sb, {"exports": exports, "conversations": convs, "configs": configs}


def _assert_inert(root: Any) -> int:
    values = html_values(root)
    problems = [(p, v[:200]) for v in values for p in audit_html(v)]
    assert not problems, problems[:5]
    return len(values)


def _client(sb: Sandbox) -> envnb.Client:
    return sb.client()


def test_the_auditor_catches_every_raw_attack() -> None:
    for s in XSS_CORPUS:
        if s not in INERT_AS_RAW_HTML:
            assert audit_html(s), s
        assert not audit_html(escape(s)), s
        assert not audit_html(render_markdown(s)), s


async def test_export_panel_names_and_steps(hostile: tuple[Sandbox, dict[str, Any]]) -> None:
    sb, made = hostile
    panel = ExportPanel(_client(sb))
    await panel.wait()
    names = " ".join(r.name for r in panel.rows)
    assert all(s in names for s in XSS_CORPUS)  # the hostile data really is on screen
    for export_id in made["exports"][:3]:
        panel.row(export_id).test()
    await panel.wait()
    assert _assert_inert(panel.widget) > len(XSS_CORPUS)


async def test_chat_cell_titles_history_and_live_reply(
    hostile: tuple[Sandbox, dict[str, Any]],
) -> None:
    sb, made = hostile
    chat = ChatCell(_client(sb))
    await chat.wait()
    labels = " ".join(str(label) for label, _ in chat.picker.options)
    assert any(s[:10] in labels for s in XSS_CORPUS)
    for conv_id, text in zip(made["conversations"], XSS_CORPUS, strict=True):
        chat.load(conv_id)
        await chat.wait()
        assert chat.title is not None
        assert [c for _, c in chat.transcript].count(text) == 2  # human echo + appended
        _assert_inert(chat.widget)
    chat.input.value = XSS_CORPUS[1] + " " + XSS_CORPUS[3]  # a live turn echoing hostile input
    chat.send()
    await chat.wait()
    assert not chat.error
    _assert_inert(chat.widget)


async def test_profile_editor_contents(hostile: tuple[Sandbox, dict[str, Any]]) -> None:
    sb, made = hostile
    editor = ProfileConfigEditor(_client(sb))
    await editor.wait()
    for config_id, text in zip(made["configs"], XSS_CORPUS, strict=True):
        editor.select(config_id)
        await editor.wait()
        assert json.loads(editor.content.value)["title"] == text
        _assert_inert(editor.widget)
    # An edit that is not valid JSON, containing markup: the feedback must escape it.
    editor.content.value = '{"a": "<img src=x onerror=alert(1)>" oops'
    _assert_inert(editor.widget)


class HostileErrors(httpx.AsyncBaseTransport):
    """A server (or proxy) whose every answer is a 400 with markup in ``detail`` and ``attr``."""

    def __init__(self, payload: str) -> None:
        self.payload = payload

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = {"type": "validation_error", "code": "invalid", "detail": self.payload}
        body["attr"] = self.payload
        return httpx.Response(400, json=body, request=request)


@pytest.mark.parametrize("payload", XSS_CORPUS[:6] + XSS_CORPUS[-3:])
async def test_server_error_messages_are_inert(payload: str) -> None:
    aclient = envnb.AsyncClient(
        "http://127.0.0.1:9", "phx_fake", 1, transport=HostileErrors(payload)
    )
    export = ExportPanel(aclient)
    chat = ChatCell(aclient)
    editor = ProfileConfigEditor(aclient)
    for panel in (export, chat, editor):
        await panel.wait()
    chat.input.value = "hello"
    chat.send()
    editor.new()
    editor.content.value = '{"a": 1}'
    editor.save()
    for panel in (export, chat, editor):
        await panel.wait()
    assert payload in export.error and payload in chat.error  # the message really is shown
    for panel in (export, chat, editor):
        _assert_inert(panel.widget)
