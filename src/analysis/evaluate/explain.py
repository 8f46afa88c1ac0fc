"""One Chinese sentence per target, made from its numbers, in the style of plan evaluations.

"截至2021年底累计完成118.85万人次，为目标（500万人次）的23.8%，同期序时进度为20%，快于预期；
2022年数据待报（评估时点序时进度为40%）。可比年度数据仅1个，尚不足以预判2025年能否实现目标。"

The words follow published Chinese plan evaluations: one term for the share of time elapsed
(序时进度); the outlook in plain words, never a probability or a distribution's name (those
stay in the table and the appendix); the year series where there is one; a value stated as a
bound shown as the bound; no file names or commands.

The wording is data: ``sentence_cases.PIECES`` lists, for each piece of a sentence, its cases
in order (a condition and a template with slots). This module renders that table and holds no
wording. ``write_sentences(out)`` writes every row's sentences at once: each case's condition is
evaluated over all rows, the rows are sorted into the cases, and each template is filled
column-wise for all of its rows — numbers formatted by array arithmetic (``analysis.formatting``),
pieces concatenated as whole string columns (pandas' Arrow strings, through
``pyarrow.compute``) — then put back in row order. No Python code runs per row.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.evaluate.sentence_cases import (
    FORMATS,
    PIECES,
    WORDS,
    All,
    Always,
    AnyOf,
    Compare,
    Condition,
    Flag,
    Is,
    Known,
    Not,
)
from analysis.formatting import EMPTY as _EMPTY
from analysis.formatting import STR as _STR
from analysis.formatting import fmt_arrow, once_per_value, pct_arrow, scatter, unit_classes

__all__ = ["explanations", "latest_display", "unjudged_reasons", "write_sentences"]

_CMP_ZH = WORDS["cmp"]  # the comparator's words (base_values.py writes its sentence with them)


# -- assembling strings column by column ---------------------------------------------------------

Part: TypeAlias = pa.Array | str
Builder: TypeAlias = Callable[[np.ndarray], Part]


def _cat(*parts: Part | pa.Scalar) -> Part:
    """Concatenate string columns and constants element-wise."""
    args = [pa.scalar(p, _STR) if isinstance(p, str) else p for p in parts]
    if not any(isinstance(a, pa.Array) for a in args):
        return "".join(a.as_py() for a in args)
    return pc.binary_join_element_wise(*args, _EMPTY)


def _cases(i: np.ndarray, cases: Iterable[tuple[np.ndarray, Builder | str]]) -> pa.Array:
    """Strings for rows ``i``: the first case whose mask (over all rows) holds builds each row.

    Every builder runs once, on all of its rows together. ``cases`` is read lazily and no
    further once every row has its case (a mask after that is never computed).
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
        if not left.any():
            break
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

    def num(self, col: str, i: np.ndarray | slice) -> np.ndarray:
        if col not in self._num:
            derive = _DERIVED.get(col)
            self._num[col] = (
                derive(self) if derive else pd.to_numeric(self.out[col]).to_numpy(dtype=np.float64, na_value=np.nan)
            )
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

    def flag(self, col: str) -> np.ndarray:
        """Rows where a yes/no (or 0/1) column says yes; missing reads no."""
        return pd.to_numeric(self.out[col]).fillna(0).to_numpy() != 0

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


def _sentence_year(c: _Columns) -> np.ndarray:
    """The year a sentence speaks of: the value's own year, else the cut-off's."""
    judged, cut_off = c.num("judged_year", slice(None)), c.num("data_year", slice(None))
    return np.where(np.isnan(judged), cut_off, judged)


#: Number columns the templates may read that the evaluation rows do not hold.
_DERIVED: dict[str, Callable[[_Columns], np.ndarray]] = {"sentence_year": _sentence_year}


def _clean_note(col: str, c: _Columns, i: np.ndarray) -> pa.Array:
    """A note as a sentence can quote it: spaces the transcription kept between 年 and digits
    dropped, commas made Chinese ("截至 2023 年底, 2024 年起" → "截至2023年底，2024年起")."""
    text = pc.replace_substring_regex(c.text(col, i), r"\s*[,，]\s*", "，")
    return pc.replace_substring_regex(text, r"\s+", "")


# -- the table of cases, read once -----------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """``{field:format}`` of a template; no format: ``field`` is another piece."""

    field: str
    format: str


_Template: TypeAlias = tuple[str | _Slot, ...]


def _parse(piece: str, template: str) -> _Template:
    """A template's literal text and slots, each slot checked against the formats and pieces."""
    parts: list[str | _Slot] = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if field is None:
            continue
        where = f"sentence_cases.PIECES[{piece!r}]: {template!r}"
        if conversion or not field.isidentifier():
            raise ValueError(f"{where}: a slot is {{column:format}} or {{piece}}, not {{{field}!{conversion}}}")
        if not spec and field not in PIECES:
            raise ValueError(f"{where}: {{{field}}} is no piece; a column needs a format, e.g. {{{field}:text}}")
        if spec and spec not in FORMATS and spec not in WORDS:
            raise ValueError(f"{where}: unknown format {spec!r} (formats: {', '.join(FORMATS)}, or one of WORDS)")
        parts.append(_Slot(field, spec or ""))
    return tuple(parts)


_TABLE: dict[str, list[tuple[Condition, _Template]]] = {
    piece: [(when, _parse(piece, template)) for when, template in cases] for piece, cases in PIECES.items()
}


# -- the renderer ----------------------------------------------------------------------------------


class _Render:
    """Pieces of ``PIECES`` for any set of rows; each condition evaluated once over all rows."""

    def __init__(self, c: _Columns) -> None:
        self.c = c
        self._masks: dict[Condition, np.ndarray] = {}

    def piece(self, name: str, i: np.ndarray) -> pa.Array:
        return _cases(i, ((self.mask(when), self._builder(template)) for when, template in _TABLE[name]))

    def _builder(self, template: _Template) -> Builder | str:
        if all(isinstance(p, str) for p in template):
            return "".join(p for p in template if isinstance(p, str))
        if len(template) == 1 and isinstance(template[0], _Slot):
            only = template[0]
            return lambda i: self.slot(only, i)
        return lambda i: _cat(*(p if isinstance(p, str) else self.slot(p, i) for p in template))

    def slot(self, s: _Slot, i: np.ndarray) -> pa.Array:
        c, col = self.c, s.field
        match s.format:
            case "":
                return self.piece(col, i)
            case "text":
                return c.text(col, i)
            case "fmt":
                return c.fmt(col, i)
            case "pct":
                return c.pct(col, i)
            case "int":
                return c.int(col, i)
            case "int+1":
                return c.int(col, i, plus=1)
            case "note":
                return _clean_note(col, c, i)
            case "note_undated":
                return pc.replace_substring_regex(_clean_note(col, c, i), r"^截至\d{4}年底，", "")
            case table:
                return c.lookup(col, WORDS[table], i)

    def mask(self, when: Condition) -> np.ndarray:
        if when not in self._masks:
            self._masks[when] = self._evaluate(when)
        return self._masks[when]

    def _evaluate(self, when: Condition) -> np.ndarray:
        c = self.c
        match when:
            case Always():
                return np.ones(c.n, bool)
            case Is(column, values):
                return c.mask(column, *values)
            case Known(column):
                return c.notna(column)
            case Flag(column):
                return c.flag(column)
            case Compare(column, op, other):
                y = c.num(other, slice(None)) if isinstance(other, str) else other
                return _COMPARE[op](c.num(column, slice(None)), y)
            case All(left, right):
                return self.mask(left) & self.mask(right)
            case AnyOf(left, right):
                return self.mask(left) | self.mask(right)
            case Not(inner):
                return ~self.mask(inner)
        raise TypeError(f"not a condition of sentence_cases: {when!r}")


_COMPARE: dict[str, Callable[..., np.ndarray]] = {">": np.greater, ">=": np.greater_equal, "==": np.equal}


def _render(out: pd.DataFrame, piece: str, columns: _Columns | None) -> pd.Series:
    """The piece for every row of ``out``, as a column of pandas strings in ``out``'s order."""
    c = columns if columns is not None else _Columns(out)
    if c.n == 0:
        return pd.Series([], index=out.index, dtype="str")
    text = _Render(c).piece(piece, np.arange(c.n))
    return pd.Series(pa.chunked_array([text]).to_pandas().array, index=out.index, name=piece)


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
    "63.51万个"; missing where there is none. A bound keeps its words; a statement its text."""
    result = _render(out, "latest_display", columns)
    return result.mask(result.eq("")) if len(result) else result


def unjudged_reasons(out: pd.DataFrame, columns: _Columns | None = None) -> pd.Series:
    """Why a target has no judgement from numbers, in plain Chinese; missing when it has one."""
    result = _render(out, "unjudged_reason", columns)
    return result.mask(result.eq("")) if len(result) else result


def explanations(out: pd.DataFrame, columns: _Columns | None = None) -> pd.Series:
    """The sentence for every evaluation row (``out`` holds the rows, their facts and judgements).

    Index and order follow ``out``; the result is a column of pandas strings.
    """
    return _render(out, "explanation_zh", columns)
