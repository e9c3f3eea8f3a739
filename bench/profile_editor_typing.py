"""Bench: typing into a large profile config in the ProfileConfigEditor's JSON view.

A keystroke in a text area sets the widget's value; the editor's observer then runs in the
kernel. With an 11 MB ``content`` this run measures, per keystroke, the kernel CPU of:

* ``check on every keystroke`` — the baseline: the editor with its pause threshold raised
  so every keystroke parses the text (what the editor did before);
* ``check after a pause``      — the editor as shipped: a keystroke only restarts the
  timer; the text is parsed once typing pauses (one ``check_now()`` at the end);

and prints each as a ratio of the baseline, plus the cost of the one check after the pause.
No server is needed: the editor is filled directly (the sandbox is not involved).

    .venv/bin/python bench/profile_editor_typing.py [--megabytes 11] [--keys 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from envnb.widgets import _profile_view
from envnb.widgets.profile_configs import ProfileConfigEditor


class _NoClient:
    """The editor never calls its client here (no refresh without a click)."""


def _content(megabytes: float) -> str:
    panel = {"type": "ph-issues", "title": "Panel", "index": 0, "pad": "x" * 100}
    one = len(json.dumps([panel] * 100, indent=2)) / 100
    return json.dumps([panel] * int(megabytes * 1_000_000 / one), indent=2)


async def _type(editor: ProfileConfigEditor, text: str, keys: int) -> float:
    """Kernel CPU seconds per keystroke for ``keys`` keystrokes appended to ``text``."""
    editor.view.value = "JSON"
    editor.content.value = text
    editor.check_now()
    start = time.thread_time()
    typed = text
    for _ in range(keys):
        typed = typed[:-1] + " ]"  # a keystroke: the text grows by one character
        editor.content.value = typed
    return (time.thread_time() - start) / keys


async def main(megabytes: float, keys: int) -> None:
    text = _content(megabytes)
    print(f"content: {len(text) / 1e6:.1f} MB, {keys} keystrokes each")

    threshold = _profile_view.LARGE_TEXT
    _profile_view.LARGE_TEXT = 10**12  # every keystroke parses: the baseline
    try:
        baseline = await _type(ProfileConfigEditor(_NoClient()), text, keys)
    finally:
        _profile_view.LARGE_TEXT = threshold
    editor = ProfileConfigEditor(_NoClient())
    shipped = await _type(editor, text, keys)
    start = time.thread_time()
    editor.check_now()
    pause_check = time.thread_time() - start
    assert "valid JSON" in editor.content_feedback.value

    print(f"{'consumer':28} {'CPU ms / keystroke':>19} {'ratio':>7}")
    print(f"{'check on every keystroke':28} {baseline * 1000:19.1f} {1.0:7.2f}")
    print(f"{'check after a pause':28} {shipped * 1000:19.1f} {shipped / baseline:7.3f}")
    print(
        f"the one check after the pause: {pause_check * 1000:.0f} ms "
        f"({pause_check / baseline:.2f} x one baseline keystroke)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=float, default=11.0)
    parser.add_argument("--keys", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.megabytes, args.keys))
