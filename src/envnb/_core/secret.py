"""ApiKey: holds the personal API key so it never leaks through repr, str, logs or pickles."""

from __future__ import annotations

from typing import Any, NoReturn


class ApiKey:
    """A secret string; ``repr``/``str`` show ``[secure]``; ``reveal()`` returns the key."""

    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        self.__value = value

    def reveal(self) -> str:
        """Return the raw key (only for the Authorization header)."""
        return self.__value

    def __repr__(self) -> str:
        return "ApiKey('[secure]')"

    def __str__(self) -> str:
        return "[secure]"

    def __format__(self, spec: str) -> str:
        return "[secure]"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other.__value == self.__value

    def __hash__(self) -> int:
        return hash(("ApiKey", self.__value))

    def __bool__(self) -> bool:
        return bool(self.__value)

    def __reduce__(self) -> NoReturn:
        # Pickling would write the key to disk (e.g. notebook state savers): refuse.
        raise TypeError("ApiKey cannot be pickled")

    def __getstate__(self) -> Any:
        raise TypeError("ApiKey cannot be pickled")
