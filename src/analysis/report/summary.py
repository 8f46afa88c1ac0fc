"""The plan's verdict in the words published evaluations use, every count with its denominator.

"9项主要指标中，2项快于预期（新增就业岗位、职业技能培训）；其余7项暂无法判断……待补充后再作结论。"
Targets with 数据暂缺 or 待填报 are never counted as verdicts: they are the remainder of the
denominator, named, with why they cannot be judged. A statement that nothing lags appears only
when every target was judged. Attributes (约束性 / 预期性) are stated where the plan gives them.
"""

from __future__ import annotations

import pandas as pd

from analysis.vocabulary import BASELINE, FINAL, MIDTERM

UNJUDGED = ("no_data", "pending")
#: Judged as far as the data allow, but no verdict: 无法考核 (the series stopped) and 难以判断
#: (one point, nothing to compare): counted with the remainder, with their reason, never as verdicts.
NO_VERDICT = ("unassessable", "undetermined")
#: Verdict groups per evaluation type: (label, codes), good before bad.
GROUPS = {
    MIDTERM: [
        ("提前实现", ("met_early",)),
        ("快于预期", ("ahead",)),
        ("基本符合预期", ("on_track",)),
        ("低于预期控制目标", ("below_ceiling",)),
        ("滞后于预期", ("behind",)),
        ("高于预期控制目标", ("above_ceiling",)),
        ("定性评估", ("qualitative",)),
    ],
    FINAL: [
        ("超额完成", ("exceeded",)),
        ("完成", ("met",)),
        ("未完成", ("missed",)),
        ("定性评估", ("qualitative",)),
    ],
    BASELINE: [
        ("目标积极", ("ambitious",)),
        ("与既往持平", ("in_line",)),
        ("目标稳妥", ("prudent",)),
        ("定性评估", ("qualitative",)),
    ],
}
LAGGING = ("behind", "above_ceiling", "missed")
GOOD_MIDTERM = ("met_early", "ahead", "on_track", "below_ceiling")
#: Outlook codes in plain words (probabilities stay in the table and the appendix).
OUTLOOK_PLAIN = {
    "likely": "按现有趋势有较大把握如期实现",
    "possible": "按现有趋势基本可以实现",
    "unlikely": "按现有趋势按期实现存在困难",
    "uncertain": "数据点过少，趋势难以判断",
}


def names(frame: pd.DataFrame) -> str:
    return "、".join(frame["name"])


def evaluation_type(ev: pd.DataFrame) -> str:
    types = ev["evaluation_type"].dropna().unique()
    return str(types[0]) if len(types) else MIDTERM


def unjudged(ev: pd.DataFrame) -> pd.DataFrame:
    """Targets whose data or materials are still owed: 数据暂缺 or 待填报."""
    return ev[ev["progress"].isin(UNJUDGED)]


def without_verdict(ev: pd.DataFrame) -> pd.DataFrame:
    """Targets with no verdict: the owed ones and those the data cannot decide (无法考核, 难以判断)."""
    return ev[ev["progress"].isin(UNJUDGED + NO_VERDICT)]


def judged(ev: pd.DataFrame) -> pd.DataFrame:
    """Targets with a verdict."""
    return ev[~ev["progress"].isin(UNJUDGED + NO_VERDICT)]


def _reason(frame: pd.DataFrame) -> str:
    """Why the unjudged cannot be judged, grouped: data not yet available vs. materials not yet filled."""
    parts = []
    no_data = frame[frame["progress"] == "no_data"]
    pending = frame[frame["progress"] == "pending"]
    if "unjudged_reason" in frame.columns:
        stated = no_data[no_data["unjudged_reason"].fillna("").ne("")]
        for reason, group in stated.groupby("unjudged_reason", sort=False):
            # a feasibility judgement (基期评估) is not an assessment (考核) of what was done
            outcome = "暂无法判断" if (group["evaluation_type"] == BASELINE).all() else "暂无法考核"
            parts.append(f"{len(group)}项因{reason}{outcome}（{names(group)}）")
        no_data = no_data[no_data["unjudged_reason"].fillna("").eq("")]
    if len(no_data):
        parts.append(f"{len(no_data)}项截至评估时点尚无可用数据（{names(no_data)}）")
    if "unjudged_reason" in frame.columns:  # owed for a reason of its own (two price bases)
        own = pending["unjudged_reason"].fillna("待责任部门填报")
        for reason, group in pending[~own.str.endswith("待责任部门填报")].groupby(own, sort=False):
            parts.append(f"{len(group)}项因{reason}暂无法判断（{names(group)}）")
        pending = pending[own.str.endswith("待责任部门填报")]
    if len(pending):
        parts.append(f"{len(pending)}项为定性或需责任部门填报评估材料的指标，材料尚未报送（{names(pending)}）")
    reasons = frame["unjudged_reason"] if "unjudged_reason" in frame.columns else pd.Series(None, frame.index)
    for code, outcome in (("unassessable", "无法考核"), ("undetermined", "暂难判断")):
        decided = frame["progress"] == code
        for reason, group in frame[decided].groupby(reasons[decided], sort=False, dropna=False):
            because = f"因{reason}，" if isinstance(reason, str) and reason else ""
            parts.append(f"{len(group)}项{because}{outcome}（{names(group)}）")
    return "，".join(parts)


def _verdicts(frame: pd.DataFrame, etype: str) -> list[str]:
    pieces = []
    for label, codes in GROUPS.get(etype, GROUPS[MIDTERM]):
        sub = frame[frame["progress"].isin(codes)]
        if len(sub):
            pieces.append(f"{len(sub)}项{label}（{names(sub)}）")
    known = [c for _, codes in GROUPS.get(etype, []) for c in codes] + list(UNJUDGED + NO_VERDICT)
    other = frame[~frame["progress"].isin(known)]
    for label, sub in other.groupby("progress_zh", sort=False):
        pieces.append(f"{len(sub)}项{label}（{names(sub)}）")
    return pieces


def count_sentence(ev: pd.DataFrame, label: str = "主要") -> str:
    """'N项主要指标中，A项快于预期（…）；其余M项暂无法判断：…，待补充后再作结论。'"""
    etype = evaluation_type(ev)
    done, rest = judged(ev), without_verdict(ev)
    head = f"{len(ev)}项{label}指标中，"
    # only what is owed can be supplied later; a series that stopped will not be
    later = "，待补充后再作结论" if len(unjudged(rest)) else ""
    if done.empty:
        return head + f"尚无可作判断的指标：{_reason(rest)}{later}。"
    text = head + "，".join(_verdicts(done, etype))
    if len(rest):
        text += f"；其余{len(rest)}项暂无法判断：{_reason(rest)}{later}"
    return text + "。"


def attribute_sentence(ev: pd.DataFrame) -> str:
    """Counts by 约束性 / 预期性 where the plan states them; says how many carry no attribute."""
    stated = ev[ev["attribute"].isin(["约束性", "预期性"])]
    if stated.empty:
        return "规划文件未标注指标属性（约束性、预期性）。"
    parts = []
    for attr in ("约束性", "预期性"):
        sub = ev[ev["attribute"] == attr]
        if len(sub):
            parts.append(count_sentence(sub, attr).rstrip("。"))
    text = "；".join(parts) + "。"
    missing = ev[~ev["attribute"].isin(["约束性", "预期性"])]
    if len(missing):
        text += f"另有{len(missing)}项指标文件未标注属性。"
    return text


def verdict(ev: pd.DataFrame) -> str:
    """The overall verdict in prose, claiming no more than the judged targets show."""
    etype = evaluation_type(ev)
    done, rest = judged(ev), without_verdict(ev)
    n = len(ev)
    if done.empty:
        return (
            f"本规划{n}项主要指标截至评估时点均无可用数据或评估材料，尚不能对规划实施情况作出总体判断；"
            "本报告列明所需数据和材料及其责任部门，待补充后再作结论。"
        )
    lag = done[done["progress"].isin(LAGGING)]
    quant = f"从可判断的{len(done)}项指标看" if len(rest) else f"{n}项主要指标均可判断，"
    if etype == FINAL:
        ok = done[done["progress"].isin(("exceeded", "met"))]
        core = f"{quant}，{len(ok)}项完成或超额完成目标" if len(rest) else f"{quant}{len(ok)}项完成或超额完成目标"
        if lag.empty and not len(rest):
            core += "，规划主要目标全面完成"
        elif lag.empty:
            core += "，未发现未完成的指标"
        else:
            core += f"，{len(lag)}项未完成（{names(lag)}）"
    elif etype == BASELINE:
        core = (
            (f"{quant}，" if len(rest) else quant)
            + "对照上一规划期实际水平，"
            + "，".join(p.split("（")[0] for p in _verdicts(done, etype))
        )
    else:
        ok = done[done["progress"].isin(GOOD_MIDTERM)]
        core = (f"{quant}，" if len(rest) else quant) + f"{len(ok)}项基本符合或快于预期"
        if lag.empty and not len(rest):
            core += "，全部指标均未滞后于预期，规划实施总体顺利"
        elif lag.empty:
            core += "，可判断的指标中没有滞后于预期的"
        else:
            core += f"，{len(lag)}项滞后于预期（{names(lag)}），需加大推进力度"
    if len(unjudged(rest)):
        core += f"；另有{len(rest)}项暂无法判断，总体结论待数据和材料补充后作出"
    elif len(rest):  # nothing owed: the data cannot decide these, and will not later
        core += f"；另有{len(rest)}项无法判断（{names(rest)}），原因见下文"
    return core + "。"


def outlook_sentence(ev: pd.DataFrame) -> str:
    """Where a projection exists, what it says, in plain words (no probabilities)."""
    parts = []
    for code, words in OUTLOOK_PLAIN.items():
        sub = ev[ev["outlook"] == code]
        if len(sub) and code != "uncertain":
            parts.append(f"{names(sub)}{words}")
    return ("；".join(parts) + "。") if parts else ""


def no_lag_statement(ev: pd.DataFrame) -> str | None:
    """The clean bill of health, only when every target was judged (none 数据暂缺, 待填报 or
    无法考核) and none lags."""
    if ev.empty or len(without_verdict(ev)):
        return None
    if ev["progress"].isin(LAGGING).any() or ev["outlook"].isin(["unlikely"]).any():
        return None
    return f"{len(ev)}项主要指标均已作出判断，没有滞后于预期或可能难以实现的指标。"


def summary_zh(ev: pd.DataFrame) -> str:
    """Counts with their denominators, then the attributes: the replacement of the engine's summary."""
    if ev.empty:
        return "本规划的主要目标指标尚未录入。"
    return count_sentence(ev) + attribute_sentence(ev)
