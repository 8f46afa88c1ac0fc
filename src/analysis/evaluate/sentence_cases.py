"""The engine's sentences as a table: for each piece of a sentence, its cases in order, each a
condition and a template. Changing a wording means editing one template here; ``explain.py``
renders the table column-wise and holds no wording.

How a piece is chosen
    ``PIECES[name]`` is a list of ``(condition, template)``. For each row the first case whose
    condition holds gives the template; a row that fits no case is an error (every list ends
    with ``ALWAYS``). The three pieces the engine writes are ``latest_display``,
    ``unjudged_reason`` and ``explanation_zh`` (in that order: each may read the ones before it);
    every other piece is part of one of those.

Conditions (combined with ``&``, ``|`` and ``~``)
    ``is_(column, *values)``   the row's value is one of ``values``; the short forms name their
                               column: ``progress``, ``kind`` (``target_kind``), ``comparator``,
                               ``latest_comparator``, ``outlook``, ``evaluation`` (``evaluation_type``)
    ``known(column)``          the value is not missing
    ``flag(column)``           a yes/no column says yes (missing reads no)
    ``Compare(column, op, x)`` a number against a number or another column (``>``, ``>=``, ``==``;
                               missing never holds)
    ``ALWAYS``                 every row

Templates
    Text with slots in braces. ``{column:format}`` is a value of the row, written by its format:

    ``text``          the value as it stands (``{status:text}``)
    ``fmt``           a number with its unit, as reports write it (``{target_value:fmt}`` → 50万人次)
    ``pct``           a share as a percentage (``{completion:pct}`` → 62.2%)
    ``int``           a whole number, e.g. a year (``{target_year:int}`` → 2025); ``int+1`` the next one
    ``note``          a transcribed note, spaces dropped and commas made Chinese
    ``note_undated``  the same without a leading "截至2023年底，"
    a name of ``WORDS``  the value's words from that table (``{comparator:cmp}`` → 不高于)

    ``{name}`` without a format is another piece of ``PIECES``, rendered for the row.

    The columns are those of the evaluation rows, plus ``sentence_year``: the year the value
    spoken of is from (``judged_year``, else the cut-off's ``data_year``). The progress words
    come from ``vocabulary.PROGRESS_ZH`` through the column ``progress_zh``.

After a change, ``EXPECTED_SENTENCES=write pytest tests -k reviewed`` rewrites the reviewed
sentences (``tests/data/expected_sentences.csv``); read its diff (CONTRIBUTING.md, "Changing a
sentence").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from analysis.targets import ASSESSED_KINDS, QUANTITATIVE_KINDS
from analysis.vocabulary import BASELINE, FINAL

__all__ = ["ALWAYS", "FORMATS", "PIECES", "WORDS", "Case", "Compare", "Condition", "Flag", "Is", "Known"]

# -- conditions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A test of a row; the renderer evaluates it over all rows at once (and once per render)."""

    def __and__(self, other: Condition) -> Condition:
        return All(self, other)

    def __or__(self, other: Condition) -> Condition:
        return AnyOf(self, other)

    def __invert__(self) -> Condition:
        return Not(self)


@dataclass(frozen=True)
class Always(Condition):
    pass


@dataclass(frozen=True)
class Is(Condition):
    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Known(Condition):
    column: str


@dataclass(frozen=True)
class Flag(Condition):
    column: str


@dataclass(frozen=True)
class Compare(Condition):
    column: str
    op: Literal[">", ">=", "=="]
    other: float | str  # a number, or the name of another number column


@dataclass(frozen=True)
class All(Condition):
    left: Condition
    right: Condition


@dataclass(frozen=True)
class AnyOf(Condition):
    left: Condition
    right: Condition


@dataclass(frozen=True)
class Not(Condition):
    inner: Condition


ALWAYS = Always()


def is_(column: str, *values: str) -> Is:
    return Is(column, values)


def progress(*codes: str) -> Is:
    return Is("progress", codes)


def kind(*kinds: str) -> Is:
    return Is("target_kind", kinds)


def comparator(*signs: str) -> Is:
    return Is("comparator", signs)


def latest_comparator(*signs: str) -> Is:
    return Is("latest_comparator", signs)


def outlook(*codes: str) -> Is:
    return Is("outlook", codes)


def evaluation(*types: str) -> Is:
    return Is("evaluation_type", types)


def known(column: str) -> Known:
    return Known(column)


def flag(column: str) -> Flag:
    return Flag(column)


# -- words a template looks up ({column:table}) -------------------------------------------------

WORDS: dict[str, dict[str, str]] = {
    # the target's comparator before its value: 目标为2025年不高于5.5%
    "cmp": {">=": "达到", ">": "超过", "<=": "不高于", "<": "低于", "=": "为", "≈": "约"},
    # a reported bound after its value: 65%以上
    "bound": {">=": "以上", "<=": "以内"},
    # the outlook in plain words (the probability stays in the table and the appendix)
    "outlook_level": {"likely": "有较大把握实现目标", "possible": "基本可以实现目标", "unlikely": "实现目标难度较大"},
    "outlook_annual": {
        "likely": "今后各年有较大把握达到目标",
        "possible": "今后各年基本可以达到目标",
        "unlikely": "今后各年均达到目标难度较大",
    },
}

#: The formats a slot may name besides a table of ``WORDS``.
FORMATS = ("text", "fmt", "pct", "int", "int+1", "note", "note_undated")

# -- the table --------------------------------------------------------------------------------

Case: TypeAlias = tuple[Condition, str]

PENDING = progress("pending")
#: measured against the schedule (序时进度)
ON_SCHEDULE = progress("ahead", "on_track", "behind")
#: a new plan's target against the pace of the previous one
FEASIBILITY = progress("ambitious", "in_line", "prudent")
BOUND = latest_comparator(">=", "<=")
SERIES = known("year_series")  # a year series is only made from two or more years
STOPPED = flag("series_stopped")
#: a figure the document states (a bound, or words such as 动态为零) rather than a data point
STATED = flag("from_stock") & (BOUND | flag("stock_words"))
EVERY_YEAR_MET = progress("ahead", "on_track", "exceeded", "met", "below_ceiling")
LATE = Compare("data_lag_years", ">", 0) & ~evaluation(FINAL)

PIECES: dict[str, list[Case]] = {
    # -- the latest value as a table shows it (empty: none) -----------------------------------
    "latest_display": [
        (~kind(*QUANTITATIVE_KINDS) & known("status") & progress("met"), "{status:text}"),
        (~kind(*QUANTITATIVE_KINDS), ""),
        (flag("from_stock") & flag("stock_words"), "{stock_text:text}"),
        (known("latest_value") & BOUND, "{latest_value:fmt}{latest_comparator:bound}"),
        (known("latest_value"), "{latest_value:fmt}"),
        (ALWAYS, ""),
    ],
    # -- why a target has no judgement from numbers (empty: it has one) -------------------------
    "unjudged_reason": [
        (PENDING & kind("qualitative"), "尚无评估材料，待责任部门填报"),
        (PENDING & kind("unparsed"), "目标表述未能自动识别，待核定目标值"),
        (PENDING, "目标值由上级部门设定，尚无评估材料，待责任部门填报"),
        (
            progress("unassessable", "undetermined", "no_data") & STOPPED & known("break_note"),
            "{break_note:note_undated}",
        ),
        (
            progress("unassessable", "undetermined") & BOUND,
            "报告值“{latest_display:text}”为区间值，不足以判断是否达到目标",
        ),
        (
            progress("undetermined") & evaluation(BASELINE),
            "仅有基期{judged_year:int}年一个数据点，缺少此前年份的数据，无法比较目标所需的年均变化与既往变化",
        ),
        (progress("undetermined"), "仅有{judged_year:int}年一个数据点，且缺少基期值，无法衡量进度"),
        (
            progress("no_data") & evaluation(FINAL) & known("judged_value"),
            "{judged_year:int+1}—{period_end:int}年数据暂缺",
        ),
        # a new plan at its base year is judged against the plan before it, not its own years
        (progress("no_data") & evaluation(BASELINE), "缺少基期及上一规划期的数据"),
        (progress("no_data"), "截至{data_year:int}年底尚无规划期内的数据"),
        (ALWAYS, ""),
    ],
    # -- the sentence of every target ------------------------------------------------------------
    "explanation_zh": [
        (PENDING & kind("qualitative"), "定性目标，尚无评估材料，待责任部门填报。"),
        (PENDING & kind("unparsed"), "目标表述未能自动识别，待核定目标值后评估。"),
        (PENDING, "目标值由上级部门设定，尚无评估材料，待责任部门填报。"),
        (progress("qualitative"), "定性评估：{assessment:text}。"),
        (kind(*ASSESSED_KINDS), "规划文件报告完成情况为“{status:text}”，{progress_zh:text}。"),
        (progress("no_data") & ~known("judged_value"), "{unjudged_reason:text}，数据暂缺，待补充后再作判断。"),
        (
            progress("undetermined") & evaluation(BASELINE),
            "目标为{target_year:int}年{comparator:cmp}{target_value:fmt}，基期水平为{base_level:fmt}；{unjudged_reason:text}，暂难判断目标的积极程度。",
        ),
        (
            FEASIBILITY & kind("level"),
            "目标为{target_year:int}年{comparator:cmp}{target_value:fmt}，基期水平为{base_level:fmt}，{progress_zh:text}。",
        ),
        (
            FEASIBILITY,
            "目标要求年均约{required_per_year:fmt}，上一规划期年均约{past_pace:fmt}{previous_plan}，{progress_zh:text}。",
        ),
        # the value against the target, the verdict, the data's delay; the outlook, a data note
        (STATED, "{statement}{verdict}{data_lag}。{outlook_sentence}{note}"),
        (kind("cumulative"), "{cumulative}{verdict}{data_lag}。{outlook_sentence}{note}"),
        (kind("annual"), "{annual}{verdict}{data_lag}。{outlook_sentence}{note}"),
        (ALWAYS, "{level}{verdict}{data_lag}。{outlook_sentence}{note}"),
    ],
    "previous_plan": [
        (known("prev_total"), "（上一规划期{prev_years:int}年累计{prev_total:fmt}）"),
        (ALWAYS, ""),
    ],
    # -- the value against the target, by kind (before the verdict) -----------------------------
    "statement": [
        (ALWAYS, "规划文件报告{sentence_year:int}年末为“{latest_display:text}”，目标为“{target_text:text}”"),
    ],
    "cumulative": [
        (
            ALWAYS,
            "{cumulative_total}{judged_value:fmt}{latest_comparator:bound}{year_flows}{part_year}{share_of_target}{cumulative_schedule}",
        ),
    ],
    "cumulative_total": [
        (evaluation(FINAL) & Compare("judged_year", ">=", "period_end"), "规划期内累计完成"),
        (ALWAYS, "截至{sentence_year:int}年底累计完成"),
    ],
    "year_flows": [(SERIES, "（{year_series:text}）"), (ALWAYS, "")],
    "part_year": [
        (flag("ytd_used"), "（含{sentence_year:int+1}年1—{ytd_month:int}月{ytd_value:fmt}）"),
        (ALWAYS, ""),
    ],
    "share_of_target": [
        (known("completion"), "，为目标（{target_value:fmt}）的{completion:pct}"),
        (ALWAYS, "，目标为{target_value:fmt}"),
    ],
    "cumulative_schedule": [(ON_SCHEDULE, "，同期序时进度为{schedule:pct}"), (ALWAYS, "")],
    "annual": [(ALWAYS, "{annual_values}{annual_extreme}{annual_target}{annual_part_year}")],
    "annual_values": [(SERIES, "{year_series:text}"), (ALWAYS, "{sentence_year:int}年为{latest:fmt}")],
    "annual_extreme": [
        (SERIES & EVERY_YEAR_MET, "，均达到目标"),
        (SERIES & comparator("<=", "<", "="), "，规划期内最高为{judged_value:fmt}"),
        (SERIES, "，规划期内最低为{judged_value:fmt}"),
        (ALWAYS, ""),
    ],
    "annual_target": [
        (SERIES & EVERY_YEAR_MET, "（{annual_bound}）"),
        (ALWAYS, "，目标为{annual_bound}"),
    ],
    "annual_bound": [
        (comparator("="), "“{target_text:text}”"),
        (comparator("<=", "<"), "每年不高于{target_value:fmt}"),
        (ALWAYS, "每年不低于{target_value:fmt}"),
    ],
    "annual_part_year": [
        (
            known("ytd_value"),
            "；{sentence_year:int+1}年1—{ytd_month:int}月为{ytd_value:fmt}，按往年同期占比应达到约{ytd_expected:fmt}",
        ),
        (ALWAYS, ""),
    ],
    "level": [
        (
            ALWAYS,
            "{level_values}{latest_comparator:bound}{level_base}，目标为{target_year:int}年{comparator:cmp}{target_value:fmt}{level_schedule}",
        ),
    ],
    "level_values": [(SERIES, "{year_series:text}"), (ALWAYS, "{sentence_year:int}年为{judged_value:fmt}")],
    "level_base": [(known("base_value"), "（基期{base_year:int}年为{base_value:fmt}）"), (ALWAYS, "")],
    "level_schedule": [
        (ON_SCHEDULE, "，完成进度{completion:pct}，同期序时进度为{schedule:pct}"),
        (ALWAYS, ""),
    ],
    # -- the verdict, the clock of the data, the outlook and the data note ------------------------
    "verdict": [
        (known("unjudged_reason") & progress("no_data"), "；{unjudged_reason:text}，待补充后再作结论"),
        (known("unjudged_reason") & ~ON_SCHEDULE, "；{unjudged_reason:text}，{progress_zh:text}"),
        (ALWAYS, "，{progress_zh:text}"),
    ],
    "data_lag": [(LATE, "；{lag_years}年数据待报{lag_schedule}"), (ALWAYS, "")],
    "lag_years": [
        (Compare("data_lag_years", "==", 1), "{judged_year:int+1}"),
        (ALWAYS, "{judged_year:int+1}—{data_year:int}"),
    ],
    "lag_schedule": [
        (
            kind("cumulative", "level") & known("time_progress") & ON_SCHEDULE,
            "（评估时点序时进度为{time_progress:pct}）",
        ),
        (ALWAYS, ""),
    ],
    "outlook_sentence": [
        (outlook(""), ""),
        (outlook("uncertain"), "{outlook_uncertain}"),
        (kind("annual"), "按现有趋势，{outlook:outlook_annual}。"),
        (ALWAYS, "按现有趋势，{target_year:int}年{outlook:outlook_level}。"),
    ],
    "outlook_uncertain": [
        (STOPPED & known("break_note"), "{break_note:note_undated}，无法预判{target_year:int}年能否实现目标。"),
        (
            known("segment_start") & Compare("n_points", ">", 0),
            "{segment_start:int}年起统计口径变化，此前数据不可比，可比年度数据仅{n_points:int}个，尚不足以预判{target_year:int}年能否实现目标。",
        ),
        (Compare("n_points", ">", 0), "可比年度数据仅{n_points:int}个，尚不足以预判{target_year:int}年能否实现目标。"),
        (ALWAYS, "现有数据尚不足以预判{target_year:int}年能否实现目标。"),
    ],
    # a stopped series has its note as the reason already
    "note": [(known("break_note") & ~STOPPED, "（注：{break_note:note}）"), (ALWAYS, "")],
}
