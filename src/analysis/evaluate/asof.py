"""What was known at a cut-off: the rows to evaluate and the observations each may use.

Document 000 fixes two cut-offs for its mid-term evaluation: annual data to 2022-12-31 and
monthly data to 2023-06-30. An evaluation at a cut-off may use a yearly (or multi-year)
value only if its period ended by the annual cut-off, and a year-to-date or monthly value
only if it ended by the monthly cut-off. Nothing published later leaks in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.vocabulary import BASELINE, EVALUATION_TYPES, FINAL, MIDTERM

TARGET_COLUMNS = [
    "plan_id",
    "indicator_id",
    "seq",
    "name",
    "unit",
    "attribute",
    "target_kind",
    "comparator",
    "target_value",
    "target_year",
    "target_text",
    "base_year",
    "period_start",
    "period_end",
    "name_note",
]

#: Period types with a code of their own in ``known_observations`` (its ``period_type`` categories
#: start with these, in this order; any other type found in the data follows them).
PERIOD_TYPES = ("year", "plan_period", "stock", "ytd", "month")
#: Periods shorter than a year: known by the monthly cut-off, the others by the annual one.
SUB_YEAR = ("ytd", "month")


def evaluation_rows(frames: dict[str, pd.DataFrame], as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per (evaluation of a plan for a region) × target, with its cut-offs.

    Without ``as_of`` each evaluation uses the cut-offs in the data (evaluation_settings).
    With ``as_of`` every evaluation is run at that date instead: yearly data to the end of
    the last full year before it, monthly data to the date itself.
    """
    settings = frames["evaluation_settings"][
        ["evaluation_id", "plan_id", "region", "evaluation_type", "annual_cutoff", "monthly_cutoff"]
    ].copy()
    if as_of is not None:
        stamp = pd.Timestamp(as_of)
        year_end = pd.Timestamp(year=stamp.year, month=12, day=31)
        settings["annual_cutoff"] = (
            year_end if stamp == year_end else pd.Timestamp(year=stamp.year - 1, month=12, day=31)
        )
        settings["monthly_cutoff"] = stamp
    settings["monthly_cutoff"] = settings["monthly_cutoff"].fillna(settings["annual_cutoff"])
    settings["as_of"] = settings[["annual_cutoff", "monthly_cutoff"]].max(axis=1)
    rows = _inner_join(settings, frames["indicators"][TARGET_COLUMNS], "plan_id")
    # plain floats: nullable integer columns would turn every ratio into a nullable array
    for col in ("seq", "target_year", "base_year", "period_start", "period_end", "target_value"):
        rows[col] = rows[col].astype("float64")
    rows["data_year"] = rows["annual_cutoff"].dt.year
    # The type follows the cut-off: at or after the plan's last year it is a final evaluation.
    data_year = rows["data_year"].to_numpy()
    with np.errstate(invalid="ignore"):
        kind = np.select(
            [data_year < rows["period_start"].to_numpy(), data_year >= rows["period_end"].to_numpy()],
            [EVALUATION_TYPES.index(BASELINE), EVALUATION_TYPES.index(FINAL)],
            default=EVALUATION_TYPES.index(MIDTERM),
        )
    words = pa.array(EVALUATION_TYPES, pa.large_string()).take(pa.array(kind))
    rows["evaluation_type"] = pd.Series(pa.chunked_array([words]).to_pandas().array, index=rows.index)
    return rows.reset_index(drop=True)


def _inner_join(left: pd.DataFrame, right: pd.DataFrame, key: str) -> pd.DataFrame:
    """``left.merge(right, on=key, how="inner")``, row for row and in the same order (left's
    rows in order, each with its matches in right's order), without hashing the million keys
    of ``right`` twice; and when right is already in that order (targets listed plan by plan,
    plans in the order of the settings), without copying its columns at all."""
    codes, _ = pd.factorize(pd.concat([left[key], right[key]], ignore_index=True), use_na_sentinel=False)
    lcode, rcode = codes[: len(left)], codes[len(left) :]
    n_codes = int(codes.max()) + 1 if len(codes) else 0
    order = np.argsort(rcode, kind="stable")
    per = np.bincount(rcode, minlength=n_codes)
    start = np.cumsum(per) - per
    count = per[lcode]
    left_at = np.repeat(np.arange(len(left)), count)
    run = np.arange(len(left_at)) - np.repeat(np.cumsum(count) - count, count)
    right_at = order[np.repeat(start[lcode], count) + run]
    right = right.drop(columns=[key])
    same = len(right_at) == len(right) and bool((right_at == np.arange(len(right))).all())
    joined_right = right.reset_index(drop=True) if same else right.take(right_at).reset_index(drop=True)
    joined = pd.concat([left.take(left_at).reset_index(drop=True), joined_right], axis=1)
    return joined


def known_observations(rows: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """Observations of each row's own series and region that were known at its cut-offs.

    Only preferred, non-benchmark values. One line per (evaluation row, observation):
    ``row`` (position in ``rows``), ``obs`` (position in ``observations``), ``period_type``,
    ``comparator``, ``status``, ``note`` and ``value_text`` (categoricals), ``period_start``,
    ``period_end``, ``year`` (the calendar year of ``period_end``, a small integer: later steps
    need not work it out again) and ``value``. Sorted by row, then period type (in the order of
    PERIOD_TYPES), then the period's end — its year, or its date for a year-to-date value —
    then observation, so later steps find each row's values of one type as a block, in time
    order, ties in the order of the data. No loop runs per row or series: the join is a sort and a search.

    The steps: series keys (``_series_keys``), the lines' order (``_line_order``), each row's
    block (``_lines_of_rows``), the cut-offs (``_known_by_cutoff``), the columns (``_lines_frame``).
    The 8.6M-long arrays of a million series are let go as soon as the next step has what it needs.
    """
    chosen = (observations["is_preferred"] & ~observations["is_benchmark"]).to_numpy(dtype=bool, copy=True)
    end = _dates(observations["period_end"])
    chosen &= ~np.isnat(end)  # a period that never ended is never known
    pos = np.flatnonzero(chosen)
    end = end[pos]
    row_key, obs_key, keep, n_keys = _series_keys(rows, observations, pos)
    if keep is not None:
        pos, end = pos[keep], end[keep]
    types, ptype, year, order = _line_order(observations["period_type"], pos, end, obs_key)

    # Each row takes the block of its series: rows in order, each block in (type, time, data) order.
    # The columns are not reordered: the positions in that order are mapped back through ``order``.
    lo, count = _blocks(obs_key, order, row_key, n_keys)
    del obs_key
    row, at = _lines_of_rows(order, lo, count, max(len(observations), len(rows)))
    del order
    known = _known_by_cutoff(rows, row, end, ptype, types, at)
    row, at = row[known], at[known]
    del known
    return _lines_frame(observations, row, at, pos, types, ptype, end, year)


def _series_keys(
    rows: pd.DataFrame, observations: pd.DataFrame, pos: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int]:
    """Series as integers: indicator × region, codes from the values in the rows (a missing
    value has a code of its own and meets a missing value, as in a pandas merge).

    The key of each row, the key of each observation at ``pos``, which of those to keep (None:
    all, the usual case: every observation's series and region has rows) and the number of keys."""
    row_region = Runs(rows["region"])  # a unit's targets are consecutive rows
    indicators, regions = _categories(_arrow(rows["indicator_id"])), _categories(row_region.values)
    width = len(regions) + 1
    row_key = _codes(_arrow(rows["indicator_id"]), indicators, missing=True) * width + row_region.spread(
        _codes(row_region.values, regions, missing=True)
    )
    # int32 keys when they fit (they do unless there are billions of series): half the bytes
    key_type = np.int32 if (len(indicators) + 2) * width < 2**31 else np.int64
    series, region = Runs(observations["series_id"]), Runs(observations["region"])
    ind = series.spread(_codes(series.values, indicators, missing=True).astype(key_type))[pos]
    reg = region.spread(_codes(region.values, regions, missing=True).astype(key_type))[pos]
    del series, region
    n_keys = len(indicators) * width + width
    keep = (ind >= 0) & (reg >= 0)
    if keep.all():
        obs_key = ind
        obs_key *= width
        obs_key += reg
        return row_key, obs_key, None, n_keys
    return row_key, ind[keep] * width + reg[keep], keep, n_keys


def _line_order(
    period_type: pd.Series, pos: np.ndarray, end: np.ndarray, obs_key: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The period types (categories), each line's type code and year, and the order that sorts
    the lines by series, type (in the order of PERIOD_TYPES), the period's end — its year, or
    its day for a year-to-date value — then the data's own order."""
    runs = Runs(period_type)
    types = _categories(runs.values, first=PERIOD_TYPES)
    ptype = runs.spread(_small(_codes(runs.values, types), len(types) + 1))[pos]
    day = end.view(np.int64) // _DAY
    year = years_of(end, day)  # int16 (1677–2262): small, it travels with every line
    ytd = np.flatnonzero(ptype == PERIOD_TYPES.index("ytd"))
    time_key = year.astype(np.int64)
    time_key[ytd] = day[ytd]
    del day
    order = _stable_order(obs_key, np.where(ptype < 0, len(types), ptype), time_key)
    return types, ptype, year, order


def _lines_of_rows(order: np.ndarray, lo: np.ndarray, count: np.ndarray, longest: int) -> tuple[np.ndarray, np.ndarray]:
    """For each row its ``count`` lines from ``lo`` in the sorted order: the row of each line
    (int32 when ``longest``, the longer of the two tables, allows) and its position among the
    observations chosen."""
    small = np.int32 if longest < 2**31 - 1 else np.int64
    row = np.repeat(np.arange(len(lo), dtype=small), count)
    at = np.arange(len(row), dtype=np.int64)
    at += np.repeat(lo - (np.cumsum(count) - count), count)
    return row, order[at]


def _known_by_cutoff(
    rows: pd.DataFrame, row: np.ndarray, end: np.ndarray, ptype: np.ndarray, types: list[str], at: np.ndarray
) -> np.ndarray:
    """Which lines were known by their row's cut-off: the monthly one for periods shorter than
    a year, else the annual one."""
    is_sub = np.isin(np.arange(len(types) + 1), [types.index(t) for t in SUB_YEAR if t in types])
    cutoff = _dates(rows["annual_cutoff"]).view(np.int64)[row]
    sub = np.flatnonzero(is_sub[ptype[at]])  # few: only these read the monthly cut-off
    cutoff[sub] = _dates(rows["monthly_cutoff"]).view(np.int64)[row[sub]]
    return end.view(np.int64)[at] <= cutoff


def _lines_frame(
    observations: pd.DataFrame,
    row: np.ndarray,
    at: np.ndarray,
    pos: np.ndarray,
    types: list[str],
    ptype: np.ndarray,
    end: np.ndarray,
    year: np.ndarray,
) -> pd.DataFrame:
    """The known lines as a frame: line ``at`` of the chosen observations (``pos``), one
    column gathered at a time; text columns as categoricals coded once over the whole column."""
    obs = pos[at]
    out = pd.DataFrame({"row": row, "obs": obs})
    out["period_type"] = pd.Categorical.from_codes(ptype[at], categories=types, validate=False)
    out["period_start"] = _dates(observations["period_start"])[obs]
    out["period_end"] = end[at]
    out["year"] = year[at]  # the period end's calendar year
    out["value"] = _floats(observations["value"])[obs]
    for col in ("comparator", "status", "note", "value_text"):
        if col not in observations.columns:  # value_text: optional (synthetic panels lack it)
            out[col] = pd.Categorical.from_codes(np.full(len(obs), -1, np.int8), categories=[])
            continue
        codes, cats = _column_codes(observations[col])
        out[col] = pd.Categorical.from_codes(codes[obs], categories=cats, validate=False)
    return out


def _blocks(line_keys: np.ndarray, order: np.ndarray, keys: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``keys`` starts in ``line_keys[order]`` (sorted) and how many times it is there.

    Keys are small non-negative integers (codes), so one counting pass over the keys replaces
    two binary searches per key (the searches jump around memory that the count reads once,
    in order), and the count needs no sorted copy of the keys.
    """
    if n_keys > 4 * (len(line_keys) + len(keys)) + 1024:  # sparse codes: search instead
        sorted_keys = line_keys[order]
        lo = np.searchsorted(sorted_keys, keys, "left")
        return lo, np.searchsorted(sorted_keys, keys, "right") - lo
    per_key = np.bincount(line_keys, minlength=n_keys)
    start = np.cumsum(per_key) - per_key
    return start[keys], per_key[keys]


_DAY = 86_400 * 10**9
#: The calendar year of every day datetime64[ns] can hold (1677-09-21 … 2262-04-11), from the
#: first day of 1677: a look-up in 214k small integers, cheaper than numpy's calendar
#: conversion and than a search in a table of New Years' days.
_FIRST_DAY = int(np.datetime64("1677-01-01", "D").astype(np.int64))
_YEAR_OF_DAY = (
    np.arange("1677-01-01", "2263-01-01", dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
).astype(np.int16)


def years_of(dates: np.ndarray, days: np.ndarray | None = None) -> np.ndarray:
    """The calendar year of each datetime64[ns], as int16 (``days``: the dates already as whole
    days since 1970, floored). NaT gives a meaningless year (1677)."""
    if days is None:
        days = dates.view(np.int64) // _DAY
    return np.take(_YEAR_OF_DAY, days - _FIRST_DAY, mode="clip")


def _floats(values: pd.Series) -> np.ndarray:
    """A numeric column as float64 with NaN for missing values: the column itself (no copy,
    no test for missing values) when it is float64 already, as the processed data are."""
    if values.dtype == np.float64:
        return values.to_numpy()
    return pd.to_numeric(values).to_numpy(dtype=np.float64, na_value=np.nan)


def _dates(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")


def _arrow(values: pd.Series) -> pa.Array:
    arr = pa.array(values.astype("str"), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


class Runs:
    """A text column as runs of equal consecutive values: the first value of each run, and how
    long each run is.

    The observations come sorted by series, region and period, so their text columns are long
    runs (a series' 8–10 values, a unit's 300): coding the first value of each run and
    repeating the code costs one comparison of neighbours instead of hashing every value. The
    codes are those of the whole column (a value first appears at the head of a run, so even
    codes in order of first appearance are the same)."""

    def __init__(self, values: pd.Series) -> None:
        arr = _arrow(values)
        n = len(arr)
        if n > 1 and not arr.null_count:  # the usual case: where a value differs from the one before
            changed = pc.indices_nonzero(pc.not_equal(arr.slice(1), arr.slice(0, n - 1)))
            heads = np.concatenate([[0], changed.to_numpy().astype(np.int64) + 1])
        elif n > 1:
            same = pc.fill_null(pc.equal(arr.slice(1), arr.slice(0, n - 1)), False).to_numpy(zero_copy_only=False)
            missing = arr.is_null().to_numpy(zero_copy_only=False)
            same |= missing[1:] & missing[:-1]  # a run of missing values is one run too
            heads = np.flatnonzero(np.concatenate([[True], ~same]))
        else:
            heads = np.arange(n)
        self.values = arr.take(pa.array(heads)) if len(heads) < n else arr
        self.length = np.diff(np.append(heads, n))

    def spread(self, codes: np.ndarray) -> np.ndarray:
        """Codes of the runs' first values, for every value of the column."""
        return np.repeat(codes, self.length)


def _categories(arr: pa.Array, first: tuple[str, ...] = ()) -> list[str]:
    """The distinct values, sorted (``first`` ahead of the others, in its own order)."""
    found = [v for v in pc.unique(arr).to_pylist() if v is not None]
    return list(first) + sorted(set(found) - set(first))


def _codes(arr: pa.Array, categories: list[str], missing: bool = False) -> np.ndarray:
    """Each value's position in ``categories``; −1 where absent, and where missing too unless
    ``missing``, which gives missing values the code ``len(categories)``."""
    idx = pc.fill_null(pc.index_in(arr, value_set=pa.array(categories, type=pa.large_string())), -1)
    codes = idx.to_numpy().astype(np.int64)
    if missing and arr.null_count:
        codes[arr.is_null().to_numpy(zero_copy_only=False)] = len(categories)
    return codes


def _encode(arr: pa.Array) -> tuple[np.ndarray, list[str]]:
    """Codes and categories of a text column (−1 where missing)."""
    encoded = pc.dictionary_encode(arr)
    codes = pc.fill_null(encoded.indices, -1).to_numpy()
    return codes, encoded.dictionary.to_pylist()


def _column_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """``_encode`` of a whole observation column (categories in order of first appearance).

    Comparator, status and note are missing for nearly every observation: then only the
    values present are encoded; otherwise the column is coded by its runs (``Runs``)."""
    arr = _arrow(values)
    if arr.null_count * 2 > len(arr):
        present = np.flatnonzero(arr.is_valid().to_numpy(zero_copy_only=False))
        got, cats = _encode(arr.take(pa.array(present)))
        codes = np.full(len(arr), -1, _small(got, len(cats)).dtype)
        codes[present] = got
        return codes, cats
    runs = Runs(values)
    codes, cats = _encode(runs.values)
    return runs.spread(_small(codes, len(cats))), cats


def _small(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """Category codes in the integer type pandas keeps them in (int8 for a few categories):
    the spread and the gathers of 8.6M codes then move a byte each, not four or eight."""
    for small in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(small).max:
            return codes.astype(small, copy=False)
    return codes.astype(np.int64, copy=False)


def _stable_order(*keys: np.ndarray) -> np.ndarray:
    """The order that sorts by the keys (first key first), ties kept in place."""
    # each key shifted to start at zero only when it goes below zero: the order is the same
    lows = [min(int(k.min()), 0) if len(k) else 0 for k in keys]
    bits = [(int(k.max()) - low).bit_length() if len(k) else 0 for k, low in zip(keys, lows)]
    if sum(bits) <= 62:
        packed = keys[0].astype(np.int64) - lows[0]
        for k, b, low in zip(keys[1:], bits[1:], lows[1:]):  # in place: no temporary of 8.6M per key
            packed <<= b
            packed |= k - low if low else k
        return np.argsort(packed, kind="stable")
    return np.lexsort(keys[::-1])
