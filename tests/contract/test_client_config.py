"""Configuration from the environment, connect(), and what ``import envnb`` pulls in."""

from __future__ import annotations

import subprocess
import sys

import pytest

import envnb
from envnb import _client
from envnb.errors import ConfigurationError
from envnb.sandbox import Sandbox

ENV_NAMES = ("POSTHOG_HOST", "POSTHOG_PERSONAL_API_KEY", "POSTHOG_PROJECT_ID")


def test_client_from_environment(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    with envnb.Client() as c:
        assert c.host == sandbox.url and len(c.batch_exports.list_df(limit=3)) == 3
    with envnb.connect() as c2:  # configured: a real client, no sandbox started
        assert c2.host == sandbox.url
    assert _client._sandbox is None or _client._sandbox.url != sandbox.url


def test_connect_partial_config_names_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTHOG_HOST", "eu")
    with pytest.raises(ConfigurationError) as caught:
        envnb.connect()
    assert str(caught.value) == (
        "PostHog is not fully configured: missing the personal API key (api_key= or "
        "POSTHOG_PERSONAL_API_KEY: a 'phx_...' key); and the project id (project_id= or "
        "POSTHOG_PROJECT_ID: the number in your project's URL). Set them too, or unset all "
        "of POSTHOG_HOST, POSTHOG_PERSONAL_API_KEY and POSTHOG_PROJECT_ID (and pass none of "
        "host=, api_key=, project_id=) to use the local sandbox with sample data instead."
    )


def test_connect_with_only_the_project_id_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", "phx_" + "a" * 40)
    with pytest.raises(ConfigurationError) as caught:
        envnb.connect(host="us")
    text = str(caught.value)
    assert text.startswith(
        "PostHog is not fully configured: missing the project id (project_id= or "
        "POSTHOG_PROJECT_ID: the number in your project's URL). Set it too, or unset all of"
    )
    assert "phx_" + "a" * 40 not in text


def test_client_without_anything_lists_all_three(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError) as caught:
        envnb.Client()
    assert str(caught.value) == (
        "PostHog is not fully configured: missing the PostHog host (host= or POSTHOG_HOST: "
        "'us', 'eu' or a URL); the personal API key (api_key= or POSTHOG_PERSONAL_API_KEY: "
        "a 'phx_...' key); and the project id (project_id= or POSTHOG_PROJECT_ID: the number "
        "in your project's URL)."
    )


def test_connect_without_config_starts_a_sandbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    c = envnb.connect()
    try:
        out = capsys.readouterr().out.strip().splitlines()
        assert len(out) == 1 and "sandbox" in out[0] and c.host in out[0]
        assert c.batch_exports.list_df().shape[0] > 0
        again = envnb.connect()  # the same sandbox is reused for the process
        assert again.host == c.host
        again.close()
    finally:
        c.close()


def test_import_envnb_stays_light() -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import envnb"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    modules = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    heavy = {m for m in modules if m.split(".")[0] in ("starlette", "uvicorn")}
    assert not heavy
    assert not {m for m in modules if m.startswith("envnb.widgets") or m == "envnb.sandbox"}
