"""A department's task sheet (部门评估任务单): what it leads and what it assists, the numbers
it owes (indicator, period, 口径, deadline with the year), what the project already holds for
them, the materials to fill, the risks it reported, the deadlines and the contact.

Lead and assisting roles follow the order of the 责任部门 cell in the evaluation plan (listed
first = lead, as the sheet says). A row that several bodies share is listed sentence by
sentence, so the department marks its own part; the document does not split rows itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analysis.formatting import fmt
from analysis.report import usage
from analysis.report.context import NumberedParts, evaluations_for, read_frames
from analysis.report.display import show
from analysis.report.html import badge, esc, heading, num, para, table
from analysis.report.sources import split

FIELDS = (("progress_detail", "进展情况"), ("achievements", "成效经验"), ("problems", "存在问题及原因"),
          ("next_steps", "下一步建议"))


@dataclass
class DepartmentContext(NumberedParts):
    department: str
    frames: dict[str, pd.DataFrame]
    evaluations: pd.DataFrame
    responsibilities: pd.DataFrame

    def __post_init__(self) -> None:
        self.start_parts()

    @property
    def plan_ids(self) -> list[str]:
        return sorted(self.responsibilities["plan_id"].unique())

    @property
    def settings(self) -> pd.DataFrame:
        s = self.frames["evaluation_settings"]
        return s[s["plan_id"].isin(self.plan_ids)]


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
    owned = resp[resp["item_type"] == "indicator"][["plan_id", "item_id", "position"]]
    ev = ev.merge(owned, left_on=["plan_id", "indicator_id"], right_on=["plan_id", "item_id"]).drop(columns="item_id")
    return DepartmentContext(department, frames, ev.sort_values(["plan_id", "seq"]).reset_index(drop=True), resp)


def _items(ctx: DepartmentContext) -> pd.DataFrame:
    items = ctx.frames["items"]
    own = ctx.responsibilities[ctx.responsibilities["item_type"] != "indicator"]
    return items.merge(own[["plan_id", "item_id", "position"]], on=["plan_id", "item_id"])


def _others(ctx: DepartmentContext, plan_id: str, item_id: str) -> list[str]:
    resp = ctx.frames["responsibilities"]
    rows = resp[(resp["plan_id"] == plan_id) & (resp["item_id"] == item_id) & (resp["department"] != ctx.department)]
    return rows.sort_values("position")["department"].tolist()


def _lead_of(ctx: DepartmentContext, plan_id: str, item_id: str) -> str:
    resp = ctx.frames["responsibilities"]
    rows = resp[(resp["plan_id"] == plan_id) & (resp["item_id"] == item_id)].sort_values("position")
    return str(rows["department"].iloc[0]) if len(rows) else ""


def _date(stamp: pd.Timestamp) -> str:
    return f"{stamp.year}年{stamp.month}月{stamp.day}日"


def _milestones(ctx: DepartmentContext) -> pd.DataFrame:
    ms = ctx.frames["milestones"]
    return ms[ms["exercise"].isin(ctx.settings["exercise"])].sort_values("seq")


def _deadline(ctx: DepartmentContext) -> str:
    """The date materials are due (the first dated milestone), with its year."""
    ms = _milestones(ctx)
    dated = ms[ms["due"].notna()]
    return f"{_date(dated['due'].iloc[0])}前" if len(dated) else "—"


def _plan_names(ctx: DepartmentContext) -> str:
    plans = ctx.frames["plans"].set_index("plan_id")
    return "、".join(str(plans.loc[p, "title"]) for p in ctx.plan_ids) or "（无）"


def title(ctx: DepartmentContext) -> None:
    """Cover: department, plans, how many items it leads and assists, deadline, contact."""
    items = _items(ctx)
    lead = items[items["position"] == 1]
    contact = "、".join(dict.fromkeys(ctx.settings["lead_department"].dropna())) or "—"
    docs = {f.split("：")[0] for s in ctx.settings["source"] for f in split(s)}
    basis = "、".join(ctx.notes.names.get(d, "") for d in sorted(docs))
    facts = [("部门", ctx.department), ("涉及规划", _plan_names(ctx)), ("评估依据", basis or "—"),
             ("牵头事项", f"{len(lead)}项"), ("协同事项", f"{len(items) - len(lead)}项"),
             ("负责指标", f"{len(ctx.evaluations)}项"), ("材料报送时限", _deadline(ctx)), ("联系部门", contact)]
    rows = []   # two facts a row: the sheet's first page holds the tasks, not the cover
    for i in range(0, len(facts), 2):
        (k1, v1), (k2, v2) = facts[i], facts[i + 1] if i + 1 < len(facts) else ("", "")
        rows.append([k1, v1, k2, v2])
    show(f'<h1 class="title">{esc(ctx.department)}<br><span class="subtitle">规划评估任务单</span></h1>'
         + table(["项目", "内容", "项目", "内容"], rows, cls="facts sheet")
         + para("责任部门按评估方案所列顺序，列首位者为牵头部门，其余为协同部门。牵头事项由本部门组织撰写评估材料，"
                "协同事项向牵头部门提供本部门负责部分的材料。", cls="note"))


def duties(ctx: DepartmentContext) -> None:
    """What the department leads and what it assists; shared rows sentence by sentence."""
    items = _items(ctx)
    show(heading(ctx.section("牵头和协同事项")))
    if items.empty:
        show(para("评估方案未列明本部门负责的事项。"))
        return
    parts = []
    for role, sub in (("牵头事项", items[items["position"] == 1]), ("协同事项", items[items["position"] != 1])):
        if sub.empty:
            continue
        parts.append(heading(f"{role}（{len(sub)}项）", 3))
        rows = []
        for it in sub.itertuples():
            others = _others(ctx, it.plan_id, it.item_id)
            sentences = [s + "。" for s in re.split(r"。", it.text) if s.strip()]
            content = esc(it.text) if len(sentences) < 3 else "<ol class=\"split\">" + "".join(
                f"<li>{esc(s)}</li>" for s in sentences) + "</ol>"
            partner = ("协同：" + "、".join(others)) if role == "牵头事项" and others else (
                f"牵头：{_lead_of(ctx, it.plan_id, it.item_id)}" if role == "协同事项" else "本部门单独负责")
            rows.append([esc(it.item_type_zh), content + ctx.notes.cite(split(it.source)), esc(partner)])
        parts.append(table(["类型", "内容", "分工"], rows, raw_columns=(0, 1, 2), cls="data duties"))
    if (items["text"].str.count("。") >= 3).any():
        parts.append(para("内容较多的事项已按句列出：请在评估材料中说明本部门承担的部分；属于其他单位职责的内容，"
                          "注明“不涉及本部门”并写明承担单位。", cls="note"))
    show("".join(parts))


def indicators(ctx: DepartmentContext) -> None:
    """The numbers the department owes: indicator, periods missing, 口径, deadline; what is held."""
    show(heading(ctx.section("负责的指标和需报送的数据")))
    ev = ctx.evaluations
    if ev.empty:
        show(para("本部门事项不涉及量化指标。"))
        return
    obs = ctx.frames["observations"]
    ind = ctx.frames["indicators"].set_index(["plan_id", "indicator_id"])
    deadline = _deadline(ctx)
    rows = []
    for r in ev.itertuples():
        i = ind.loc[(r.plan_id, r.indicator_id)]
        held = usage.own(obs, r.indicator_id, r.region, pd.Timestamp(r.annual_cutoff), pd.Timestamp(r.monthly_cutoff)
                         if not pd.isna(r.monthly_cutoff) else None)
        yearly = usage.yearly_points(held)
        years = set(yearly["year"])
        wanted = list(range(int(i["base_year"]), int(pd.Timestamp(r.annual_cutoff).year) + 1))
        missing = [y for y in wanted if y not in years]
        owe = (f"{_years(missing)}年度数据" if missing else "年度数据已齐")
        if not pd.isna(r.monthly_cutoff) and r.target_kind in ("annual", "cumulative"):
            owe += f"；截至{_date(pd.Timestamp(r.monthly_cutoff))}的月度数据"
        if r.target_kind not in ("annual", "cumulative", "level"):
            owe = "定性评估材料"
        have = "、".join(num(f"{y.year}年{fmt(y.value, y.unit)}") for y in yearly.itertuples())
        have = (have or "无") + ctx.notes.cite([(s, rp) for s, rp in _sources(yearly)])
        role = "牵头" if getattr(r, "position", 1) == 1 else "协同"
        definition = i["definition"] if isinstance(i["definition"], str) else i["target_text"]
        rows.append([esc(r.name) + f"（{role}）", esc(definition), esc(owe), have, badge(r.progress_zh)])
    show(para(f"以下数据请于{deadline}报送{_contact(ctx)}，并注明统计口径和发布单位。")
         + table(["指标", "口径", "需报送", "已掌握的数据", "当前判断"], rows, raw_columns=(0, 3, 4), cls="data owes"))
    show(para("已掌握的数据为已公开发布并经核对的数值，请核实；口径不同或有更新的，请在报送时注明。", cls="note"))


def _years(years: list[int]) -> str:
    if not years:
        return ""
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]}—{years[-1]}"
    return "、".join(str(y) for y in years)


def _sources(rows: pd.DataFrame) -> list[tuple[str, bool]]:
    return [(s, bool(r.is_reprint)) for r in rows.itertuples() for s in split(r.source)]


def materials(ctx: DepartmentContext) -> None:
    """The materials to fill for each item it leads (one row each); what it assists is supplied
    to the lead department."""
    show(heading(ctx.section("评估材料填报")))
    items = _items(ctx)
    lead = items[items["position"] == 1]
    assessed = ctx.frames["assessments"]
    if lead.empty:
        show(para("本部门无牵头事项；请按上表向牵头部门提供协同事项中本部门负责部分的材料。"))
        return
    rows = []
    filled = 0
    for it in lead.itertuples():
        a = assessed[(assessed["plan_id"] == it.plan_id) & (assessed["item_id"] == it.item_id)
                     & assessed["department"].str.contains(ctx.department, regex=False)]
        cells = []
        for key, _ in FIELDS:
            text = "；".join(a[key].dropna()) if len(a) else ""
            cells.append(text or "待填报")
        filled += bool(len(a))
        rows.append([f"{it.item_type_zh}：{_short(it.text)}"] + cells)
    show(para(f"本部门牵头的{len(lead)}项事项中，{filled}项已报送材料，{len(lead) - filled}项待填报。")
         + table(["事项", *[label for _, label in FIELDS]], rows, cls="data materials"))
    show(para(f"请在本规划的评估填报表中填写，{_deadline(ctx)}报送{_contact(ctx)}。", cls="note"))


def _contact(ctx: DepartmentContext) -> str:
    return "、".join(dict.fromkeys(ctx.settings["lead_department"].dropna())) or "牵头部门"


def _short(text: str) -> str:
    first = text.split("。")[0]
    return first + ("。" if len(first) < len(text) - 1 else "")


def risks(ctx: DepartmentContext) -> None:
    """Risks the department entered; the risks the evaluation reviews, for it to report on where they concern it."""
    show(heading(ctx.section("风险防控")))
    entered = ctx.frames["risks"]
    entered = entered[entered["department"].str.contains(ctx.department, regex=False)]
    areas = ctx.frames["risk_areas"]
    areas = areas[areas["exercise"].isin(ctx.settings["exercise"])]
    parts = []
    if len(entered):
        parts.append(table(["风险事项", "风险评估", "防控举措", "存在问题及原因"],
                           [[r.risk, r.level, r.measures or "待填报", r.problems or "待填报"]
                            for r in entered.itertuples()], cls="data"))
    if len(areas):
        names = "、".join(dict.fromkeys(areas["risk"]))
        parts.append(f"<p>评估方案要求分析的风险隐患：{esc(names)}{ctx.notes.cite(split(areas['source'].iloc[0]))}。"
                     "方案未明确各风险的责任部门；涉及本部门的，请报送风险评估、防控举措、成效经验、存在问题及原因。</p>")
    if not parts:
        parts.append(para("评估方案未列明风险事项。"))
    show("".join(parts))


def schedule(ctx: DepartmentContext) -> None:
    """Deadlines with their year, then the sources cited in the sheet."""
    show(heading(ctx.section("时间安排")))
    ms = _milestones(ctx)
    # the stages the department takes part in: those for every body (no one named), for 部门/单位, or for it
    who = ms["responsible"].fillna("")
    ms = ms[who.eq("") | who.str.contains("部门|单位") | who.str.contains(ctx.department, regex=False)]
    if len(ms):
        years = ms["due"].dropna().dt.year
        year = int(years.iloc[0]) if len(years) else None
        rows = [[m.stage, f"{_date(m.due)}前" if not pd.isna(m.due) else (f"{year}年{m.due_text}" if year else m.due_text),
                 m.deliverable] for m in ms.itertuples()]
        show(table(["阶段", "时限", "工作内容"], rows, cls="data"))
    else:
        show(para("评估方案未列明时间安排。"))
    if ctx.notes.order:
        show(heading("资料来源", 3) + ctx.notes.html())
