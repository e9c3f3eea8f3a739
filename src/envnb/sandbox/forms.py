"""Form-encoded and multipart bodies, read as DRF's serializer fields read them.

PostHog's views take ``application/json``, ``application/x-www-form-urlencoded`` and
``multipart/form-data`` (DRF's three default parsers; PostHog's published schema declares all
three for every request body). A form is a flat multi-valued dict of strings; DRF's fields turn
it into data with these rules (``rest_framework/fields.py`` ``get_value`` and
``rest_framework/utils/html.py``), which :func:`form_data` follows for the operation's request
schema:

Rule 1: a scalar field reads the **last** value of its key, as a string; the handler's own
        checks then coerce it exactly as they coerce a string sent in JSON.
Rule 2: an empty value of a field that allows null is null; of another optional field, the
        field is left out (DRF: "emptiness is valid"); of a required field, it stays "".
Rule 3: a nested serializer reads the keys ``field.sub`` (``destination.type=S3``); without
        such keys the field is absent ("This field is required." where it is required). A plain
        ``destination=...`` cannot express an object and is ignored, as DRF ignores it.
Rule 4: a list field reads every value of its key, or ``field[0]``, ``field[1]``, ….
Rule 5: a JSON field (free-form value) parses its string as JSON; what does not parse is the
        field's 400 "Value must be valid JSON." (``attr`` joined by ``__`` when nested, as
        drf-exceptions-hog names nested fields).
Rule 6: a file part is an :class:`UploadedFile`: no string, number, boolean or JSON field
        accepts it, so it is that field's 400, never a 500.
Keys the schema does not name pass through as strings (unknown fields are ignored by DRF;
``personal_api_key`` authenticates from a form body too).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData, UploadFile

from . import errors
from .schema_components import COMPONENTS

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part; ``str()`` is its file name, as Django's ``UploadedFile``."""

    name: str

    def __str__(self) -> str:
        return self.name


Pairs = list[tuple[str, Any]]


def is_form(content_type: str) -> bool:
    """Whether DRF's FormParser or MultiPartParser takes this ``Content-Type``."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media in FORM_TYPES


def pairs(form: FormData) -> Pairs:
    """The form's (key, value) pairs in order, file parts as :class:`UploadedFile`."""
    return [
        (key, UploadedFile(value.filename or "") if isinstance(value, UploadFile) else value)
        for key, value in form.multi_items()
    ]


def form_data(items: Pairs, schema_name: str | None) -> dict[str, Any]:
    """The body a DRF serializer for ``schema_name`` (a sandbox component) would see."""
    return _read(items, _resolve(COMPONENTS[schema_name]) if schema_name else {}, prefix="")


def _read(items: Pairs, schema: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    properties, _ = _properties(schema)
    required = set(schema.get("required", ()))
    data: dict[str, Any] = {}
    for key, value in items:  # Rule 1 for keys the schema does not name: the last value
        if "." not in key and "[" not in key and key not in properties:
            data[key] = value
    for name, field_schema in properties.items():
        read = _field(items, name, _resolve(field_schema), f"{prefix}{name}", name in required)
        if read is not _ABSENT:
            data[name] = read
    return data


_ABSENT = object()


def _field(items: Pairs, name: str, schema: dict[str, Any], attr: str, required: bool) -> Any:
    nested, free = _properties(schema)
    if nested:  # Rule 3
        inner = [(key[len(name) + 1 :], v) for key, v in items if key.startswith(f"{name}.")]
        return _read(inner, schema, prefix=f"{attr}__") if inner else _ABSENT
    if schema.get("type") == "array":  # Rule 4
        values = [v for key, v in items if key == name]
        return values or _indexed(items, name) or _ABSENT
    values = [v for key, v in items if key == name]
    if not values:
        return _ABSENT
    value = values[-1]
    if free:  # Rule 5 (DRF's JSONField reads its key its own way: no Rule 2)
        return _json(value, attr)
    if value == "" and schema.get("nullable"):  # Rule 2
        return None
    if value == "" and not required:  # Rule 2: "emptiness is valid", the field is left out
        return _ABSENT
    return value


def _indexed(items: Pairs, name: str) -> list[Any]:
    pattern = re.compile(rf"^{re.escape(name)}\[([0-9]+)\](.*)$")
    found: dict[int, Any] = {}
    for key, value in items:
        match = pattern.match(key)
        if match is None:
            continue
        index, rest = int(match.group(1)), match.group(2)
        if not rest:
            found[index] = value
        elif isinstance(found.get(index), dict):
            found[index][rest] = value
        else:
            found[index] = {rest: value}
    return [found[index] for index in sorted(found)]


def _json(value: Any, attr: str) -> Any:
    try:
        if not isinstance(value, str):
            raise TypeError(type(value).__name__)
        return json.loads(value)
    except (TypeError, ValueError):
        raise errors.validation("Value must be valid JSON.", attr) from None


def _resolve(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with ``$ref`` and ``allOf`` folded in (nullable kept)."""
    if "$ref" in schema:
        target = _resolve(COMPONENTS[str(schema["$ref"]).rsplit("/", 1)[-1]])
        return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            resolved = _resolve(part)
            merged["properties"].update(resolved.get("properties", {}))
            merged["required"] += resolved.get("required", [])
        return merged
    return dict(schema)


def _properties(schema: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """A nested serializer's fields, and whether the value is free-form JSON instead."""
    properties = schema.get("properties")
    if isinstance(properties, dict) and properties:
        return properties, False
    kind = schema.get("type")
    free = kind in (None, "object") and "enum" not in schema
    return {}, free
