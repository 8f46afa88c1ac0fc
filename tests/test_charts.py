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


def test_a_chart_shown_in_a_report_is_drawn_once_per_format_and_nothing_is_cut_off(monkeypatch):
    """Each chart is shown as SVG and PNG. Laid out once by the chart, printed without a tight
    crop, it is drawn twice in all, not four times; and everything drawn lies inside the image."""
    import matplotlib

    matplotlib.use("module://matplotlib_inline.backend_inline")
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure

    from analysis.charts import benchmark_chart, indicator_chart, overview_chart
    from analysis.report.display import setup

    shell = InteractiveShell.instance()
    setup()
    draws: list[str] = []
    draw = Figure.draw
    monkeypatch.setattr(
        Figure, "draw", lambda self, renderer: (draws.append(type(renderer).__name__), draw(self, renderer))[1]
    )
    extra = {
        "name": "职业技能培训",
        "comparator": ">=",
        "projected_low": 3.0e6,
        "projected_high": 5.5e6,
        "latest_value": 2.0e6,
        "latest_year": 2022,
        "base_value": math.nan,
    }
    row = pd.concat([_target("cumulative", 4.0e6), pd.Series(extra)])
    obs = pd.DataFrame({"year": [2021, 2022], "value": [1.0e6, 1.0e6]})
    levels = pd.DataFrame({"region": ["甲", "甲", "乙", "乙"], "year": [2021, 2022] * 2, "value": [1.0, 2.0, 1.5, 2.5]})
    charts = [
        indicator_chart(row, obs),
        overview_chart(pd.DataFrame({"progress": ["ahead", "on_track", "on_track"]})),
        benchmark_chart(levels, "城镇调查失业率：国内比较", "%"),
    ]
    for fig in charts:
        draws.clear()
        bundle, _ = shell.display_formatter.format(fig)
        assert {"image/png", "image/svg+xml"} <= set(bundle)
        assert len(draws) == 2, draws  # one Agg draw for the PNG, one for the SVG
        renderer = fig.canvas.get_renderer()
        inside = fig.bbox.padded(1)
        assert all(inside.contains(*corner) for ax in fig.axes for corner in ax.get_tightbbox(renderer).corners())
