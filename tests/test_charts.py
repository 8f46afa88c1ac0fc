"""Charts show something a sentence does not: at least two points, drawn as the chart draws them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.charts import drawn_points


def _target(kind: str, projected: float = math.nan) -> pd.Series:
    return pd.Series(
        {"target_kind": kind, "target_year": 2025, "target_value": 5e6, "projected_value": projected, "unit": "人次"}
    )


@pytest.mark.parametrize(
    ("kind", "years", "projected", "expected"),
    [
        # a cumulative total runs from the plan's first year: the base year's flow is not drawn
        ("cumulative", [2020, 2021], math.nan, 1),
        ("cumulative", [2020, 2021], 2.0e6, 2),
        ("cumulative", [2021, 2022], math.nan, 2),
        # after a missing year a running total would understate: it stops there
        ("cumulative", [2021, 2023], math.nan, 1),
        ("annual", [2020, 2021], math.nan, 2),
        ("level", [2021], 3.0, 2),
        ("level", [], 3.0, 0),  # a projection alone is not a line
    ],
)
def test_the_points_a_chart_would_draw(kind, years, projected, expected):
    obs = pd.DataFrame({"year": years, "value": [1.0e6] * len(years)})
    assert drawn_points(_target(kind, projected), obs) == expected
