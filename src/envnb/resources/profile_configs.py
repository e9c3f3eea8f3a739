"""``client.profile_configs``: customer profile configs (list, get, create, update, delete)."""

from __future__ import annotations

from typing import Any

from .._endpoints import PROFILE_CONFIGS as EP
from ..frames import PROFILE_CONFIG_COLUMNS
from ..models.profile_configs import ProfileConfig
from ._base import ListableResource, ident


class ProfileConfigs(ListableResource[ProfileConfig]):
    """Customer profile configs of the project."""

    _endpoints = EP
    _columns = PROFILE_CONFIG_COLUMNS

    def create(self, scope: str, content: Any = None, sidebar: Any = None) -> ProfileConfig:
        """Create a config for ``scope`` (person, group_0..4); content/sidebar: dict or list."""
        body: dict[str, Any] = {"scope": scope}
        if content is not None:
            body["content"] = content
        if sidebar is not None:
            body["sidebar"] = sidebar
        return self._ex.run(EP["create"].spec(body=body))

    def update(self, id: Any, **fields: Any) -> ProfileConfig:
        """PATCH scope, content and/or sidebar of a config."""
        return self._ex.run(EP["update"].spec({"id": ident(id)}, body=fields))

    def delete(self, id: Any) -> None:
        """Delete a config (204)."""
        return self._ex.run(EP["delete"].spec({"id": ident(id)}))
