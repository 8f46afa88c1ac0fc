"""Per evaluation row, the facts its judgement needs, computed for all rows at once.

From the observations known at a row's cut-off: how many yearly points there are, the
latest value and year, the base-year value, the sum, minimum and maximum of yearly values
inside the plan period, the latest total over the plan period (a plan often reports "累计"
only), the latest year-to-date value and its seasonal share, and the previous plan's total
for a new plan's feasibility. No loop runs per series. (The projection reads its own window
of yearly values, ``history.yearly_window``: the spread and trend sums this module once
computed for the first projection are no longer computed.)

``known_observations`` hands the values over sorted by row, type and time, so each row's
values of one type are a block: counts, first and last values, minima and maxima are read
off the blocks with numpy. Sums and means are computed exactly as pandas' grouped
reductions computed them on the frames this module used to build (a plain running sum in the
order the values were published; a compensated mean in block order), so every fact comes out
to the last bit as before; ``_compensated_mean`` runs once per position within a row (a
handful of passes over all rows), not once per row.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.evaluate.asof import PERIOD_TYPES, years_of
from analysis.evaluate.history import YearlyWindow, window_of_lines
from analysis.formatting import fmt_arrow, unit_classes

BREAK_WORDS = ("不再", "更名", "口径", "停止")
#: Of the break words, those that say the series stopped (no values after the break).
STOP_WORDS = ("不再", "停止")
_YEAR, _PLAN_PERIOD, _STOCK, _YTD = (PERIOD_TYPES.index(t) for t in ("year", "plan_period", "stock", "ytd"))


class _Blocks:
    """Consecutive runs of the same row in a row-sorted array, for ``n`` rows."""

    def __init__(self, row: np.ndarray, n: int) -> None:
        self.n = n
        self.count = np.bincount(row, minlength=n) if len(row) else np.zeros(n, np.int64)
        self.stop = np.cumsum(self.count)
        self.start = self.stop - self.count
        self.has = self.count > 0

    def last(self, values: np.ndarray) -> np.ndarray:
        out = np.full(self.n, np.nan)
        out[self.has] = values[self.stop[self.has] - 1]
        return out

    def first(self, values: np.ndarray) -> np.ndarray:
        out = np.full(self.n, np.nan)
        out[self.has] = values[self.start[self.has]]
        return out

    def reduce(self, ufunc: np.ufunc, values: np.ndarray) -> np.ndarray:
        out = np.full(self.n, np.nan)
        if self.has.any():
            out[self.has] = ufunc.reduceat(values, self.start[self.has])
        return out


def _last_code(row: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Per row, the last non-missing category code in the (row-sorted) block; −1 if none."""
    ok = codes >= 0
    got = _Blocks(row[ok], n)
    out = np.full(n, -1, np.int64)
    out[got.has] = codes[ok][got.stop[got.has] - 1]
    return out


def _running_sum(values: np.ndarray, g: _Blocks) -> np.ndarray:
    """Each row's block summed left to right by numpy (what pandas does for sorted groups)."""
    return g.reduce(np.add, values)


def _positions(values: np.ndarray, g: _Blocks) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """For each position j within a block: every row's j-th value, and which rows have one.

    Rows without a j-th value read some other value (ignored by the mask): the pass then runs
    over all rows at once on contiguous arrays, several times cheaper than picking out the rows
    that have one, and each row's arithmetic is the same, in the same order."""
    if not len(values):
        return
    at = np.minimum(g.start, len(values) - 1)
    for j in range(int(g.count.max())):
        yield values[at], g.count > j
        at += 1
        np.minimum(at, len(values) - 1, out=at)


def _compensated_mean(values: np.ndarray, g: _Blocks) -> np.ndarray:
    """Each row's mean with Kahan's compensated sum in block order (pandas' grouped mean)."""
    total, comp = np.zeros(g.n), np.zeros(g.n)
    with np.errstate(invalid="ignore"):
        for value, has in _positions(values, g):
            y = value - comp
            t = total + y
            c = t - total - y
            c[c != c] = 0.0
            comp = np.where(has, c, comp)
            total = np.where(has, t, total)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(g.has, total / g.count, np.nan)


def _merge_order(row: np.ndarray, obs: np.ndarray) -> np.ndarray | None:
    """The order (row, then observation): the order the values were published in, per row;
    None when they are in that order already (the usual case: nothing need be gathered)."""
    if len(row) < 2:
        return None
    # in order unless a row, or an observation within its row, comes before the one before it
    same = row[1:] == row[:-1]
    if not ((row[1:] < row[:-1]) | (same & (obs[1:] < obs[:-1]))).any():
        return None
    key = row.astype(np.int64) * (int(obs.max()) + 1) + obs
    return np.argsort(key, kind="stable")


def _text(codes: np.ndarray, categories: pd.Index, index: pd.Index) -> pd.Series:
    """Category codes as a text column (NaN for −1)."""
    words = pa.array(list(categories) + [None], pa.large_string())
    taken = words.take(pa.array(np.where(codes < 0, len(categories), codes)))
    return pd.Series(pa.chunked_array([taken]).to_pandas().array, index=index)


def _years(dates: np.ndarray) -> np.ndarray:
    years = years_of(dates).astype(np.float64)
    years[np.isnat(dates)] = np.nan
    return years


def row_facts(rows: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    """One row of facts per evaluation row (index aligned with ``rows``)."""
    return facts_and_window(rows, known)[0]


def facts_and_window(rows: pd.DataFrame, known: pd.DataFrame) -> tuple[pd.DataFrame, YearlyWindow]:
    """``row_facts``, and the projection's window (``history.yearly_window``) built from the
    same usable yearly values, which are then picked out of the 8.6M lines once, not twice."""
    n = len(rows)
    out = pd.DataFrame(index=rows.index)
    k, ptype = _lines(known)
    has_value = ~np.isnan(k["value"])
    plan = {
        name: rows[col].to_numpy(dtype=np.float64)
        for col, name in (
            ("period_start", "plan_start"),
            ("period_end", "plan_end"),
            ("base_year", "base_year"),
            ("data_year", "data_year"),
        )
    }
    part = functools.partial(_part, k, plan, known)

    # A break (口径 change, 不再分解, renamed indicator) ends a series: yearly facts use only the
    # segment after the last break (``segment_start``), so no trend runs through it.
    segment, stopped = _segments(known, k, n)
    out["segment_start"] = segment
    out["series_stopped"] = stopped
    is_yearly = (ptype == _YEAR) & has_value
    dropped = _before_break(k["row"], k["year"], segment)
    dropped = dropped[is_yearly[dropped]]
    is_yearly[dropped] = False
    yearly = part(is_yearly, "obs", "year", "value", "plan_start", "plan_end", "base_year", "comparator")
    yearly["in_plan"] = (yearly["year"] >= yearly["plan_start"]) & (yearly["year"] <= yearly["plan_end"])
    _yearly_facts(out, yearly, n)
    comparators = known["comparator"].cat.categories
    out["year_comparator"] = _text(_last_code(yearly["row"], yearly["comparator"], n), comparators, out.index)
    totals = part(
        (ptype == _PLAN_PERIOD) & has_value, "year", "start_year", "value", "comparator", "plan_start", "base_year"
    )
    _totals(out, totals, n, comparators)
    _after_totals(out, yearly, n)
    _stocks(out, part(ptype == _STOCK, "year", "value", "comparator"), n, comparators, known, k)
    _ytd(out, part((ptype == _YTD) & has_value, "obs", "end", "year", "value", "data_year"), yearly, n)
    out["year_series"] = _year_series(yearly, rows["unit"], n, out.index)
    out["status"] = _last_status(known, k, n, out.index)
    out["break_note"] = _break_notes(known, k, n, out.index)

    all_count = np.bincount(k["row"][dropped], minlength=n) + out["n_years"].to_numpy()
    window = window_of_lines(yearly["row"], yearly["year"], yearly["value"], all_count)
    return out, window


def _lines(known: pd.DataFrame) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The columns of ``known`` every fact reads, as arrays; and the period type codes."""
    end = known["period_end"].to_numpy(dtype="datetime64[ns]")
    k = {
        "row": known["row"].to_numpy(),
        "obs": known["obs"].to_numpy(),
        "value": known["value"].to_numpy(dtype=np.float64),
        "end": end,
        # int16 as known_observations gives it: the kinds' own lines are made floats (``_part``)
        "year": known["year"].to_numpy() if "year" in known else _years(end),
        "comparator": known["comparator"].cat.codes.to_numpy(),  # int8: the lines' codes stay small
    }
    return k, known["period_type"].cat.codes.to_numpy()


def _part(
    k: dict[str, np.ndarray], plan: dict[str, np.ndarray], known: pd.DataFrame, mask: np.ndarray, *names: str
) -> dict[str, np.ndarray]:
    """The values of one kind, with the named columns (plan columns by row)."""
    at = np.flatnonzero(mask)
    got = {name: k[name][at] for name in ("row", *names) if name in k}
    if "year" in got:
        got["year"] = got["year"].astype(np.float64)
    for name in names:
        if name in plan:
            got[name] = plan[name][got["row"]]
    if "start_year" in names:
        got["start_year"] = _years(known["period_start"].to_numpy(dtype="datetime64[ns]")[at])
    return got


def _before_break(row: np.ndarray, year: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Positions of the lines older than their row's last break (``segment``: per row, the first
    year after it). Only the few rows with a break have any: their blocks alone are read."""
    broken = np.flatnonzero(~np.isnan(segment))
    lo = np.searchsorted(row, broken, "left")
    count = np.searchsorted(row, broken, "right") - lo
    lines = np.repeat(lo - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))
    return lines[~(year[lines] >= segment[row[lines]])]  # a year unknown (NaN) is not after it either


def _last_status(known: pd.DataFrame, k: dict[str, np.ndarray], n: int, index: pd.Index) -> pd.Series:
    """The status reported last (by year; ties in the order of the data)."""
    status = known["status"].cat.codes.to_numpy()
    s = np.flatnonzero(status >= 0)
    s = s[np.lexsort((k["obs"][s], k["year"][s], k["row"][s]))]
    return _text(_last_code(k["row"][s], status[s], n), known["status"].cat.categories, index)


def _yearly_facts(out: pd.DataFrame, yearly: dict[str, np.ndarray], n: int) -> None:
    row, year, value = yearly["row"], yearly["year"], yearly["value"]
    g = _Blocks(row, n)  # by row, then year
    out["n_years"] = g.count.astype(int)
    out["latest_year"] = g.last(year)
    out["latest_value"] = g.last(value)
    out["first_year"] = g.first(year)
    out["first_value"] = g.first(value)
    base = year == yearly["base_year"]
    out["base_value"] = _Blocks(row[base], n).last(value[base])

    in_plan = yearly["in_plan"]
    gp = _Blocks(row[in_plan], n)
    out["plan_min"] = gp.reduce(np.minimum, value[in_plan])
    out["plan_max"] = gp.reduce(np.maximum, value[in_plan])
    out["plan_last_year"] = gp.reduce(np.maximum, year[in_plan])
    # sums run in the order the values were published
    order = _merge_order(row, yearly["obs"])
    published = value[in_plan] if order is None else value[order][in_plan[order]]
    out["plan_sum"] = _running_sum(published, gp)


def _totals(out: pd.DataFrame, totals: dict[str, np.ndarray], n: int, comparators: pd.Index) -> None:
    """Totals over years: inside the plan (累计 so far) and the previous plan's (for feasibility)."""
    inside = totals["start_year"] == totals["plan_start"]
    g = _Blocks(totals["row"][inside], n)
    out["total_value"] = g.last(totals["value"][inside])
    out["total_end_year"] = g.last(totals["year"][inside])
    out["total_comparator"] = _text(
        _last_code(totals["row"][inside], totals["comparator"][inside], n), comparators, out.index
    )
    # totals reported after it, back to back (2021–2023, then 2024–2025 entered as one): they add
    end_inside = out["total_end_year"].to_numpy(dtype=np.float64)[totals["row"]]
    chained = (totals["start_year"] > end_inside) & (totals["start_year"] >= totals["plan_start"])
    g = _Blocks(totals["row"][chained], n)
    out["chained_sum"] = g.reduce(np.add, totals["value"][chained])
    out["chained_end"] = g.reduce(np.maximum, totals["year"][chained])
    before = totals["year"] <= totals["base_year"]
    row = totals["row"][before]
    g = _Blocks(row, n)
    out["prev_total"] = g.last(totals["value"][before])
    start = totals["start_year"][before]
    started = ~np.isnan(start)
    out["prev_years"] = g.last(totals["year"][before]) - _Blocks(row[started], n).last(start[started]) + 1


def _stocks(
    out: pd.DataFrame,
    stocks: dict[str, np.ndarray],
    n: int,
    comparators: pd.Index,
    known: pd.DataFrame,
    k: dict[str, np.ndarray],
) -> None:
    """A level reported once at a date (完成情况 "65%以上"): the latest, if newer than any yearly value.

    Also the words of the latest one as the document wrote them (``stock_text``: "动态为零"),
    for a table to show a statement as stated rather than as a number."""
    has = ~np.isnan(stocks["value"])
    g = _Blocks(stocks["row"][has], n)
    out["stock_value"] = g.last(stocks["value"][has])
    out["stock_year"] = g.last(stocks["year"][has])
    out["stock_comparator"] = _text(
        _last_code(stocks["row"][has], stocks["comparator"][has], n), comparators, out.index
    )
    at = np.flatnonzero(known["period_type"].cat.codes.to_numpy() == _STOCK)
    text = known["value_text"].cat.codes.to_numpy()[at].astype(np.int64)
    # the words of the stock judged (with a value), or of the last stock at all
    last_text = _last_code(k["row"][at][~np.isnan(k["value"][at])], text[~np.isnan(k["value"][at])], n)
    categories = known["value_text"].cat.categories
    out["stock_text"] = _text(last_text, categories, out.index)
    # whether those words are words only ("动态为零"), not a figure ("65%以上"): once per text
    words = np.zeros(len(categories) + 1, bool)
    if len(categories):
        texts = pa.array([str(x) for x in categories], pa.large_string())
        words[:-1] = ~pc.match_substring_regex(texts, r"\d").to_numpy(zero_copy_only=False)
    out["stock_words"] = words[last_text]  # −1 (none) reads the last slot: False


def _segments(known: pd.DataFrame, k: dict[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the first year after its last break (NaN without one), and whether the series stopped.

    The year is the one the note names with 起 ("2024 年起"), else the first year it names
    ("2023 年指标更名"), else the first year of the observation that carries the note (the
    first value of the new 口径). A note with a stop word (不再, 停止) says the series ended there.
    Notes are few distinct texts: each is read once, the rows take theirs by code.
    """
    notes = known["note"].cat.categories
    words = pa.array([str(x) for x in notes], pa.large_string())
    m = len(notes)
    is_break, is_stop = np.zeros(m + 1, bool), np.zeros(m + 1, bool)
    named = np.full(m + 1, np.nan)
    if m:
        flat = pc.replace_substring_regex(words, r"\s+", "")
        is_break[:-1] = pc.match_substring_regex(flat, "|".join(BREAK_WORDS)).to_numpy(zero_copy_only=False)
        is_stop[:-1] = pc.match_substring_regex(flat, "|".join(STOP_WORDS)).to_numpy(zero_copy_only=False)
        since = pc.struct_field(pc.extract_regex(flat, r"(?P<y>(?:19|20)\d\d)年起"), 0)
        first = pc.struct_field(pc.extract_regex(flat, r"(?P<y>(?:19|20)\d\d)年"), 0)
        year = pc.coalesce(since, first)
        named[:-1] = pc.cast(year, pa.float64()).to_numpy(zero_copy_only=False)
    code = known["note"].cat.codes.to_numpy()  # pandas' small ints: no 8.6M int64 copy
    at = np.flatnonzero(is_break[code])  # code −1 reads the last slot: False
    start = _years(known["period_start"].to_numpy(dtype="datetime64[ns]")[at])
    start = np.where(np.isnan(start), k["year"][at], start)
    year = np.where(np.isnan(named[code[at]]), start, named[code[at]])
    segment = _Blocks(k["row"][at], n).reduce(np.fmax, year)  # row-sorted: blocks per row
    stop_at = at[is_stop[code[at]]]
    stopped = _Blocks(k["row"][stop_at], n).has
    return segment, stopped


def _year_series(yearly: dict[str, np.ndarray], units: pd.Series, n: int, index: pd.Index) -> pd.Series:
    """Per row with two or more yearly values inside the plan, those values as a sentence writes
    them: "2021、2022年分别为63.51万个、56.35万个"; NaN for the others (a sentence then names
    its one value itself)."""

    in_plan = yearly["in_plan"]
    g = _Blocks(yearly["row"][in_plan], n)
    several = g.count > 1
    keep = in_plan.copy()
    keep[in_plan] = several[yearly["row"][in_plan]]
    row, year, value = yearly["row"][keep], yearly["year"][keep], yearly["value"][keep]
    g = _Blocks(row, n)
    cls, unit, names = unit_classes(units)  # per row: each unit is classed once
    texts = fmt_arrow(value, cls[row], unit[row], names) if len(row) else pa.array([], pa.large_string())
    values = join_per_row(row, texts, n, "、", index).array._pa_array

    # years: most rows have consecutive years, written from a small table of (first year, count)
    first, last = g.first(year), g.reduce(np.maximum, year)
    consecutive = g.has & (last - first + 1 == g.count)
    key = np.where(consecutive, np.nan_to_num(first).astype(np.int64) * 100 + g.count, -1)
    which, distinct = pd.factorize(key)  # a hash, not a sort, of a million keys
    table = pa.array(
        [
            None if k < 0 else "、".join(str(y) for y in range(k // 100, k // 100 + k % 100)) + "年分别为"
            for k in distinct.tolist()
        ],
        pa.large_string(),
    )  # once per distinct pair
    years = table.take(pa.array(which.reshape(-1)))
    gaps = g.has & ~consecutive
    if gaps.any():
        at = gaps[row]
        odd = join_per_row(row[at], pc.cast(pa.array(year[at].astype(np.int64)), pa.large_string()), n, "、", index)
        odd = pc.binary_join_element_wise(
            odd.array._pa_array, pa.scalar("年分别为", pa.large_string()), pa.scalar("", pa.large_string())
        )
        years = pc.if_else(
            pa.array(gaps), pa.chunked_array(odd).combine_chunks() if isinstance(odd, pa.ChunkedArray) else odd, years
        )
    joined = pc.binary_join_element_wise(years, values, pa.scalar("", pa.large_string()))
    joined = pa.chunked_array(joined) if isinstance(joined, pa.ChunkedArray) else pa.chunked_array([joined])
    return pd.Series(joined.to_pandas().array, index=index)


def _after_totals(out: pd.DataFrame, yearly: dict[str, np.ndarray], n: int) -> None:
    """Yearly flows inside the plan after the end of its latest reported total: they add to it.

    A district reports 2021–2023 as one total, then enters 2024 by itself; the total so far is
    the sum, never the one year alone."""
    row, year = yearly["row"], yearly["year"]
    end = np.fmax(out["total_end_year"], out["chained_end"].where(out["total_end_year"].notna())).to_numpy(
        dtype=np.float64
    )[row]
    later = (year > end) & (year <= yearly["plan_end"])  # NaN end: no total, nothing after it
    g = _Blocks(row[later], n)
    out["after_total_sum"] = g.reduce(np.add, yearly["value"][later])
    out["after_total_last"] = g.reduce(np.maximum, year[later])
    out["after_total_n"] = g.count.astype(int)


def _ytd(out: pd.DataFrame, ytd: dict[str, np.ndarray], yearly: dict[str, np.ndarray], n: int) -> None:
    """The latest year-to-date value after the last full year, and the share of the year the
    same months held in earlier years (seasonal share), where earlier years allow it."""
    month = (ytd["end"].astype("datetime64[M]").astype(np.int64) % 12 + 1).astype(np.float64)
    current = ytd["year"] == ytd["data_year"] + 1
    g = _Blocks(ytd["row"][current], n)  # by row, then date
    out["ytd_value"] = g.last(ytd["value"][current])
    out["ytd_month"] = g.last(month[current])

    # earlier years, in the order of the data, each against its full year's value(s)
    earlier = np.flatnonzero(ytd["year"] <= ytd["data_year"])
    order = _merge_order(ytd["row"][earlier], ytd["obs"][earlier])
    earlier = earlier if order is None else earlier[order]
    year_key = _row_year(yearly["row"], yearly["year"])  # yearly is sorted by row, then year
    key = _row_year(ytd["row"][earlier], ytd["year"][earlier])
    lo = np.searchsorted(year_key, key, "left")
    count = np.searchsorted(year_key, key, "right") - lo
    left = np.repeat(earlier, count)
    right = np.repeat(lo, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    wanted = out["ytd_month"].to_numpy()[ytd["row"][left]]
    same_month = month[left] == wanted
    left, right = left[same_month], right[same_month]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = ytd["value"][left] / yearly["value"][right]
    # pandas' grouped mean of these (in row order): a plain sum, or a compensated one skipping
    # NaN when any share is NaN (0 / 0)
    counted = ~np.isnan(share)
    g = _Blocks(ytd["row"][left][counted], n)
    if counted.all():
        out["seasonal_share"] = np.where(g.has, _running_sum(share, g) / np.maximum(g.count, 1), np.nan)
    else:
        out["seasonal_share"] = _compensated_mean(share[counted], g)


def _row_year(row: np.ndarray, year: np.ndarray) -> np.ndarray:
    key = row.astype(np.int64)  # in place from here: one temporary of the lines' length, not three
    key *= 100_000
    key += year.astype(np.int64)
    return key


def _break_notes(known: pd.DataFrame, k: dict[str, np.ndarray], n: int, index: pd.Index) -> pd.Series:
    """Notes that record a break in a series, each once, joined with "；" in the order of the data."""
    notes = known["note"].cat.categories
    words = pa.array(list(notes), pa.large_string())
    is_break = np.zeros(len(notes) + 1, bool)
    if len(notes):
        is_break[:-1] = pc.match_substring_regex(words, "|".join(BREAK_WORDS)).to_numpy(zero_copy_only=False)
    code = known["note"].cat.codes.to_numpy()  # pandas' small ints: no 8.6M int64 copy
    at = np.flatnonzero(is_break[code])  # code −1 reads the last slot: False
    order = _merge_order(k["row"][at], k["obs"][at])
    at = at if order is None else at[order]
    row, code = k["row"][at], code[at].astype(np.int64)
    # each note once per row, first occurrence kept
    _, first = np.unique(row * (len(notes) + 1) + code, return_index=True)
    first.sort()
    row, code = row[first], code[first]
    return join_per_row(row, words.take(pa.array(code)), n, "；", index)


def join_per_row(row: np.ndarray, texts: pd.Series | pa.Array, n: int, sep: str, index: pd.Index) -> pd.Series:
    """Per row, its texts joined with ``sep`` in the order given (``row`` sorted); NaN for rows without.

    The texts become one list per row (offsets from the row blocks) and Arrow joins every list
    in one call: nothing loops per row or per position."""
    texts = pa.array(texts, from_pandas=True) if not isinstance(texts, pa.Array) else texts
    if isinstance(texts, pa.ChunkedArray):  # an Arrow-backed pandas column comes chunked
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], pa.large_string())
    texts = pc.fill_null(texts.cast(pa.large_string()), "nan")
    g = _Blocks(row, n)
    offsets = pa.array(np.concatenate([[0], g.stop]).astype(np.int64), pa.int64())
    lists = pa.LargeListArray.from_arrays(offsets, texts)
    joined = pc.binary_join(lists, pa.scalar(sep, pa.large_string()))
    joined = pc.if_else(pa.array(g.has), joined, pa.nulls(n, pa.large_string()))
    return pd.Series(pa.chunked_array([joined], pa.large_string()).to_pandas().array, index=index)
