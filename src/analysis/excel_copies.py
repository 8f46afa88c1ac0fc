"""``data/processed/xlsx/<name>.xlsx``: each processed dataset as an Excel workbook.

Excel opens a CSV with the General format, which reads ``000`` as 0 and long ids as numbers
in scientific notation. A workbook stores each cell with its type, so text columns stay text
(``document_id`` 000 stays 000), numbers stay numbers and dates stay dates. One sheet per
dataset, with a frozen header row. Written by ``python -m analysis data`` and ``evaluate``
after the datasets themselves (the engine does not import openpyxl).
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from analysis import datasets, paths

FOLDER = "xlsx"


def workbook_bytes(name: str, frame: pd.DataFrame) -> bytes:
    """The dataset as an .xlsx file: text columns as text cells, a frozen header."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    s = datasets.spec(name)
    wb = Workbook()
    ws = wb.active
    ws.title = name[:31]
    ws.append(list(frame.columns))
    text = [d["dtype"] == "str" for d in s.columns.values()]
    for row in frame.itertuples(index=False):
        cells: list[object] = []  # one row's cells: None (empty), text, a date or a number
        for value, is_text in zip(row, text):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append(None)
            elif is_text:
                cells.append(str(value))
            elif isinstance(value, pd.Timestamp):
                cells.append(value.to_pydatetime().date())
            else:
                cells.append(value.item() if hasattr(value, "item") else value)
        ws.append(cells)
    for i, is_text in enumerate(text, start=1):
        if is_text:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "@"
        ws.column_dimensions[get_column_letter(i)].width = 16
    ws.freeze_panes = "A2"
    wb.properties.creator = "plan-evaluation pipeline"
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_timestamps(buf.getvalue())


def _fixed_timestamps(data: bytes) -> bytes:
    """The same data give the same bytes: openpyxl stamps the creation time and zip entry times."""
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()


def write(names: list[str], folder: Path | None = None) -> list[Path]:
    """Write ``xlsx/<name>.xlsx`` for each dataset in ``folder`` (each atomically)."""
    folder = folder or paths.PROCESSED
    out = folder / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        frame = datasets.read(name, folder)
        path = out / f"{name}.xlsx"
        datasets.atomic_write(path, workbook_bytes(name, frame))
        written.append(path)
    return written


__all__ = ["FOLDER", "workbook_bytes", "write"]
