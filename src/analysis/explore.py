"""What the exploration notebooks call: an indicator's trend with its target and projection,
regions side by side, the same plan at another cut-off, and interactive controls for them."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis import datasets, load
from analysis.charts import benchmark_chart, indicator_chart
from analysis.evaluate import evaluate
from analysis.report.display import show_figure
from analysis.targets import QUANTITATIVE_KINDS


def frames() -> dict[str, pd.DataFrame]:
    """Every processed dataset, read once per call."""
    return {name: datasets.read(name) for name in datasets.DATASETS}


#: Evaluations already worked out in this session, by cut-off ("" = the data's own), so that
#: an explorer's redraws and repeated calls do not run the whole engine again each time.
Evaluations = dict[str, pd.DataFrame]


def evaluations_at(data: dict[str, pd.DataFrame], as_of: str = "", cache: Evaluations | None = None) -> pd.DataFrame:
    """Every target judged at the data's own cut-offs — the rows `make evaluate` stored, which
    the reports print — or at ``as_of`` (computed; a cut-off of one's choice has no stored rows)."""
    if cache is not None and as_of in cache:
        return cache[as_of]
    ev: pd.DataFrame | None = None
    if not as_of:
        try:
            ev = datasets.read("evaluations")
        except FileNotFoundError:  # not evaluated yet: the engine gives the same rows
            ev = None
    if ev is None:
        ev = evaluate(data, as_of=as_of or None)
    if cache is not None:
        cache[as_of] = ev
    return ev


def evaluation(
    plan_id: str,
    region: str,
    indicator_id: str,
    as_of: str = "",
    data: dict[str, pd.DataFrame] | None = None,
    cache: Evaluations | None = None,
) -> pd.Series:
    """The engine's row for one target, at the data's cut-off or at ``as_of``."""
    ev = evaluations_at(data or frames(), as_of, cache)
    match = ev[(ev["plan_id"] == plan_id) & (ev["region"] == region) & (ev["indicator_id"] == indicator_id)]
    if match.empty:
        raise KeyError(f"no evaluation of {plan_id}/{indicator_id} for {region}")
    return match.iloc[0]


def trend(
    plan_id: str,
    region: str,
    indicator_id: str,
    as_of: str = "",
    data: dict[str, pd.DataFrame] | None = None,
    cache: Evaluations | None = None,
) -> pd.Series:
    """Show one target's chart (observations, target, schedule path, projection band); return its row."""
    data = data or frames()
    row = evaluation(plan_id, region, indicator_id, as_of, data, cache)
    obs = data["observations"]
    yearly = obs[
        (obs["series_id"] == indicator_id)
        & (obs["region"] == region)
        & (obs["period_type"] == "year")
        & obs["is_preferred"]
        & obs["value"].notna()
        & (obs["period_end"] <= row["annual_cutoff"])
    ]
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


def cutoff_choices(data: dict[str, pd.DataFrame], plan_id: str) -> list[tuple[str, str]]:
    """The cut-offs offered for a plan: its own (the data's), every year-end from its base year
    to its last year, and the monthly cut-offs the evaluation plans name. Labels in Chinese,
    values as YYYY-MM-DD ("" = the data's own cut-offs). A list, not a text box: no date can be
    mistyped, and nothing is re-evaluated on each keystroke."""
    plan = data["plans"].set_index("plan_id").loc[plan_id]
    settings = data["evaluation_settings"]
    own = settings[settings["plan_id"] == plan_id]
    first = int(plan["base_year"]) if pd.notna(plan.get("base_year")) else int(plan["period_start"]) - 1
    dates = {f"{y}-12-31" for y in range(first, int(plan["period_end"]) + 1)}
    dates |= {d.strftime("%Y-%m-%d") for d in own["monthly_cutoff"].dropna()}
    return [("评估方案规定的截止日", "")] + [
        (d.replace("-", "年", 1).replace("-", "月", 1) + "日", d) for d in sorted(dates)
    ]


def explain_failure(exc: BaseException) -> str:
    """One line for the reader of the explorer, instead of a traceback in the widget."""
    if isinstance(exc, KeyError):
        return f"无法显示：{exc.args[0] if exc.args else exc}"
    return f"无法显示（{type(exc).__name__}）：{exc}"


def explorer() -> Any:
    """Drop-downs for plan, region, indicator and cut-off, preset so a chart shows on open; the
    chart follows each choice once it is made."""
    import ipywidgets as widgets

    data = frames()
    cache: Evaluations = {}  # each cut-off judged once however often the chart is redrawn
    ev = data["indicators"][data["indicators"]["target_kind"].isin(QUANTITATIVE_KINDS)]
    settings = data["evaluation_settings"]
    plans = sorted(set(ev["plan_id"]) & set(settings["plan_id"]))
    plan = widgets.Dropdown(options=plans, value=plans[0] if plans else None, description="规划")
    region = widgets.Dropdown(description="地区")
    indicator = widgets.Dropdown(description="指标")
    cutoff = widgets.Dropdown(description="截止日期")
    out = widgets.Output()

    def choices(*_: object) -> None:
        region.options = sorted(settings[settings["plan_id"] == plan.value]["region"].unique())
        rows = ev[ev["plan_id"] == plan.value]
        indicator.options = list(zip(rows["name"], rows["indicator_id"]))
        cutoff.options = cutoff_choices(data, plan.value)
        region.value = region.options[0] if region.options else None
        indicator.value = indicator.options[0][1] if indicator.options else None
        cutoff.value = ""

    def draw(*_: object) -> None:
        out.clear_output(wait=True)
        with out:
            if region.value and indicator.value:
                try:
                    trend(plan.value, region.value, indicator.value, cutoff.value or "", data, cache)
                except Exception as exc:
                    print(explain_failure(exc))

    plan.observe(choices, names="value")
    choices()
    for w in (plan, region, indicator, cutoff):
        w.observe(draw, names="value")
    draw()
    return widgets.VBox([widgets.HBox([plan, region]), widgets.HBox([indicator, cutoff]), out])
