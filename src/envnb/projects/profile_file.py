"""Named profiles: connections (host or region, project id(s), key) kept in a TOML file.

Rules of this module:

1. The file is ``profiles.toml`` in the user's config folder (platformdirs), or in
   ``$ENVNB_CONFIG_DIR`` when set (tests, CI, several setups side by side).
2. Profiles may also come from environment variables ``ENVNB_PROFILE_<NAME>_HOST``,
   ``..._PROJECT_ID`` and ``..._API_KEY``; they win over a file profile of the same name.
3. A key comes from the environment variable the profile names (``api_key_env``), else
   from the file's ``api_key`` — and from the file only when the file is private to its
   owner: a group- or world-readable file is refused with ``chmod 600``, as ssh refuses a
   private key others can read.
4. A key is never shown: not in a repr, a frame, a warning or an error message.
5. ``write_profile`` writes the file with mode 0600 (its folder 0700), atomically.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core.config import check_key, normalize_host, origin_of, refuse_key_lookalike
from .._core.secret import ApiKey
from ..errors import ConfigurationError
from ._toml import dump_profiles

if TYPE_CHECKING:
    import pandas as pd

    from .._client import Client

ENV_CONFIG_DIR = "ENVNB_CONFIG_DIR"
ENV_PROFILE = "ENVNB_PROFILE"  # the profile connect() uses when nothing else is configured
FILE_NAME = "profiles.toml"
_ENV_PREFIX = "ENVNB_PROFILE_"
_ENV_FIELDS = ("HOST", "PROJECT_ID", "API_KEY", "REGION")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Known PostHog cloud hosts and the region a user calls them by.
_REGIONS = {"us.posthog.com": "us", "eu.posthog.com": "eu", "app.posthog.com": "us"}


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder of envnb's configuration (``$ENVNB_CONFIG_DIR`` or the platform's)."""
    env = os.environ if env is None else env
    override = env.get(ENV_CONFIG_DIR)
    if override:
        return Path(override).expanduser()
    import platformdirs  # only when a profile is used

    return Path(platformdirs.user_config_dir("envnb", appauthor=False))


def profiles_path(env: Mapping[str, str] | None = None) -> Path:
    """The profiles file (it may not exist yet)."""
    return config_dir(env) / FILE_NAME


@dataclass(frozen=True)
class Profile:
    """One named connection. ``repr`` shows where the key comes from, never the key."""

    name: str
    host: str  # normalised base URL
    project_ids: tuple[str, ...]
    region: str
    key_source: str  # "env:NAME", "file", "file (refused: chmod 600)" or "missing"
    origin: str  # "file" or "env"
    _key: ApiKey | None = field(default=None, repr=False, compare=False)
    _refusal: str | None = field(default=None, repr=False, compare=False)

    def api_key(self) -> ApiKey:
        """The profile's key, or ConfigurationError saying where it should come from."""
        if self._key is not None:
            return self._key
        if self._refusal is not None:
            raise ConfigurationError(self._refusal)
        if self.key_source.startswith("env:"):
            raise ConfigurationError(
                f"profile {self.name!r}: the environment variable {self.key_source[4:]} "
                "that holds its key is not set"
            )
        raise ConfigurationError(
            f'profile {self.name!r} has no key: set api_key_env = "VAR" in '
            f"{FILE_NAME} (and the variable), or run `envnb profile add {self.name}`"
        )

    def client(self, project_id: int | str | None = None, **kwargs: Any) -> Client:
        """A Client for the profile's first project (or ``project_id``)."""
        from .._client import Client

        if project_id is None:
            if not self.project_ids:
                raise ConfigurationError(f"profile {self.name!r} has no project_id")
            project_id = self.project_ids[0]
        elif self.project_ids and str(project_id).strip() not in self.project_ids:
            prefix = f"{_ENV_PREFIX}{self.name.upper().replace('-', '_')}_"
            where = FILE_NAME if self.origin == "file" else f"{prefix}PROJECT_ID"
            # A project the profile does not list is most likely a typo or another
            # profile's project: its key may reach it, but the numbers would not be the
            # ones this profile stands for.
            raise ConfigurationError(
                f"profile {self.name!r} has no project {project_id!r}: its projects are "
                f"{', '.join(self.project_ids)}; pick one of them, or add it to the "
                f"profile's project_id list ({where})"
            )
        return Client(self.host, self.api_key(), project_id, **kwargs)


def load_profiles(env: Mapping[str, str] | None = None) -> dict[str, Profile]:
    """Every profile, from the file and the environment (rule 2), by name."""
    env = os.environ if env is None else env
    path = profiles_path(env)
    found: dict[str, Profile] = {}
    if path.exists():
        table = _read(path)
        refusal = _privacy_refusal(path)
        for name, entry in table.items():
            found[name] = _from_file(path, name, entry, env, refusal)
    found.update(_from_env(env))
    return found


def get_profile(name: str, env: Mapping[str, str] | None = None) -> Profile:
    """The profile ``name``, or ConfigurationError listing the known ones."""
    if not isinstance(name, str) or not name:
        raise ConfigurationError("profile= must be a profile name such as 'prod-eu'")
    refuse_key_lookalike("profile", name)
    known = load_profiles(env)
    if name not in known:
        listed = ", ".join(sorted(known)) or "none yet"
        raise ConfigurationError(
            f"no profile named {name!r} (known: {listed}); add one with "
            f"`envnb profile add {name}` ({profiles_path(env)})"
        )
    return known[name]


def profiles(env: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The named profiles as a DataFrame: name, host, region, project_ids, key_source, origin.

    ``key_source`` says where the key comes from (``env:VAR``, ``file``, ``missing``, or
    that the file was refused); the key itself is never in the frame.
    """
    import pandas as pd

    rows = [
        {
            "name": p.name,
            "host": p.host,
            "region": p.region,
            "project_ids": ", ".join(p.project_ids),
            "key_source": p.key_source,
            "origin": p.origin,
        }
        for p in sorted(load_profiles(env).values(), key=lambda p: p.name)
    ]
    columns = ["name", "host", "region", "project_ids", "key_source", "origin"]
    return pd.DataFrame(rows, columns=columns).astype("string")


def region_of(host: str, explicit: str | None = None) -> str:
    """``us``/``eu`` for PostHog Cloud, the explicit ``region`` if given, else the host name."""
    if explicit:
        return explicit
    _scheme, hostname, port = origin_of(host)
    if hostname in _REGIONS:
        return _REGIONS[hostname]
    default = {"http": 80, "https": 443}.get(_scheme)
    return hostname if port == default else f"{hostname}:{port}"


# ---- reading -------------------------------------------------------------------------------


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigurationError(f"cannot read {path}: {err}") from None
    except tomllib.TOMLDecodeError as err:
        # The decoder's message names a line and column, never a value.
        raise ConfigurationError(f"{path} is not valid TOML: {err}") from None
    table = data.get("profiles", {})
    if not isinstance(table, dict):
        raise ConfigurationError(f"{path}: [profiles] must be a table of named profiles")
    return table


def _privacy_refusal(path: Path) -> str | None:
    """Why keys in ``path`` may not be used (rule 3), or None when the file is private."""
    if os.name != "posix":
        return None  # no POSIX modes; the user's profile folder is private by default
    info = path.stat()
    if info.st_uid != os.getuid():
        return f"{path} belongs to another user; its keys are not used"
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        mode = stat.S_IMODE(info.st_mode)
        return (
            f"{path} is readable by other users (mode {mode:04o}), so the keys in it are "
            f"not used; make it private: chmod 600 {path}"
        )
    return None


def _from_file(
    path: Path, name: str, entry: Any, env: Mapping[str, str], refusal: str | None
) -> Profile:
    where = f"{path}: profile {name!r}"
    if not _NAME.match(name):
        raise ConfigurationError(f"{where}: a name may use letters, digits, '-', '_', '.'")
    if not isinstance(entry, dict):
        raise ConfigurationError(f"{where} must be a table ([profiles.{name}])")
    unknown = sorted(set(entry) - {"host", "project_id", "api_key", "api_key_env", "region"})
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown field(s) {', '.join(unknown)}; allowed: host, project_id, "
            "api_key_env, api_key, region"
        )
    host = _host(where, entry.get("host"))
    key_env = entry.get("api_key_env")
    key: ApiKey | None = None
    reason: str | None = None
    if key_env is not None:
        if not isinstance(key_env, str) or not key_env:
            raise ConfigurationError(f"{where}: api_key_env must be a variable name")
        source = f"env:{key_env}"
        key = _key(where, env.get(key_env))
    elif "api_key" in entry:
        source = "file" if refusal is None else "file (refused: chmod 600)"
        if refusal is None:
            key = _key(where, entry["api_key"])
        else:
            reason = f"profile {name!r}: {refusal}"
    else:
        source = "missing"
    return Profile(
        name=name,
        host=host,
        project_ids=_project_ids(where, entry.get("project_id")),
        region=region_of(host, _region(where, entry.get("region"))),
        key_source=source,
        origin="file",
        _key=key,
        _refusal=reason,
    )


def _from_env(env: Mapping[str, str]) -> dict[str, Profile]:
    names: set[str] = set()
    for var in env:
        if var.startswith(_ENV_PREFIX):
            for suffix in _ENV_FIELDS:
                if var.endswith("_" + suffix) and len(var) > len(_ENV_PREFIX) + len(suffix) + 1:
                    names.add(var[len(_ENV_PREFIX) : -len(suffix) - 1])
    found = {}
    for raw in sorted(names):
        prefix = f"{_ENV_PREFIX}{raw}_"
        name = raw.lower().replace("_", "-")
        where = f"profile {name!r} (environment {prefix}*)"
        if not env.get(prefix + "HOST"):
            continue  # ENVNB_PROFILE alone (connect's default) is not a profile
        host = _host(where, env.get(prefix + "HOST"))
        key = env.get(prefix + "API_KEY")
        found[name] = Profile(
            name=name,
            host=host,
            project_ids=_project_ids(where, env.get(prefix + "PROJECT_ID")),
            region=region_of(host, env.get(prefix + "REGION") or None),
            key_source=f"env:{prefix}API_KEY" if key else "missing",
            origin="env",
            _key=_key(where, key) if key else None,
        )
    return found


def _host(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{where}: host is required ('us', 'eu' or a URL)")
    try:
        return normalize_host(value)
    except ConfigurationError as err:
        raise ConfigurationError(f"{where}: {err}") from None


def _project_ids(where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else str(value).split(",")
    ids = []
    for item in items:
        text = str(item).strip()
        if isinstance(item, bool) or not re.fullmatch(r"[0-9]+", text, re.ASCII):
            raise ConfigurationError(
                f"{where}: project_id must be a project number or a list of them, got {text!r}"
            )
        ids.append(text)
    return tuple(ids)


def _region(where: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ConfigurationError(f"{where}: region must be a string such as 'eu'")
    return value or None


def _key(where: str, value: Any) -> ApiKey | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"{where}: api_key must be a string")
    try:
        check_key(value.strip())
    except ConfigurationError as err:
        raise ConfigurationError(f"{where}: {err}") from None
    return ApiKey(value.strip())


# ---- writing -------------------------------------------------------------------------------


def write_profile(
    name: str,
    host: str,
    project_ids: list[int | str] | tuple[int | str, ...],
    *,
    api_key: str | ApiKey | None = None,
    api_key_env: str | None = None,
    region: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Add or replace profile ``name`` in the profiles file (mode 0600, rule 5).

    The key is stored only when given as ``api_key``; ``api_key_env`` stores the name of
    the variable that holds it instead. Raises ConfigurationError for a bad name, host or
    project id, or for a key that cannot be a personal API key (never echoing it).
    """
    where = f"profile {name!r}"
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigurationError(f"{where}: a name may use letters, digits, '-', '_', '.'")
    entry: dict[str, Any] = {"host": _host(where, host)}
    ids = _project_ids(where, list(project_ids))
    if ids:
        entry["project_id"] = [int(i) for i in ids] if len(ids) > 1 else int(ids[0])
    if region:
        entry["region"] = region
    if api_key_env:
        entry["api_key_env"] = api_key_env
    elif api_key is not None:
        raw = api_key.reveal() if isinstance(api_key, ApiKey) else api_key
        stored = _key(where, raw)
        if stored is not None:
            entry["api_key"] = stored.reveal()
    path = profiles_path(env)
    table = _read(path) if path.exists() else {}
    table[name] = entry
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(dump_profiles(table))
        os.chmod(tmp, 0o600)  # O_CREAT's mode does not apply to a leftover file
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


__all__ = [
    "ENV_CONFIG_DIR",
    "ENV_PROFILE",
    "Profile",
    "config_dir",
    "get_profile",
    "load_profiles",
    "profiles",
    "profiles_path",
    "region_of",
    "write_profile",
]
