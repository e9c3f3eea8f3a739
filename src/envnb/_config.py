"""Settings resolution: explicit arguments > environment variables; host aliases us/eu."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ._secret import ApiKey
from .errors import ConfigurationError

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


def normalize_host(host: str) -> str:
    """Turn ``us``, ``eu``, a bare hostname or a full URL into ``scheme://host[:port][/path]``."""
    raw = host.strip()
    if not raw:
        raise ConfigurationError(f"host is empty; pass host= or set {ENV_HOST} (e.g. 'us', 'eu')")
    if raw.lower() in HOST_ALIASES:
        return HOST_ALIASES[raw.lower()]
    if "://" not in raw:
        bare = urlsplit("//" + raw).hostname or ""
        raw = ("http://" if is_loopback(bare) else "https://") + raw
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"host {host!r} is not a valid URL; use 'us', 'eu', or e.g. https://posthog.example.com"
        )
    if parts.username or parts.password:
        raise ConfigurationError("host must not contain credentials; pass api_key= instead")
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
    if re.search(r"/api/(projects|environments)(/|$)", path + "/"):
        raise ConfigurationError(
            f"host {host!r} includes an API path; pass only the instance URL (e.g. "
            f"{parts.scheme}://{parts.netloc}) and the project as project_id="
        )
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme}://{netloc}{path}"


def resolve(
    host: str | None,
    api_key: str | ApiKey | None,
    project_id: int | str | None,
    *,
    timeout: float = 30.0,
    max_retries: int = 3,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from arguments, falling back to environment variables."""
    env = os.environ if env is None else env
    host = host if host is not None else env.get(ENV_HOST)
    if not host:
        raise ConfigurationError(
            f"no PostHog host: pass host= or set {ENV_HOST} ('us', 'eu' or a URL)"
        )
    key_value = api_key if api_key is not None else env.get(ENV_KEY)
    if not key_value:
        raise ConfigurationError(
            f"no personal API key: pass api_key= or set {ENV_KEY} (a 'phx_...' key)"
        )
    key = key_value if isinstance(key_value, ApiKey) else ApiKey(str(key_value).strip())
    if not _header_safe(key.reveal()):
        # httpx would fail at send time (a retried "LocalProtocolError", or a
        # UnicodeEncodeError whose .object is the whole key): refuse it here, unechoed.
        raise ConfigurationError(
            f"the personal API key ({ENV_KEY} / api_key=) contains spaces, line breaks or "
            "non-ASCII characters, which cannot be sent in an HTTP header; was it pasted "
            "with quotes or a line break?"
        )
    pid = project_id if project_id is not None else env.get(ENV_PROJECT)
    if pid is None or str(pid).strip() == "":
        raise ConfigurationError(
            f"no project id: pass project_id= or set {ENV_PROJECT} (the number in your "
            "project's URL)"
        )
    pid_text = str(pid).strip()
    if not (pid_text.isdigit() or pid_text == "@current"):
        raise ConfigurationError(
            f"project_id {pid_text!r} is invalid; it must be a number (or '@current')"
        )
    if timeout <= 0:
        raise ConfigurationError(f"timeout must be positive, got {timeout}")
    if max_retries < 0:
        raise ConfigurationError(f"max_retries must be >= 0, got {max_retries}")
    return Settings(normalize_host(host), key, pid_text, float(timeout), int(max_retries))


def _header_safe(value: str) -> bool:
    """True if ``value`` is visible ASCII only (what a bearer token may contain)."""
    return value.isascii() and all(33 <= ord(ch) <= 126 for ch in value)
