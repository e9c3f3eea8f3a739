"""What every listable resource has: ``list``, ``list_df`` and ``get``, over two endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from .._core.arguments import Id, check_paging, ident
from .._core.framing import Column, FrameSink
from .._core.request import Endpoint
from ._transport import AsyncTransport

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")


class AsyncListing(Generic[T]):
    """A resource with a paged list endpoint and a get-by-id endpoint, both returning ``T``."""

    def __init__(
        self,
        transport: AsyncTransport,
        progress: bool | None,
        listing: Endpoint[T],
        one: Endpoint[T],
        columns: Sequence[Column],
    ) -> None:
        self._transport = transport
        self._progress = progress
        self._listing = listing
        self._one = one
        self._columns = columns

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    # No **filters: PostHog's list endpoints take none besides paging (they ignore unknown
    # query parameters, ``?scope=`` included), so a keyword envnb does not know would be
    # dropped in silence and the whole list answered as if filtered. Python's TypeError
    # names it instead.
    def list(self, *, limit: int | None = None, page_size: int = 100) -> AsyncIterator[T]:
        """Iterate over the objects, fetching pages of ``page_size`` lazily (``limit``: at most).

        Raises RequestValidationError at once for a bad ``limit``/``page_size``.
        """
        check_paging(limit, page_size)
        return self._transport.items(self._listing.request(), limit, page_size)

    async def list_df(
        self,
        limit: int | None = None,
        progress: bool | None = None,
        *,
        page_size: int = 1000,
    ) -> pd.DataFrame:
        """Every page (or the first ``limit`` rows) in one DataFrame with declared dtypes.

        Columns and dtypes come from the resource's map (its product's ``frames.py``), so an
        empty result has the same schema. ``progress``: a tqdm bar (default: only in notebooks).
        """
        check_paging(limit, page_size)
        sink = FrameSink(self._columns, self._progress if progress is None else progress)
        try:
            await self._transport.pages(self._listing.request(), limit, page_size, sink)
        finally:
            sink.close()
        return sink.builder.build()

    async def get(self, id: Id) -> T:
        """One object by id (or by a model with ``.id``); NotFoundError if there is none."""
        return await self._transport.request(self._one.request({"id": ident(id)}))
