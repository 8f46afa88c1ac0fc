"""Each evaluation row's recent yearly values as one row of a matrix: rows × ``WINDOW`` years.

The projection methods (``analysis.evaluate.methods``) read the years a row has, not only the
sums ``series.py`` keeps, so the yearly values known at a row's cut-off are scattered into a
NaN matrix whose last column is the row's latest usable year. Values before the row's "first
usable year" (the first year after a break in the series: 口径 change, 不再分解, renamed
indicator) are left out: a series is projected from its last segment only. Built with one
scatter for all rows; nothing loops per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.evaluate.asof import PERIOD_TYPES, years_of

#: The most recent years a projection looks at (plans give 3 to 10; older years say little).
WINDOW = 10
_YEAR = PERIOD_TYPES.index("year")


@dataclass(frozen=True)
class YearlyWindow:
    """``values[i, j]``: row i's value in year ``last_year[i] - WINDOW + 1 + j`` (NaN if unknown).

    ``last_year``: the latest usable year per row (NaN when the row has none); ``count``: how
    many usable yearly values the window holds; ``all_count``: how many the row has before the
    break is applied (to tell "too few points" from "too few since the break")."""

    values: np.ndarray
    last_year: np.ndarray
    count: np.ndarray
    all_count: np.ndarray

    def years(self) -> np.ndarray:
        """The calendar year of every column, per row (NaN for rows without a value)."""
        return self.last_year[:, None] + np.arange(1 - WINDOW, 1, dtype=np.float64)[None, :]


def yearly_window(
    known: pd.DataFrame, n: int, first_year: np.ndarray | None = None, width: int = WINDOW
) -> YearlyWindow:
    """The ``width`` latest usable yearly values of every row from ``known_observations`` output.

    ``first_year``: per row, the first year that may be used (NaN: no limit). Several values for
    one row and year (which the data checks should not let through) keep the last in the order
    ``known`` lists them, as the rest of the engine does.
    """
    first = np.full(n, np.nan) if first_year is None else np.asarray(first_year, dtype=np.float64)
    ptype = known["period_type"].cat.codes.to_numpy()
    value = known["value"].to_numpy(dtype=np.float64)
    take = np.flatnonzero((ptype == _YEAR) & ~np.isnan(value))
    row = known["row"].to_numpy()[take].astype(np.int64)
    if "year" in known:  # known_observations gives it
        year = known["year"].to_numpy()[take].astype(np.float64)
    else:
        year = years_of(known["period_end"].to_numpy(dtype="datetime64[ns]")[take]).astype(np.float64)
    value = value[take]
    all_count = np.bincount(row, minlength=n) if len(row) else np.zeros(n, np.int64)
    if not np.isnan(first).all():
        usable = ~(year < first[row])  # NaN first year: every year
        row, year, value = row[usable], year[usable], value[usable]
    return window_of_lines(row, year, value, all_count, width)


def window_of_lines(
    row: np.ndarray, year: np.ndarray, value: np.ndarray, all_count: np.ndarray, width: int = WINDOW
) -> YearlyWindow:
    """The window from the usable yearly values themselves (``row`` sorted, each row's years
    rising), for a caller that has picked them out already (``series.row_facts`` does).

    ``all_count``: per row, how many yearly values it has before a break is applied."""
    n = len(all_count)
    last = np.full(n, np.nan)
    ends = np.flatnonzero(np.r_[row[1:] != row[:-1], True]) if len(row) else np.empty(0, np.int64)
    last[row[ends]] = year[ends]  # a row's latest year ends its block
    # each value's place in the flattened matrix, worked out in place (whole numbers, exact
    # as floats): one temporary of the lines' length instead of one per step
    flat = last[row]
    np.subtract(year, flat, out=flat)
    flat += width - 1  # the column
    inside = flat >= 0
    flat += row * float(width)
    values = np.full((n, width), np.nan)
    if not inside.all():  # years older than the window: rare
        flat, value = flat[inside], value[inside]
    values.reshape(-1)[flat.astype(np.intp)] = value  # duplicates: the last in the order given wins
    count = (~np.isnan(values)).sum(axis=1)
    return YearlyWindow(values, last, count, all_count)
