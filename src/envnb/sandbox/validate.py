"""DRF field checks with DRF's messages and codes, shared by the handlers."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from . import errors
from ._util import iso


def _given(data: dict[str, Any], name: str, *, required: bool, allow_null: bool) -> Any:
    """The field's value, or None when it may be absent/null; DRF's errors otherwise."""
    if name not in data:
        if required:
            raise errors.required(name)
        return None
    value = data[name]
    if value is None and not allow_null:
        raise errors.validation("This field may not be null.", name, "null")
    return value


def string(
    data: dict[str, Any],
    name: str,
    *,
    required: bool,
    max_length: int | None = None,
    allow_null: bool = False,
    allow_blank: bool = False,
) -> str | None:
    """A CharField: numbers are coerced, other types refused."""
    value = _given(data, name, required=required, allow_null=allow_null)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise errors.validation("Not a valid string.", name)
    text = str(value)
    if "\x00" in text:
        # DRF CharField's ProhibitNullCharactersValidator.
        raise errors.validation(
            "Null characters are not allowed.", name, "null_characters_not_allowed"
        )
    if not text.strip() and not allow_blank:
        raise errors.validation("This field may not be blank.", name, "blank")
    if max_length is not None and len(text) > max_length:
        raise errors.validation(
            f"Ensure this field has no more than {max_length} characters.", name, "max_length"
        )
    return text


def choice(
    data: dict[str, Any],
    name: str,
    choices: Collection[str],
    *,
    required: bool,
    allow_null: bool = False,
) -> str | None:
    """A ChoiceField."""
    value = _given(data, name, required=required, allow_null=allow_null)
    if value is None:
        return None
    if not isinstance(value, str) or value not in choices:
        raise errors.invalid_choice(value, name)
    return value


def boolean(data: dict[str, Any], name: str) -> bool | None:
    """A BooleanField (DRF accepts a few string spellings)."""
    if name not in data:
        return None
    value = data[name]
    if value in (True, "true", "True", "1", 1, "yes", "on"):
        return True
    if value in (False, "false", "False", "0", 0, "no", "off"):
        return False
    raise errors.validation("Must be a valid boolean.", name)


def integer(data: dict[str, Any], name: str, low: int, high: int) -> int | None:
    """A nullable IntegerField with min/max."""
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        raise errors.validation("A valid integer is required.", name)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise errors.validation("A valid integer is required.", name) from None
    if isinstance(value, float) and value != number:
        raise errors.validation("A valid integer is required.", name)
    if number < low:
        raise errors.validation(
            f"Ensure this value is greater than or equal to {low}.", name, "min_value"
        )
    if number > high:
        raise errors.validation(
            f"Ensure this value is less than or equal to {high}.", name, "max_value"
        )
    return number


def moment(data: dict[str, Any], name: str) -> str | None:
    """A nullable DateTimeField; returns the value normalised to ISO."""
    return iso(parse_moment(data, name))


def parse_moment(data: dict[str, Any], name: str) -> datetime | None:
    """A nullable DateTimeField as a datetime (a naive one is read as UTC, as DRF does)."""
    value = data.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise errors.validation(
            "Datetime has wrong format. Use one of these formats instead: "
            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
            name,
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def json_object(value: Any) -> dict[str, Any]:
    """Reject a request body that is not a JSON object."""
    if not isinstance(value, dict):
        raise errors.validation(
            f"Invalid data. Expected a dictionary, but got {type(value).__name__}.",
            None,
        )
    return value
