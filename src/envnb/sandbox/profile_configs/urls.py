"""The customer profile config operations: a plain ModelViewSet."""

from __future__ import annotations

from ..route import Route
from . import routes

READ, WRITE = "customer_profile_config:read", "customer_profile_config:write"
TAG = "customer_profile_configs"

ROUTES: tuple[Route, ...] = (
    Route(
        name="customer_profile_configs_list",
        method="GET",
        path="customer_profile_configs",
        handler=routes.list_configs,
        scope=READ,
        tag=TAG,
        summary="List customer profile configs",
        response="CustomerProfileConfig",
        paginated=True,
    ),
    Route(
        name="customer_profile_configs_create",
        method="POST",
        path="customer_profile_configs",
        handler=routes.create,
        scope=WRITE,
        tag=TAG,
        summary="Create a customer profile config",
        request="CustomerProfileConfigInput",
        response="CustomerProfileConfig",
        status=201,
    ),
    Route(
        name="customer_profile_configs_retrieve",
        method="GET",
        path="customer_profile_configs/{id}",
        handler=routes.retrieve,
        scope=READ,
        tag=TAG,
        summary="Retrieve a customer profile config",
        response="CustomerProfileConfig",
    ),
    Route(
        name="customer_profile_configs_partial_update",
        method="PATCH",
        path="customer_profile_configs/{id}",
        handler=routes.update,
        scope=WRITE,
        tag=TAG,
        summary="Update a customer profile config",
        request="CustomerProfileConfigInput",
        response="CustomerProfileConfig",
    ),
    Route(
        name="customer_profile_configs_update",
        method="PUT",
        path="customer_profile_configs/{id}",
        handler=routes.update,
        scope=WRITE,
        tag=TAG,
        summary="Replace a customer profile config",
        request="CustomerProfileConfigInput",
        response="CustomerProfileConfig",
    ),
    Route(
        name="customer_profile_configs_destroy",
        method="DELETE",
        path="customer_profile_configs/{id}",
        handler=routes.delete,
        scope=WRITE,
        tag=TAG,
        summary="Delete a customer profile config",
        status=204,
    ),
)
