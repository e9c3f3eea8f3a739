"""Checks of the profile-config resource's arguments (pure; both clients use them)."""

from __future__ import annotations

from typing import Any

from .._core.arguments import check_allowed
from .._core.models import allowed_values
from .models import Scope


def check_scope(scope: Any) -> str:
    """A profile-config scope (person, group_0..group_4); RequestValidationError listing them."""
    check_allowed("scope", scope, allowed_values(Scope))
    return str(scope)
