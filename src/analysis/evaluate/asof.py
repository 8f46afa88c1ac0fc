"""What was known at a cut-off: the rows to evaluate and the observations each may use.

Document 000 fixes two cut-offs for its mid-term evaluation: annual data to 2022-12-31 and
monthly data to 2023-06-30. An evaluation at a cut-off may use a yearly (or multi-year)
value only if its period ended by the annual cut-off, and a year-to-date or monthly value
only if it ended by the monthly cut-off. Nothing published later leaks in.
"""

from __future__ import annotations

import pandas as pd

from analysis.evaluate.vocabulary import EVALUATION_TYPES

TARGET_COLUMNS = ["plan_id", "indicator_id", "seq", "name", "unit", "attribute", "target_kind", "comparator",
                  "target_value", "target_year", "target_text", "base_year", "period_start", "period_end", "name_note"]


def evaluation_rows(frames: dict[str, pd.DataFrame], as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per (evaluation of a plan for a region) × target, with its cut-offs.

    Without ``as_of`` each evaluation uses the cut-offs in the data (evaluation_settings).
    With ``as_of`` every evaluation is run at that date instead: yearly data to the end of
    the last full year before it, monthly data to the date itself.
    """
    settings = frames["evaluation_settings"][["evaluation_id", "plan_id", "region", "evaluation_type",
                                              "annual_cutoff", "monthly_cutoff"]].copy()
    if as_of is not None:
        stamp = pd.Timestamp(as_of)
        year_end = pd.Timestamp(year=stamp.year, month=12, day=31)
        settings["annual_cutoff"] = year_end if stamp == year_end else pd.Timestamp(year=stamp.year - 1, month=12,
                                                                                     day=31)
        settings["monthly_cutoff"] = stamp
    settings["monthly_cutoff"] = settings["monthly_cutoff"].fillna(settings["annual_cutoff"])
    rows = settings.merge(frames["indicators"][TARGET_COLUMNS], on="plan_id", how="inner")
    # plain floats: nullable integer columns would turn every ratio into a nullable array
    for col in ("seq", "target_year", "base_year", "period_start", "period_end", "target_value"):
        rows[col] = rows[col].astype("float64")
    rows["as_of"] = rows[["annual_cutoff", "monthly_cutoff"]].max(axis=1)
    rows["data_year"] = rows["annual_cutoff"].dt.year
    # The type follows the cut-off: at or after the plan's last year it is a final evaluation.
    rows["evaluation_type"] = EVALUATION_TYPES[0]
    rows.loc[rows["data_year"] >= rows["period_end"], "evaluation_type"] = EVALUATION_TYPES[1]
    rows.loc[rows["data_year"] < rows["period_start"], "evaluation_type"] = EVALUATION_TYPES[2]
    return rows.reset_index(drop=True)


def known_observations(rows: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """Observations of each row's own series and region that were known at its cut-offs.

    Only preferred, non-benchmark values; a row's key columns come along, so later steps
    can group by evaluation row (column ``row``).
    """
    obs = observations[observations["is_preferred"] & ~observations["is_benchmark"]]
    obs = obs[["series_id", "region", "period_type", "period_start", "period_end", "value", "comparator", "status",
               "note", "source"]].copy()
    for col in ("period_start", "period_end"):
        obs[col] = pd.to_datetime(obs[col])
    obs["value"] = obs["value"].astype("float64")
    keyed = rows[["evaluation_id", "indicator_id", "region", "annual_cutoff", "monthly_cutoff"]].reset_index(
        names="row")
    joined = keyed.merge(obs, left_on=["indicator_id", "region"], right_on=["series_id", "region"], how="inner")
    sub_year = joined["period_type"].isin(["ytd", "month"])
    known = (~sub_year & (joined["period_end"] <= joined["annual_cutoff"])) | (
        sub_year & (joined["period_end"] <= joined["monthly_cutoff"]))
    return joined[known].drop(columns=["series_id"]).reset_index(drop=True)
