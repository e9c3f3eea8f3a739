"""DataFrames as a person reads them in a notebook or a report: ``table(df)``.

pandas shows a timestamp with its microseconds and timezone (``2026-11-28 01:59:00.044404
+00:00``) and a missing value as ``None``, ``NaN``, ``NaT`` or ``<NA>``. ``table`` keeps
the data as it is and changes only how it is shown: timestamps to the second (in UTC, as
envnb's frames hold them), missing values as empty cells, whole numbers without decimals,
and every value HTML-escaped (names and titles come from the server).
"""

from __future__ import annotations

import html
import numbers
from datetime import datetime
from typing import Any

import pandas as pd

__all__ = ["SECONDS", "cell", "table"]

SECONDS = "%Y-%m-%d %H:%M:%S"


def cell(value: Any) -> str:
    """One value as a table shows it (plain text, not yet escaped)."""
    if value is None or (not isinstance(value, list | dict | tuple) and pd.isna(value)):
        return ""
    if isinstance(value, datetime):
        return value.strftime(SECONDS)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if isinstance(value, numbers.Real):
        number = float(value)
        return f"{int(number):,}" if number.is_integer() else f"{number:,.4g}"
    return str(value)


def _html(value: Any) -> str:
    return html.escape(cell(value), quote=True)


def table(df: pd.DataFrame, caption: str | None = None) -> Any:
    """A pandas Styler of ``df`` showing it as described above; ``caption`` above it.

    The frame itself is not changed; keep using ``df`` for computing.
    """
    styler = df.style.format(_html).format_index(_html, axis=0).format_index(_html, axis=1)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler
