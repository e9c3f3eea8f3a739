"""The profiles file's TOML, written (tomllib only reads): the few value kinds profiles hold."""

from __future__ import annotations

import json
from typing import Any


def dump_profiles(table: dict[str, Any]) -> str:
    """TOML for ``{name: {field: str | int | list[int]}}`` (all profiles hold)."""
    lines = [
        "# envnb profiles: `envnb profile add NAME`, or edit by hand (keep it chmod 600)",
    ]
    for name in sorted(table):
        lines.append("")
        lines.append(f"[profiles.{toml_value(name)}]")
        for key, value in table[name].items():
            lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    # A JSON string without ASCII escaping is a TOML basic string (same escapes).
    return json.dumps(str(value), ensure_ascii=False)
