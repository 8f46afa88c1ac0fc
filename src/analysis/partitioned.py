"""The evaluation engine over a panel split by region, on Dask: same output, byte for byte.

``evaluate`` judges every row from its own series only: the observations of its indicator in
its region, its plan's targets, its plan's assessments. So a panel can be split by region
and each part evaluated on its own. Here the regions are cut into ``npartitions`` contiguous
groups; each group's rows of ``evaluation_settings``, ``observations`` (its regions' values),
``indicators``, ``assessments`` and ``evidence`` (of the plans evaluated there) and
``base_values`` (its regions' declared bases) become one partition of six aligned
``dask.dataframe`` collections, and
``dask.dataframe.map_partitions`` runs ``evaluate`` on each. The parts are put back in the
engine's report order. A worker holds only its own regions' rows, so the memory per worker
falls with the number of partitions.

Where the whole panel does not fit one machine, build the partitions from files instead
(``dd.read_parquet(..., filters=[("region", "in", regions)])``): the function that evaluates a
partition is the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: The datasets ``evaluate`` reads.
ENGINE_INPUTS = ("evaluation_settings", "indicators", "observations", "assessments", "base_values", "evidence")


def region_groups(frames: dict[str, pd.DataFrame], npartitions: int) -> list[list[str]]:
    """The evaluated regions in sorted order, cut into ``npartitions`` contiguous groups of
    about the same number of evaluation rows."""
    settings = frames["evaluation_settings"]
    counts = settings.merge(frames["indicators"][["plan_id"]], on="plan_id").groupby("region").size()
    regions = sorted(settings["region"].astype(str).unique())
    weight = counts.reindex(regions).fillna(0).to_numpy(dtype=float) + 1
    edges = np.searchsorted(np.cumsum(weight) / weight.sum(), np.arange(1, npartitions) / npartitions)
    groups = [list(g) for g in np.split(np.array(regions, dtype=object), edges)]
    return [g for g in groups if g]


def split(frames: dict[str, pd.DataFrame], groups: list[list[str]]) -> list[dict[str, pd.DataFrame]]:
    """Each group's rows of the engine's inputs (a plan evaluated in two groups is in both)."""
    settings = frames["evaluation_settings"]
    obs = frames["observations"]
    parts = []
    for regions in groups:
        s = settings[settings["region"].isin(regions)]
        plans = s["plan_id"].unique()
        part = {
            "evaluation_settings": s,
            "indicators": frames["indicators"][frames["indicators"]["plan_id"].isin(plans)],
            "observations": obs[obs["region"].isin(regions)],
            "assessments": frames["assessments"][frames["assessments"]["plan_id"].isin(plans)]
            if "assessments" in frames
            else pd.DataFrame(),
            "base_values": frames["base_values"][frames["base_values"]["region"].isin(regions)]
            if "base_values" in frames
            else pd.DataFrame(),
            "evidence": frames["evidence"][frames["evidence"]["plan_id"].isin(plans)]
            if "evidence" in frames
            else pd.DataFrame(),
        }
        parts.append({k: v.reset_index(drop=True) for k, v in part.items()})
    return parts


def _evaluate_part(
    settings: pd.DataFrame,
    indicators: pd.DataFrame,
    observations: pd.DataFrame,
    assessments: pd.DataFrame,
    base_values: pd.DataFrame,
    evidence: pd.DataFrame,
    as_of: str | None = None,
) -> pd.DataFrame:
    from analysis.evaluate import evaluate

    frames = {
        "evaluation_settings": settings,
        "indicators": indicators,
        "observations": observations,
        "assessments": assessments,
        "base_values": base_values,
        "evidence": evidence,
    }
    return evaluate(frames, as_of=as_of).reset_index(drop=True)


def report_order(out: pd.DataFrame) -> pd.DataFrame:
    """Rows in the engine's report order: plan, region, evaluation, 序号 (stable)."""
    order = out.sort_values(["plan_id", "region", "evaluation_id", "seq"], kind="stable").index
    return out.loc[order].reset_index(drop=True)


def evaluate_by_region(
    frames: dict[str, pd.DataFrame], npartitions: int = 2, as_of: str | None = None, scheduler: Any = None
) -> pd.DataFrame:
    """``evaluate(frames, as_of)``, computed as ``npartitions`` region partitions on Dask.

    ``scheduler`` is what ``dask.compute`` takes: None (Dask's default, or the active
    ``distributed.Client``), ``"synchronous"``, ``"processes"``, or a Client."""
    import dask
    import dask.dataframe as dd

    parts = split(frames, region_groups(frames, npartitions))
    with dask.config.set({"dataframe.convert-string": False}):  # keep the engine's own string dtype
        return _compute(parts, as_of, scheduler, dd)


def _compute(parts: list[dict[str, pd.DataFrame]], as_of: str | None, scheduler: Any, dd: Any) -> pd.DataFrame:
    from analysis import datasets

    # the partitions' own dtypes are kept (enforce_metadata=False): meta only names the columns
    meta = pd.DataFrame({c: pd.Series(dtype="object") for c in datasets.spec("evaluations").column_names})
    collections = [
        dd.from_map(_same, [p[name] for p in parts], meta=parts[0][name].iloc[:0], enforce_metadata=False)
        for name in ENGINE_INPUTS
    ]
    result = dd.map_partitions(
        _evaluate_part, *collections, as_of=as_of, meta=meta, align_dataframes=False, enforce_metadata=False
    )
    # each partition's rows come back to the caller as they are, and are joined here: computing
    # the collection as one frame would join them on one worker, which then held every result
    import dask

    pieces = dask.compute(*result.to_delayed(), scheduler=scheduler)
    return report_order(pd.concat(pieces, ignore_index=True))


def _same(frame: pd.DataFrame) -> pd.DataFrame:
    """A partition's frame as it is. Each task carries its own frame only: a task that carried
    the partition's frames to pick one sent every worker each partition once per frame."""
    return frame


__all__ = ["evaluate_by_region", "region_groups", "report_order", "split"]
