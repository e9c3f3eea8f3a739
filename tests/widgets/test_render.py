"""render.py: Markdown renders, and nothing from a hostile string survives as markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from envnb.render import escape, render_markdown, sanitize

XSS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "[click](vbscript:msgbox(1))",
    "![x](x onerror=alert(1))",
    '![x](https://x/y.png "t\\" onerror=\\"alert(1)")',
    "<div style='position:fixed'>overlay</div>",
    "<form action=https://evil><input name=q></form>",
    "`<script>`  ```\n<script>alert(1)</script>\n```",
    '<a href="https://ok" onclick="alert(1)">ok</a>',
    "<<script>script>alert(1)<</script>/script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "&lt;img src=x onerror=alert(1)&gt;",
]

_ALLOWED = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
    "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr",
    "th", "td",
}  # fmt: skip


class _Tags(HTMLParser):
    """Collect (tag, attrs) as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _assert_inert(out: str) -> None:
    parser = _Tags()
    parser.feed(out)
    for tag, attrs in parser.tags:
        assert tag in _ALLOWED, out
        for name, value in attrs:
            assert name in {"href", "title", "rel", "start"}, out
            if name == "href":
                assert re.match(r"(https?:|mailto:)", value or ""), out


@pytest.mark.parametrize("text", XSS)
def test_hostile_markdown_is_inert(text: str) -> None:
    _assert_inert(render_markdown(text))


@pytest.mark.parametrize("text", XSS)
def test_sanitize_raw_html_is_inert(text: str) -> None:
    _assert_inert(sanitize(text))


def test_image_tag_shows_as_text() -> None:
    out = render_markdown("<img src=x onerror=alert(1)>")
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "<img" not in out


def test_markdown_formatting_survives() -> None:
    out = render_markdown("# T\n\n**b** *i* `c`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n- y")
    for piece in ("<h1>T</h1>", "<strong>b</strong>", "<em>i</em>", "<code>c</code>"):
        assert piece in out
    assert "<table>" in out and "<td>1</td>" in out and "<li>x</li>" in out


def test_links_get_noopener_and_javascript_is_dropped() -> None:
    out = render_markdown("[a](https://posthog.com) [b](javascript:alert(1))")
    assert 'href="https://posthog.com"' in out
    assert 'rel="noopener noreferrer"' in out
    assert "javascript:" not in out.split("[b]")[0]
    assert out.count("<a ") == 1


def test_images_become_links_not_tags() -> None:
    out = render_markdown("![chart](https://x/y.png)")
    assert "<img" not in out and 'href="https://x/y.png"' in out


def test_escape() -> None:
    assert escape('<b a="1">&') == "&lt;b a=&quot;1&quot;&gt;&amp;"
    assert escape(None) == ""
    assert escape(3) == "3"
    assert render_markdown("") == ""


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\u200b\u200b", "(blank: U+200B U+200B)"),
        ("   ", "(blank: U+0020 U+0020 U+0020)"),
        ("\u3164", "(blank: U+3164)"),
        ("\u2800\u200d\ufeff", "(blank: U+2800 U+200D U+FEFF)"),
        ("\u200b" * 10, "(blank: " + " ".join(["U+200B"] * 8) + " …)"),
        ("", "(empty)"),
        (None, "(empty)"),
        ("txt.\u202eexe", "txt.⟦U+202E⟧exe"),
        ("a\u202db\u202cc", "a⟦U+202D⟧b⟦U+202C⟧c"),
        ("\u05e9\u05dc\u05d5\u05dd export", "\u05e9\u05dc\u05d5\u05dd export"),
        ("nightly\u200b", "nightly\u200b"),
    ],
)
def test_names_are_made_visible(text: str | None, shown: str) -> None:
    from envnb.render import visible

    assert visible(text) == shown


def test_isolate_and_label_wrap_names_in_an_isolate() -> None:
    from envnb.render import isolate, label

    assert isolate("<b>x\u202e</b>") == "<bdi>&lt;b&gt;x⟦U+202E⟧&lt;/b&gt;</bdi>"
    assert isolate("\u200b") == "<bdi>(blank: U+200B)</bdi>"
    assert label("ab\u202ecd") == "\u2068ab⟦U+202E⟧cd\u2069"
    assert label("\u200c") == "\u2068(blank: U+200C)\u2069"
