"""envnb.display.table: timestamps to the second, empty cells blank, everything escaped."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from envnb.display import table


def _cells(html: str) -> list[str]:
    return re.findall(r'<td id="T_\w+_row\d+_col\d+" class="data row\d+ col\d+" >(.*?)</td>', html)


def test_seconds_blanks_numbers_and_escaping() -> None:
    df = pd.DataFrame(
        {
            "when": pd.to_datetime(["2026-11-28 01:59:00.044404+00:00", None], utc=True),
            "name": pd.array(["<img src=x onerror=alert(1)>", None], dtype="string"),
            "records": pd.array([1234567, None], dtype="Int64"),
            "ratio": [0.123456, np.nan],
            "whole": [3.0, None],
        }
    )
    html = table(df, caption="Runs <in range>").to_html()
    assert _cells(html) == [
        "2026-11-28 01:59:00",
        "&lt;img src=x onerror=alert(1)&gt;",
        "1,234,567",
        "0.1235",
        "3",
        "",
        "",
        "",
        "",
        "",
    ]
    assert "<caption>Runs &lt;in range&gt;</caption>" in html
    for shown in ("NaT", "NaN", "&lt;NA&gt;", "None", ".044404", "+00:00"):
        assert shown not in html
    assert list(df["records"].isna()) == [False, True]  # the frame itself is unchanged


def test_datetime_index_to_the_second() -> None:
    idx = pd.DatetimeIndex(["2026-11-01 00:00:00.5+00:00"], name="day")
    html = table(pd.DataFrame({"n": [2]}, index=idx)).to_html()
    assert ">2026-11-01 00:00:00</th>" in html
