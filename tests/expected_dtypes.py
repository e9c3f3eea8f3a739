"""The dtypes every list frame must have, written out (never derived from envnb's own maps).

Changing a column map in ``envnb.batch_exports.frames`` (``Int64`` to ``float64``, ``string`` or
``boolean`` to ``object``) must fail the tests that compare against these.
"""

UTC = "datetime64[us, UTC]"  # microseconds: PostHog timestamps outside 1677–2262 fit too

EXPORTS = {
    "id": "string",
    "name": "string",
    "destination_type": "category",
    "model": "category",
    "interval": "category",
    "paused": "boolean",
    "created_at": UTC,
    "last_updated_at": UTC,
    "last_paused_at": UTC,
    "start_at": UTC,
    "end_at": UTC,
    "timezone": "string",
    "offset_day": "Int64",
    "offset_hour": "Int64",
    "latest_run_status": "category",
    "latest_run_at": UTC,
    "latest_run_records": "Int64",
    "team_id": "Int64",
    "integration": "Int64",
    "incremental_mode": "category",
}
CONVERSATIONS = {
    "id": "string",
    "title": "string",
    "status": "category",
    "type": "category",
    "created_at": UTC,
    "updated_at": UTC,
    "user_email": "string",
    "is_internal": "boolean",
    "message_count": "Int64",
}
PROFILE_CONFIGS = {
    "id": "string",
    "scope": "category",
    "created_at": UTC,
    "updated_at": UTC,
    "content_items": "Int64",
    "sidebar_items": "Int64",
}
MESSAGES = {
    "position": "Int64",
    "id": "string",
    "type": "category",
    "content": "string",
    "tool_call_id": "string",
}


def dtypes(df: object) -> dict[str, str]:
    """A frame's dtypes as plain strings."""
    return {str(k): str(v) for k, v in df.dtypes.items()}  # type: ignore[attr-defined]
