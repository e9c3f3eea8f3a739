"""The progress of a download: runs, files and bytes (tqdm bars, only in notebooks by default)."""

from __future__ import annotations

from typing import Any

from .._core.notebook import in_notebook


class Bars:
    """Three bars, or none; every method is a no-op when disabled."""

    def __init__(self, enabled: bool | None, runs: int) -> None:
        self._bars: list[Any] = []
        if enabled is None:
            enabled = in_notebook()
        if not enabled:
            return
        from tqdm.auto import tqdm

        self._bars = [
            tqdm(total=runs, desc="runs", unit="run", leave=False),
            tqdm(desc="files", unit="file", leave=False),
            tqdm(desc="bytes", unit="B", unit_scale=True, unit_divisor=1024, leave=False),
        ]

    def _update(self, which: int, n: int) -> None:
        if self._bars:
            self._bars[which].update(n)

    def runs_done(self, n: int) -> None:
        """``n`` more runs landed (or reused)."""
        self._update(0, n)

    def file_done(self) -> None:
        """One more file fetched."""
        self._update(1, 1)

    def bytes(self, n: int) -> None:
        """``n`` more bytes fetched."""
        self._update(2, n)

    def close(self) -> None:
        """Close the bars."""
        for bar in self._bars:
            bar.close()
