"""Which observations a report shows: one set of rules for the tables, charts, sentences and
source lists of a report, and for the test that lists observations no report uses.

Every rule applies the evaluation's cut-off: yearly, stock and plan-period values up to the
annual cut-off, monthly and year-to-date values up to the monthly one (or the annual one when
the evaluation sets none). Only preferred values are shown (another source for the same period
is the one the evaluation uses).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTHLY = ("month", "ytd")


def within_cutoff(obs: pd.DataFrame, annual: pd.Timestamp, monthly: pd.Timestamp | None = None) -> pd.Series:
    """True for observations published for periods up to the cut-offs."""
    limit_m = monthly if monthly is not None and not pd.isna(monthly) else annual
    is_monthly = obs["period_type"].isin(MONTHLY)
    return pd.Series(np.where(is_monthly, obs["period_end"] <= limit_m, obs["period_end"] <= annual), index=obs.index)


def _base(obs: pd.DataFrame, region: str, annual: pd.Timestamp, monthly: pd.Timestamp | None) -> pd.Series:
    return obs["is_preferred"] & (obs["region"] == region) & within_cutoff(obs, annual, monthly)


def own(
    obs: pd.DataFrame, series_id: str, region: str, annual: pd.Timestamp, monthly: pd.Timestamp | None = None
) -> pd.DataFrame:
    """The target's own values for the region, up to the cut-off."""
    return obs[_base(obs, region, annual, monthly) & ~obs["is_benchmark"] & (obs["series_id"] == series_id)]


def related(
    obs: pd.DataFrame, series_id: str, region: str, annual: pd.Timestamp, monthly: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Variants of the target's measure (another age band, another population): a series id that
    extends the indicator id (``schooling_years_15_59`` for ``schooling_years``). Shown with the
    caveat that the 口径 differs, never judged."""
    return obs[
        _base(obs, region, annual, monthly) & ~obs["is_benchmark"] & obs["series_id"].str.startswith(f"{series_id}_")
    ]


def yearly_points(rows: pd.DataFrame) -> pd.DataFrame:
    """Yearly values with a ``year`` column, one per year (the preferred source)."""
    y = rows[(rows["period_type"] == "year") & rows["value"].notna()]
    return y.assign(year=y["period_end"].dt.year).drop_duplicates("year").sort_values("year")


def benchmarks(obs: pd.DataFrame, series_ids: list[str], region: str, annual: pd.Timestamp) -> dict[str, dict]:
    """Like-with-like comparisons per series: rates only (a count depends on a region's size),
    the same unit, the same years. Returns, per series, the comparable rows (own region and
    others, years shared) or the reason it is left out."""
    out: dict[str, dict] = {}
    year = obs["period_type"].eq("year") & obs["is_preferred"] & obs["value"].notna() & (obs["period_end"] <= annual)
    for sid in series_ids:
        rows = obs[year & (obs["series_id"] == sid)]
        others = rows[rows["is_benchmark"] | (rows["region"] == "全国")]
        others = others[others["region"] != region]
        mine = rows[(rows["region"] == region) & ~rows["is_benchmark"]]
        if others.empty:
            continue
        unit = mine["unit"].dropna().iloc[0] if mine["unit"].notna().any() else None
        if unit != "%":
            out[sid] = {"rows": None, "reason": "count" if unit is not None else "no_own"}
            continue
        others = others[others["unit"] == unit]
        years = sorted(set(mine["period_end"].dt.year) & set(others["period_end"].dt.year))
        if not years:
            out[sid] = {"rows": None, "reason": "no_common_year"}
            continue
        both = pd.concat([mine, others])
        both = both[both["period_end"].dt.year.isin(years)]
        out[sid] = {"rows": both.assign(year=both["period_end"].dt.year), "reason": None, "years": years}
    return out


def passage_series(passages: pd.DataFrame, plan_ids: list[str]) -> set[str]:
    cells = passages.loc[passages["plan_id"].isin(plan_ids), "series_ids"].dropna()
    return {s.strip() for c in cells for s in c.split(";") if s.strip()}


def evidence(
    frames: dict[str, pd.DataFrame],
    plan_id: str,
    indicator_id: str | None,
    region: str,
    annual: pd.Timestamp,
    monthly: pd.Timestamp | None = None,
) -> list[tuple[str, str, pd.DataFrame]]:
    """Series linked as evidence for a target (or, with ``indicator_id`` None, for the plan as a
    whole: then the nation's values too), as (relation, note, rows up to the cut-off)."""
    links = frames["evidence"]
    links = links[links["plan_id"] == plan_id]
    links = (
        links[links["indicator_id"].isna()] if indicator_id is None else links[links["indicator_id"] == indicator_id]
    )
    obs = frames["observations"]
    regions = [region] if indicator_id is not None else list(dict.fromkeys([region, "全国"]))
    out = []
    for link in links.itertuples():
        rows = pd.concat([own(obs, link.series_id, r, annual, monthly) for r in regions])
        if len(rows):
            out.append((str(link.relation), link.note if isinstance(link.note, str) else "", rows))
    return out


def declared_base(
    frames: dict[str, pd.DataFrame], plan_id: str, indicator_id: str, region: str, annual: pd.Timestamp
) -> tuple[pd.Series, pd.Series] | None:
    """The base value a new plan's target is judged against where the document gives it under
    another measure (``base_values``), as (link, observation), if published by the cut-off."""
    links = frames.get("base_values")
    if links is None or links.empty:
        return None
    link = links[(links["plan_id"] == plan_id) & (links["indicator_id"] == indicator_id) & (links["region"] == region)]
    if link.empty:
        return None
    obs = frames["observations"]
    first = link.iloc[0]
    rows = obs[
        obs["is_preferred"]
        & (obs["series_id"] == first["series_id"])
        & (obs["region"] == region)
        & (obs["period"] == first["period"])
        & (obs["period_end"] <= annual)
    ]
    return (first, rows.iloc[0]) if len(rows) else None
