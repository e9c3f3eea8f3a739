"""Shared base of the resource classes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from ..errors import RequestValidationError
from ..frames import Column, FrameBuilder

if TYPE_CHECKING:
    import pandas as pd

    from .._endpoints import Endpoint

T = TypeVar("T")


class Resource:
    """Holds the executor; subclasses only describe requests.

    Return annotations are the sync client's (what ``Client`` returns). On ``AsyncClient``
    the same methods return awaitables of those values (``list()`` / ``stream()`` return
    async iterators), so ``AsyncClient``'s resources are typed ``Any``.
    """

    def __init__(self, executor: Any) -> None:
        self._ex = executor

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {type(self._ex).__name__}>"


class ListableResource(Resource, Generic[T]):
    """A resource with ``list`` / ``list_df`` / ``get``: subclasses name their endpoint table
    (with ``list`` and ``get`` entries) and the column→dtype map of their DataFrame."""

    _endpoints: ClassVar[Mapping[str, Endpoint]]
    _columns: ClassVar[Sequence[Column]]

    def list(
        self, *, limit: int | None = None, page_size: int = 100, **filters: Any
    ) -> Iterator[T]:
        """Iterate over the objects, fetching pages lazily (an async iterator on AsyncClient)."""
        _check_paging(limit, page_size)
        spec = self._endpoints["list"].spec(params=filters)
        return self._ex.paginate(spec, limit, page_size)

    def list_df(
        self,
        limit: int | None = None,
        progress: bool | None = None,
        *,
        page_size: int = 1000,
        **filters: Any,
    ) -> pd.DataFrame:
        """Every page (or the first ``limit`` rows) in one DataFrame with declared dtypes.

        Columns and dtypes come from the resource's map in ``envnb.frames``, so an empty
        result has the same schema. ``progress``: a tqdm bar (default: only in notebooks).
        """
        _check_paging(limit, page_size)
        spec = self._endpoints["list"].spec(params=filters)
        builder = FrameBuilder(self._columns)
        return self._ex.frame(spec, builder, limit, page_size=page_size, progress=progress)

    def get(self, id: Any) -> T:
        """Return one object by id (or by a model with ``.id``)."""
        return self._ex.run(self._endpoints["get"].spec({"id": ident(id)}))


def _check_paging(limit: Any, page_size: Any) -> None:
    # A negative limit used to give an empty result silently; say what is allowed instead.
    for name, value, low in (("limit", limit, 0), ("page_size", page_size, 1)):
        if value is None and name == "limit":
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise RequestValidationError(
                f"{name}: must be an int >= {low}"
                + (" or None" if name == "limit" else "")
                + f", got {value!r}",
                attr=name,
            )


def ident(value: Any) -> str:
    """An object id from an id string or a model with ``.id``."""
    return str(getattr(value, "id", value))
