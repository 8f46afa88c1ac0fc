"""The words Chinese plan evaluations use, and the thresholds that choose between them.

Every judgement has an English code (for programs) and its Chinese term (for reports).
The thresholds live here, once; ``docs/methodology.md`` states them in prose.
"""

from __future__ import annotations

PROGRESS_ZH: dict[str, str] = {
    # during a plan
    "met_early": "提前实现",
    "ahead": "快于预期",
    "on_track": "基本符合预期",
    "behind": "滞后于预期",
    "below_ceiling": "低于预期控制目标",
    "above_ceiling": "高于预期控制目标",
    # at or after the plan's end
    "exceeded": "超额完成",
    "met": "完成",
    "missed": "未完成",
    # at the end, where the series stopped before it or the figure stated cannot decide
    "unassessable": "无法考核",
    # at the base year of a new plan: the target against the pace of the previous plan
    "ambitious": "目标积极",
    "in_line": "与既往持平",
    "prudent": "目标稳妥",
    # no judgement from numbers
    "undetermined": "难以判断",  # one point and no base value, or a bound that decides nothing
    "no_data": "数据暂缺",
    "qualitative": "定性评估",
    "pending": "待填报",
}

OUTLOOK_ZH: dict[str, str] = {
    "likely": "可如期实现",
    "possible": "基本可以实现",
    "unlikely": "可能难以实现",
    "uncertain": "难以判断",
    "": "",
}

#: completion ÷ schedule: at or above AHEAD is 快于预期, at or above ON_TRACK is 基本符合预期.
AHEAD = 1.05
ON_TRACK = 0.95
#: For an annual floor, every year at least AHEAD_ANNUAL × the bound is 快于预期.
AHEAD_ANNUAL = 1.05
#: At a plan's end: an exact figure at or above EXCEEDED × the target is 超额完成; at or above the
#: target 完成; below it 未完成 (never 基本完成: a target is met or it is not).
EXCEEDED = 1.05
#: Required pace ÷ pace achieved in the previous plan: above AMBITIOUS is 目标积极,
#: at or above IN_LINE is 与既往持平, below is 目标稳妥.
AMBITIOUS = 1.05
IN_LINE = 0.95
#: Probability of meeting the target: at or above LIKELY is 可如期实现, at or above POSSIBLE 基本可以实现.
LIKELY = 0.8
POSSIBLE = 0.5
#: A growth is in step with the growth it keeps pace with ("居民收入增长与经济增长基本同步") in a
#: year when it is at most IN_STEP_POINTS percentage points below it (faster also counts).
IN_STEP_POINTS = 1.0
#: Central interval reported with each projection.
INTERVAL = 0.8

#: The kinds of evaluation, by when the cut-off falls in the plan: inside it, at or after its last
#: year, before its first year (a new plan judged for feasibility against its base year).
MIDTERM, FINAL, BASELINE = "中期评估", "期末评估", "基期评估"
EVALUATION_TYPES = (MIDTERM, FINAL, BASELINE)

#: What a judgement rests on (``progress_basis``).
PROGRESS_BASIS = ("data", "document_statement", "assessment", "derived", "none")
