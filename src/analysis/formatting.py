"""Numbers as Chinese reports write them: 71.26万人次, 5.5%, 24.06亿元, 3600人.

``fmt`` and ``pct`` format one value (reports, tables, charts); ``fmt_all`` and ``pct_all``
whole columns, by array arithmetic and Arrow string kernels, giving the same text as the
one-value versions (the engine writes a million sentences with them). One module for both,
so a table, a chart and a sentence never write the same number two ways.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.cn_numbers import COUNT_UNITS

__all__ = [
    "EMPTY",
    "STR",
    "fixed",
    "fmt",
    "fmt_all",
    "fmt_arrow",
    "once_per_value",
    "pct",
    "pct_all",
    "pct_arrow",
    "scatter",
    "unit_classes",
]

# -- one value (reports, charts) --------------------------------------------------------------


def fmt(value: float | None, unit: str | None) -> str:
    """A value as a Chinese report writes it: 71.26万人次, 5.5%, 24.06亿元, 3600人."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    unit = unit or ""
    if unit == "%":
        return f"{_trim(value, 2)}%"
    if unit in COUNT_UNITS or unit == "元":
        if abs(value) >= 1e8:
            return f"{_trim(value / 1e8, 2)}亿{unit}"
        if abs(value) >= 1e4:
            return f"{_trim(value / 1e4, 2)}万{unit}"
        return f"{_trim(value, 1)}{unit}"
    return f"{_trim(value, 2)}{unit}"


def _trim(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pct(share: float | None) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{_trim(share * 100, 1)}%"


# -- whole columns of numbers ---------------------------------------------------------------------

STR = pa.large_string()  # what pandas' "str" dtype holds
_STR = STR
EMPTY = pa.scalar("", STR)
_EMPTY = EMPTY
_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter
_EXACT = 2.0**53  # below this a double's integer part fits int64 with room to spare
_WIDE = 2.0**63
# fraction digits after trimming: index f for two digits (f = 0..99), 100 + f for one digit
_FRACTIONS = pa.array(
    [("." + f"{f:02d}".rstrip("0")) if f else "" for f in range(100)] + [f".{f}" if f else "" for f in range(10)], _STR
)
_SIGN = pa.array(["", "-"], _STR)


def _scaled_round(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    """round(x × c) half-to-even on the exact product, as int64, for finite |x| < 2**53 and c = 10 or 100.

    This is the rounding ``format(x, ".2f")`` does (on the binary value, not the decimal one).
    The integer part of x is scaled exactly; the product of the fractional part and c is split
    into its rounded value and exact error (Dekker's two-product), and the error decides the
    rare products that land exactly on a half.
    """
    whole = np.trunc(x)
    frac = x - whole  # exact
    p = frac * c
    k = np.rint(p)
    d = p - k
    tie = np.flatnonzero(np.abs(d) == 0.5)  # rare: only these need the exact error
    if len(tie):
        f, cc, pp = frac[tie], c[tie], p[tie]
        t = _SPLIT * f
        hi = t - (t - f)
        lo = f - hi
        err = (hi * cc - pp) + lo * cc  # frac × c == p + err exactly
        k[tie] += ((d[tie] == 0.5) & (err > 0)).astype(np.float64) - ((d[tie] == -0.5) & (err < 0))
    return whole.astype(np.int64) * c.astype(np.int64) + k.astype(np.int64)


def fixed(values: np.ndarray, digits: int | np.ndarray) -> pa.Array:
    """``f"{v:.{digits}f}"`` with trailing zeros and a bare point removed, for a whole array.

    digits is 1 or 2 (per value or for all). Gives "nan", "inf" and "-inf" for those values,
    like Python.
    """
    x = np.asarray(values, dtype=np.float64)
    digits = np.broadcast_to(np.asarray(digits), x.shape)
    c = np.where(digits == 1, 10.0, 100.0)
    finite = np.isfinite(x)
    small = finite & (np.abs(x) < _EXACT)
    scaled = _scaled_round(np.where(small, x, 0.0), c)
    # 2**53 and beyond: already a whole number (no fraction to print)
    big = finite & ~small & (np.abs(x) < _WIDE)
    units = np.where(small, np.abs(scaled) // c.astype(np.int64), np.abs(np.where(big, x, 0.0)).astype(np.int64))
    frac = np.where(small, np.abs(scaled) % c.astype(np.int64), 0) + np.where(digits == 1, 100, 0)
    negative = np.signbit(x)
    parts = [pc.cast(pa.array(units), _STR), _FRACTIONS.take(pa.array(frac))]
    if negative.any():
        parts.insert(0, _SIGN.take(pa.array(negative.astype(np.int8))))
    text = pc.binary_join_element_wise(*parts, _EMPTY)
    for word, where in (("nan", np.isnan(x)), ("inf", x == np.inf), ("-inf", x == -np.inf)):
        if where.any():
            text = pc.if_else(pa.array(where), pa.scalar(word, _STR), text)
    huge = finite & ~small & ~big
    if huge.any():  # beyond 2**63 (no target comes near): Python's own text for those few
        where = np.flatnonzero(huge)
        words = pa.array([_trim(v, int(d)) for v, d in zip(x[where], digits[where])], _STR)
        text = scatter([np.flatnonzero(~huge), where], [text.filter(pa.array(~huge)), words], len(x))
    return text


def scatter(positions: list[np.ndarray], arrays: list[pa.Array], n: int) -> pa.Array:
    """Put each array's strings at its positions (together they cover 0..n-1 once)."""
    order = np.concatenate(positions) if positions else np.zeros(0, np.int64)
    inverse = np.empty(n, np.int64)
    inverse[order] = np.arange(n)
    if not arrays:
        return pa.array([], _STR)
    # taken from the pieces as they are: concatenating them first would copy every string twice
    taken = pa.chunked_array(arrays, type=_STR).take(pa.array(inverse))
    return taken.chunk(0) if taken.num_chunks == 1 else taken.combine_chunks()


def unit_classes(units: np.ndarray | pd.Series | Sequence[str | None]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per value: 1 for "%", 2 for a count or 元 (written with 万 / 亿), 0 otherwise; the unit's
    position in the list of distinct units; and that list ("" for none)."""
    codes, uniques = pd.factorize(pd.Series(units, dtype="str"), use_na_sentinel=False)
    names = ["" if (u is None or u != u) else str(u) for u in uniques]
    kind = np.array([1 if u == "%" else 2 if u in COUNT_UNITS or u == "元" else 0 for u in names] or [0])
    return kind[codes] if len(codes) else np.zeros(0, int), codes.astype(np.int64), names


def once_per_value(keys: np.ndarray, write: Callable[[np.ndarray], pa.Array]) -> pa.Array:
    """``write(at)`` for one position ``at`` of each distinct key, spread back over all positions.

    A column of a million numbers holds far fewer distinct (value, unit) pairs (targets, years,
    round figures): each is written once and the texts taken by code, about four times cheaper
    than writing every value. Equal keys must give equal texts, whichever position is written.
    """
    if len(keys) < 64:
        return write(np.arange(len(keys)))
    codes, uniques = pd.factorize(keys)
    at = np.empty(len(uniques), np.int64)
    at[codes] = np.arange(len(keys))  # any position of each key will do
    return write(at).take(pa.array(codes))


def _bits(x: np.ndarray) -> np.ndarray:
    """A double's bits as a key: -0.0 and 0.0 are two keys (they print "-0" and "0")."""
    return np.ascontiguousarray(x, dtype=np.float64).view(np.int64)


def fmt_arrow(x: np.ndarray, cls: np.ndarray, unit: np.ndarray, names: list[str]) -> pa.Array:
    """``fmt`` for an array: each value with its unit class and unit code (``unit_classes``)."""
    x = np.asarray(x, dtype=np.float64)
    cls, unit = np.asarray(cls), np.asarray(unit)
    key = _bits(x)
    if len(names) > 1 and len(x) >= 64:  # the unit is part of the key (cls follows the unit)
        key = pd.factorize(key)[0].astype(np.int64) * len(names) + unit
    return once_per_value(key, lambda at: _fmt_each(x[at], cls[at], unit[at], names))


def _fmt_each(x: np.ndarray, cls: np.ndarray, unit: np.ndarray, names: list[str]) -> pa.Array:
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        size = np.abs(x)
        yi = (cls == 2) & (size >= 1e8)
        wan = (cls == 2) & ~yi & (size >= 1e4)
    shown = np.where(yi, x / 1e8, np.where(wan, x / 1e4, x))
    digits = np.where((cls == 2) & ~yi & ~wan, 1, 2)
    # 亿 / 万 and the unit, from a small table of every (magnitude, unit)
    suffixes = pa.array([m + u for m in ("", "万", "亿") for u in names], _STR)
    suffix = suffixes.take(pa.array(np.where(yi, 2, np.where(wan, 1, 0)) * len(names) + unit))
    text = pc.binary_join_element_wise(fixed(shown, digits), suffix, _EMPTY)
    return pc.if_else(pa.array(np.isnan(x)), pa.scalar("—", _STR), text)


def fmt_all(values: np.ndarray | pd.Series, units: np.ndarray | pd.Series | Sequence[str | None]) -> pd.Series:
    """``fmt`` for whole columns: each value with its own unit."""
    cls, unit, names = unit_classes(units)
    return pa.chunked_array([fmt_arrow(np.asarray(values, dtype=np.float64), cls, unit, names)]).to_pandas()


def pct_arrow(share: np.ndarray) -> pa.Array:
    """``pct`` for an array, each distinct share written once."""
    x = np.asarray(share, dtype=np.float64)
    return once_per_value(_bits(x), lambda at: _pct_each(x[at]))


def _pct_each(x: np.ndarray) -> pa.Array:
    return pc.if_else(
        pa.array(np.isnan(x)),
        pa.scalar("—", _STR),
        pc.binary_join_element_wise(fixed(x * 100, 1), pa.scalar("%", _STR), _EMPTY),
    )


def pct_all(shares: np.ndarray | pd.Series) -> pd.Series:
    """``pct`` for a whole column."""
    return pa.chunked_array([pct_arrow(np.asarray(shares, dtype=np.float64))]).to_pandas()
