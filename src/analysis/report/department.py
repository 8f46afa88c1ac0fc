"""The sections of a department brief: everything one department owns across the plans, the
numbers for each item, and the four fields the evaluation plan asks it for, filled from the
assessments or marked 待填报 so the department can complete and return it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.report.context import evaluations_for, read_frames
from analysis.report.display import show
from analysis.report.html import badge, esc, heading, para, table

FIELDS = (("progress_detail", "进展情况"), ("achievements", "成效经验"), ("problems", "存在问题及原因"),
          ("next_steps", "下一步建议"))


@dataclass
class DepartmentContext:
    department: str
    frames: dict[str, pd.DataFrame]
    evaluations: pd.DataFrame
    responsibilities: pd.DataFrame

    @property
    def plan_ids(self) -> list[str]:
        return sorted(self.responsibilities["plan_id"].unique())


def department_context(department: str, plans: str = "", as_of: str = "", data_dir: str = "") -> DepartmentContext:
    """What ``department`` owns in ``plans`` (comma-separated plan ids; empty = every plan)."""
    frames = read_frames(data_dir)
    if department not in set(frames["departments"]["department"]):
        raise KeyError(f"unknown department {department!r}")
    resp = frames["responsibilities"]
    resp = resp[resp["department"] == department]
    if plans:
        resp = resp[resp["plan_id"].isin([p.strip() for p in plans.split(",")])]
    ev = evaluations_for(frames, data_dir, as_of)
    owned = resp[resp["item_type"] == "indicator"][["plan_id", "item_id"]]
    ev = ev.merge(owned, left_on=["plan_id", "indicator_id"], right_on=["plan_id", "item_id"]).drop(columns="item_id")
    return DepartmentContext(department, frames, ev.sort_values(["plan_id", "seq"]).reset_index(drop=True), resp)


def title(ctx: DepartmentContext) -> None:
    plans = ctx.frames["plans"].set_index("plan_id")
    names = "、".join(f"《{plans.loc[p, 'title']}》" if not plans.loc[p, "title"].startswith(("《", "上海市“")) else
                      plans.loc[p, "title"] for p in ctx.plan_ids) or "（无）"
    show(f'<h1 class="title">{esc(ctx.department)}<br><span class="subtitle">规划评估部门简报</span></h1>'
         + table(["项目", "内容"], [("责任部门", ctx.department), ("涉及规划", names),
                                  ("事项数", f"{len(_items(ctx))}项（其中指标{len(ctx.evaluations)}项）")], cls="facts"))


def _items(ctx: DepartmentContext) -> pd.DataFrame:
    items = ctx.frames["items"]
    own = ctx.responsibilities[ctx.responsibilities["item_type"] != "indicator"]
    return items.merge(own[["plan_id", "item_id"]], on=["plan_id", "item_id"])


def duties(ctx: DepartmentContext) -> None:
    """一、职责事项: every topic and task the department is named for."""
    show(heading("一、职责事项"))
    items = _items(ctx)
    if items.empty:
        show(para("文件未列明本部门负责的事项。"))
        return
    resp = ctx.frames["responsibilities"]
    rows = []
    for it in items.itertuples():
        others = resp[(resp["plan_id"] == it.plan_id) & (resp["item_id"] == it.item_id)
                      & (resp["department"] != ctx.department)]["department"]
        rows.append([it.item_type_zh, it.category, it.text, "、".join(others) or "—"])
    show(table(["类型", "类别", "内容", "协同部门"], rows, cls="data tasks"))


def indicators(ctx: DepartmentContext) -> None:
    """二、相关指标情况: the engine's judgement of each target the department answers for."""
    show(heading("二、相关指标情况"))
    ev = ctx.evaluations
    if ev.empty:
        show(para("本部门事项不涉及量化指标。"))
        return
    rows = [[r.name, r.progress_zh, r.outlook_zh or "—", r.explanation_zh] for r in ev.itertuples()]
    rows = [[n, badge(p), badge(o) if o != "—" else "—", e] for n, p, o, e in rows]
    show(table(["指标", "进度判断", "趋势判断", "说明"], rows, raw_columns=(1, 2), cls="data"))


def materials(ctx: DepartmentContext) -> None:
    """三、评估材料: the four fields per item, as entered, or 待填报."""
    show(heading("三、评估材料（进展情况、成效经验、存在问题及原因、下一步建议）"))
    items = _items(ctx)
    assessed = ctx.frames["assessments"]
    rows = []
    for it in items.itertuples():
        a = assessed[(assessed["plan_id"] == it.plan_id) & (assessed["item_id"] == it.item_id)
                     & assessed["department"].str.contains(ctx.department, regex=False)]
        for key, label in FIELDS:
            text = "；".join(a[key].dropna()) if len(a) else ""
            rows.append([it.text if key == "progress_detail" else "", label, text or "待填报"])
    if not rows:
        show(para("无。"))
        return
    show(table(["事项", "评估内容", "填报情况"], rows, cls="data materials"))
    show(para("请在 Excel 填报表（make templates 生成）中补充“待填报”内容后报送。", cls="note"))


def risks(ctx: DepartmentContext) -> None:
    """四、风险防控: risks the department entered."""
    show(heading("四、风险防控"))
    entered = ctx.frames["risks"]
    entered = entered[entered["department"].str.contains(ctx.department, regex=False)]
    if entered.empty:
        show(para("待填报。"))
        return
    show(table(["风险事项", "风险评估", "防控举措", "存在问题及原因"],
               [[r.risk, r.level, r.measures or "待填报", r.problems or "待填报"] for r in entered.itertuples()],
               cls="data"))


def schedule(ctx: DepartmentContext) -> None:
    """五、时间安排: the evaluation's deadlines."""
    show(heading("五、时间安排"))
    settings = ctx.frames["evaluation_settings"]
    exercises = settings[settings["plan_id"].isin(ctx.plan_ids)]["exercise"].unique()
    ms = ctx.frames["milestones"]
    ms = ms[ms["exercise"].isin(exercises)]
    if ms.empty:
        show(para("无。"))
        return
    show(table(["阶段", "时限", "工作内容"], [[m.stage, m.due_text, m.deliverable] for m in ms.itertuples()],
               cls="data"))
