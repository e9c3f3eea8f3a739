"""Shared pydantic plumbing: lenient response models, open enums, request validation."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, ClassVar, TypeVar

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict

from ..errors import RequestValidationError

E = TypeVar("E", bound=StrEnum)
M = TypeVar("M", bound=BaseModel)


class APIModel(BaseModel):
    """Base for objects the server returns: unknown fields are kept (PostHog adds fields often)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, use_enum_values=False)


class RequestModel(BaseModel):
    """Base for request bodies: validated locally before anything is sent."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    def to_body(self) -> dict[str, Any]:
        """Return the JSON body, leaving out fields the caller did not set.

        A value JSON cannot carry (a lone surrogate, NaN or Infinity — pydantic would quietly
        send null) or nested past the serializer's depth limit raises RequestValidationError
        naming the field, before anything is sent.
        """
        unset, none = not self._exclude_none, self._exclude_none
        try:
            _check_sendable(self.model_dump(exclude_unset=unset, exclude_none=none))
            body: dict[str, Any] = self.model_dump(
                mode="json", exclude_unset=unset, exclude_none=none
            )
        except (ValueError, RecursionError) as exc:  # UnicodeEncodeError is a ValueError
            raise self._unsendable(exc) from None
        return self._finish_body(body)

    # Subclasses shape their body with these two, never by overriding to_body: every body
    # goes through the same sendability check.
    # Leave out fields that are None (True) instead of the fields the caller did not set.
    _exclude_none: ClassVar[bool] = False

    def _finish_body(self, body: dict[str, Any]) -> dict[str, Any]:
        return body

    def _unsendable(self, exc: BaseException) -> RequestValidationError:
        for name in self.model_fields_set:
            try:
                _check_sendable(self.model_dump(include={name}))
            except (ValueError, RecursionError):
                break
        else:
            name = "request"
        if isinstance(exc, UnicodeEncodeError):
            why = "the text contains a lone surrogate, which is not valid Unicode"
        elif "Out of range float" in str(exc):
            why = "the value contains NaN or Infinity, which JSON cannot carry"
        else:
            why = "the value is nested too deeply to send as JSON"
        return RequestValidationError(f"{name}: {why}", attr=None if name == "request" else name)


def _check_sendable(value: Any) -> None:
    """Raise ValueError/RecursionError if ``value`` cannot travel as strict UTF-8 JSON."""
    json.dumps(value, ensure_ascii=False, allow_nan=False, default=str).encode("utf-8")


def open_enum(enum_cls: type[E]) -> Any:
    """Type for a response field: known values become ``enum_cls``, unknown strings are kept."""
    known = {m.value for m in enum_cls}

    def _coerce(value: Any) -> Any:
        return enum_cls(value) if isinstance(value, str) and value in known else value

    return Annotated[enum_cls | str, BeforeValidator(_coerce)]


def allowed_values(enum_cls: type[StrEnum]) -> tuple[str, ...]:
    """Return the values of an enum, in declaration order."""
    return tuple(m.value for m in enum_cls)


def validate_request(model: type[M], data: dict[str, Any]) -> M:
    """Validate ``data`` into ``model`` or raise RequestValidationError naming the field."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise _to_request_error(exc) from None


def _to_request_error(exc: pydantic.ValidationError) -> RequestValidationError:
    err = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"] if not str(p).startswith("function-")]
    attr = "__".join(loc) or None
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, RequestValidationError):
        # A field validator already wrote a full message; keep it, fill in the field path.
        return RequestValidationError(str(cause), attr=cause.attr or attr, allowed=cause.allowed)
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    name = ".".join(loc) or "request"
    allowed = None
    if err["type"] == "enum" and "expected" in ctx:
        allowed = [s.strip().strip("'") for s in ctx["expected"].replace(" or ", ", ").split(",")]
        msg = f"{err['input']!r} is not allowed; allowed values: {ctx['expected']}"
    return RequestValidationError(f"{name}: {msg}", attr=attr, allowed=allowed)


class Page(APIModel):
    """The ``{count, next, previous, results}`` page envelope."""

    count: int | None = None
    next: str | None = None
    previous: str | None = None
    results: list[Any] = pydantic.Field(default_factory=list)
