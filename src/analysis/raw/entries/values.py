"""Comparisons of entered and published values that treat every kind of "nothing" alike.

A record's empty cell is ``None``, a frame's is ``NaN``, ``pd.NA`` or ``NaT``; comparing two
entries or an entry with a published figure must not tell those apart, or the same workbook
read twice would look like two different entries.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def missing(value: Any) -> bool:
    """Whether ``value`` is empty however it got there (``None``, ``pd.NA`` or a float NaN)."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def same(a: Any, b: Any) -> bool:
    """Whether two cells of a record hold the same entry, an empty one matching any empty one."""
    if missing(a) or a is pd.NaT:
        return missing(b) or b is pd.NaT
    return a == b


def same_number(a: float, b: float, *, approx: bool = False) -> bool:
    """Whether two figures are the same number: ``approx`` (a published ≈) allows 1%, otherwise
    only the rounding a spreadsheet or a unit factor adds."""
    return math.isclose(a, b, rel_tol=1e-2 if approx else 1e-9, abs_tol=1e-9)
