"""Checks and shapes of the arguments resource methods take (pure; both clients use them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol, TypeAlias
from uuid import UUID, uuid4

from ..errors import RequestValidationError


class HasId(Protocol):
    """Anything with an ``id`` (every model envnb returns)."""

    @property
    def id(self) -> object: ...


# What a method taking an object accepts: its id, or the object itself.
Id: TypeAlias = str | int | HasId
# An instant as the time-window arguments take it: a datetime (naive = UTC), a date, ISO
# text or a relative "-30d" / "-12h"; None for "not set".
When: TypeAlias = datetime | date | str | None


# PostHog's ids are UUIDs (36 characters) or integers; anything much longer is a mistake
# (and a URL of a megabyte would fail inside httpx instead of naming the argument).
MAX_ID_LENGTH = 200


def ident(value: Id, attr: str = "id") -> str:
    """An object id from an id string, an int, a UUID or a model with ``.id``.

    RequestValidationError (``attr``) for another type, an empty id, control characters or
    more than ``MAX_ID_LENGTH`` characters — raised before anything is sent.
    """
    raw = getattr(value, "id", value)
    if isinstance(raw, bool) or not isinstance(raw, str | int | UUID):
        raise RequestValidationError(
            f"{attr}: must be an id (a string, an int or the object itself), "
            f"not {type(raw).__name__}",
            attr=attr,
        )
    text = str(raw).strip()
    if not text:
        raise RequestValidationError(f"{attr}: must be a non-empty id, got {text!r}", attr=attr)
    if len(text) > MAX_ID_LENGTH:
        raise RequestValidationError(
            f"{attr}: {len(text)} characters is too long for an id; at most {MAX_ID_LENGTH}",
            attr=attr,
        )
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text):
        raise RequestValidationError(
            f"{attr}: {text!r} is not a valid id (it contains control characters)", attr=attr
        )
    return text


def check_uuid(attr: str, text: str) -> str:
    """``text`` if it is a UUID; RequestValidationError naming ``attr`` otherwise (before a
    request PostHog would answer with a bare 404)."""
    try:
        UUID(text)
    except ValueError:
        raise RequestValidationError(
            f"{attr}: must be a UUID (PostHog's ids for it are), got {text!r}", attr=attr
        ) from None
    return text


def new_uuid() -> str:
    """A client-chosen UUID (conversation ids and trace ids)."""
    return str(uuid4())


def check_paging(limit: Any, page_size: Any) -> None:
    """``limit``: an int >= 0 or None; ``page_size``: an int >= 1 (RequestValidationError)."""
    for name, value, low in (("limit", limit, 0), ("page_size", page_size, 1)):
        if value is None and name == "limit":
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise RequestValidationError(
                f"{name}: must be an int >= {low}"
                + (" or None" if name == "limit" else "")
                + f", got {value!r}",
                attr=name,
            )


def check_flag(name: str, value: Any) -> bool:
    """A yes/no argument: exactly True or False (RequestValidationError naming it)."""
    if not isinstance(value, bool):
        raise RequestValidationError(f"{name}: must be True or False, got {value!r}", attr=name)
    return value


def check_allowed(field: str, value: Any, allowed: tuple[str, ...]) -> None:
    """RequestValidationError naming ``field`` and listing ``allowed`` unless ``value`` is one."""
    if value not in allowed:
        raise RequestValidationError(
            f"{field}: {value!r} is not allowed; allowed values: " + ", ".join(allowed),
            attr=field,
            allowed=allowed,
        )
