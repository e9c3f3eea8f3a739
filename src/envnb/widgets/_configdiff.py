"""Pure decisions of the profile-config editor: what changed, and did the server move."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

EDITABLE = ("scope", "content", "sidebar")


def changed_fields(loaded: Mapping[str, Any], edited: Mapping[str, Any]) -> dict[str, Any]:
    """The editable fields whose edited value differs from the loaded one (the PATCH body)."""
    return {f: edited[f] for f in EDITABLE if f in edited and edited[f] != loaded.get(f)}


def server_changed(loaded: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    """True when the server's config differs from the version the editor loaded.

    Compares the editable fields and ``updated_at``: ``updated_at`` alone may be null for
    a never-updated config, and the fields alone miss a change that was later reverted.
    """
    if loaded.get("updated_at") != current.get("updated_at"):
        return True
    return any(_norm(loaded.get(f)) != _norm(current.get(f)) for f in EDITABLE)


def _norm(value: Any) -> Any:
    # The server stores null content/sidebar as {}.
    return {} if value is None else value


# The conflict view shows both versions side by side; a multi-megabyte config would make
# a multi-megabyte HTML widget, so each side is cut at this many characters.
PREVIEW_CHARS = 20_000


def preview(value: Any, limit: int = PREVIEW_CHARS) -> str:
    """``value`` as indented JSON, cut to ``limit`` characters with a note saying how much."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n… ({len(text) - limit:,} more characters not shown)"
