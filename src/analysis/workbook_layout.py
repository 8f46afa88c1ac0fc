"""The layout of the hand-entry workbooks: sheet names, columns, allowed values.

Declared apart from the template writer (``analysis.workbooks``, which needs openpyxl) so that
the reader (``analysis.raw.entries``) and the build import the layout without importing a
spreadsheet library: the engine (``targets``, ``build``, ``evaluate``) stays free of openpyxl,
matplotlib and the notebook stack, which a test checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

README_SHEET = "填报说明"
OBSERVATIONS_SHEET = "观测值"
ASSESSMENTS_SHEET = "任务评估"
RISKS_SHEET = "风险评估"
SURVEYS_SHEET = "满意度与第三方评估"
#: The sheets a filled workbook must have (the read-me is not read back).
DATA_SHEETS = (OBSERVATIONS_SHEET, ASSESSMENTS_SHEET, RISKS_SHEET)
#: Sheets read where a workbook has them: one made before the sheet existed is still read.
OPTIONAL_SHEETS = (SURVEYS_SHEET,)

#: 期间类型 as shown → observations.period_type.
PERIOD_TYPES: dict[str, str] = {"年度": "year", "年初至今": "ytd", "月度": "month", "多年累计": "plan_period"}
ASSESSORS: tuple[str, ...] = ("自评", "第三方")
PROGRESS: tuple[str, ...] = ("已完成", "快于预期", "基本符合预期", "滞后于预期", "未启动")
RISK_LEVELS: tuple[str, ...] = ("低", "中", "高")
#: 类型 of a survey row: a survey of the public's 获得感与满意度, or a third-party assessment.
SURVEY_KINDS: tuple[str, ...] = ("群众满意度调查", "第三方评估")
#: item_type → what the 事项类型 cell shows (the reader accepts either).
ITEM_TYPES: dict[str, str] = {
    "topic": "重点专题",
    "major_indicator": "重大指标",
    "task": "重大任务",
    "indicator": "目标指标",
}
#: Several departments in one cell are joined (and may be separated) with this.
DEPARTMENT_SEP = "、"
#: Empty rows at the end of 风险评估 for risks the document does not list.
EXTRA_RISK_ROWS = 5
#: Empty rows (plan id pre-filled) of 满意度与第三方评估: a plan has few such studies.
SURVEY_ROWS = 5
#: Rows below the pre-filled ones that still carry the drop-downs and formats (for added rows).
SPARE_ROWS = 200
#: Timestamp written into every workbook and zip entry, so the same data give the same bytes.
FIXED_TIME = datetime(2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Column:
    """One column of a data sheet: machine id, the Chinese header people see, and how it is filled."""

    id: str
    label: str
    width: float
    prefilled: bool = False  # written by the template; a row with only these cells is not an entry
    choices: tuple[str, ...] = ()  # drop-down list (DataValidation type="list")
    as_text: bool = False  # cells formatted as text, so Excel keeps 2023-06 or 2023-06-30 as typed
    numeric: bool = False  # a number is expected (decimal DataValidation)


OBSERVATION_COLUMNS: tuple[Column, ...] = (
    Column("plan_id", "规划编号", 18, prefilled=True),
    Column("indicator_id", "指标编号", 26, prefilled=True),
    Column("indicator_name", "指标", 30, prefilled=True),
    Column("period", "期间", 10, prefilled=True, as_text=True),
    Column("period_type", "期间类型", 11, prefilled=True, choices=tuple(PERIOD_TYPES)),
    Column("value", "数值", 14, numeric=True),
    Column("unit", "单位", 9, prefilled=True),
    Column("source", "来源", 36),
    Column("source_quote", "来源原文", 44),
    Column("source_url", "网址", 30),
    Column("note", "备注", 24),
)

ASSESSMENT_COLUMNS: tuple[Column, ...] = (
    Column("plan_id", "规划编号", 18, prefilled=True),
    Column("item_type", "事项类型", 10, prefilled=True, choices=tuple(ITEM_TYPES.values())),
    Column("item_id", "事项编号", 24, prefilled=True),
    Column("content", "事项内容", 60, prefilled=True),
    Column("department", "责任部门", 20, prefilled=True),
    Column("assessor", "评估主体", 10, choices=ASSESSORS),
    Column("progress", "进展判断", 14, choices=PROGRESS),
    Column("progress_detail", "进展情况", 40),
    Column("achievements", "成效经验", 36),
    Column("problems", "存在问题及原因", 36),
    Column("next_steps", "下一步建议", 36),
    Column("evidence", "佐证材料", 26),
    Column("filled_by", "填报人", 10),
    Column("filled_on", "填报日期", 12, as_text=True),
)

RISK_COLUMNS: tuple[Column, ...] = (
    Column("plan_id", "规划编号", 18, prefilled=True),
    Column("risk_id", "风险编号", 26, prefilled=True),
    Column("risk", "风险", 24, prefilled=True),
    Column("department", "责任部门", 20),
    Column("level", "风险评估", 10, choices=RISK_LEVELS),
    Column("measures", "防控举措", 40),
    Column("achievements", "成效经验", 36),
    Column("problems", "存在问题及原因", 36),
    Column("filled_by", "填报人", 10),
    Column("filled_on", "填报日期", 12, as_text=True),
)

#: 满意度与第三方评估 (document 000 §三): what kind, the finding, who carried it out, the sample,
#: when (a month or a day, typed as text) and the report it comes from.
SURVEY_COLUMNS: tuple[Column, ...] = (
    Column("plan_id", "规划编号", 18, prefilled=True),
    Column("kind", "类型", 16, choices=SURVEY_KINDS),
    Column("finding", "主要结论", 60),
    Column("conducted_by", "实施单位", 24),
    Column("sample", "样本", 24),
    Column("conducted_on", "时间", 12, as_text=True),
    Column("source", "报告名称", 36),
    Column("note", "备注", 24),
)

#: Sheet name → its columns, the required sheets first, in the order they are read.
LAYOUT: dict[str, tuple[Column, ...]] = {
    OBSERVATIONS_SHEET: OBSERVATION_COLUMNS,
    ASSESSMENTS_SHEET: ASSESSMENT_COLUMNS,
    RISKS_SHEET: RISK_COLUMNS,
    SURVEYS_SHEET: SURVEY_COLUMNS,
}


def plan_risks(frames: dict[str, pd.DataFrame], plan_id: str) -> pd.DataFrame:
    """Risks reviewed by the evaluation exercises of ``plan_id`` (one row per risk_id)."""
    settings = frames["evaluation_settings"]
    exercises = list(dict.fromkeys(settings.loc[settings["plan_id"] == plan_id, "exercise"]))
    risks = frames["risk_areas"]
    risks = risks[risks["exercise"].isin(exercises)]
    return risks.drop_duplicates("risk_id").reset_index(drop=True)
