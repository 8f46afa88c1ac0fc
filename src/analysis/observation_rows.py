"""One row shape for an observation, whoever makes it: the build (a plan's table, its text, a
published series), the workbook reader (a figure a department enters) and the backtest.

Why one function: the observations schema has 24 columns, and a row made in four places drifts
(a column forgotten in one, a different rule for ``is_cumulative`` in another)."""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Kinds of period whose value is a running total (``is_cumulative``).
CUMULATIVE_PERIODS = ("ytd", "plan_period")


def observation_row(
    *,
    series_id: str,
    region: str,
    period_type: str,
    period: str,
    period_start: pd.Timestamp,
    period_end: pd.Timestamp,
    value: float | None,
    source_document: str,
    source_location: str | None = None,
    source_issuer: str | None = None,
    source_year: int | None = None,
    plan_id: str | None = None,
    measure: str | None = None,
    comparator: str = "=",
    value_text: str | None = None,
    status: str | None = None,
    unit: str | None = None,
    note: str | None = None,
    source_quote: str | None = None,
    source_url: str | None = None,
    is_reprint: bool = False,
    is_preferred: bool = True,
    is_benchmark: bool = False,
) -> dict[str, Any]:
    """An observation as the ``observations`` dataset holds it (columns in schema order)."""
    return {
        "series_id": series_id,
        "plan_id": plan_id,
        "region": region,
        "measure": measure,
        "period": period,
        "period_type": period_type,
        "period_start": period_start,
        "period_end": period_end,
        "value": value,
        "comparator": comparator,
        "value_text": value_text,
        "status": status,
        "unit": unit,
        "is_cumulative": period_type in CUMULATIVE_PERIODS,
        "note": note,
        "source_document": source_document,
        "source_location": source_location,
        "source_issuer": source_issuer,
        "source_year": source_year,
        "source_quote": source_quote,
        "source_url": source_url,
        "is_reprint": is_reprint,
        "is_preferred": is_preferred,
        "is_benchmark": is_benchmark,
    }
