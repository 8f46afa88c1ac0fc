"""One-line loaders for researchers: typed, schema-checked frames from data/processed.

>>> from analysis import load
>>> load.indicators(plan="minhang-15")          # doctest: +SKIP
>>> load.observations(series="skills_training")  # doctest: +SKIP

Every loader reads Parquet and checks it against the dataset's schema, so a stale or
hand-edited file is caught here rather than deep inside an analysis.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from analysis import datasets

#: What each filter column is called in an error message.
_WHAT = {
    "plan_id": "plan id",
    "target_kind": "kind",
    "series_id": "series id",
    "region": "region",
    "department": "department",
}


class UnknownValueError(KeyError):
    """A filter names a value that the dataset does not hold (a misspelt plan id, say)."""

    def __str__(self) -> str:  # KeyError would print the message with quotes around it
        return str(self.args[0])


def dataset(name: str, *, folder: Path | None = None) -> pd.DataFrame:
    """Any processed dataset by name (see ``analysis.datasets.DATASETS``)."""
    return datasets.read(name, folder)


#: Where the known values of a filter column are listed, beyond the dataset itself (a plan
#: without targets is still a plan: filtering indicators by it gives no rows, not an error).
_REGISTERS = {"plan_id": ("plans", "plan_id"), "department": ("departments", "department")}


def _known(frame: pd.DataFrame, column: str, folder: Path | None, name: str) -> list[str]:
    values = set(frame[column].dropna().astype(str))
    values |= {str(v) for v in datasets.spec(name).columns[column].get("isin", [])}  # every declared kind
    if column in _REGISTERS:
        name, col = _REGISTERS[column]
        values |= set(dataset(name, folder=folder)[col].dropna().astype(str))
    return sorted(values)


def _filter(name: str, folder: Path | None = None, **conditions: str | list[str] | None) -> pd.DataFrame:
    """Rows matching every condition. A value that exists nowhere in the data is an error
    naming the known values (and the close ones), not an empty frame: ``plan="minhang15"``
    must not look like a plan without targets."""
    frame = dataset(name, folder=folder)
    for column, wanted in conditions.items():
        if wanted is None:
            continue
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        known = _known(frame, column, folder, name)
        unknown = [v for v in values if v not in known]
        if unknown:
            what = _WHAT.get(column, column)
            close = sorted({m for v in unknown for m in difflib.get_close_matches(str(v), known, n=3, cutoff=0.6)})
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise UnknownValueError(
                f"unknown {what} {', '.join(map(repr, unknown))}{hint} Known {what}s: {', '.join(known) or '(none)'}"
            )
        frame = frame[frame[column].isin(values)]
    return frame.reset_index(drop=True)


def plans(*, folder: Path | None = None) -> pd.DataFrame:
    """Every plan: id, title, region, period, base year."""
    return dataset("plans", folder=folder)


def indicators(
    plan: str | list[str] | None = None, *, kind: str | list[str] | None = None, folder: Path | None = None
) -> pd.DataFrame:
    """Targets, one row each; ``plan`` and ``kind`` (annual, cumulative, level, ...) filter."""
    return _filter("indicators", folder, plan_id=plan, target_kind=kind)


def observations(
    series: str | list[str] | None = None,
    *,
    region: str | list[str] | None = None,
    plan: str | list[str] | None = None,
    folder: Path | None = None,
) -> pd.DataFrame:
    """Observed values in long form; filter by series (indicator id), region or plan."""
    return _filter("observations", folder, series_id=series, region=region, plan_id=plan)


def responsibilities(
    department: str | list[str] | None = None, *, plan: str | list[str] | None = None, folder: Path | None = None
) -> pd.DataFrame:
    """Who is responsible for which item or indicator."""
    return _filter("responsibilities", folder, department=department, plan_id=plan)


def items(plan: str | list[str] | None = None, *, folder: Path | None = None) -> pd.DataFrame:
    """Topics, indicators and tasks from the evaluation tables."""
    return _filter("items", folder, plan_id=plan)


def departments(*, folder: Path | None = None) -> pd.DataFrame:
    """Departments named in the documents."""
    return dataset("departments", folder=folder)


def evaluation_settings(plan: str | list[str] | None = None, *, folder: Path | None = None) -> pd.DataFrame:
    """Each evaluation's type and data cut-offs."""
    return _filter("evaluation_settings", folder, plan_id=plan)


def evaluations(
    plan: str | list[str] | None = None, *, region: str | list[str] | None = None, folder: Path | None = None
) -> pd.DataFrame:
    """The engine's judgement of every target (``make evaluate``)."""
    return _filter("evaluations", folder, plan_id=plan, region=region)


def milestones(*, folder: Path | None = None) -> pd.DataFrame:
    """The schedule of each evaluation exercise."""
    return dataset("milestones", folder=folder)
