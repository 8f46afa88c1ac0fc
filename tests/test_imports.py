"""The arrows point one way: raw → build → evaluate → reports.

The engine (``targets``, ``build``, ``evaluate``) is what a researcher imports in a notebook and
what runs on 1M series; it must not drag in plotting, notebook execution, PDF or spreadsheet
libraries. Checked in a fresh interpreter, where nothing else has imported them first.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

ENGINE = ("analysis.targets", "analysis.build", "analysis.evaluate", "analysis.load")
HEAVY = ("matplotlib", "seaborn", "papermill", "nbconvert", "nbclient", "weasyprint", "openpyxl", "docx", "distributed")


def _imported_after(modules: tuple[str, ...]) -> list[str]:
    code = (
        "import importlib, json, sys\n"
        f"for m in {list(modules)!r}: importlib.import_module(m)\n"
        f"print(json.dumps(sorted(h for h in {list(HEAVY)!r} if h in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_the_engine_imports_no_plotting_notebook_pdf_or_spreadsheet_library():
    assert _imported_after(ENGINE) == []


@pytest.mark.parametrize(("module", "heavy"), [("analysis.workbooks", "openpyxl"), ("analysis.charts", "matplotlib")])
def test_the_check_would_see_a_heavy_import(module: str, heavy: str):
    """The writer of the templates does import openpyxl, the charts matplotlib: the check above can fail."""
    assert heavy in _imported_after((module,))
