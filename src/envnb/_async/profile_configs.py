"""``client.profile_configs``: customer profile configs (list, get, create, update, delete,
for_scope)."""

from __future__ import annotations

from typing import Any

from .._core.arguments import Id, ident
from ..profile_configs.arguments import check_scope
from ..profile_configs.endpoints import ProfileConfigEndpoints as Endpoints
from ..profile_configs.frames import PROFILE_CONFIG_COLUMNS
from ..profile_configs.models import ProfileConfig
from ._listing import AsyncListing
from ._transport import AsyncTransport

# A config's content or sidebar as JSON: PostHog stores either a list or an object.
JSONLayout = dict[str, Any] | list[Any]


class AsyncProfileConfigs(AsyncListing[ProfileConfig]):
    """Customer profile configs of the project."""

    def __init__(self, transport: AsyncTransport, progress: bool | None) -> None:
        super().__init__(transport, progress, Endpoints.list, Endpoints.get, PROFILE_CONFIG_COLUMNS)

    async def create(
        self, scope: str, content: JSONLayout | None = None, sidebar: JSONLayout | None = None
    ) -> ProfileConfig:
        """Create a config for ``scope`` (person, group_0..4); content/sidebar: dict or list."""
        body: dict[str, Any] = {"scope": scope}
        if content is not None:
            body["content"] = content
        if sidebar is not None:
            body["sidebar"] = sidebar
        return await self._transport.request(Endpoints.create.request(body=body))

    async def update(self, id: Id, **fields: Any) -> ProfileConfig:
        """PATCH scope, content and/or sidebar of a config."""
        request = Endpoints.update.request({"id": ident(id)}, body=fields)
        return await self._transport.request(request)

    async def delete(self, id: Id) -> None:
        """Delete a config (204)."""
        await self._transport.request(Endpoints.delete.request({"id": ident(id)}))

    async def for_scope(self, scope: str) -> ProfileConfig | None:
        """The config PostHog's UI shows for ``scope``: the first of that scope in the list.

        Several configs may share a scope; PostHog's profile page uses the first one whose
        scope matches, and the list endpoint ignores ``?scope=``, so the list is read until
        one matches [src: PH:products/customer_analytics/frontend/customerProfileConfigLogic.ts
        ``configs.find((c) => c.scope === ...)``]. None when the scope has no config.
        A ``scope`` other than person, group_0..group_4 raises RequestValidationError before
        anything is sent.
        """
        wanted = check_scope(scope)
        async for config in self.list():
            if config.scope == wanted:
                return config
        return None
