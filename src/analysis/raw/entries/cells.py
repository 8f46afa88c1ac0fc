"""One cell into one value, each mistake recorded as a problem naming the cell.

The readers here are shared by the sheets: a plan id, a drop-down choice, the departments,
a date (or a month), a number with its unit, a period inside the plan. Each returns None (or
says the cell was not good) after recording exactly one problem, so a row with several wrong
cells reports every one of them, in the order the sheet reads them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from typing import Any

import pandas as pd

from analysis.cells import cell_text, typed_text
from analysis.cn_numbers import split_unit
from analysis.periods import period_span
from analysis.raw.entries.workbook import Row
from analysis.raw.errors import Problem
from analysis.raw.plausible import same_unit, today
from analysis.workbook_layout import DEPARTMENT_SEP

_DEPARTMENT_SPLIT = re.compile(r"[、,，;；/／\s]+")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_MONTH_OR_DAY = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")

#: A period read from a row: its kind, first and last day, and label (as ``periods.period_span``).
Period = tuple[str, pd.Timestamp, pd.Timestamp, str]
#: ``datetime.date`` under another name: ``CellReader.date`` hides it inside the class.
_Day = date


class CellReader:
    """Reads the cells every sheet has, recording a problem in ``problems`` for each it cannot read.

    ``plans`` (indexed by plan_id) and ``departments`` (in their order in the departments
    frame) are what a plan id and a department name are checked against.
    """

    def __init__(self, problems: list[Problem], plans: pd.DataFrame, departments: list[str]) -> None:
        self.problems = problems
        self.plans = plans
        self.departments = departments

    def plan(self, row: Row) -> str | None:
        """The row's plan id, which the template pre-filled: one of the build's plans."""
        plan_id = cell_text(row.values["plan_id"])
        if plan_id is None:
            self.problems.append(row.problem("plan_id", "an empty cell", "the plan_id the template pre-filled"))
            return None
        if plan_id not in self.plans.index:
            self.problems.append(
                row.problem("plan_id", repr(plan_id), f"a plan_id from plans {sorted(self.plans.index)}")
            )
            return None
        return plan_id

    def choice(self, row: Row, column: str, allowed: tuple[str, ...]) -> str | None:
        """A drop-down cell: Excel refuses other values, but a pasted or program-written one is not."""
        value = cell_text(row.values[column])
        if value is None:
            self.problems.append(row.problem(column, "an empty cell", f"one of {list(allowed)} (drop-down)"))
            return None
        if value not in allowed:
            self.problems.append(row.problem(column, repr(value), f"one of {list(allowed)} (drop-down)"))
            return None
        return value

    def department(self, row: Row) -> str | None:
        """The departments named in the cell, known ones only, in the departments frame's order
        and joined with ``DEPARTMENT_SEP``: however staff separated them, one entry reads the same."""
        value = cell_text(row.values["department"])
        if value is None:
            self.problems.append(
                row.problem("department", "an empty cell", "the name of the department entering the row (departments)")
            )
            return None
        names = list(dict.fromkeys(n for n in _DEPARTMENT_SPLIT.split(value) if n))
        unknown = [n for n in names if n not in self.departments]
        if unknown:
            self.problems.append(
                row.problem(
                    "department",
                    repr(DEPARTMENT_SEP.join(unknown)),
                    f"departments from departments {self.departments}, several joined with {DEPARTMENT_SEP!r}",
                )
            )
            return None
        order = {d: k for k, d in enumerate(self.departments)}
        return DEPARTMENT_SEP.join(sorted(names, key=order.__getitem__))

    def date(self, row: Row, column: str) -> tuple[bool, pd.Timestamp | None]:
        """(good, day): an empty cell is good and no day, since a date is optional."""
        value = row.values[column]
        if value is None:
            return True, None
        text = cell_text(value) or ""
        day = None
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        elif re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            try:
                day = date.fromisoformat(text)
            except ValueError:
                pass
        if day is None:
            self.problems.append(row.problem(column, repr(text), "a date written YYYY-MM-DD"))
            return False, None
        if self._after_today(row, column, day):
            return False, None
        return True, pd.Timestamp(day)

    def month_or_day(self, row: Row, column: str) -> pd.Timestamp | None:
        """A date that must be there, a day or only a month (YYYY-MM, read as its first day):
        a survey is often known only by the month it was carried out."""
        value = row.values[column]
        day = _month_or_day(value)
        if day is None:
            found = "an empty cell" if value is None else repr(value)
            self.problems.append(row.problem(column, found, "a date: YYYY-MM or YYYY-MM-DD"))
        elif self._after_today(row, column, day.date()):
            return None
        return day

    def _after_today(self, row: Row, column: str, day: _Day) -> bool:
        """True, and a problem, for a day after today: nothing is filled in before it happens."""
        if day <= today():
            return False
        self.problems.append(row.problem(column, repr(day.isoformat()), f"a date not after today ({today()})"))
        return True

    def number(self, row: Row) -> float | None:
        """The value as a number, read as Excel shows it: a number, or text that is only a number."""
        raw = row.values["value"]
        expected = "a plain number in the unit of 单位 (no units or words: 3.5万 with 单位 人 is 35000)"
        if raw is None:
            self.problems.append(row.problem("value", "an empty cell", expected))
            return None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw):
            value = float(raw)
            return value * 100 if "%" in row.formats["value"] else value  # Excel keeps 5.5% as 0.055
        if isinstance(raw, str) and _PLAIN_NUMBER.match(nfkc(raw)) and math.isfinite(float(nfkc(raw))):
            return float(nfkc(raw))
        self.problems.append(row.problem("value", repr(typed_text(raw)), expected))
        return None

    def unit(self, row: Row, indicator: Any) -> tuple[float, str | None, bool]:
        """(factor to the indicator's unit, base unit, good): an empty cell is the indicator's unit."""
        expected_unit = indicator.unit if isinstance(indicator.unit, str) and indicator.unit else None
        typed = cell_text(row.values["unit"])
        if typed is None:
            return 1.0, expected_unit, True
        factor, base = split_unit(typed)
        if expected_unit is not None and not same_unit(base, expected_unit):
            self.problems.append(
                row.problem("unit", repr(typed), f"the indicator's unit {expected_unit!r} (or with 万/亿 before it)")
            )
            return 1.0, None, False
        return factor, base or expected_unit, True

    def period(self, row: Row, kind: str, plan: pd.Series) -> Period | None:
        """The period of kind ``kind`` typed in the row, inside ``plan``'s base year to period end."""
        found = read_period(row, kind, plan)
        if isinstance(found, Problem):
            self.problems.append(found)
            return None
        return found


def read_period(row: Row, kind: str, plan: pd.Series) -> Period | Problem:
    """The row's period, or the one problem that says why it cannot be read."""
    raw = row.values["period"]
    if kind == "plan_period":
        return _plan_period(row, plan)
    year, month, expected = _year_and_month(row, kind)
    if year is None:
        return row.problem("period", repr(typed_text(raw)) if raw is not None else "an empty cell", expected)
    first, last = int(plan["base_year"]), int(plan["period_end"])
    if not first <= year <= last:
        return row.problem(
            "period",
            repr(typed_text(raw)),
            f"a period inside plan {plan['plan_id']}: base year {first} to period end {last}",
        )
    return (kind, *period_span(kind, year, month=month))


def _plan_period(row: Row, plan: pd.Series) -> Period | Problem:
    """Several years (期间类型 多年累计), typed as two years such as 2024-2025."""
    raw = row.values["period"]
    text = nfkc(typed_text(raw)) if raw is not None else ""
    m = re.fullmatch(r"((?:19|20)\d\d)\s*年?\s*[-—–~～至/]\s*((?:19|20)\d\d)\s*年?", text)
    first, last = int(plan["base_year"]), int(plan["period_end"])
    if not m or int(m.group(1)) > int(m.group(2)):
        return row.problem(
            "period",
            repr(text) if raw is not None else "an empty cell",
            "two years such as 2024-2025 (期间类型 多年累计)",
        )
    a, b = int(m.group(1)), int(m.group(2))
    if not (first <= a and b <= last):
        return row.problem(
            "period",
            repr(text),
            f"a period inside plan {plan['plan_id']}: base year {first} to period end {last}",
        )
    return ("plan_period", *period_span("plan_period", a, b))


def _year_and_month(row: Row, kind: str) -> tuple[int | None, int | None, str]:
    """(year, month, what was expected) of a yearly or monthly period; year None when unreadable.

    A year may be a number or text (2022, 2022年); a month a date Excel made of it or text
    such as 2023-06 or 2023年6月."""
    raw = row.values["period"]
    year = month = None
    if kind == "year":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
            year = int(raw)
        elif isinstance(raw, str) and (m := re.fullmatch(r"((?:19|20)\d\d)\s*年?", nfkc(raw))):
            year = int(m.group(1))
        return year, month, "a year such as 2022 (期间类型 年度)"
    if isinstance(raw, datetime):
        year, month = raw.year, raw.month
    elif isinstance(raw, str) and (m := re.fullmatch(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*月?", nfkc(raw))):
        year, month = int(m.group(1)), int(m.group(2))
    expected = f"a year and month such as 2023-06 (期间类型 {row.values['period_type']})"
    if month is not None and not 1 <= month <= 12:
        year = None
    return year, month, expected


def _month_or_day(value: Any) -> pd.Timestamp | None:
    """A date Excel made, or text YYYY-MM-DD or YYYY-MM (its first day); None when it is neither
    or names no such day (2026-13, 2026-02-30)."""
    if isinstance(value, (datetime, date)):
        return pd.Timestamp(value)
    if not isinstance(value, str) or not (matched := _MONTH_OR_DAY.match(value)):
        return None
    year, month, day = matched.groups()
    try:
        return pd.Timestamp(int(year), int(month), int(day or 1))
    except ValueError:
        return None


def nfkc(text: str) -> str:
    """Text as typed on a Chinese keyboard made plain: full-width digits and dashes to ASCII."""
    return unicodedata.normalize("NFKC", text).strip()
