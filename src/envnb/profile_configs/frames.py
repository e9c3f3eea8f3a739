"""The column→dtype map of a profile config's DataFrame (``list_df()``).

An empty result has the same columns and dtypes as a full one. Secrets never reach a
frame: only declared, non-secret fields are read. The machinery is ``_core.framing``.
"""

from __future__ import annotations

from .._core.framing import DATETIME, Column, len_or_none
from .._core.models import allowed_values
from .models import Scope

PROFILE_CONFIG_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("scope", "category", categories=allowed_values(Scope)),
    Column("created_at", DATETIME),
    Column("updated_at", DATETIME),
    Column("content_items", "Int64", ("content",), each=len_or_none),
    Column("sidebar_items", "Int64", ("sidebar",), each=len_or_none),
)
