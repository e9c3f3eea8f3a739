"""Every endpoint declared once, and the RequestSpec a resource method hands to an executor.

An :class:`Endpoint` says method, path template, required scope, request model, how to
parse the answer, whether it may be retried and whether it streams. ``Endpoint.spec()``
validates the body and fills the path, producing a :class:`RequestSpec` — a plain
description that the sync and async executors run the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from ._retry import Done
from .errors import RequestValidationError
from .models import (
    AppendedMessage,
    BatchExport,
    BatchExportCreate,
    BatchExportUpdate,
    Conversation,
    PauseResult,
    ProfileConfig,
    ProfileConfigCreate,
    ProfileConfigUpdate,
    TestStep,
)
from .models.common import RequestModel, validate_request
from .models.conversations import AppendMessageRequest, StreamRequest

Parser = Callable[[Any], Any]


def _model(cls: Any) -> Parser:
    return cls.model_validate


def _steps(body: Any) -> list[TestStep]:
    steps = body.get("steps", []) if isinstance(body, dict) else []
    return [TestStep.model_validate(s) for s in steps]


def _none(body: Any) -> None:
    return None


@dataclass(frozen=True)
class Endpoint:
    """One API endpoint, declared once."""

    name: str
    method: str
    path: str  # relative to /api/projects/{project_id}/, with {id} placeholders
    scope: str | None
    parse: Parser
    request: type[RequestModel] | None = None
    retry_safe: bool = False
    streams: bool = False
    paginated: bool = False

    def spec(
        self,
        path_params: Mapping[str, Any] | None = None,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> RequestSpec:
        """Validate the body and fill the path: the request, described, not sent."""
        path = self.path
        for key, value in (path_params or {}).items():
            path = path.replace("{" + key + "}", _path_segment(key, value))
        json_body: Any = None
        if self.request is not None:
            json_body = validate_request(self.request, dict(body or {})).to_body()
        elif body is not None:
            json_body = dict(body)
        return RequestSpec(
            endpoint=self,
            method=self.method,
            path=path,
            params={k: v for k, v in (params or {}).items() if v is not None},
            json=json_body,
            parse=self.parse,
            retry_safe=self.retry_safe or self.method in ("GET", "HEAD", "OPTIONS"),
            stream=self.streams,
        )


def _path_segment(name: str, value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    if not text or text in (".", ".."):
        raise RequestValidationError(f"{name}: must be a non-empty id, got {text!r}", attr=name)
    try:
        # Quote everything, so an id can never climb out of its path segment.
        return quote(text, safe="")
    except UnicodeEncodeError:  # a lone surrogate cannot go into a URL
        raise RequestValidationError(
            f"{name}: {text!r} is not a valid id (it contains a lone surrogate)", attr=name
        ) from None


@dataclass(frozen=True)
class RequestSpec:
    """A request described as data: what an executor sends and how it reads the answer."""

    endpoint: Endpoint
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    parse: Parser = _none
    retry_safe: bool = False
    stream: bool = False
    url: str | None = None  # absolute URL (a followed ``next`` link) overriding ``path``
    # A follow-up built from this request's parsed result (e.g. get, then post): executors
    # run the chain, so two-step operations are still written once.
    then: Callable[[Any], RequestSpec | Done] | None = None

    def with_params(self, **params: Any) -> RequestSpec:
        """Return a copy with extra query parameters."""
        return replace(self, params={**self.params, **params})


def _e(
    name: str,
    method: str,
    path: str,
    scope: str | None,
    parse: Parser,
    **kw: Any,
) -> Endpoint:
    return Endpoint(name, method, path, scope, parse, **kw)


# ---- the declarations ---------------------------------------------------------------------

BE = "batch_exports/"
BATCH_EXPORTS = {
    "list": _e(
        "batch_exports.list", "GET", BE, "batch_export:read", _model(BatchExport), paginated=True
    ),
    "get": _e("batch_exports.get", "GET", BE + "{id}/", "batch_export:read", _model(BatchExport)),
    "create": _e(
        "batch_exports.create",
        "POST",
        BE,
        "batch_export:write",
        _model(BatchExport),
        request=BatchExportCreate,
    ),
    "update": _e(
        "batch_exports.update",
        "PATCH",
        BE + "{id}/",
        "batch_export:write",
        _model(BatchExport),
        request=BatchExportUpdate,
    ),
    # pause/unpause are idempotent per the contract (already paused → no change; not
    # paused → unpause returns early without a backfill), so retrying cannot duplicate.
    "pause": _e(
        "batch_exports.pause",
        "POST",
        BE + "{id}/pause/",
        "batch_export:write",
        _model(PauseResult),
        retry_safe=True,
    ),
    "unpause": _e(
        "batch_exports.unpause",
        "POST",
        BE + "{id}/unpause/",
        "batch_export:write",
        _model(PauseResult),
        retry_safe=True,
    ),
    "test_steps": _e("batch_exports.test_steps", "GET", BE + "test/", "INTERNAL", _steps),
    "run_test_step": _e(
        "batch_exports.run_test_step",
        "POST",
        BE + "{id}/run_test_step/",
        "INTERNAL",
        _model(TestStep),
    ),
    "run_test_step_new": _e(
        "batch_exports.run_test_step_new",
        "POST",
        BE + "run_test_step_new/",
        "INTERNAL",
        _model(TestStep),
    ),
}

CV = "conversations/"
CONVERSATIONS = {
    "list": _e(
        "conversations.list", "GET", CV, "conversation:read", _model(Conversation), paginated=True
    ),
    "get": _e("conversations.get", "GET", CV + "{id}/", "conversation:read", _model(Conversation)),
    # Never retried: a retry could store the human message twice.
    "stream": _e(
        "conversations.stream",
        "POST",
        CV,
        "conversation:write",
        _none,
        request=StreamRequest,
        streams=True,
    ),
    "append_message": _e(
        "conversations.append_message",
        "POST",
        CV + "{id}/append_message/",
        None,
        _model(AppendedMessage),
        request=AppendMessageRequest,
    ),
    # cancel is idempotent (already canceling/idle → 204).
    "cancel": _e(
        "conversations.cancel", "PATCH", CV + "{id}/cancel/", None, _none, retry_safe=True
    ),
}

PC = "customer_profile_configs/"
PROFILE_CONFIGS = {
    "list": _e(
        "profile_configs.list",
        "GET",
        PC,
        "customer_profile_config:read",
        _model(ProfileConfig),
        paginated=True,
    ),
    "get": _e(
        "profile_configs.get",
        "GET",
        PC + "{id}/",
        "customer_profile_config:read",
        _model(ProfileConfig),
    ),
    "create": _e(
        "profile_configs.create",
        "POST",
        PC,
        "customer_profile_config:write",
        _model(ProfileConfig),
        request=ProfileConfigCreate,
    ),
    "update": _e(
        "profile_configs.update",
        "PATCH",
        PC + "{id}/",
        "customer_profile_config:write",
        _model(ProfileConfig),
        request=ProfileConfigUpdate,
    ),
    "delete": _e(
        "profile_configs.delete", "DELETE", PC + "{id}/", "customer_profile_config:write", _none
    ),
}
