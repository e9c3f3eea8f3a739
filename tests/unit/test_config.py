"""Settings resolution: args > env, host aliases, missing settings named, http refused."""

from __future__ import annotations

import re

import pytest

from envnb._core.config import normalize_host, resolve
from envnb.errors import ConfigurationError

ENV = {
    "POSTHOG_HOST": "eu",
    "POSTHOG_PERSONAL_API_KEY": "phx_envkey_abcdef",
    "POSTHOG_PROJECT_ID": "42",
}


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("us", "https://us.posthog.com"),
        ("EU", "https://eu.posthog.com"),
        ("https://posthog.example.com/", "https://posthog.example.com"),
        ("https://posthog.example.com/api/", "https://posthog.example.com"),
        ("posthog.example.com", "https://posthog.example.com"),
        ("https://example.com/posthog//", "https://example.com/posthog"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("localhost:8010", "http://localhost:8010"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_hosts(host: str, expected: str) -> None:
    assert normalize_host(host) == expected


@pytest.mark.parametrize("host", ["http://posthog.example.com", "http://10.0.0.5:8000"])
def test_plain_http_refused_for_remote_hosts(host: str) -> None:
    with pytest.raises(ConfigurationError, match="plain http"):
        normalize_host(host)


@pytest.mark.parametrize("host", ["ftp://x", "https://", "https://u:p@host.example"])
def test_bad_hosts(host: str) -> None:
    with pytest.raises(ConfigurationError):
        normalize_host(host)


def test_env_fallback_and_args_win() -> None:
    s = resolve(None, None, None, env=ENV)
    assert s.base_url == "https://eu.posthog.com" and s.project_id == "42"
    assert s.project_url == "https://eu.posthog.com/api/projects/42/"
    s2 = resolve("us", "phx_arg_key_12345", 7, env=ENV)
    assert s2.base_url == "https://us.posthog.com" and s2.project_id == "7"
    assert s2.api_key.reveal() == "phx_arg_key_12345"
    assert "phx_" not in repr(s2)


@pytest.mark.parametrize(
    ("missing", "needle"),
    [
        ("POSTHOG_HOST", "POSTHOG_HOST"),
        ("POSTHOG_PERSONAL_API_KEY", "POSTHOG_PERSONAL_API_KEY"),
        ("POSTHOG_PROJECT_ID", "POSTHOG_PROJECT_ID"),
    ],
)
def test_missing_setting_is_named(missing: str, needle: str) -> None:
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(ConfigurationError, match=needle):
        resolve(None, None, None, env=env)


def test_bad_project_id_and_limits() -> None:
    with pytest.raises(ConfigurationError, match="project_id"):
        resolve(None, None, "my-project", env=ENV)
    with pytest.raises(ConfigurationError, match="timeout"):
        resolve(None, None, None, env=ENV, timeout=0)
    with pytest.raises(ConfigurationError, match="max_retries"):
        resolve(None, None, None, env=ENV, max_retries=-1)


@pytest.mark.anyio
async def test_to_async_carries_the_async_transport_or_refuses() -> None:
    import httpx

    import envnb

    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"id": "c1", "scope": "person", "content": {}})

    def sync_handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500)

    settings = {"host": "https://ph.example.com", "api_key": "phx_test", "project_id": 7}
    only_sync = envnb.Client(**settings, transport=httpx.MockTransport(sync_handler))
    with pytest.raises(ConfigurationError, match="async_transport"):
        only_sync.to_async()
    both = envnb.Client(
        **settings,
        transport=httpx.MockTransport(sync_handler),
        async_transport=httpx.MockTransport(handler),
    )
    aclient = both.to_async()
    config = await aclient.profile_configs.get("c1")
    assert config.scope == "person"
    assert seen == ["https://ph.example.com/api/projects/7/customer_profile_configs/c1/"]
    await aclient.aclose()
    # No custom transport at all: to_async() just works.
    envnb.Client(**settings).to_async()


@pytest.mark.parametrize(
    ("host", "needle"),
    [
        ("https://us.i.posthog.com", "host='us'"),
        ("eu.i.posthog.com", "host='eu'"),
        ("https://us.posthog.com/api/projects/12345/", "project_id="),
        ("https://ph.example.com/api/environments/2", "instance URL"),
    ],
)
def test_pasted_ingestion_host_or_api_path_explained(host: str, needle: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(needle)):
        normalize_host(host)


@pytest.mark.parametrize(
    "key",
    ["phx_secret\nX-Evil: 1", "phx_s\u00e9cret", "phx_secret value", "\u201cphx_secret\u201d"],
)
def test_key_that_cannot_be_a_header_is_refused_without_echo(key: str) -> None:
    env = {"POSTHOG_HOST": "us", "POSTHOG_PROJECT_ID": "1"}
    with pytest.raises(ConfigurationError, match="POSTHOG_PERSONAL_API_KEY") as err:
        resolve(None, key, None, env=env)
    assert "secret" not in str(err.value) and "secret" not in repr(err.value.args)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"timeout": None}, "timeout=None (wait forever) is not allowed"),
        ({"timeout": float("nan")}, "timeout must be a positive, finite number of seconds"),
        ({"timeout": float("inf")}, "timeout must be a positive, finite number of seconds"),
        ({"timeout": "5"}, "timeout= must be a number of seconds (e.g. timeout=30), not str '5'"),
        ({"timeout": True}, "timeout= must be a number of seconds"),
        ({"max_retries": None}, "max_retries= must be a whole number >= 0"),
        ({"max_retries": "2"}, "max_retries= must be a whole number >= 0 (e.g. max_retries=3)"),
        ({"max_retries": 1.7}, "not float 1.7"),
        ({"max_retries": -1}, "max_retries must be >= 0, got -1"),
    ],
)
def test_timeout_and_retries_refused_with_what_to_use(kwargs: dict, needle: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        resolve(None, None, None, env=ENV, **kwargs)
    assert needle in str(err.value)


def test_good_timeout_and_retries_are_kept_exactly() -> None:
    s = resolve(None, None, None, env=ENV, timeout=2.5, max_retries=0)
    assert (s.timeout, s.max_retries) == (2.5, 0)
    assert resolve(None, None, None, env=ENV, timeout=7, max_retries=5).timeout == 7.0


@pytest.mark.parametrize(
    ("host", "needle"),
    [
        ("https://ph.example.com:99999", "port from 1 to 65535"),
        ("ph.example.com:abc", "port from 1 to 65535"),
        ("https://ph.example.com:0", "has port 0"),
        ("::1", "IPv6 address without brackets"),
        ("http://::1:8000", "IPv6 address without brackets"),
        ("2001:db8::1", "IPv6 address without brackets"),
        ("http://[::1", "not a valid URL"),
        (
            "https://us.posthog.com/project/123/insights",
            "host='https://us.posthog.com', project_id=123",
        ),
        ("https://eu.posthog.com/project/77", "host='https://eu.posthog.com', project_id=77"),
        ("\x00", "host '\\x00' contains spaces or control characters"),
        ("https://ph.example.com/\x1b[2J", "contains spaces or control characters"),
        ("ph example.com", "host 'ph example.com' contains spaces or control characters"),
        ("https://ph.exa\u0085mple.com", "contains spaces or control characters"),
    ],
)
def test_bad_host_named_with_what_to_use(host: str, needle: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        normalize_host(host)
    assert needle in str(err.value)


def test_control_characters_in_host_refused_by_the_client() -> None:
    import envnb

    with pytest.raises(ConfigurationError, match="control characters"):
        envnb.Client(host="http://127.0.0.1:8000\x00", api_key="phx_" + "a" * 40, project_id=1)


@pytest.mark.parametrize(
    "host", ["ftp://user:hunter2pw@host", "https://user:hunter2pw@ph.example.com", "u:hunter2pw@h"]
)
def test_credentials_in_host_are_refused_and_never_echoed(host: str) -> None:
    env = {**ENV, "POSTHOG_HOST": host}
    with pytest.raises(ConfigurationError, match="user name or password") as err:
        resolve(None, None, None, env=env)
    text = f"{err.value} {err.value!r} {err.value.__cause__!r} {err.value.__context__!r}"
    assert "hunter2" not in text and "user" not in text.replace("user name", "")


def test_unicode_digit_project_id_refused_with_the_ascii_number() -> None:
    with pytest.raises(ConfigurationError) as err:
        resolve(None, None, "\uff11\uff12", env=ENV)
    assert "non-ASCII digits; type it as project_id=12" in str(err.value)
    with pytest.raises(ConfigurationError, match="not bool"):
        resolve(None, None, True, env=ENV)


@pytest.mark.parametrize(
    ("key", "needle"),
    [
        ('"phx_quoted_secret_1234"', "wrapped in quotes"),
        ("'phx_quoted_secret_1234'", "wrapped in quotes"),
        ("\u201cphx_quoted_secret_1234\u201d", "wrapped in quotes"),
        ("phc_project_secret_1234", "a project API key (phc_…)"),
        ("pha_oauth_secret_1234", "an OAuth access token (pha_…)"),
        ("phs_projsecret_secret_1234", "a project secret API key (phs_…)"),
    ],
)
def test_wrong_kind_of_key_refused_without_echo(key: str, needle: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        resolve(None, key, None, env=ENV)
    assert needle in str(err.value) and "POSTHOG_PERSONAL_API_KEY / api_key=" in str(err.value)
    assert "secret_1234" not in f"{err.value} {err.value.args!r}"


@pytest.mark.parametrize("project_id", [0, "0", " 00 "])
def test_project_zero_is_refused_locally_on_both_clients(project_id: int | str) -> None:
    import envnb

    for make in (envnb.Client, envnb.AsyncClient):
        with pytest.raises(ConfigurationError, match=r"project_id .* project ids start at 1"):
            make(host="http://127.0.0.1:9", api_key="phx_zero", project_id=project_id)


KEY_IN_THE_WRONG_PLACE = "phx_wrongplace0123456789abcdef"


@pytest.mark.parametrize(
    ("kwargs", "setting"),
    [
        (
            {"host": "eu", "api_key": "phx_ok_abcdef", "project_id": KEY_IN_THE_WRONG_PLACE},
            "project_id",
        ),
        ({"host": KEY_IN_THE_WRONG_PLACE, "api_key": "phx_ok_abcdef", "project_id": 7}, "host"),
        (
            {"host": f" {KEY_IN_THE_WRONG_PLACE}\n", "api_key": "phx_ok_abcdef", "project_id": 7},
            "host",
        ),
    ],
)
def test_a_key_passed_as_another_setting_is_refused_without_repeating_it(
    kwargs: dict[str, object], setting: str
) -> None:
    # Client(host, project_id, key) with the last two swapped used to echo the key in the
    # project_id error; as host= it made a client whose repr showed it.
    with pytest.raises(
        ConfigurationError, match=f"^{setting}= looks like a personal API key"
    ) as caught:
        resolve(env={}, **kwargs)  # type: ignore[arg-type]
    assert "wrongplace" not in str(caught.value)


def test_a_key_passed_as_profile_is_refused_without_repeating_it() -> None:
    from envnb.projects.profile_file import get_profile

    with pytest.raises(
        ConfigurationError, match=r"^profile= looks like a personal API key"
    ) as caught:
        get_profile(KEY_IN_THE_WRONG_PLACE, env={"XDG_CONFIG_HOME": "/nonexistent-envnb-qa"})
    assert "wrongplace" not in str(caught.value)
