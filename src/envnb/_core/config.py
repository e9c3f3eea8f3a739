"""Settings resolution: explicit arguments > environment variables; host aliases us/eu."""

from __future__ import annotations

import ipaddress
import math
import numbers
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import ConfigurationError
from .secret import ApiKey

ENV_HOST = "POSTHOG_HOST"
ENV_KEY = "POSTHOG_PERSONAL_API_KEY"
ENV_PROJECT = "POSTHOG_PROJECT_ID"

HOST_ALIASES = {
    "us": "https://us.posthog.com",
    "eu": "https://eu.posthog.com",
    "app": "https://us.posthog.com",  # app.posthog.com is the legacy name of US cloud
}


@dataclass(frozen=True)
class Settings:
    """Resolved, validated settings of a client."""

    base_url: str  # scheme://host[:port][/path], no trailing slash
    api_key: ApiKey
    project_id: str
    timeout: float = 30.0
    max_retries: int = 3
    stream_idle_timeout: float = 300.0

    @property
    def project_url(self) -> str:
        """Base of every project-scoped endpoint, with a trailing slash."""
        return f"{self.base_url}/api/projects/{self.project_id}/"

    @property
    def origin(self) -> tuple[str, str, int | None]:
        """(scheme, host, port): the only origin that may receive the key."""
        return origin_of(self.base_url)

    def __repr__(self) -> str:
        return (
            f"Settings(base_url={self.base_url!r}, api_key=[secure], "
            f"project_id={self.project_id!r})"
        )


def origin_of(url: str) -> tuple[str, str, int | None]:
    """Return (scheme, lowercase host, explicit-or-default port) of a URL."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IP addresses."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_key_lookalike(setting: str, value: object) -> None:
    """A personal API key passed as another setting (``Client(host, project_id, key)`` with
    the two swapped, or as ``profile=``) would be echoed by that setting's own error, or —
    as a host — shown in the repr and sent to a DNS resolver: refuse it without repeating it."""
    if isinstance(value, str) and value.strip().lower().startswith("phx_"):
        raise ConfigurationError(
            f"{setting}= looks like a personal API key (phx_…, not repeated here); pass the "
            f"key as api_key= (or {ENV_KEY}) and the right value as {setting}="
        )


def normalize_host(host: str) -> str:
    """Turn ``us``, ``eu``, a bare hostname or a full URL into ``scheme://host[:port][/path]``.

    Raises ConfigurationError (naming ``host=`` / ``POSTHOG_HOST`` and what to use instead)
    for anything else; the message never repeats a user name or password from the URL.
    """
    if not isinstance(host, str):
        raise ConfigurationError(
            f"host= must be a string such as 'us', 'eu' or 'https://posthog.example.com', "
            f"not {type(host).__name__}"
        )
    refuse_key_lookalike("host", host)
    raw = host.strip()
    if not raw:
        raise ConfigurationError(f"host is empty; pass host= or set {ENV_HOST} (e.g. 'us', 'eu')")
    if raw.lower() in HOST_ALIASES:
        return HOST_ALIASES[raw.lower()]
    if "@" in raw:
        # Anything before the last "@" may be a password: never repeat it.
        raise ConfigurationError(
            f"host (host= / {ENV_HOST}) must not contain a user name or password "
            f"('…@{raw.rsplit('@', 1)[-1]}'); pass only the instance URL and the personal "
            "API key as api_key="
        )
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in raw):
        # httpx would refuse these later with its own InvalidURL, far from the setting.
        raise ConfigurationError(
            f"host {raw!r} contains spaces or control characters; use 'us', 'eu', or e.g. "
            "https://posthog.example.com"
        )
    _scheme, has_scheme, rest = raw.partition("://")
    authority = re.split(r"[/?#]", rest if has_scheme else raw, maxsplit=1)[0]
    if not authority.startswith("[") and authority.count(":") >= 2:
        raise ConfigurationError(
            f"host {raw!r} looks like an IPv6 address without brackets; write it as "
            "http://[::1]:8000 (the address in [ ], then the port)"
        )
    if not has_scheme:
        bare = _hostname(f"//{raw}") or ""
        raw = ("http://" if is_loopback(bare) else "https://") + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as err:
        # str(err) names the fault ("Port out of range 0-65535") without echoing the URL.
        raise ConfigurationError(
            f"host {host.strip()!r} is not a valid URL ({err}); use 'us', 'eu', or e.g. "
            "https://posthog.example.com[:port] with a port from 1 to 65535"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"host {host.strip()!r} is not a valid URL; use 'us', 'eu', or e.g. "
            "https://posthog.example.com (PostHog is served over https://)"
        )
    if port == 0:
        raise ConfigurationError(
            f"host {host.strip()!r} has port 0; use a port from 1 to 65535 (or none)"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"refusing to send the API key over plain http to {parts.hostname}; use https:// "
            "(plain http is allowed for loopback hosts only)"
        )
    if parts.hostname.lower().endswith(".i.posthog.com"):
        # People paste the posthog-js api_host; that host only ingests events.
        region = "eu" if parts.hostname.lower().startswith("eu") else "us"
        raise ConfigurationError(
            f"host {parts.hostname} is PostHog's event-ingestion host, which does not serve "
            f"this API; use host='{region}' (https://{region}.posthog.com)"
        )
    path = parts.path.rstrip("/")
    if path.endswith("/api"):
        path = path[: -len("/api")]  # people paste ".../api"; our paths add it back
    instance = f"{parts.scheme}://{parts.netloc}"
    if re.search(r"/api/(projects|environments)(/|$)", path + "/"):
        raise ConfigurationError(
            f"host {host.strip()!r} includes an API path; pass only the instance URL (e.g. "
            f"{instance}) and the project as project_id="
        )
    browser = re.search(r"/(?:project|environment)s?/([0-9]+)(/|$)", path + "/")
    if browser:
        raise ConfigurationError(
            f"host {host.strip()!r} is a page URL copied from the browser; pass the instance "
            f"URL and the project separately: host='{instance}', project_id={browser.group(1)}"
        )
    return f"{instance}{path}"


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def resolve(
    host: str | None,
    api_key: str | ApiKey | None,
    project_id: int | str | None,
    *,
    timeout: float = 30.0,
    max_retries: int = 3,
    stream_idle_timeout: float = 300.0,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from arguments, falling back to environment variables.

    Raises ConfigurationError naming the setting (argument and environment variable) and
    what to use, before anything is sent; no message contains the key.
    """
    env = os.environ if env is None else env
    seconds = check_timeout(timeout)
    retries = check_max_retries(max_retries)
    idle = check_timeout(stream_idle_timeout, name="stream_idle_timeout", example=600)
    missing = missing_settings(host, api_key, project_id, env)
    if missing:
        raise ConfigurationError(missing_message(missing))
    host = host if host is not None else env.get(ENV_HOST)
    assert host  # missing_settings() checked it
    key_value = api_key if api_key is not None else env.get(ENV_KEY)
    assert key_value
    key = key_value if isinstance(key_value, ApiKey) else ApiKey(str(key_value).strip())
    check_key(key.reveal())
    project = _project_id(project_id, env)
    return Settings(normalize_host(host), key, project, seconds, retries, idle)


# What each setting is, where it comes from and what to put there (for messages).
_SETTINGS = {
    "host": f"the PostHog host (host= or {ENV_HOST}: 'us', 'eu' or a URL)",
    "api_key": f"the personal API key (api_key= or {ENV_KEY}: a 'phx_...' key)",
    "project_id": f"the project id (project_id= or {ENV_PROJECT}: the number in your "
    "project's URL)",
}


def missing_settings(
    host: object, api_key: object, project_id: object, env: Mapping[str, str]
) -> list[str]:
    """The names (``host``, ``api_key``, ``project_id``) of the settings neither passed nor
    set in the environment (an empty value counts as missing)."""
    given = {
        "host": host if host is not None else env.get(ENV_HOST),
        "api_key": api_key if api_key is not None else env.get(ENV_KEY),
        "project_id": project_id if project_id is not None else env.get(ENV_PROJECT),
    }
    return [name for name, value in given.items() if value is None or str(value).strip() == ""]


def missing_message(missing: list[str], *, sandbox_hint: bool = False) -> str:
    """Every missing setting in one sentence; with ``sandbox_hint`` (connect()), how to get
    the sandbox instead."""
    what = [_SETTINGS[name] for name in missing]
    listed = what[0] if len(what) == 1 else "; ".join(what[:-1]) + "; and " + what[-1]
    text = f"PostHog is not fully configured: missing {listed}."
    if sandbox_hint:
        text += (
            f" Set {'it' if len(what) == 1 else 'them'} too, or unset all of {ENV_HOST}, "
            f"{ENV_KEY} and {ENV_PROJECT} (and pass none of host=, api_key=, project_id=) "
            "to use the local sandbox with sample data instead."
        )
    return text


def _project_id(project_id: int | str | None, env: Mapping[str, str]) -> str:
    pid = project_id if project_id is not None else env.get(ENV_PROJECT)
    if pid is None or str(pid).strip() == "":
        raise ConfigurationError(
            f"no project id: pass project_id= or set {ENV_PROJECT} (the number in your "
            "project's URL)"
        )
    if isinstance(pid, bool) or not isinstance(pid, int | str):
        raise ConfigurationError(
            f"project_id= must be the project's number (e.g. project_id=12345), "
            f"not {type(pid).__name__}"
        )
    refuse_key_lookalike("project_id", pid)
    text = str(pid).strip()
    if re.fullmatch(r"[0-9]+", text, re.ASCII) and int(text) == 0:
        # PostHog's ids start at 1; project 0 would only come back as a 404 from the server.
        raise ConfigurationError(
            f"project_id {text!r} is invalid; project ids start at 1 — the number after "
            f"/project/ in your PostHog URL ({ENV_PROJECT} / project_id=)"
        )
    if re.fullmatch(r"[0-9]+", text, re.ASCII) or text == "@current":
        return text
    if text.isdigit():
        # "１２" (full-width) passes str.isdigit() but PostHog's URL router wants ASCII.
        ascii_digits = "".join(str(unicodedata.digit(ch, 0)) for ch in text)
        raise ConfigurationError(
            f"project_id ({ENV_PROJECT} / project_id=) {text!r} is written with non-ASCII "
            f"digits; type it as project_id={ascii_digits}"
        )
    raise ConfigurationError(
        f"project_id {text!r} is invalid; it must be a number (or '@current') — the number "
        f"after /project/ in your PostHog URL ({ENV_PROJECT} / project_id=)"
    )


def check_timeout(timeout: object, *, name: str = "timeout", example: int = 30) -> float:
    """``timeout`` as positive, finite seconds, or ConfigurationError saying what to pass."""
    if timeout is None:
        raise ConfigurationError(
            f"{name}=None (wait forever) is not allowed: a stuck call would hang the notebook; "
            f"pass a number of seconds, e.g. {name}=300"
        )
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise ConfigurationError(
            f"{name}= must be a number of seconds (e.g. {name}={example}), not "
            f"{type(timeout).__name__} {timeout!r}"
        )
    seconds = float(timeout)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigurationError(
            f"{name} must be a positive, finite number of seconds (e.g. {name}={example}), "
            f"got {timeout}"
        )
    return seconds


def check_max_retries(max_retries: object) -> int:
    """``max_retries`` as an int >= 0, or ConfigurationError saying what to pass."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, numbers.Integral):
        raise ConfigurationError(
            f"max_retries= must be a whole number >= 0 (e.g. max_retries=3), not "
            f"{type(max_retries).__name__} {max_retries!r}"
        )
    if max_retries < 0:
        raise ConfigurationError(f"max_retries must be >= 0, got {max_retries}")
    return int(max_retries)


# Keys PostHog issues that this API (personal-key authentication) does not accept.
_WRONG_KEYS = {
    "phc_": "a project API key (phc_…), which can only send events",
    "pha_": "an OAuth access token (pha_…)",
    "phs_": "a project secret API key (phs_…)",
}


def check_key(key: str) -> None:
    """Refuse a key that cannot be a personal API key, without ever echoing it."""
    if key[:1] in _QUOTES or key[-1:] in _QUOTES:
        raise ConfigurationError(
            f"the personal API key ({ENV_KEY} / api_key=) is wrapped in quotes; "
            "remove them (the key itself starts with phx_)"
        )
    if not _header_safe(key):
        # httpx would fail at send time (a retried "LocalProtocolError", or a
        # UnicodeEncodeError whose .object is the whole key): refuse it here, unechoed.
        raise ConfigurationError(
            f"the personal API key ({ENV_KEY} / api_key=) contains spaces, line breaks or "
            "non-ASCII characters, which cannot be sent in an HTTP header; was it pasted "
            "with quotes or a line break?"
        )
    kind = _WRONG_KEYS.get(key[:4].lower())
    if kind:
        raise ConfigurationError(
            f"the key in {ENV_KEY} / api_key= is {kind}; this API needs a personal API key "
            "(phx_…): create one in PostHog under Settings → Personal API keys"
        )


_QUOTES = "\"'`\u2018\u2019\u201c\u201d\u00ab\u00bb"


def _header_safe(value: str) -> bool:
    """True if ``value`` is visible ASCII only (what a bearer token may contain)."""
    return value.isascii() and all(33 <= ord(ch) <= 126 for ch in value)
