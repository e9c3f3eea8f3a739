"""Enum-valued arguments are refused before sending, naming the field and listing its values."""

from __future__ import annotations

import pytest

from envnb.batch_exports.arguments import check_destination_type
from envnb.errors import RequestValidationError
from envnb.profile_configs.arguments import check_scope


def test_a_bad_scope_is_refused_listing_the_scopes() -> None:
    assert check_scope("group_2") == "group_2"
    with pytest.raises(RequestValidationError) as info:
        check_scope("team")
    assert info.value.attr == "scope"
    assert info.value.allowed == ("person", "group_0", "group_1", "group_2", "group_3", "group_4")
    assert str(info.value) == (
        "scope: 'team' is not allowed; allowed values: "
        "person, group_0, group_1, group_2, group_3, group_4"
    )


def test_a_bad_destination_type_is_refused_listing_the_types() -> None:
    check_destination_type("Snowflake")
    with pytest.raises(RequestValidationError) as info:
        check_destination_type("Kafka")
    assert info.value.attr == "destination_type"
    assert str(info.value).startswith(
        "destination_type: 'Kafka' is not allowed; allowed values: S3, "
    )
