"""What every sheet's checks share: the build's frames as lookups, one list of problems, one cell reader.

The sheets are separate objects, but their problems must come out in the order the rows
were read, across sheets and files: so they all append to the one list held here, and read
cells through the one ``CellReader`` that appends to it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.raw.entries.cells import CellReader
from analysis.raw.errors import Problem
from analysis.workbook_layout import plan_risks


@dataclass
class Context:
    """The build's frames as the checks look them up, the problems found so far and the cell reader.

    ``indicators`` is the indicators row by (plan_id, indicator_id); ``items`` every
    (plan_id, item_type, item_id) an assessment may name, indicators included;
    ``known_risks`` the risk name by id of each plan's listed risks.
    """

    plans: pd.DataFrame
    indicators: dict[tuple, Any]
    items: set[tuple]
    known_risks: dict[str, dict[str, str]]
    problems: list[Problem]
    cells: CellReader

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame]) -> Context:
        """The lookups made once from the processed frames of the build, with no problems yet."""
        plans = frames["plans"].set_index("plan_id", drop=False)
        ind = frames["indicators"]
        indicators = {(r.plan_id, r.indicator_id): r for r in ind.itertuples()}
        items = {(r.plan_id, r.item_type, r.item_id) for r in frames["items"].itertuples()}
        items |= {(r.plan_id, "indicator", r.indicator_id) for r in ind.itertuples()}
        departments = list(frames["departments"]["department"])
        known_risks: dict[str, dict[str, str]] = {
            plan_id: {r.risk_id: r.risk for r in plan_risks(frames, plan_id).itertuples()} for plan_id in plans.index
        }
        problems: list[Problem] = []
        return cls(plans, indicators, items, known_risks, problems, CellReader(problems, plans, departments))
