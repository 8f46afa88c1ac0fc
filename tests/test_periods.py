"""One rule for an observation's period (``analysis.periods``): the build, the workbook reader
and the backtest give the same dates and label for the same period."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.periods import parse_period, period_span

T = pd.Timestamp


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("2021", "year", (T("2021-01-01"), T("2021-12-31"), "2021")),
        ("2023-06", "month", (T("2023-06-01"), T("2023-06-30"), "2023-06")),
        ("2024-02", "ytd", (T("2024-01-01"), T("2024-02-29"), "2024-01/02")),  # a leap year's February
        ("2021/2025", "plan_period", (T("2021-01-01"), T("2025-12-31"), "2021–2025")),
        (" 2022 ", "year", (T("2022-01-01"), T("2022-12-31"), "2022")),
    ],
)
def test_published_periods_read_as_their_kind_says(text: str, kind: str, expected: tuple):
    assert parse_period(text, kind) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2023-13", "month"),  # no 13th month
        ("2023-00", "ytd"),
        ("2025/2021", "plan_period"),  # reversed
        ("2021", "month"),  # a year where a month is expected
        ("2021-06", "year"),
        ("1899", "year"),
        ("2021年", "year"),  # the published form only; the workbook reader takes 2021年 itself
    ],
)
def test_a_period_not_in_its_kinds_form_is_not_read(text: str, kind: str):
    assert parse_period(text, kind) is None


def test_a_stock_is_the_last_day_of_its_year_and_a_year_range_keeps_both_ends():
    assert period_span("stock", 2025) == (T("2025-12-31"), T("2025-12-31"), "2025年末")
    assert period_span("stock", 2021, 2025) == (T("2025-12-31"), T("2025-12-31"), "2025年末")
    assert period_span("plan_period", 2021, 2023)[2] == "2021–2023"
    with pytest.raises(ValueError, match="month from 1 to 12"):
        period_span("ytd", 2023)
