"""Models: unknown fields kept, open enums, request validation naming field and values."""

from __future__ import annotations

from typing import Any

import pytest

from envnb._core.models import validate_request
from envnb.batch_exports.models import (
    BatchExport,
    BatchExportCreate,
    BatchExportUpdate,
    Interval,
)
from envnb.conversations.models import (
    AppendMessageRequest,
    Conversation,
    GenericMessage,
    HumanMessage,
    StreamRequest,
)
from envnb.errors import RequestValidationError
from envnb.profile_configs.models import ProfileConfigCreate, ProfileConfigUpdate

NOOP = {"type": "NoOp", "config": {}}


def test_unknown_fields_and_enum_values_kept() -> None:
    be = BatchExport.model_validate(
        {
            "id": "1",
            "name": "n",
            "destination": {"type": "Kafka", "config": {}},
            "interval": "every 2 minutes",
            "brand_new": {"x": 1},
        }
    )
    assert be.destination.type == "Kafka"
    assert be.interval == "every 2 minutes"
    assert be.model_extra == {"brand_new": {"x": 1}}
    known = BatchExport.model_validate(
        {"id": "1", "name": "n", "destination": NOOP, "interval": "day"}
    )
    assert known.interval is Interval.DAY


def test_messages_discriminated_with_unknown_kept() -> None:
    conv = Conversation.model_validate(
        {
            "id": "c",
            "messages": [
                {"type": "human", "content": "q", "id": "1"},
                {"type": "ai/future_thing", "id": "2", "payload": [1]},
            ],
        }
    )
    assert isinstance(conv.messages[0], HumanMessage)
    assert isinstance(conv.messages[1], GenericMessage)
    assert conv.messages[1].type == "ai/future_thing"
    assert conv.messages[1].model_extra == {"payload": [1]}


@pytest.mark.parametrize(
    ("data", "attr", "needle"),
    [
        ({"name": "a", "destination": NOOP, "interval": "hourly"}, "interval", "'week'"),
        ({"name": "a", "destination": NOOP, "interval": "day", "model": "x"}, "model", "events"),
        (
            {"name": "a", "destination": {"type": "Kafka"}, "interval": "day"},
            "destination__type",
            "Snowflake",
        ),
        (
            {"name": "a", "destination": NOOP, "interval": "day", "offset_hour": 24},
            "offset_hour",
            "0-23",
        ),
        (
            {"name": "a", "destination": NOOP, "interval": "day", "offset_day": 2},
            "offset_day",
            "week",
        ),
        (
            {"name": "a", "destination": NOOP, "interval": "hour", "offset_hour": 2},
            "offset_hour",
            "'day' or 'week'",
        ),
        (
            {
                "name": "a",
                "destination": {"type": "Postgres", "config": {"user": "u"}},
                "interval": "day",
            },
            "destination__config__database",
            "database",
        ),
        # PostHog's messages (validate_destination): new Postgres/BigQuery exports name an
        # integration; the legacy S3 type can no longer be created.
        (
            {
                "name": "a",
                "destination": {"type": "Postgres", "config": {"database": "d"}},
                "interval": "day",
            },
            "destination__integration_id",
            "Integration is required for Postgres batch exports",
        ),
        (
            {
                "name": "a",
                "destination": {"type": "BigQuery", "config": {"dataset_id": "d"}},
                "interval": "day",
            },
            "destination__integration_id",
            "Integration is required for BigQuery batch exports",
        ),
        (
            {
                "name": "a",
                "destination": {"type": "HTTP", "config": {"url": "u", "token": "t"}},
                "interval": "day",
                "model": "persons",
            },
            "model",
            "events",
        ),
        ({"name": " ", "destination": NOOP, "interval": "day"}, "name", "empty"),
    ],
)
def test_batch_export_create_validation(data: dict[str, Any], attr: str, needle: str) -> None:
    with pytest.raises(RequestValidationError) as info:
        validate_request(BatchExportCreate, data)
    assert info.value.attr == attr
    assert needle in str(info.value)
    assert isinstance(info.value, ValueError)


def test_valid_create_and_partial_update_bodies() -> None:
    body = validate_request(
        BatchExportCreate,
        {"name": "a", "destination": NOOP, "interval": "week", "offset_day": 6, "offset_hour": 23},
    ).to_body()
    assert body["interval"] == "week" and body["offset_day"] == 6
    assert "paused" not in body  # unset fields are not sent
    assert validate_request(BatchExportUpdate, {"paused": True}).to_body() == {"paused": True}


def test_enum_error_lists_allowed_values() -> None:
    with pytest.raises(RequestValidationError) as info:
        validate_request(ProfileConfigCreate, {"scope": "group_9"})
    assert info.value.attr == "scope"
    assert info.value.allowed == ("person", "group_0", "group_1", "group_2", "group_3", "group_4")
    assert "group_9" in str(info.value) and "person" in str(info.value)


@pytest.mark.parametrize("field", ["content", "sidebar"])
def test_profile_content_must_be_dict_or_list(field: str) -> None:
    with pytest.raises(RequestValidationError) as info:
        validate_request(ProfileConfigUpdate, {field: "text"})
    assert info.value.attr == field
    ok = validate_request(ProfileConfigUpdate, {field: [1]}).to_body()
    assert ok == {field: [1]}


def test_stream_request_limits_and_null_content_kept() -> None:
    ids = {
        "conversation": "6f1b7a4e-0000-4000-8000-000000000001",
        "trace_id": "6f1b7a4e-0000-4000-8000-000000000002",
    }
    with pytest.raises(RequestValidationError) as info:
        validate_request(StreamRequest, {"content": "x" * 40_001, **ids})
    assert info.value.attr == "content" and "40000" in str(info.value)
    body = validate_request(StreamRequest, {"content": None, **ids}).to_body()
    assert body["content"] is None and body["conversation"] == ids["conversation"]
    with pytest.raises(RequestValidationError) as info2:
        validate_request(StreamRequest, {"content": "hi", "agent_mode": "chaos", **ids})
    assert info2.value.attr == "agent_mode" and "sql" in str(info2.value)
    with pytest.raises(RequestValidationError):
        validate_request(AppendMessageRequest, {"content": "x" * 10_001})
