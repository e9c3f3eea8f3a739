"""Seeded data that tells a bug from the truth (issue 24): project 2's "Audit log archive" has
exactly one page of backfills (50, PostHog's backfill page size), the newest in Starting.

An off-by-one in paging (asking for a page after a full one, or stopping one short) and a
frame or health row that reads Starting as done or as unknown both show here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import envnb
from envnb.batch_exports.models import BatchExport
from envnb.sandbox import Sandbox

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(projects=2, conversations=0) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def production(sb: Sandbox) -> Iterator[envnb.Client]:
    with sb.client(project_id=2) as client:
        yield client


@pytest.fixture(scope="module")
def audit(production: envnb.Client) -> BatchExport:
    return next(e for e in production.batch_exports.list() if e.name == "Audit log archive")


def test_a_list_of_exactly_one_page_is_read_in_one_request(
    sb: Sandbox, production: envnb.Client, audit: BatchExport
) -> None:
    sb.reset_stats()
    backfills = list(production.batch_exports.backfills(audit))
    assert len(backfills) == 50
    assert sb.stats()["requests"] == 1  # the page was full, and PostHog said no next
    assert len({b.id for b in backfills}) == 50
    sb.reset_stats()
    frame = production.batch_exports.backfills_df(audit)
    assert len(frame) == 50 and frame["id"].is_unique
    assert sb.stats()["requests"] == 1  # the export is a model already: only its one page


@pytest.mark.anyio
async def test_the_async_client_reads_the_same_page_once(sb: Sandbox, audit: BatchExport) -> None:
    client = sb.async_client(project_id=2)
    try:
        sb.reset_stats()
        backfills = [b async for b in client.batch_exports.backfills(audit.id)]
        assert len(backfills) == 50 and sb.stats()["requests"] == 1
    finally:
        await client.aclose()


def test_a_starting_backfill_reads_as_open_with_nothing_done(
    production: envnb.Client, audit: BatchExport
) -> None:
    frame = production.batch_exports.backfills_df(audit)
    newest = frame.iloc[0]  # newest first
    assert (newest["status"], newest["status_group"]) == ("Starting", "running")
    assert (newest["total_runs"], newest["finished_runs"], newest["progress"]) == (1, 0, 0.0)
    assert pd_isna(newest["finished_at"])
    assert frame["status"].astype(str).value_counts().to_dict() == {"Completed": 49, "Starting": 1}
    row = production.batch_exports.health().set_index("name").loc["Audit log archive"]
    assert (row["open_backfills"], row["backfill_progress"]) == (1, 0.0)
    assert row["running_runs"] == 0  # a Starting backfill has made no run yet


def test_project_one_has_no_starting_backfill(sb: Sandbox) -> None:
    with sb.client() as staging:
        statuses = staging.batch_exports.backfills_df()["status"].astype(str).tolist()
    assert "Starting" not in statuses and statuses.count("Running") == 1


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))
