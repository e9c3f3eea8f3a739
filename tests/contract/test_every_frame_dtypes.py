"""The dtypes of every frame envnb returns, written out (issue 24): one table, frame ->
{column: dtype}, compared exactly with frames built from a sandbox. A change to a column map,
a frame builder or pandas' inference (``Int64`` -> ``float64``, ``category`` -> ``object``, a
naive datetime) fails here; the table is never derived from envnb's own maps.

Frames whose dtypes come from the data rather than a map are listed as they are on purpose:
``Download.df`` is DuckDB/Arrow's reading of the landed files (``str``, ``int32``,
``Etc/UTC``), a HogQL ``Date`` column is a naive ``datetime64`` (a date has no zone).
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from frame_dtypes_table import build, dtypes

from envnb.projects.profile_file import write_profile
from envnb.sandbox import Sandbox
from expected_dtypes import CONVERSATIONS, EXPORTS, MESSAGES, PROFILE_CONFIGS

pytestmark = pytest.mark.timeout(600)

# Added by a Fleet to every row, before the frame's own columns (error after them).
FLEET = {"project": "string", "region": "string", "project_id": "string"}
ERROR = {"error": "string"}
HEALTH: dict[str, str] = {
    "export_id": "string",
    "name": "string",
    "destination_type": "category",
    "interval": "category",
    "status": "category",
    "paused": "boolean",
    "paused_by_system_likely": "boolean",
    "last_paused_at": "datetime64[us, UTC]",
    "runs": "Int64",
    "completed_runs": "Int64",
    "failed_runs": "Int64",
    "cancelled_runs": "Int64",
    "running_runs": "Int64",
    "failure_rate": "Float64",
    "consecutive_failures": "Int64",
    "last_error": "string",
    "last_error_at": "datetime64[us, UTC]",
    "last_success_at": "datetime64[us, UTC]",
    "expected_intervals": "Int64",
    "missing_intervals": "Int64",
    "missing_ranges": "object",
    "zero_record_runs": "Int64",
    "records_exported": "Int64",
    "open_backfills": "Int64",
    "backfill_progress": "Float64",
}

EXPECTED: dict[str, dict[str, str]] = {
    "query_df HogQLQuery": {
        "event": "string",
        "n": "Int64",
        "last": "datetime64[us, UTC]",
        "first_day": "datetime64[us]",
        "f": "Float64",
    },
    "query_df TrendsQuery": {
        "date": "datetime64[us, UTC]",
        "series": "string",
        "series_index": "Int64",
        "math": "string",
        "breakdown_value": "string",
        "value": "Float64",
    },
    "query_df TrendsQuery breakdown": {
        "date": "datetime64[us, UTC]",
        "series": "string",
        "series_index": "Int64",
        "math": "string",
        "breakdown_value": "string",
        "value": "Float64",
    },
    "query_df FunnelsQuery steps": {
        "step": "Int64",
        "step_name": "string",
        "count": "Int64",
        "conversion_rate": "Float64",
        "dropped": "Int64",
        "median_conversion_time": "Float64",
        "average_conversion_time": "Float64",
        "breakdown_value": "string",
    },
    "query_df FunnelsQuery trends": {
        "date": "datetime64[us, UTC]",
        "conversion_rate": "Float64",
        "breakdown_value": "string",
    },
    "query_df FunnelsQuery time_to_convert": {
        "seconds": "Float64",
        "count": "Int64",
    },
    "query_df RetentionQuery": {
        "cohort": "datetime64[us, UTC]",
        "interval": "Int64",
        "count": "Int64",
        "cohort_size": "Int64",
        "retention_rate": "Float64",
        "breakdown_value": "string",
    },
    "query_df PathsQuery": {
        "source": "string",
        "target": "string",
        "value": "Int64",
        "average_conversion_time": "Float64",
    },
    "query_df StickinessQuery": {
        "interval": "Int64",
        "series": "string",
        "series_index": "Int64",
        "math": "string",
        "breakdown_value": "string",
        "value": "Float64",
    },
    "query_df LifecycleQuery": {
        "date": "datetime64[us, UTC]",
        "series": "string",
        "series_index": "Int64",
        "math": "string",
        "status": "string",
        "breakdown_value": "string",
        "value": "Float64",
    },
    "query_df ActorsQuery": {
        "id": "string",
        "distinct_ids": "object",
        "created_at": "datetime64[us, UTC]",
        "is_identified": "boolean",
    },
    "QueryResult.actors_df": {
        "id": "string",
        "distinct_ids": "object",
        "created_at": "datetime64[us, UTC]",
        "is_identified": "boolean",
    },
    "client.actors_df": {
        "id": "string",
        "distinct_ids": "object",
        "created_at": "datetime64[us, UTC]",
        "is_identified": "boolean",
    },
    "insight_df": {
        "date": "datetime64[us, UTC]",
        "series": "string",
        "series_index": "Int64",
        "math": "string",
        "breakdown_value": "string",
        "value": "Float64",
    },
    "batch_exports.list_df": EXPORTS,
    "conversations.list_df": CONVERSATIONS,
    "profile_configs.list_df": PROFILE_CONFIGS,
    "conversations.messages_df": MESSAGES,
    "batch_exports.runs_df": {
        "export_id": "string",
        "export_name": "string",
        "id": "string",
        "status": "category",
        "status_group": "category",
        "data_interval_start": "datetime64[us, UTC]",
        "data_interval_end": "datetime64[us, UTC]",
        "created_at": "datetime64[us, UTC]",
        "finished_at": "datetime64[us, UTC]",
        "last_updated_at": "datetime64[us, UTC]",
        "duration_s": "Float64",
        "records_completed": "Int64",
        "records_failed": "Int64",
        "records_total_count": "Int64",
        "bytes_exported": "Int64",
        "latest_error": "string",
        "backfill": "string",
    },
    "batch_exports.backfills_df": {
        "export_id": "string",
        "export_name": "string",
        "id": "string",
        "status": "category",
        "status_group": "category",
        "start_at": "datetime64[us, UTC]",
        "end_at": "datetime64[us, UTC]",
        "total_runs": "Int64",
        "finished_runs": "Int64",
        "progress": "Float64",
        "total_records_count": "Int64",
        "created_at": "datetime64[us, UTC]",
        "finished_at": "datetime64[us, UTC]",
        "last_updated_at": "datetime64[us, UTC]",
        "adjusted_start_at": "datetime64[us, UTC]",
    },
    "batch_exports.logs_df": {
        "timestamp": "datetime64[us, UTC]",
        "level": "category",
        "message": "string",
        "run_id": "string",
        "export_id": "string",
    },
    "batch_exports.metrics_df": {
        "date": "datetime64[us, UTC]",
        "successes": "Int64",
        "successes_on_retry": "Int64",
        "failures": "Int64",
    },
    "batch_exports.health": HEALTH,
    "Download.df": {
        "uuid": "str",
        "event": "str",
        "properties": "str",
        "distinct_id": "str",
        "team_id": "int32",
        "timestamp": "datetime64[us, Etc/UTC]",
        "created_at": "datetime64[us, Etc/UTC]",
        "elements_chain": "str",
        "person_id": "str",
        "person_properties": "str",
        "set": "str",
        "set_once": "str",
    },
    "file_exports.list_df": {
        "id": "string",
        "status": "category",
    },
    "profiles()": {
        "name": "string",
        "host": "string",
        "region": "string",
        "project_ids": "string",
        "key_source": "string",
        "origin": "string",
    },
    "Fleet.projects_df": {
        "project": "string",
        "region": "string",
        "project_id": "string",
        "name": "string",
        "organization": "string",
        "timezone": "string",
        "error": "string",
    },
    "Fleet.batch_exports_df": {**FLEET, **EXPORTS, **ERROR},
    "Fleet.health": {**FLEET, **HEALTH, **ERROR},
    "Fleet.profile_configs_df": {**FLEET, **PROFILE_CONFIGS, **ERROR},
    "Fleet.conversations_df": {**FLEET, **CONVERSATIONS, **ERROR},
    "Fleet.query_df": {
        "project": "string",
        "region": "string",
        "project_id": "string",
        "one": "Int64",
        "letter": "string",
        "error": "string",
    },
    "diff(...).df": {
        "name": "string",
        "action": "category",
        "fields": "string",
        "needs": "string",
        "note": "string",
        "source_id": "string",
        "target_id": "string",
    },
}


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, pd.DataFrame]]:
    tmp = tmp_path_factory.mktemp("frames")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ENVNB_CONFIG_DIR", str(tmp / "config"))

        def profile(sb: Sandbox) -> None:
            write_profile("local", sb.url, [1, 2], api_key=sb.api_key, region="local")

        yield build(tmp, profile)


def test_the_table_names_every_frame_built(frames: dict[str, pd.DataFrame]) -> None:
    assert sorted(frames) == sorted(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_frame_has_the_stated_dtypes(frames: dict[str, pd.DataFrame], name: str) -> None:
    frame = frames[name]
    assert len(frame) > 0, f"{name}: an empty frame shows no inferred dtype"
    assert dtypes(frame) == EXPECTED[name]
