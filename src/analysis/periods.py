"""Periods of an observation: one rule for the dates and the label of each kind, and one reader
of the published forms (2021, 2023-06, 2021/2025).

The build, the workbook reader and the backtest all make observation periods; they read
different cells (a CSV's text, a workbook's typed or date cell) but must give the same dates
and label for the same period, or one series would hold 2021 and 2021年 as two periods."""

from __future__ import annotations

import re

import pandas as pd

#: The kinds of period an observation may cover.
PERIOD_KINDS = ("year", "month", "ytd", "plan_period", "stock")


def year_start(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=int(year), month=1, day=1)


def year_end(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=int(year), month=12, day=31)


def period_span(
    kind: str, first: int, last: int | None = None, month: int | None = None
) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """(first day, last day, label) of a period.

    - ``year`` 2021 → 2021-01-01…2021-12-31, "2021" (with ``last`` ≠ ``first``: "2019–2021");
    - ``plan_period`` 2021, 2025 → "2021–2025";
    - ``stock`` at the end of ``last`` (or ``first``) → that day only, "2025年末";
    - ``month`` 2023, month 6 → "2023-06"; ``ytd`` → 2023-01-01…2023-06-30, "2023-01/06"."""
    last = first if last is None else last
    if kind == "stock":
        return year_end(last), year_end(last), f"{last}年末"
    if kind in ("month", "ytd"):
        if month is None or not 1 <= month <= 12:
            raise ValueError(f"a {kind} period needs a month from 1 to 12, got {month!r}")
        end = pd.Timestamp(year=first, month=month, day=1) + pd.offsets.MonthEnd(0)
        if kind == "month":
            return pd.Timestamp(year=first, month=month, day=1), end, f"{first}-{month:02d}"
        return year_start(first), end, f"{first}-01/{month:02d}"
    return year_start(first), year_end(last), str(last) if first == last else f"{first}–{last}"


def parse_period(text: str, kind: str) -> tuple[pd.Timestamp, pd.Timestamp, str] | None:
    """A period as publications are transcribed: YYYY for a year, YYYY-MM for a month or year to
    date, YYYY/YYYY for a plan period. None when ``text`` is not that kind's form."""
    text = str(text).strip()
    if kind == "year" and re.fullmatch(r"(19|20)\d\d", text):
        return period_span(kind, int(text))
    m = re.fullmatch(r"((?:19|20)\d\d)-(\d\d)", text)
    if kind in ("month", "ytd") and m:
        year, month = int(m.group(1)), int(m.group(2))
        return period_span(kind, year, month=month) if 1 <= month <= 12 else None
    m = re.fullmatch(r"((?:19|20)\d\d)/((?:19|20)\d\d)", text)
    if kind == "plan_period" and m and m.group(1) <= m.group(2):
        return period_span(kind, int(m.group(1)), int(m.group(2)))
    return None
