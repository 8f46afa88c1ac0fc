"""Per evaluation row, the facts its judgement needs, computed for all rows at once.

From the observations known at a row's cut-off: how many yearly points there are, the
latest value and year, the base-year value, the sum and spread of yearly flows inside the
plan period, a linear trend (as sums, so one groupby serves every row), the latest total
over the plan period (a plan often reports "累计" only), the latest year-to-date value, and
the previous plan's total for a new plan's feasibility. No loop runs per series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BREAK_WORDS = ("不再", "更名", "口径", "停止")


def row_facts(rows: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    """One row of facts per evaluation row (index aligned with ``rows``)."""
    out = pd.DataFrame(index=rows.index)
    plan = rows[["period_start", "period_end", "base_year", "data_year"]].rename(
        columns={"period_start": "plan_start", "period_end": "plan_end"})
    k = known.join(plan, on="row")
    k["year"] = k["period_end"].dt.year
    k["start_year"] = k["period_start"].dt.year

    yearly = k[(k["period_type"] == "year") & k["value"].notna()]
    _yearly_facts(out, yearly)
    _totals(out, k[(k["period_type"] == "plan_period") & k["value"].notna()])
    _stocks(out, k[(k["period_type"] == "stock") & k["value"].notna()])
    _ytd(out, k[(k["period_type"] == "ytd") & k["value"].notna()], yearly)
    status = k[k["status"].notna()].sort_values("year").groupby("row")["status"].last()
    out["status"] = status.reindex(out.index)
    notes = k[k["note"].fillna("").str.contains("|".join(BREAK_WORDS))]
    out["break_note"] = notes.groupby("row")["note"].agg(lambda s: "；".join(dict.fromkeys(s))).reindex(out.index)
    return out


def _yearly_facts(out: pd.DataFrame, yearly: pd.DataFrame) -> None:
    g = yearly.sort_values("year").groupby("row")
    out["n_years"] = g.size().reindex(out.index).fillna(0).astype(int)
    out["latest_year"] = g["year"].last().reindex(out.index)
    out["latest_value"] = g["value"].last().reindex(out.index)
    out["first_year"] = g["year"].first().reindex(out.index)
    out["first_value"] = g["value"].first().reindex(out.index)
    base = yearly[yearly["year"] == yearly["base_year"]].groupby("row")["value"].last()
    out["base_value"] = base.reindex(out.index)

    in_plan = yearly[(yearly["year"] >= yearly["plan_start"]) & (yearly["year"] <= yearly["plan_end"])]
    gp = in_plan.groupby("row")
    out["plan_years"] = gp.size().reindex(out.index).fillna(0).astype(int)
    out["plan_sum"] = gp["value"].sum().reindex(out.index)
    out["plan_min"] = gp["value"].min().reindex(out.index)
    out["plan_max"] = gp["value"].max().reindex(out.index)
    out["plan_last_year"] = gp["year"].max().reindex(out.index)

    # Flow statistics over every known year (more years give a better spread).
    out["flow_mean"] = g["value"].mean().reindex(out.index)
    out["flow_sd"] = g["value"].std(ddof=1).reindex(out.index)

    # Linear trend as sums: slope b = Sxy / Sxx, residual variance from the same sums.
    x = yearly["year"].astype(float)
    y = yearly["value"].astype(float)
    sums = pd.DataFrame({"row": yearly["row"], "n": 1.0, "x": x, "y": y, "xx": x * x, "xy": x * y, "yy": y * y})
    s = sums.groupby("row").sum().reindex(out.index)
    n = s["n"]
    sxx = s["xx"] - s["x"] ** 2 / n
    sxy = s["xy"] - s["x"] * s["y"] / n
    syy = s["yy"] - s["y"] ** 2 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = sxy / sxx
        out["trend_slope"] = slope
        out["trend_xbar"] = s["x"] / n
        out["trend_ybar"] = s["y"] / n
        out["trend_sxx"] = sxx
        out["trend_sse"] = (syy - slope * sxy).clip(lower=0)


def _totals(out: pd.DataFrame, totals: pd.DataFrame) -> None:
    """Totals over years: inside the plan (累计 so far) and the previous plan's (for feasibility)."""
    inside = totals[totals["start_year"] == totals["plan_start"]].sort_values("year").groupby("row")
    out["total_value"] = inside["value"].last().reindex(out.index)
    out["total_end_year"] = inside["year"].last().reindex(out.index)
    out["total_comparator"] = inside["comparator"].last().reindex(out.index)
    before = totals[totals["year"] <= totals["base_year"]].sort_values("year").groupby("row")
    out["prev_total"] = before["value"].last().reindex(out.index)
    last = before.last().reindex(out.index)
    out["prev_years"] = last["year"] - last["start_year"] + 1


def _stocks(out: pd.DataFrame, stocks: pd.DataFrame) -> None:
    """A level reported once at a date (完成情况 "65%以上"): the latest, if newer than any yearly value."""
    g = stocks.sort_values("year").groupby("row")
    out["stock_value"] = g["value"].last().reindex(out.index)
    out["stock_year"] = g["year"].last().reindex(out.index)
    out["stock_comparator"] = g["comparator"].last().reindex(out.index)


def _ytd(out: pd.DataFrame, ytd: pd.DataFrame, yearly: pd.DataFrame) -> None:
    """The latest year-to-date value after the last full year, and the share of the year the
    same months held in earlier years (seasonal share), where earlier years allow it."""
    current = ytd[ytd["year"] == ytd["data_year"] + 1].copy()
    current["month"] = current["period_end"].dt.month
    g = current.sort_values("period_end").groupby("row")
    out["ytd_value"] = g["value"].last().reindex(out.index)
    out["ytd_month"] = g["month"].last().reindex(out.index)
    earlier = ytd[ytd["year"] <= ytd["data_year"]].copy()
    earlier["month"] = earlier["period_end"].dt.month
    full = yearly[["row", "year", "value"]].rename(columns={"value": "year_value"})
    pairs = earlier.merge(full, on=["row", "year"])
    pairs["share"] = pairs["value"] / pairs["year_value"]
    wanted = out["ytd_month"].dropna().astype(int).rename("month").rename_axis("row").reset_index()
    shares = pairs.merge(wanted, on=["row", "month"]).groupby("row")["share"].mean()
    out["seasonal_share"] = shares.reindex(out.index)
