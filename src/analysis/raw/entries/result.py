"""What reading the workbooks yields: the checked frames and the problems, as the build takes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis import datasets
from analysis.raw.errors import Problem


@dataclass
class EntryResult:
    """What the filled workbooks hold, checked: four frames and every problem found.

    ``observations`` holds only the new, typed-in observations (in the columns of
    ``schemas/observations.yml``); ``merge`` adds them to the build's own. ``surveys`` is
    every accepted row of the optional 满意度与第三方评估 sheet.
    """

    assessments: pd.DataFrame
    risks: pd.DataFrame
    observations: pd.DataFrame
    surveys: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def conform_rows(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as dataset ``name``: columns the schema declares and a row lacks get their default."""
    spec = datasets.spec(name)
    defaults = {c: (False if d["dtype"] == "bool" else None) for c, d in spec.columns.items()}
    frame = pd.DataFrame(
        [{c: r.get(c, defaults[c]) for c in spec.column_names} for r in rows], columns=spec.column_names
    )
    for col, decl in spec.columns.items():
        if decl["dtype"] == "date":
            frame[col] = pd.to_datetime(frame[col])
        elif decl["dtype"] == "float":
            frame[col] = frame[col].astype("float64")
        elif decl["dtype"] == "bool":
            frame[col] = frame[col].astype(bool)
    return datasets.conform(name, frame)
