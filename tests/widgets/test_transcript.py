"""How each message kind renders (pure: real message models, no server)."""

from __future__ import annotations

from envnb.conversations.models import (
    Conversation,
    ConversationEvent,
    MessageEvent,
    UpdateEvent,
    parse_message,
)
from envnb.widgets._livechat import LiveTurn
from envnb.widgets._transcript import message_html, title_html


def _msg(**data: object) -> object:
    return parse_message(dict(data))


def test_kinds_render_compact_and_escaped() -> None:
    human = message_html(_msg(type="human", content="<b>hi</b>", id="1"))
    assert "&lt;b&gt;hi&lt;/b&gt;" in human and "<b>hi" not in human
    ai = message_html(_msg(type="ai", content="**yes** <img src=x onerror=alert(1)>", id="2"))
    assert "<strong>yes</strong>" in ai and "<img" not in ai
    reasoning = message_html(_msg(type="ai/reasoning", content="<i>thinking</i>", id="3"))
    assert "💭" in reasoning and "color:#777" in reasoning and "&lt;i&gt;" in reasoning
    call = message_html(
        _msg(
            type="ai",
            content="",
            id="4",
            tool_calls=[{"id": "t", "name": "<svg onload=x>", "args": {"q": "<x>"}}],
        )
    )
    assert "⚙" in call and "&lt;svg onload=x&gt;" in call and "<svg" not in call
    tool = message_html(_msg(type="tool", content="r" * 1000, tool_call_id="t", id="5"))
    assert "↳" in tool and len(tool) < 600
    failure = message_html(_msg(type="ai/failure", content="Oops! <b>x</b>", id="6"))
    assert "⚠" in failure and "#b00020" in failure and "&lt;b&gt;" in failure
    other = message_html(_msg(type="ai/somethingnew", content="<script>z</script>", id="7"))
    assert "[ai/somethingnew]" in other and "<script" not in other
    assert title_html("<img src=x onerror=alert(1)>") == (
        "<h4 style='margin:4px 0'><bdi>&lt;img src=x onerror=alert(1)&gt;</bdi></h4>"
    )


def test_live_turn_failure_title_and_stop() -> None:
    turn = LiveTurn("q <b>")
    assert "q &lt;b&gt;" in turn.html()  # the question shows before the server echoes it
    turn.feed(ConversationEvent(Conversation(id="c", title="<script>t</script>")))
    turn.feed(MessageEvent(_msg(type="human", content="q <b>", id="h")))
    turn.feed(MessageEvent(_msg(type="ai", content="partial **re")))
    turn.feed(UpdateEvent(id="u", tool_call_id="t", content="step <1>"))
    html = turn.html(with_title=True)
    assert "&lt;script&gt;t&lt;/script&gt;" in html and html.count("q &lt;b&gt;") == 1
    assert "partial" in html and "step &lt;1&gt;" in html
    turn.stopped = True
    assert "■ stopped" in turn.html(final=True)
    turn.feed(MessageEvent(_msg(type="ai/failure", content="Oops!", id="f")))
    assert turn.asm.failed and "⚠ Oops!" in turn.html(final=True)
