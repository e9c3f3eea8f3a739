"""Customer profile configs (contract §4)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import field_validator

from .._core.models import APIModel, RequestModel, open_enum
from ..errors import RequestValidationError
from .layout import ProfileLayout


class Scope(StrEnum):
    """Which profile a config lays out."""

    PERSON = "person"
    GROUP_0 = "group_0"
    GROUP_1 = "group_1"
    GROUP_2 = "group_2"
    GROUP_3 = "group_3"
    GROUP_4 = "group_4"


class ProfileConfig(APIModel):
    """A customer profile config: free-form ``content`` and ``sidebar`` layout JSON."""

    id: str
    scope: open_enum(Scope)  # type: ignore[valid-type]
    content: Any = None
    sidebar: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def layout(self) -> ProfileLayout:
        """The page this config lays out, as PostHog renders it (panels in order, sidebar).

        Edit it, then save ``layout.to_content()`` / ``layout.to_sidebar()`` with
        ``client.profile_configs.update(config.id, content=..., sidebar=...)``.
        """
        return ProfileLayout.from_config(str(self.scope), self.content, self.sidebar)


def _dict_or_list(field: str, v: Any) -> Any:
    if v is not None and not isinstance(v, dict | list):
        raise RequestValidationError(
            f"{field}: must be a dict or a list (or None), got {type(v).__name__}",
            attr=field,
            allowed=["dict", "list", "None"],
        )
    return v


class ProfileConfigUpdate(RequestModel):
    """PATCH body for a profile config."""

    scope: Scope | None = None
    content: Any = None
    sidebar: Any = None

    @field_validator("content")
    @classmethod
    def _content(cls, v: Any) -> Any:
        return _dict_or_list("content", v)

    @field_validator("sidebar")
    @classmethod
    def _sidebar(cls, v: Any) -> Any:
        return _dict_or_list("sidebar", v)


class ProfileConfigCreate(ProfileConfigUpdate):
    """POST body for a new profile config."""

    scope: Scope
