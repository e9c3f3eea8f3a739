"""The profile-config endpoints envnb calls, declared once (see ``_core.request.Endpoint``).

Each attribute is an ``Endpoint[T]`` whose ``T`` is what the call returns (one item of the
list for a paged endpoint). To add one, add an attribute here and a method on the resource
under ``_async/`` that sends ``Namespace.attr.request(...)``; then regenerate ``_sync/``.
"""

from __future__ import annotations

from .._core.request import Endpoint, no_content
from .models import ProfileConfig, ProfileConfigCreate, ProfileConfigUpdate


class ProfileConfigEndpoints:
    """``customer_profile_configs/``: CustomerProfileConfigViewSet."""

    path = "customer_profile_configs/"
    scope_read, scope_write = "customer_profile_config:read", "customer_profile_config:write"
    list = Endpoint("GET", path, scope_read, ProfileConfig.model_validate, paging="offset")
    get = Endpoint("GET", path + "{id}/", scope_read, ProfileConfig.model_validate)
    create = Endpoint(
        "POST", path, scope_write, ProfileConfig.model_validate, body=ProfileConfigCreate
    )
    update = Endpoint(
        "PATCH",
        path + "{id}/",
        scope_write,
        ProfileConfig.model_validate,
        body=ProfileConfigUpdate,
    )
    delete = Endpoint("DELETE", path + "{id}/", scope_write, no_content)
