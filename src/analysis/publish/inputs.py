"""What each report depends on: the rows of the processed data it can read, and the code.

A report's fingerprint used to include the hash of the whole ``manifest.json`` and
``evaluations.parquet``, so filling one district's workbook rebuilt every report in the
batch. Here each report has a *scope* — the plans it is about and their regions — and its
fingerprint covers only the rows of each dataset that fall in that scope:

- a plan report: its plan and its region;
- a department brief: every plan in which the department is responsible for an item, and
  those plans' evaluated regions.

Rows are in scope by the keys they carry, so a new dataset is covered without naming it here:

- ``region``: in the scope's regions, or a benchmark row (``is_benchmark``: the comparison
  regions a report draws on its 对标 charts), or a value of a series the scope's plans cite
  (``evidence.series_id``, ``passages.series_ids``: a national figure beside a city plan);
- ``plan_id``: in the scope's plans — except for observations (rows with a ``series_id``),
  where every value of the scope's regions counts whatever plan it came with: a report may
  use a figure of the previous plan (a new plan's base) or a published series as context;
- ``department``: for a brief, every row naming its department (in any plan: a brief shows
  the risks and assessments its department entered); the other departments' rows of the
  scope's plans are in scope too, since a brief lists who shares each item.

A dataset with none of these keys (documents, departments, milestones, risk areas, …) is
small and shared: it is hashed whole. The rule errs on the side of rebuilding: a row can be
in the scope of a report that does not show it, never out of the scope of one that does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

import numpy as np
import pandas as pd

from analysis.publish.batch import Job


@dataclass(frozen=True)
class Scope:
    """The plans and regions a report is about."""

    plans: frozenset[str]
    regions: frozenset[str]
    department: str | None = None
    #: series the scope's plans cite from elsewhere (evidence, passages): national figures, say
    series: frozenset[str] = frozenset()


def _cited_series(frames: dict[str, pd.DataFrame], plans: set[str]) -> frozenset[str]:
    """Series that the plans' evidence links and passages name, wherever their region."""
    cited: set[str] = set()
    for name, column in (("evidence", "series_id"), ("passages", "series_ids")):
        frame = frames.get(name)
        if frame is None or column not in frame.columns or "plan_id" not in frame.columns:
            continue
        for cell in frame.loc[frame["plan_id"].isin(list(plans)), column].dropna():
            cited.update(x.strip() for x in str(cell).replace("；", ";").split(";") if x.strip())
    return frozenset(cited)


def scope_of(job: Job, frames: dict[str, pd.DataFrame]) -> Scope:
    """The scope of one report, read from its parameters and the data."""
    scope = _scope_of(job, frames)
    return Scope(scope.plans, scope.regions, scope.department, _cited_series(frames, set(scope.plans)))


def _scope_of(job: Job, frames: dict[str, pd.DataFrame]) -> Scope:
    p = job.parameters
    settings = frames.get("evaluation_settings", pd.DataFrame(columns=["plan_id", "region"]))
    if job.kind == "department" and p.get("department"):
        resp = frames.get("responsibilities", pd.DataFrame(columns=["plan_id", "department"]))
        plans = set(resp.loc[resp["department"] == p["department"], "plan_id"].dropna())
        if p.get("plans"):
            plans &= {x.strip() for x in str(p["plans"]).split(",")}
        regions = set(settings.loc[settings["plan_id"].isin(plans), "region"].dropna())
        return Scope(frozenset(plans), frozenset(regions), str(p["department"]))
    plan = p.get("plan_id")
    region = p.get("region")
    plans = {plan} if plan else set(settings["plan_id"].dropna())
    regions = {region} if region else set(settings.loc[settings["plan_id"].isin(plans), "region"].dropna())
    return Scope(frozenset(plans), frozenset(regions))


def _in(values: pd.Series, allowed: Iterable[str]) -> np.ndarray:
    return values.isin(list(allowed)).to_numpy(dtype=bool, na_value=False)


def rows_in_scope(frame: pd.DataFrame, scope: Scope) -> np.ndarray:
    """A boolean mask of the rows of a dataset that a report of ``scope`` may read."""
    keep = np.ones(len(frame), dtype=bool)
    cols = frame.columns
    if "region" in cols:
        benchmark = (
            frame["is_benchmark"].to_numpy(dtype=bool, na_value=False)
            if "is_benchmark" in cols
            else np.zeros(len(frame), dtype=bool)
        )
        cited = _in(frame["series_id"], scope.series) if "series_id" in cols else np.zeros(len(frame), bool)
        keep &= _in(frame["region"], scope.regions) | benchmark | cited
    if "plan_id" in cols and "series_id" not in cols:
        keep &= _in(frame["plan_id"], scope.plans)
    if scope.department and "department" in cols:
        # what the department entered, in any plan ("养保处、就业处" names several)
        keep |= (
            frame["department"]
            .astype("str")
            .str.contains(scope.department, regex=False)
            .to_numpy(dtype=bool, na_value=False)
        )
    return keep


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row of values, computed once per dataset (the column names are
    hashed beside the rows, in ``data_fingerprints``)."""
    if frame.empty:
        return np.zeros(0, np.uint64)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def data_fingerprints(jobs: list[Job], frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """``kind/slug`` → a hash of the rows each report may read (see the module's rules)."""
    hashed = {name: _row_hashes(frame) for name, frame in sorted(frames.items())}
    out: dict[str, str] = {}
    for job in jobs:
        scope = scope_of(job, frames)
        h = hashlib.sha256()
        for name, frame in sorted(frames.items()):
            h.update(f"{name}:{','.join(map(str, frame.columns))}:".encode())
            mask = rows_in_scope(frame, scope)
            h.update(hashed[name][mask].tobytes())
        out[f"{job.kind}/{job.slug}"] = h.hexdigest()
    return out


#: The date written into a report's files when its data carry none (ZIP's earliest date).
EPOCH = "1980-01-01"


def source_dates(jobs: list[Job], frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """``kind/slug`` → the date a report's files carry as created and modified (ISO, UTC).

    Not the build's clock, so two builds of the same inputs give the same bytes: the date the
    report speaks for — the latest evaluation date (``as_of``) among the evaluations in its
    scope, else the latest cut-off of its evaluation settings, else the data's latest
    evaluation date. ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) overrides."""
    import os
    from datetime import datetime

    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        stamp = datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), UTC).strftime("%Y-%m-%d")
        return {f"{j.kind}/{j.slug}": stamp for j in jobs}
    evaluations = frames.get("evaluations", pd.DataFrame())
    settings = frames.get("evaluation_settings", pd.DataFrame())
    fallback = _latest(evaluations, "as_of", np.ones(len(evaluations), bool)) or EPOCH
    out = {}
    for job in jobs:
        scope = scope_of(job, frames)
        out[f"{job.kind}/{job.slug}"] = (
            _latest(evaluations, "as_of", rows_in_scope(evaluations, scope))
            or _latest(settings, "annual_cutoff", rows_in_scope(settings, scope))
            or fallback
        )
    return out


def _latest(frame: pd.DataFrame, column: str, mask: np.ndarray) -> str | None:
    if column not in frame.columns or not mask.any():
        return None
    latest = pd.to_datetime(frame.loc[mask, column], errors="coerce").max()
    return None if pd.isna(latest) else latest.strftime("%Y-%m-%d")


__all__ = ["Scope", "data_fingerprints", "rows_in_scope", "scope_of", "source_dates"]
