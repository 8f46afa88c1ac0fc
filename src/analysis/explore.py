"""What the exploration notebooks call: an indicator's trend with its target and projection,
regions side by side, the same plan at another cut-off, and interactive controls for them."""

from __future__ import annotations

import pandas as pd

from analysis import datasets, load
from analysis.charts import benchmark_chart, indicator_chart
from analysis.evaluate import evaluate
from analysis.report.display import show_figure


def frames() -> dict[str, pd.DataFrame]:
    """Every processed dataset, read once per call."""
    return {name: datasets.read(name) for name in datasets.DATASETS}


def evaluation(plan_id: str, region: str, indicator_id: str, as_of: str = "",
               data: dict[str, pd.DataFrame] | None = None) -> pd.Series:
    """The engine's row for one target, at the data's cut-off or at ``as_of``."""
    data = data or frames()
    ev = evaluate(data, as_of=as_of or None)
    match = ev[(ev["plan_id"] == plan_id) & (ev["region"] == region) & (ev["indicator_id"] == indicator_id)]
    if match.empty:
        raise KeyError(f"no evaluation of {plan_id}/{indicator_id} for {region}")
    return match.iloc[0]


def trend(plan_id: str, region: str, indicator_id: str, as_of: str = "") -> pd.Series:
    """Show one target's chart (observations, target, schedule path, projection band); return its row."""
    data = frames()
    row = evaluation(plan_id, region, indicator_id, as_of, data)
    obs = data["observations"]
    yearly = obs[(obs["series_id"] == indicator_id) & (obs["region"] == region) & (obs["period_type"] == "year")
                 & obs["is_preferred"] & obs["value"].notna() & (obs["period_end"] <= row["annual_cutoff"])]
    show_figure(indicator_chart(row, yearly.assign(year=yearly["period_end"].dt.year)))
    return row


def regions_side_by_side(series_id: str) -> pd.DataFrame:
    """Every region's yearly values of one series (own regions and benchmarks), charted."""
    obs = load.observations(series=series_id)
    yearly = obs[(obs["period_type"] == "year") & obs["is_preferred"] & obs["value"].notna()]
    yearly = yearly.assign(year=yearly["period_end"].dt.year)
    if yearly.empty:
        raise KeyError(f"no yearly values of {series_id!r}")
    unit = yearly["unit"].dropna().iloc[0] if yearly["unit"].notna().any() else None
    show_figure(benchmark_chart(yearly, f"{yearly['measure'].iloc[0]}：各地比较", unit))
    return yearly.pivot_table(index="year", columns="region", values="value")


def at_cutoffs(plan_id: str, region: str, cutoffs: list[str]) -> pd.DataFrame:
    """The same plan judged at several cut-offs, one column of judgements per cut-off."""
    data = frames()
    columns = {}
    for cut in cutoffs:
        ev = evaluate(data, as_of=cut)
        ev = ev[(ev["plan_id"] == plan_id) & (ev["region"] == region)].set_index("name")
        columns[cut] = ev["progress_zh"] + " / " + ev["outlook_zh"].fillna("")
    return pd.DataFrame(columns)


def explorer():  # pragma: no cover - interactive
    """Drop-downs to pick plan, region, indicator and cut-off; the chart follows the choice."""
    import ipywidgets as widgets

    data = frames()
    ev = data["indicators"][data["indicators"]["target_kind"].isin(["annual", "cumulative", "level"])]
    settings = data["evaluation_settings"]
    plans = sorted(ev["plan_id"].unique())
    plan = widgets.Dropdown(options=plans, description="规划")
    region = widgets.Dropdown(description="地区")
    indicator = widgets.Dropdown(description="指标")
    cutoff = widgets.Text(value="", description="截止日期", placeholder="YYYY-MM-DD，留空=默认")

    def refresh(*_: object) -> None:
        region.options = sorted(settings[settings["plan_id"] == plan.value]["region"].unique())
        rows = ev[ev["plan_id"] == plan.value]
        indicator.options = list(zip(rows["name"], rows["indicator_id"]))

    plan.observe(refresh, names="value")
    refresh()
    return widgets.interactive(lambda plan, region, indicator, as_of: trend(plan, region, indicator, as_of) if
                               region and indicator else None, plan=plan, region=region, indicator=indicator,
                               as_of=cutoff)
