"""The evaluation engine: every target judged at a cut-off, projected, and explained.

``evaluate(frames)`` takes the processed datasets and returns one row per (evaluation of a
plan for a region) × target: completion against schedule, the progress judgement
(进度判断), a projection with an 80% interval and the probability of meeting the target, the
outlook (趋势判断), the Open SDG / Eurostat progress ratio beside ours, and one Chinese
sentence. Same inputs, same output, byte for byte. Pure functions over frames: no plotting,
no notebooks, no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.evaluate import vocabulary as v
from analysis.evaluate.asof import evaluation_rows, known_observations
from analysis.evaluate.explain import explanation
from analysis.evaluate.judgement import feasibility_ratio, measure, outlook, progress
from analysis.evaluate.projection import project
from analysis.evaluate.series import row_facts

__all__ = ["evaluate", "summary_zh"]

OUTPUT_COLUMNS = [
    "plan_id", "region", "indicator_id", "evaluation_id", "as_of", "annual_cutoff", "monthly_cutoff",
    "evaluation_type", "seq", "name", "unit", "attribute", "target_kind", "comparator", "target_value", "target_year",
    "progress", "progress_zh", "outlook", "outlook_zh", "completion", "schedule", "required_pace", "latest_value",
    "latest_year", "base_value", "projected_value", "projected_low", "projected_high", "prob_meet", "progress_ratio",
    "method", "n_points", "data_note", "explanation_zh",
]


def evaluate(frames: dict[str, pd.DataFrame], as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Judge every target of every evaluated plan at its cut-offs (or at ``as_of``)."""
    rows = evaluation_rows(frames, as_of)
    known = known_observations(rows, frames["observations"])
    facts = row_facts(rows, known)
    m = measure(rows, facts)
    proj = project(rows, facts, m["so_far"], m["so_far_end"])
    # a cumulative target whose data stop early is projected from its flows, but judged as reported
    code = progress(rows, facts, m)
    quant = rows["target_kind"].isin(["annual", "cumulative", "level"])
    out = pd.concat([rows, facts.drop(columns=["status"]).add_prefix("f_"), m, proj], axis=1)
    out["status"] = facts["status"]
    out["break_note"] = facts["break_note"]
    out["ytd_value"] = facts["ytd_value"]
    out["ytd_month"] = facts["ytd_month"]
    out["base_value"] = facts["base_value"]
    out["prev_total"] = facts["prev_total"]
    out["prev_years"] = facts["prev_years"]
    need, past = feasibility_ratio(rows, facts)
    out["required_per_year"] = need
    out["past_pace"] = past
    out["base_level"] = facts["base_value"].where(facts["base_value"].notna(), facts["stock_value"])
    out["judged_comparator"] = facts["stock_comparator"].where(m["judged_year"].eq(facts["stock_year"]),
                                                               facts["total_comparator"])
    out["ytd_used"] = (m["so_far_end"].eq(rows["data_year"]) & facts["ytd_value"].notna()).astype(int)

    assessed = _assessments(rows, frames.get("assessments"))
    out["assessment"] = assessed
    code = code.where(quant | assessed.isna(), "qualitative")
    out["progress"] = code
    out["outlook"] = outlook(rows, proj["prob_meet"], code)
    # no judgement from numbers: no numbers either
    baseline = out["evaluation_type"].eq(v.EVALUATION_TYPES[2])
    blank = ~quant | code.eq("no_data") | baseline
    for col in ("completion", "schedule", "required_pace", "projected_value", "projected_low", "projected_high",
                "prob_meet", "progress_ratio"):
        out.loc[blank, col] = np.nan
    no_projection = out["outlook"].isin(["", "uncertain"])
    for col in ("projected_value", "projected_low", "projected_high", "prob_meet"):
        out.loc[no_projection, col] = np.nan
    out["progress_zh"] = out["progress"].map(v.PROGRESS_ZH)
    out["outlook_zh"] = out["outlook"].map(v.OUTLOOK_ZH)
    out["latest_value"] = out["judged_value"]
    out["latest_year"] = out["judged_year"]
    out["method"] = _method(out)
    out["data_note"] = facts["break_note"]
    out["explanation_zh"] = [explanation(r) for _, r in out.iterrows()]
    result = out[OUTPUT_COLUMNS].sort_values(["plan_id", "region", "evaluation_id", "seq"], kind="stable")
    return result.reset_index(drop=True)


def _assessments(rows: pd.DataFrame, assessments: pd.DataFrame | None) -> pd.Series:
    """For each row, the assessments entered for its target, as one Chinese phrase
    ("第三方评估：已完成；就业科自评：基本符合预期"), only those filled by the cut-off."""
    empty = pd.Series(np.nan, index=rows.index, dtype="object")
    if assessments is None or assessments.empty:
        return empty
    a = assessments[assessments["item_type"] == "indicator"].copy()
    a["phrase"] = np.where(a["assessor"].eq("第三方"), "第三方评估", a["department"] + "自评") + "：" + a["progress"]
    a["phrase"] = a["phrase"] + a["progress_detail"].map(lambda t: f"（{t}）" if isinstance(t, str) else "")
    keyed = rows[["plan_id", "indicator_id", "as_of"]].reset_index(names="row")
    joined = keyed.merge(a, left_on=["plan_id", "indicator_id"], right_on=["plan_id", "item_id"])
    joined = joined[joined["filled_on"].isna() | (joined["filled_on"] <= joined["as_of"] + pd.Timedelta(days=366))]
    phrases = joined.sort_values(["assessor", "department"]).groupby("row")["phrase"].agg("；".join)
    return phrases.reindex(rows.index)


def _method(out: pd.DataFrame) -> pd.Series:
    kind = out["target_kind"]
    base = pd.Series(np.select(
        [kind.eq("cumulative"), kind.eq("annual"), kind.eq("level"), out["progress"].eq("met") & ~kind.isin(
            ["annual", "cumulative", "level"]), out["progress"].eq("qualitative")],
        ["累计完成量÷目标，对照时间进度", "逐年对照年度目标", "现值对照基期至目标的线性路径", "规划文件自评",
         "填报的评估材料"],
        default="定性评估"), index=out.index)
    proj = pd.Series(np.select(
        [out["prob_meet"].isna(), kind.eq("cumulative"), kind.eq("annual"), kind.eq("level")],
        ["", "；预测：年度增量均值外推，t分布80%区间", "；预测：年度值均值，逐年达标概率连乘", "；预测：线性趋势外推，最小二乘预测区间"],
        default=""), index=out.index)
    baseline = out["evaluation_type"].eq(v.EVALUATION_TYPES[2]) & kind.isin(["annual", "cumulative", "level"])
    base[baseline] = "目标所需进度对照上一规划期实际进度"
    return base + proj


def summary_zh(evaluations: pd.DataFrame) -> str:
    """The plan's summary in the style of published reviews:
    "N项主要指标中，X项基本符合或快于预期，其中Y项提前实现；Z项滞后于预期。"
    split by 约束性 / 预期性 where the plan states attributes. Counts of zero are left out."""
    parts = [_summary_one(evaluations, "主要")]
    for attr in ("约束性", "预期性"):
        sub = evaluations[evaluations["attribute"] == attr]
        if len(sub):
            parts.append(_summary_one(sub, attr))
    return "；".join(parts) + "。"


def _summary_one(frame: pd.DataFrame, label: str) -> str:
    p = frame["progress"]
    n = lambda *codes: int(p.isin(codes).sum())  # noqa: E731
    etype = frame["evaluation_type"]
    if etype.eq(v.EVALUATION_TYPES[1]).all():
        groups = [("完成", ("exceeded", "met"), ("超额完成", ("exceeded",))), ("基本完成", ("nearly_met",), None),
                  ("未完成", ("missed",), None)]
    elif etype.eq(v.EVALUATION_TYPES[2]).all():
        groups = [("目标积极", ("ambitious",), None), ("与既往持平", ("in_line",), None), ("目标稳妥", ("prudent",), None)]
    else:
        groups = [("基本符合或快于预期", ("met_early", "ahead", "on_track", "below_ceiling"), ("提前实现", ("met_early",))),
                  ("滞后于预期", ("behind", "above_ceiling"), None)]
    pieces = []
    counted: list[str] = []
    for label_zh, codes, sub in groups:
        counted += codes
        if n(*codes):
            piece = f"{n(*codes)}项{label_zh}"
            if sub and n(*sub[1]):
                piece += f"，其中{n(*sub[1])}项{sub[0]}"
            pieces.append(piece)
    rest = p[~p.isin(counted)].value_counts()
    pieces += [f"{rest[code]}项{v.PROGRESS_ZH[code]}" for code in v.PROGRESS_ZH if code in rest.index]
    return f"{len(frame)}项{label}指标中，" + "，".join(pieces)
