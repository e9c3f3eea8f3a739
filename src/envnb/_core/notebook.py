"""Where the code runs: notebook detection, and the progress bar a long fetch shows there."""

from __future__ import annotations

import sys
from typing import Protocol


class Progress(Protocol):
    """What a fetch needs of a progress bar (tqdm's ``update`` and ``close``)."""

    def update(self, n: float | None = ...) -> bool | None: ...

    def close(self) -> None: ...


def in_notebook() -> bool:
    """True inside a Jupyter kernel (without importing IPython if it is not loaded)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def progress_bar(enabled: bool | None, total: int | None, desc: str) -> Progress | None:
    """A tqdm bar counting rows, or None; ``enabled=None`` means "only in a notebook"."""
    if enabled is None:
        enabled = in_notebook()
    if not enabled:
        return None
    from tqdm.auto import tqdm

    bar: Progress = tqdm(total=total, desc=desc, unit="rows", leave=False)
    return bar
