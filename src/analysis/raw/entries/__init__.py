"""Read the workbooks bureau staff filled (``data/raw/entries/*.xlsx``) and check every entered row.

The workbooks are the templates of ``analysis.workbooks`` (one per plan), filled in Excel.
Every row someone entered something in is checked against the processed frames of the
same build: drop-down values in their lists, numbers that are numbers, periods inside the
plan period, ids, departments and dates that exist or parse. Each mistake is one
``Problem`` naming the file (relative to the raw folder, e.g. ``entries/minhang-15.xlsx``),
the sheet, the Excel row and the Chinese column header, what was found and what was expected.

Nothing is silently overwritten: a typed-in observation that disagrees with a published or
document figure for the same series, region and period is a problem; two different entries
for the same assessment are a problem. Identical entries (the same workbook twice, the same
row in two files) are kept once.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from analysis import datasets, sources
from analysis.cells import cell_text, plain, typed_text
from analysis.cn_numbers import split_unit
from analysis.observation_rows import observation_row
from analysis.periods import period_span
from analysis.raw.errors import Problem, display_path
from analysis.raw.plausible import same_unit, today, unit_range
from analysis.sources import SEP, Source
from analysis.workbook_layout import (
    ASSESSMENTS_SHEET,
    ASSESSORS,
    DATA_SHEETS,
    DEPARTMENT_SEP,
    ITEM_TYPES,
    LAYOUT,
    OBSERVATIONS_SHEET,
    PERIOD_TYPES,
    PROGRESS,
    RISK_LEVELS,
    RISKS_SHEET,
    Column,
    plan_risks,
)

#: Extensions read as workbooks; an old-format .xls is reported, anything else is ignored.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_DEPARTMENT_SPLIT = re.compile(r"[、,，;；/／\s]+")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class EntryResult:
    """What the filled workbooks hold, checked: three frames and every problem found.

    ``observations`` holds only the new, typed-in observations (in the columns of
    ``schemas/observations.yml``); ``merge`` adds them to the build's own.
    """

    assessments: pd.DataFrame
    risks: pd.DataFrame
    observations: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def read_entries(entries_dir: Path, frames: dict[str, pd.DataFrame]) -> EntryResult:
    """Read and check every workbook under ``entries_dir`` against the processed ``frames``.

    ``frames`` are the processed frames of the same build (plans, indicators, items,
    responsibilities, departments, risk_areas, evaluation_settings, observations). A
    missing folder is no entries. Rows with problems are left out of the frames; the
    caller decides whether problems stop the build.
    """
    reader = _Reader(entries_dir, frames)
    for path in discover(entries_dir):
        reader.read_file(path)
    return reader.result()


def discover(entries_dir: Path) -> list[Path]:
    """Every workbook (and every .xls, to be reported) under ``entries_dir``, in a stable order.

    Hidden files and Excel's lock files (``~$name.xlsx``) are skipped.
    """
    if not entries_dir.is_dir():
        return []
    found = []
    for path in sorted(entries_dir.rglob("*")):
        rel = path.relative_to(entries_dir)
        if not path.is_file() or any(p.startswith((".", "~$")) for p in rel.parts):
            continue
        if path.suffix.lower() in (*WORKBOOK_SUFFIXES, ".xls"):
            found.append(path)
    return found


def merge(frames: dict[str, pd.DataFrame], result: EntryResult) -> dict[str, pd.DataFrame]:
    """The build's observations with the typed-in ones added, and the assessments and risks.

    Returns ``{"observations": ..., "assessments": ..., "risks": ...}``, each conformed to
    its schema.
    """
    parts = [f for f in (frames["observations"], result.observations) if not f.empty]
    observations = pd.concat(parts, ignore_index=True) if parts else frames["observations"]
    return {
        "observations": datasets.conform("observations", observations),
        "assessments": datasets.conform("assessments", result.assessments),
        "risks": datasets.conform("risks", result.risks),
    }


# -- reading ----------------------------------------------------------------------------------


@dataclass
class _Row:
    """One data row of a sheet: its cells by column id, where it is, and how to report on it."""

    file: str
    sheet: str
    row: int
    values: dict[str, Any]
    formats: dict[str, str]
    labels: dict[str, str]

    def problem(self, column: str | None, found: str, expected: str) -> Problem:
        return Problem(
            self.file, self.row, self.labels.get(column, column) if column else None, found, expected, sheet=self.sheet
        )

    @property
    def source(self) -> Source:
        """The place the row was read from, as a source (workbook, then sheet and row)."""
        return Source(self.file, f"{self.sheet} 第{self.row}行")

    def where(self) -> str:
        return f"{self.file}, sheet {self.sheet!r}, row {self.row}"


class _ObservationCells(NamedTuple):
    """An observation row's cells once each is read: the parts the checks and the record use."""

    plan_id: str
    indicator_id: str
    indicator: Any  # the indicators row (itertuples)
    period: tuple[str, pd.Timestamp, pd.Timestamp, str]  # kind, start, end, label
    number: float  # the value in the indicator's unit
    unit: str | None
    source: str


class _Reader:
    def __init__(self, entries_dir: Path, frames: dict[str, pd.DataFrame]):
        self.root = entries_dir.parent
        self.frames = frames
        self.problems: list[Problem] = []
        self.files: list[str] = []
        self.plans = frames["plans"].set_index("plan_id", drop=False)
        ind = frames["indicators"]
        self.indicators = {(r.plan_id, r.indicator_id): r for r in ind.itertuples()}
        items = frames["items"]
        self.items = {(r.plan_id, r.item_type, r.item_id) for r in items.itertuples()}
        self.items |= {(r.plan_id, "indicator", r.indicator_id) for r in ind.itertuples()}
        self.departments = list(frames["departments"]["department"])
        self.risks: dict[str, dict[str, str]] = {
            plan_id: {r.risk_id: r.risk for r in plan_risks(frames, plan_id).itertuples()}
            for plan_id in self.plans.index
        }
        self.existing = self._existing_observations(frames["observations"])
        # accepted rows by key: the record (every column but ``source``) and where it was entered
        self.assessments: dict[tuple, tuple[dict[str, Any], list[_Row]]] = {}
        self.risk_rows: dict[tuple, tuple[dict[str, Any], list[_Row]]] = {}
        self.observations: dict[tuple, tuple[dict[str, Any], _Row]] = {}

    # -- files and sheets ---------------------------------------------------------------------
    def read_file(self, path: Path) -> None:
        import openpyxl  # here, not at the top: the build imports this module and stays free of openpyxl

        name = display_path(path, self.root)
        self.files.append(name)
        if path.suffix.lower() == ".xls":
            self.problems.append(
                Problem(
                    name,
                    None,
                    None,
                    "an old-format .xls workbook",
                    "an Excel workbook saved as .xlsx (文件另存为“Excel 工作簿”)",
                )
            )
            return
        try:
            with warnings.catch_warnings():
                # Excel's own extensions (data validation, conditional formats) that openpyxl does not keep
                warnings.filterwarnings("ignore", message=".*extension is not supported.*", category=UserWarning)
                warnings.filterwarnings("ignore", message="Workbook contains no default style", category=UserWarning)
                wb = openpyxl.load_workbook(path, data_only=True)
                # the same cells as formulas: a formula Excel never calculated reads as empty above
                formulas = openpyxl.load_workbook(path, data_only=False) if _has_formulas(path) else None
        except Exception as exc:  # not a zip, not a workbook, a damaged file: one problem for the file
            self.problems.append(
                Problem(
                    name,
                    None,
                    None,
                    f"a file that is not a readable .xlsx workbook ({type(exc).__name__}: {str(exc)[:80]})",
                    "an Excel workbook (.xlsx) made from the template",
                )
            )
            return
        try:
            for sheet in DATA_SHEETS:
                if sheet not in wb.sheetnames:
                    self.problems.append(
                        Problem(
                            name,
                            None,
                            None,
                            f"no sheet named {sheet!r} (sheets: {wb.sheetnames})",
                            f"the sheets of the template: {list(DATA_SHEETS)}",
                            sheet=sheet,
                        )
                    )
                    continue
                self._read_sheet(name, sheet, wb[sheet], formulas[sheet] if formulas is not None else None)
        finally:
            wb.close()
            if formulas is not None:
                formulas.close()

    def _read_sheet(self, file: str, sheet: str, ws: Any, formulas: Any = None) -> None:
        columns: tuple[Column, ...] = LAYOUT[sheet]
        labels = {c.id: c.label for c in columns}
        header = [_clean(c.value) for c in next(ws.iter_rows(min_row=1, max_row=1), ())]
        index: dict[str, int] = {}
        for j, label in enumerate(header):
            if isinstance(label, str):
                index.setdefault(label, j)
        missing = [c for c in columns if c.label not in index]
        for c in missing:
            self.problems.append(
                Problem(
                    file,
                    1,
                    c.label,
                    "no such column in the header",
                    f"a column headed {c.label!r}, as in the template",
                    sheet=sheet,
                )
            )
        if missing:
            return
        handler = {OBSERVATIONS_SHEET: self._observation, ASSESSMENTS_SHEET: self._assessment, RISKS_SHEET: self._risk}[
            sheet
        ]
        for i, cells in enumerate(ws.iter_rows(min_row=2), start=2):
            values, formats = {}, {}
            for c in columns:
                j = index[c.label]
                cell = cells[j] if j < len(cells) else None
                values[c.id] = _clean(cell.value) if cell is not None else None
                formats[c.id] = (cell.number_format or "") if cell is not None else ""
            row = _Row(file, sheet, i, values, formats, labels)
            if formulas is not None and self._uncalculated(row, columns, formulas):
                continue
            if self._entered(sheet, columns, row):
                handler(row)

    def _uncalculated(self, row: _Row, columns: tuple[Column, ...], formulas: Any) -> bool:
        """True (and a problem per cell) when an input cell holds a formula with no saved value.

        A workbook written by a program, or saved without calculating, keeps the formula and no
        result: read for its values, the row looks empty and would be skipped without a word."""
        found = False
        for c in columns:
            if c.prefilled or row.values[c.id] is not None:
                continue
            cell = formulas.cell(row=row.row, column=self._column_index(formulas, c.label))
            if isinstance(cell.value, str) and cell.value.startswith("="):
                self.problems.append(
                    row.problem(
                        c.id,
                        f"a formula ({cell.value[:40]}) with no value saved",
                        "a value typed in (or open the workbook in Excel, let it calculate, and save it again)",
                    )
                )
                found = True
        return found

    @staticmethod
    def _column_index(ws: Any, label: str) -> int:
        for cell in ws[1]:
            if _clean(cell.value) == label:
                return cell.column
        return 1

    def _entered(self, sheet: str, columns: tuple[Column, ...], row: _Row) -> bool:
        """True when the row holds something beyond what the template pre-filled."""
        prefilled = {c.id for c in columns if c.prefilled}
        if sheet == RISKS_SHEET:
            plan_id, risk_id = cell_text(row.values["plan_id"]), cell_text(row.values["risk_id"])
            if risk_id not in self.risks.get(plan_id or "", {}):
                prefilled = {"plan_id"}  # an added risk: its id and name are entries too
        return any(row.values[c.id] is not None for c in columns if c.id not in prefilled)

    # -- checks shared by the sheets -------------------------------------------------------
    def _plan(self, row: _Row) -> str | None:
        plan_id = cell_text(row.values["plan_id"])
        if plan_id is None:
            self.problems.append(row.problem("plan_id", "an empty cell", "the plan_id the template pre-filled"))
            return None
        if plan_id not in self.plans.index:
            self.problems.append(
                row.problem("plan_id", repr(plan_id), f"a plan_id from plans {sorted(self.plans.index)}")
            )
            return None
        return plan_id

    def _choice(self, row: _Row, column: str, allowed: tuple[str, ...]) -> str | None:
        value = cell_text(row.values[column])
        if value is None:
            self.problems.append(row.problem(column, "an empty cell", f"one of {list(allowed)} (drop-down)"))
            return None
        if value not in allowed:
            self.problems.append(row.problem(column, repr(value), f"one of {list(allowed)} (drop-down)"))
            return None
        return value

    def _department(self, row: _Row) -> str | None:
        value = cell_text(row.values["department"])
        if value is None:
            self.problems.append(
                row.problem("department", "an empty cell", "the name of the department entering the row (departments)")
            )
            return None
        names = list(dict.fromkeys(n for n in _DEPARTMENT_SPLIT.split(value) if n))
        unknown = [n for n in names if n not in self.departments]
        if unknown:
            self.problems.append(
                row.problem(
                    "department",
                    repr(DEPARTMENT_SEP.join(unknown)),
                    f"departments from departments {self.departments}, several joined with {DEPARTMENT_SEP!r}",
                )
            )
            return None
        order = {d: k for k, d in enumerate(self.departments)}
        return DEPARTMENT_SEP.join(sorted(names, key=order.__getitem__))

    def _date(self, row: _Row, column: str) -> tuple[bool, pd.Timestamp | None]:
        value = row.values[column]
        if value is None:
            return True, None
        text = cell_text(value) or ""
        day = None
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        elif re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            try:
                day = date.fromisoformat(text)
            except ValueError:
                pass
        if day is None:
            self.problems.append(row.problem(column, repr(text), "a date written YYYY-MM-DD"))
            return False, None
        if day > today():
            self.problems.append(row.problem(column, repr(day.isoformat()), f"a date not after today ({today()})"))
            return False, None
        return True, pd.Timestamp(day)

    # -- 观测值 ---------------------------------------------------------------------------------
    def _observation(self, row: _Row) -> None:
        """Read every cell (each problem reported), check the value's range and that its period
        is over, then keep it unless it contradicts a published value, a reported total or an
        earlier entry."""
        cells = self._observation_cells(row)
        if cells is None or not self._plausible_observation(row, cells):
            return
        plan = self.plans.loc[cells.plan_id]
        kind, start, end, _label = cells.period
        key = (cells.indicator_id, plan["region"], kind, start, end)
        if not self._agrees_with_published(row, key, cells.number, cells.source):
            return
        if not self._outside_reported_totals(row, key, plan):
            return
        self._keep_observation(row, key, cells, self._observation_record(row, cells, plan))

    def _observation_cells(self, row: _Row) -> _ObservationCells | None:
        """The row's plan, indicator, period, value in the indicator's unit and source; None
        (every unreadable cell reported) when any of them cannot be read."""
        ok = True
        plan_id = self._plan(row)
        indicator = None
        indicator_id = cell_text(row.values["indicator_id"])
        if plan_id is not None:
            indicator = self.indicators.get((plan_id, indicator_id))
            if indicator is None:
                ids = [i for (p, i) in self.indicators if p == plan_id]
                found = repr(indicator_id) if indicator_id else "an empty cell"
                self.problems.append(row.problem("indicator_id", found, f"an indicator_id of plan {plan_id} {ids}"))
        ok &= indicator is not None

        period = None
        kind_label = self._choice(row, "period_type", tuple(PERIOD_TYPES))
        if kind_label is not None and plan_id is not None:
            period = self._period(row, PERIOD_TYPES[kind_label], self.plans.loc[plan_id])
        ok &= period is not None

        value = self._number(row)
        ok &= value is not None

        factor, unit = 1.0, None
        if indicator is not None:
            factor, unit, good = self._unit(row, indicator)
            ok &= good

        source = cell_text(row.values["source"])
        if source is None:
            self.problems.append(
                row.problem("source", "an empty cell", "the publication the value is read from (issuer and title)")
            )
            ok = False
        if not ok:
            return None
        # ok holds only when each part above was read
        assert plan_id is not None and indicator is not None and period is not None
        assert value is not None and source is not None and indicator_id is not None
        return _ObservationCells(plan_id, indicator_id, indicator, period, round(value * factor, 6), unit, source)

    def _plausible_observation(self, row: _Row, cells: _ObservationCells) -> bool:
        """The value within its unit's range, and its period already over (reported when not)."""
        number, unit = cells.number, cells.unit
        _kind, _start, end, label = cells.period
        rng = unit_range(unit)
        if rng is not None and number not in rng:
            self.problems.append(row.problem("value", f"{plain(number)} {unit}", str(rng)))
            return False
        if end.date() > today():
            self.problems.append(
                row.problem(
                    "period",
                    repr(label),
                    f"a period that has ended (today is {today()}): a value cannot be known before its period is over",
                )
            )
            return False
        return True

    @staticmethod
    def _observation_record(row: _Row, cells: _ObservationCells, plan: pd.Series) -> dict[str, Any]:
        """The observations row the entry becomes; the note says which file and row it came from."""
        kind, start, end, label = cells.period
        return observation_row(
            series_id=cells.indicator_id,
            plan_id=cells.plan_id,
            region=plan["region"],
            measure=cells.indicator.name,
            period=label,
            period_type=kind,
            period_start=start,
            period_end=end,
            value=cells.number,
            value_text=typed_text(row.values["value"]),
            unit=cells.unit,
            note=SEP.join(n for n in (cell_text(row.values["note"]), f"录入：{row.source.text}") if n),
            **sources.typed_publication(cells.source),
            source_quote=cell_text(row.values["source_quote"]),
            source_url=cell_text(row.values["source_url"]),
        )

    def _keep_observation(self, row: _Row, key: tuple, cells: _ObservationCells, record: dict[str, Any]) -> None:
        """One value per indicator and period: the same value again is kept once, another one is a problem."""
        if key in self.observations:
            earlier, where = self.observations[key]
            if not _same_number(earlier["value"], cells.number):
                self.problems.append(
                    row.problem(
                        "value",
                        plain(cells.number),
                        f"the value {plain(earlier['value'])} already entered for {cells.indicator_id} "
                        f"{cells.period[3]} in {where.where()} (one value per indicator and period: "
                        "correct one of them)",
                    )
                )
            return  # the same value entered again: kept once
        self.observations[key] = (record, row)

    def _period(self, row: _Row, kind: str, plan: pd.Series) -> tuple[str, pd.Timestamp, pd.Timestamp, str] | None:
        raw = row.values["period"]
        year = month = None
        if kind == "plan_period":
            text = _nfkc(typed_text(raw)) if raw is not None else ""
            m = re.fullmatch(r"((?:19|20)\d\d)\s*年?\s*[-—–~～至/]\s*((?:19|20)\d\d)\s*年?", text)
            first, last = int(plan["base_year"]), int(plan["period_end"])
            if not m or int(m.group(1)) > int(m.group(2)):
                self.problems.append(
                    row.problem(
                        "period",
                        repr(text) if raw is not None else "an empty cell",
                        "two years such as 2024-2025 (期间类型 多年累计)",
                    )
                )
                return None
            a, b = int(m.group(1)), int(m.group(2))
            if not (first <= a and b <= last):
                self.problems.append(
                    row.problem(
                        "period",
                        repr(text),
                        f"a period inside plan {plan['plan_id']}: base year {first} to period end {last}",
                    )
                )
                return None
            return (kind, *period_span(kind, a, b))
        if kind == "year":
            if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
                year = int(raw)
            elif isinstance(raw, str) and (m := re.fullmatch(r"((?:19|20)\d\d)\s*年?", _nfkc(raw))):
                year = int(m.group(1))
            expected = "a year such as 2022 (期间类型 年度)"
        else:
            if isinstance(raw, datetime):
                year, month = raw.year, raw.month
            elif isinstance(raw, str) and (
                m := re.fullmatch(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*月?", _nfkc(raw))
            ):
                year, month = int(m.group(1)), int(m.group(2))
            expected = f"a year and month such as 2023-06 (期间类型 {row.values['period_type']})"
            if month is not None and not 1 <= month <= 12:
                year = None
        if year is None:
            self.problems.append(
                row.problem("period", repr(typed_text(raw)) if raw is not None else "an empty cell", expected)
            )
            return None
        first, last = int(plan["base_year"]), int(plan["period_end"])
        if not first <= year <= last:
            self.problems.append(
                row.problem(
                    "period",
                    repr(typed_text(raw)),
                    f"a period inside plan {plan['plan_id']}: base year {first} to period end {last}",
                )
            )
            return None
        return (kind, *period_span(kind, year, month=month))

    def _number(self, row: _Row) -> float | None:
        raw = row.values["value"]
        expected = "a plain number in the unit of 单位 (no units or words: 3.5万 with 单位 人 is 35000)"
        if raw is None:
            self.problems.append(row.problem("value", "an empty cell", expected))
            return None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw):
            value = float(raw)
            return value * 100 if "%" in row.formats["value"] else value  # Excel keeps 5.5% as 0.055
        if isinstance(raw, str) and _PLAIN_NUMBER.match(_nfkc(raw)) and math.isfinite(float(_nfkc(raw))):
            return float(_nfkc(raw))
        self.problems.append(row.problem("value", repr(typed_text(raw)), expected))
        return None

    def _unit(self, row: _Row, indicator: Any) -> tuple[float, str | None, bool]:
        expected_unit = indicator.unit if isinstance(indicator.unit, str) and indicator.unit else None
        typed = cell_text(row.values["unit"])
        if typed is None:
            return 1.0, expected_unit, True
        factor, base = split_unit(typed)
        if expected_unit is not None and not same_unit(base, expected_unit):
            self.problems.append(
                row.problem("unit", repr(typed), f"the indicator's unit {expected_unit!r} (or with 万/亿 before it)")
            )
            return 1.0, None, False
        return factor, base or expected_unit, True

    @staticmethod
    def _existing_observations(obs: pd.DataFrame) -> dict[tuple, list[dict[str, Any]]]:
        found: dict[tuple, list[dict[str, Any]]] = {}
        for r in obs.to_dict("records"):
            key = (
                r["series_id"],
                r["region"],
                r["period_type"],
                pd.Timestamp(r["period_start"]),
                pd.Timestamp(r["period_end"]),
            )
            found.setdefault(key, []).append(r)
        return found

    def _agrees_with_published(self, row: _Row, key: tuple, value: float, source: str) -> bool:
        """False (and a problem) when a published or document figure for the period says otherwise.

        A typed value equal to a published exact figure is not new: it is dropped (True is
        returned only for values to add).
        """
        # the figure the evaluation uses (is_preferred) first, so the message names it
        published = sorted(self.existing.get(key, []), key=lambda p: not p.get("is_preferred", True))
        figures = [p for p in published if not _missing(p["value"])]
        for p in figures:
            if p["comparator"] in ("=", "≈") and _same_number(p["value"], value, approx=p["comparator"] == "≈"):
                return False  # already published: not duplicated
        cited = sources.of_record(sources.typed_publication(source))
        same_source = [p for p in published if sources.of_record(p) == cited]
        disagree = [p for p in figures if not _satisfies(value, p["comparator"], p["value"])] or same_source
        if disagree:
            p = disagree[0]
            what = "the published value" if p["comparator"] == "=" else f"a value {p['comparator']} the published"
            shown = plain(p["value"]) if not _missing(p["value"]) else repr(p["value_text"])
            self.problems.append(row.problem("value", plain(value), f"{what} {shown} from {sources.describe(p)}"))
            return False
        return True

    def _outside_reported_totals(self, row: _Row, key: tuple, plan: pd.Series) -> bool:
        """False (and a problem) when the period overlaps a reported multi-year total of the plan.

        A yearly value after a reported total adds to it (the engine sums them); one inside
        it would count its year twice, or silently replace the total. A total typed in over
        published yearly values of its years is the same conflict seen from the other side.
        """
        series, region, kind, start, end = key
        if kind not in ("year", "plan_period"):
            return True
        plan_start = pd.Timestamp(int(plan["period_start"]), 1, 1)
        for (s, r, k, a, b), published in self.existing.items():
            if (s, r) != (series, region) or (a, b) == (start, end) or not (a <= end and start <= b):
                continue
            counted = [p for p in published if p.get("is_preferred", True) and not _missing(p["value"])]
            if not counted:
                continue
            if k == "plan_period" and a >= plan_start:
                p = counted[0]
                self.problems.append(
                    row.problem(
                        "period",
                        row.values["period"]
                        if isinstance(row.values["period"], str)
                        else typed_text(row.values["period"]),
                        f"a period after the reported total {p['period']} "
                        f"({plain(p['value'])} from {sources.describe(p)}): "
                        f"a value inside it would count those years twice; enter only later years, "
                        f"or correct the total at its source",
                    )
                )
                return False
            if kind == "plan_period" and k == "year" and start >= plan_start:
                p = counted[0]
                self.problems.append(
                    row.problem(
                        "period",
                        typed_text(row.values["period"]),
                        f"a period without published yearly values: {p['period']} is published "
                        f"({plain(p['value'])} from {sources.describe(p)}); enter only the years not published",
                    )
                )
                return False
        return True

    # -- 任务评估 -------------------------------------------------------------------------------
    def _assessment(self, row: _Row) -> None:
        ok = True
        plan_id = self._plan(row)
        ok &= plan_id is not None
        item_type = self._item_type(row)
        ok &= item_type is not None
        item_id = cell_text(row.values["item_id"])
        if plan_id is not None and item_type is not None and (plan_id, item_type, item_id) not in self.items:
            ids = sorted(i for (p, t, i) in self.items if p == plan_id and t == item_type)
            self.problems.append(
                row.problem(
                    "item_id",
                    repr(item_id) if item_id else "an empty cell",
                    f"an item_id of plan {plan_id} with 事项类型 {ITEM_TYPES[item_type]} {ids}",
                )
            )
            ok = False
        department = self._department(row)
        assessor = self._choice(row, "assessor", ASSESSORS)
        progress = self._choice(row, "progress", PROGRESS)
        date_ok, filled_on = self._date(row, "filled_on")
        if not (ok and date_ok and department and assessor and progress):
            return
        record = {
            "plan_id": plan_id,
            "item_type": item_type,
            "item_id": item_id,
            "department": department,
            "assessor": assessor,
            "progress": progress,
            **{
                c: cell_text(row.values[c])
                for c in ("progress_detail", "achievements", "problems", "next_steps", "evidence", "filled_by")
            },
            "filled_on": filled_on,
        }
        key = (plan_id, item_type, item_id, department, assessor)
        self._keep(
            self.assessments,
            key,
            record,
            row,
            f"one row per item, department and 评估主体 ({item_id}, {department}, {assessor})",
        )

    def _item_type(self, row: _Row) -> str | None:
        value = cell_text(row.values["item_type"])
        by_label = {label: key for key, label in ITEM_TYPES.items()}
        if value in by_label:
            return by_label[value]
        if value in ITEM_TYPES:
            return value
        self.problems.append(
            row.problem(
                "item_type",
                repr(value) if value else "an empty cell",
                f"one of {list(ITEM_TYPES.values())} (as pre-filled)",
            )
        )
        return None

    # -- 风险评估 -------------------------------------------------------------------------------
    def _risk(self, row: _Row) -> None:
        plan_id = self._plan(row)
        risk_id, risk, added = cell_text(row.values["risk_id"]), cell_text(row.values["risk"]), False
        ok = plan_id is not None
        if plan_id is not None:
            known = self.risks.get(plan_id, {})
            if risk_id is None:
                self.problems.append(
                    row.problem(
                        "risk_id",
                        "an empty cell",
                        "a risk id: for a risk not listed, choose one (such as new-01) and fill 风险",
                    )
                )
                ok = False
            elif risk_id in known:
                risk = known[risk_id]
            elif risk is None:
                self.problems.append(
                    row.problem(
                        "risk_id",
                        repr(risk_id),
                        f"a risk_id of plan {plan_id} {sorted(known)}, or for a new risk also its name in 风险",
                    )
                )
                ok = False
            else:
                added = True
        department = self._department(row)
        level = self._choice(row, "level", RISK_LEVELS)
        date_ok, filled_on = self._date(row, "filled_on")
        if not (ok and date_ok and department and level):
            return
        record = {
            "plan_id": plan_id,
            "risk_id": risk_id,
            "risk": risk,
            "is_added": added,
            "department": department,
            "level": level,
            **{c: cell_text(row.values[c]) for c in ("measures", "achievements", "problems", "filled_by")},
            "filled_on": filled_on,
        }
        self._keep(
            self.risk_rows,
            (plan_id, risk_id, department),
            record,
            row,
            f"one row per risk and department ({risk_id}, {department})",
        )

    # -- identical rows once, different rows a problem ---------------------------------------------
    def _keep(
        self,
        accepted: dict[tuple, tuple[dict[str, Any], list[_Row]]],
        key: tuple,
        record: dict[str, Any],
        row: _Row,
        rule: str,
    ) -> None:
        if key not in accepted:
            accepted[key] = (record, [row])
            return
        earlier, rows = accepted[key]
        differs = [c for c in record if not _same(record[c], earlier[c])]
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

    # -- result -------------------------------------------------------------------------------------
    def result(self) -> EntryResult:
        def frame(name: str, accepted: dict[tuple, tuple[dict[str, Any], list[_Row]]]) -> pd.DataFrame:
            rows = [{**record, **sources.columns(r.source for r in where)} for record, where in accepted.values()]
            return _conform(name, rows)

        observations = [record for record, _ in self.observations.values()]
        return EntryResult(
            assessments=frame("assessments", self.assessments),
            risks=frame("risks", self.risk_rows),
            observations=_conform("observations", observations),
            problems=list(self.problems),
            files=list(self.files),
        )


def _conform(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
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


# -- cells -------------------------------------------------------------------------------------


def _has_formulas(path: Path) -> bool:
    """Whether any sheet of the workbook holds a formula (``<f>`` in its XML): only then is it
    read a second time for its formulas."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return any(b"<f" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def _clean(value: Any) -> Any:
    """A cell's value, with text stripped and empty text as None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _same(a: Any, b: Any) -> bool:
    if _missing(a) or a is pd.NaT:
        return _missing(b) or b is pd.NaT
    return a == b


def _same_number(a: float, b: float, *, approx: bool = False) -> bool:
    return math.isclose(a, b, rel_tol=1e-2 if approx else 1e-9, abs_tol=1e-9)


def _satisfies(value: float, comparator: str, published: float) -> bool:
    """Whether ``value`` is consistent with a published figure read with ``comparator``."""
    if comparator == ">":
        return value > published
    if comparator == ">=":
        return value >= published or _same_number(value, published)
    if comparator == "<":
        return value < published
    if comparator == "<=":
        return value <= published or _same_number(value, published)
    return _same_number(value, published, approx=comparator == "≈")
