"""Readers for the hand-made files in ``data/raw/``.

Every raw CSV has a sidecar ``<name>.meta.yml`` that names its source and declares its
columns (type, required, verbatim). The reader checks a file against its sidecar and
reports every problem with the file, row, column, what it found and what it expected.
"""

from analysis.raw.errors import Problem, RawDataError
from analysis.raw.table import RawTable, read_raw_table

__all__ = ["Problem", "RawDataError", "RawTable", "read_raw_table"]
