"""A fleet over two sandboxes standing for two regions (US staging, EU production)."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import envnb
from envnb.errors import FleetWarning
from envnb.projects.profile_file import write_profile
from envnb.sandbox import Sandbox

LABELS = ["project", "region", "project_id"]


@pytest.fixture(scope="module")
def regions() -> Iterator[tuple[Sandbox, Sandbox]]:
    with (
        Sandbox(seed=0, conversations=10) as us,
        Sandbox(seed=1, conversations=10, batch_exports=9, profile_configs=6) as eu,
    ):
        yield us, eu


@pytest.fixture
def fleet(
    regions: tuple[Sandbox, Sandbox], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[envnb.Fleet]:
    us, eu = regions
    monkeypatch.setenv("ENVNB_CONFIG_DIR", str(tmp_path))
    write_profile("staging", us.url, [us.project_id], api_key=us.api_key, region="us")
    write_profile("production", eu.url, [eu.project_id], api_key=eu.api_key, region="eu")
    with envnb.Fleet(["staging", "production"]) as made:
        yield made


def test_batch_exports_of_both_regions_in_one_frame(fleet: envnb.Fleet) -> None:
    frame = fleet.batch_exports_df()
    assert list(frame.columns[:3]) == LABELS and frame.columns[-1] == "error"
    assert frame.groupby("project", sort=False).size().to_dict() == {"staging": 12, "production": 9}
    assert frame.groupby("region", sort=False).size().to_dict() == {"us": 12, "eu": 9}
    assert frame["error"].isna().all()
    assert str(frame["destination_type"].dtype) == "category"
    assert str(frame["paused"].dtype) == "boolean"
    assert str(frame["project"].dtype) == "string"


def test_profile_configs_and_conversations_frames(fleet: envnb.Fleet) -> None:
    configs = fleet.profile_configs_df()
    assert configs.groupby("project", sort=False).size().to_dict() == {
        "staging": 8,
        "production": 6,
    }
    chats = fleet.conversations_df()
    # 10 seeded for the main user in each (the other user's and the internal one are hidden)
    assert chats.groupby("project", sort=False).size().to_dict() == {
        "staging": 10,
        "production": 10,
    }


def test_health_has_one_row_per_export_per_region(fleet: envnb.Fleet) -> None:
    health = fleet.health()
    assert health.groupby("project", sort=False).size().to_dict() == {
        "staging": 12,
        "production": 9,
    }
    assert health["error"].isna().all()


def test_query_runs_in_every_region(fleet: envnb.Fleet) -> None:
    frame = fleet.query_df("SELECT 1 AS one")
    assert frame[["project", "region", "one"]].to_dict("records") == [
        {"project": "staging", "region": "us", "one": 1},
        {"project": "production", "region": "eu", "one": 1},
    ]


def test_one_failing_region_is_a_row_and_a_warning(
    fleet: envnb.Fleet, regions: tuple[Sandbox, Sandbox]
) -> None:
    _us, eu = regions
    eu.set_faults("status=401,route=batch_exports")
    try:
        with pytest.warns(FleetWarning) as caught:
            frame = fleet.batch_exports_df()
    finally:
        eu.set_faults(None)
    assert frame.groupby("project", sort=False).size().to_dict() == {"staging": 12, "production": 1}
    bad = frame[frame["project"] == "production"].iloc[0]
    assert bad["error"].startswith("AuthenticationError: 401")
    assert bad[["name", "id"]].isna().all()
    assert len(caught) == 1
    assert "batch_exports_df: project 'production' (eu) failed" in str(caught[0].message)
    for key in regions[0].api_key, eu.api_key:
        assert key not in frame.to_string() and key not in str(caught[0].message)


def test_a_fleet_of_clients_and_its_repr(regions: tuple[Sandbox, Sandbox]) -> None:
    us, eu = regions
    with us.client() as a, eu.client() as b:
        fleet = envnb.Fleet({"staging": a, "production": b})
        text = repr(fleet)
        assert text.startswith("<Fleet of 2 projects: staging (127.0.0.1:")
        assert us.api_key not in text and eu.api_key not in text
        with pytest.raises(envnb.errors.ConfigurationError, match="both labelled"):
            envnb.Fleet([a, a])


def test_calls_run_concurrently_but_at_most_per_host_at_once(
    regions: tuple[Sandbox, Sandbox],
) -> None:
    us, _eu = regions
    clients = [us.client() for _ in range(4)]
    fleet = envnb.Fleet({f"p{i}": c for i, c in enumerate(clients)}, per_host=2)
    both_in = threading.Barrier(2, timeout=10)  # passes only if two calls overlap
    lock, running, peak = threading.Lock(), [0], [0]

    def probe(client: envnb.Client) -> str:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        both_in.wait()
        with lock:
            running[0] -= 1
        return client.project_id

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fleet.map(probe) == ["1", "1", "1", "1"]
    assert peak[0] == 2
    for client in clients:
        client.close()


def test_a_profile_with_two_projects_adds_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Sandbox(projects=2, conversations=4) as sb:
        monkeypatch.setenv("ENVNB_CONFIG_DIR", str(tmp_path))
        write_profile("acme", sb.url, [1, 2], api_key=sb.api_key, region="us")
        with envnb.Fleet(["acme"]) as fleet:
            assert [(m.project, m.project_id) for m in fleet.members] == [
                ("acme/1", "1"),
                ("acme/2", "2"),
            ]
            names = fleet.projects_df()["name"].tolist()
        assert names == ["Staging", "Production"]
