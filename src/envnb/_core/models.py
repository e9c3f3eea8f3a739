"""Shared pydantic plumbing: lenient response models, open enums, request validation.

Rule 1 (odd server values, the same for objects and DataFrames): a value of the declared
type is kept. Another value is converted the way pydantic's lax mode converts it (``0``/``1``
or ``"true"`` → bool, ``3.0`` or ``"3"`` → int, an ISO string or Unix time → datetime),
with a :class:`~envnb.errors.DataWarning` saying what it became. A value that cannot be
converted is read as missing (None) with a DataWarning, when the field may be missing; a
required field that cannot be read fails the object with an envnb error naming it.
"""

from __future__ import annotations

import difflib
import json
import types
import warnings
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, ClassVar, TypeVar, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, model_validator

from ..errors import DataWarning, RequestValidationError

E = TypeVar("E", bound=StrEnum)
M = TypeVar("M", bound=BaseModel)


class APIModel(BaseModel):
    """Base for objects the server returns: unknown fields are kept (PostHog adds fields often).

    An odd value in a field follows Rule 1 of this module (converted or read as missing,
    with a DataWarning) instead of failing the whole object, list or page.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, use_enum_values=False)

    @model_validator(mode="wrap")
    @classmethod
    def _read_leniently(cls, data: Any, handler: pydantic.ValidatorFunctionWrapHandler) -> Any:
        if not isinstance(data, dict):
            return handler(data)
        # Warnings wait until the object is read: a retry after dropping a field would
        # repeat the nested ones, and an object that fails warns nothing.
        notes: list[str] = []
        data = _fit_scalars(cls, data, notes)
        nested: list[str] = []
        token = _NOTES.set(nested)
        try:
            try:
                result = handler(data)
            except pydantic.ValidationError as exc:
                fixed = _drop_misfits(cls, data, exc, notes)
                if fixed is None:
                    raise
                nested.clear()
                result = handler(fixed)
        finally:
            _NOTES.reset(token)
        _emit(notes + nested)
        return result


SCALARS = (bool, int, float, str, datetime)
_NOTES: ContextVar[list[str] | None] = ContextVar("envnb_data_notes", default=None)


@cache
def _adapter(kind: type) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def fit_value(kind: type, value: Any) -> tuple[Any, bool]:
    """``value`` read as ``kind`` (one of :data:`SCALARS`), and whether it was converted.

    Returns ``(None, True)`` when it cannot be read as ``kind`` (Rule 1).
    """
    if type(value) is kind or (kind is float and type(value) is int):
        return value, False
    try:
        return _adapter(kind).validate_python(value), True
    except (pydantic.ValidationError, TypeError, ValueError, OverflowError):
        return None, True


def describe_misfit(value: Any, became: Any) -> str:
    """``'3.5' → missing`` / ``0 → False``, the values shortened for a warning."""
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    if became is None:
        return f"{text} → missing"
    return f"{text} → {became.isoformat() if isinstance(became, datetime) else repr(became)}"


@cache
def _scalar_fields(cls: type[BaseModel]) -> dict[str, tuple[str, type, bool]]:
    """Input key → (field name, scalar type, may be None) for the scalar fields of ``cls``."""
    out: dict[str, tuple[str, type, bool]] = {}
    for name, info in cls.model_fields.items():
        ann, nullable = info.annotation, False
        if get_origin(ann) in (Union, types.UnionType):
            args = [a for a in get_args(ann) if a is not type(None)]
            nullable = len(args) < len(get_args(ann))
            ann = args[0] if len(args) == 1 else None
        if ann in SCALARS:
            nullable = nullable and info.default is None
            out[info.alias or name] = (name, ann, nullable)  # type: ignore[assignment]
            out[name] = out[info.alias or name]
    return out


def _fit_scalars(cls: type[BaseModel], data: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    fields = _scalar_fields(cls)
    changed: dict[str, Any] = {}
    for key, value in data.items():
        spec = fields.get(key)
        if spec is None or value is None:
            continue
        name, kind, nullable = spec
        if kind is datetime and isinstance(value, str):
            continue  # the wire form: pydantic parses it (a bad one is handled after)
        fitted, converted = fit_value(kind, value)
        if not converted or (fitted is None and not nullable):
            continue  # kept; or required: pydantic's own error names the field
        changed[key] = fitted
        notes.append(_note(cls, data, name, describe_misfit(value, fitted)))
    return {**data, **changed} if changed else data


def _drop_misfits(
    cls: type[BaseModel], data: dict[str, Any], exc: pydantic.ValidationError, notes: list[str]
) -> dict[str, Any] | None:
    """``data`` without the optional fields that failed, or None if a required one did."""
    drop: set[str] = set()
    for err in exc.errors(include_url=False):
        key = err["loc"][0] if err["loc"] else None
        name = key if isinstance(key, str) else None
        info = cls.model_fields.get(name or "") or next(
            (f for f in cls.model_fields.values() if f.alias == name), None
        )
        if name is None or info is None or info.is_required() or info.default is not None:
            return None
        drop.add(name)
    for name in sorted(drop):
        notes.append(_note(cls, data, name, describe_misfit(data.get(name), None)))
    return {k: v for k, v in data.items() if k not in drop}


def _note(cls: type[BaseModel], data: dict[str, Any], field: str, what: str) -> str:
    ident = data.get("id")
    who = f"{cls.__name__} {ident!r}" if isinstance(ident, str | int) else cls.__name__
    return f"{who}: field {field!r}: the server's value did not fit: {what}"


def _emit(notes: list[str]) -> None:
    """Warn now, or hand the notes to the object being read around this one."""
    if not notes:
        return
    outer = _NOTES.get()
    if outer is not None:
        outer.extend(notes)
        return
    for note in notes:
        warnings.warn(DataWarning(note), stacklevel=4)


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
        why = _unsendable_why(exc)
        return RequestValidationError(f"{name}: {why}", attr=None if name == "request" else name)


def _unsendable_why(exc: BaseException) -> str:
    if isinstance(exc, UnicodeEncodeError):
        return "the text contains a lone surrogate, which is not valid Unicode"
    if "Out of range float" in str(exc):
        return "the value contains NaN or Infinity, which JSON cannot carry"
    return "the value is nested too deeply to send as JSON"


def _check_sendable(value: Any) -> None:
    """Raise ValueError/RecursionError if ``value`` cannot travel as strict UTF-8 JSON."""
    json.dumps(value, ensure_ascii=False, allow_nan=False, default=str).encode("utf-8")


def check_sendable(fields: Mapping[str, Any]) -> None:
    """RequestValidationError naming the first of ``fields`` (a body without a model, a
    query string) that cannot travel as strict UTF-8 JSON: what ``to_body`` checks."""
    for name, value in fields.items():
        try:
            _check_sendable(value)
        except (ValueError, RecursionError) as exc:  # UnicodeEncodeError is a ValueError
            raise RequestValidationError(f"{name}: {_unsendable_why(exc)}", attr=name) from None


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
        raise _to_request_error(exc, model) from None


def _to_request_error(
    exc: pydantic.ValidationError, model: type[BaseModel] | None = None
) -> RequestValidationError:
    err = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"] if not str(p).startswith("function-")]
    attr = "__".join(loc) or None
    if err["type"] == "extra_forbidden" and model is not None and len(loc) == 1:
        # A misspelt keyword (pasued=True) would be sent, ignored by PostHog, and "succeed".
        fields = sorted(model.model_fields)
        close = difflib.get_close_matches(loc[0], fields, 1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return RequestValidationError(
            f"{loc[0]}: not a field of this request{hint}; fields: {', '.join(fields)}",
            attr=attr,
            allowed=fields,
        )
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
