"""The client's kind tables: one entry per kind, looked up (values stated literally)."""

from __future__ import annotations

from envnb.batch_exports.destinations import DESTINATIONS, DestinationType, destination
from envnb.batch_exports.models import TESTABLE_TYPES
from envnb.query.kinds import REFRESH_MODES, ChartStyle, query_kind, source_of


def test_every_destination_type_has_an_entry() -> None:
    assert sorted(map(str, DESTINATIONS)) == sorted(map(str, DestinationType))


def test_the_testable_types_come_from_the_table() -> None:
    assert TESTABLE_TYPES == (
        "S3",
        "AwsS3",
        "S3Compatible",
        "Snowflake",
        "BigQuery",
        "Databricks",
        "AzureBlob",
    )


def test_an_unknown_destination_type_gets_an_empty_entry() -> None:
    assert destination("Kafka").required == ()
    assert destination("HTTP").secret == ("token",)


def test_wrappers_answer_as_their_source() -> None:
    trends = {"kind": "TrendsQuery", "series": []}
    wrapped = {"kind": "InsightVizNode", "source": {"kind": "DataTableNode", "source": trends}}
    assert source_of(wrapped) is trends
    assert query_kind(wrapped).chart == ChartStyle.SERIES


def test_a_kind_without_an_entry_is_read_by_its_shape() -> None:
    events = {"kind": "EventsQuery"}
    assert query_kind(events, {"types": [], "columns": []}) is query_kind({"kind": "HogQLQuery"})
    assert query_kind(events, {"results": []}).chart == ChartStyle.COLUMNS


def test_refresh_modes_are_posthogs() -> None:
    assert REFRESH_MODES == (
        "blocking",
        "async",
        "force_blocking",
        "force_async",
        "force_cache",
        "lazy_async",
        "async_except_on_cache_miss",
    )
