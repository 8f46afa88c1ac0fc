"""Completion against schedule, per kind of target, and the two judgements.

Every quantity is computed for all rows at once with masks per kind; the rules and their
thresholds are stated in ``docs/methodology.md`` and live in ``vocabulary``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis import vocabulary as v
from analysis.evaluate.projection import _meets
from analysis.targets import QUANTITATIVE_KINDS

CEILING = ("<=", "<", "=")


def cumulative_so_far(rows: pd.DataFrame, facts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Total reached and the last year it covers.

    A reported total over the plan period counts for the years it covers; yearly flows after
    its end add to it (a district reports 2021–2023 as one figure, then enters 2024 alone).
    Without a reported total, the sum of the yearly flows."""
    has_total = facts["total_value"].notna()
    after = facts["after_total_sum"].fillna(0.0) + facts["chained_sum"].fillna(0.0)
    so_far = (facts["total_value"] + after).where(has_total, facts["plan_sum"])
    end = np.fmax(np.fmax(facts["total_end_year"], facts["chained_end"]), facts["after_total_last"]).where(
        has_total, facts["plan_last_year"]
    )
    return so_far, end


def _nonnegative(x: np.ndarray) -> np.ndarray:
    """``clip(lower=0)`` as pandas does it: NaN stays NaN."""
    return np.where(np.isnan(x) | (x >= 0), x, 0.0)


def _positive_or_nan(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, np.nan)


_SIDES = pa.array([">=", ">", "<=", "<"], pa.large_string())


def _sides(comparator: pd.Series) -> np.ndarray:
    """Each comparator's position in _SIDES, −1 for any other and for none."""
    arr = pa.array(comparator, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.large_string())
    found = pc.index_in(arr.cast(pa.large_string()), value_set=_SIDES)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


_FACT_FLOATS = (
    "n_years",
    "total_value",
    "plan_max",
    "plan_min",
    "latest_value",
    "latest_year",
    "stock_value",
    "stock_year",
    "seasonal_share",
    "ytd_month",
    "ytd_value",
    "base_value",
    "first_value",
    "first_year",
    "after_total_n",
)
_ROW_FLOATS = ("target_value", "period_start", "period_end", "target_year", "base_year", "data_year")
#: What ``measure`` computes per kind of target (NaN for a row of no kind measured).
_PER_KIND = ("completion", "schedule", "required_pace", "judged_value", "judged_year", "n_points", "ytd_expected")


def measure(rows: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """completion, schedule, required_pace, progress_ratio and the value judged, per row.

    Each kind of target fills its own rows (``_cumulative``, ``_annual``, ``_level``); the
    ratio beside ours, what a bound stated in the source leaves open, and the clocks follow."""
    f = {col: _np(facts[col].astype("float64")) for col in _FACT_FLOATS}
    r = {col: _np(rows[col].astype("float64")) for col in _ROW_FLOATS}
    kind = rows["target_kind"]
    cum, ann, lev = (_np(kind.eq(k)) for k in ("cumulative", "annual", "level"))
    ceiling = _np(rows["comparator"].isin(CEILING))
    T = r["target_value"]
    span = r["period_end"] - r["period_start"] + 1
    out = {col: np.full(len(rows), np.nan) for col in _PER_KIND}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        so_far, so_far_end = _cumulative(out, cum, rows, facts, f, r, span)
        latest = _Latest(f)
        _annual(out, ann, ceiling, _np(rows["comparator"].eq("≈")), f, T, latest)
        sdg_level = _level(out, lev, f, r, latest)
        ratio = out["completion"] / out["schedule"]
        progress_ratio = np.select(
            [lev, cum, ann & ~ceiling, ann & ceiling],
            [sdg_level, ratio, latest.value / T, T / latest.value],
            default=np.nan,
        )
    progress_ratio = np.where(np.isinf(progress_ratio), np.nan, progress_ratio)
    stated = _stated_bound(facts, f, cum, ann, lev, latest)
    completion = np.where(stated.bound, np.nan, out["completion"])
    progress_ratio = np.where(stated.bound, np.nan, progress_ratio)

    time_progress, data_lag = _clocks(r, span, out["judged_year"])
    return pd.DataFrame(
        {
            "time_progress": time_progress,
            "data_lag_years": data_lag,
            "bound": stated.bound,
            "bound_lower": stated.lower,
            "bound_upper": stated.upper,
            "latest_comparator": pd.Series(stated.comparator, index=rows.index),
            "from_stock": stated.from_stock,
            "completion": completion,
            "schedule": out["schedule"],
            "required_pace": out["required_pace"],
            "judged_value": out["judged_value"],
            "judged_year": out["judged_year"],
            "n_points": np.where(np.isnan(out["n_points"]), 0, out["n_points"]).astype(int),
            "ytd_expected": out["ytd_expected"],
            "progress_ratio": progress_ratio,
            "so_far": so_far,
            "so_far_end": so_far_end,
            "latest": latest.value,
            "latest_year": latest.year,
        },
        index=rows.index,
    )


def _clocks(r: dict[str, np.ndarray], span: np.ndarray, judged_year: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The plan's clock at the cut-off (the share of its years elapsed), beside the clock of
    the data (how many years the value judged lags the data year)."""
    with np.errstate(invalid="ignore"):
        elapsed_at_cutoff = np.clip(r["data_year"] - r["period_start"] + 1, 0, span)
        time_progress = elapsed_at_cutoff / span
        lag = r["data_year"] - judged_year
        data_lag = np.where(np.isnan(judged_year), np.nan, np.where(lag > 0, lag, 0.0))
    return time_progress, data_lag


def _put(out: dict[str, np.ndarray], mask: np.ndarray, **values: np.ndarray | float) -> None:
    """A kind's values into its own rows of ``out`` (the kinds' rows do not overlap)."""
    for col, x in values.items():
        out[col] = np.where(mask, x, out[col])


def _cumulative(
    out: dict[str, np.ndarray],
    cum: np.ndarray,
    rows: pd.DataFrame,
    facts: pd.DataFrame,
    f: dict[str, np.ndarray],
    r: dict[str, np.ndarray],
    span: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """A cumulative target: the total so far (with a partial year) against the elapsed share of
    the period. Returns the total so far and the last year it covers, for every row."""
    so_far_s, so_far_end_s = cumulative_so_far(rows, facts)
    so_far, so_far_end = _np(so_far_s), _np(so_far_end_s)
    T = r["target_value"]
    month = np.where(~np.isnan(f["ytd_value"]) & (so_far_end == r["data_year"]), f["ytd_month"], 0)
    month = np.where(np.isnan(month), 0, month)
    ytd = np.where(month > 0, f["ytd_value"], 0)
    ytd = np.where(np.isnan(ytd), 0, ytd)
    elapsed = _nonnegative(so_far_end - r["period_start"] + 1 + month / 12)
    _put(
        out,
        cum,
        completion=(so_far + ytd) / T,
        schedule=elapsed / span,
        required_pace=(T - so_far) / _positive_or_nan(r["target_year"] - so_far_end),
        judged_value=so_far + ytd,
        judged_year=so_far_end,
        n_points=np.where(f["n_years"] > 0, f["n_years"], ~np.isnan(f["total_value"])),
    )
    return so_far, so_far_end


class _Latest:
    """The latest value of every row and its year: the latest yearly value, else the stock."""

    def __init__(self, f: dict[str, np.ndarray]) -> None:
        self.reported = ~np.isnan(f["latest_value"])
        self.has_stock = ~np.isnan(f["stock_value"])
        self.value = np.where(self.reported, f["latest_value"], f["stock_value"])
        self.year = np.where(self.reported, f["latest_year"], f["stock_year"])


def _annual(
    out: dict[str, np.ndarray],
    ann: np.ndarray,
    ceiling: np.ndarray,
    band: np.ndarray,
    f: dict[str, np.ndarray],
    T: np.ndarray,
    latest: _Latest,
) -> None:
    """An annual target: every year against the bound, judged on its worst year; a partial
    year against its seasonal share."""
    worst = np.where(ceiling, f["plan_max"], f["plan_min"])
    # a band (≈) is missed by the year farthest from the target, on either side
    farther_high = np.abs(f["plan_max"] - T) > np.abs(f["plan_min"] - T)
    worst = np.where(band, np.where(farther_high, f["plan_max"], f["plan_min"]), worst)
    share = np.where(np.isnan(f["seasonal_share"]), f["ytd_month"] / 12, f["seasonal_share"])
    _put(
        out,
        ann,
        completion=latest.value / np.where(T != 0, T, np.nan),
        schedule=1.0,
        required_pace=T,
        judged_value=np.where(np.isnan(worst), latest.value, worst),
        judged_year=latest.year,
        n_points=np.where(f["n_years"] > 0, f["n_years"], latest.has_stock),
        ytd_expected=T * share,
    )


def _level(
    out: dict[str, np.ndarray], lev: np.ndarray, f: dict[str, np.ndarray], r: dict[str, np.ndarray], latest: _Latest
) -> np.ndarray:
    """A level target: the current value against the path from the base value to the target.
    Returns the Open SDG / Eurostat ratio for every row: observed growth over required growth.

    Without a base-year value the path starts at the first observed year, when there are at
    least two points (one point alone gives no path to measure against)."""
    T = r["target_value"]
    from_first = np.isnan(f["base_value"]) & (f["first_year"] < latest.year)
    base = np.where(from_first, f["first_value"], f["base_value"])
    start = np.where(from_first, f["first_year"], r["base_year"])
    elapsed = latest.year - start
    total = r["target_year"] - start
    dist = T - base
    dist = np.where(dist != 0, dist, np.nan)
    _put(
        out,
        lev,
        completion=np.where(~np.isnan(base), (latest.value - base) / dist, latest.value / np.where(T != 0, T, np.nan)),
        schedule=elapsed / total,
        required_pace=(T - latest.value) / _positive_or_nan(r["target_year"] - latest.year),
        judged_value=latest.value,
        judged_year=latest.year,
        n_points=np.where(f["n_years"] > 0, f["n_years"], latest.has_stock),
    )
    cagr_obs = (latest.value / base) ** (1 / elapsed) - 1
    cagr_req = (T / base) ** (1 / total) - 1
    return np.where(~np.isnan(base) & (elapsed > 0), cagr_obs / cagr_req, np.nan)


class _StatedBound:
    """The value as the source states it: a bound ("65%以上", "以内") stays a bound.

    ``lower``/``upper``: the observation judged is stated as at least / at most its value;
    ``comparator``: that side as text ('>=', '<=' or '')."""

    def __init__(self, from_stock: np.ndarray, side: np.ndarray) -> None:
        self.from_stock = from_stock
        self.lower = (side == 0) | (side == 1)
        self.upper = (side == 2) | (side == 3)
        self.bound = self.lower | self.upper
        self.comparator = (
            pa.chunked_array(
                [pa.array(["", ">=", "<="], pa.large_string()).take(pa.array(self.lower + 2 * self.upper))]
            )
            .to_pandas()
            .array
        )


def _stated_bound(
    facts: pd.DataFrame, f: dict[str, np.ndarray], cum: np.ndarray, ann: np.ndarray, lev: np.ndarray, latest: _Latest
) -> _StatedBound:
    """The comparator of the observation judged (one look-up per text column for both sides,
    no per-row objects)."""
    from_stock = (ann | lev) & ~latest.reported & latest.has_stock
    total_used = (
        cum & ~np.isnan(f["total_value"]) & (np.nan_to_num(f["after_total_n"]) == 0) & _np(facts["chained_sum"].isna())
    )
    side = np.where(
        from_stock,
        _sides(facts["stock_comparator"]),
        np.where(total_used, _sides(facts["total_comparator"]), np.where(lev, _sides(facts["year_comparator"]), -1)),
    )
    return _StatedBound(from_stock, side)


#: The progress codes in a fixed order: ``progress_codes`` gives positions in it.
PROGRESS = tuple(v.PROGRESS_ZH)
_P = {code: i for i, code in enumerate(PROGRESS)}


def progress_codes(rows: pd.DataFrame, facts: pd.DataFrame, m: pd.DataFrame) -> np.ndarray:
    """``progress`` as positions in PROGRESS (small integers: no text is handled per row).

    During a plan: completion against the schedule at the data year (快于 / 基本符合 / 滞后于预期).
    At its end (期末评估): 超额完成 / 完成 / 未完成 on the value reached, 无法考核 where the
    series stopped before the end or a bound cannot decide, 数据暂缺 where the last years are
    not yet in. A value stated as a bound decides only what it implies ("65%以上" meets 65%).
    At a new plan's base year: the target's ambition (``_feasibility_codes``).
    """
    etype = rows["evaluation_type"]
    quant = _np(rows["target_kind"].isin(QUANTITATIVE_KINDS))
    # a value for the base year alone says nothing about progress in the plan period
    has = _np(m["judged_value"].notna() & (m["judged_year"] >= rows["period_start"]))
    final_eval = _np(etype.eq(v.FINAL))
    reached_end = _np(m["judged_year"] >= rows["period_end"])
    stopped = _np(facts["series_stopped"])
    s = _Standing(rows, m)

    code = np.full(len(rows), _P["no_data"])
    code = np.where(quant & has, _midterm_codes(s, facts, m), code)
    code = np.where(
        quant & has & final_eval, np.where(reached_end, _end_codes(s), _short_of_end_codes(s, stopped)), code
    )
    code = np.where(quant & ~has & final_eval & stopped, _P["unassessable"], code)
    qual = ~quant
    status = facts["status"]
    reported_done = _np(status.notna() & (status.eq("完成") | status.eq(rows["target_text"])))
    code[qual] = _P["pending"]
    code[qual & final_eval & reported_done] = _P["met"]
    baseline = _np(etype.eq(v.BASELINE))
    code = np.where(baseline & quant, _feasibility_codes(rows, facts), code)
    return code


class _Standing:
    """Where each row's value judged stands against its target, as the masks its codes read.

    What a value stated as a bound implies: "≥ b" meets a floor at or below b, "≤ b" a
    ceiling at or above b; the other way round it misses the target when b itself does. What
    it does not decide is ``bound_open``."""

    def __init__(self, rows: pd.DataFrame, m: pd.DataFrame) -> None:
        kind = rows["target_kind"]
        T = rows["target_value"].astype(float)
        cmp = rows["comparator"]
        self.ceiling = ceiling = _np(cmp.isin(CEILING))
        self.floor = floor = _np(cmp.isin([">=", ">"]))
        self.cumulative, self.annual, self.level = (_np(kind.eq(k)) for k in ("cumulative", "annual", "level"))
        self.meets_now = meets_now = _np(_meets(m["judged_value"], T, cmp))
        self.well_above = _np(m["judged_value"] >= v.AHEAD_ANNUAL * T)
        self.bound, lower, upper = _np(m["bound"]), _np(m["bound_lower"]), _np(m["bound_upper"])
        self.bound_met = self.bound & ((floor & lower) | (ceiling & upper)) & meets_now
        self.bound_missed = self.bound & ((floor & upper) | (ceiling & lower)) & ~meets_now
        self.bound_open = self.bound & ~self.bound_met & ~self.bound_missed
        # 超额 = at least 5% beyond an exact figure
        reached = _np(m["judged_value"] / T.where(T != 0))
        self.exceeded = meets_now & (reached >= v.EXCEEDED) & floor & ~self.bound


def _midterm_codes(s: _Standing, facts: pd.DataFrame, m: pd.DataFrame) -> np.ndarray:
    """During a plan: completion against the schedule at the data year; a bound, a ceiling, an
    annual bound and a level reached decide on the value itself."""
    ratio = _np(m["completion"] / m["schedule"])
    completion = _np(m["completion"])
    # one point and no base value: no path to measure against
    single = s.level & _np(facts["base_value"].isna()) & ~_np(facts["first_year"] < m["judged_year"]) & ~s.bound
    during = np.select(
        [
            s.bound_open,
            s.bound_met & s.ceiling,
            s.bound_met,
            s.bound_missed & s.ceiling,
            s.bound_missed,
            s.ceiling & s.meets_now,
            s.ceiling & ~s.meets_now,
            s.cumulative & (completion >= 1),
            s.level & s.meets_now,
            single,
            s.annual & s.meets_now & s.well_above,
            s.annual & s.meets_now,
            s.annual & ~s.meets_now,
            ratio >= v.AHEAD,
            ratio >= v.ON_TRACK,
        ],
        [
            _P[c]
            for c in (
                "undetermined",
                "below_ceiling",
                "met_early",
                "above_ceiling",
                "behind",
                "below_ceiling",
                "above_ceiling",
                "met_early",
                "met_early",
                "undetermined",
                "ahead",
                "on_track",
                "behind",
                "ahead",
                "on_track",
            )
        ],
        default=_P["behind"],
    )
    # a partial year behind its seasonal share pulls an annual floor to 滞后于预期
    ytd_behind = s.annual & ~s.ceiling & _np(facts["ytd_value"].notna() & (facts["ytd_value"] < m["ytd_expected"]))
    during[ytd_behind & np.isin(during, [_P["ahead"], _P["on_track"]])] = _P["behind"]
    return during


def _end_codes(s: _Standing) -> np.ndarray:
    """At the end, the data reaching it: the value reached against the target itself."""
    return np.select(
        [
            s.bound_open,
            s.bound_met,
            s.bound_missed,
            s.ceiling & s.meets_now,
            s.ceiling & ~s.meets_now,
            s.annual & s.meets_now & s.well_above,
            s.annual & s.meets_now,
            s.annual,
            s.exceeded,
            s.meets_now,
        ],
        [
            _P[c]
            for c in ("unassessable", "met", "missed", "met", "missed", "exceeded", "met", "missed", "exceeded", "met")
        ],
        default=_P["missed"],
    )


def _short_of_end_codes(s: _Standing, stopped: np.ndarray) -> np.ndarray:
    """At the end, the data not reaching it: only what is already decided is said (a total
    already beyond the target, a year already below its bound); 无法考核 where the series stopped."""
    return np.select(
        [
            s.cumulative & s.floor & s.exceeded,
            s.cumulative & s.floor & s.meets_now & ~s.bound_open,
            s.bound_met & s.cumulative,
            s.annual & ~s.meets_now & ~s.bound_open,
            stopped,
        ],
        [_P["exceeded"], _P["met"], _P["met"], _P["missed"], _P["unassessable"]],
        default=_P["no_data"],
    )


def _np(mask: pd.Series | np.ndarray) -> np.ndarray:
    """A boolean (or float) Series as a plain array; missing reads False (NaN for floats)."""
    if isinstance(mask, np.ndarray):
        return mask
    if pd.api.types.is_bool_dtype(mask.dtype):
        return mask.to_numpy(dtype=bool, na_value=False)
    return mask.to_numpy(dtype=np.float64, na_value=np.nan)


def _feasibility_codes(rows: pd.DataFrame, facts: pd.DataFrame) -> np.ndarray:
    """At a new plan's base year: the pace the target needs against the pace of the last plan.

    A level target that asks to hold the base level (within ``IN_LINE``…``AMBITIOUS`` of it),
    or one the base already meets, needs no pace: 与既往持平 or 目标稳妥 from the two levels.
    One that asks for a move is judged by the yearly change it needs against the yearly change
    of the years before the base (a target above a rising series is not ambitious by being
    above it); with no year before the base there is nothing to compare: 难以判断, never a
    verdict from the two levels alone."""
    kind = rows["target_kind"]
    T = rows["target_value"].astype(float)
    need, past_pace = feasibility_ratio(rows, facts)
    base_level = facts["base_value"].where(
        facts["base_value"].notna(), facts["stock_value"].where(facts["stock_year"].eq(rows["base_year"]))
    )
    ceiling = rows["comparator"].isin(CEILING)
    pace_ratio = _np((need / past_pace).where(~ceiling, past_pace / need))
    level = _np(kind.eq("level"))
    # a level: how far the target asks it to move, in the target's direction (up for a floor,
    # down for a ceiling), against 5% of the base level; differences, so that a rate crossing
    # zero (from 0.25% to below −0.5%) is a move, not a ratio of −2
    direction = np.where(_np(ceiling), -1.0, 1.0)
    base = _np(base_level)
    gap = direction * (_np(T) - base)
    before = _np(facts["first_year"] < rows["base_year"])
    with np.errstate(invalid="ignore", divide="ignore"):
        needed = gap / _np(rows["target_year"] - rows["base_year"]).astype(float)
        past = np.where(
            before,
            direction * (base - _np(facts["first_value"])) / (_np(rows["base_year"]) - _np(facts["first_year"])),
            np.nan,
        )
        level_pace = np.where(past > 0, needed / past, np.where(past <= 0, np.inf, np.nan))
    move = level & (gap > (v.AMBITIOUS - 1) * np.abs(base))
    hold = np.where(gap < -(1 - v.IN_LINE) * np.abs(base), 0.0, 1.0)  # 0: the base already beats it
    level_ratio = np.where(np.isnan(gap), np.nan, np.where(move, level_pace, hold))
    ratio = np.where(level, level_ratio, pace_ratio)
    code = np.select(
        [ratio > v.AMBITIOUS, ratio >= v.IN_LINE, ratio < v.IN_LINE],
        [_P["ambitious"], _P["in_line"], _P["prudent"]],
        default=_P["no_data"],
    )
    code = np.where(np.isnan(ratio), _P["no_data"], code)
    # a move asked of a level known at its base year only: nothing to compare the pace with
    return np.where(move & np.isnan(past), _P["undetermined"], code)


def feasibility_ratio(rows: pd.DataFrame, facts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The required pace and the past pace behind ``feasibility`` (for the explanation)."""
    kind = rows["target_kind"]
    T = rows["target_value"].astype(float)
    span = (rows["period_end"] - rows["period_start"] + 1).astype(float)
    past = (facts["prev_total"] / facts["prev_years"]).where(facts["prev_total"].notna(), facts["base_value"])
    need = pd.Series(
        np.select([kind.eq("annual"), kind.eq("cumulative")], [T, T / span], default=np.nan), index=rows.index
    )
    return need, past


OUTLOOK = ("likely", "possible", "unlikely", "uncertain", "")


def outlook_codes(rows: pd.DataFrame, prob: pd.Series, progress_code: pd.Series | np.ndarray) -> np.ndarray:
    """``outlook`` as positions in OUTLOOK; ``progress_code`` as text or as positions in PROGRESS."""
    p = _np(prob)
    code = np.select([p >= v.LIKELY, p >= v.POSSIBLE, ~np.isnan(p)], [0, 1, 2], default=3)
    quant = _np(rows["target_kind"].isin(QUANTITATIVE_KINDS))
    no_data = (
        (progress_code == _P["no_data"]) if isinstance(progress_code, np.ndarray) else _np(progress_code.eq("no_data"))
    )
    ended = _np(rows["evaluation_type"].isin([v.FINAL, v.BASELINE]))
    return np.where(~quant | ended | no_data, OUTLOOK.index(""), code)
