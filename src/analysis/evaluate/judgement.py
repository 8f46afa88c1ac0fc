"""Completion against schedule, per kind of target, and the two judgements.

Every quantity is computed for all rows at once with masks per kind; the rules and their
thresholds are stated in ``docs/methodology.md`` and live in ``vocabulary``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.evaluate import vocabulary as v
from analysis.evaluate.projection import _meets

CEILING = ("<=", "<", "=")


def cumulative_so_far(rows: pd.DataFrame, facts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Total reached and the last year it covers: a reported total over the plan period when it
    is at least as recent as the yearly flows, else the sum of the yearly flows."""
    use_total = facts["total_value"].notna() & (
        facts["plan_last_year"].isna() | (facts["total_end_year"] >= facts["plan_last_year"]))
    so_far = facts["total_value"].where(use_total, facts["plan_sum"])
    end = facts["total_end_year"].where(use_total, facts["plan_last_year"])
    return so_far, end


def measure(rows: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """completion, schedule, required_pace, progress_ratio and the value judged, per row."""
    kind = rows["target_kind"]
    T = rows["target_value"].astype(float)
    cmp = rows["comparator"]
    span = (rows["period_end"] - rows["period_start"] + 1).astype(float)
    numeric = ["completion", "schedule", "required_pace", "judged_value", "judged_year", "n_points", "ytd_expected"]
    out = pd.DataFrame(np.nan, index=rows.index, columns=numeric, dtype="float64")

    # -- cumulative: total so far against the elapsed share of the period -----------------
    so_far, so_far_end = cumulative_so_far(rows, facts)
    month = facts["ytd_month"].where(facts["ytd_value"].notna() & so_far_end.eq(rows["data_year"]), 0).fillna(0)
    ytd = facts["ytd_value"].where(month > 0, 0).fillna(0)
    elapsed = (so_far_end - rows["period_start"] + 1 + month / 12).clip(lower=0)
    cum = kind.eq("cumulative")
    out.loc[cum, "completion"] = ((so_far + ytd) / T)[cum]
    out.loc[cum, "schedule"] = (elapsed / span)[cum]
    left = (rows["target_year"] - so_far_end).where(lambda s: s > 0)
    out.loc[cum, "required_pace"] = ((T - so_far) / left)[cum]
    out.loc[cum, "judged_value"] = (so_far + ytd)[cum]
    out.loc[cum, "judged_year"] = so_far_end[cum]
    out.loc[cum, "n_points"] = facts["n_years"].where(facts["n_years"] > 0, facts["total_value"].notna().astype(int))[
        cum]

    # -- annual: every year against the bound; a partial year against its seasonal share ---
    ann = kind.eq("annual")
    worst = facts["plan_max"].where(cmp.isin(CEILING), facts["plan_min"])
    latest = facts["latest_value"].where(facts["latest_value"].notna(), facts["stock_value"])
    latest_year = facts["latest_year"].where(facts["latest_value"].notna(), facts["stock_year"])
    out.loc[ann, "completion"] = (latest / T.where(T != 0))[ann]
    out.loc[ann, "schedule"] = 1.0
    out.loc[ann, "required_pace"] = T[ann]
    out.loc[ann, "judged_value"] = worst.where(worst.notna(), latest)[ann]
    out.loc[ann, "judged_year"] = latest_year[ann]
    out.loc[ann, "n_points"] = facts["n_years"].where(facts["n_years"] > 0, facts["stock_value"].notna().astype(int))[
        ann]
    share = facts["seasonal_share"].where(facts["seasonal_share"].notna(), facts["ytd_month"] / 12)
    out.loc[ann, "ytd_expected"] = (T * share)[ann]

    # -- level: the current value against the path from the base value to the target -----
    lev = kind.eq("level")
    base = facts["base_value"]
    elapsed_l = (latest_year - rows["base_year"]).astype(float)
    total_l = (rows["target_year"] - rows["base_year"]).astype(float)
    dist = (T - base).where(lambda s: s != 0)
    completion_l = ((latest - base) / dist).where(base.notna(), latest / T.where(T != 0))
    out.loc[lev, "completion"] = completion_l[lev]
    out.loc[lev, "schedule"] = (elapsed_l / total_l)[lev]
    out.loc[lev, "required_pace"] = ((T - latest) / (rows["target_year"] - latest_year).where(lambda s: s > 0))[lev]
    out.loc[lev, "judged_value"] = latest[lev]
    out.loc[lev, "judged_year"] = latest_year[lev]
    out.loc[lev, "n_points"] = facts["n_years"].where(facts["n_years"] > 0, facts["stock_value"].notna().astype(int))[
        lev]

    # -- the Open SDG / Eurostat ratio beside ours: observed growth over required growth ----
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cagr_obs = (latest / base) ** (1 / elapsed_l) - 1
        cagr_req = (T / base) ** (1 / total_l) - 1
        sdg_level = (cagr_obs / cagr_req).where(base.notna() & (elapsed_l > 0))
    ratio = out["completion"] / out["schedule"]
    out["progress_ratio"] = np.select(
        [lev, cum, ann & ~cmp.isin(CEILING), ann & cmp.isin(CEILING)],
        [sdg_level, ratio, latest / T, T / latest], default=np.nan)
    out["progress_ratio"] = out["progress_ratio"].replace([np.inf, -np.inf], np.nan)
    out["n_points"] = out["n_points"].fillna(0).astype(int)
    out["so_far"] = so_far
    out["so_far_end"] = so_far_end
    out["latest"] = latest
    out["latest_year"] = latest_year
    return out


def progress(rows: pd.DataFrame, facts: pd.DataFrame, m: pd.DataFrame) -> pd.Series:
    """The progress code of every row (see vocabulary.PROGRESS_ZH)."""
    kind = rows["target_kind"]
    T = rows["target_value"].astype(float)
    cmp = rows["comparator"]
    etype = rows["evaluation_type"]
    quant = kind.isin(["annual", "cumulative", "level"])
    ceiling = cmp.isin(CEILING)
    # a value for the base year alone says nothing about progress in the plan period
    has = m["judged_value"].notna() & (m["judged_year"] >= rows["period_start"])
    final = etype.eq(v.EVALUATION_TYPES[1]) & (m["judged_year"] >= rows["period_end"])
    ratio = m["completion"] / m["schedule"]

    meets_now = _meets(m["judged_value"], T, cmp)
    # a reported bound ("65%以上") meets a floor at that bound; "以内" meets a ceiling
    during = pd.Series(np.select(
        [ceiling & meets_now, ceiling & ~meets_now,
         kind.eq("cumulative") & (m["completion"] >= 1), kind.eq("level") & meets_now,
         kind.eq("annual") & meets_now & (m["judged_value"] >= AHEAD_ANNUAL * T),
         kind.eq("annual") & meets_now, kind.eq("annual") & ~meets_now,
         ratio >= v.AHEAD, ratio >= v.ON_TRACK],
        ["below_ceiling", "above_ceiling", "met_early", "met_early", "ahead", "on_track", "behind", "ahead",
         "on_track"], default="behind"), index=rows.index)
    # a partial year behind its seasonal share pulls an annual floor to 滞后于预期
    ytd_behind = kind.eq("annual") & ~ceiling & facts["ytd_value"].notna() & (facts["ytd_value"] < m["ytd_expected"])
    during[ytd_behind & during.isin(["ahead", "on_track"])] = "behind"

    # at the end: the value reached against the target itself (超额 = at least 5% beyond)
    reached = m["judged_value"] / T.where(T != 0)
    at_end = pd.Series(np.select(
        [ceiling & meets_now, ceiling & ~meets_now,
         kind.eq("annual") & meets_now & (m["judged_value"] >= AHEAD_ANNUAL * T), kind.eq("annual") & meets_now,
         kind.eq("annual"),
         meets_now & (reached >= v.EXCEEDED) & cmp.isin([">=", ">"]) & _exact(rows, facts),
         meets_now, reached >= v.NEARLY_MET],
        ["met", "missed", "exceeded", "met", "missed", "exceeded", "met", "nearly_met"], default="missed"),
        index=rows.index)

    code = pd.Series("no_data", index=rows.index)
    code[quant & has] = during[quant & has]
    code[quant & has & final] = at_end[quant & has & final]
    qual = ~quant
    reported_done = facts["status"].notna() & (facts["status"].eq("完成") | facts["status"].eq(rows["target_text"]))
    code[qual] = "pending"
    code[qual & final & reported_done] = "met"
    baseline = etype.eq(v.EVALUATION_TYPES[2])
    code[baseline & quant] = feasibility(rows, facts)[baseline & quant]
    return code


#: For an annual floor, every year at least this far above the bound counts as 快于预期.
AHEAD_ANNUAL = 1.05


def _exact(rows: pd.DataFrame, facts: pd.DataFrame) -> pd.Series:
    """超额完成 needs an exact figure: a reported "65%以上" shows the bound was met, not beaten."""
    bound = facts["total_comparator"].isin([">=", "<="]) | facts["stock_comparator"].isin([">=", "<="])
    return ~bound


def feasibility(rows: pd.DataFrame, facts: pd.DataFrame) -> pd.Series:
    """At a new plan's base year: the pace the target needs against the pace of the last plan."""
    kind = rows["target_kind"]
    T = rows["target_value"].astype(float)
    span = (rows["period_end"] - rows["period_start"] + 1).astype(float)
    past_pace = (facts["prev_total"] / facts["prev_years"]).where(facts["prev_total"].notna(), facts["base_value"])
    need = np.select([kind.eq("annual"), kind.eq("cumulative")], [T, T / span], default=np.nan)
    base_level = facts["base_value"].where(facts["base_value"].notna(),
                                           facts["stock_value"].where(facts["stock_year"].eq(rows["base_year"])))
    ratio = pd.Series(np.where(kind.eq("level"), T / base_level, need / past_pace), index=rows.index)
    ceiling = rows["comparator"].isin(CEILING)
    ratio = ratio.where(~ceiling, 1 / ratio)
    code = pd.Series(np.select([ratio > v.AMBITIOUS, ratio >= v.IN_LINE, ratio < v.IN_LINE],
                               ["ambitious", "in_line", "prudent"], default="no_data"), index=rows.index)
    return code.where(ratio.notna(), "no_data")


def feasibility_ratio(rows: pd.DataFrame, facts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The required pace and the past pace behind ``feasibility`` (for the explanation)."""
    kind = rows["target_kind"]
    T = rows["target_value"].astype(float)
    span = (rows["period_end"] - rows["period_start"] + 1).astype(float)
    past = (facts["prev_total"] / facts["prev_years"]).where(facts["prev_total"].notna(), facts["base_value"])
    need = pd.Series(np.select([kind.eq("annual"), kind.eq("cumulative")], [T, T / span], default=np.nan),
                     index=rows.index)
    return need, past


def outlook(rows: pd.DataFrame, prob: pd.Series, progress_code: pd.Series) -> pd.Series:
    """The outlook code from the probability of meeting the target; empty once a plan has ended."""
    code = pd.Series(np.select([prob >= v.LIKELY, prob >= v.POSSIBLE, prob.notna()],
                               ["likely", "possible", "unlikely"], default="uncertain"), index=rows.index)
    quant = rows["target_kind"].isin(["annual", "cumulative", "level"])
    code[~quant] = ""
    code[rows["evaluation_type"].isin([v.EVALUATION_TYPES[1], v.EVALUATION_TYPES[2]])] = ""
    code[progress_code.eq("no_data")] = ""
    return code
