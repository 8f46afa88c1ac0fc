"""Every folder the project uses, built from this file's own location.

Nothing else in the code spells a path: a notebook, a test or the command line
asks this module, so moving a folder is a one-line change.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (the folder that holds ``pyproject.toml``).
ROOT = Path(os.environ.get("PLAN_EVAL_ROOT", Path(__file__).resolve().parents[2]))

DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
DOCUMENTS = RAW / "documents"
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"
DOCS = ROOT / "docs"
BENCH_RESULTS = ROOT / "bench" / "results"  # every benchmark's figures (make bench, make backtest)

#: Dataset schemas and column metadata shipped with the package.
SCHEMAS = Path(__file__).resolve().parent / "schemas"
