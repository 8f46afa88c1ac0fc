"""The 满意度与第三方评估 sheet: survey results (人民群众获得感与满意度) and third-party assessments.

Document 000 §三 asks for the public's 获得感与满意度 and for third-party findings. Each plan's
workbook has a sheet for them: what kind, the finding, who carried it out, the sample, when,
and the report it comes from. Reports show what is filled; nothing here becomes a judgement of
a target. The sheet is optional (a workbook made before it existed is still read), which the
workbook walker knows from the layout; this module only checks the rows it is handed.
"""

from __future__ import annotations

import pandas as pd

from analysis.raw.entries.accepted import Accepted
from analysis.raw.entries.context import Context
from analysis.raw.entries.workbook import Row
from analysis.workbook_layout import SURVEY_COLUMNS, SURVEY_KINDS

#: Cells a survey row must have, as the report states them.
_REQUIRED_TEXT = ("finding", "conducted_by")


class SurveySheet:
    """Reads the 满意度与第三方评估 rows: every row with no problem is kept, in the order read.

    A survey has no id, so it is known by everything entered about it: the same row again in a
    second copy of the workbook (or in a colleague's file) is kept once and cites both places,
    as on the other sheets; two rows that differ in any cell are two surveys.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.accepted = Accepted(ctx.problems)

    def read(self, row: Row) -> None:
        """Check every cell of the row (each problem reported, in column order) and keep it when all are good."""
        read = self.ctx.cells
        plan_id = read.plan(row)
        kind = read.choice(row, "kind", SURVEY_KINDS)
        texts = self._texts(row)
        conducted_on = read.month_or_day(row, "conducted_on")
        if plan_id is None or kind is None or not texts or conducted_on is None:
            return
        record = {("report_title" if c.id == "source" else c.id): row.values[c.id] for c in SURVEY_COLUMNS} | {
            "conducted_on": conducted_on
        }
        self.accepted.keep(tuple(record.items()), record, row, "each survey once")

    def frame(self) -> pd.DataFrame:
        """The kept rows as the ``surveys`` dataset: the sheet's columns as typed (报告名称 as
        ``report_title``), then every workbook and row each was entered in."""
        return self.accepted.frame("surveys")

    def _texts(self, row: Row) -> bool:
        """Whether the finding and who carried it out are filled (a problem for each that is not)."""
        ok = True
        for column in _REQUIRED_TEXT:
            if not row.values[column]:
                self.ctx.problems.append(row.problem(column, "an empty cell", "the text as the report states it"))
                ok = False
        return ok
