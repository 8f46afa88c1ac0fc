"""``make bench``: how fast the evaluation engine is, on synthetic panels, against a per-series loop.

Everything here is SYNTHETIC: made-up county-level units (合成县00001 …) with made-up plans
(``synthetic-…``), drawn from a fixed seed. Nothing is read from or written to ``data/``; the
panels live in memory only and the figures go to ``bench/results/``.

A panel is ``n`` series (one series = one target of one unit's plan = one row the engine
judges): about n / 35 units × 35 indicators, yearly values 2016–2025 with some years missing,
a realistic mix of target kinds (cumulative flows, annual floors and ceilings, levels, a few
qualitative and external targets), year-to-date values, reported totals, previous-plan totals,
stock values, break notes, non-preferred duplicates, and four kinds of evaluation (mid-term
with and without monthly data, final, base-year). The frames are built directly as the
DataFrames the engine takes (indicators, evaluation_settings, observations, assessments).

What is measured, each size in a fresh subprocess pinned to one core (OMP/OPENBLAS/MKL threads
and Arrow's thread pool set to 1): the whole of ``evaluate(frames)`` — schedule, completion,
projection, interval, probability, judgements, explanations — in seconds, and the peak
resident memory of the process while it runs (Linux VmHWM, reset after the panel is built, so
it holds the input frames plus the engine's working memory). In the same run a per-series
statsmodels loop (ARIMA(0,1,0) with drift, and additive-trend ETS: fit, forecast to the target
year, 80% interval) times a sample of series, for the ratio of seconds per series.

    python -m analysis bench                      # 10k, 100k and 1M series (a few minutes)
    python -m analysis.bench --sizes 10000 100000 # any sizes
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import importlib.util
import itertools
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import paths

SEED = 20240601
SOURCE = "synthetic"  # made up by analysis.bench: not real data
FIRST_YEAR, LAST_YEAR = 2016, 2025  # yearly values drawn for these years
PLAN_START, PLAN_END, BASE_YEAR = 2021, 2025, 2020
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
RESULTS = paths.BENCH_RESULTS
THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)

# -- the synthetic panel ---------------------------------------------------------------------

#: The 35 indicators of every synthetic plan: id, name, kind, comparator, unit, model, scale.
#: model: flow (grows, summed for a cumulative target), count (an annual count against a
#: bound), rate (a percentage around a bound), zero (held at zero), level (a trend toward a
#: target), none (no figure).
INDICATORS: tuple[tuple[str, str, str, str | None, str | None, str, float], ...] = (
    ("new_jobs", "新增就业岗位数", "cumulative", ">=", "个", "flow", 3.0e4),
    ("skills_training", "职业技能培训", "cumulative", ">=", "人次", "flow", 1.2e4),
    ("startups_supported", "扶持创业", "cumulative", ">=", "人", "flow", 650),
    ("rural_transfer", "农村劳动力转移就业", "cumulative", ">=", "人", "flow", 2.2e3),
    ("youth_internships", "青年见习岗位", "cumulative", ">=", "个", "flow", 480),
    ("public_jobs", "公益性岗位安置", "cumulative", ">=", "人", "flow", 320),
    ("housing_units", "保障性住房筹集", "cumulative", ">=", "套", "flow", 850),
    ("training_funds", "职业培训补贴", "cumulative", ">=", "元", "flow", 4.5e7),
    ("employers_visited", "走访用人单位", "cumulative", ">=", "家次", "flow", 420),
    ("disputes_mediated", "劳动争议调解", "cumulative", ">=", "件", "flow", 950),
    ("community_projects", "社区就业项目", "cumulative", ">", None, "flow", 36),
    ("hard_to_employ_placed", "就业困难人员就业", "annual", ">=", "人", "count", 420),
    ("urban_new_jobs", "城镇新增就业", "annual", ">=", "个", "count", 1.2e4),
    ("graduates_employed", "高校毕业生就业率", "annual", ">=", "%", "rate", 95.0),
    ("insured_new", "新增参保人数", "annual", ">=", "人", "count", 5.0e3),
    ("wage_cases_closed", "欠薪案件结案率", "annual", ">=", "%", "rate", 97.0),
    ("subsidised_training", "补贴性职业技能培训", "annual", ">", "人次", "count", 3.1e3),
    ("surveyed_unemployment", "城镇调查失业率", "annual", "<=", "%", "rate", 5.5),
    ("registered_unemployment", "城镇登记失业率", "annual", "<", "%", "rate", 4.0),
    ("long_term_unemployed", "长期失业人数", "annual", "<=", "人", "count", 2.0e3),
    ("zero_employment_families", "“零就业家庭”援助就业率", "annual", "=", None, "zero", 0.0),
    ("pension_coverage", "基本养老保险参保率", "level", ">=", "%", "level", 95.0),
    ("medical_coverage", "基本医疗保险参保率", "level", ">=", "%", "level", 97.0),
    ("skilled_share", "技能人才占就业人员比重", "level", ">=", "%", "level", 30.0),
    ("high_skilled_share", "高技能人才占技能人才比重", "level", ">", "%", "level", 35.0),
    ("years_schooling", "新增劳动力平均受教育年限", "level", ">=", "年", "level", 14.0),
    ("minimum_wage", "最低工资标准", "level", "≈", "元", "level", 2600.0),
    ("ss_card_holders", "社会保障卡持卡人数", "level", ">=", "人", "level", 5.0e5),
    ("arbitration_days", "仲裁案件平均结案天数", "level", "<=", "天", "level", 45.0),
    ("service_stations", "社区就业服务站", "level", ">=", "个", "level", 60.0),
    ("dispatch_share", "劳务派遣用工占比", "level", "<", "%", "level", 8.0),
    ("employment_first", "就业优先政策全面落实", "qualitative", None, None, "none", 0.0),
    ("service_system", "公共就业服务体系更加健全", "qualitative", None, None, "none", 0.0),
    ("digital_services", "人社服务数字化转型", "qualitative", None, None, "none", 0.0),
    ("registered_unemployed", "年末城镇登记失业人数", "external", "<=", "人", "none", 0.0),
)
K = len(INDICATORS)
COUNT_LIKE = frozenset({"个", "人次", "人", "套", "元", "家次", "件", None})

_KIND = np.array([t[2] for t in INDICATORS])
_MODEL = np.array([t[5] for t in INDICATORS])
_SCALE = np.array([t[6] for t in INDICATORS])
_COUNT = np.array([t[4] in COUNT_LIKE for t in INDICATORS])
_CEILING = np.array([t[3] in ("<=", "<") for t in INDICATORS])

#: Evaluations: (share of units, type in the settings, annual cut-off, monthly cut-off).
EVALUATIONS = (
    (0.55, "中期评估", "2022-12-31", "2023-06-30"),
    (0.10, "中期评估", "2023-12-31", None),
    (0.20, "期末评估", "2025-12-31", None),
    (0.15, "基期评估", "2020-12-31", None),
)
BREAK_NOTES = ("统计口径调整", "2024年起市局不再分解该数据到各区", "指标更名")
TARGET_TEXT = {"zero_employment_families": "动态为零", "registered_unemployed": "控制在市政府下达的指标数内"}
OBS_COMPARATORS = np.array(["=", "<=", ">", ">=", "≈"])
STATUSES = np.array(["完成", "推进中", "控制在市政府下达的指标数内"])


def n_units(n_series: int) -> int:
    """Units for a panel of about ``n_series`` series (35 indicators each, at least one unit)."""
    return max(1, round(n_series / K))


def _nice(x: np.ndarray, digits: int = 3) -> np.ndarray:
    """Round to ``digits`` significant figures, as plans state targets (160000, 3.5e7)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(x == 0, 1, 10 ** (np.floor(np.log10(np.abs(np.where(x == 0, 1, x)))) - digits + 1))
    return np.round(x / mag) * mag


def _year_start(years: np.ndarray) -> np.ndarray:
    return (years.astype("int64") - 1970).astype("datetime64[Y]").astype("datetime64[ns]")


def _month_end(years: np.ndarray, months: np.ndarray) -> np.ndarray:
    m = ((years.astype("int64") - 1970) * 12 + months.astype("int64")).astype("datetime64[M]")
    return (m.astype("datetime64[D]") - np.timedelta64(1, "D")).astype("datetime64[ns]")


def _strings(codes: np.ndarray, categories: Any) -> pd.Series:
    """A text column (the str dtype the processed datasets use) from codes (−1 = missing)."""
    values = pd.array([*categories, None], dtype="str")
    codes = np.asarray(codes)
    return pd.Series(values.take(np.where(codes < 0, len(values) - 1, codes)))


def synthetic_frames(n_series: int, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """A SYNTHETIC panel of about ``n_series`` series as the frames ``evaluate`` takes.

    The steps draw from one generator in a fixed order (values, then each kind of published
    figure), so a seed gives the same panel whatever the steps' shapes."""
    rng = np.random.default_rng(seed)
    R = n_units(n_series)
    unit_of = np.repeat(np.arange(R), K)
    ind_of = np.tile(np.arange(K), R)
    model = _MODEL[ind_of]
    ceiling = _CEILING[ind_of]
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    values, target, start = _series_values(rng, R, unit_of, ind_of, years)

    flow, level = model == "flow", model == "level"
    flow_or_count = flow | (model == "count")
    quantitative = flow_or_count | (model == "rate") | (model == "zero") | level
    pieces = _yearly_pieces(rng, values, quantitative, years)
    pieces.append(_plan_period_totals(rng, values, flow, years))
    pieces.append(_previous_plan_totals(rng, values, flow_or_count, years))
    pieces += _year_to_date_pieces(rng, values, flow_or_count)
    pieces.append(_monthly_piece(rng, values, quantitative))
    pieces.append(_stock_piece(rng, values, level, ceiling, start))
    pieces.append(_status_piece(rng, quantitative, ind_of))

    obs = _observations(pieces, unit_of, ind_of, R)
    indicators = _indicators(R, target, rng)
    settings, plan_ids, _regions = _settings(R, rng)
    assessments = _assessments(R, ind_of, quantitative, plan_ids, rng)
    return {"indicators": indicators, "evaluation_settings": settings, "observations": obs, "assessments": assessments}


def _series_values(
    rng: np.random.Generator, R: int, unit_of: np.ndarray, ind_of: np.ndarray, years: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every series' yearly values and its target, by its indicator's model (flow, count, rate,
    zero, level); also the level series' starting values, which a stock without a yearly value
    reports."""
    S = R * K
    model = _MODEL[ind_of]
    ceiling = _CEILING[ind_of]

    # -- per-series parameters ------------------------------------------------------------
    unit_scale = rng.lognormal(0.0, 0.6, R)[unit_of]
    scale = np.where(_COUNT[ind_of], _SCALE[ind_of] * unit_scale, _SCALE[ind_of])
    growth = rng.normal(0.03, 0.04, S)
    cv = rng.uniform(0.03, 0.2, S)
    t = (years - BASE_YEAR)[None, :].astype(float)
    eps = rng.standard_normal((S, len(years)))
    values = np.full((S, len(years)), np.nan)
    target = np.full(S, np.nan)

    flow = model == "flow"
    trend = scale[:, None] * (1 + growth[:, None]) ** t
    values[flow] = np.round(trend * (1 + cv[:, None] * eps))[flow]
    target[flow] = _nice(trend[:, 5:10].sum(axis=1) * rng.uniform(0.85, 1.2, S))[flow]

    count = model == "count"
    values[count] = np.round(trend * (1 + cv[:, None] * eps))[count]
    bound = np.where(ceiling, rng.uniform(1.0, 1.3, S), rng.uniform(0.8, 1.1, S)) * scale
    target[count] = _nice(bound, 2)[count]

    rate = model == "rate"
    level_now = np.where(ceiling, scale * rng.uniform(0.7, 1.05, S), scale * rng.uniform(0.97, 1.03, S))
    rate_values = np.clip(level_now[:, None] + 0.4 * eps, 0, 100)
    values[rate] = np.round(rate_values, 1)[rate]
    target[rate] = scale[rate]

    zero = model == "zero"
    values[zero] = np.where(rng.random((S, len(years))) < 0.9, 0.0, 1.0)[zero]
    target[zero] = 0.0

    level = model == "level"
    start = scale * rng.uniform(0.8, 1.0, S)
    slope = np.abs(start) * rng.uniform(0.0, 0.04, S) * np.where(ceiling, -1, 1)
    noise = np.abs(slope) * rng.uniform(0.2, 1.5, S) + 1e-3 * np.abs(start)
    level_values = start[:, None] + slope[:, None] * t + noise[:, None] * eps
    unit_pct = np.array([t_[4] == "%" for t_ in INDICATORS])[ind_of]
    level_target = start + 5 * slope * rng.uniform(0.7, 1.4, S)
    # shares stay at or below 100%
    values[level] = np.where(unit_pct[:, None], np.round(np.minimum(level_values, 100), 2), np.round(level_values, 1))[
        level
    ]
    target[level] = np.where(unit_pct, np.round(np.minimum(level_target, 100), 1), _nice(level_target))[level]

    return values, target, start


def _yearly_pieces(
    rng: np.random.Generator, values: np.ndarray, quantitative: np.ndarray, years: np.ndarray
) -> list[dict[str, np.ndarray]]:
    """The yearly values published (some missing, some series late or absent), a few stated as
    bounds or with a break note, and a few non-preferred restatements."""
    S = len(values)
    present = (rng.random((S, len(years))) >= 0.08) & quantitative[:, None]
    present &= ~(rng.random(S) < 0.03)[:, None]  # no data at all
    late = rng.random(S) < 0.06  # published from 2021 only
    present &= ~(late[:, None] & (years < PLAN_START)[None, :])
    s_idx, y_idx = np.nonzero(present)
    pieces = [_piece(s_idx, "year", years[y_idx], years[y_idx], values[s_idx, y_idx])]
    n_year = len(s_idx)
    # a few yearly values stated as bounds ("以内", "以上"), a few with a break in the series
    cmp_code = np.where(rng.random(n_year) < 0.01, rng.integers(1, 3, n_year), 0)
    pieces[0]["comparator"] = cmp_code
    note = np.where(rng.random(n_year) < 0.004, rng.integers(0, len(BREAK_NOTES), n_year), -1)
    pieces[0]["note"] = note
    # non-preferred restatements of the same year
    dup = rng.random(n_year) < 0.02
    pieces.append({**{k: v[dup] for k, v in pieces[0].items()}, "preferred": np.zeros(dup.sum(), bool)})
    pieces[-1]["value"] = pieces[-1]["value"] * 1.01
    return pieces


def _plan_period_totals(
    rng: np.random.Generator, values: np.ndarray, flow: np.ndarray, years: np.ndarray
) -> dict[str, np.ndarray]:
    """Reported totals over the plan period so far (cumulative targets)."""
    S = len(values)
    cum_s = np.flatnonzero(flow & (rng.random(S) < 0.25))
    end_year = rng.choice([2022, 2023, 2025], len(cum_s))
    total = np.array([values[cum_s][:, (years >= PLAN_START) & (years <= e)].sum(axis=1) for e in (2022, 2023, 2025)])
    total = np.round(total[np.searchsorted([2022, 2023, 2025], end_year), np.arange(len(cum_s))])
    p = _piece(cum_s, "plan_period", np.full(len(cum_s), PLAN_START), end_year, total)
    p["comparator"] = np.where(rng.random(len(cum_s)) < 0.2, 2, 0)
    p["note"] = np.where(rng.random(len(cum_s)) < 0.1, 1, -1)
    return p


def _previous_plan_totals(
    rng: np.random.Generator, values: np.ndarray, flow_or_count: np.ndarray, years: np.ndarray
) -> dict[str, np.ndarray]:
    """The previous plan's total (2016–2020), for a new plan's feasibility."""
    prev_s = np.flatnonzero(flow_or_count & (rng.random(len(values)) < 0.4))
    prev_total = np.round(values[prev_s][:, years <= BASE_YEAR].sum(axis=1))
    return _piece(prev_s, "plan_period", np.full(len(prev_s), 2016), np.full(len(prev_s), BASE_YEAR), prev_total)


def _year_to_date_pieces(
    rng: np.random.Generator, values: np.ndarray, flow_or_count: np.ndarray
) -> list[dict[str, np.ndarray]]:
    """Year-to-date values: months 3, 6 or 9 of 2021–2023 (annual and cumulative targets)."""
    ytd_s = np.flatnonzero(flow_or_count & (rng.random(len(values)) < 0.3))
    month = rng.choice([3, 6, 9], len(ytd_s))
    share = month / 12 * rng.uniform(0.7, 1.1, len(ytd_s))
    pieces = []
    for yr in (2021, 2022, 2023):
        full = values[ytd_s, yr - FIRST_YEAR]
        keep = ~np.isnan(full)
        p = _piece(ytd_s[keep], "ytd", np.full(keep.sum(), yr), np.full(keep.sum(), yr), np.round(full * share)[keep])
        p["end_month"] = month[keep]
        pieces.append(p)
    return pieces


def _monthly_piece(rng: np.random.Generator, values: np.ndarray, quantitative: np.ndarray) -> dict[str, np.ndarray]:
    """A few monthly values (used only for their status and notes)."""
    mon_s = np.flatnonzero(quantitative & (rng.random(len(values)) < 0.02))
    p = _piece(mon_s, "month", np.full(len(mon_s), 2023), np.full(len(mon_s), 2023), values[mon_s, 2023 - FIRST_YEAR])
    p["start_month"] = p["end_month"] = np.full(len(mon_s), 5)
    return p


def _stock_piece(
    rng: np.random.Generator, values: np.ndarray, level: np.ndarray, ceiling: np.ndarray, start: np.ndarray
) -> dict[str, np.ndarray]:
    """A level reported once at a date, as a bound ("65%以上")."""
    stock_s = np.flatnonzero(level & (rng.random(len(values)) < 0.15))
    stock_year = rng.choice([2022, 2023, 2025], len(stock_s))
    stock_v = values[stock_s, stock_year - FIRST_YEAR]
    p = _piece(stock_s, "stock", stock_year, stock_year, np.where(np.isnan(stock_v), start[stock_s], stock_v))
    p["comparator"] = np.where(ceiling[stock_s], 1, 3)
    p["start_month"] = np.full(len(stock_s), 12)
    return p


def _status_piece(rng: np.random.Generator, quantitative: np.ndarray, ind_of: np.ndarray) -> dict[str, np.ndarray]:
    """The status reported for targets without a figure."""
    qual_s = np.flatnonzero(~quantitative & (rng.random(len(quantitative)) < 0.5))
    p = _piece(qual_s, "stock", np.full(len(qual_s), 2025), np.full(len(qual_s), 2025), np.full(len(qual_s), np.nan))
    p["status"] = np.where(_KIND[ind_of[qual_s]] == "external", 2, rng.integers(0, 2, len(qual_s)))
    p["start_month"] = np.full(len(qual_s), 12)
    return p


def _piece(
    series: np.ndarray, period_type: str, start_year: np.ndarray, end_year: np.ndarray, value: np.ndarray
) -> dict[str, np.ndarray]:
    n = len(series)
    return {
        "series": series,
        "type": np.full(n, period_type),
        "start_year": np.asarray(start_year),
        "end_year": np.asarray(end_year),
        "start_month": np.ones(n, int),
        "end_month": np.full(n, 12),
        "value": np.asarray(value, dtype=float),
        "comparator": np.zeros(n, int),
        "status": np.full(n, -1),
        "note": np.full(n, -1),
        "preferred": np.ones(n, bool),
    }


def _observations(pieces: list[dict[str, np.ndarray]], unit_of: np.ndarray, ind_of: np.ndarray, R: int) -> pd.DataFrame:
    cat = {k: np.concatenate([p[k] for p in pieces]) for k in pieces[0]}
    start = _month_end(cat["start_year"], cat["start_month"] - 1) + np.timedelta64(1, "D")
    start = np.where(cat["type"] == "stock", _month_end(cat["start_year"], cat["start_month"]), start)
    end = _month_end(cat["end_year"], cat["end_month"])
    types = ["month", "plan_period", "stock", "year", "ytd"]  # alphabetical, as the data sort them
    type_code = np.select([cat["type"] == ty for ty in types], np.arange(len(types)))
    # in the order of the processed dataset (its schema's key: series, region, type, period)
    names = [t[0] for t in INDICATORS]
    alphabetical = np.argsort(np.argsort(names))
    order = np.lexsort((end, start, type_code, unit_of[cat["series"]], alphabetical[ind_of[cat["series"]]]))
    cat = {k: v[order] for k, v in cat.items()}
    start, end, type_code = start[order], end[order], type_code[order]
    s = cat["series"]
    return pd.DataFrame(
        {
            "series_id": _strings(ind_of[s], names),
            "region": _strings(unit_of[s], _unit_names(R)),
            "period_type": _strings(type_code, types),
            "period_start": start.astype("datetime64[ns]"),
            "period_end": end,
            "value": cat["value"],
            "comparator": _strings(cat["comparator"], OBS_COMPARATORS),
            "status": _strings(cat["status"], STATUSES),
            "note": _strings(cat["note"], BREAK_NOTES),
            # the engine reads no source: one column says where the rows came from, and the
            # synthetic writer fills source_location (8.6M strings less in the 1M panel)
            "source_document": _strings(np.zeros(len(s), int), [SOURCE]),
            "is_preferred": cat["preferred"],
            "is_benchmark": np.zeros(len(s), bool),
        }
    )


def _unit_names(R: int) -> list[str]:
    return [f"合成县{i:05d}" for i in range(R)]


def _indicators(R: int, target: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    ind_of = np.tile(np.arange(K), R)
    unit_of = np.repeat(np.arange(R), K)
    kinds = list(dict.fromkeys(_KIND))
    comparators = [">=", ">", "<=", "<", "=", "≈"]
    units = sorted({t[4] for t in INDICATORS if t[4]})
    cmp_code = np.array([comparators.index(t[3]) if t[3] else -1 for t in INDICATORS])[ind_of]
    unit_code = np.array([units.index(t[4]) if t[4] else -1 for t in INDICATORS])[ind_of]
    texts = ["目标"] + list(TARGET_TEXT.values())
    text_code = np.array([1 + list(TARGET_TEXT).index(t[0]) if t[0] in TARGET_TEXT else 0 for t in INDICATORS])
    attribute = np.where(rng.random(R * K) < 0.4, 0, 1)
    n = R * K
    year = pd.array(np.full(n, PLAN_END), dtype="Int64")
    return pd.DataFrame(
        {
            "plan_id": _strings(unit_of, [f"synthetic-{i:05d}" for i in range(R)]),
            "indicator_id": _strings(ind_of, [t[0] for t in INDICATORS]),
            "seq": pd.array(ind_of + 1, dtype="Int64"),
            "name": _strings(ind_of, [t[1] for t in INDICATORS]),
            "unit": _strings(unit_code, units),
            "attribute": _strings(attribute, ["约束性", "预期性"]),
            "target_kind": _strings(np.array([kinds.index(k) for k in _KIND])[ind_of], kinds),
            "comparator": _strings(cmp_code, comparators),
            "target_value": target,
            "target_year": year,
            "target_text": _strings(text_code[ind_of], texts),
            "base_year": pd.array(np.full(n, BASE_YEAR), dtype="Int64"),
            "period_start": pd.array(np.full(n, PLAN_START), dtype="Int64"),
            "period_end": pd.array(np.full(n, PLAN_END), dtype="Int64"),
            "name_note": _strings(np.full(n, -1), []),
            "source_document": _strings(np.zeros(n, int), [SOURCE]),
        }
    )


def _settings(R: int, rng: np.random.Generator) -> tuple[pd.DataFrame, list[str], list[str]]:
    which = rng.choice(len(EVALUATIONS), R, p=[e[0] for e in EVALUATIONS])
    plan_ids = [f"synthetic-{i:05d}" for i in range(R)]
    regions = _unit_names(R)
    annual = np.array([np.datetime64(e[2], "ns") for e in EVALUATIONS])[which]
    monthly = np.array([np.datetime64(e[3] or "NaT", "ns") for e in EVALUATIONS])[which]
    settings = pd.DataFrame(
        {
            "evaluation_id": [f"{p}-{['mid', 'mid', 'final', 'base'][w]}" for p, w in zip(plan_ids, which)],
            "exercise": _strings(which, ["mid", "mid-annual", "final", "base"]),
            "plan_id": pd.Series(plan_ids, dtype="str"),
            "region": pd.Series(regions, dtype="str"),
            "evaluation_type": _strings(which, [e[1] for e in EVALUATIONS]),
            "annual_cutoff": annual,
            "monthly_cutoff": monthly,
            "source_document": _strings(np.zeros(R, int), [SOURCE]),
        }
    )
    settings["evaluation_id"] = settings["evaluation_id"].astype("str")
    return settings, plan_ids, regions


def _assessments(
    R: int, ind_of: np.ndarray, quantitative: np.ndarray, plan_ids: list[str], rng: np.random.Generator
) -> pd.DataFrame:
    """Entered assessments for a fifth of the qualitative targets, some by two assessors."""
    s = np.flatnonzero(~quantitative & (_KIND[ind_of] == "qualitative") & (rng.random(R * K) < 0.2))
    two = s[rng.random(len(s)) < 0.3]
    s_all = np.concatenate([s, two])
    third = np.concatenate([np.zeros(len(s), bool), np.ones(len(two), bool)])
    progress = np.array(["已完成", "快于预期", "基本符合预期", "滞后于预期", "未启动"])
    detail = rng.random(len(s_all)) < 0.5
    filled = np.where(rng.random(len(s_all)) < 0.5, np.datetime64("2023-03-31", "ns"), np.datetime64("NaT", "ns"))
    unit = s_all // K
    return pd.DataFrame(
        {
            "plan_id": _strings(unit, plan_ids),
            "item_type": _strings(np.zeros(len(s_all), int), ["indicator"]),
            "item_id": _strings(ind_of[s_all], [t[0] for t in INDICATORS]),
            "department": _strings(np.where(third, 1, 0), ["就业促进科", "评估机构"]),
            "assessor": _strings(third.astype(int), ["自评", "第三方"]),
            "progress": _strings(rng.integers(0, len(progress), len(s_all)), progress),
            "progress_detail": _strings(np.where(detail, 0, -1), ["已出台实施方案"]),
            "filled_on": filled,
            "source_document": _strings(np.zeros(len(s_all), int), [SOURCE]),
        }
    )


# -- the per-series loop it is compared with ------------------------------------------------------


def loop_sample(frames: dict[str, pd.DataFrame], size: int, seed: int = SEED) -> list[tuple[np.ndarray, int]]:
    """``size`` quantitative series with at least four known yearly values: (values, steps ahead)."""
    obs = frames["observations"]
    yearly = obs[obs["period_type"].eq("year") & obs["is_preferred"] & obs["period_end"].dt.year.le(2022)]
    yearly = yearly.assign(year=yearly["period_end"].dt.year).sort_values(["series_id", "region", "year"])
    groups = [g["value"].to_numpy() for _, g in yearly.groupby(["series_id", "region"], sort=True)]
    groups = [g for g in groups if len(g) >= 4]
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(groups), min(size, len(groups)), replace=False)
    return [(groups[i], PLAN_END - 2022) for i in sorted(chosen)]


def time_loop(sample: list[tuple[np.ndarray, int]], model: str) -> dict[str, Any]:
    """Fit, forecast and 80% interval for every series in ``sample``, one at a time."""
    from statsmodels.tsa.arima.model import ARIMA
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    failed = 0
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for y, steps in sample:
            try:
                if model == "arima":
                    fit = ARIMA(y, order=(0, 1, 0), trend="t").fit()
                    fc = fit.get_forecast(steps)
                    fc.predicted_mean[-1], fc.conf_int(alpha=0.2)[-1]
                else:  # a Series: statsmodels 0.15's ETS prediction needs an index
                    fit = ETSModel(pd.Series(y, dtype=float), error="add", trend="add").fit(disp=False)
                    pred = fit.get_prediction(start=len(y), end=len(y) + steps - 1)
                    pred.predicted_mean.iloc[-1], pred.pred_int(alpha=0.2).iloc[-1]
            except Exception:
                failed += 1
    seconds = time.perf_counter() - started
    return {
        "model": model,
        "series": len(sample),
        "failed": failed,
        "seconds": seconds,
        "seconds_per_series": seconds / max(len(sample), 1),
    }


# -- measuring, one size per fresh process --------------------------------------------------------


def single_core_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({var: "1" for var in THREAD_VARS})
    return env


def _pin_one_core() -> None:
    for var in THREAD_VARS:
        os.environ[var] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    try:
        import pyarrow as pa

        pa.set_cpu_count(1)
        pa.set_io_thread_count(1)
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        pass


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Release freed memory and reset the peak-RSS mark (Linux ≥ 4.0), so the peak is the engine's."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def measure_engine(n_series: int, seed: int = SEED, repeat: int = 3, warmup: bool = True) -> dict[str, Any]:
    """Build the panel, then time ``evaluate`` on it ``repeat`` times, with the peak RSS while it
    runs (this process: run it in a fresh one, see ``main``)."""
    import resource

    from analysis.evaluate import evaluate

    if warmup:  # first-call costs (imports, caches) are not the engine's per-series cost
        evaluate(synthetic_frames(350, seed + 1))
    started = time.perf_counter()
    frames = synthetic_frames(n_series, seed)
    generated = time.perf_counter() - started
    series = len(frames["indicators"])
    observations = len(frames["observations"])
    runs, cpus, peaks, befores = [], [], [], []
    reset = False
    counts: dict[str, int] = {}
    for _ in range(max(repeat, 1)):
        reset = _reset_peak()
        befores.append(_status_kib("VmRSS") or 0)
        started, cpu = time.perf_counter(), time.process_time()
        result = evaluate(frames)
        runs.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        peak = _status_kib("VmHWM") if reset else None
        peaks.append(peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        if len(result) != series or result[["evaluation_id", "indicator_id"]].duplicated().any():
            raise AssertionError(f"{len(result)} rows for {series} series")
        counts = {k: int(v) for k, v in result["progress"].value_counts().sort_index().items()}
        del result
        gc.collect()
    seconds = float(np.median(runs))
    return {
        "series": series,
        "units": n_units(n_series),
        "observations": observations,
        "generate_seconds": round(generated, 3),
        "seconds": round(seconds, 3),
        "seconds_runs": [round(r, 3) for r in runs],
        "cpu_seconds": round(float(np.median(cpus)), 3),
        "microseconds_per_series": round(seconds / series * 1e6, 3),
        # the first run starts from the panel alone; later runs start with what the allocators kept
        "peak_rss_mib": round(max(peaks) / 1024, 1),
        "rss_before_mib": round(befores[0] / 1024, 1),
        "engine_rss_mib": round((max(peaks) - befores[0]) / 1024, 1),
        "peak_measured_by": "VmHWM, reset after the panel was built" if reset else "ru_maxrss (whole process)",
        "progress_counts": counts,
    }


def _worker(args: argparse.Namespace) -> int:
    _pin_one_core()
    if args.worker == "engine":
        out = measure_engine(args.size, args.seed, args.repeat)
    else:
        frames = synthetic_frames(args.size, args.seed)
        sample = loop_sample(frames, args.sample, args.seed)
        out = {"loops": [time_loop(sample, "arima"), time_loop(sample, "ets")]}
    print(json.dumps(out))
    return 0


def _run_worker(argv: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "analysis.bench", *argv]
    done = subprocess.run(cmd, env=single_core_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict[str, Any]:
    import scipy

    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "cores_used": 1,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "threads": {var: "1" for var in THREAD_VARS} | {"arrow_cpu_count": "1", "cpu_affinity": "one core"},
    }
    try:
        import statsmodels

        info["statsmodels"] = statsmodels.__version__
    except ImportError:
        info["statsmodels"] = None
    try:
        import pyarrow

        info["pyarrow"] = pyarrow.__version__
    except ImportError:  # pragma: no cover
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["processor"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()
        info["memory_gib"] = round(int(mem[1]) / 1024**2, 1)
    except (OSError, IndexError, ValueError):
        pass
    return info


#: The aims the figures are checked against.
AIMS = {"seconds_100k": 2.0, "seconds_1m": 20.0, "peak_gib_1m": 4.0, "speedup": 500.0}


def verdicts(engine: list[dict[str, Any]], loops: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether the aims are met, from the figures (sizes missing from the run are not judged)."""
    by = {e["series"]: e for e in engine}
    out: dict[str, Any] = {}

    def near(target: int) -> dict[str, Any] | None:
        size = min(by, key=lambda s: abs(s - target)) if by else None
        return by[size] if size is not None and abs(size - target) <= target // 100 else None

    if (e := near(100_000)) is not None:
        out["100k_within_2s"] = e["seconds"] <= AIMS["seconds_100k"]
    if (e := near(1_000_000)) is not None:
        out["1m_within_20s"] = e["seconds"] <= AIMS["seconds_1m"]
        out["1m_peak_within_4gib"] = e["peak_rss_mib"] <= AIMS["peak_gib_1m"] * 1024
    if len(by) >= 2:
        sizes = sorted(by)
        slope = np.polyfit(np.log(sizes), np.log([by[s]["seconds"] for s in sizes]), 1)[0]
        out["growth_exponent"] = round(float(slope), 3)  # seconds ∝ series ** exponent, over all sizes
        out["linear_or_better"] = bool(slope <= 1.1)
        # each step up in size: how much the time grew against how much the panel grew
        out["growth_per_step"] = {
            f"{a}->{b}": round((by[b]["seconds"] / by[a]["seconds"]) / (b / a), 2) for a, b in itertools.pairwise(sizes)
        }
    if loops and by:
        ratios = {
            lp["model"]: {str(s): round(lp["seconds_per_series"] / (by[s]["seconds"] / s)) for s in sorted(by)}
            for lp in loops
        }
        out["speedup_vs_loop"] = ratios
        out["speedup_at_least_500x_every_size"] = all(
            r >= AIMS["speedup"] for per in ratios.values() for r in per.values()
        )
        large = [str(s) for s in sorted(by) if s >= 99_000]
        if large:
            out["speedup_at_least_500x_from_100k"] = all(
                per[s] >= AIMS["speedup"] for per in ratios.values() for s in large
            )
        slowest = max(lp["seconds_per_series"] for lp in loops)
        out["loop_hours_for_1m_series"] = round(slowest * 1_000_000 / 3600, 2)
    return out


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "# Engine benchmark (synthetic panels)",
        "",
        f"{report['date']} · {m.get('processor')} · {m['cores']} cores, 1 used · Python {m['python']}, "
        f"numpy {m['numpy']}, pandas {m['pandas']}, scipy {m['scipy']}, statsmodels {m.get('statsmodels')}",
        "",
        "| series | units | observations | engine s | µs / series | peak RSS MiB | engine's own MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for e in report["engine"]:
        lines.append(
            f"| {e['series']:,} | {e['units']:,} | {e['observations']:,} | {e['seconds']:.2f} | "
            f"{e['microseconds_per_series']:.1f} | {e['peak_rss_mib']:,.0f} | {e['engine_rss_mib']:,.0f} |"
        )
    if report["loops"]:
        sizes = [str(e["series"]) for e in report["engine"]]
        lines += [
            "",
            "| per-series loop (statsmodels) | series | failed | s | ms / series | "
            + " | ".join(f"engine faster, {int(s):,}" for s in sizes)
            + " |",
            "|---|---:|---:|---:|---:|" + "---:|" * len(sizes),
        ]
        for lp in report["loops"]:
            ratio = report["verdicts"].get("speedup_vs_loop", {}).get(lp["model"], {})
            name = {"arima": "ARIMA(0,1,0) with drift", "ets": "ETS (A,A,N)"}[lp["model"]]
            lines.append(
                f"| {name} | {lp['series']} | {lp['failed']} | {lp['seconds']:.2f} | "
                f"{lp['seconds_per_series'] * 1e3:.2f} | " + " | ".join(f"{ratio.get(s, 0):,}×" for s in sizes) + " |"
            )
    lines += [
        "",
        "Aims: 100k series ≤ 2 s; 1M ≤ 20 s within 4 GiB, growing linearly; ≥ 500× faster than the loop.",
        "",
        "```json",
        json.dumps(report["verdicts"], ensure_ascii=False, indent=2),
        "```",
        "",
    ]
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m analysis bench",
        description=(
            "Time the evaluation engine on synthetic panels (one core, a fresh process per size) against a "
            "per-series statsmodels loop, and write bench/results/engine.json and engine.md."
        ),
    )
    p.add_argument(
        "--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="series per panel (default: %(default)s)"
    )
    p.add_argument(
        "--loop-sample", type=int, default=200, help="series in the statsmodels loop (default: %(default)s; 0 skips it)"
    )
    p.add_argument(
        "--repeat", type=int, default=3, help="timed runs per size; the median is reported (default: %(default)s)"
    )
    p.add_argument("--seed", type=int, default=SEED, help="random seed (default: %(default)s)")
    p.add_argument("--out", default=str(RESULTS), help="folder for engine.json and engine.md (default: %(default)s)")
    p.add_argument("--worker", choices=["engine", "loop"], help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, default=10_000, help=argparse.SUPPRESS)
    p.add_argument("--sample", type=int, default=200, help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.worker:
        return _worker(args)
    out = Path(args.out).resolve()
    if out == paths.DATA.resolve() or paths.DATA.resolve() in out.parents:
        print(f"{out} is inside data/: synthetic figures never go there", file=sys.stderr)
        return 2
    engine = []
    for size in args.sizes:
        print(f"engine, {size:,} series …", file=sys.stderr, flush=True)
        e = _run_worker(
            ["--worker", "engine", "--size", str(size), "--seed", str(args.seed), "--repeat", str(args.repeat)]
        )
        print(f"  {e['seconds']:.2f} s, peak {e['peak_rss_mib']:,.0f} MiB", file=sys.stderr, flush=True)
        engine.append(e)
    loops: list[dict[str, Any]] = []
    if args.loop_sample and importlib.util.find_spec("statsmodels") is None:
        print("statsmodels is not installed: the per-series loop is skipped", file=sys.stderr)
    elif args.loop_sample:
        print(f"statsmodels loop, {args.loop_sample} series …", file=sys.stderr, flush=True)
        loops = _run_worker(
            ["--worker", "loop", "--size", "10000", "--sample", str(args.loop_sample), "--seed", str(args.seed)]
        )["loops"]
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "synthetic": True,
        "seed": args.seed,
        "machine": machine(),
        "engine": engine,
        "loops": loops,
        "aims": AIMS,
        "verdicts": verdicts(engine, loops),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "engine.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "engine.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
