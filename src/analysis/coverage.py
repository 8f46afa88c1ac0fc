"""Which indicator-years have a sourced value, and which are still missing (数据暂缺).

A trend needs a value for each year from a plan's base year to the latest published
year. This module counts, per plan, region and quantitative indicator, the years that have
a preferred yearly observation and lists the years that do not, so the gaps are data the
reports and ``docs/data-gaps.md`` can show, not something discovered late.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.generated import replace_block
from analysis.targets import QUANTITATIVE_KINDS


@dataclass(frozen=True)
class Coverage:
    """One row per (plan, region, indicator): years expected, filled and missing."""

    table: pd.DataFrame

    def totals(self) -> pd.DataFrame:
        """Filled and possible indicator-years per plan and region."""
        t = self.table.groupby(["plan_id", "region"], as_index=False)[["n_expected", "n_filled"]].sum()
        return t.rename(columns={"n_expected": "possible", "n_filled": "filled"})


def plan_regions(plans: pd.DataFrame, settings: pd.DataFrame) -> pd.DataFrame:
    """Every (plan, region) that is evaluated: the plan's own region, and each evaluation's."""
    own = plans[["plan_id", "region"]]
    evaluated = settings[["plan_id", "region"]]
    return pd.concat([own, evaluated]).drop_duplicates().reset_index(drop=True)


def coverage(frames: dict[str, pd.DataFrame], latest_year: int) -> Coverage:
    """Yearly coverage of every quantitative indicator, from base year to ``latest_year``.

    ``latest_year`` is the last year whose figures could be published (the year before the
    current one); years after a plan's end are not expected.
    """
    indicators = frames["indicators"]
    indicators = indicators[indicators["target_kind"].isin(QUANTITATIVE_KINDS)]
    obs = frames["observations"]
    yearly = obs[(obs["period_type"] == "year") & obs["is_preferred"] & obs["value"].notna()].copy()
    yearly["year"] = yearly["period_end"].dt.year
    have = set(zip(yearly["series_id"], yearly["region"], yearly["year"]))
    rows = []
    pairs = plan_regions(frames["plans"], frames["evaluation_settings"])
    for ind in indicators.itertuples():
        for region in pairs.loc[pairs["plan_id"] == ind.plan_id, "region"]:
            years = list(range(int(ind.base_year), min(int(ind.period_end), latest_year) + 1))
            filled = [y for y in years if (ind.indicator_id, region, y) in have]
            missing = [y for y in years if y not in filled]
            rows.append(
                {
                    "plan_id": ind.plan_id,
                    "region": region,
                    "indicator_id": ind.indicator_id,
                    "name": ind.name,
                    "n_expected": len(years),
                    "n_filled": len(filled),
                    "filled_years": ",".join(map(str, filled)),
                    "missing_years": ",".join(map(str, missing)),
                }
            )
    return Coverage(pd.DataFrame(rows))


def latest_published_year(observations: pd.DataFrame) -> int:
    """The last year any yearly value in the data is for: gaps are counted up to it."""
    yearly = observations[observations["period_type"] == "year"]
    return int(yearly["period_end"].dt.year.max())


BEGIN, END = "<!-- BEGIN GENERATED: python -m analysis gaps -->", "<!-- END GENERATED -->"


def update_gaps_document(text: str, generated: str) -> str:
    """Replace the generated block of docs/data-gaps.md, keeping the hand-written parts."""
    return replace_block(text, BEGIN, END, generated)


def gaps_markdown(cov: Coverage, latest_year: int) -> str:
    """The generated part of docs/data-gaps.md."""
    lines = [
        f"Indicator-years from each plan's base year to {latest_year} (or the plan's end), "
        "counting preferred yearly values in `data/processed/observations`.",
        "",
        "| plan | region | filled | possible |",
        "|---|---|---:|---:|",
    ]
    for t in cov.totals().itertuples():
        lines.append(f"| {t.plan_id} | {t.region} | {t.filled} | {t.possible} |")
    lines += ["", "| plan | region | indicator | filled years | missing years |", "|---|---|---|---|---|"]
    for r in cov.table.itertuples():
        lines.append(
            f"| {r.plan_id} | {r.region} | {r.indicator_id} {r.name} | {r.filled_years or '—'} | "
            f"{r.missing_years or '—'} |"
        )
    return "\n".join(lines) + "\n"
