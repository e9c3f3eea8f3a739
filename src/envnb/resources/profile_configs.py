"""``client.profile_configs``: customer profile configs (list, get, create, update, delete)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._endpoints import PROFILE_CONFIGS as EP
from ..frames import PROFILE_CONFIG_COLUMNS, FrameBuilder
from ._base import Resource, ident

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd

    from ..models.profile_configs import ProfileConfig


class ProfileConfigs(Resource):
    """Customer profile configs of the project."""

    def list(
        self, *, limit: int | None = None, page_size: int = 100, **filters: Any
    ) -> Iterator[ProfileConfig]:
        """Iterate over ProfileConfig objects, fetching pages lazily."""
        return self._ex.paginate(EP["list"].spec(params=filters), limit, page_size)

    def list_df(
        self,
        limit: int | None = None,
        progress: bool | None = None,
        *,
        page_size: int = 1000,
        **filters: Any,
    ) -> pd.DataFrame:
        """All profile configs as a DataFrame (dtypes: ``frames.PROFILE_CONFIG_COLUMNS``)."""
        spec = EP["list"].spec(params=filters)
        return self._ex.frame(
            spec,
            FrameBuilder(PROFILE_CONFIG_COLUMNS),
            limit,
            page_size=page_size,
            progress=progress,
        )

    def get(self, id: Any) -> ProfileConfig:
        """Return one ProfileConfig."""
        return self._ex.run(EP["get"].spec({"id": ident(id)}))

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
