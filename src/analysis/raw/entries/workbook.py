"""Files and sheets into rows: open each workbook, find the template's columns, hand on entered rows.

Everything that stops a file or a sheet from being read at all (an old .xls, a damaged file,
a missing sheet or column, a formula Excel never calculated) is reported here, once for the
file or the cell; an optional sheet (``OPTIONAL_SHEETS``) a workbook lacks is no problem. What a
row's cells hold is checked by the sheet it belongs to (``observations``, ``assessments``,
``surveys``), which this module knows only as a handler per sheet.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.cells import cell_text
from analysis.raw.errors import Problem, display_path
from analysis.sources import Source
from analysis.workbook_layout import DATA_SHEETS, LAYOUT, OPTIONAL_SHEETS, RISKS_SHEET, Column


@dataclass
class Row:
    """One data row of a sheet: its cells by column id, where it is, and how to report on it."""

    file: str
    sheet: str
    row: int
    values: dict[str, Any]
    formats: dict[str, str]
    labels: dict[str, str]

    def problem(self, column: str | None, found: str, expected: str) -> Problem:
        """A problem in this row's ``column`` (by id), named by its Chinese header as staff see it."""
        return Problem(
            self.file, self.row, self.labels.get(column, column) if column else None, found, expected, sheet=self.sheet
        )

    @property
    def source(self) -> Source:
        """The place the row was read from, as a source (workbook, then sheet and row)."""
        return Source(self.file, f"{self.sheet} 第{self.row}行")

    def where(self) -> str:
        """The row's place in words, for a problem that points back at an earlier entry."""
        return f"{self.file}, sheet {self.sheet!r}, row {self.row}"


#: What a sheet does with each entered row: check its cells, record problems, keep it or not.
SheetHandler = Callable[[Row], None]


class WorkbookReader:
    """Walks the data sheets of each workbook and hands every entered row to its sheet's handler.

    ``known_risks`` (risk name by id, per plan) tells a pre-filled risk row from one a
    department added: in an added row the id and name are entries too.
    """

    def __init__(
        self,
        root: Path,
        problems: list[Problem],
        handlers: Mapping[str, SheetHandler],
        known_risks: Mapping[str, Mapping[str, str]],
    ) -> None:
        self.root = root
        self.problems = problems
        self.handlers = handlers
        self.known_risks = known_risks
        self.files: list[str] = []

    def read_file(self, path: Path) -> None:
        """Read one workbook: every problem that keeps it or one of its sheets from being read
        is recorded, and every row of the sheets that can be read is handed on, sheet by sheet
        in the layout's order (the optional sheets last, and only where the workbook has them)."""
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
        opened = self._open(path, name)
        if opened is None:
            return
        wb, formulas = opened
        try:
            for sheet in (*DATA_SHEETS, *OPTIONAL_SHEETS):
                if sheet in wb.sheetnames:
                    self._read_sheet(name, sheet, wb[sheet], formulas[sheet] if formulas is not None else None)
                elif sheet in DATA_SHEETS:
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
        finally:
            wb.close()
            if formulas is not None:
                formulas.close()

    def _open(self, path: Path, name: str) -> tuple[Any, Any] | None:
        """The workbook's values and, when it holds formulas, its formulas; None (one problem
        for the file) when it cannot be opened as a workbook."""
        import openpyxl  # here, not at the top: the build imports this package and stays free of openpyxl

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
            return None
        return wb, formulas

    def _read_sheet(self, file: str, sheet: str, ws: Any, formulas: Any = None) -> None:
        """Hand each entered row to the sheet's handler; columns are found by header, not position,
        since staff may move or insert columns."""
        columns: tuple[Column, ...] = LAYOUT[sheet]
        labels = {c.id: c.label for c in columns}
        index = self._header(file, sheet, ws, columns)
        if index is None:
            return
        handler = self.handlers[sheet]
        for i, cells in enumerate(ws.iter_rows(min_row=2), start=2):
            values, formats = {}, {}
            for c in columns:
                j = index[c.label]
                cell = cells[j] if j < len(cells) else None
                values[c.id] = clean(cell.value) if cell is not None else None
                formats[c.id] = (cell.number_format or "") if cell is not None else ""
            row = Row(file, sheet, i, values, formats, labels)
            uncalculated = _uncalculated(row, columns, formulas) if formulas is not None else []
            if uncalculated:
                self.problems.extend(uncalculated)
                continue
            if self._entered(sheet, columns, row):
                handler(row)

    def _header(self, file: str, sheet: str, ws: Any, columns: tuple[Column, ...]) -> dict[str, int] | None:
        """Each header label's first column position; None (a problem per column) when any of
        the template's columns is missing, since its rows could not be read cell by cell."""
        header = [clean(c.value) for c in next(ws.iter_rows(min_row=1, max_row=1), ())]
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
        return None if missing else index

    def _entered(self, sheet: str, columns: tuple[Column, ...], row: Row) -> bool:
        """True when the row holds something beyond what the template pre-filled."""
        prefilled = {c.id for c in columns if c.prefilled}
        if sheet == RISKS_SHEET:
            plan_id, risk_id = cell_text(row.values["plan_id"]), cell_text(row.values["risk_id"])
            if risk_id not in self.known_risks.get(plan_id or "", {}):
                prefilled = {"plan_id"}  # an added risk: its id and name are entries too
        return any(row.values[c.id] is not None for c in columns if c.id not in prefilled)


def _uncalculated(row: Row, columns: tuple[Column, ...], formulas: Any) -> list[Problem]:
    """A problem per input cell of the row that holds a formula with no saved value.

    A workbook written by a program, or saved without calculating, keeps the formula and no
    result: read for its values, the row looks empty and would be skipped without a word."""
    found = []
    for c in columns:
        if c.prefilled or row.values[c.id] is not None:
            continue
        cell = formulas.cell(row=row.row, column=_column_number(formulas, c.label))
        if isinstance(cell.value, str) and cell.value.startswith("="):
            found.append(
                row.problem(
                    c.id,
                    f"a formula ({cell.value[:40]}) with no value saved",
                    "a value typed in (or open the workbook in Excel, let it calculate, and save it again)",
                )
            )
    return found


def _column_number(ws: Any, label: str) -> int:
    """The 1-based column headed ``label`` in ``ws`` (the formulas' copy of a sheet), else 1."""
    for cell in ws[1]:
        if clean(cell.value) == label:
            return cell.column
    return 1


def _has_formulas(path: Path) -> bool:
    """Whether any sheet of the workbook holds a formula (``<f>`` in its XML): only then is it
    read a second time for its formulas."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return any(b"<f" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def clean(value: Any) -> Any:
    """A cell's value, with text stripped and empty text as None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
