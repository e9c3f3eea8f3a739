"""A file-download run as PostHog answers it (its shape depends on ``status``)."""

from __future__ import annotations

from .._core.models import APIModel


class FileExport(APIModel):
    """A run: ``id`` (in lists), ``status``; ``files`` + ``records_completed`` once Completed,
    ``error`` once failed."""

    id: str | None = None
    status: str
    files: list[str] | None = None
    records_completed: int | None = None
    error: str | None = None


class RowCount(APIModel):
    """``count_rows``' answer."""

    count: int


class Started(APIModel):
    """``create``'s answer: the run's id."""

    id: str
