"""Why the export panel offers no test for a type: read from the destination table."""

from __future__ import annotations

import pytest

from envnb.widgets.exports import no_test_reason


@pytest.mark.parametrize(
    ("destination_type", "reason"),
    [
        ("S3", ""),
        ("Snowflake", ""),
        ("Postgres", "Postgres destinations have no test."),
        ("NoOp", "NoOp destinations have no test."),
        # In DESTINATIONS with no test steps, so known: not "this version ... knows".
        ("FileDownload", "FileDownload destinations have no test."),
        ("Kafka", "Kafka destinations have no test this version of envnb knows how to run."),
    ],
)
def test_no_test_reason_reads_the_destination_table(destination_type: str, reason: str) -> None:
    assert no_test_reason(destination_type) == reason
