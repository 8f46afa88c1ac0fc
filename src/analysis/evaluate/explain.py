"""One Chinese sentence per target, made from its numbers, in the style of plan evaluations.

"截至2022年底累计完成X万人次，完成目标的Y%，快于预期进度（时间进度Z%）；按现有趋势预计2025年达到
A万人次（80%区间B–C万人次），实现目标的概率约为P%，可如期实现。"
"""

from __future__ import annotations

import math
import numbers

import pandas as pd

from analysis.cn_numbers import COUNT_UNITS
from analysis.evaluate.vocabulary import OUTLOOK_ZH, PROGRESS_ZH

_PHRASE = {
    "met_early": "已提前实现目标",
    "ahead": "快于预期进度",
    "on_track": "基本符合预期进度",
    "behind": "滞后于预期进度",
}


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


def _has(value: object) -> bool:
    """A number that is there (not None, not NaN)."""
    return isinstance(value, numbers.Real) and not math.isnan(float(value))


def pct(share: float | None) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{_trim(share * 100, 1)}%"


def explanation(r: pd.Series) -> str:
    """The sentence for one evaluation row (``r`` holds the row, its facts and its judgement)."""
    unit = r["unit"] if isinstance(r["unit"], str) else None
    T = fmt(r["target_value"], unit)
    code = r["progress"]
    kind = r["target_kind"]
    if code == "pending":
        text = "定性目标，尚无评估材料，待责任部门填报。" if kind == "qualitative" else \
            "目标值由上级部门设定，尚无评估材料，待责任部门填报。"
        return text
    if code == "qualitative":
        return f"定性评估：{r['assessment']}。"
    if kind in ("qualitative", "external"):
        return f"规划文件报告的完成情况为“{r['status']}”，{PROGRESS_ZH[code]}。"
    if code == "no_data":
        return f"截至{int(r['data_year'])}年底尚无可用的公开数据，数据暂缺，无法判断进度。"
    if code in ("ambitious", "in_line", "prudent"):
        return _feasibility(r, unit, T)
    head = _head(r, unit, T)
    if not math.isnan(r["judged_year"]) and r["judged_year"] < r["data_year"]:
        first, last = int(r["judged_year"]) + 1, int(r["data_year"])
        head += f"（{first}年数据暂缺）" if first == last else f"（{first}—{last}年数据暂缺）"
    tail = _projection(r, unit)
    note = f"（注：{r['break_note']}）" if isinstance(r.get("break_note"), str) else ""
    return f"{head}{tail}{note}"


def _head(r: pd.Series, unit: str | None, T: str) -> str:
    code = r["progress"]
    year = int(r["judged_year"]) if not math.isnan(r["judged_year"]) else int(r["data_year"])
    zh = PROGRESS_ZH[code]
    kind = r["target_kind"]
    if kind == "cumulative":
        ytd = ""
        if r.get("ytd_used", 0):
            ytd = f"（含{year + 1}年1—{int(r['ytd_month'])}月{fmt(r['ytd_value'], unit)}）"
        done = fmt(r["judged_value"], unit)
        if code in _PHRASE:
            return (f"截至{year}年底累计完成{done}{ytd}，完成目标（{T}）的{pct(r['completion'])}，"
                    f"{_PHRASE[code]}（时间进度{pct(r['schedule'])}）")
        return f"规划期内累计完成{done}，为目标（{T}）的{pct(r['completion'])}，{zh}"
    if kind == "annual":
        if r["comparator"] == "=":
            bound = f"“{r['target_text']}”"
        else:
            bound = "每年" + ("不高于" if r["comparator"] in ("<=", "<") else "不低于") + T
        latest = f"{year}年为{fmt(r['latest'], unit)}"
        worst = fmt(r["judged_value"], unit)
        if code in ("below_ceiling", "above_ceiling"):
            return f"{latest}，规划期内最高为{worst}，目标为{bound}，{zh}"
        ytd = ""
        if _has(r.get("ytd_value")):
            ytd = (f"；{year + 1}年1—{int(r['ytd_month'])}月为{fmt(r['ytd_value'], unit)}，"
                   f"序时进度要求约{fmt(r['ytd_expected'], unit)}")
        return f"{latest}，规划期内最低为{worst}，目标为{bound}{ytd}，{zh}"
    base = ""
    if _has(r.get("base_value")):
        base = f"（基期{int(r['base_year'])}年为{fmt(r['base_value'], unit)}）"
    target = f"目标为{int(r['target_year'])}年{_cmp_zh(r['comparator'])}{T}"
    if code in _PHRASE and code != "met_early":
        return (f"{year}年为{fmt(r['judged_value'], unit)}{base}，{target}，完成进度{pct(r['completion'])}，"
                f"时间进度{pct(r['schedule'])}，{_PHRASE[code]}")
    return f"{year}年为{fmt(r['judged_value'], unit)}{_bound_zh(r)}{base}，{target}，{zh}"


def _bound_zh(r: pd.Series) -> str:
    """A figure reported as a bound ("65%以上") keeps its bound in the sentence."""
    return {">=": "以上", "<=": "以内", ">": "以上"}.get(r.get("judged_comparator"), "")


def _cmp_zh(comparator: str) -> str:
    return {">=": "达到", ">": "超过", "<=": "不高于", "<": "低于", "=": "为", "≈": "约"}.get(comparator, "")


def _projection(r: pd.Series, unit: str | None) -> str:
    if r["outlook"] == "":
        return "。"
    if r["outlook"] == "uncertain":
        return f"；可用数据点不足（{int(r['n_points'])}个），难以判断趋势。"
    band = f"（80%区间{fmt(r['projected_low'], unit)}–{fmt(r['projected_high'], unit)}）"
    if r["target_kind"] == "annual":
        return (f"；按现有趋势预计今后每年约为{fmt(r['projected_value'], unit)}{band}，"
                f"到{int(r['target_year'])}年各年均达到目标的概率约为{pct(r['prob_meet'])}，{OUTLOOK_ZH[r['outlook']]}。")
    what = "累计达到" if r["target_kind"] == "cumulative" else "达到"
    return (f"；按现有趋势预计{int(r['target_year'])}年{what}{fmt(r['projected_value'], unit)}{band}，"
            f"实现目标的概率约为{pct(r['prob_meet'])}，{OUTLOOK_ZH[r['outlook']]}。")


def _feasibility(r: pd.Series, unit: str | None, T: str) -> str:
    zh = PROGRESS_ZH[r["progress"]]
    if r["target_kind"] == "level":
        return f"目标为{int(r['target_year'])}年{_cmp_zh(r['comparator'])}{T}，基期水平为{fmt(r['base_level'], unit)}，{zh}。"
    prev = ""
    if _has(r.get("prev_total")):
        prev = f"（上一规划期{int(r['prev_years'])}年累计{fmt(r['prev_total'], unit)}）"
    return (f"目标要求年均约{fmt(r['required_per_year'], unit)}，上一规划期年均约{fmt(r['past_pace'], unit)}{prev}，"
            f"{zh}。")
