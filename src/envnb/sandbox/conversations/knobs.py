"""The conversation knobs of a running ``Sandbox`` (a mixin, so server.py stays small)."""

from __future__ import annotations

from ..context import State


class ConversationKnobs:
    """``sb.ai_credits_exhausted``: while True, every PostHog AI message POST answers
    PostHog's 402 "Your organization reached its AI credit usage limit…"."""

    state: State

    @property
    def ai_credits_exhausted(self) -> bool:
        """Whether message POSTs answer the AI-credit 402."""
        return self.state.conversations.ai_credits_exhausted

    @ai_credits_exhausted.setter
    def ai_credits_exhausted(self, value: bool) -> None:
        self.state.conversations.ai_credits_exhausted = bool(value)
