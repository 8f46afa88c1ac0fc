"""What every build step shares: the raw catalog, the problems found so far, the lineage of
every raw row, and the small helpers the steps use to read cells.

A step never raises on bad input: it appends a ``Problem`` (file, row, column, found, expected)
and goes on, so one build reports every problem at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis import datasets
from analysis.raw.catalog import RawCatalog
from analysis.raw.errors import Problem
from analysis.raw.table import ROW, RawTable
from analysis.sources import SourceColumns


@dataclass
class Context:
    """The catalog and what the steps collect: problems (errors), warnings, values to review,
    and the lineage (how many rows of each raw file went to which dataset)."""

    catalog: RawCatalog
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lineage: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: values far from their series, to review (warnings, recorded in manifest.json)
    review: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        catalog = self.catalog
        self.plans = catalog.combined("plans").set_index("plan_id", drop=False)
        self.departments = set(catalog.combined("departments")["department"])
        self.document_paths = catalog.document_paths()
        self.issued_years = {
            r["file"]: int(str(r["issued"])[:4])
            for r in catalog.combined("documents").to_dict("records")
            if re.match(r"\d{4}", str(r["issued"]))
        }

    def check_years_in_order(self, table: RawTable) -> None:
        """A period_start after its period_end, for every row of a file with both years."""
        frame = table.frame
        for _, r in frame[frame["period_start"] > frame["period_end"]].iterrows():
            self.problems.append(
                table.problem(
                    r[ROW], "period_end", str(r["period_end"]), f"a year not before period_start ({r['period_start']})"
                )
            )

    def record(self, table: RawTable, rows_out: int, to: str) -> None:
        """Count ``rows_out`` rows of ``table`` as gone to dataset ``to`` (the manifest's lineage)."""
        entry = self.lineage.setdefault(table.name, {"rows_in": len(table.frame), "rows_out": {}})
        entry["rows_out"][to] = entry["rows_out"].get(to, 0) + rows_out


def row_source(row: pd.Series, extra: str = "") -> SourceColumns:
    """The source columns of a row read from a raw table that cites a document (``extra`` is
    added to the location: the column of a table row a value is read from, " 完成情况")."""
    return {"source_document": row["source_document"], "source_location": f"{row['source_location']}{extra}"}


def first_per_cell(problems: list[Problem]) -> list[Problem]:
    """One problem per cell: the first check that fails there is the most specific (a second
    preferred row in another unit is also a change of unit, and also not the indicator's)."""
    seen: set[tuple] = set()
    kept = []
    for p in problems:
        where = (p.file, p.sheet, p.row, p.column)
        if p.row is None or where not in seen:
            kept.append(p)
        seen.add(where)
    return kept


def same(a: Any, b: Any) -> bool:
    if a is None or (isinstance(a, float) and a != a):
        return b is None or (isinstance(b, float) and b != b)
    return a == b


def concat(frames: list[pd.DataFrame], name: str) -> pd.DataFrame:
    if frames:
        return pd.concat(frames, ignore_index=True)
    return pd.DataFrame(columns=datasets.spec(name).column_names)
