"""A plan's target as a table cell can hold it, and a document's words as print sets them.

The targets table gives each target a narrow column. A plan's own table states a target in a
few characters ("16 万", "65%以上"), which the cell keeps; the outline of Shanghai states it as a
sentence ("到 2025 年全市用于人才安居的租赁房源规模达到 20 万套"), which, in that column, wraps
into eight lines and repeats the indicator's name. Such a target is written in the cell from the
engine's reading of it (its kind, comparator, value, unit and year: "2025年达到20万套"), and
the sentence itself is quoted in full in the target's own section, so nothing the document says
is lost. A target the engine did not read as a number keeps its words; a bare number ("16 万",
beside the table's 单位 column) gets its unit ("16万个").

The transcriptions keep the spaces the source typesetting put between Chinese and digits
("到 2025 年"); Chinese print sets none, so the report drops them (``as_printed``).
"""

from __future__ import annotations

import math
import re

import pandas as pd

from analysis.formatting import fmt
from analysis.targets import QUANTITATIVE_KINDS

#: A target's words up to this length fit the table's column in two or three lines.
SHORT = 12

_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]"
# a clock time keeps its space ("2025年12月31日 00:00")
_SPACE_AFTER_CJK = re.compile(rf"(?<={_CJK})\s+(?=[0-9A-Za-z.%])(?!\d{{1,2}}:\d{{2}})")
_SPACE_BEFORE_CJK = re.compile(rf"(?<=[0-9A-Za-z.%])\s+(?={_CJK})")


def as_printed(text: str) -> str:
    """The document's words without the spaces between Chinese and digits ("到2025年")."""
    if " " not in text and "\u3000" not in text:
        return text
    return _SPACE_BEFORE_CJK.sub("", _SPACE_AFTER_CJK.sub("", text))


def target_cell(text: str, kind: str, value: float, unit: str | None, year: float) -> tuple[str, bool]:
    """The target as the table shows it, and whether that is shorter than the document's words
    (then the section quotes them). Short words stay; a long sentence about a number becomes
    the number with its comparator, its year or its period."""
    words = as_printed(text)
    bare = _BARE.fullmatch(words)
    if bare and unit and unit not in words:  # a plan's table gives the unit in its own column
        return f"{bare['number']}{unit}{bare['bound'] or ''}", False
    if len(words) <= SHORT or kind not in QUANTITATIVE_KINDS or _missing(value):
        return words, False
    amount = fmt(value, unit)
    # the document's own bound words, where it said them; none are added
    before = next((w for w in _BEFORE if w in words), "")
    after = next((w for w in _AFTER if w in words), "")
    if kind == "annual":
        return f"每年{before}{amount}{after}", True
    if kind == "cumulative":
        return f"累计{before}{amount}{after}", True
    when = f"{int(year)}年" if not _missing(year) else ""
    return f"{when}{before or ('' if after else '达到')}{amount}{after}", True


#: A target written as a bare number, as a plan's table does beside its 单位 column ("16 万", "400 以上").
_BARE = re.compile(r"(?P<number>[0-9][0-9.,]*[万亿]?)(?P<bound>以上|以内|以下)?")

#: Bound words a target states before its number ("不低于50万个") and after it ("20万人以上").
_BEFORE = ("不低于", "不超过", "不高于", "低于", "高于")
_AFTER = ("以上", "以内", "以下")


def _missing(x: object) -> bool:
    """None, NaN or pandas' NA (a missing ``Int64`` target year reads as ``pd.NA``)."""
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))
