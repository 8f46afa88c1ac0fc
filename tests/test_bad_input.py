"""Bad raw input stops the build with a message naming file, row and column; nothing is replaced.

Each case is a folder under tests/fixtures/bad_input/: files that replace (or add to) the
small fixture plan's raw files, and expect.yml naming the problem the build must report.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.build import build
from analysis.raw.errors import RawDataError

from .conftest import FIXTURES, reword_source

CASES = sorted(p for p in (FIXTURES / "bad_input").iterdir() if p.is_dir())


def _overlay(case: Path, raw: Path) -> None:
    for src in case.rglob("*"):
        if src.is_file() and src.name != "expect.yml":
            dest = raw / src.relative_to(case)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_there_is_a_fixture_per_kind_of_bad_input():
    names = {c.name for c in CASES}
    assert {
        "missing_column",
        "number_with_text",
        "duplicate_id",
        "unknown_department",
        "gbk_encoding",
        "empty_file",
        "target_year_outside_period",
    } <= names
    # issue 14: sidecars, names, verbatim, ranges, units, the backtest's files, workbooks
    for prefix in ("sidecar_", "backtest_", "workbook_", "unit_", "period_", "document_", "verbatim_"):
        assert sum(n.startswith(prefix) for n in names) >= 2, prefix
    assert len(CASES) >= 18 + 30


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_input_is_reported_and_nothing_is_replaced(case: Path, small_raw_copy: Path, tmp_path: Path):
    out = tmp_path / "processed"
    build(small_raw_copy, out)  # a good build first
    before = _snapshot(out)
    _overlay(case, small_raw_copy)
    expect = yaml.safe_load((case / "expect.yml").read_text(encoding="utf-8"))
    if expect.get("warning"):
        # inside its range but far from its series: built, warned about, recorded in the manifest
        result = build(small_raw_copy, out)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        recorded = [
            w
            for w in manifest["to_review"]
            if (w["file"], w["row"], w["column"]) == (expect["file"], expect["row"], expect["column"])
            and expect["found"] in w["message"]
        ]
        assert recorded, manifest["to_review"]
        assert recorded[0]["message"] in result.warnings and recorded[0]["message"] in manifest["warnings"]
        assert "复核" in recorded[0]["message"]
        return

    with pytest.raises(RawDataError) as info:
        build(small_raw_copy, out)

    matching = [
        p
        for p in info.value.problems
        if p.file == expect["file"]
        and ("row" not in expect or p.row == expect["row"])
        and ("column" not in expect or p.column == expect["column"])
        and expect["found"] in p.found
    ]
    assert matching, f"expected {expect}, got:\n{info.value}"
    message = str(matching[0])
    assert expect["file"] in message and "expected" in message
    assert _snapshot(out) == before, "a failed build must not touch data/processed"


def test_the_command_line_reports_problems_of_several_files_and_exits_non_zero(small_raw_copy: Path, tmp_path: Path):
    _overlay(FIXTURES / "bad_input" / "int_with_text", small_raw_copy)
    _overlay(FIXTURES / "bad_input" / "bad_date", small_raw_copy)
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "data", "--raw", str(small_raw_copy), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "tables/fixture_table1.csv, row 3, column 'seq': found '2号'; expected a whole number" in done.stderr
    assert "evaluations.csv, row 2, column 'annual_cutoff': found '2025/12/31'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_an_unparsed_target_is_kept_and_warned_about(small_raw_copy: Path, tmp_path: Path):
    reword_source(small_raw_copy, ["tables/fixture_table1.csv"], "5%以内", "待定")
    result = build(small_raw_copy, tmp_path / "out")
    row = result.frames["indicators"].set_index("indicator_id").loc["surveyed_unemployment_rate"]
    assert row["target_kind"] == "unparsed" and row["target_text"] == "待定"
    assert any("surveyed_unemployment_rate" in w for w in result.warnings)
