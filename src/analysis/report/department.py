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
from typing import Any

import pandas as pd

from analysis import sources
from analysis.formatting import fmt
from analysis.report import usage
from analysis.report.context import NumberedParts, evaluations_for, read_frames
from analysis.report.display import show
from analysis.report.html import badge, esc, heading, num, para, table
from analysis.report.sources import document_location, observation_sources
from analysis.sources import Source
from analysis.targets import QUANTITATIVE_KINDS

FIELDS = (
    ("progress_detail", "进展情况"),
    ("achievements", "成效经验"),
    ("problems", "存在问题及原因"),
    ("next_steps", "下一步建议"),
)


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


def _basis_docs(ctx: DepartmentContext) -> set[str]:
    """Files of the documents the evaluation rests on (评估依据): named once on the cover."""
    return {d for docs in sources.documents(ctx.settings) for d in docs}


def _where(ctx: DepartmentContext, row: Any) -> str:
    """Where an item or a risk is set out: a location in the 评估依据 (named on the cover) as
    plain text "（表2第3行）", any other document as a note number."""
    basis = _basis_docs(ctx)
    found = sources.of_record(row)
    local = [document_location(s.location) for s in found if s.document in basis]
    others = [s for s in found if s.document not in basis]
    text = f'<span class="where">（{esc("、".join(local))}）</span>' if local else ""
    return text + ctx.notes.cite(others)


def title(ctx: DepartmentContext) -> None:
    """Cover: department, contact, plans, deadline, 评估依据, what it leads, assists and owns."""
    items = _items(ctx)
    lead = items[items["position"] == 1]
    contact = "、".join(dict.fromkeys(ctx.settings["lead_department"].dropna())) or "—"
    # the 评估依据 is note [1]: the items' locations "（表2第3行）" are in it
    basis = "、".join(esc(ctx.notes.names.get(d, "")) + ctx.notes.cite([Source(d)]) for d in sorted(_basis_docs(ctx)))
    scope = f"牵头{len(lead)}项、协同{len(items) - len(lead)}项，指标{len(ctx.evaluations)}项"
    rows = [
        ["部门", esc(ctx.department), "联系部门", esc(contact)],
        ["涉及规划", esc(_plan_names(ctx)), "材料报送时限", num(_deadline(ctx))],
        ["评估依据", basis or "—", "负责事项", esc(scope)],
    ]
    show(
        f'<h1 class="title sheet">{esc(ctx.department)}<br><span class="subtitle">规划评估任务单</span></h1>'
        + table(["项目", "内容", "项目", "内容"], rows, raw_columns=(1, 3), cls="facts sheet")
    )


def duties(ctx: DepartmentContext) -> None:
    """What the department leads and what it assists, in one table (leads first), with where
    the evaluation plan sets each out and whether its materials are in; shared rows sentence by
    sentence (①②…), so the department marks its own part."""
    items = _items(ctx)
    show(heading(ctx.section("牵头和协同事项")))
    if items.empty:
        show(para("评估方案未列明本部门负责的事项。"))
        return
    reported = _reported(ctx, items)
    rows = []
    for it in items.sort_values("position", kind="stable").itertuples():
        lead = it.position == 1
        others = _others(ctx, it.plan_id, it.item_id)
        sentences = [s + "。" for s in re.split(r"。", it.text) if s.strip()]
        content = (
            esc(it.text)
            if len(sentences) < 3
            else "".join(
                f"{CIRCLED[i] if i < len(CIRCLED) else f'（{i + 1}）'}{esc(s)}" for i, s in enumerate(sentences)
            )
        )
        partner = (
            ("协同：" + "、".join(others) if others else "本部门单独负责")
            if lead
            else f"牵头：{_lead_of(ctx, it.plan_id, it.item_id)}"
        )
        done = lead and len(reported[(it.plan_id, it.item_id)]) > 0
        state = ("已报送" if done else badge("pending")) if lead else "报牵头部门"
        rows.append(
            [
                f"{'牵头' if lead else '协同'}<br>{esc(it.item_type_zh)}",
                content + _where(ctx, it),
                esc(partner),
                state,
            ]
        )
    show(table(["事项", "内容", "分工", "材料"], rows, raw_columns=(0, 1, 3), cls="data duties"))


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _reported(ctx: DepartmentContext, items: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """Per item the department leads, the materials it entered (empty frame: none yet)."""
    assessed = ctx.frames["assessments"]
    mine = assessed[assessed["department"].fillna("").str.contains(ctx.department, regex=False)]
    return {
        (it.plan_id, it.item_id): mine[(mine["plan_id"] == it.plan_id) & (mine["item_id"] == it.item_id)]
        for it in items[items["position"] == 1].itertuples()
    }


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
        held = usage.own(
            obs,
            r.indicator_id,
            r.region,
            pd.Timestamp(r.annual_cutoff),
            pd.Timestamp(r.monthly_cutoff) if not pd.isna(r.monthly_cutoff) else None,
        )
        yearly = usage.yearly_points(held)
        years = set(yearly["year"])
        wanted = list(range(int(i["base_year"]), int(pd.Timestamp(r.annual_cutoff).year) + 1))
        missing = [y for y in wanted if y not in years]
        owe = f"{_years(missing)}年度数据" if missing else "年度数据已齐"
        if not pd.isna(r.monthly_cutoff) and r.target_kind in ("annual", "cumulative"):
            owe += f"；截至{_date(pd.Timestamp(r.monthly_cutoff))}的月度数据"
        if r.target_kind not in QUANTITATIVE_KINDS:
            owe = "定性评估材料"
        have = "、".join(num(f"{y.year}年{fmt(y.value, y.unit)}") for y in yearly.itertuples())
        have = (have + ctx.notes.cite(observation_sources(yearly))) if have else ""
        # figures of another 口径 (another age band, a structural share): for reference, marked
        cutoff = pd.Timestamp(r.annual_cutoff)
        other = [
            (o.period, o.measure, fmt(o.value, o.unit), o)
            for o in usage.related(obs, r.indicator_id, r.region, cutoff).itertuples()
        ]
        other += [
            (o.period, relation, fmt(o.value, o.unit), o)
            for relation, _, rows in usage.evidence(ctx.frames, r.plan_id, r.indicator_id, r.region, cutoff)
            for o in usage.yearly_points(rows).itertuples()
        ]
        for period, measure, value, o in other:
            have += ("；" if have else "") + f"{esc(period)}年{esc(measure)}{num(value)}{ctx.notes.of(o)}（口径不同）"
        have = have or "无"
        role = "牵头" if getattr(r, "position", 1) == 1 else "协同"
        definition = i["definition"] if isinstance(i["definition"], str) else i["target_text"]
        rows.append([esc(r.name) + f"（{role}）", esc(definition), esc(owe), have, badge(r.progress)])
    show(
        para(
            f"以下数据请于{deadline}报送{_contact(ctx)}，注明统计口径和发布单位。“已掌握的数据”为已公开发布并经核对"
            "的数值，已预填，请核实；标“口径不同”的为相关口径的数值，仅供参考；口径不同或有更新的，请在报送时注明。"
        )
        + table(
            ["指标", "目标及口径", "需报送", "已掌握的数据", "当前判断"], rows, raw_columns=(0, 3, 4), cls="data owes"
        )
    )


def _years(years: list[int]) -> str:
    if not years:
        return ""
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]}—{years[-1]}"
    return "、".join(str(y) for y in years)


def materials(ctx: DepartmentContext) -> None:
    """What to fill, by when and for whom (under the table of duties), and what has been
    filled: the four fields of each reported item it leads."""
    items = _items(ctx)
    lead = items[items["position"] == 1]
    fields = "、".join(label for _, label in FIELDS)
    if lead.empty:
        if len(items):
            show(
                para(
                    f"本部门无牵头事项；请于{_deadline(ctx)}向牵头部门提供协同事项中本部门负责部分的材料（{fields}）。",
                    cls="note",
                )
            )
        return
    reported = _reported(ctx, items)
    filled = sum(bool(len(a)) for a in reported.values())
    assist = "；协同事项于同一时限前向牵头部门提供本部门负责部分" if len(items) > len(lead) else ""
    show(
        para(
            f"本部门牵头的{len(lead)}项事项中，{filled}项已报送材料，{len(lead) - filled}项待填报。"
            f"请在本规划评估填报表中逐项填写{fields}，{_deadline(ctx)}报送{_contact(ctx)}{assist}。"
        )
        + para(
            "责任部门列首位者为牵头部门。内容按句编号的事项，请说明本部门承担的部分，其余注明“不涉及本部门”"
            "及承担单位。",
            cls="note",
        )
    )
    rows = []
    for it in lead.itertuples():
        a = reported[(it.plan_id, it.item_id)]
        if len(a):
            rows.append(
                [
                    f"{it.item_type_zh}：{_short(it.text)}",
                    *["；".join(a[key].dropna()) or "待填报" for key, _ in FIELDS],
                ]
            )
    if rows:
        show(
            heading("已报送的评估材料", 3)
            + table(["事项", *[label for _, label in FIELDS]], rows, cls="data materials")
        )


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
        parts.append(
            table(
                ["风险事项", "风险评估", "防控举措", "存在问题及原因"],
                [[r.risk, r.level, r.measures or "待填报", r.problems or "待填报"] for r in entered.itertuples()],
                cls="data",
            )
        )
    if len(areas):
        names = "、".join(dict.fromkeys(areas["risk"]))
        parts.append(
            f"<p>评估方案要求分析的风险隐患：{esc(names)}{_where(ctx, areas.iloc[0])}。"
            "方案未明确各风险的责任部门；涉及本部门的，请报送风险评估、防控举措、成效经验、存在问题及原因。</p>"
        )
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
        rows = [
            [
                m.stage,
                f"{_date(m.due)}前" if not pd.isna(m.due) else (f"{year}年{m.due_text}" if year else m.due_text),
                m.deliverable,
            ]
            for m in ms.itertuples()
        ]
        show(table(["阶段", "时限", "工作内容"], rows, cls="data schedule"))
    else:
        show(para("评估方案未列明时间安排。"))
    if ctx.notes.order:
        show(heading("资料来源", 3) + ctx.notes.html())
