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

The package, by what each module holds: ``workbook`` (files and sheets into rows),
``cells`` (one cell into one value, or one problem), ``context`` (what every sheet's checks
share), ``observations`` and ``published`` (the 观测值 sheet, and its checks against the
build's published figures and reported totals), ``assessments`` (the 任务评估 and 风险评估
sheets), ``surveys`` (the optional 满意度与第三方评估 sheet), ``accepted`` (identical rows kept
once, different ones a problem), ``values`` (comparisons that treat every empty value alike),
``result`` (what a read yields) and ``reader`` (which wires them together).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import datasets
from analysis.raw.entries.reader import EntryReader
from analysis.raw.entries.result import EntryResult

__all__ = ["WORKBOOK_SUFFIXES", "EntryResult", "discover", "merge", "read_entries"]

#: Extensions read as workbooks; an old-format .xls is reported, anything else is ignored.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def read_entries(entries_dir: Path, frames: dict[str, pd.DataFrame]) -> EntryResult:
    """Read and check every workbook under ``entries_dir`` against the processed ``frames``.

    ``frames`` are the processed frames of the same build (plans, indicators, items,
    responsibilities, departments, risk_areas, evaluation_settings, observations). A
    missing folder is no entries. Rows with problems are left out of the frames; the
    caller decides whether problems stop the build.
    """
    reader = EntryReader(entries_dir, frames)
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
    """The build's observations with the typed-in ones added, and the assessments, risks and surveys.

    Returns ``{"observations": ..., "assessments": ..., "risks": ..., "surveys": ...}``, each
    conformed to its schema.
    """
    parts = [f for f in (frames["observations"], result.observations) if not f.empty]
    observations = pd.concat(parts, ignore_index=True) if parts else frames["observations"]
    return {
        "observations": datasets.conform("observations", observations),
        "assessments": datasets.conform("assessments", result.assessments),
        "risks": datasets.conform("risks", result.risks),
        "surveys": datasets.conform("surveys", result.surveys),
    }
