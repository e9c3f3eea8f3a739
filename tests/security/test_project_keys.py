"""Keys across projects and regions: a key goes only to its own host, and no frame, repr,
warning or plan of the projects features ever shows one."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import envnb
from envnb.projects.profile_file import get_profile, load_profiles, write_profile
from envnb.sandbox import Sandbox


@pytest.fixture(scope="module")
def regions() -> Iterator[tuple[Sandbox, Sandbox]]:
    with Sandbox(projects=2, conversations=6) as us, Sandbox(seed=1, conversations=6) as eu:
        yield us, eu


def test_a_project_limited_key_never_reaches_another_host_or_project(
    regions: tuple[Sandbox, Sandbox], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, eu = regions
    us_key = us.create_key(["batch_export:read", "project:read"], projects=[2])
    monkeypatch.setenv("ENVNB_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("EU_KEY", eu.api_key)
    write_profile("production-us", us.url, [2], api_key=us_key, region="us")
    write_profile("production-eu", eu.url, [1], api_key_env="EU_KEY", region="eu")
    with envnb.Fleet(["production-us", "production-eu"]) as fleet:
        frame = fleet.batch_exports_df()
        fleet.health()
    assert frame["error"].isna().all()
    assert eu.key_uses(us_key) == 0 and us.key_uses(eu.api_key) == 0
    assert us.key_uses(us_key) > 0 and eu.key_uses(eu.api_key) > 0
    # every_project with the limited key lists only project 2: project 1 is never asked.
    us.reset_stats()
    with (
        us.client(api_key=us_key, project_id=2) as client,
        envnb.Fleet.every_project(client) as fleet,
    ):
        assert [m.project_id for m in fleet.members] == ["2"]
        assert fleet.batch_exports_df()["error"].isna().all()


def test_no_key_in_any_frame_repr_warning_or_plan(
    regions: tuple[Sandbox, Sandbox], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, eu = regions
    monkeypatch.setenv("ENVNB_CONFIG_DIR", str(tmp_path))
    write_profile("staging", us.url, [1, 2], api_key=us.api_key)
    write_profile("eu", eu.url, [1], api_key=eu.api_key)
    keys = [us.api_key, eu.api_key]
    shown: list[str] = [repr(p) for p in load_profiles().values()]
    shown.append(envnb.profiles().to_string())
    shown.append(str(get_profile("staging")))
    eu.set_faults("status=401,route=batch_exports")  # one failing project: a warning
    try:
        with warnings.catch_warnings(record=True) as caught, envnb.Fleet(["staging", "eu"]) as f:
            warnings.simplefilter("always")
            shown += [repr(f), *(repr(m) for m in f.members)]
            for frame in (
                f.projects_df(),
                f.batch_exports_df(),
                f.health(),
                f.profile_configs_df(),
                f.conversations_df(),
            ):
                shown.append(frame.to_string())
                shown.append(frame.to_json())
    finally:
        eu.set_faults(None)
    plan = envnb.diff("staging", "eu", "batch_exports")
    shown += [repr(plan), plan.df.to_string(), plan._repr_html_()]
    shown += [str(w.message) for w in caught]
    assert any("FleetWarning" in type(w.message).__name__ for w in caught)
    text = "\n".join(shown)
    for key in keys:
        assert key not in text
    assert "sandbox-secret-" not in text
