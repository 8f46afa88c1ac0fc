"""The reader of a build's workbooks: the shared context, one object per sheet, one workbook walker.

Kept apart from the package's ``__init__`` so the public functions read as what they do,
and each part here can be read on its own: ``workbook`` walks files into rows, the sheets
check rows, and this module only wires them together and collects what they kept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.raw.entries.assessments import AssessmentSheet, RiskSheet
from analysis.raw.entries.context import Context
from analysis.raw.entries.observations import ObservationSheet
from analysis.raw.entries.published import PublishedFigures
from analysis.raw.entries.result import EntryResult, conform_rows
from analysis.raw.entries.surveys import SurveySheet
from analysis.raw.entries.workbook import WorkbookReader
from analysis.workbook_layout import ASSESSMENTS_SHEET, OBSERVATIONS_SHEET, RISKS_SHEET, SURVEYS_SHEET


class EntryReader:
    """Reads workbooks one by one into the sheets' accepted rows and one list of problems."""

    def __init__(self, entries_dir: Path, frames: dict[str, pd.DataFrame]) -> None:
        self.ctx = Context.from_frames(frames)
        self.observations = ObservationSheet(self.ctx, PublishedFigures(frames["observations"], self.ctx.problems))
        self.assessments = AssessmentSheet(self.ctx)
        self.risks = RiskSheet(self.ctx)
        self.surveys = SurveySheet(self.ctx)
        handlers = {
            OBSERVATIONS_SHEET: self.observations.read,
            ASSESSMENTS_SHEET: self.assessments.read,
            RISKS_SHEET: self.risks.read,
            SURVEYS_SHEET: self.surveys.read,
        }
        self.workbooks = WorkbookReader(entries_dir.parent, self.ctx.problems, handlers, self.ctx.known_risks)

    def read_file(self, path: Path) -> None:
        """Read and check one workbook (or report why it cannot be read)."""
        self.workbooks.read_file(path)

    def result(self) -> EntryResult:
        """The frames of every row accepted so far, the problems in the order found, the files read."""
        return EntryResult(
            assessments=self.assessments.accepted.frame("assessments"),
            risks=self.risks.accepted.frame("risks"),
            observations=conform_rows("observations", self.observations.records()),
            surveys=self.surveys.frame(),
            problems=list(self.ctx.problems),
            files=list(self.workbooks.files),
        )
