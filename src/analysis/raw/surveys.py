"""Survey results (人民群众获得感与满意度) and third-party assessments, from the workbooks.

Document 000 §三 asks for the public's 获得感与满意度 and for third-party findings. Each plan's
workbook has a sheet for them (``满意度与第三方评估``): what kind, the finding, who carried it
out, the sample, when, and the report it comes from. Reports show what is filled; nothing here
becomes a judgement of a target.

Kept apart from ``analysis.raw.entries``: the sheet is optional (a workbook made before it existed is
still read), and the build gains one call, ``read_surveys``. Every bad cell is reported with
file, sheet, row and column.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import datasets, sources
from analysis.raw.errors import Problem, display_path
from analysis.workbook_layout import SURVEY_COLUMNS, SURVEY_KINDS, SURVEYS_SHEET

_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


def read_surveys(entries_dir: Path, frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, list[Problem]]:
    """Every filled row of the sheet in the workbooks under ``entries_dir``, conformed to the
    ``surveys`` schema, and the problems found."""
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    plans = set(frames["plans"]["plan_id"])
    files = (
        sorted(p for p in entries_dir.glob("**/*.xlsx") if not p.name.startswith(("~$", ".")))
        if entries_dir.exists()
        else []
    )
    import openpyxl  # here, not at the top: the build imports this module and stays free of openpyxl

    for path in files:
        name = display_path(path, entries_dir.parent)
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*extension is not supported.*")
                wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
        except Exception:
            continue
        try:
            if SURVEYS_SHEET not in wb.sheetnames:
                continue
            ws = wb[SURVEYS_SHEET]
            header = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
            index = {label: j for j, label in enumerate(header) if isinstance(label, str)}
            missing = [c for c in SURVEY_COLUMNS if c.label not in index]
            for c in missing:
                problems.append(
                    Problem(
                        name,
                        1,
                        c.label,
                        "no such column in the header",
                        f"a column headed {c.label!r}, as in the template",
                        sheet=SURVEYS_SHEET,
                    )
                )
            if missing:
                continue
            for i, cells in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
                values = {
                    c.id: _clean(cells[index[c.label]] if index[c.label] < len(cells) else None) for c in SURVEY_COLUMNS
                }
                if all(values[c.id] is None for c in SURVEY_COLUMNS if not c.prefilled):
                    continue
                row = _check(values, name, i, plans, problems)
                if row:
                    rows.append(row)
        finally:
            wb.close()
    frame = pd.DataFrame(rows, columns=[*(c.id for c in SURVEY_COLUMNS), *sources.COLUMNS])
    frame = frame.rename(columns={"source": "report_title"})
    return datasets.conform("surveys", frame), problems


def _check(
    values: dict[str, Any], file: str, row: int, plans: set[str], problems: list[Problem]
) -> dict[str, Any] | None:
    def bad(column: str, found: str, expected: str) -> None:
        label = next(c.label for c in SURVEY_COLUMNS if c.id == column)
        problems.append(Problem(file, row, label, found, expected, sheet=SURVEYS_SHEET))

    before = len(problems)
    if values["plan_id"] not in plans:
        bad("plan_id", repr(values["plan_id"]), f"a plan_id from plans {sorted(plans)}")
    if values["kind"] not in SURVEY_KINDS:
        bad("kind", repr(values["kind"]), f"one of {list(SURVEY_KINDS)}")
    for column in ("finding", "conducted_by"):
        if not values[column]:
            bad(column, "an empty cell", "the text as the report states it")
    when = values["conducted_on"]
    if isinstance(when, (datetime, date)):
        when = pd.Timestamp(when)
    elif isinstance(when, str) and (matched := _DATE.match(when)):
        y, m, d = matched.groups()
        when = pd.Timestamp(int(y), int(m), int(d or 1))
    else:
        bad("conducted_on", repr(when), "a date: YYYY-MM or YYYY-MM-DD")
        when = None
    if len(problems) > before:
        return None
    return {**values, "conducted_on": when, "source_document": file, "source_location": f"{SURVEYS_SHEET} 第{row}行"}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
