"""Survey results and third-party assessments: entered in the workbook, read by the build with
every bad cell named, and shown in the plan's report (never as a judgement)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from analysis import datasets
from analysis.build import build
from analysis.evaluate import evaluate
from analysis.raw.entries import read_entries
from analysis.raw.errors import RawDataError
from analysis.workbook_layout import OBSERVATIONS_SHEET, SURVEYS_SHEET
from analysis.workbooks import read_frames, write_templates

from .conftest import SMALL_RAW


def _filled(tmp_path: Path, small_build, cells: dict[str, object]) -> Path:
    _, processed = small_build
    raw = tmp_path / "raw"
    shutil.copytree(SMALL_RAW, raw)
    (raw / "entries").mkdir()
    path = write_templates(processed, tmp_path / "templates", last_year=2025)[0]
    wb = openpyxl.load_workbook(path)
    ws = wb[SURVEYS_SHEET]
    header = {c.value: c.column for c in ws[1]}
    for label, value in cells.items():
        ws.cell(row=2, column=header[label]).value = value
    wb.save(raw / "entries" / path.name)
    return raw


GOOD = {
    "类型": "群众满意度调查",
    "主要结论": "受访群众对就业服务总体满意度为92.1%",
    "实施单位": "示例区统计调查队",
    "样本": "1200户",
    "时间": "2026-03",
    "报告名称": "示例区就业服务满意度调查报告",
}


def test_a_filled_survey_reaches_the_report(small_build, tmp_path: Path, monkeypatch):
    raw = _filled(tmp_path, small_build, GOOD)
    out = tmp_path / "processed"
    result = build(raw, out)
    surveys = result.frames["surveys"]
    assert len(surveys) == 1 and surveys["sample"].iloc[0] == "1200户"
    assert surveys["conducted_on"].iloc[0].strftime("%Y-%m") == "2026-03"
    datasets.write("evaluations", evaluate(result.frames), out)

    from analysis import report
    from analysis.report import plan

    shown: list[str] = []
    monkeypatch.setattr(plan, "show", shown.append)
    monkeypatch.setattr(plan, "show_figure", lambda fig: None)
    plan.overview(report.plan_context("example-15", "示例区", "", str(out)))
    page = "".join(shown)
    assert "受访群众对就业服务总体满意度为92.1%" in page and "示例区统计调查队" in page and "2026年3月" in page


@pytest.mark.parametrize(
    "label, typed, expected",
    [
        ("类型", "问卷", "one of"),
        ("时间", "三月", "a date"),
        ("时间", "2026-13", "a date"),  # no such month: a problem, not a crash
        ("时间", "2099-01", "a date not after today"),  # reported before it was carried out
        ("实施单位", None, "the text as the report states it"),
    ],
)
def test_each_bad_survey_cell_is_one_problem_naming_where_it_is(small_build, tmp_path: Path, label, typed, expected):
    raw = _filled(tmp_path, small_build, {**GOOD, label: typed})
    with pytest.raises(RawDataError) as caught:
        build(raw, tmp_path / "processed")
    problems = caught.value.problems
    assert len(problems) == 1
    p = problems[0]
    assert (p.sheet, p.row, p.column) == (SURVEYS_SHEET, 2, label) and expected in p.expected


def _set_row(ws, row: int, cells: dict[str, object]) -> None:
    header = {c.value: c.column for c in ws[1]}
    for label, value in cells.items():
        ws.cell(row=row, column=header[label]).value = value


def test_survey_problems_come_once_each_in_file_and_row_order_with_the_other_sheets(small_build, tmp_path: Path):
    """The surveys sheet is read by the one workbook walker: its problems come in the order of
    the files and rows, after the workbook's other sheets; a workbook made before the sheet
    existed is read without a word about it."""
    _, processed = small_build
    template = write_templates(processed, tmp_path / "templates", last_year=2025)[0]
    folder = tmp_path / "raw" / "entries"
    folder.mkdir(parents=True)

    wb = openpyxl.load_workbook(template)
    obs = wb[OBSERVATIONS_SHEET]
    _set_row(obs, 2, {"数值": "约100", "来源": "示例区统计公报"})
    ws = wb[SURVEYS_SHEET]
    _set_row(ws, 2, {**GOOD, "类型": "问卷"})
    _set_row(ws, 3, {**GOOD, "时间": "三月"})
    _set_row(ws, 4, {**GOOD, "规划编号": "example-99"})
    _set_row(ws, 5, GOOD)
    wb.save(folder / "a.xlsx")

    wb = openpyxl.load_workbook(template)
    ws = wb[SURVEYS_SHEET]
    _set_row(ws, 2, GOOD)
    ws.delete_cols(3)  # 主要结论: the sheet's rows cannot be read
    wb.save(folder / "b.xlsx")

    wb = openpyxl.load_workbook(template)
    del wb[SURVEYS_SHEET]
    wb.save(folder / "c.xlsx")

    result = read_entries(folder, read_frames(processed))
    got = [(p.file, p.sheet, p.row, p.column) for p in result.problems]
    assert got == [
        ("entries/a.xlsx", OBSERVATIONS_SHEET, 2, "数值"),
        ("entries/a.xlsx", SURVEYS_SHEET, 2, "类型"),
        ("entries/a.xlsx", SURVEYS_SHEET, 3, "时间"),
        ("entries/a.xlsx", SURVEYS_SHEET, 4, "规划编号"),
        ("entries/b.xlsx", SURVEYS_SHEET, 1, "主要结论"),
    ], "\n".join(map(str, result.problems))
    kind, when, plan, column = result.problems[1:]
    assert (kind.found, kind.expected) == ("'问卷'", "one of ['群众满意度调查', '第三方评估'] (drop-down)")
    assert (when.found, when.expected) == ("'三月'", "a date: YYYY-MM or YYYY-MM-DD")
    assert (plan.found, plan.expected) == ("'example-99'", "a plan_id from plans ['example-15']")
    assert column.found == "no such column in the header"
    assert result.surveys["source_location"].tolist() == [f"{SURVEYS_SHEET} 第5行"], "the good row is still kept"


def test_the_same_survey_in_two_copies_of_a_workbook_is_kept_once_citing_both(small_build, tmp_path: Path):
    raw = _filled(tmp_path, small_build, GOOD)
    (copy,) = list((raw / "entries").glob("*.xlsx"))
    shutil.copyfile(copy, copy.with_name(f"副本-{copy.name}"))
    frames = read_frames(small_build[1])
    once = read_entries(raw / "entries", frames)
    assert once.problems == []
    assert len(once.surveys) == 1
    row = once.surveys.iloc[0]
    assert row["source_document"].split("；") == [f"entries/{copy.name}", f"entries/副本-{copy.name}"]  # files in order
    assert row["source_location"] == f"{SURVEYS_SHEET} 第2行；{SURVEYS_SHEET} 第2行"
