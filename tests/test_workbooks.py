"""Excel workbooks for hand entry: templates per plan, and filled copies read back and checked.

Filled workbooks are made here with openpyxl from the templates themselves (no binary
fixtures): a copy with deliberate mistakes must give exactly one problem per mistake,
and a correct copy must merge into frames that conform to their schemas, once.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from analysis import datasets, sources
from analysis.raw.entries import EntryResult, merge, read_entries
from analysis.workbook_layout import ASSESSMENTS_SHEET, OBSERVATIONS_SHEET, README_SHEET, RISKS_SHEET, SURVEYS_SHEET
from analysis.workbooks import read_frames, write_templates

SHEETS = [README_SHEET, OBSERVATIONS_SHEET, ASSESSMENTS_SHEET, RISKS_SHEET, SURVEYS_SHEET]
LAST_YEAR = 2025  # the templates ask for observations up to this year (fixed: the tests do not read the clock)
CJK = re.compile(r"[\u4e00-\u9fff]")


# -- helpers ----------------------------------------------------------------------------------


def _header(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value is not None}


def _records(ws) -> list[dict[str, Any]]:
    """The sheet's data rows as {Chinese header: value}, with the Excel row number under '_row'."""
    header = _header(ws)
    out = []
    for i, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if any(v is not None for v in row):
            out.append({"_row": i, **{label: row[col - 1] for label, col in header.items()}})
    return out


def _row_of(ws, **match: Any) -> int:
    """The Excel row whose cells equal ``match`` (plan, item, indicator, risk, period, department)."""
    labels = {
        "item": "事项编号",
        "indicator": "指标编号",
        "risk": "风险编号",
        "plan": "规划编号",
        "period": "期间",
        "department": "责任部门",
    }
    rows = [r["_row"] for r in _records(ws) if all(r[labels[k]] == v for k, v in match.items())]
    assert len(rows) == 1, (ws.title, match, rows)
    return rows[0]


def _set(ws, row: int, cells: dict[str, Any]) -> None:
    header = _header(ws)
    for label, value in cells.items():
        ws.cell(row=row, column=header[label]).value = value  # None clears the cell


def _append(ws, cells: dict[str, Any]) -> int:
    """Fill the first row below every non-empty row; return its number."""
    row = max([r["_row"] for r in _records(ws)], default=1) + 1
    _set(ws, row, cells)
    return row


def _template(processed: Path, folder: Path, plan_id: str) -> openpyxl.Workbook:
    paths = write_templates(processed, folder, last_year=LAST_YEAR)
    return openpyxl.load_workbook(next(p for p in paths if p.stem == plan_id))


def _entries(tmp_path: Path) -> Path:
    folder = tmp_path / "raw" / "entries"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _read(folder: Path, processed: Path) -> EntryResult:
    return read_entries(folder, read_frames(processed))


@pytest.fixture
def small(small_build) -> Path:
    return small_build[1]


@pytest.fixture
def small_with_published(small, tmp_path: Path) -> Path:
    """The small fixture's processed data plus a published 2025 figure for hard_to_employ_placed."""
    folder = tmp_path / "processed_published"
    shutil.copytree(small, folder)
    obs = datasets.read("observations", folder)
    extra = obs.iloc[[0]].copy()
    extra = extra.assign(
        series_id="hard_to_employ_placed",
        plan_id=None,
        region="示例区",
        measure="就业困难人员实现就业人数",
        period="2025",
        period_type="year",
        period_start=pd.Timestamp("2025-01-01"),
        period_end=pd.Timestamp("2025-12-31"),
        value=1300.0,
        comparator="=",
        value_text="1300人",
        status=None,
        unit="人",
        is_cumulative=False,
        note=None,
        source_document="2025年示例区统计公报",
        source_location=None,
        source_issuer="示例区统计局",
        source_year=2026,
        source_quote="全年帮扶就业困难人员实现就业1300人",
        source_url=None,
        is_reprint=False,
        is_benchmark=False,
    )
    datasets.write("observations", pd.concat([obs, extra], ignore_index=True), folder)
    return folder


def _fill_correctly(wb: openpyxl.Workbook) -> None:
    """A complete, correct entry of the small fixture plan's workbook."""
    obs = wb[OBSERVATIONS_SHEET]
    _set(
        obs,
        _row_of(obs, indicator="hard_to_employ_placed"),
        {
            "数值": 1300,
            "来源": "示例区统计局《2025年示例区统计公报》",
            "来源原文": "全年帮扶就业困难人员实现就业1300人",
            "网址": "https://example.org/gb2025",
        },
    )
    _set(
        obs,
        _row_of(obs, indicator="skills_training"),
        {"数值": "0.6", "单位": "万人次", "来源": "示例区人社局《2025年工作总结》"},
    )
    _set(
        obs,
        _row_of(obs, indicator="surveyed_unemployment_rate"),
        {"数值": 4.8, "来源": "示例区统计局《2025年示例区统计公报》"},
    )
    _append(
        obs,
        {
            "规划编号": "example-15",
            "指标编号": "surveyed_unemployment_rate",
            "指标": "城镇调查失业率",
            "期间": "2025-06",
            "期间类型": "月度",
            "数值": 4.9,
            "单位": "%",
            "来源": "示例区统计局月报",
        },
    )
    tasks = wb[ASSESSMENTS_SHEET]
    _set(
        tasks,
        _row_of(tasks, item="t2-01"),
        {
            "评估主体": "自评",
            "进展判断": "基本符合预期",
            "进展情况": "已帮扶 1300 人",
            "填报人": "张三",
            "填报日期": "2026-06-30",
        },
    )
    _append(
        tasks,
        {
            "规划编号": "example-15",
            "事项类型": "重大任务",
            "事项编号": "t2-01",
            "责任部门": "就业科",
            "评估主体": "自评",
            "进展判断": "快于预期",
            "成效经验": "精准帮扶",
            "填报日期": "2026-06-29",
        },
    )
    _set(
        tasks,
        _row_of(tasks, item="pension_coverage"),
        {"责任部门": "就业科", "评估主体": "第三方", "进展判断": "已完成"},
    )
    risks = wb[RISKS_SHEET]
    first_blank = min(r["_row"] for r in _records(risks) if r["风险编号"] is None)
    _set(
        risks,
        first_blank,
        {
            "风险编号": "new-01",
            "风险": "就业援助资金使用风险",
            "责任部门": "就业科",
            "风险评估": "低",
            "防控举措": "按季度审计",
            "填报日期": "2026-06-30",
        },
    )


# -- templates ----------------------------------------------------------------------------------


def test_a_template_is_written_per_plan_with_four_sheets_and_a_chinese_header(real_build, tmp_path: Path):
    result, processed = real_build
    out = tmp_path / "templates"
    paths = write_templates(processed, out, last_year=LAST_YEAR)
    plans = list(result.frames["plans"]["plan_id"])
    assert sorted(p.name for p in paths) == sorted(f"{p}.xlsx" for p in plans)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths), "no temporary file left behind"
    for path in paths:
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == SHEETS
        readme = "\n".join(str(c.value) for c in wb[README_SHEET]["A"] if c.value)
        assert "data/raw/entries/" in readme and "YYYY-MM-DD" in readme and "基本符合预期" in readme
        for sheet in SHEETS[1:]:
            ws = wb[sheet]
            assert ws.freeze_panes == "A2"
            assert all(CJK.search(label) for label in _header(ws)), _header(ws)
            assert all(ws.cell(row=1, column=c).alignment.wrap_text for c in _header(ws).values())


def test_every_drop_down_is_a_list_validation(small, tmp_path: Path):
    wb = _template(small, tmp_path, "example-15")
    expected = {
        OBSERVATIONS_SHEET: {"期间类型": ["年度", "年初至今", "月度", "多年累计"]},
        ASSESSMENTS_SHEET: {
            "评估主体": ["自评", "第三方"],
            "进展判断": ["已完成", "快于预期", "基本符合预期", "滞后于预期", "未启动"],
        },
        RISKS_SHEET: {"风险评估": ["低", "中", "高"]},
    }
    for sheet, lists in expected.items():
        ws = wb[sheet]
        header = _header(ws)
        found = {}
        for dv in ws.data_validations.dataValidation:
            if dv.type != "list":
                continue
            for rng in dv.sqref.ranges:
                label = next(k for k, v in header.items() if v == rng.min_col)
                found[label] = (dv.formula1.strip('"').split(","), rng.min_row, rng.max_row, dv.errorStyle)
        for label, choices in lists.items():
            listed, first, last, style = found[label]
            assert listed == choices
            assert first == 2 and last > len(_records(ws)) + 1, "the drop-down also covers rows people add"
            assert style in (None, "stop"), "a fixed list refuses other values"


def test_small_plan_template_is_prefilled_with_every_missing_year_item_and_risk_row(small, tmp_path: Path):
    wb = _template(small, tmp_path, "example-15")
    obs = _records(wb[OBSERVATIONS_SHEET])
    # example-15: base year 2025, so up to 2025 each quantitative target (not the qualitative one) is asked once
    assert {(r["指标编号"], r["期间"], r["期间类型"], r["单位"]) for r in obs} == {
        ("hard_to_employ_placed", "2025", "年度", "人"),
        ("skills_training", "2025", "年度", "人次"),
        ("surveyed_unemployment_rate", "2025", "年度", "%"),
    }
    assert all(r["数值"] is None and r["规划编号"] == "example-15" for r in obs)
    tasks = _records(wb[ASSESSMENTS_SHEET])
    assert [(r["事项类型"], r["事项编号"], r["责任部门"]) for r in tasks] == [
        ("重大任务", "t2-01", "培训中心、就业科"),
        ("重大任务", "t2-02", "培训中心"),
        ("目标指标", "pension_coverage", None),
    ]
    assert tasks[2]["事项内容"] == "基本养老保险覆盖率：应保尽保"
    risks = _records(wb[RISKS_SHEET])
    assert len(risks) == 5 and all(r["规划编号"] == "example-15" and r["风险编号"] is None for r in risks)


def test_years_asked_for_run_to_the_last_year_and_skip_observations_already_there(small_with_published, tmp_path: Path):
    paths = write_templates(small_with_published, tmp_path, last_year=2027)
    obs = _records(openpyxl.load_workbook(paths[0])[OBSERVATIONS_SHEET])
    pairs = {(r["指标编号"], r["期间"]) for r in obs}
    assert ("hard_to_employ_placed", "2025") not in pairs, "a published 2025 figure is not asked for again"
    assert {
        ("hard_to_employ_placed", "2026"),
        ("hard_to_employ_placed", "2027"),
        ("skills_training", "2025"),
        ("skills_training", "2027"),
    } <= pairs
    assert not any(year == "2028" for _, year in pairs)
    assert len(pairs) == 3 * 3 - 1


def test_real_templates_prefill_every_item_risk_and_missing_indicator_year(real_build, tmp_path: Path):
    result, processed = real_build
    frames = result.frames
    paths = {p.stem: p for p in write_templates(processed, tmp_path, last_year=LAST_YEAR)}
    plans = frames["plans"].set_index("plan_id")
    ind, obs, resp = frames["indicators"], frames["observations"], frames["responsibilities"]
    for plan_id, path in paths.items():
        wb = openpyxl.load_workbook(path)
        plan = plans.loc[plan_id]

        quantitative = ind[(ind["plan_id"] == plan_id) & ind["target_kind"].isin(["annual", "cumulative", "level"])]
        yearly = obs[(obs["region"] == plan["region"]) & (obs["period_type"] == "year")]
        have = {(s, str(d.year)) for s, d in zip(yearly["series_id"], yearly["period_start"])}
        years = [str(y) for y in range(int(plan["base_year"]), min(int(plan["period_end"]), LAST_YEAR) + 1)]
        # years inside a reported total of the plan (2021–2023 as one figure) are not asked for
        totals = obs[
            (obs["region"] == plan["region"])
            & (obs["period_type"] == "plan_period")
            & obs["value"].notna()
            & obs["is_preferred"]
        ]
        covered = {
            (s, str(y))
            for s, a, b in zip(totals["series_id"], totals["period_start"], totals["period_end"])
            if a.year >= int(plan["period_start"])
            for y in range(a.year, b.year + 1)
        }
        wanted = {(i, y) for i in quantitative["indicator_id"] for y in years} - have - covered
        rows = _records(wb[OBSERVATIONS_SHEET])
        assert {(r["指标编号"], r["期间"]) for r in rows} == wanted
        assert len(rows) == len(wanted), "each missing indicator-year once"

        items = frames["items"][frames["items"]["plan_id"] == plan_id]
        assessed = ind[(ind["plan_id"] == plan_id) & ind["target_kind"].isin(["qualitative", "external"])]
        tasks = _records(wb[ASSESSMENTS_SHEET])
        assert [r["事项编号"] for r in tasks] == list(items["item_id"]) + list(assessed["indicator_id"])
        for r in tasks:
            depts = resp[(resp["plan_id"] == plan_id) & (resp["item_id"] == r["事项编号"])]["department"]
            assert set((r["责任部门"] or "").split("、")) - {""} == set(depts), r

        settings = frames["evaluation_settings"]
        exercises = set(settings.loc[settings["plan_id"] == plan_id, "exercise"])
        areas = frames["risk_areas"][frames["risk_areas"]["exercise"].isin(exercises)]
        risks = _records(wb[RISKS_SHEET])
        assert [r["风险"] for r in risks if r["风险编号"]] == list(areas["risk"])
        assert sum(1 for r in risks if r["风险编号"] is None) == 5

    # document 000's mid-term exercise lists four risks; each of its plans' workbooks asks about them
    risks = {r["风险"] for r in _records(openpyxl.load_workbook(paths["shanghai-14-outline"])[RISKS_SHEET])}
    assert {"规模性失业", "社会保险基金管理", "人事考试安全", "重点行业欠薪"} <= risks
    tasks = _records(openpyxl.load_workbook(paths["shanghai-14-outline"])[ASSESSMENTS_SHEET])
    assert {"t1-01", "t2-01", "t2-17", "income_growth_sync", "pay_productivity_sync"} <= {r["事项编号"] for r in tasks}


def test_the_same_data_give_byte_identical_workbooks(small, tmp_path: Path):
    first = write_templates(small, tmp_path / "a", last_year=LAST_YEAR)[0]
    second = write_templates(small, tmp_path / "b", last_year=LAST_YEAR)[0]
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
        assert {i.date_time for i in z.infolist()} == {(2020, 1, 1, 0, 0, 0)}
    assert core.count("2020-01-01T00:00:00Z") == 2  # created and modified


# -- filled workbooks -------------------------------------------------------------------------------


def test_a_copy_with_mistakes_gives_exactly_one_problem_per_mistake(small, tmp_path: Path):
    wb = _template(small, tmp_path / "templates", "example-15")
    _fill_correctly(wb)
    obs, tasks = wb[OBSERVATIONS_SHEET], wb[ASSESSMENTS_SHEET]
    mistakes = []  # (sheet, row, column, found)
    row = _row_of(obs, indicator="hard_to_employ_placed")
    _set(obs, row, {"数值": "3.5万"})
    mistakes.append((OBSERVATIONS_SHEET, row, "数值", "'3.5万'"))
    row = _row_of(obs, indicator="skills_training")
    _set(obs, row, {"期间": "2031"})
    mistakes.append((OBSERVATIONS_SHEET, row, "期间", "'2031'"))
    row = _row_of(tasks, item="t2-01", department="培训中心、就业科")  # the jointly filled row
    _set(tasks, row, {"进展判断": "差不多"})
    mistakes.append((ASSESSMENTS_SHEET, row, "进展判断", "'差不多'"))
    row = _append(
        tasks,
        {
            "规划编号": "example-15",
            "事项类型": "重大任务",
            "事项编号": "t9-99",
            "责任部门": "就业科",
            "评估主体": "自评",
            "进展判断": "已完成",
        },
    )
    mistakes.append((ASSESSMENTS_SHEET, row, "事项编号", "'t9-99'"))
    row = _row_of(tasks, item="t2-02")
    _set(tasks, row, {"责任部门": "宣传处", "评估主体": "自评", "进展判断": "未启动"})
    mistakes.append((ASSESSMENTS_SHEET, row, "责任部门", "'宣传处'"))
    folder = _entries(tmp_path)
    wb.save(folder / "example-15.xlsx")

    result = _read(folder, small)

    got = [(p.sheet, p.row, p.column) for p in result.problems]
    assert sorted(got) == sorted(m[:3] for m in mistakes), "\n".join(map(str, result.problems))
    for sheet, row, column, found in mistakes:
        problem = next(p for p in result.problems if (p.sheet, p.row, p.column) == (sheet, row, column))
        assert problem.file == "entries/example-15.xlsx"
        assert problem.found == found and problem.expected
        message = str(problem)
        for part in ("entries/example-15.xlsx", f"sheet {sheet!r}", f"row {row}", f"column {column!r}", "expected"):
            assert part in message, message
    # the rows without mistakes are still read; the rows with one are left out
    assert set(result.observations["series_id"]) == {"surveyed_unemployment_rate"}
    assert set(result.assessments["item_id"]) == {"t2-01", "pension_coverage"}
    assert list(result.assessments.loc[result.assessments["item_id"] == "t2-01", "department"]) == ["就业科"]


@pytest.mark.parametrize(
    ("column", "typed", "expected"),
    [
        ("数值", "3.5万", "plain number"),
        ("数值", "约100", "plain number"),
        ("数值", "100余", "plain number"),
        ("期间", "2025年6月", "a year such as 2022"),
        ("期间类型", "季度", "one of ['年度', '年初至今', '月度', '多年累计']"),
        ("单位", "家", "the indicator's unit '人'"),
        ("来源", None, "the publication"),
    ],
)
def test_each_bad_observation_cell_is_one_problem(small, tmp_path: Path, column: str, typed: Any, expected: str):
    wb = _template(small, tmp_path / "templates", "example-15")
    obs = wb[OBSERVATIONS_SHEET]
    row = _row_of(obs, indicator="hard_to_employ_placed")
    _set(obs, row, {"数值": 1300, "来源": "示例区统计公报"})
    _set(obs, row, {column: typed})
    folder = _entries(tmp_path)
    wb.save(folder / "example-15.xlsx")
    result = _read(folder, small)
    assert len(result.problems) == 1, result.problems
    problem = result.problems[0]
    assert (problem.sheet, problem.row, problem.column) == (OBSERVATIONS_SHEET, row, column)
    assert expected in problem.expected
    assert result.observations.empty


@pytest.mark.parametrize(
    ("sheet", "column", "typed", "expected"),
    [
        (ASSESSMENTS_SHEET, "评估主体", "上级", "one of ['自评', '第三方']"),
        (ASSESSMENTS_SHEET, "填报日期", "2026/06/30", "YYYY-MM-DD"),
        (ASSESSMENTS_SHEET, "规划编号", "example-99", "a plan_id from plans"),
        (RISKS_SHEET, "风险评估", "较高", "one of ['低', '中', '高']"),
        (RISKS_SHEET, "风险编号", None, "a risk id"),
        (RISKS_SHEET, "责任部门", None, "the name of the department"),
    ],
)
def test_each_bad_assessment_or_risk_cell_is_one_problem(
    small, tmp_path: Path, sheet: str, column: str, typed: Any, expected: str
):
    wb = _template(small, tmp_path / "templates", "example-15")
    _fill_correctly(wb)
    ws = wb[sheet]
    row = _row_of(ws, item="pension_coverage") if sheet == ASSESSMENTS_SHEET else _row_of(ws, risk="new-01")
    _set(ws, row, {column: typed})
    folder = _entries(tmp_path)
    wb.save(folder / "example-15.xlsx")
    result = _read(folder, small)
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [(sheet, row, column)], result.problems
    assert expected in result.problems[0].expected


def test_a_file_that_is_not_a_workbook_or_lacks_a_sheet_is_one_clear_problem(small, tmp_path: Path):
    folder = _entries(tmp_path)
    (folder / "broken.xlsx").write_bytes(b"this is not a zip file")
    wb = _template(small, tmp_path / "templates", "example-15")
    _fill_correctly(wb)
    del wb[RISKS_SHEET]
    wb.save(folder / "no-risks.xlsx")
    (folder / "~$no-risks.xlsx").write_bytes(b"Excel lock file")  # ignored
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")

    result = _read(folder, small)

    by_file = {}
    for p in result.problems:
        by_file.setdefault(p.file, []).append(p)
    assert sorted(by_file) == ["entries/broken.xlsx", "entries/no-risks.xlsx", "entries/old.xls"]
    assert all(len(v) == 1 for v in by_file.values()), result.problems
    broken = by_file["entries/broken.xlsx"][0]
    assert broken.row is None and "not a readable .xlsx workbook" in broken.found
    missing = by_file["entries/no-risks.xlsx"][0]
    assert missing.sheet == RISKS_SHEET and RISKS_SHEET in missing.found and missing.row is None
    assert ".xlsx" in by_file["entries/old.xls"][0].expected
    assert len(result.assessments) == 3, "the sheets that are there are still read"


def test_a_correct_copy_merges_into_frames_that_conform_to_their_schemas(small, tmp_path: Path):
    wb = _template(small, tmp_path / "templates", "example-15")
    _fill_correctly(wb)
    folder = _entries(tmp_path)
    wb.save(folder / "example-15.xlsx")

    result = _read(folder, small)

    assert result.problems == []
    assert result.files == ["entries/example-15.xlsx"]
    for name in ("assessments", "risks", "observations"):
        frame = getattr(result, name)
        pd.testing.assert_frame_equal(datasets.conform(name, frame), frame)

    a = result.assessments.set_index(["item_id", "department"])
    assert len(a) == 3
    assert a.loc[("t2-01", "培训中心、就业科"), "progress"] == "基本符合预期"
    assert a.loc[("t2-01", "培训中心、就业科"), "filled_on"] == pd.Timestamp("2026-06-30")
    assert a.loc[("t2-01", "就业科"), "progress"] == "快于预期"
    assert a.loc[("pension_coverage", "就业科"), ["item_type", "assessor"]].tolist() == ["indicator", "第三方"]
    assert a.loc[("t2-01", "就业科"), ["source_document", "source_location"]].tolist() == [
        "entries/example-15.xlsx",
        "任务评估 第5行",
    ]

    r = result.risks.iloc[0]
    assert (len(result.risks), r["risk_id"], r["risk"], bool(r["is_added"]), r["level"]) == (
        1,
        "new-01",
        "就业援助资金使用风险",
        True,
        "低",
    )

    o = result.observations.set_index(["series_id", "period_type"])
    assert len(o) == 4
    assert o.loc[("hard_to_employ_placed", "year"), "value"] == 1300
    assert o.loc[("hard_to_employ_placed", "year"), "source_url"] == "https://example.org/gb2025"
    training = o.loc[("skills_training", "year")]
    assert (training["value"], training["unit"], training["value_text"]) == (6000, "人次", "0.6")
    month = o.loc[("surveyed_unemployment_rate", "month")]
    assert (month["period"], month["period_start"], month["period_end"]) == (
        "2025-06",
        pd.Timestamp("2025-06-01"),
        pd.Timestamp("2025-06-30"),
    )
    assert set(result.observations["comparator"]) == {"="}
    assert not result.observations["is_reprint"].any() and not result.observations["is_benchmark"].any()

    merged = merge(read_frames(small), result)
    assert len(merged["observations"]) == len(read_frames(small)["observations"]) + 4
    assert len(merged["assessments"]) == 3 and len(merged["risks"]) == 1


def test_the_same_entries_read_twice_or_from_two_copies_are_not_duplicated(small, tmp_path: Path):
    wb = _template(small, tmp_path / "templates", "example-15")
    _fill_correctly(wb)
    folder = _entries(tmp_path)
    wb.save(folder / "example-15.xlsx")
    once = _read(folder, small)
    again = _read(folder, small)
    for name in ("assessments", "risks", "observations"):
        pd.testing.assert_frame_equal(getattr(once, name), getattr(again, name))

    shutil.copyfile(folder / "example-15.xlsx", folder / "example-15-就业科.xlsx")
    twice = _read(folder, small)
    assert twice.problems == []
    assert len(twice.files) == 2
    for name in ("assessments", "risks", "observations"):
        assert len(getattr(twice, name)) == len(getattr(once, name)), name
    row = twice.assessments.set_index(["item_id", "department"]).loc[("t2-01", "就业科")]
    # one document per place when the places are in two copies, and read back as two sources
    assert row["source_document"] == "entries/example-15-就业科.xlsx；entries/example-15.xlsx"
    assert row["source_location"] == "任务评估 第5行；任务评估 第5行"
    assert [s.text for s in sources.of_record(row)] == [
        "entries/example-15-就业科.xlsx：任务评估 第5行",
        "entries/example-15.xlsx：任务评估 第5行",
    ]


def test_two_different_entries_for_one_assessment_are_a_problem_not_an_overwrite(small, tmp_path: Path):
    folder = _entries(tmp_path)
    wb = _template(small, tmp_path / "templates", "example-15")
    _fill_correctly(wb)
    wb.save(folder / "a.xlsx")
    tasks = wb[ASSESSMENTS_SHEET]
    row = _row_of(tasks, item="pension_coverage")
    _set(tasks, row, {"进展判断": "滞后于预期"})
    obs = wb[OBSERVATIONS_SHEET]
    obs_row = _row_of(obs, indicator="surveyed_unemployment_rate", period="2025")
    _set(obs, obs_row, {"数值": 4.7})
    wb.save(folder / "b.xlsx")

    result = _read(folder, small)

    assert [(p.file, p.sheet, p.row, p.column) for p in result.problems] == [
        ("entries/b.xlsx", OBSERVATIONS_SHEET, obs_row, "数值"),
        ("entries/b.xlsx", ASSESSMENTS_SHEET, row, "进展判断"),
    ]
    assert "entries/a.xlsx" in result.problems[0].expected and "4.8" in result.problems[0].expected
    assert "entries/a.xlsx" in result.problems[1].found
    kept = result.assessments.set_index("item_id").loc["pension_coverage", "progress"]
    assert kept == "已完成", "the first entry is kept, not overwritten"


def test_a_typed_value_that_disagrees_with_a_published_one_is_reported(small_with_published, tmp_path: Path):
    wb = _template(small_with_published, tmp_path / "templates", "example-15")
    obs = wb[OBSERVATIONS_SHEET]
    base = {
        "规划编号": "example-15",
        "指标编号": "hard_to_employ_placed",
        "指标": "就业困难人员实现就业人数",
        "期间": "2025",
        "期间类型": "年度",
        "单位": "人",
        "来源": "示例区人社局《2025年工作总结》",
    }
    wrong = _append(obs, {**base, "数值": 1250})
    folder = _entries(tmp_path)
    wb.save(folder / "wrong.xlsx")

    result = _read(folder, small_with_published)

    assert len(result.problems) == 1
    p = result.problems[0]
    assert (p.file, p.sheet, p.row, p.column, p.found) == (
        "entries/wrong.xlsx",
        OBSERVATIONS_SHEET,
        wrong,
        "数值",
        "1250",
    )
    assert p.expected == "the published value 1300 from 示例区统计局《2025年示例区统计公报》（2026）"
    assert result.observations.empty

    _set(obs, wrong, {"数值": 1300})
    wb.save(folder / "wrong.xlsx")
    same = _read(folder, small_with_published)
    assert same.problems == [] and same.observations.empty, "a value already published is not added again"
    merged = merge(read_frames(small_with_published), same)
    assert len(merged["observations"]) == len(read_frames(small_with_published)["observations"])


def test_a_percentage_formatted_cell_is_read_as_excel_shows_it(small, tmp_path: Path):
    wb = _template(small, tmp_path / "templates", "example-15")
    obs = wb[OBSERVATIONS_SHEET]
    row = _row_of(obs, indicator="surveyed_unemployment_rate")
    _set(obs, row, {"数值": 0.048, "来源": "示例区统计公报"})
    obs.cell(row=row, column=_header(obs)["数值"]).number_format = "0.0%"  # Excel shows 4.8%
    folder = _entries(tmp_path)
    wb.save(folder / "x.xlsx")
    result = _read(folder, small)
    assert result.problems == []
    assert result.observations["value"].tolist() == pytest.approx([4.8])


def test_an_untouched_template_and_an_empty_folder_give_no_rows_and_no_problems(small, tmp_path: Path):
    folder = _entries(tmp_path)
    empty = _read(folder, small)
    assert (empty.problems, len(empty.assessments), len(empty.risks), len(empty.observations)) == ([], 0, 0, 0)
    assert list(empty.assessments.columns) == datasets.spec("assessments").column_names
    write_templates(small, folder, last_year=LAST_YEAR)
    untouched = _read(folder, small)
    assert untouched.files == ["entries/example-15.xlsx"]
    assert (untouched.problems, len(untouched.assessments), len(untouched.risks), len(untouched.observations)) == (
        [],
        0,
        0,
        0,
    )
    assert _read(tmp_path / "no-such-folder", small).files == []


def test_a_filled_real_template_merges_with_the_real_data(real_build, tmp_path: Path):
    result, processed = real_build
    wb = _template(processed, tmp_path / "templates", "shanghai-14-outline")
    tasks, risks = wb[ASSESSMENTS_SHEET], wb[RISKS_SHEET]
    _set(
        tasks,
        _row_of(tasks, item="t2-17"),
        {"评估主体": "自评", "进展判断": "基本符合预期", "进展情况": "稳步推进", "填报日期": "2023-06-30"},
    )
    _set(tasks, _row_of(tasks, item="income_growth_sync"), {"评估主体": "第三方", "进展判断": "滞后于预期"})
    for risk in ("large_scale_unemployment", "wage_arrears"):
        _set(risks, _row_of(risks, risk=risk), {"责任部门": "就业处", "风险评估": "中", "防控举措": "监测预警"})
    _set(risks, _row_of(risks, risk="social_insurance_funds"), {"责任部门": "养保处、市社保中心", "风险评估": "低"})
    folder = _entries(tmp_path)
    wb.save(folder / "shanghai-14-outline.xlsx")

    entries = read_entries(folder, result.frames)

    assert entries.problems == []
    merged = merge(result.frames, entries)
    assert set(merged["assessments"]["item_id"]) == {"t2-17", "income_growth_sync"}
    t2_17 = merged["assessments"].set_index("item_id").loc["t2-17"]
    assert t2_17["department"] == "养保处、就业处、居保处、市就促中心、市社保中心、福保处", (
        "pre-filled departments kept"
    )
    assert dict(zip(merged["risks"]["risk"], merged["risks"]["level"])) == {
        "规模性失业": "中",
        "重点行业欠薪": "中",
        "社会保险基金管理": "低",
    }
    assert not merged["risks"]["is_added"].any()
    for name in ("assessments", "risks"):
        pd.testing.assert_frame_equal(datasets.conform(name, merged[name]), merged[name])


def test_a_typed_value_that_disagrees_with_a_real_published_figure_is_reported(real_build, tmp_path: Path):
    result, processed = real_build
    frames = result.frames
    plans = frames["plans"].set_index("plan_id")
    ind = frames["indicators"]
    obs = frames["observations"]
    yearly = obs[(obs["period_type"] == "year") & (obs["comparator"] == "=") & obs["value"].notna()]
    if "is_preferred" in yearly.columns:
        yearly = yearly[yearly["is_preferred"]]
    candidates = [
        (i, o)
        for i in ind.itertuples()
        for o in yearly[yearly["series_id"] == i.indicator_id].itertuples()
        if o.region == plans.loc[i.plan_id, "region"]
        and int(plans.loc[i.plan_id, "base_year"]) <= o.period_start.year <= int(plans.loc[i.plan_id, "period_end"])
    ]
    assert candidates, "the real data hold published yearly figures of a plan's own targets"
    indicator, published = candidates[0]
    wb = _template(processed, tmp_path / "templates", indicator.plan_id)
    ws = wb[OBSERVATIONS_SHEET]
    year = str(published.period_start.year)
    assert (indicator.indicator_id, year) not in {(r["指标编号"], r["期间"]) for r in _records(ws)}
    row = _append(
        ws,
        {
            "规划编号": indicator.plan_id,
            "指标编号": indicator.indicator_id,
            "指标": indicator.name,
            "期间": year,
            "期间类型": "年度",
            "单位": indicator.unit,
            "数值": published.value + 1,
            "来源": "某区统计局《统计公报》",
        },
    )
    folder = _entries(tmp_path)
    wb.save(folder / "x.xlsx")

    entries = read_entries(folder, frames)

    assert [(p.sheet, p.row, p.column) for p in entries.problems] == [(OBSERVATIONS_SHEET, row, "数值")]
    expected = entries.problems[0].expected
    assert expected == f"the published value {published.value:.12g} from {sources.describe(published)}"
    assert entries.observations.empty

    _set(ws, row, {"数值": published.value})
    wb.save(folder / "x.xlsx")
    same = read_entries(folder, frames)
    assert same.problems == [] and same.observations.empty


def test_a_filled_workbook_flows_through_the_build_into_the_evaluation(small_raw_copy: Path, tmp_path: Path):
    """End to end: template → filled by staff → data/raw/entries → make data → evaluations."""
    from analysis.build import build
    from analysis.evaluate import evaluate

    first = tmp_path / "first"
    build(small_raw_copy, first)
    wb = _template(first, tmp_path / "templates", "example-15")
    _fill_correctly(wb)
    (small_raw_copy / "entries").mkdir()
    wb.save(small_raw_copy / "entries" / "example-15.xlsx")

    result = build(small_raw_copy, tmp_path / "second")
    assert result.manifest["entries"]["files"] == ["entries/example-15.xlsx"]
    assert len(result.frames["assessments"]) >= 2 and len(result.frames["risks"]) == 1
    typed = result.frames["observations"]
    # typed as issuer《title》（year）: read into the three columns a transcribed publication has
    entered = typed[typed["note"].fillna("").str.contains("录入：entries/example-15.xlsx")]
    assert not entered.empty
    assert set(zip(entered["source_issuer"].fillna("（无）"), entered["source_document"])) == {
        ("示例区统计局", "2025年示例区统计公报"),
        ("示例区人社局", "2025年工作总结"),
        ("（无）", "示例区统计局月报"),  # not typed as issuer《title》: kept as typed
    }
    assert entered["source_year"].isna().all()  # typed without （year）: none is made up
    ev = evaluate(result.frames).set_index("indicator_id")
    pension = ev.loc["pension_coverage"]
    assert pension["progress_zh"] == "定性评估"
    assert "第三方评估：已完成" in pension["explanation_zh"]
    assert pd.isna(pension["completion"]) and pd.isna(pension["prob_meet"])


# -- a reported multi-year total is never silently overturned (issue 10 §5) ---------------------


def _mid_term_world(raw: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The small fixture plan evaluated at the end of 2028, with a reported 2026–2027 total
    published in 2028; today is set to 2030 so that these years have passed."""
    monkeypatch.setenv("ANALYSIS_TODAY", "2030-06-30")
    with (raw / "evaluations.csv").open("a", encoding="utf-8") as f:
        f.write("ex15-mid,ex15-mid,example-15,示例区,中期评估,2028-12-31,,,就业科,fixture_plan.txt,表1,\n")
    with (raw / "published" / "fixture_series.csv").open("a", encoding="utf-8") as f:
        f.write(
            "skills_training,示例区,职业技能培训,2026/2027,plan_period,1.2,=,万人次,示例区人力资源和社会保障局,"
            "示例区“十五五”规划中期进展（测试用虚构）,2028,https://example.org/mid,"
            "2026—2027年累计完成职业技能培训1.2万人次,false,true,\n"
        )


def test_a_year_after_a_reported_total_adds_to_it_end_to_end(small_raw_copy: Path, tmp_path: Path, monkeypatch):
    """build → template → a district enters 2028 → build → evaluate: the total so far is the
    reported 2026–2027 figure plus 2028, never 2028 alone."""
    from analysis.build import build
    from analysis.evaluate import evaluate

    _mid_term_world(small_raw_copy, monkeypatch)
    processed = tmp_path / "processed"
    build(small_raw_copy, processed)
    paths = write_templates(processed, tmp_path / "templates", last_year=2028)
    wb = openpyxl.load_workbook(next(p for p in paths if p.stem == "example-15"))
    obs = wb[OBSERVATIONS_SHEET]
    asked = {r["期间"] for r in _records(obs) if r["指标编号"] == "skills_training"}
    assert asked == {"2025", "2028"}  # 2026 and 2027 are inside the reported total
    _set(
        obs,
        _row_of(obs, indicator="skills_training", period="2028"),
        {"数值": 6000, "来源": "示例区人社局《2028年工作总结》"},
    )
    folder = small_raw_copy / "entries"
    folder.mkdir(exist_ok=True)
    wb.save(folder / "example-15.xlsx")
    result = build(small_raw_copy, processed)
    assert result.manifest["entries"]["observations"] == 1
    ev = evaluate(result.frames)
    row = ev[(ev["evaluation_id"] == "ex15-mid") & (ev["indicator_id"] == "skills_training")].iloc[0]
    assert row["latest_value"] == 18000 and row["latest_year"] == 2028
    assert row["completion"] == pytest.approx(18000 / 25000)  # not 6000 / 25000
    assert row["progress"] == "ahead"
    assert row["explanation_zh"].startswith(
        "截至2028年底累计完成1.8万人次，为目标（2.5万人次）的72%，同期序时进度为60%，快于预期"
    )


@pytest.mark.parametrize(("period", "kind"), [("2027", "年度"), ("2027-2028", "多年累计")])
def test_a_value_overlapping_a_reported_total_is_a_conflict_naming_file_sheet_row_column(
    small_raw_copy: Path, tmp_path: Path, period: str, kind: str, monkeypatch
):
    from analysis.build import build

    _mid_term_world(small_raw_copy, monkeypatch)
    processed = tmp_path / "processed"
    build(small_raw_copy, processed)
    wb = _template(processed, tmp_path / "templates", "example-15")
    obs = wb[OBSERVATIONS_SHEET]
    row = _append(
        obs,
        {
            "规划编号": "example-15",
            "指标编号": "skills_training",
            "指标": "职业技能培训人次",
            "期间": period,
            "期间类型": kind,
            "数值": 5000,
            "单位": "人次",
            "来源": "示例区人社局月报",
        },
    )
    folder = _entries(tmp_path)
    wb.save(folder / "example-15.xlsx")
    result = _read(folder, processed)
    assert len(result.problems) == 1, result.problems
    p = result.problems[0]
    assert (p.file, p.sheet, p.row, p.column) == ("entries/example-15.xlsx", OBSERVATIONS_SHEET, row, "期间")
    assert "2026–2027" in p.expected and "12000" in p.expected and "count those years twice" in p.expected
    assert result.observations.empty


def test_a_multi_year_total_can_be_entered_as_such(small_raw_copy: Path, tmp_path: Path, monkeypatch):
    from analysis.build import build

    _mid_term_world(small_raw_copy, monkeypatch)
    processed = tmp_path / "processed"
    build(small_raw_copy, processed)
    wb = _template(processed, tmp_path / "templates", "example-15")
    obs = wb[OBSERVATIONS_SHEET]
    _append(
        obs,
        {
            "规划编号": "example-15",
            "指标编号": "skills_training",
            "指标": "职业技能培训人次",
            "期间": "2028-2029",
            "期间类型": "多年累计",
            "数值": 1.1,
            "单位": "万人次",
            "来源": "示例区人社局总结",
        },
    )
    folder = _entries(tmp_path)
    wb.save(folder / "example-15.xlsx")
    result = _read(folder, processed)
    assert not result.problems, result.problems
    got = result.observations.iloc[0]
    assert (got["period_type"], got["period"], got["value"]) == ("plan_period", "2028–2029", 11000)
    assert got["period_start"] == pd.Timestamp("2028-01-01") and got["period_end"] == pd.Timestamp("2029-12-31")
    # and the engine adds it to the reported 2026–2027 total
    from analysis.evaluate import evaluate

    folder_raw = small_raw_copy / "entries"
    folder_raw.mkdir(exist_ok=True)
    wb.save(folder_raw / "example-15.xlsx")
    built = build(small_raw_copy, processed)
    ev = evaluate(built.frames, "2029-12-31")
    row = ev[(ev["evaluation_id"] == "ex15-mid") & (ev["indicator_id"] == "skills_training")].iloc[0]
    assert row["latest_value"] == 23000 and row["latest_year"] == 2029


def test_prefilled_and_key_cells_are_protected_and_input_cells_are_not(small, tmp_path: Path):
    wb = _template(small, tmp_path / "templates", "example-15")
    for ws in wb.worksheets:
        assert ws.protection.sheet, f"{ws.title} is not protected"
        assert ws.protection.password is None, "protection guards against slips: no password"
    for title in (OBSERVATIONS_SHEET, ASSESSMENTS_SHEET, RISKS_SHEET):
        ws = wb[title]
        header = _header(ws)
        records = _records(ws)
        assert records, title
        first = records[0]["_row"]
        for label, col in header.items():
            cell = ws.cell(row=first, column=col)
            if cell.fill.fill_type == "solid":  # the grey of a pre-filled cell
                assert cell.protection.locked, f"{title}: pre-filled {label} can be overwritten"
            else:
                assert not cell.protection.locked, f"{title}: {label} cannot be filled in"
        spare = ws.cell(row=max(r["_row"] for r in records) + 1, column=1)
        assert not spare.protection.locked, f"{title}: a spare row cannot be filled in"
    assert not wb[OBSERVATIONS_SHEET].protection.autoFilter, "filtering stays allowed"


def test_every_assessment_field_reaches_the_report_and_the_brief_counts_it(
    small_raw_copy: Path, tmp_path: Path, monkeypatch
):
    """成效经验 and 存在问题及原因 typed in a workbook appear in the plan report; the department's
    task sheet counts the item as reported."""
    from analysis import datasets
    from analysis.build import build
    from analysis.evaluate import evaluate
    from analysis.report import department as dept_section
    from analysis.report import plan as plan_section
    from analysis.report.context import plan_context
    from analysis.report.department import department_context

    first = tmp_path / "first"
    build(small_raw_copy, first)
    wb = _template(first, tmp_path / "templates", "example-15")
    tasks = wb[ASSESSMENTS_SHEET]
    row = _row_of(tasks, item="t2-01")
    resp = datasets.read("responsibilities", first)
    department = resp[(resp["item_id"] == "t2-01") & (resp["position"] == 1)]["department"].iloc[0]  # its lead
    _set(
        tasks,
        row,
        {
            "评估主体": "自评",
            "进展判断": "基本符合预期",
            "进展情况": "已帮扶一千三百人",
            "成效经验": "建立精准帮扶台账",
            "存在问题及原因": "基层经办人手不足",
            "下一步建议": "增配专职人员",
            "填报日期": "2026-06-30",
        },
    )
    (small_raw_copy / "entries").mkdir()
    wb.save(small_raw_copy / "entries" / "example-15.xlsx")
    processed = tmp_path / "second"
    result = build(small_raw_copy, processed)
    datasets.write("evaluations", evaluate(result.frames), processed)

    shown: list[str] = []
    for module in (plan_section, dept_section):
        monkeypatch.setattr(module, "show", shown.append)
    region = result.frames["plans"].set_index("plan_id").loc["example-15", "region"]
    ctx = plan_context("example-15", region, data_dir=str(processed))
    plan_section.tasks(ctx)
    plan_section.issues(ctx)
    report_text = "".join(shown)
    for typed in ("已帮扶一千三百人", "建立精准帮扶台账", "基层经办人手不足"):
        assert typed in report_text, typed
    shown.clear()
    dept_section.materials(department_context(department, data_dir=str(processed)))
    brief = "".join(shown)
    assert "1项已报送材料" in brief and "增配专职人员" in brief
