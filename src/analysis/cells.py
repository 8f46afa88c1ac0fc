"""A raw cell as text, one way for every reader (the CSV build, the workbook reader, the
workbook writer): missing and blank are None, numbers keep no spurious ``.0``, dates are ISO.

Why one module: three copies of "cell to text" had three meanings (a float NaN was "nan" in
one, an int None in another), so the same cell could read differently by where it came from."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd


def is_missing(value: object) -> bool:
    """None, pandas' NA and NaT, or a float NaN (how pandas stores a missing text cell)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def plain(value: float) -> str:
    """A number as a person would type it: 12 significant digits, no trailing ``.0``."""
    return f"{value:.12g}"


def typed_text(value: Any) -> str:
    """A cell as the person typed it (numbers without a spurious .0, dates as YYYY-MM-DD)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return plain(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def cell_text(value: Any) -> str | None:
    """A cell as text, stripped; None when it is missing or blank."""
    if is_missing(value):
        return None
    return typed_text(value).strip() or None
