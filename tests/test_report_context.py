"""A report reads what the batch stored: the evaluations of ``make evaluate``, or a run at a date it names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest


def test_a_report_without_stored_evaluations_stops_with_a_message_instead_of_running_the_engine(
    small_build, tmp_path: Path
):
    """The report says what ``make evaluate`` stored, never a run of its own; ``as_of`` asks for one."""
    from analysis import report

    _, processed = small_build
    folder = tmp_path / "processed"
    shutil.copytree(processed, folder)
    (folder / "evaluations.parquet").unlink(missing_ok=True)
    with pytest.raises(FileNotFoundError, match=r"evaluations\.parquet does not exist: run `make evaluate`"):
        report.plan_context("example-15", "示例区", "", str(folder))
    at = report.plan_context("example-15", "示例区", "2026-06-30", str(folder))
    assert len(at.evaluations) and (at.evaluations["as_of"] == pd.Timestamp("2026-06-30")).all()
