"""Hostile strings and an auditor for HTML that reaches widgets (what a browser would run)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import ipywidgets as W

from envnb.widgets._base import iter_widgets

XSS_CORPUS: tuple[str, ...] = (
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=alert('xss-2')>",
    "<svg onload=alert('xss-3')><circle r=1 /></svg>",
    '<a href="javascript:alert(4)">click me</a>',
    '<a href="jav&#x09;ascript:alert(5)">tabbed scheme</a>',
    "[markdown link](javascript:alert(6))",
    "![markdown image](javascript:alert(7))",
    '<iframe srcdoc="<script>alert(8)</script>"></iframe>',
    '<div style="background:url(javascript:alert(9))">css url</div>',
    "<style>body{display:none}</style>hidden page",
    '"><script>alert(10)</script>',
    "'><img src=x onerror=alert(11)>",
    '<math><mi xlink:href="javascript:alert(12)">x</mi></math>',
    "<details open ontoggle=alert(13)>details</details>",
    "<<script>script>alert(14)<</script>/script>",
    "</textarea><script>alert(15)</script>",
    '<form action="javascript:alert(16)"><button>go</button></form>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxNyk8L3NjcmlwdD4=">data url</a>',
    '<!--<img src="--><img src=x onerror=alert(18)//">',
    "<b>unclosed <i>broken <table><tr><td>markup",
    '<object data="javascript:alert(19)"></object>',
    "<body onload=alert(20)>",
)

FORBIDDEN_TAGS = {
    "script", "iframe", "object", "embed", "style", "link", "meta", "base", "form", "svg",
    "math", "frame", "frameset", "applet", "body",
}  # fmt: skip
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background"}
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data\s*:\s*text/html)", re.I)
_CONTROL = re.compile(r"[\x00-\x20]+")


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> tag")
        for name, value in attrs:
            value = html.unescape(value or "")
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name in URL_ATTRS and BAD_SCHEME.match(_CONTROL.sub("", value)):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "style" and re.search(r"url\s*\(|expression\s*\(|javascript:", value, re.I):
                self.problems.append(f"style={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def audit_html(markup: str) -> list[str]:
    """Problems a browser would act on: script-ish tags, on*= handlers, javascript: URLs."""
    parser = _Audit()
    parser.feed(markup)
    parser.close()
    if re.search(r"<\s*script", markup, re.I):
        parser.problems.append("raw <script")
    return parser.problems


def html_values(root: Any) -> list[str]:
    """Every HTML widget value under ``root`` (plus labels that allow HTML)."""
    out = []
    for w in iter_widgets(root):
        if isinstance(w, W.HTML | W.HTMLMath):
            out.append(str(w.value))
        if getattr(getattr(w, "style", None), "description_allow_html", False) or getattr(
            w, "description_allow_html", False
        ):
            out.append(str(getattr(w, "description", "")))
    return out
