"""HTML for a chat transcript: one function per message kind, shared by ChatCell and %%chat.

Assistant text is Markdown (rendered then sanitized); everything else the server sent is
escaped. Reasoning, tool calls and tool results are compact and dimmed so the answer stands
out; ``ai/failure`` is an error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..query.results import VIZ_MESSAGES
from ..render import escape, isolate, render_markdown

if TYPE_CHECKING:
    from ._charts import ChartBoard

_DIM = "color:#777;font-size:0.85em;margin:2px 0"
_ERR = "color:#b00020;margin:4px 0"
_TOOL_RESULT_MAX = 240


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _short(value: Any, limit: int = _TOOL_RESULT_MAX) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tool_calls_html(msg: Any) -> str:
    """Compact dimmed lines for the tool calls an ``ai`` message made."""
    lines = []
    for call in _get(msg, "tool_calls") or []:
        args = _short(_get(call, "args") or {}, 120)
        lines.append(
            f'<div style="{_DIM}">⚙ {isolate(_get(call, "name", "tool"))}({escape(args)})</div>'
        )
    return "".join(lines)


def _human(msg: Any, content: Any, markdown: str | None) -> str:
    return f'<div style="margin:6px 0"><b>You:</b> {escape(content)}</div>'


def _ai(msg: Any, content: Any, markdown: str | None) -> str:
    body = markdown if markdown is not None else render_markdown(content or "")
    text = f'<div class="envnb-ai">{body}</div>' if (content or "").strip() else ""
    return tool_calls_html(msg) + text


def _failure(msg: Any, content: Any, markdown: str | None) -> str:
    return f'<div style="{_ERR}">⚠ {escape(content or "The assistant failed to answer.")}</div>'


# Message type -> its HTML, looked up (a type not listed gets the compact note below).
_MESSAGE_HTML: dict[str, Callable[[Any, Any, str | None], str]] = {
    "human": _human,
    "ai": _ai,
    "ai/reasoning": lambda msg, content, _: f'<div style="{_DIM}">💭 {escape(content)}</div>',
    "tool": lambda msg, content, _: f'<div style="{_DIM}">↳ {escape(_short(content or ""))}</div>',
    "ai/failure": _failure,
    "context": lambda msg, content, _: "",
}


def message_html(msg: Any, *, markdown: str | None = None, charts: ChartBoard | None = None) -> str:
    """HTML for one message; ``markdown`` is pre-rendered assistant HTML, if the caller has it;
    with ``charts``, visualization messages are drawn from its state (title, chart, query)."""
    kind = _get(msg, "type", "")
    content = _get(msg, "content")
    if charts is not None and kind in VIZ_MESSAGES:
        drawn = charts.html(msg)
        commentary = _get(msg, "commentary")
        if isinstance(commentary, str) and commentary.strip():
            drawn += f'<div class="envnb-ai">{render_markdown(commentary)}</div>'
        if drawn:
            return drawn
    draw = _MESSAGE_HTML.get(kind)
    if draw is not None:
        return draw(msg, content, markdown)
    # ai/viz, ai/artifact, ... : a note that something was produced (kept compact).
    detail = _get(msg, "answer") or _get(msg, "commentary") or content
    note = f": {escape(_short(detail, 160))}" if detail else ""
    return f'<div style="{_DIM}">[{escape(kind)}]{note}</div>'


def update_html(content: Any) -> str:
    """A dimmed progress line for a tool-call ``update`` event."""
    return f'<div style="{_DIM}">… {escape(_short(content or "", 160))}</div>'


def title_html(title: str | None) -> str:
    """The conversation title (escaped and isolated: ``render.isolate``), or nothing."""
    return f"<h4 style='margin:4px 0'>{isolate(title)}</h4>" if title else ""


def note_html(text: str, *, error: bool = False) -> str:
    """A status note under the reply: dimmed, or red for an error."""
    if not text:
        return ""
    return f'<div style="{_ERR if error else _DIM}">{escape(text)}</div>'


def _static_ai(content: Any) -> str:
    if not (isinstance(content, str) and content.strip()):
        return ""
    return f"<p><strong>PostHog AI:</strong></p>{render_markdown(content)}"


# What an exported notebook keeps of each message type (tool traffic is left out).
_STATIC_HTML: dict[str, Callable[[Any], str]] = {
    "human": lambda content: f"<p><strong>You:</strong> {escape(content)}</p>",
    "ai": _static_ai,
    "ai/failure": lambda content: (
        f"<p><em>⚠ {escape(content or 'The assistant failed to answer.')}</em></p>"
    ),
}


def static_transcript_html(messages: list[Any], charts: ChartBoard | None = None) -> str:
    """A conversation as plain HTML for a notebook exported without widgets.

    Only tags the Markdown sanitizer keeps (no styles): the question and the answer as
    paragraphs, assistant Markdown rendered and sanitized, tool traffic left out; with
    ``charts``, each chart's title, PNG and first rows.
    """
    parts = []
    for msg in messages:
        kind, content = _get(msg, "type", ""), _get(msg, "content")
        if charts is not None and kind in VIZ_MESSAGES:
            parts.append(charts.static_html(msg))
        static = _STATIC_HTML.get(kind)
        if static is not None:
            parts.append(static(content))
    return "".join(parts)
