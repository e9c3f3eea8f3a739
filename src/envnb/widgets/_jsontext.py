"""Validate the text of a JSON text area and say where it is wrong, in words."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .._core.lines import line_and_column


@dataclass(frozen=True)
class JsonCheck:
    """The outcome of checking one JSON text: the value, or a message with a position."""

    ok: bool
    value: Any = None
    message: str = ""
    line: int | None = None
    column: int | None = None


def check_json(text: str, *, field: str = "value") -> JsonCheck:
    """Parse ``text`` as a profile-config field: a JSON object or array (blank means {})."""
    if not text.strip():
        # The server stores null as {}; a blank box means the same.
        return JsonCheck(ok=True, value={}, message="valid JSON (empty: saved as {})")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        # json counts only LF as a line end; CR and CRLF end a line too (as shown).
        line, column = line_and_column(text, err.pos)
        return JsonCheck(
            ok=False,
            message=f"error at line {line}, column {column}: {err.msg}",
            line=line,
            column=column,
        )
    except RecursionError:
        # Pasted or hostile text nested past Python's recursion limit: say so, don't crash
        # the observer that checks every keystroke.
        return JsonCheck(ok=False, message=f"{field} is nested too deeply to be JSON we can send")
    if not isinstance(value, dict | list):
        kind = type(value).__name__ if value is not None else "null"
        return JsonCheck(ok=False, message=f"{field} must be a JSON object or array, not {kind}")
    return JsonCheck(ok=True, value=value, message="valid JSON")


def dump_json(value: Any) -> str:
    """Pretty-print a field for editing (``None`` shows as ``{}``, as the server stores it)."""
    return json.dumps({} if value is None else value, indent=2, ensure_ascii=False)
