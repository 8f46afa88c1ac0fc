"""Excel workbooks for what bureau staff enter by hand (``write_templates``).

Bureau staff work in Excel. For each plan they get one workbook, ``<plan_id>.xlsx``,
pre-filled with what the processed data already knows, to complete:

- ``填报说明``  a read-me: what the workbook is for, who fills which sheet, allowed values, formats;
- ``观测值``    one row per quantitative target and year with no observation yet (value to fill);
- ``任务评估``  one row per topic, major indicator, task and qualitative/external target;
- ``风险评估``  one row per risk the plan's evaluation exercises review, plus empty rows for more;
- ``满意度与第三方评估``  empty rows for the plan's surveys and third-party assessments.

Filled copies dropped into ``data/raw/entries/`` are read back and checked by
``analysis.raw.entries.read_entries``; both use the layout in ``analysis.workbook_layout``
(sheet names, each column's Chinese header and the machine id it maps to, the drop-down lists).

Row 1 of each data sheet is the Chinese header people see; data start in row 2, so a
problem's row number is the row number Excel shows.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analysis import datasets
from analysis.cells import cell_text, is_missing
from analysis.targets import ASSESSED_KINDS, QUANTITATIVE_KINDS
from analysis.workbook_layout import (
    ASSESSMENT_COLUMNS,
    ASSESSMENTS_SHEET,
    ASSESSORS,
    DEPARTMENT_SEP,
    EXTRA_RISK_ROWS,
    FIXED_TIME,
    ITEM_TYPES,
    OBSERVATION_COLUMNS,
    OBSERVATIONS_SHEET,
    PERIOD_TYPES,
    PROGRESS,
    README_SHEET,
    RISK_COLUMNS,
    RISK_LEVELS,
    RISKS_SHEET,
    SPARE_ROWS,
    SURVEY_COLUMNS,
    SURVEY_ROWS,
    SURVEYS_SHEET,
    Column,
    plan_risks,
)

#: The processed datasets a template is made from.
NEEDED = (
    "plans",
    "indicators",
    "items",
    "responsibilities",
    "departments",
    "risk_areas",
    "evaluation_settings",
    "observations",
)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
_PREFILLED_FILL = PatternFill(fill_type="solid", start_color="FFF2F2F2", end_color="FFF2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


# -- public API -----------------------------------------------------------------------------


def write_templates(processed: Path, out_dir: Path, *, last_year: int | None = None) -> list[Path]:
    """Write one workbook ``<plan_id>.xlsx`` per plan in ``processed`` to ``out_dir``.

    ``last_year`` is the last year whose observations are asked for (default: last
    calendar year). Each file is written atomically; the same data give the same bytes.
    Returns the paths written, in plan order.
    """
    frames = read_frames(processed)
    out_dir.mkdir(parents=True, exist_ok=True)
    last = last_year if last_year is not None else date.today().year - 1
    written = []
    for plan_id in frames["plans"]["plan_id"]:
        path = out_dir / f"{plan_id}.xlsx"
        datasets.atomic_write(path, workbook_bytes(template(frames, plan_id, last_year=last)))
        written.append(path)
    return written


def read_frames(processed: Path) -> dict[str, pd.DataFrame]:
    """The processed datasets a template is made from (each checked against its schema)."""
    return {name: datasets.read(name, processed) for name in NEEDED}


def template(frames: dict[str, pd.DataFrame], plan_id: str, *, last_year: int) -> Workbook:
    """The workbook for ``plan_id``: read-me, missing observations, assessments, risks, surveys."""
    plan = _plan(frames, plan_id)
    wb = Workbook()
    wb.properties.creator = "analysis.workbooks"
    wb.properties.title = f"{plan['title']} 评估填报表"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.lastModifiedBy = "analysis.workbooks"

    departments = list(frames["departments"]["department"])
    _write_readme(wb.active, frames, plan, departments, last_year)
    _protect(wb.active)  # instructions: nothing to fill in

    missing = missing_observations(frames, plan_id, last_year=last_year)
    obs_rows = [
        {
            "plan_id": plan_id,
            "indicator_id": r.indicator_id,
            "indicator_name": r.name,
            "period": str(r.year),
            "period_type": "年度",
            "unit": r.unit,
        }
        for r in missing.itertuples()
    ]
    _write_sheet(wb, OBSERVATIONS_SHEET, OBSERVATION_COLUMNS, obs_rows, departments)

    assessments = assessment_rows(frames, plan_id)
    _write_sheet(wb, ASSESSMENTS_SHEET, ASSESSMENT_COLUMNS, assessments.to_dict("records"), departments)

    risks = risk_rows(frames, plan_id)
    risk_records = risks.to_dict("records") + [{"plan_id": plan_id}] * EXTRA_RISK_ROWS
    _write_sheet(wb, RISKS_SHEET, RISK_COLUMNS, risk_records, departments)

    _write_sheet(wb, SURVEYS_SHEET, SURVEY_COLUMNS, [{"plan_id": plan_id}] * SURVEY_ROWS, departments)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """``wb`` saved as .xlsx bytes, with fixed timestamps so the same workbook gives the same bytes.

    openpyxl stamps the save time into docProps/core.xml and every zip entry; both are
    replaced by FIXED_TIME.
    """
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _restamp(data, stamp)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, data)
    return out.getvalue()


def missing_observations(frames: dict[str, pd.DataFrame], plan_id: str, *, last_year: int) -> pd.DataFrame:
    """(indicator, year) pairs of ``plan_id`` with no yearly observation for the plan's region.

    Quantitative targets only (annual, cumulative, level); years from the plan's base year
    to ``min(period_end, last_year)``. A yearly observation is one with period_type
    ``year`` in that calendar year, series_id = indicator_id and region = the plan's region.
    A year inside a reported multi-year total of the plan (2021–2023) is not asked for: a
    value typed in for it would count that year twice.
    """
    plan = _plan(frames, plan_id)
    ind = frames["indicators"]
    ind = ind[(ind["plan_id"] == plan_id) & ind["target_kind"].isin(QUANTITATIVE_KINDS)]
    obs = frames["observations"]
    region = obs[obs["region"] == plan["region"]]
    obs = region[region["period_type"] == "year"]
    have = set(zip(obs["series_id"], pd.to_datetime(obs["period_start"]).dt.year))
    # years a reported multi-year total of this plan already covers (2021–2023 as one figure)
    totals = region[(region["period_type"] == "plan_period") & region["value"].notna() & region["is_preferred"]]
    first = pd.to_datetime(totals["period_start"]).dt.year
    last = pd.to_datetime(totals["period_end"]).dt.year
    inside = first >= int(plan["period_start"])
    have |= {
        (series, year)
        for series, a, b in zip(totals["series_id"][inside], first[inside], last[inside])
        for year in range(int(a), int(b) + 1)
    }
    end = min(int(plan["period_end"]), int(last_year))
    rows = [
        {"plan_id": plan_id, "indicator_id": r.indicator_id, "name": r.name, "unit": cell_text(r.unit), "year": year}
        for r in ind.itertuples()
        for year in range(int(plan["base_year"]), end + 1)
        if (r.indicator_id, year) not in have
    ]
    return pd.DataFrame(rows, columns=["plan_id", "indicator_id", "name", "unit", "year"])


def assessment_rows(frames: dict[str, pd.DataFrame], plan_id: str) -> pd.DataFrame:
    """The pre-filled rows of 任务评估: every item of the plan, then its qualitative/external targets."""
    resp = frames["responsibilities"]
    resp = resp[resp["plan_id"] == plan_id]
    by_item = {
        key: DEPARTMENT_SEP.join(group["department"])
        for key, group in resp.groupby(["item_type", "item_id"], sort=False)
    }
    rows = []
    items = frames["items"]
    for r in items[items["plan_id"] == plan_id].itertuples():
        rows.append(
            {
                "plan_id": plan_id,
                "item_type": ITEM_TYPES[r.item_type],
                "item_id": r.item_id,
                "content": r.text,
                "department": by_item.get((r.item_type, r.item_id)),
            }
        )
    ind = frames["indicators"]
    for r in ind[(ind["plan_id"] == plan_id) & ind["target_kind"].isin(ASSESSED_KINDS)].itertuples():
        rows.append(
            {
                "plan_id": plan_id,
                "item_type": ITEM_TYPES["indicator"],
                "item_id": r.indicator_id,
                "content": f"{r.name}：{r.target_text}",
                "department": by_item.get(("indicator", r.indicator_id)),
            }
        )
    return pd.DataFrame(rows, columns=["plan_id", "item_type", "item_id", "content", "department"])


def risk_rows(frames: dict[str, pd.DataFrame], plan_id: str) -> pd.DataFrame:
    """The pre-filled rows of 风险评估 (without the empty rows for added risks)."""
    risks = plan_risks(frames, plan_id)
    return pd.DataFrame(
        {"plan_id": plan_id, "risk_id": risks["risk_id"], "risk": risks["risk"]}, columns=["plan_id", "risk_id", "risk"]
    )


# -- sheets ---------------------------------------------------------------------------------


def _write_sheet(
    wb: Workbook, title: str, columns: tuple[Column, ...], rows: list[dict], departments: list[str]
) -> Worksheet:
    ws = wb.create_sheet(title)
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=col.label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(j)].width = col.width
    for i, record in enumerate(rows, start=2):
        for j, col in enumerate(columns, start=1):
            value = record.get(col.id)
            cell = ws.cell(row=i, column=j, value=None if is_missing(value) else value)
            cell.alignment = _WRAP
            if col.as_text:
                cell.number_format = "@"
            if col.prefilled and not is_missing(value):
                cell.fill = _PREFILLED_FILL  # grey, and locked by the sheet's protection
            else:
                cell.protection = _INPUT
    last_row = len(rows) + 1 + SPARE_ROWS
    for i in range(len(rows) + 2, last_row + 1):  # spare rows: every cell is an entry
        for j in range(1, len(columns) + 1):
            ws.cell(row=i, column=j).protection = _INPUT
    for j, col in enumerate(columns, start=1):
        letter = get_column_letter(j)
        if col.as_text:
            for i in range(len(rows) + 2, last_row + 1):
                ws.cell(row=i, column=j).number_format = "@"
        ref = f"{letter}2:{letter}{last_row}"
        if col.choices:
            ws.add_data_validation(_list_validation(col, col.choices, ref, strict=True))
        elif col.id == "department":
            allowed = tuple(departments)
            if allowed and len(",".join(allowed)) <= 250:  # Excel's limit for an inline list
                ws.add_data_validation(_list_validation(col, allowed, ref, strict=False))
        elif col.numeric:
            dv = DataValidation(
                type="decimal",
                operator="between",
                formula1="-1000000000000000",
                formula2="1000000000000000",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="请填数字",
                error="数值栏只填阿拉伯数字（按“单位”栏的单位），不带单位或文字。",
            )
            dv.add(ref)
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"
    _protect(ws)
    return ws


#: Cells staff fill in: not locked when the sheet is protected.
_INPUT = Protection(locked=False)


def _protect(ws: Worksheet) -> None:
    """Protect the sheet without a password: the header and the pre-filled 编号 cells cannot be
    changed by accident (the reader matches rows by them), every other cell can; filtering,
    sorting and resizing stay allowed. Anyone can lift it (审阅 → 撤消工作表保护): it guards
    against slips, not against intent; the reader still checks every cell."""
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = False


def _list_validation(col: Column, choices: tuple[str, ...], ref: str, *, strict: bool) -> DataValidation:
    listed = "、".join(choices)
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
    )
    if strict:
        dv.errorTitle = f"{col.label}：请从下拉列表中选择"
        dv.error = f"只能填：{listed}"
    else:
        dv.errorStyle = "warning"  # several departments may share a cell: warn, do not refuse
        dv.errorTitle = f"{col.label}：不在部门清单中"
        dv.error = f"部门名称应为：{listed}；多个部门用“{DEPARTMENT_SEP}”分隔。"
    dv.promptTitle = col.label
    dv.prompt = f"从下拉列表中选择：{listed}"[:255]
    dv.add(ref)
    return dv


# One section of the README sheet: its heading and its paragraphs, one cell each.
_Section = tuple[str, tuple[str, ...]]


def _write_readme(
    ws: Worksheet, frames: dict[str, pd.DataFrame], plan: pd.Series, departments: list[str], last_year: int
) -> None:
    """The instructions sheet: which plan and evaluations the workbook is for, then six sections
    on what to fill in, who fills it in, the choices, the formats, what not to change, and how
    to hand it back."""
    ws.title = README_SHEET
    ws.column_dimensions["A"].width = 110
    settings = frames["evaluation_settings"]
    settings = settings[settings["plan_id"] == plan["plan_id"]]
    start, end, base = int(plan["period_start"]), int(plan["period_end"]), int(plan["base_year"])
    sections = (
        _README_PURPOSE,
        _readme_sheets(base, min(end, last_year)),
        _readme_choices(departments),
        _readme_formats(base, start, end),
        _README_CAUTIONS,
        _readme_hand_back(plan["plan_id"]),
    )
    lines = _readme_header(plan, settings)
    for heading, paragraphs in sections:
        lines += [("", ""), ("head", heading), *(("", text) for text in paragraphs)]
    _write_readme_lines(ws, lines)


def _readme_header(plan: pd.Series, settings: pd.DataFrame) -> list[tuple[str, str]]:
    """The title, the plan's region, period and base year, and one line per evaluation with its cut-offs."""
    plan_id = plan["plan_id"]
    start, end, base = int(plan["period_start"]), int(plan["period_end"]), int(plan["base_year"])
    lines: list[tuple[str, str]] = [("title", f"{plan['title']} 评估填报表（{plan_id}）"), ("", "")]
    lines.append(("", f"规划：{plan['title']}；地区：{plan['region']}；规划期：{start}—{end} 年；基期年：{base} 年。"))
    for s in settings.itertuples():
        cutoffs = [f"年度数据截止 {_day(s.annual_cutoff)}"]
        if not is_missing(s.monthly_cutoff):
            cutoffs.append(f"月度数据截止 {_day(s.monthly_cutoff)}")
        if not is_missing(s.task_cutoff):
            cutoffs.append(f"任务进展截止 {_day(s.task_cutoff)}")
        lead = f"；牵头部门：{s.lead_department}" if not is_missing(s.lead_department) else ""
        lines.append(("", f"评估：{s.evaluation_type}（{s.region}，编号 {s.exercise}），{'，'.join(cutoffs)}{lead}。"))
    return lines


_README_PURPOSE: _Section = (
    "一、本表做什么用",
    (
        (
            "本表收集规划评估所需、而现有资料中还没有的内容：缺少的指标数据、各项目标任务的进展评估、重大风险评估。"
            "表中灰底的栏目已按现有资料预先填好（编号、事项内容、责任部门等），请在空白栏目中填写。"
        ),
        (
            "填好的文件由程序逐行校验后汇总进评估数据；校验不通过的，会列出文件、工作表、行号、栏目，"
            "以及填写的内容和应填的内容，请据此修改后重新提交。没有填写任何内容的行会被忽略。"
        ),
    ),
)


def _readme_sheets(base: int, obs_end: int) -> _Section:
    """Who fills in each sheet; the observations sheet names the years still missing."""
    return (
        "二、各工作表由谁填写",
        (
            (
                f"“{OBSERVATIONS_SHEET}”：每行是一项定量指标在某一年份尚缺的数据（{_years(base, obs_end)}）。"
                "由掌握该数据的责任部门填写。数据须有出处：公开发布的统计公报、工作报告或正式统计资料，"
                "在“来源”中按“发布机关《资料名称》（发布年份）”写明，如“上海市统计局《2023年上海市国民经济和社会发展统计公报》（2024）”，"
                "在“来源原文”中复制数值所在的原句，在“网址”中填资料网址。"
                "如有月度或年初至今的数据，可另起一行，复制规划编号、指标编号、指标、单位，改“期间类型”并填“期间”。"
            ),
            (
                f"“{ASSESSMENTS_SHEET}”：每行是一项重点专题、重大指标、重大任务，或没有具体数值的目标指标（定性目标、由上级下达的目标）。"
                "由“责任部门”栏所列的部门填写；该栏为空的，由承担该项工作的部门填写，并填上本部门名称。多个部门共同负责的，可以共同填写该行；也可以由各部门复制该行"
                "（事项编号不变），把“责任部门”改为本部门名称后各自填写。第三方评估机构填写时，“评估主体”选“第三方”。"
            ),
            (
                f"“{RISKS_SHEET}”：每行是本次评估要分析的一项重大风险。由负责该领域风险防控的部门填写，"
                "并在“责任部门”栏填写本部门名称。文件未列出的其他风险，请在下方空行中填写：自拟风险编号"
                "（英文字母、数字和连字符，如 new-01），并填写“风险”名称。"
            ),
        ),
    )


def _readme_choices(departments: list[str]) -> _Section:
    """The drop-down lists, from the same vocabularies the validations use."""
    return (
        "三、下拉选项（只能从中选择）",
        (
            f"期间类型：{' / '.join(PERIOD_TYPES)}",
            f"评估主体：{' / '.join(ASSESSORS)}",
            f"进展判断：{' / '.join(PROGRESS)}",
            f"风险评估：{' / '.join(RISK_LEVELS)}",
            f"事项类型（预填，不要修改）：{' / '.join(ITEM_TYPES.values())}",
            f"责任部门：{'、'.join(departments)}。多个部门用“{DEPARTMENT_SEP}”分隔。",
        ),
    )


def _readme_formats(base: int, start: int, end: int) -> _Section:
    """How periods and values are written, with examples from the plan's own years."""
    return (
        "四、填写格式",
        (
            (
                f"期间：年度数据填四位年份，如 {base}；月度和年初至今数据填“年-月”，如 {max(base, start)}-06"
                f"（月度表示该月，年初至今表示 1 月至该月累计）；"
                f"多年累计数据填“起始年-终止年”，如 {start}-{start + 2}。"
                f"期间须在基期年至规划期末之间（{base}—{end} 年）。"
            ),
            (
                "已有多年累计数的（如“截至2023年底累计”），只填其后各年的数据，程序会与累计数相加；"
                "与已有累计数期间重叠的数据会被列为问题，不会覆盖已公布的累计数。"
            ),
            (
                "数值：只填阿拉伯数字，按“单位”栏的单位填写，不带单位、文字或符号。例如单位为“人”时，3.5 万人填 35000，"
                "不要填“3.5万”；百分比只填数字部分，如 5.5% 填 5.5；没有确切数字的（如“约100”“100余”）不要填在数值栏，"
                "可在“备注”中说明。如确需改用其他单位（如“万人”），请同时修改“单位”栏。"
            ),
            "来源：填观测值时必填。填报日期：按 YYYY-MM-DD 格式填写，如 2023-06-30。",
        ),
    )


_README_CAUTIONS: _Section = (
    "五、注意事项",
    (
        (
            "不要删除或移动已有的行，不要修改规划编号、指标编号、事项编号、风险编号和表头，不要修改工作表名称；"
            "需要时可在表格下方增加行。"
        ),
        (
            "同一事项、同一责任部门、同一评估主体只填写一行；同一风险、同一责任部门只填写一行。"
            "同一文件重复提交不会重复计入；内容不一致的两行会被列为问题，不会互相覆盖。"
        ),
        "填写的观测值如与已公布的数据不一致，会被列为问题（不会覆盖已公布的数据），请核对出处。",
    ),
)


def _readme_hand_back(plan_id: str) -> _Section:
    """The file format and name, and where the filled workbook goes."""
    return (
        "六、交回方式",
        (
            (
                f"填好后保存为 Excel 工作簿（.xlsx，不要另存为 .xls 或 .csv）。文件名可保留 {plan_id}.xlsx，"
                f"也可在后面加部门名称，如 {plan_id}-就业处.xlsx。"
            ),
            "将文件放入项目的 data/raw/entries/ 文件夹（或交数据管理人员放入），运行 make data 即完成校验和汇总。",
        ),
    )


def _write_readme_lines(ws: Worksheet, lines: list[tuple[str, str]]) -> None:
    """One line per row of column A, wrapped; the title and the headings in bold."""
    for i, (kind, text) in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=text or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if kind == "title":
            cell.font = Font(bold=True, size=14)
        elif kind == "head":
            cell.font = Font(bold=True)


# -- helpers --------------------------------------------------------------------------------


def _plan(frames: dict[str, pd.DataFrame], plan_id: str) -> pd.Series:
    plans = frames["plans"]
    match = plans[plans["plan_id"] == plan_id]
    if match.empty:
        raise KeyError(f"unknown plan {plan_id!r}; known: {', '.join(plans['plan_id'])}")
    return match.iloc[0]


def _restamp(core_xml: bytes, stamp: str) -> bytes:
    text = core_xml.decode("utf-8")
    for tag in ("dcterms:created", "dcterms:modified"):
        text = re.sub(rf"(<{tag}[^>]*>)[^<]*(</{tag}>)", rf"\g<1>{stamp}\g<2>", text)
    return text.encode("utf-8")


def _years(first: int, last: int) -> str:
    if last < first:
        return "目前没有需要补充的年份"
    return f"{first} 年" if first == last else f"{first}—{last} 年"


def _day(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")
