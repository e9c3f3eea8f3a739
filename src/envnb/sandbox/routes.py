"""The one route table: it registers the handlers and feeds the OpenAPI document."""

from __future__ import annotations

import re

from .batch_exports import routes as be
from .conversations import routes as conv
from .endpoint import NO_SCOPES, Endpoint
from .file_exports.routes import ENDPOINTS as FILE_EXPORT_ENDPOINTS
from .insights.routes import ENDPOINTS as INSIGHT_ENDPOINTS
from .profile_configs import routes as pc
from .query import api as q
from .routes_ops import OPS_ENDPOINTS

BE, CONV, PC = "batch_export", "conversation", "customer_profile_config"
QUERY_READ = "query:read"  # PostHog treats create/retrieve/destroy of queries as reads

_CORE: tuple[Endpoint, ...] = (
    Endpoint(
        "batch_exports_list",
        "GET",
        "batch_exports",
        be.list_exports,
        f"{BE}:read",
        "batch_exports",
        "List batch exports",
        response="BatchExport",
        paginated=True,
    ),
    Endpoint(
        "batch_exports_create",
        "POST",
        "batch_exports",
        be.create,
        f"{BE}:write",
        "batch_exports",
        "Create a batch export",
        "BatchExportInput",
        "BatchExport",
        201,
    ),
    Endpoint(
        "batch_exports_test",
        "GET",
        "batch_exports/test",
        be.test_steps,
        "INTERNAL",
        "batch_exports",
        "Destination test steps (no result yet)",
        response="BatchExportTestSteps",
        query=("destination",),
    ),
    Endpoint(
        "batch_exports_run_test_step_new",
        "POST",
        "batch_exports/run_test_step_new",
        be.run_test_step_new,
        "INTERNAL",
        "batch_exports",
        "Run one destination test step for an unsaved export",
        "RunTestStepInput",
        "BatchExportTestStep",
    ),
    Endpoint(
        "batch_exports_retrieve",
        "GET",
        "batch_exports/{id}",
        be.retrieve,
        f"{BE}:read",
        "batch_exports",
        "Retrieve a batch export",
        response="BatchExport",
    ),
    Endpoint(
        "batch_exports_partial_update",
        "PATCH",
        "batch_exports/{id}",
        be.update,
        f"{BE}:write",
        "batch_exports",
        "Update a batch export (destination config is deep-merged)",
        "BatchExportInput",
        "BatchExport",
    ),
    Endpoint(
        "batch_exports_update",
        "PUT",
        "batch_exports/{id}",
        be.update,
        f"{BE}:write",
        "batch_exports",
        "Replace a batch export",
        "BatchExportInput",
        "BatchExport",
    ),
    Endpoint(
        "batch_exports_destroy",
        "DELETE",
        "batch_exports/{id}",
        be.delete,
        f"{BE}:write",
        "batch_exports",
        "Delete a batch export",
        status=204,
    ),
    Endpoint(
        "batch_exports_pause",
        "POST",
        "batch_exports/{id}/pause",
        be.pause,
        f"{BE}:write",
        "batch_exports",
        "Pause a batch export (idempotent)",
        response="Paused",
    ),
    Endpoint(
        "batch_exports_unpause",
        "POST",
        "batch_exports/{id}/unpause",
        be.unpause,
        f"{BE}:write",
        "batch_exports",
        "Unpause a batch export, optionally backfilling",
        "UnpauseInput",
        "Paused",
    ),
    Endpoint(
        "batch_exports_run_test_step",
        "POST",
        "batch_exports/{id}/run_test_step",
        be.run_test_step,
        "INTERNAL",
        "batch_exports",
        "Run one destination test step for a saved export",
        "RunTestStepInput",
        "BatchExportTestStep",
    ),
    Endpoint(
        "conversations_list",
        "GET",
        "conversations",
        conv.list_conversations,
        f"{CONV}:read",
        "conversations",
        "List your conversations",
        response="ConversationMinimal",
        paginated=True,
    ),
    Endpoint(
        "conversations_create",
        "POST",
        "conversations",
        conv.create,
        f"{CONV}:write",
        "conversations",
        "Send a message (or resume with content null); streams SSE",
        "ConversationInput",
        streaming=True,
    ),
    Endpoint(
        "conversations_retrieve",
        "GET",
        "conversations/{id}",
        conv.retrieve,
        f"{CONV}:read",
        "conversations",
        "Retrieve a conversation with messages",
        response="Conversation",
    ),
    Endpoint(
        "conversations_append_message",
        "POST",
        "conversations/{id}/append_message",
        conv.append_message,
        NO_SCOPES,
        "conversations",
        "Append an ai message without running the AI",
        "AppendMessageInput",
        "MessageId",
        201,
    ),
    Endpoint(
        "conversations_cancel",
        "PATCH",
        "conversations/{id}/cancel",
        conv.cancel,
        NO_SCOPES,
        "conversations",
        "Cancel a running reply (idempotent)",
        status=204,
    ),
    Endpoint(
        "query_create",
        "POST",
        "query",
        q.create,
        QUERY_READ,
        "query",
        "Run a HogQLQuery or TrendsQuery (refresh=async answers 202 with query_status)",
        "QueryRequest",
        "QueryResponse",
    ),
    Endpoint(
        "query_retrieve",
        "GET",
        "query/{id}",
        q.retrieve,
        QUERY_READ,
        "query",
        "Status of an async query run (202 running, 200 complete, 400 failed)",
        response="QueryStatusResponse",
    ),
    Endpoint(
        "query_destroy",
        "DELETE",
        "query/{id}",
        q.destroy,
        QUERY_READ,
        "query",
        "Cancel an async query run",
        response="QueryCancelled",
    ),
    Endpoint(
        "customer_profile_configs_list",
        "GET",
        "customer_profile_configs",
        pc.list_configs,
        f"{PC}:read",
        "customer_profile_configs",
        "List customer profile configs",
        response="CustomerProfileConfig",
        paginated=True,
    ),
    Endpoint(
        "customer_profile_configs_create",
        "POST",
        "customer_profile_configs",
        pc.create,
        f"{PC}:write",
        "customer_profile_configs",
        "Create a customer profile config",
        "CustomerProfileConfigInput",
        "CustomerProfileConfig",
        201,
    ),
    Endpoint(
        "customer_profile_configs_retrieve",
        "GET",
        "customer_profile_configs/{id}",
        pc.retrieve,
        f"{PC}:read",
        "customer_profile_configs",
        "Retrieve a customer profile config",
        response="CustomerProfileConfig",
    ),
    Endpoint(
        "customer_profile_configs_partial_update",
        "PATCH",
        "customer_profile_configs/{id}",
        pc.update,
        f"{PC}:write",
        "customer_profile_configs",
        "Update a customer profile config",
        "CustomerProfileConfigInput",
        "CustomerProfileConfig",
    ),
    Endpoint(
        "customer_profile_configs_update",
        "PUT",
        "customer_profile_configs/{id}",
        pc.update,
        f"{PC}:write",
        "customer_profile_configs",
        "Replace a customer profile config",
        "CustomerProfileConfigInput",
        "CustomerProfileConfig",
    ),
    Endpoint(
        "customer_profile_configs_destroy",
        "DELETE",
        "customer_profile_configs/{id}",
        pc.delete,
        f"{PC}:write",
        "customer_profile_configs",
        "Delete a customer profile config",
        status=204,
    ),
)

ENDPOINTS: tuple[Endpoint, ...] = (
    *_CORE,
    *OPS_ENDPOINTS,
    *FILE_EXPORT_ENDPOINTS,
    *INSIGHT_ENDPOINTS,
)
PREFIXES = ("environments", "projects")


def _compile(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
    return re.compile(f"^{pattern}$")


# Literal paths come before {id} ones in the table, so `batch_exports/test` wins.
_COMPILED = [(_compile(e.path), e) for e in ENDPOINTS]


def match(rest: str, method: str) -> tuple[Endpoint, dict[str, str]] | str | None:
    """The endpoint for a path and method; "405" if only the method is wrong; None if none."""
    # Django/DRF answer HEAD with the GET handler (ViewSetMixin maps head -> get).
    method = "GET" if method == "HEAD" else method
    wrong_method = False
    for pattern, endpoint in _COMPILED:
        found = pattern.match(rest)
        if found is None:
            continue
        if endpoint.method == method:
            return endpoint, found.groupdict()
        wrong_method = True
    return "405" if wrong_method else None
