"""OpenAPI component of a saved insight (PostHog's InsightSerializer, the fields we serve)."""

from __future__ import annotations

from typing import Any

COMPONENTS: dict[str, Any] = {
    "Insight": {
        "type": "object",
        "required": ["id", "short_id", "query"],
        "properties": {
            "id": {"type": "integer"},
            "short_id": {"type": "string"},
            "name": {"type": "string", "nullable": True},
            "derived_name": {"type": "string", "nullable": True},
            "description": {"type": "string", "nullable": True},
            "query": {"type": "object", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
            "last_modified_at": {"type": "string", "format": "date-time"},
        },
    }
}
