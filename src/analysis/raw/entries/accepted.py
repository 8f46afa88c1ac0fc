"""Accepted rows by key: the same entry again is kept once, a different one for the key is a problem.

The same workbook dropped in twice, or a row copied into a colleague's file, must not count
twice, nor stop the build; two departments' rows for the same key that differ must not
silently replace each other. Rows kept once remember every place they were entered, so the
frame cites them all.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis import sources
from analysis.raw.entries.result import conform_rows
from analysis.raw.entries.values import same
from analysis.raw.entries.workbook import Row
from analysis.raw.errors import Problem


class Accepted:
    """The accepted records of one sheet by key: each record (every column but the source) and
    the rows it was entered in, first one first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.by_key: dict[tuple, tuple[dict[str, Any], list[Row]]] = {}

    def keep(self, key: tuple, record: dict[str, Any], row: Row, rule: str) -> None:
        """Accept ``record`` under ``key``, or note ``row`` as one more place of the same entry,
        or record a problem naming the first differing column and the row entered first."""
        if key not in self.by_key:
            self.by_key[key] = (record, [row])
            return
        earlier, rows = self.by_key[key]
        differs = [c for c in record if not same(record[c], earlier[c])]
        if not differs:
            rows.append(row)  # the same entry again (a second copy of the workbook): kept once
            return
        labels = [row.labels.get(c, c) for c in differs]
        self.problems.append(
            row.problem(
                differs[0],
                f"an entry that differs in {labels} from {rows[0].where()}",
                f"{rule}: correct or remove one of them",
            )
        )

    def frame(self, name: str) -> pd.DataFrame:
        """The records as dataset ``name``, each citing every row it was entered in as its source."""
        rows = [{**record, **sources.columns(r.source for r in where)} for record, where in self.by_key.values()]
        return conform_rows(name, rows)
