"""One-line loaders for researchers: typed, schema-checked frames from data/processed.

>>> from analysis import load
>>> load.indicators(plan="minhang-15")          # doctest: +SKIP
>>> load.observations(series="skills_training")  # doctest: +SKIP

Every loader reads Parquet and checks it against the dataset's schema, so a stale or
hand-edited file is caught here rather than deep inside an analysis.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import datasets


def dataset(name: str, *, folder: Path | None = None) -> pd.DataFrame:
    """Any processed dataset by name (see ``analysis.datasets.DATASETS``)."""
    return datasets.read(name, folder)


def _filter(frame: pd.DataFrame, **conditions: str | list[str] | None) -> pd.DataFrame:
    for column, wanted in conditions.items():
        if wanted is None:
            continue
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        frame = frame[frame[column].isin(values)]
    return frame.reset_index(drop=True)


def plans(*, folder: Path | None = None) -> pd.DataFrame:
    """Every plan: id, title, region, period, base year."""
    return dataset("plans", folder=folder)


def indicators(plan: str | list[str] | None = None, *, kind: str | list[str] | None = None,
               folder: Path | None = None) -> pd.DataFrame:
    """Targets, one row each; ``plan`` and ``kind`` (annual, cumulative, level, ...) filter."""
    return _filter(dataset("indicators", folder=folder), plan_id=plan, target_kind=kind)


def observations(series: str | list[str] | None = None, *, region: str | list[str] | None = None,
                 plan: str | list[str] | None = None, folder: Path | None = None) -> pd.DataFrame:
    """Observed values in long form; filter by series (indicator id), region or plan."""
    return _filter(dataset("observations", folder=folder), series_id=series, region=region, plan_id=plan)


def responsibilities(department: str | list[str] | None = None, *, plan: str | list[str] | None = None,
                     folder: Path | None = None) -> pd.DataFrame:
    """Who is responsible for which item or indicator."""
    return _filter(dataset("responsibilities", folder=folder), department=department, plan_id=plan)


def items(plan: str | list[str] | None = None, *, folder: Path | None = None) -> pd.DataFrame:
    """Topics, indicators and tasks from the evaluation tables."""
    return _filter(dataset("items", folder=folder), plan_id=plan)


def departments(*, folder: Path | None = None) -> pd.DataFrame:
    """Departments named in the documents."""
    return dataset("departments", folder=folder)


def evaluation_settings(plan: str | list[str] | None = None, *, folder: Path | None = None) -> pd.DataFrame:
    """Each evaluation's type and data cut-offs."""
    return _filter(dataset("evaluation_settings", folder=folder), plan_id=plan)


def evaluations(plan: str | list[str] | None = None, *, region: str | list[str] | None = None,
                folder: Path | None = None) -> pd.DataFrame:
    """The engine's judgement of every target (``make evaluate``)."""
    return _filter(dataset("evaluations", folder=folder), plan_id=plan, region=region)


def milestones(*, folder: Path | None = None) -> pd.DataFrame:
    """The schedule of each evaluation exercise."""
    return dataset("milestones", folder=folder)
