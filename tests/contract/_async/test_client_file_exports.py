"""client.file_exports on both clients against the sandbox, over real loopback HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from envnb.errors import BadRequestError, FileExportError, RequestValidationError
from envnb.sandbox import Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

# The events table ends here; everything before it is in the past for PostHog's checks.
CLOCK = datetime(2026, 11, 27, tzinfo=UTC)
WEEK = ("2026-11-20T00:00:00Z", "2026-11-27T00:00:00Z")
PER_WEEK = "SELECT count() FROM events WHERE timestamp >= '{0}' AND timestamp < '{1}'"
HOGQL = (
    "SELECT event, distinct_id, timestamp FROM events WHERE event = 'purchase' "
    "AND timestamp >= {data_interval_start} AND timestamp < {data_interval_end}"
)


@pytest.fixture
def pinned() -> Iterator[Sandbox]:
    """A sandbox whose events end at CLOCK, with runs that finish at once."""
    with Sandbox(seed=0, clock=CLOCK, conversations=5) as sb:
        sb.file_exports.start_delay = 0.0
        sb.file_exports.duration = 0.0
        yield sb


def _rows(path: Path) -> int:
    # pyarrow reads the footer itself: an independent count of what the file holds.
    return int(pq.ParquetFile(path).metadata.num_rows)


async def test_every_operation(pinned: Sandbox) -> None:
    sb = pinned
    c = sb.async_client()
    try:
        run_id = await c.file_exports.create("events", *WEEK)
        run = await c.file_exports.get(run_id)
        assert run.status == "Completed"
        assert run.files is not None and len(run.files) == 1
        week = (await c.query(PER_WEEK.format("2026-11-20", "2026-11-27"))).results[0][0]
        assert run.records_completed == week

        listed = [r async for r in c.file_exports.list()]
        assert [(r.id, r.status) for r in listed] == [(run_id, "Completed")]
        frame = await c.file_exports.list_df()
        assert list(frame.columns) == ["id", "status"]
        assert frame["id"].tolist() == [run_id]

        url = await c.file_exports.link(run_id)
        assert url.startswith(sb.url + "/object-store/file-downloads/" + run.files[0])
        assert sb.api_key not in url

        with pytest.raises(BadRequestError, match="Cannot cancel a run that is in 'Completed'"):
            await c.file_exports.cancel(run_id)
        sb.file_exports.duration = 3600.0
        slow = await c.file_exports.create("persons", *WEEK)
        with pytest.raises(BadRequestError, match="Batch export run is still in progress"):
            await c.file_exports.link(slow)
        assert (await c.file_exports.cancel(slow)).status == "Cancelled"
        assert (await c.file_exports.get(slow)).status == "Cancelled"
        with pytest.raises(BadRequestError, match="Batch export run was cancelled"):
            await c.file_exports.link(slow)

        purchases = (
            await c.query(
                "SELECT count() FROM events WHERE event = 'purchase' "
                "AND timestamp >= '2026-11-20' AND timestamp < '2026-11-27'"
            )
        ).results[0][0]
        assert await c.file_exports.count_rows(HOGQL, *WEEK) == purchases
    finally:
        await c.aclose()


async def test_download_lands_a_week_without_sending_the_key(
    pinned: Sandbox, tmp_path: Path
) -> None:
    sb = pinned
    c = sb.async_client()
    try:
        dl = await c.file_exports.download("events", *WEEK, folder=tmp_path)
    finally:
        await c.aclose()
    assert [p.name for p in dl.files] == ["events_20261120T000000Z-20261127T000000Z_0000.parquet"]
    assert dl.records == _rows(dl.files[0])
    assert dl.duckdb().count("*").fetchall() == [(dl.records,)]
    assert dl.arrow().count_rows() == dl.records
    assert list(dl.arrow().schema.names[:10]) == [
        "uuid", "event", "properties", "distinct_id", "team_id", "timestamp", "created_at",
        "elements_chain", "person_id", "person_properties",
    ]  # fmt: skip
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert list(manifest["runs"]) == ["20261120T000000Z-20261127T000000Z"]
    # The object store got no key and no PostHog header: the presigned URL is the credential.
    sent = sb.file_exports.object_requests
    assert len(sent) == 1
    assert "authorization" not in sent[0]
    assert not any(sb.api_key in value for value in sent[0].values())
    assert not sent[0]["user-agent"].startswith("envnb")
    assert not list(tmp_path.glob(".partial/*"))


async def test_a_long_range_is_split_into_runs_of_at_most_seven_days(
    pinned: Sandbox, tmp_path: Path
) -> None:
    sb = pinned
    c = sb.async_client()
    try:
        dl = await c.file_exports.download(
            "events", "2026-11-10T00:00:00Z", "2026-11-27T00:00:00Z", folder=tmp_path
        )
        spans = [("2026-11-10", "2026-11-17"), ("2026-11-17", "2026-11-24")]
        spans.append(("2026-11-24", "2026-11-27"))
        counts = [(await c.query(PER_WEEK.format(*span))).results[0][0] for span in spans]
    finally:
        await c.aclose()
    assert [p.name for p in dl.files] == [
        "events_20261110T000000Z-20261117T000000Z_0000.parquet",
        "events_20261117T000000Z-20261124T000000Z_0000.parquet",
        "events_20261124T000000Z-20261127T000000Z_0000.parquet",
    ]
    assert [_rows(p) for p in dl.files] == counts
    assert dl.records == sum(counts)
    assert sb.stats()["writes"]["file_export.create"] == 3


async def test_too_many_concurrent_downloads_are_waited_for(
    pinned: Sandbox, tmp_path: Path
) -> None:
    sb = pinned
    sb.file_exports.max_concurrent = 1
    # A run ends on its second status read, so the next create always finds the slot taken.
    sb.file_exports.finish_after_reads = 2
    c = sb.async_client()
    try:
        dl = await c.file_exports.download(
            "sessions", "2026-11-06T00:00:00Z", "2026-11-27T00:00:00Z", folder=tmp_path,
            concurrency=3,
        )  # fmt: skip
    finally:
        await c.aclose()
    assert len(dl.files) == 3
    # The second run's first create found the first run still going: 429
    # too_many_concurrent_file_downloads, waited out (how often it asked again is the
    # client's polling, not the contract).
    assert sb.file_exports.refused >= 1
    assert sb.stats()["writes"]["file_export.create"] == 3


async def test_a_failed_run_names_its_error_and_range(pinned: Sandbox, tmp_path: Path) -> None:
    sb = pinned
    sb.file_exports.fail_runs = 1
    c = sb.async_client()
    try:
        with pytest.raises(FileExportError) as caught:
            await c.file_exports.download("events", *WEEK, folder=tmp_path)
    finally:
        await c.aclose()
    message = str(caught.value)
    assert "ended Failed: An error occurred while exporting" in message
    assert "2026-11-20T00:00:00+00:00 – 2026-11-27T00:00:00+00:00" in message
    assert caught.value.start == datetime(2026, 11, 20, tzinfo=UTC)
    assert caught.value.end == datetime(2026, 11, 27, tzinfo=UTC)
    assert not list(tmp_path.glob("*.parquet"))  # nothing that looks complete


async def test_verify_catches_a_truncated_file(pinned: Sandbox, tmp_path: Path) -> None:
    sb = pinned
    c = sb.async_client()
    try:
        dl = await c.file_exports.download("events", *WEEK, folder=tmp_path)
    finally:
        await c.aclose()
    assert dl.verify() is dl
    path = dl.files[0]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileExportError, match=path.name + r": \d+ bytes with sha256"):
        dl.verify()


async def test_bad_arguments_are_refused_before_anything_is_sent(pinned: Sandbox) -> None:
    sb = pinned
    c = sb.async_client()
    before = sb.stats()["requests"]
    try:
        cases = [
            ({"model": "clicks"}, "model"),
            ({"start": "2099-01-01T00:00:00Z", "end": "2099-01-02T00:00:00Z"}, "start"),
            ({"start": "2026-11-20T00:00:00Z", "end": "2099-01-02T00:00:00Z"}, "end"),
            ({"start": "2026-11-20T00:00:00Z", "end": "2026-11-10T00:00:00Z"}, "start"),
            ({"model": "hogql", "hogql": "SELECT event FROM events"}, "hogql"),
            ({"hogql": HOGQL}, "model"),
            ({"format": "CSV"}, "format"),
        ]
        for kwargs, attr in cases:
            with pytest.raises(RequestValidationError) as caught:
                await c.file_exports.download(**kwargs)  # type: ignore[arg-type]
            assert caught.value.attr == attr, kwargs
        with pytest.raises(RequestValidationError) as caught:
            await c.file_exports.create("events", "2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z")
        assert caught.value.attr == "end"
    finally:
        await c.aclose()
    assert sb.stats()["requests"] == before


async def test_hogql_download_checks_count_rows(pinned: Sandbox, tmp_path: Path) -> None:
    sb = pinned
    c = sb.async_client()
    try:
        dl = await c.file_exports.download(
            "hogql", *WEEK, hogql=HOGQL, folder=tmp_path, format="JSONLines", compression="gzip"
        )
        expected = await c.file_exports.count_rows(HOGQL, *WEEK)
    finally:
        await c.aclose()
    assert [p.name for p in dl.files] == ["hogql_20261120T000000Z-20261127T000000Z_0000.jsonl.gz"]
    assert dl.records == expected
    frame = dl.df()
    assert list(frame.columns) == ["event", "distinct_id", "timestamp"]
    assert set(frame["event"]) == {"purchase"}


async def test_a_file_cut_off_mid_way_is_fetched_again(pinned: Sandbox, tmp_path: Path) -> None:
    sb = pinned
    sb.file_exports.drop_objects = 1
    c = sb.async_client()
    try:
        dl = await c.file_exports.download("events", *WEEK, folder=tmp_path)
    finally:
        await c.aclose()
    assert len(sb.file_exports.object_requests) == 2  # the broken fetch, then a whole one
    assert dl.verify().records == _rows(dl.files[0])


async def test_a_range_without_rows_reads_as_no_rows_with_the_models_columns(
    pinned: Sandbox, tmp_path: Path
) -> None:
    sb = pinned
    c = sb.async_client()
    empty = ("2020-01-01T00:00:00Z", "2020-01-08T00:00:00Z")  # years before the seeded data
    try:
        for model in ("events", "persons", "sessions"):
            full = await c.file_exports.download(model, *WEEK, folder=tmp_path / model)
            none = await c.file_exports.download(model, *empty, folder=tmp_path / model)
            assert none.records == 0 and none.files == []
            rel, files = none.duckdb(), full.duckdb()
            assert rel.fetchall() == []
            # The same columns and types as the files PostHog writes when there are rows.
            assert list(zip(rel.columns, map(str, rel.types), strict=True)) == list(
                zip(files.columns, map(str, files.types), strict=True)
            ), model
            frame = none.df()
            assert len(frame) == 0 and list(frame.columns) == files.columns
            dataset = none.arrow()
            assert dataset.count_rows() == 0
            assert dataset.schema.names == files.columns
    finally:
        await c.aclose()
    assert not list((tmp_path / "events").glob("*2020010*"))  # no file for the empty week


async def test_a_file_as_the_folder_is_refused_before_anything_is_sent(
    pinned: Sandbox, tmp_path: Path
) -> None:
    sb = pinned
    taken = tmp_path / "notes.txt"
    taken.write_text("not a folder")
    c = sb.async_client()
    before = sb.stats()["requests"]
    try:
        for folder in (taken, taken / "events"):
            with pytest.raises(RequestValidationError) as caught:
                await c.file_exports.download("events", *WEEK, folder=folder)
            assert caught.value.attr == "folder"
            assert f"folder: {folder} " in str(caught.value)
            assert "is a file, not a folder" in str(caught.value)
    finally:
        await c.aclose()
    assert sb.stats()["requests"] == before
    assert taken.read_text() == "not a folder"


async def test_a_hogql_download_without_rows_has_the_querys_columns(
    pinned: Sandbox, tmp_path: Path
) -> None:
    sb = pinned
    c = sb.async_client()
    try:
        full = await c.file_exports.download("hogql", *WEEK, hogql=HOGQL, folder=tmp_path)
        none = await c.file_exports.download(
            "hogql", "2020-01-01T00:00:00Z", "2020-01-08T00:00:00Z", hogql=HOGQL, folder=tmp_path
        )
    finally:
        await c.aclose()
    assert none.records == 0 and none.files == []
    rel, files = none.duckdb(), full.duckdb()
    assert rel.fetchall() == []
    assert rel.columns == files.columns == ["event", "distinct_id", "timestamp"]
    assert list(map(str, rel.types)) == list(map(str, files.types))
    assert list(none.df().columns) == ["event", "distinct_id", "timestamp"]
