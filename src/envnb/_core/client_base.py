"""What both clients share that is not I/O: their settings, and how they show themselves."""

from __future__ import annotations

from typing import NoReturn

from .config import Settings


class ClientBase:
    """Settings of a client; the key never appears in its repr and it cannot be pickled."""

    _settings: Settings

    @property
    def host(self) -> str:
        """Base URL of the PostHog instance (or sandbox)."""
        return self._settings.base_url

    @property
    def project_id(self) -> str:
        """The project every call is scoped to."""
        return self._settings.project_id

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(host={self.host!r}, project_id={self.project_id!r}, "
            "api_key='[secure]')"
        )

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be pickled (it holds an API key)")
