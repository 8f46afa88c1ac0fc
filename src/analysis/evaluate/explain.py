"""One Chinese sentence per target, made from its numbers, in the style of plan evaluations.

"截至2021年底累计完成118.85万人次，为目标（500万人次）的23.8%，同期序时进度为20%，快于预期；
2022年数据待报（评估时点序时进度为40%）。可比年度数据仅1个，尚不足以预判2025年能否实现目标。"

The words follow published Chinese plan evaluations: one term for the share of time elapsed
(序时进度); the outlook in plain words, never a probability or a distribution's name (those
stay in the table and the appendix); the year series where there is one; a value stated as a
bound shown as the bound; no file names or commands.

``explanations(out)`` writes every row's sentence at once. Rows are sorted into the cases of
the sentence (pending, qualitative, feasibility, cumulative against schedule, …); each case
is assembled column-wise for all of its rows — numbers formatted by array arithmetic
(``analysis.formatting``), pieces concatenated as whole string columns (pandas'
Arrow strings, through ``pyarrow.compute``) — and the cases are put back in row order. No
Python code runs per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.formatting import EMPTY as _EMPTY
from analysis.formatting import STR as _STR
from analysis.formatting import fmt_arrow, once_per_value, pct_arrow, scatter, unit_classes
from analysis.targets import ASSESSED_KINDS, QUANTITATIVE_KINDS
from analysis.vocabulary import BASELINE, FINAL

__all__ = ["explanations", "latest_display", "unjudged_reasons", "write_sentences"]

#: Progress codes measured against the schedule (序时进度).
_PHRASE = ("ahead", "on_track", "behind")
_FEASIBILITY = ("ambitious", "in_line", "prudent")
_CMP_ZH = {">=": "达到", ">": "超过", "<=": "不高于", "<": "低于", "=": "为", "≈": "约"}
_BOUND_ZH = {">=": "以上", "<=": "以内"}
#: The outlook in plain words (the probability stays in the table and the appendix).
_OUTLOOK_LEVEL = {"likely": "有较大把握实现目标", "possible": "基本可以实现目标", "unlikely": "实现目标难度较大"}
_OUTLOOK_ANNUAL = {
    "likely": "今后各年有较大把握达到目标",
    "possible": "今后各年基本可以达到目标",
    "unlikely": "今后各年均达到目标难度较大",
}


# -- assembling strings column by column ---------------------------------------------------------

Part: TypeAlias = pa.Array | str
Builder: TypeAlias = Callable[[np.ndarray], Part]


def _cat(*parts: Part | pa.Scalar) -> Part:
    """Concatenate string columns and constants element-wise."""
    args = [pa.scalar(p, _STR) if isinstance(p, str) else p for p in parts]
    if not any(isinstance(a, pa.Array) for a in args):
        return "".join(a.as_py() for a in args)
    return pc.binary_join_element_wise(*args, _EMPTY)


def _cases(i: np.ndarray, cases: list[tuple[np.ndarray, Builder | str]]) -> pa.Array:
    """Strings for rows ``i``: the first case whose mask (over all rows) holds builds each row.

    Every builder runs once, on all of its rows together.
    """
    left = np.ones(len(i), bool)
    positions, arrays, constant = [], [], None
    for mask, build in cases:
        take = left & mask[i]
        if not take.any():
            continue
        left &= ~take
        where = np.flatnonzero(take)
        part = build(i[where]) if callable(build) else build
        if len(where) == len(i):  # one case for all
            return pa.repeat(pa.scalar(part, _STR), len(i)) if isinstance(part, str) else part
        if isinstance(part, str) and not left.any() and constant is None:
            constant = part  # the rest: one constant
        else:
            positions.append(where)
            arrays.append(pa.repeat(pa.scalar(part, _STR), len(where)) if isinstance(part, str) else part)
    if left.any():
        raise ValueError(f"{int(left.sum())} rows fit no case of the sentence")
    if constant is not None and len(arrays) == 1:  # an optional piece: write it over the constant
        mask = np.zeros(len(i), bool)
        mask[positions[0]] = True
        return pc.replace_with_mask(pa.repeat(pa.scalar(constant, _STR), len(i)), pa.array(mask), arrays[0])
    if constant is not None:
        rest = np.ones(len(i), bool)
        rest[np.concatenate(positions)] = False
        positions.append(np.flatnonzero(rest))
        arrays.append(pa.repeat(pa.scalar(constant, _STR), int(rest.sum())))
    return scatter(positions, arrays, len(i))


class _Columns:
    """The columns a sentence needs, as arrays, to be taken at any set of rows."""

    def __init__(self, out: pd.DataFrame) -> None:
        self.out = out
        self.n = len(out)
        self._num: dict[str, np.ndarray] = {}
        self._text: dict[str, pa.Array] = {}
        self._codes: dict[str, tuple[np.ndarray, dict[str, int]]] = {}
        self.unit_cls, self.unit, self.unit_names = unit_classes(out["unit"])

    def add(self, col: str, values: np.ndarray) -> str:
        """A derived number column, by name."""
        self._num[col] = values
        return col

    def num(self, col: str, i: np.ndarray | slice) -> np.ndarray:
        if col not in self._num:
            self._num[col] = pd.to_numeric(self.out[col]).to_numpy(dtype=np.float64, na_value=np.nan)
        return self._num[col][i]

    def text(self, col: str, i: np.ndarray) -> pa.Array:
        """The column's text; a missing value reads "nan", as Python prints it."""
        if col not in self._text:
            arr = pa.array(self.out[col].astype("str"), from_pandas=True).cast(_STR)
            self._text[col] = pc.fill_null(arr, pa.scalar("nan", _STR))
        return self._text[col].take(pa.array(i))

    def mask(self, col: str, *values: str) -> np.ndarray:
        """Rows whose ``col`` is one of ``values`` (codes of the column, found once)."""
        if col not in self._codes:
            codes, uniques = pd.factorize(self.out[col])
            self._codes[col] = (codes, {u: k for k, u in enumerate(uniques)})
        codes, lookup = self._codes[col]
        wanted = np.zeros(len(lookup) + 1, bool)  # code −1 (missing) reads the last slot: False
        wanted[[lookup[v] for v in values if v in lookup]] = True
        return wanted[codes]

    def notna(self, col: str) -> np.ndarray:
        return self.out[col].notna().to_numpy(dtype=bool)

    def fmt(self, col: str, i: np.ndarray) -> pa.Array:
        return fmt_arrow(self.num(col, i), self.unit_cls[i], self.unit[i], self.unit_names)

    def pct(self, col: str, i: np.ndarray) -> pa.Array:
        return pct_arrow(self.num(col, i))

    def int(self, col: str, i: np.ndarray, plus: int = 0) -> pa.Array:
        """``int(value) + plus`` as text ("—" where the value is missing)."""
        x = self.num(col, i)
        missing = ~np.isfinite(x)
        whole = np.trunc(np.where(missing, 0, x)).astype(np.int64) + plus
        key = np.where(missing, np.iinfo(np.int64).min, whole)  # years: a few distinct texts
        return once_per_value(
            key, lambda at: pc.if_else(pa.array(missing[at]), pa.scalar("—", _STR), pc.cast(pa.array(whole[at]), _STR))
        )

    def lookup(self, col: str, table: dict[str, str], i: np.ndarray) -> pa.Array:
        """``table.get(value, "")`` for each row."""
        keys = list(table)
        codes = pc.index_in(self.text(col, i), value_set=pa.array(keys, _STR))
        words = pa.array([table[k] for k in keys] + [""], _STR)
        return words.take(pc.fill_null(codes, len(keys)))


def _clean_note(col: str, c: _Columns, i: np.ndarray) -> pa.Array:
    """A note as a sentence can quote it: spaces the transcription kept between 年 and digits
    dropped, commas made Chinese ("截至 2023 年底, 2024 年起" → "截至2023年底，2024年起")."""
    text = pc.replace_substring_regex(c.text(col, i), r"\s*[,，]\s*", "，")
    return pc.replace_substring_regex(text, r"\s+", "")


def write_sentences(out: pd.DataFrame) -> None:
    """Add ``latest_display``, ``unjudged_reason`` and ``explanation_zh`` to ``out``, in that order
    (each reads the ones before it). The three share one view of the columns, so each text
    column is coded and each unit classed once, not once per sentence."""
    c = _Columns(out)  # reads ``out`` as it grows: the columns added here are seen by the next step
    out["latest_display"] = latest_display(out, c)
    out["unjudged_reason"] = unjudged_reasons(out, c)
    out["explanation_zh"] = explanations(out, c)


def latest_display(out: pd.DataFrame, columns: _Columns | None = None) -> pd.Series:
    """The latest value as a table shows it: "65%以上", "动态为零", "控制在市政府下达的指标数内",
    "63.51万个"; empty where there is none. A bound keeps its words; a statement its text."""
    c = columns if columns is not None else _Columns(out)
    if c.n == 0:
        return pd.Series([], index=out.index, dtype="str")
    true = np.ones(c.n, bool)
    has_value = c.notna("latest_value")
    stock_words = out["stock_words"].to_numpy(dtype=bool)
    from_stock = out["from_stock"].to_numpy(dtype=bool)
    quant = c.mask("target_kind", *QUANTITATIVE_KINDS)
    text = _cases(
        np.arange(c.n),
        [
            (~quant & c.notna("status") & c.mask("progress", "met"), lambda i: c.text("status", i)),
            (~quant, ""),
            (from_stock & stock_words, lambda i: c.text("stock_text", i)),
            (
                has_value & c.mask("latest_comparator", ">=", "<="),
                lambda i: _cat(c.fmt("latest_value", i), c.lookup("latest_comparator", _BOUND_ZH, i)),
            ),
            (has_value, lambda i: c.fmt("latest_value", i)),
            (true, ""),
        ],
    )
    result = pd.Series(pa.chunked_array([text]).to_pandas().array, index=out.index, name="latest_display")
    return result.mask(result.eq(""))


def unjudged_reasons(out: pd.DataFrame, columns: _Columns | None = None) -> pd.Series:
    """Why a target has no judgement from numbers, in plain Chinese; empty when it has one."""
    c = columns if columns is not None else _Columns(out)
    if c.n == 0:
        return pd.Series([], index=out.index, dtype="str")
    true = np.ones(c.n, bool)
    bound = c.mask("latest_comparator", ">=", "<=")
    has_value = c.notna("judged_value")
    final = c.mask("evaluation_type", FINAL)
    stopped = out["series_stopped"].to_numpy(dtype=bool) & c.notna("break_note")
    text = _cases(
        np.arange(c.n),
        [
            (c.mask("progress", "pending") & c.mask("target_kind", "qualitative"), "尚无评估材料，待责任部门填报"),
            (c.mask("progress", "pending") & c.mask("target_kind", "unparsed"), "目标表述未能自动识别，待核定目标值"),
            (c.mask("progress", "pending"), "目标值由上级部门设定，尚无评估材料，待责任部门填报"),
            (
                c.mask("progress", "unassessable", "undetermined", "no_data") & stopped,
                lambda i: pc.replace_substring_regex(_clean_note("break_note", c, i), r"^截至\d{4}年底，", ""),
            ),
            (
                c.mask("progress", "unassessable", "undetermined") & bound,
                lambda i: _cat("报告值“", c.text("latest_display", i), "”为区间值，不足以判断是否达到目标"),
            ),
            (
                c.mask("progress", "undetermined") & c.mask("evaluation_type", BASELINE),
                lambda i: _cat(
                    "仅有基期",
                    c.int("judged_year", i),
                    "年一个数据点，缺少此前年份的数据，无法比较目标所需的年均变化与既往变化",
                ),
            ),
            (
                c.mask("progress", "undetermined"),
                lambda i: _cat("仅有", c.int("judged_year", i), "年一个数据点，且缺少基期值，无法衡量进度"),
            ),
            (
                c.mask("progress", "no_data") & final & has_value,
                lambda i: _cat(c.int("judged_year", i, plus=1), "—", c.int("period_end", i), "年数据暂缺"),
            ),
            (c.mask("progress", "no_data"), lambda i: _cat("截至", c.int("data_year", i), "年底尚无规划期内的数据")),
            (true, ""),
        ],
    )
    result = pd.Series(pa.chunked_array([text]).to_pandas().array, index=out.index, name="unjudged_reason")
    return result.mask(result.eq(""))


def explanations(out: pd.DataFrame, columns: _Columns | None = None) -> pd.Series:
    """The sentence for every evaluation row (``out`` holds the rows, their facts and judgements).

    Index and order follow ``out``; the result is a column of pandas strings.
    """
    c = columns if columns is not None else _Columns(out)
    if c.n == 0:
        return pd.Series([], index=out.index, dtype="str")
    true = np.ones(c.n, bool)
    pending = c.mask("progress", "pending")
    feasible = c.mask("progress", *_FEASIBILITY)
    phrase = c.mask("progress", *_PHRASE)
    ytd_used = pd.to_numeric(out["ytd_used"]).fillna(0).to_numpy() != 0
    judged_year = c.num("judged_year", slice(None))
    data_year = c.num("data_year", slice(None))
    final = c.mask("evaluation_type", FINAL)
    reason = c.notna("unjudged_reason")
    series = c.notna("year_series")
    several = series  # a year series is only made from two or more years
    stated = out["from_stock"].to_numpy(dtype=bool) & (
        c.mask("latest_comparator", ">=", "<=") | out["stock_words"].to_numpy(dtype=bool)
    )
    stopped = out["series_stopped"].to_numpy(dtype=bool)
    # the year a sentence speaks of: the value's own year, else the cut-off's
    year_col = c.add("sentence_year", np.where(np.isnan(judged_year), data_year, judged_year))

    def target(i: np.ndarray) -> pa.Array:
        return c.fmt("target_value", i)

    def feasibility_level(i: np.ndarray) -> Part:
        return _cat(
            "目标为",
            c.int("target_year", i),
            "年",
            c.lookup("comparator", _CMP_ZH, i),
            target(i),
            "，基期水平为",
            c.fmt("base_level", i),
            "，",
            c.text("progress_zh", i),
            "。",
        )

    def feasibility_pace(i: np.ndarray) -> Part:
        prev = _cases(
            i,
            [
                (
                    c.notna("prev_total"),
                    lambda j: _cat("（上一规划期", c.int("prev_years", j), "年累计", c.fmt("prev_total", j), "）"),
                ),
                (true, ""),
            ],
        )
        return _cat(
            "目标要求年均约",
            c.fmt("required_per_year", i),
            "，上一规划期年均约",
            c.fmt("past_pace", i),
            prev,
            "，",
            c.text("progress_zh", i),
            "。",
        )

    # -- the value against the target, by kind (without the verdict) ----------------------------
    def values(i: np.ndarray, value_col: str) -> pa.Array:
        """The year series where there is one, else the one value judged."""
        return _cases(
            i,
            [
                (series, lambda j: c.text("year_series", j)),
                (true, lambda j: _cat(c.int(year_col, j), "年为", c.fmt(value_col, j))),
            ],
        )

    def statement(i: np.ndarray) -> Part:
        return _cat(
            "规划文件报告",
            c.int(year_col, i),
            "年末为“",
            c.text("latest_display", i),
            "”，目标为“",
            c.text("target_text", i),
            "”",
        )

    def cumulative_head(i: np.ndarray) -> Part:
        ytd = _cases(
            i,
            [
                (
                    ytd_used,
                    lambda j: _cat(
                        "（含",
                        c.int(year_col, j, plus=1),
                        "年1—",
                        c.int("ytd_month", j),
                        "月",
                        c.fmt("ytd_value", j),
                        "）",
                    ),
                ),
                (true, ""),
            ],
        )
        flows = _cases(i, [(several, lambda j: _cat("（", c.text("year_series", j), "）")), (true, "")])
        whole = _cases(
            i,
            [
                (final & (judged_year >= c.num("period_end", slice(None))), "规划期内累计完成"),
                (true, lambda j: _cat("截至", c.int(year_col, j), "年底累计完成")),
            ],
        )
        share = _cases(
            i,
            [
                (c.notna("completion"), lambda j: _cat("，为目标（", target(j), "）的", c.pct("completion", j))),
                (true, lambda j: _cat("，目标为", target(j))),
            ],
        )
        clock = _cases(i, [(phrase, lambda j: _cat("，同期序时进度为", c.pct("schedule", j))), (true, "")])
        return _cat(
            whole, c.fmt("judged_value", i), c.lookup("latest_comparator", _BOUND_ZH, i), flows, ytd, share, clock
        )

    def annual_bound(i: np.ndarray) -> pa.Array:
        return _cases(
            i,
            [
                (c.mask("comparator", "="), lambda j: _cat("“", c.text("target_text", j), "”")),
                (c.mask("comparator", "<=", "<"), lambda j: _cat("每年不高于", target(j))),
                (true, lambda j: _cat("每年不低于", target(j))),
            ],
        )

    def annual_head(i: np.ndarray) -> Part:
        ceiling = c.mask("comparator", "<=", "<", "=")
        every_year = c.mask("progress", "ahead", "on_track", "exceeded", "met", "below_ceiling")
        worst = _cases(
            i,
            [
                (several & every_year, "，均达到目标"),
                (several & ceiling, lambda j: _cat("，规划期内最高为", c.fmt("judged_value", j))),
                (several, lambda j: _cat("，规划期内最低为", c.fmt("judged_value", j))),
                (true, ""),
            ],
        )
        ytd = _cases(
            i,
            [
                (
                    c.notna("ytd_value"),
                    lambda j: _cat(
                        "；",
                        c.int(year_col, j, plus=1),
                        "年1—",
                        c.int("ytd_month", j),
                        "月为",
                        c.fmt("ytd_value", j),
                        "，按往年同期占比应达到约",
                        c.fmt("ytd_expected", j),
                    ),
                ),
                (true, ""),
            ],
        )
        target_text = _cases(
            i,
            [
                (several & every_year, lambda j: _cat("（", annual_bound(j), "）")),
                (true, lambda j: _cat("，目标为", annual_bound(j))),
            ],
        )
        return _cat(values(i, "latest"), worst, target_text, ytd)

    def level_base(i: np.ndarray) -> pa.Array:
        return _cases(
            i,
            [
                (
                    c.notna("base_value"),
                    lambda j: _cat("（基期", c.int("base_year", j), "年为", c.fmt("base_value", j), "）"),
                ),
                (true, ""),
            ],
        )

    def level_head(i: np.ndarray) -> Part:
        clock = _cases(
            i,
            [
                (
                    phrase,
                    lambda j: _cat("，完成进度", c.pct("completion", j), "，同期序时进度为", c.pct("schedule", j)),
                ),
                (true, ""),
            ],
        )
        return _cat(
            values(i, "judged_value"),
            c.lookup("latest_comparator", _BOUND_ZH, i),
            level_base(i),
            "，目标为",
            c.int("target_year", i),
            "年",
            c.lookup("comparator", _CMP_ZH, i),
            target(i),
            clock,
        )

    # -- the verdict, the clock of the data, the outlook and the data note --------------------
    with np.errstate(invalid="ignore"):
        lag = np.nan_to_num(c.num("data_lag_years", slice(None)))
    late = (lag > 0) & ~final
    one_year = lag == 1
    with_clock = c.mask("target_kind", "cumulative", "level") & c.notna("time_progress") & phrase

    def verdict(i: np.ndarray) -> pa.Array:
        return _cases(
            i,
            [
                (
                    reason & c.mask("progress", "no_data"),
                    lambda j: _cat("；", c.text("unjudged_reason", j), "，待补充后再作结论"),
                ),
                (
                    reason & ~c.mask("progress", *_PHRASE),
                    lambda j: _cat("；", c.text("unjudged_reason", j), "，", c.text("progress_zh", j)),
                ),
                (true, lambda j: _cat("，", c.text("progress_zh", j))),
            ],
        )

    def lag_years(i: np.ndarray) -> pa.Array:
        return _cases(
            i,
            [
                (one_year, lambda j: c.int("judged_year", j, plus=1)),
                (true, lambda j: _cat(c.int("judged_year", j, plus=1), "—", c.int("data_year", j))),
            ],
        )

    def lag_clock(i: np.ndarray) -> pa.Array:
        return _cases(
            i, [(with_clock, lambda j: _cat("（评估时点序时进度为", c.pct("time_progress", j), "）")), (true, "")]
        )

    def lag_text(i: np.ndarray) -> pa.Array:
        return _cases(i, [(late, lambda j: _cat("；", lag_years(j), "年数据待报", lag_clock(j))), (true, "")])

    def outlook_text(i: np.ndarray) -> pa.Array:
        annual = c.mask("target_kind", "annual")
        broken = c.notna("segment_start")
        few = lambda k: _cases(  # noqa: E731 - one case table, read beside its siblings
            k,
            [
                (
                    stopped & c.notna("break_note"),
                    lambda j: _cat(
                        pc.replace_substring_regex(_clean_note("break_note", c, j), r"^截至\d{4}年底，", ""),
                        "，无法预判",
                        c.int("target_year", j),
                        "年能否实现目标。",
                    ),
                ),
                (
                    broken & (c.num("n_points", slice(None)) > 0),
                    lambda j: _cat(
                        c.int("segment_start", j),
                        "年起统计口径变化，此前数据不可比，可比年度数据仅",
                        c.int("n_points", j),
                        "个，尚不足以预判",
                        c.int("target_year", j),
                        "年能否实现目标。",
                    ),
                ),
                (
                    c.num("n_points", slice(None)) > 0,
                    lambda j: _cat(
                        "可比年度数据仅",
                        c.int("n_points", j),
                        "个，尚不足以预判",
                        c.int("target_year", j),
                        "年能否实现目标。",
                    ),
                ),
                (true, lambda j: _cat("现有数据尚不足以预判", c.int("target_year", j), "年能否实现目标。")),
            ],
        )
        return _cases(
            i,
            [
                (c.mask("outlook", ""), ""),
                (c.mask("outlook", "uncertain"), few),
                (annual, lambda j: _cat("按现有趋势，", c.lookup("outlook", _OUTLOOK_ANNUAL, j), "。")),
                (
                    true,
                    lambda j: _cat(
                        "按现有趋势，", c.int("target_year", j), "年", c.lookup("outlook", _OUTLOOK_LEVEL, j), "。"
                    ),
                ),
            ],
        )

    def note_text(i: np.ndarray) -> pa.Array:
        # a stopped series has its note as the reason already
        return _cases(
            i,
            [
                (c.notna("break_note") & ~stopped, lambda j: _cat("（注：", _clean_note("break_note", c, j), "）")),
                (true, ""),
            ],
        )

    def judged(head: Builder) -> Builder:
        return lambda i: _cat(head(i), verdict(i), lag_text(i), "。", outlook_text(i), note_text(i))

    cumulative = c.mask("target_kind", "cumulative")
    annual = c.mask("target_kind", "annual")
    has_judged = c.notna("judged_value")
    sentences = _cases(
        np.arange(c.n),
        [
            (pending & c.mask("target_kind", "qualitative"), "定性目标，尚无评估材料，待责任部门填报。"),
            (pending & c.mask("target_kind", "unparsed"), "目标表述未能自动识别，待核定目标值后评估。"),
            (pending, "目标值由上级部门设定，尚无评估材料，待责任部门填报。"),
            (c.mask("progress", "qualitative"), lambda i: _cat("定性评估：", c.text("assessment", i), "。")),
            (
                c.mask("target_kind", *ASSESSED_KINDS),
                lambda i: _cat("规划文件报告完成情况为“", c.text("status", i), "”，", c.text("progress_zh", i), "。"),
            ),
            (
                c.mask("progress", "no_data") & ~has_judged,
                lambda i: _cat(c.text("unjudged_reason", i), "，数据暂缺，待补充后再作判断。"),
            ),
            (
                c.mask("progress", "undetermined") & c.mask("evaluation_type", BASELINE),
                lambda i: _cat(
                    "目标为",
                    c.int("target_year", i),
                    "年",
                    c.lookup("comparator", _CMP_ZH, i),
                    target(i),
                    "，基期水平为",
                    c.fmt("base_level", i),
                    "；",
                    c.text("unjudged_reason", i),
                    "，暂难判断目标的积极程度。",
                ),
            ),
            (feasible & c.mask("target_kind", "level"), feasibility_level),
            (feasible, feasibility_pace),
            (stated, judged(statement)),
            (cumulative, judged(cumulative_head)),
            (annual, judged(annual_head)),
            (true, judged(level_head)),
        ],
    )
    return pd.Series(pa.chunked_array([sentences]).to_pandas().array, index=out.index, name="explanation_zh")
