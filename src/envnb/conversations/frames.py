"""The column→dtype map of a conversation's DataFrame (``list_df()``).

An empty result has the same columns and dtypes as a full one. Secrets never reach a
frame: only declared, non-secret fields are read. The machinery is ``_core.framing``.
"""

from __future__ import annotations

from .._core.framing import DATETIME, Column, len_or_none
from .._core.models import allowed_values
from .models import ConversationStatus, ConversationType

CONVERSATION_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("title", "string"),
    Column("status", "category", categories=allowed_values(ConversationStatus)),
    Column("type", "category", categories=allowed_values(ConversationType)),
    Column("created_at", DATETIME),
    Column("updated_at", DATETIME),
    Column("user_email", "string", ("user", "email")),
    Column("is_internal", "boolean"),
    Column("message_count", "Int64", ("messages",), each=len_or_none),
)
