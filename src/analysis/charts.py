"""Charts for reports and exploration: a target's trend, and the overview of judgements.

Charts read the engine's frames; they never decide a judgement themselves.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.formatting import fmt
from analysis.style import PALETTE, PROGRESS_COLOURS, apply_theme
from analysis.vocabulary import PROGRESS_ZH


def _laid_out(fig: Figure) -> Figure:
    """``fig`` laid out once (``tight_layout``) and left without a layout engine.

    ``tight_layout`` leaves a placeholder engine behind, and matplotlib draws a figure that has
    an engine once more before every print, to lay it out again: twice per chart, as each is
    printed as SVG and as PNG. With the layout fixed here and ``bbox_inches=None`` in
    ``report.display.setup`` (a tight crop costs the same extra draw), a chart is drawn once per
    format: half the draws. A synthetic county report with 9 charts: execution −26%, the whole
    report −18% (10 reports, alternately with the old code, 12-04)."""
    fig.tight_layout()
    fig.set_layout_engine(None)
    return fig


def _scale(unit: str | None, values: pd.Series) -> tuple[float, str]:
    """Show counts of ten thousand and more in 万 (the axis reads 万人次, not 5000000)."""
    unit = unit or ""
    top = np.nanmax(np.abs(values.to_numpy(dtype=float))) if len(values) else 0
    if unit not in ("%", "年") and top >= 1e5:
        return 1e4, f"万{unit}"
    return 1.0, unit


def _drawn(evaluation: pd.Series, observations: pd.DataFrame) -> pd.DataFrame:
    """The observed values the chart draws: yearly, with gaps as gaps; for a cumulative target
    the running total from the plan's first year, stopped at the first missing year (after a
    gap it would understate)."""
    obs = _with_gaps(observations.sort_values("year"))
    if evaluation["target_kind"] == "cumulative":
        obs = obs[obs["year"] >= int(evaluation["target_year"]) - 4]
        first_gap = obs.index[obs["value"].isna()]
        if len(first_gap):
            obs = obs.loc[: first_gap[0] - 1] if first_gap[0] > obs.index[0] else obs.iloc[:0]
        obs = obs.assign(value=obs["value"].cumsum())
    return obs


def drawn_points(evaluation: pd.Series, observations: pd.DataFrame) -> int:
    """How many points the chart of ``evaluation`` would show (observed values, and the
    projection when there is one): a chart with fewer than two says nothing a sentence does not."""
    shown = int(_drawn(evaluation, observations)["value"].notna().sum())
    projected = evaluation.get("projected_value")
    return shown + (1 if shown and isinstance(projected, float) and not math.isnan(projected) else 0)


def indicator_chart(evaluation: pd.Series, observations: pd.DataFrame) -> Figure:
    """One target: observed values, the target line, the schedule path and the projection band.

    ``evaluation`` is one row of ``evaluations``; ``observations`` the preferred yearly values
    of its series and region. Cumulative targets are drawn as running totals.
    """
    apply_theme()
    kind = evaluation["target_kind"]
    T = float(evaluation["target_value"])
    start, end = int(evaluation["target_year"]) - 4, int(evaluation["target_year"])
    base_year = start - 1
    obs = _drawn(evaluation, observations)
    values = pd.concat(
        [obs["value"], pd.Series([T, evaluation.get("projected_high"), evaluation.get("latest_value")], dtype=float)]
    ).dropna()
    factor, unit = _scale(evaluation["unit"], values)

    fig, ax = plt.subplots()
    _draw_target(ax, evaluation, factor, base_year, end)
    _draw_observed(ax, evaluation, obs, factor)
    _draw_projection(ax, evaluation, obs[obs["value"].notna()] if kind == "cumulative" else obs, factor, end)
    _set_axes(ax, evaluation, unit, base_year, end)
    return _laid_out(fig)


def _draw_target(ax: Axes, evaluation: pd.Series, factor: float, base_year: int, end: int) -> None:
    """The target line, after the schedule path where there is one: from zero for a cumulative
    target, from the base value for a level target that has one."""
    kind, T = evaluation["target_kind"], float(evaluation["target_value"])
    if kind == "cumulative":
        ax.plot([base_year, end], [0, T / factor], ls="--", color=PALETTE["schedule"], lw=1.2, label="序时进度")
    elif kind == "level" and not math.isnan(evaluation.get("base_value", math.nan)):
        ax.plot(
            [base_year, end],
            [evaluation["base_value"] / factor, T / factor],
            ls="--",
            color=PALETTE["schedule"],
            lw=1.2,
            label="目标路径",
        )
    ax.axhline(T / factor, color=PALETTE["target"], lw=1.2, label=f"目标 {fmt(T, evaluation['unit'])}")


def _draw_observed(ax: Axes, evaluation: pd.Series, obs: pd.DataFrame, factor: float) -> None:
    """The observed values as a line with markers; without yearly values, the latest reported
    total or stock as one point."""
    label = "累计实际值" if evaluation["target_kind"] == "cumulative" else "实际值"
    if len(obs):
        ax.plot(obs["year"], obs["value"] / factor, marker="o", color=PALETTE["data"], lw=2, label=label)
    elif not math.isnan(evaluation.get("latest_value", math.nan)) and not math.isnan(
        evaluation.get("latest_year", math.nan)
    ):
        # only a reported total or a stock (e.g. "截至 2023 年底 151291"): one point
        ax.plot(
            [int(evaluation["latest_year"])],
            [evaluation["latest_value"] / factor],
            marker="o",
            ls="",
            color=PALETTE["data"],
            label=label,
        )


def _draw_projection(ax: Axes, evaluation: pd.Series, obs: pd.DataFrame, factor: float, end: int) -> None:
    """The projection from the last observed value to the target year, in its 80% band."""
    q = evaluation.get("projected_value")
    if q is None or math.isnan(q) or not obs["value"].notna().any():
        return
    last = obs[obs["value"].notna()].iloc[-1]
    last_year, last_value = int(last["year"]), float(last["value"])
    x = [last_year, end]
    lo, hi = evaluation["projected_low"], evaluation["projected_high"]
    # the 80% band opens from the last observed value to its width at the target year: the
    # nearer years are less uncertain than the target year's interval (also for every-year
    # bounds, whose band is the target year's, not a flat one across the remaining years)
    ax.fill_between(
        x,
        [last_value / factor, lo / factor],
        [last_value / factor, hi / factor],
        color=PALETTE["band"],
        alpha=0.6,
        label="预测80%区间",
    )
    ax.plot(x, [last_value / factor, q / factor], color=PALETTE["projection"], ls=":", lw=2, label="预测值")


def _set_axes(ax: Axes, evaluation: pd.Series, unit: str, base_year: int, end: int) -> None:
    """Limits (from zero for running totals and for values near zero), ticks per year, labels, legend."""
    ax.margins(y=0.15)
    low_y, high_y = ax.get_ylim()
    if evaluation["target_kind"] in ("cumulative",) or (low_y > 0 and low_y < 0.2 * high_y):
        ax.set_ylim(bottom=0)
    ax.set_xlim(base_year - 0.3, end + 0.3)
    ax.set_xticks(list(range(base_year, end + 1)))
    ax.set_xlabel("年份")
    ax.set_ylabel(unit)
    ax.set_title(str(evaluation["name"]))
    ax.legend(loc="best", fontsize=8, frameon=False, ncol=2)


def _with_gaps(obs: pd.DataFrame) -> pd.DataFrame:
    """One row per year from the first to the last, NaN where a year is missing: matplotlib then
    breaks the line, so no straight segment is drawn across years without data."""
    if obs.empty:
        return obs[["year", "value"]].reset_index(drop=True)
    years = pd.RangeIndex(int(obs["year"].min()), int(obs["year"].max()) + 1, name="year")
    out = obs.drop_duplicates("year").set_index("year")[["value"]].reindex(years).reset_index()
    return out


def overview_chart(evaluations: pd.DataFrame) -> Figure:
    """How many targets received each judgement, one bar per judgement."""
    apply_theme()
    counts = evaluations["progress"].value_counts()
    order = list(PROGRESS_COLOURS)
    counts = counts.reindex(sorted(counts.index, key=order.index))  # an unknown code fails here, never vanishes
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(counts) + 0.8))
    ax.barh(
        [PROGRESS_ZH[k] for k in counts.index[::-1]],
        counts.to_numpy()[::-1],
        color=[PROGRESS_COLOURS[k] for k in counts.index[::-1]],
    )
    for i, value in enumerate(counts.to_numpy()[::-1]):
        ax.text(value + 0.05, i, f"{value}项", va="center", fontsize=9)
    ax.set_xlabel("指标数（项）")
    ax.set_title("主要目标指标判断情况（项）")
    ax.set_xlim(0, counts.max() * 1.25 + 0.5)
    ax.grid(axis="y", visible=False)
    return _laid_out(fig)


def benchmark_chart(series: pd.DataFrame, title: str, unit: str | None) -> Figure:
    """The same indicator for several regions (国内比较), one line per region."""
    apply_theme()
    factor, label = _scale(unit, series["value"])
    fig, ax = plt.subplots()
    years = sorted(series["year"].unique())
    for region, group in series.sort_values("year").groupby("region", sort=True):
        line = _with_gaps(group)
        ax.plot(line["year"], line["value"] / factor, marker="o", lw=1.8, label=region)
    ax.set_xticks(years)
    ax.set_xlim(years[0] - 0.4, years[-1] + 0.4)
    ax.set_title(title)
    ax.set_xlabel("年份")
    ax.set_ylabel(label)
    ax.legend(fontsize=8, frameon=False, ncol=3)
    return _laid_out(fig)
