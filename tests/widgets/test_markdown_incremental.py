"""Streamed Markdown: each flush renders O(new text), and the result equals one pass.

A reply arrives as whole-text frames; the panel re-renders at most ~15 times a second. If
a flush re-rendered the whole open block, a long code block, table or list would cost
O(length²) over the reply (measured before the fix: 70-90x a one-pass render for 256 KiB).
These tests count the characters handed to the Markdown renderer, so they measure work,
not time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import envnb.widgets._markdown as markdown_module
from envnb.render import render_markdown
from envnb.widgets._markdown import SOFT_CHUNK, IncrementalMarkdown

LONG = {
    "code fence": "Intro\n\n```sql\n" + 'select a < b, "q" from t;\n' * 1500 + "```\n\nafter",
    "unclosed fence": "```\n" + "x = 1\n" * 5000,
    "tilde fence holding backticks": "~~~~\n" + "``` not a close\n" * 2000 + "~~~~\ntext\n",
    "table": "| a | b |\n|---|:-:|\n" + "| x *y* | `z` |\n" * 2000,
    "table without outer pipes": "a | b\n--- | ---\n" + "x | y\n" * 4000,
    "bullet list": "- item **bold** one\n" * 2000,
    "ordered list": "".join(f"{i}. item {i}\n" for i in range(1, 3000)),
    "nested list": "".join(f"- item {i}\n  - sub {i}\n" for i in range(1500)),
    "lines of one paragraph": "a line of text that wraps\n" * 2000,
    "hard line breaks": "line  \n" * 3000 + "a b\\\nc \nd   \n" * 500,
    "quoted lines": "> quoted line here\n" * 2000,
    "one long line": "word " * 10000,
    "heading then text": "# Title\n" + "text line\n" * 2000,
    "CR and CRLF line ends": "- item\r" * 2000 + "- a\r\n- b",
}


def _grow(im: IncrementalMarkdown, text: str, step: int) -> Iterator[str]:
    for i in range(1, len(text) + 1, step):
        yield im.render(text[:i])
    yield im.render(text)


def _one_pass(text: str) -> str:
    return render_markdown(text.replace("\r\n", "\n").replace("\r", "\n"))


@pytest.mark.parametrize("name", list(LONG))
def test_streamed_render_equals_one_pass(name: str) -> None:
    text = LONG[name]
    for step in (97, 1013):
        *_, last = _grow(IncrementalMarkdown(), text, step)
        assert last == _one_pass(text)


@pytest.mark.parametrize("name", list(LONG))
def test_each_flush_renders_a_bounded_amount(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = LONG[name]
    rendered = 0

    def counting(src: str) -> str:
        nonlocal rendered
        rendered += len(src)
        return render_markdown(src)

    monkeypatch.setattr(markdown_module, "render_markdown", counting)
    flushes = sum(1 for _ in _grow(IncrementalMarkdown(), text, 100))
    # Each flush renders at most ~1.5 chunks of the open block plus what became stable.
    # Re-rendering the open block would be about len(text) / 2 per flush (10-40x this).
    assert rendered <= flushes * 2 * SOFT_CHUNK + 2 * len(text)


def test_an_edit_before_the_end_starts_over() -> None:
    im = IncrementalMarkdown()
    first = "```\n" + "a\n" * 2000
    im.render(first)
    changed = "- x\n" + "b\n" * 2000
    assert im.render(changed) == render_markdown(changed)


def test_only_cr_lf_and_crlf_end_a_line() -> None:
    im = IncrementalMarkdown()
    text = "- one\u2028still one\u0085and\x0cthis\n- two"
    assert im.render(text) == render_markdown(text)
    assert im.render(text).count("<li>") == 2
