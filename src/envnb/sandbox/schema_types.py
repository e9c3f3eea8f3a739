"""Building blocks of the sandbox's OpenAPI schemas, shared by the component modules."""

from __future__ import annotations

from typing import Any

STR: dict[str, Any] = {"type": "string"}
DT: dict[str, Any] = {"type": "string", "format": "date-time"}
UUID: dict[str, Any] = {"type": "string", "format": "uuid"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` that also admits ``null`` (OpenAPI 3.0's ``nullable``)."""
    return {**schema, "nullable": True}


def ref(name: str) -> dict[str, Any]:
    """A reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}
