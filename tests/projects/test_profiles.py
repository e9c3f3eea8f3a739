"""Named profiles: the TOML file, its permissions, environment profiles, the CLI, connect()."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import envnb
from envnb.cli import main
from envnb.errors import ConfigurationError
from envnb.projects.profile_file import get_profile, load_profiles, write_profile

KEY = "phx_" + "a1" * 20  # not a real key; what must never be shown
OTHER_KEY = "phx_" + "b2" * 20


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private config folder for the test, with no POSTHOG_* or ENVNB_* settings around."""
    for name in list(os.environ):
        if name.startswith(("POSTHOG_", "ENVNB_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ENVNB_CONFIG_DIR", str(tmp_path / "cfg"))
    return tmp_path / "cfg" / "profiles.toml"


def test_write_profile_makes_a_private_file_that_reads_back(config: Path) -> None:
    path = write_profile("prod-eu", "eu", [12345], api_key=KEY)
    assert path == config
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    profile = get_profile("prod-eu")
    assert profile.host == "https://eu.posthog.com"
    assert profile.project_ids == ("12345",)
    assert profile.region == "eu"
    assert profile.key_source == "file"
    assert profile.api_key().reveal() == KEY
    assert KEY not in repr(profile)


def test_a_group_readable_file_is_refused_with_chmod_600(config: Path) -> None:
    write_profile("prod-eu", "eu", [1], api_key=KEY)
    config.chmod(0o640)
    profile = get_profile("prod-eu")
    assert profile.key_source == "file (refused: chmod 600)"
    with pytest.raises(ConfigurationError) as caught:
        profile.client()
    message = str(caught.value)
    assert f"chmod 600 {config}" in message
    assert "mode 0640" in message
    assert KEY not in message


def test_a_world_readable_file_still_lends_keys_named_by_environment(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_profile("prod-us", "us", [7], api_key_env="POSTHOG_US_KEY")
    config.chmod(0o644)
    monkeypatch.setenv("POSTHOG_US_KEY", OTHER_KEY)
    profile = get_profile("prod-us")
    assert profile.key_source == "env:POSTHOG_US_KEY"
    assert profile.api_key().reveal() == OTHER_KEY
    assert "POSTHOG_US_KEY" in config.read_text()
    assert OTHER_KEY not in config.read_text()


def test_profiles_frame_never_holds_a_key(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_profile("prod-eu", "eu", [12345], api_key=KEY)
    write_profile("stage", "https://posthog.example.com", [3, 4], api_key_env="STAGE_KEY")
    monkeypatch.setenv("ENVNB_PROFILE_CI_HOST", "us")
    monkeypatch.setenv("ENVNB_PROFILE_CI_PROJECT_ID", "9")
    monkeypatch.setenv("ENVNB_PROFILE_CI_API_KEY", OTHER_KEY)
    frame = envnb.profiles()
    assert frame.to_dict("records") == [
        {
            "name": "ci",
            "host": "https://us.posthog.com",
            "region": "us",
            "project_ids": "9",
            "key_source": "env:ENVNB_PROFILE_CI_API_KEY",
            "origin": "env",
        },
        {
            "name": "prod-eu",
            "host": "https://eu.posthog.com",
            "region": "eu",
            "project_ids": "12345",
            "key_source": "file",
            "origin": "file",
        },
        {
            "name": "stage",
            "host": "https://posthog.example.com",
            "region": "posthog.example.com",
            "project_ids": "3, 4",
            "key_source": "env:STAGE_KEY",
            "origin": "file",
        },
    ]
    assert KEY not in frame.to_string() and OTHER_KEY not in frame.to_string()
    assert {str(t) for t in frame.dtypes} == {"string"}


def test_profile_add_asks_for_the_key_without_echo(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[str] = []

    def fake_getpass(prompt: str) -> str:  # stands in for the terminal (stdlib, not envnb)
        asked.append(prompt)
        return KEY + "\n"

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    assert main(["profile", "add", "prod-eu", "--host", "eu", "--project", "12345"]) == 0
    assert asked == ["Personal API key for prod-eu (input hidden): "]
    out = capsys.readouterr()
    assert KEY not in out.out + out.err
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert get_profile("prod-eu").api_key().reveal() == KEY
    assert main(["profile", "list"]) == 0
    listed = capsys.readouterr().out
    assert "prod-eu" in listed and KEY not in listed


def test_profile_add_rejects_a_project_key_without_echoing_it(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project_key = "phc_" + "c3" * 20
    monkeypatch.setattr("getpass.getpass", lambda prompt: project_key)
    assert main(["profile", "add", "x", "--host", "us", "--project", "1"]) == 2
    err = capsys.readouterr().err
    assert "project API key (phc_…)" in err
    assert project_key not in err
    assert not config.exists()


def test_rewriting_keeps_other_profiles_and_tightens_a_loose_file(config: Path) -> None:
    write_profile("a", "us", [1], api_key=KEY)
    config.chmod(0o666)
    write_profile("b", "eu", [2], api_key=OTHER_KEY)
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert sorted(load_profiles()) == ["a", "b"]
    assert get_profile("a").api_key().reveal() == KEY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[profiles.x]\nhost = "us"\nproject_id = "abc"\n', "project_id must be a project number"),
        ("[profiles.x]\nproject_id = 1\n", "host is required"),
        ('[profiles.x]\nhost = "us"\nkey = "phx_1"\n', "unknown field(s) key"),
        ("[profiles.x\n", "is not valid TOML"),
    ],
)
def test_a_bad_file_names_the_file_and_the_field(config: Path, text: str, expected: str) -> None:
    config.parent.mkdir(parents=True)
    config.write_text(text)
    config.chmod(0o600)
    with pytest.raises(ConfigurationError) as caught:
        load_profiles()
    assert expected in str(caught.value)
    assert str(config) in str(caught.value)


def test_unknown_profile_lists_the_known_ones(config: Path) -> None:
    write_profile("prod-eu", "eu", [1], api_key=KEY)
    with pytest.raises(ConfigurationError, match=r"no profile named 'prod-us' \(known: prod-eu\)"):
        envnb.connect(profile="prod-us")


def test_a_project_the_profile_does_not_list_is_refused_by_name(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # connect(profile=..., project_id=9) used to build a client for project 9 of the
    # profile's host: another team's numbers (or a typo's 404) under the profile's name.
    write_profile("prod-eu", "eu", [1, 2], api_key=KEY)
    with pytest.raises(ConfigurationError) as refused:
        envnb.connect(profile="prod-eu", project_id=9)
    assert str(refused.value) == (
        "profile 'prod-eu' has no project 9: its projects are 1, 2; pick one of them, or add "
        "it to the profile's project_id list (profiles.toml)"
    )
    client = envnb.connect(profile="prod-eu", project_id="2")  # a listed one, as text too
    assert client.project_id == "2"
    client.close()
    monkeypatch.setenv("ENVNB_PROFILE_STAGE_HOST", "us")
    monkeypatch.setenv("ENVNB_PROFILE_STAGE_PROJECT_ID", "5")
    monkeypatch.setenv("ENVNB_PROFILE_STAGE_API_KEY", KEY)
    with pytest.raises(ConfigurationError, match=r"list \(ENVNB_PROFILE_STAGE_PROJECT_ID\)$"):
        envnb.connect(profile="stage", project_id=6)


def test_connect_with_a_profile_reaches_its_project(config: Path) -> None:
    from envnb.sandbox import Sandbox

    with Sandbox(conversations=5) as sb:
        write_profile("local", sb.url, [sb.project_id], api_key=sb.api_key, region="local")
        client = envnb.connect(profile="local")
        assert (client.host, client.project_id) == (sb.url, "1")
        assert len(client.batch_exports.list_df(progress=False)) == 12
        assert sb.api_key not in repr(client)
        client.close()


def test_envnb_profile_variable_picks_connects_default(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_profile("prod-eu", "eu", [77], api_key=KEY)
    monkeypatch.setenv("ENVNB_PROFILE", "prod-eu")
    client = envnb.connect()  # builds the client only; nothing is sent
    assert (client.host, client.project_id) == ("https://eu.posthog.com", "77")
    client.close()


def test_profile_add_with_no_terminal_and_no_stdin_is_one_line(config: Path) -> None:
    # A script or CI job with nothing to type the key into: getpass meets end of input.
    # That used to end in an EOFError traceback.
    argv = ["profile", "add", "x", "--host", "us", "--project", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "envnb.cli", *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        start_new_session=True,  # no controlling terminal: getpass cannot open /dev/tty
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "envnb: no key entered; nothing written (in a script, use --key-env VAR)"
    )
    assert "Traceback" not in done.stderr
    assert not config.exists()


@pytest.mark.skipif(os.name != "posix" or os.getuid() != 0, reason="needs root to chown")
def test_a_file_owned_by_another_user_is_refused(config: Path) -> None:
    write_profile("prod-eu", "eu", [1], api_key=KEY)
    os.chown(config, 65534, -1)  # nobody: private mode, but not the user's file
    profile = get_profile("prod-eu")
    with pytest.raises(ConfigurationError) as caught:
        profile.client()
    assert "belongs to another user" in str(caught.value) and KEY not in str(caught.value)
