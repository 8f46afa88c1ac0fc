"""The evaluation engine: every target judged at a cut-off, projected, and explained.

``evaluate(frames)`` takes the processed datasets and returns one row per (evaluation of a
plan for a region) × target: completion against schedule, the progress judgement
(进度判断), a projection with an 80% interval and the probability of meeting the target, the
outlook (趋势判断), the Open SDG / Eurostat progress ratio beside ours, and one Chinese
sentence. Same inputs, same output, byte for byte. Pure functions over frames: no plotting,
no notebooks, no I/O.

Vectorised over series: every step works on whole columns (numpy, and pandas' Arrow strings
for the sentences); nothing loops per row or per series. A million series take seconds on
one core (``python -m analysis bench``; figures in ``bench/README.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis import vocabulary as v
from analysis.evaluate.asof import Runs, evaluation_rows, known_observations
from analysis.evaluate.base_values import BaseValues
from analysis.evaluate.explain import write_sentences
from analysis.evaluate.in_step import judge_in_step
from analysis.evaluate.judgement import OUTLOOK, PROGRESS, feasibility_ratio, measure, outlook_codes, progress_codes
from analysis.evaluate.projection import project
from analysis.evaluate.series import facts_and_window, join_per_row
from analysis.targets import QUANTITATIVE_KINDS

__all__ = ["evaluate", "judge"]

OUTPUT_COLUMNS = [
    "plan_id",
    "region",
    "indicator_id",
    "evaluation_id",
    "as_of",
    "annual_cutoff",
    "monthly_cutoff",
    "evaluation_type",
    "seq",
    "name",
    "unit",
    "attribute",
    "target_kind",
    "comparator",
    "target_value",
    "target_year",
    "progress",
    "progress_zh",
    "outlook",
    "outlook_zh",
    "completion",
    "schedule",
    "required_pace",
    "latest_value",
    "latest_year",
    "latest_comparator",
    "latest_display",
    "time_progress",
    "data_lag_years",
    "base_value",
    "projected_value",
    "projected_low",
    "projected_high",
    "prob_meet",
    "progress_ratio",
    "progress_basis",
    "method",
    "n_points",
    "data_note",
    "unjudged_reason",
    "explanation_zh",
]


def evaluate(frames: dict[str, pd.DataFrame], as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Judge every target of every evaluated plan at its cut-offs (or at ``as_of``)."""
    bases = BaseValues.of(frames)  # declared base values (data/raw/links/base_values.csv)
    out = judge(bases.with_base_points(frames), as_of)
    write_sentences(out)  # latest_display, unjudged_reason, explanation_zh
    judge_in_step(out, frames.get("evidence"), frames["observations"])  # "…增长与经济增长基本同步"
    out = bases.restate(out)
    order = _report_order(out)
    out = out[OUTPUT_COLUMNS]  # let the working columns go before the rows are reordered
    return out.take(order).reset_index(drop=True)


def judge(frames: dict[str, pd.DataFrame], as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Every evaluation row with its facts, numbers and judgements: all a sentence is made from.

    ``evaluate`` is this, the sentence (``explain.explanations``), and the published columns in
    report order. Every step works on whole columns; none loops over rows or series: the facts
    and the projection (``_numbers``), the progress judgement, the outlook, then the numbers a
    judgement leaves unsaid blanked (``_blank_unjudged``).
    """
    rows = evaluation_rows(frames, as_of)
    facts, m, proj = _numbers(rows, frames["observations"])
    # a cumulative target whose data stop early is projected from its flows, but judged as reported
    code = progress_codes(rows, facts, m)
    quant = rows["target_kind"].isin(QUANTITATIVE_KINDS).to_numpy(dtype=bool)
    out = _working_columns(rows, facts, m, proj)

    assessed = _assessments(rows, frames.get("assessments"))
    out["assessment"] = assessed
    code = np.where(quant | assessed.isna().to_numpy(), code, PROGRESS.index("qualitative"))
    look = outlook_codes(rows, proj["prob_meet"], code)
    out["progress"] = _words(code, PROGRESS, out.index)
    out["outlook"] = _words(look, OUTLOOK, out.index)
    _blank_unjudged(out, code, look, quant)
    out["progress_zh"] = _words(code, tuple(v.PROGRESS_ZH[c] for c in PROGRESS), out.index)
    out["outlook_zh"] = _words(look, tuple(v.OUTLOOK_ZH[c] for c in OUTLOOK), out.index)
    # an annual bound is judged on its worst year, but the latest value is the latest year's
    out["latest_value"] = out["latest"].where(out["target_kind"].eq("annual"), out["judged_value"])
    out["latest_year"] = out["judged_year"]
    out["method"] = _method(out, code, quant)
    out["data_note"] = facts["break_note"]
    out["progress_basis"] = _basis(out, code, quant)
    return out


def _numbers(rows: pd.DataFrame, observations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The facts of every row from the observations known at its cut-offs, its measures
    (completion, schedule, …) and its projection. The known lines and the projection's window
    are let go on return (the window 80 MB at a million rows)."""
    facts, window = facts_and_window(rows, known := known_observations(rows, observations))
    m = measure(rows, facts)
    proj = project(
        rows,
        facts,
        m["so_far"],
        m["so_far_end"],
        known,
        facts["segment_start"].to_numpy(dtype=np.float64, na_value=np.nan),
        window,
    )  # a break ends a series
    return facts, m, proj


#: The columns of the measures, the projection and the facts a sentence or a later step reads.
_MEASURED = (
    "completion",
    "schedule",
    "required_pace",
    "judged_value",
    "judged_year",
    "n_points",
    "ytd_expected",
    "progress_ratio",
    "latest",
    "time_progress",
    "data_lag_years",
    "latest_comparator",
    "from_stock",
)
_PROJECTED = ("projected_value", "projected_low", "projected_high", "prob_meet")
_FACTS = (
    "status",
    "break_note",
    "ytd_value",
    "ytd_month",
    "base_value",
    "prev_total",
    "prev_years",
    "segment_start",
    "series_stopped",
    "stock_text",
    "stock_words",
    "first_year",
    "year_series",
)


def _working_columns(rows: pd.DataFrame, facts: pd.DataFrame, m: pd.DataFrame, proj: pd.DataFrame) -> pd.DataFrame:
    """The rows with the numbers and facts the judgement and the sentences read."""
    out = rows.copy()
    for col in _MEASURED:
        out[col] = m[col]
    for col in _PROJECTED:
        out[col] = proj[col]
    for col in _FACTS:
        out[col] = facts[col]
    need, past = feasibility_ratio(rows, facts)
    out["required_per_year"] = need
    out["past_pace"] = past
    out["base_level"] = facts["base_value"].where(facts["base_value"].notna(), facts["stock_value"])
    out["judged_comparator"] = facts["stock_comparator"].where(
        m["judged_year"].eq(facts["stock_year"]), facts["total_comparator"]
    )
    out["ytd_used"] = (m["so_far_end"].eq(rows["data_year"]) & facts["ytd_value"].notna()).astype(int)
    return out


def _blank_unjudged(out: pd.DataFrame, code: np.ndarray, look: np.ndarray, quant: np.ndarray) -> None:
    """No judgement from numbers: no numbers either; no share where nothing is decided, no
    projection where the outlook says nothing."""
    baseline = out["evaluation_type"].eq(v.BASELINE).to_numpy(dtype=bool)
    blank = ~quant | (code == PROGRESS.index("no_data")) | baseline
    for col in (
        "completion",
        "schedule",
        "required_pace",
        *_PROJECTED,
        "progress_ratio",
        "time_progress",
        "data_lag_years",
    ):
        out[col] = out[col].mask(blank)
    # one point and no base value, or a bound that decides nothing: no share to show either
    undecided = code == PROGRESS.index("undetermined")
    for col in ("completion", "schedule", "progress_ratio"):
        out[col] = out[col].mask(undecided)
    no_projection = np.isin(look, [OUTLOOK.index(""), OUTLOOK.index("uncertain")])
    for col in _PROJECTED:
        out[col] = out[col].mask(no_projection)


def _basis(out: pd.DataFrame, code: np.ndarray, quant: np.ndarray) -> pd.Series:
    """What the judgement rests on: the data, a statement in the plan's own table (完成情况
    "完成", "65%以上"), an assessment entered by a department, or nothing."""
    none = np.isin(code, [PROGRESS.index(c) for c in ("no_data", "pending")])
    stated = (~quant & (code == PROGRESS.index("met"))) | (
        quant & out["from_stock"].to_numpy(dtype=bool) & out["latest_comparator"].ne("").to_numpy(dtype=bool)
    )
    stated |= quant & out["from_stock"].to_numpy(dtype=bool) & out["stock_words"].to_numpy(dtype=bool)
    pick = np.select([none & ~stated, code == PROGRESS.index("qualitative"), stated], [4, 2, 1], default=0)
    return _words(pick, v.PROGRESS_BASIS, out.index)


def _words(codes: np.ndarray, words: tuple[str, ...], index: pd.Index) -> pd.Series:
    """Positions in ``words`` as a text column (pandas' str dtype)."""
    table = pa.array(list(words), pa.large_string())
    return pd.Series(pa.chunked_array([table.take(pa.array(codes))]).to_pandas().array, index=index)


def _report_order(out: pd.DataFrame) -> np.ndarray:
    """Positions in the order of the report: plan, region, evaluation, 序号 (a stable sort).

    The three keys are the same for all targets of an evaluation, so the few distinct
    evaluations are sorted as pandas sorts them, and the rows by that rank and 序号."""
    keys = ["plan_id", "region", "evaluation_id"]
    # an evaluation's targets are consecutive rows: the keys are coded once per run of rows
    runs = [Runs(out[k]) for k in keys]
    heads = np.unique(np.concatenate([np.cumsum(r.length) - r.length for r in runs]))
    length = np.diff(np.append(heads, len(out)))
    codes = [
        np.repeat(pd.factorize(out[k].take(heads), use_na_sentinel=False)[0].astype(np.int64), length) for k in keys
    ]
    combined = (codes[0] * (codes[1].max(initial=0) + 1) + codes[1]) * (codes[2].max(initial=0) + 1) + codes[2]
    distinct, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    evaluations = out[keys].iloc[first].reset_index(drop=True)
    rank = np.empty(len(distinct), np.int64)
    rank[evaluations.sort_values(keys, kind="stable").index.to_numpy()] = np.arange(len(distinct))
    seq = out["seq"].to_numpy(dtype=np.float64)
    if len(heads) == len(distinct) and not np.isnan(seq).any():
        # each evaluation one run of rows: if 序号 already rises within every run, the order is
        # the runs in the evaluations' order, each as it stands (what the sort would give)
        inside = np.ones(len(out), bool)
        inside[heads] = False
        if (seq[1:] >= seq[:-1])[inside[1:]].all():
            by_rank = np.argsort(rank[inverse[heads]])
            moved = heads[by_rank] - (np.cumsum(length[by_rank]) - length[by_rank])
            return np.repeat(moved, length[by_rank]) + np.arange(len(out))
    return np.lexsort((seq, rank[inverse]))


def _assessments(rows: pd.DataFrame, assessments: pd.DataFrame | None) -> pd.Series:
    """For each row, the assessments entered for its target, as one Chinese phrase
    ("第三方评估：已完成；就业科自评：基本符合预期"), only those filled by the cut-off."""
    empty = pd.Series(np.nan, index=rows.index, dtype="object")
    if assessments is None or assessments.empty:
        return empty
    a = assessments[assessments["item_type"] == "indicator"].copy()
    a["phrase"] = np.where(a["assessor"].eq("第三方"), "第三方评估", a["department"] + "自评") + "：" + a["progress"]
    a["phrase"] = a["phrase"] + ("（" + a["progress_detail"] + "）").fillna("")
    # only rows whose plan and target were assessed take part in the join; a plan's targets are
    # consecutive rows, so its plan is looked up once per run of rows
    plans = Runs(rows["plan_id"])
    plan_ids = pa.array([str(p) for p in a["plan_id"].dropna().unique()], pa.large_string())
    in_plan = plans.spread(pc.is_in(plans.values, value_set=plan_ids).to_numpy(zero_copy_only=False))
    candidates = np.zeros(len(rows), bool)
    at = np.flatnonzero(in_plan)
    candidates[at] = rows["indicator_id"].take(at).isin(a["item_id"].dropna().unique()).to_numpy(dtype=bool)
    keyed = rows.loc[candidates, ["plan_id", "indicator_id", "as_of"]].reset_index(names="row")
    joined = keyed.merge(a, left_on=["plan_id", "indicator_id"], right_on=["plan_id", "item_id"])
    joined = joined[joined["filled_on"].isna() | (joined["filled_on"] <= joined["as_of"] + pd.Timedelta(days=366))]
    joined = joined.sort_values(["row", "assessor", "department"], kind="stable")
    return join_per_row(joined["row"].to_numpy(), joined["phrase"], len(rows), "；", rows.index)


def _method(out: pd.DataFrame, code: np.ndarray, quant: np.ndarray) -> pd.Series:
    kind = out["target_kind"]
    cumulative, annual, level = (kind.eq(k).to_numpy(dtype=bool) for k in ("cumulative", "annual", "level"))
    base = np.select(
        [cumulative, annual, level, (code == PROGRESS.index("met")) & ~quant, code == PROGRESS.index("qualitative")],
        [0, 1, 2, 3, 4],
        default=5,
    )
    baseline = out["evaluation_type"].eq(v.BASELINE).to_numpy(dtype=bool) & quant
    base = np.where(baseline, 6, base)
    no_prob = out["prob_meet"].isna().to_numpy()
    proj = np.select([no_prob, cumulative, annual, level], [0, 1, 2, 3], default=0)
    words = [
        "累计完成量÷目标，对照序时进度",
        "逐年对照年度目标",
        "现值对照基期至目标的线性路径",
        "规划文件完成情况",
        "填报的评估材料",
        "定性评估",
        "目标所需进度对照上一规划期实际进度",
    ]
    tails = [
        "",
        "；预测：按年度增量外推，附80%区间",
        "；预测：按年度值外推，附各年达标的可能性",
        "；预测：按趋势外推，附80%区间",
    ]
    # every (basis, projection) phrase written once; each row takes its own
    table = pa.array([w + t for w in words for t in tails], pa.large_string())
    text = table.take(pa.array(base * len(tails) + proj))
    return pd.Series(pa.chunked_array([text]).to_pandas().array, index=out.index)
