"""The sections of a plan report, in the order published Chinese plan evaluations use:
总体情况 · 主要目标指标实现情况 · 重大任务推进情况 · 防控化解重大风险情况 · 发展环境 ·
对标比较 · 存在问题及原因 · 对策建议 · 附录.

Each function shows one section in the notebook and returns nothing, so a notebook cell is one
call. Headings are numbered as they are shown (``ctx.section``). Nothing here decides a
judgement: it shows the engine's, and every figure carries a note number ([n]) pointing to
its source in the appendix. A plan whose targets are not in the data is a 工作底稿 (working
paper): the same calls then show what is needed, from whom and by when.
"""

from __future__ import annotations

import math
import numbers

import pandas as pd

from analysis import sources
from analysis import vocabulary as v
from analysis.charts import benchmark_chart, drawn_points, indicator_chart, overview_chart
from analysis.formatting import fmt, pct
from analysis.report import summary, usage
from analysis.report.context import PlanContext
from analysis.report.display import show, show_figure
from analysis.report.html import badge, esc, heading, num, para, table
from analysis.report.rows import EvaluationRow, MilestoneRow, ObservationRow, PassageRow
from analysis.report.sources import observation_sources
from analysis.report.target_text import target_cell
from analysis.targets import QUANTITATIVE_KINDS
from analysis.titles import kind_zh
from analysis.vocabulary import BASELINE

# -- cover -----------------------------------------------------------------------------------


def title(ctx: PlanContext) -> None:
    """Cover: title, kind of report, the plan's facts and the evaluation's basis and cut-offs."""
    plan = ctx.plan
    kind = kind_zh(_etype(ctx), ctx.is_working_paper)
    lines = [
        f'<h1 class="title">{esc(plan["title"])}<br><span class="subtitle">{esc(kind)}（{esc(ctx.region)}）</span></h1>'
    ]
    facts = [("规划期", f"{plan['period_start']}—{plan['period_end']}年（基期{plan['base_year']}年）")]
    if isinstance(plan["issuer"], str) and plan["issuer"]:
        facts.append(("编制单位", plan["issuer"]))
    if ctx.setting is not None:
        s = ctx.setting
        file = sources.document(s)
        if file:
            facts.append(("评估依据", ctx.notes.names.get(file, "")))
            docs = ctx.frames["documents"].set_index("file")
            if file in docs.index:
                facts.append(("组织单位", str(docs.loc[file, "issuer"])))
        cut = f"年度数据截至{_date(s['annual_cutoff'])}"
        if not pd.isna(s["monthly_cutoff"]):
            cut += f"，月度数据截至{_date(s['monthly_cutoff'])}"
        if not pd.isna(s["task_cutoff"]):
            cut += f"，任务进展截至{_date(s['task_cutoff'])}"
        facts.append(("评估时点", cut))
        if isinstance(s["lead_department"], str):
            facts.append(("牵头部门", s["lead_department"]))
    show("".join(lines) + table(["项目", "内容"], facts, cls="facts"))


def _etype(ctx: PlanContext) -> str:
    if ctx.setting is not None:
        return str(ctx.setting["evaluation_type"])
    return summary.evaluation_type(ctx.evaluations)


def _date(stamp: pd.Timestamp) -> str:
    return f"{stamp.year}年{stamp.month}月{stamp.day}日"


# -- 总体情况 ----------------------------------------------------------------------------------


def overview(ctx: PlanContext) -> None:
    """总体情况: the verdict in prose, the counts with their denominators, counts by attribute."""
    ev = ctx.evaluations
    if ctx.is_working_paper:
        _working_paper_scope(ctx)
        return
    parts = [
        heading(ctx.section("总体情况")),
        para(summary.verdict(ev), cls="summary"),
        para(summary.count_sentence(ev)),
        para(summary.attribute_sentence(ev)),
    ]
    outlook = summary.outlook_sentence(ev)
    if outlook:
        parts.append(para(outlook))
    clean = summary.no_lag_statement(ev)
    if clean:
        parts.append(para(clean))
    parts.append(_count_table(ev))
    show("".join(parts))
    if ev["progress_zh"].nunique() >= 2:
        show_figure(overview_chart(ev))
    show(_opinion(ctx))


def _count_table(ev: pd.DataFrame) -> str:
    """Judgement × attribute; 数据暂缺 and 待填报 are a separate row group (未作判断), not verdicts."""
    attrs = [a for a in ("约束性", "预期性") if (ev["attribute"] == a).any()]
    if ev["attribute"].isna().any() or not attrs:
        attrs.append("未标注")
    frame = ev.assign(attribute=ev["attribute"].fillna("未标注"))
    rows = []
    for code, sub in [(x, frame[frame["progress"] == x]) for x in frame["progress"].unique()]:
        unjudged = code in summary.UNJUDGED + summary.NO_VERDICT
        row = [badge(code) + ("（未作判断）" if unjudged else "")]
        row += [str(int((sub["attribute"] == a).sum())) for a in attrs] + [str(len(sub))]
        rows.append((unjudged, row))
    rows.sort(key=lambda r: r[0])
    body = [r for _, r in rows] + [
        ["合计"] + [str(int((frame["attribute"] == a).sum())) for a in attrs] + [str(len(frame))]
    ]
    return table(
        ["判断"] + attrs + ["合计"], body, raw_columns=(0,), caption="主要指标按判断与属性分类（项）", cls="data counts"
    )


def _opinion(ctx: PlanContext) -> str:
    """获得感与满意度, 第三方评估: shown where the workbooks supply them; else who owes them."""
    surveys = ctx.frames.get("surveys")
    rows = surveys[surveys["plan_id"] == ctx.plan_id] if surveys is not None and len(surveys) else None
    if rows is None or rows.empty:
        owner = f"由{_organiser(ctx)}组织"
        return para(
            f"人民群众获得感与满意度调查、第三方评估结果尚未报送，{owner}开展并填报后列入本报告（不作为指标判断）。",
            cls="note",
        )
    body = [
        [
            r.kind,
            r.finding,
            r.conducted_by,
            r.sample if isinstance(r.sample, str) else "—",
            f"{r.conducted_on.year}年{r.conducted_on.month}月",
            r.report_title if isinstance(r.report_title, str) else "—",
        ]
        for r in rows.itertuples()
    ]
    return (
        heading("群众满意度与第三方评估", 3)
        + table(["类型", "主要结论", "实施单位", "样本", "时间", "报告"], body, cls="data")
        + para("以上为填报的调查和第三方评估结论，不作为指标进度判断。", cls="note")
    )


def _working_paper_scope(ctx: PlanContext) -> None:
    s = ctx.setting
    parts = [heading(ctx.section("评估范围与工作底稿说明"))]
    plan_src = sources.of_record(ctx.plan)
    if plan_src:
        file = plan_src[0].document
        locations = "、".join(x.location for x in plan_src)
        parts.append(
            f"<p>根据{esc(ctx.notes.names.get(file, ''))}{esc(locations)}，本规划纳入本次评估。"
            f"{ctx.notes.cite(plan_src)}</p>"
        )
    parts.append(
        '<p class="summary">评估方案未列出本规划的目标指标，规划文本及其指标数据尚未提供，'
        "不能对实施情况作出判断。本文为评估工作底稿：列明评估所需的资料、提供单位和时限，"
        "资料补齐后形成评估报告。</p>"
    )
    if s is not None and isinstance(s["note"], str):
        parts.append(para(f"说明：{s['note']}"))
    show("".join(parts))


# -- 主要目标指标实现情况 ------------------------------------------------------------------------


def targets_table(ctx: PlanContext) -> None:
    """主要目标指标实现情况: the table (columns empty in every row are left out)."""
    ev = ctx.evaluations
    if ctx.is_working_paper:
        _working_paper_needs(ctx)
        return
    show(heading(ctx.section("主要目标指标实现情况")))
    judge = "可行性判断" if _etype(ctx) == BASELINE else "进度判断"
    ind = ctx.frames["indicators"].set_index(["plan_id", "indicator_id"])
    obs = ctx.frames["observations"]
    columns = ["指标", "属性", "目标", "基期值", "最新值", "完成度", "序时进度", "预计值及区间", judge, "趋势判断"]
    rows = []
    for r in ev.itertuples():
        unit = r.unit if isinstance(r.unit, str) else None
        target_text, _ = _target_cell(ind, r, unit)
        mine = usage.own(obs, r.indicator_id, r.region, ctx.annual_cutoff, ctx.monthly_cutoff)
        projection = "—"
        if _has(r.projected_value):
            projection = (
                f"{num(fmt(r.projected_value, unit))}<br>（{num(fmt(r.projected_low, unit))}至"
                f"{num(fmt(r.projected_high, unit))}）"
            )
        stated = sources.of_record(ind.loc[(r.plan_id, r.indicator_id)])
        notes = ctx.notes.cite([*stated, *observation_sources(mine)])
        base = _base_cell(ctx, r, unit, mine)
        # at a new plan's base year the latest value is the base: one column, not two
        latest = "—" if ctx.is_baseline else _latest_cell(r, unit, mine)
        rows.append(
            [
                f"{int(r.seq)}. {esc(r.name)}{notes}",
                num(r.attribute) if isinstance(r.attribute, str) else "—",
                esc(target_text),
                base,
                latest,
                num(pct(r.completion)) if _has(r.completion) else "—",
                num(pct(_time_share(r))) if _has(_time_share(r)) else "—",
                projection,
                badge(r.progress),
                badge(r.outlook, "outlook") or "—",
            ]
        )
    keep = [i for i, c in enumerate(columns) if i < 1 or any(row[i] not in ("—", "") for row in rows)]
    html = table(
        [columns[i] for i in keep],
        [[row[i] for i in keep] for row in rows],
        raw_columns=tuple(range(len(keep))),
        cls="data targets",
    )
    shown = [columns[i] for i in keep]
    show(_with_widths(html, shown))
    show(
        para(
            "说明："
            + "；".join(text for column, text in _COLUMN_NOTES if column in shown)
            + "。注中的编号对应附录所列资料来源。",
            cls="note",
        )
    )


#: What the table's columns mean, said once under it (only for the columns shown).
_COLUMN_NOTES = (
    ("完成度", "完成度为累计完成量占目标的比例（水平类指标为自基期起已缩小的差距比例）"),
    ("序时进度", "序时进度为规划期已过去的时间比例"),
    ("预计值及区间", "预计值为按现有趋势推算的目标年份数值，括号内为有八成把握的范围"),
    (
        "可行性判断",
        "基期值为可行性判断所依据的数值（年度目标为上一规划期累计数，据以计算年均水平）；"
        "标“口径不同”的，文件所载基数与目标的统计口径不完全一致，差异见各项指标情况",
    ),
)


#: Relative widths of the target table's columns (a column left out gives its share to the others).
WIDTHS = {
    "指标": 19,
    "属性": 11,
    "目标": 18,
    "基期值": 22,
    "最新值": 22,
    "完成度": 13,
    "序时进度": 11,
    "预计值及区间": 21,
    "进度判断": 17.5,
    "可行性判断": 17.5,
    "趋势判断": 20,
}  # mm at 7.5 pt


def _with_widths(html: str, header: list[str]) -> str:
    """Fixed column widths, so badges and numbers (which never wrap) keep the table on the page."""
    total = sum(WIDTHS[h] for h in header)
    cols = "".join(f'<col style="width:{WIDTHS[h] / total * 100:.1f}%">' for h in header)
    return html.replace('<table class="data targets">', f'<table class="data targets"><colgroup>{cols}</colgroup>', 1)


def _time_share(r: object) -> float:
    value = getattr(r, "time_progress", math.nan)
    return value if _has(value) else getattr(r, "schedule", math.nan)


def _base_cell(ctx: PlanContext, r: EvaluationRow, unit: str | None, mine: pd.DataFrame) -> str:
    """The base-year value. At a new plan's base year: what the feasibility rests on — a base
    the document gives under another measure (marked, with its note), the value of the base
    year, or the previous plan's total."""
    declared = usage.declared_base(ctx.frames, ctx.plan_id, r.indicator_id, r.region, ctx.annual_cutoff)
    if declared is not None:
        _, o = declared
        return num(_value_text(o, unit)) + ctx.notes.of(o) + f"<br>{num(f'（{o.period}）')}<br>口径不同"
    if _has(r.base_value):
        return num(fmt(r.base_value, unit))
    if ctx.is_baseline:
        year = int(ctx.plan["base_year"])
        at_base = mine[mine["period_end"].dt.year == year]
        total = at_base[at_base["period_type"] == "plan_period"]
        if len(total) and r.target_kind in ("annual", "cumulative"):
            o = total.iloc[0]
            return num(f"{o.period}年累计") + num(_value_text(o, unit)) + ctx.notes.of(o)
        if _has(getattr(r, "latest_year", math.nan)) and int(r.latest_year) == year:
            return _latest_cell(r, unit, mine)
        if at_base["status"].notna().any():
            return esc(at_base["status"].dropna().iloc[-1])
    # during and at the end of a plan only a level is measured from its base; a total or a
    # yearly bound needs no base value, so its absence is no gap in the data
    needed = r.target_kind == "level" or ctx.is_baseline
    return "数据暂缺" if r.target_kind in QUANTITATIVE_KINDS and needed else "—"


def _target_cell(indicators: pd.DataFrame, r: EvaluationRow, unit: str | None) -> tuple[str, bool]:
    """The target as the table shows it, and whether the section must quote the document's words."""
    text = str(indicators.loc[(r.plan_id, r.indicator_id), "target_text"])
    return target_cell(text, r.target_kind, r.target_value, unit, r.target_year)


def _latest_cell(r: EvaluationRow, unit: str | None, mine: pd.DataFrame) -> str:
    """The latest value as the document states it: a bound stays a bound ("65%以上")."""
    display = getattr(r, "latest_display", None)
    year = int(r.latest_year) if _has(getattr(r, "latest_year", math.nan)) else None
    if isinstance(display, str) and display:
        text = display
    elif _has(r.latest_value):
        text = fmt(r.latest_value, unit)
        same = mine[(mine["period_end"].dt.year == year) & (mine["value"] == r.latest_value)] if year else mine.iloc[:0]
        if len(same):
            text = _value_text(same.iloc[0], unit)
    else:
        status = mine["status"].dropna()
        if len(status):
            return esc(status.iloc[-1])
        return "数据暂缺" if r.target_kind in QUANTITATIVE_KINDS else "—"
    return num(text) + (f"<br>{num(f'（{year}年）')}" if year else "")


def target_details(ctx: PlanContext) -> None:
    """Per target: its sentence, its year series with note numbers, related figures with their
    caveat, what the documents say about it, and a chart where there are two points or more."""
    ev = ctx.evaluations
    if ev.empty:
        return
    obs = ctx.frames["observations"]
    indicators = ctx.frames["indicators"].set_index(["plan_id", "indicator_id"])
    passages = ctx.passages
    show(heading("各项指标情况", 3))
    for r in ev.itertuples():
        mine = usage.own(obs, r.indicator_id, r.region, ctx.annual_cutoff, ctx.monthly_cutoff)
        parts = [
            f'<div class="target"><h4>{esc(int(r.seq))}. {esc(r.name)} {badge(r.progress)} '
            f"{badge(r.outlook, 'outlook')}</h4>",
        ]
        _, shortened = _target_cell(indicators, r, r.unit if isinstance(r.unit, str) else None)
        if shortened:  # the table gave the number only: the document's words, in full
            parts.append(para("规划目标：" + str(indicators.loc[(r.plan_id, r.indicator_id), "target_text"]) + "。"))
        parts.append(para(r.explanation_zh))
        series = _series_line(ctx, mine, r.unit if isinstance(r.unit, str) else None)
        if series:
            parts.append(f"<p>{series}</p>")
        rel = usage.related(obs, r.indicator_id, r.region, ctx.annual_cutoff, ctx.monthly_cutoff)
        for o in rel.itertuples():
            parts.append(
                f"<p>相关数据：{esc(o.period)}年{esc(o.measure)}为{num(_value_text(o, None))}"
                f"{ctx.notes.of(o)}。其统计口径与本指标定义不同，仅作参考，"
                "不据以判断进度。</p>"
            )
        said: set[str] = set()
        for relation, note, rows in usage.evidence(
            ctx.frames, ctx.plan_id, r.indicator_id, r.region, ctx.annual_cutoff, ctx.monthly_cutoff
        ):
            line = _series_line(ctx, rows, None).removeprefix("数据：")
            parts.append(f"<p>佐证数据（{esc(relation)}）：{line}{esc(note) if note not in said else ''}</p>")
            said.add(note)
        # achievements of another plan in the same document (the base period of a new plan);
        # the plan's own achievements are shown once, in 成效与经验
        linked = passages[
            passages["indicator_ids"].fillna("").str.split(";").apply(lambda ids, wanted=r.indicator_id: wanted in ids)
            & (passages["kind"] == "achievement")
            & (passages["plan_id"] != ctx.plan_id)
        ]
        for p in linked.itertuples():
            label = "规划文件所载基期情况" if _etype(ctx) == BASELINE else "规划文件所载情况"
            parts.append(f"<p>{label}：{esc(p.text)}{ctx.notes.of(p)}</p>")
        parts.append("</div>")
        show("".join(parts))
        yearly = usage.yearly_points(mine)
        row = pd.Series(r._asdict())
        if r.target_kind in QUANTITATIVE_KINDS and _has(r.target_value) and drawn_points(row, yearly) >= 2:
            show_figure(indicator_chart(row, yearly))


def _series_line(ctx: PlanContext, mine: pd.DataFrame, unit: str | None) -> str:
    """'数据：2021年63.51万个[1]、2022年56.35万个[2]。' — every value up to the cut-off, with its note."""
    pieces = []
    order = {"year": 0, "ytd": 1, "month": 2, "plan_period": 3, "stock": 4}
    seen: set[tuple] = set()
    for o in mine.sort_values(["period_end", "period_start"]).itertuples():
        if pd.isna(o.value) and not isinstance(o.status, str):
            continue
        key = (o.period, o.value if not pd.isna(o.value) else o.status)
        if key in seen:
            continue
        seen.add(key)
        label = {
            "year": f"{o.period}年",
            "stock": o.period,
            "plan_period": f"{o.period}年累计",
            "ytd": _months(o),
            "month": _months(o),
        }.get(o.period_type, o.period)
        value = _value_text(o, unit)
        pieces.append((order.get(o.period_type, 9), f"{esc(label)}{num(value)}{ctx.notes.of(o)}"))
    if not pieces:
        return ""
    return "数据：" + "、".join(p for _, p in pieces) + "。"


def _value_text(o: ObservationRow, unit: str | None) -> str:
    """A value as the report writes it (万/亿, units); a bound stays a bound (65%以上, 超4000家)."""
    if pd.isna(o.value):
        return str(o.status) if isinstance(o.status, str) else str(o.value_text)
    written = str(o.value_text) if isinstance(o.value_text, str) else ""
    if written and not any(ch.isdigit() for ch in written):
        return written  # a value stated in words (动态为零): the document's words, not a bare 0
    text = fmt(o.value, o.unit if isinstance(o.unit, str) else unit)
    if o.comparator in ("<=", "<"):
        for word in ("以内", "以下"):
            if word in written:
                return text + word
        return ("不超过" + text) if "不超过" in written else text + "以内"
    if o.comparator in (">=", ">"):
        for word in ("以上", "余"):
            if word in written:
                return text + word
        return ("超" + text) if "超" in written else text + "以上"
    if o.comparator == "≈":
        return "约" + text
    return text


def _months(o: ObservationRow) -> str:
    start, end = o.period_start, o.period_end
    if o.period_type == "month":
        return f"{end.year}年{end.month}月"
    return f"{end.year}年{start.month}—{end.month}月" if start.month != end.month else f"{end.year}年{end.month}月"


def _working_paper_needs(ctx: PlanContext) -> None:
    """What the evaluation needs, from whom and by when (a working paper's table)."""
    s = ctx.setting
    lead = s["lead_department"] if s is not None and isinstance(s["lead_department"], str) else "牵头部门"
    due = _first_due(ctx)
    cut = (
        (
            f"年度数据截至{_date(s['annual_cutoff'])}"
            + (f"，月度数据截至{_date(s['monthly_cutoff'])}" if not pd.isna(s["monthly_cutoff"]) else "")
        )
        if s is not None
        else ""
    )
    base = int(ctx.plan["base_year"])
    rows = [
        ["规划文本所列主要目标指标（名称、目标值、单位、属性约束性或预期性、目标年份）及指标说明", lead, due],
        [
            f"各指标基期（{base}年）数值及规划实施以来各年数值，注明统计口径和发布单位（{cut}）",
            f"{lead}会同各指标责任部门",
            due,
        ],
        [
            "重大改革、重大项目和重点任务清单及责任分工，逐项的进展情况、成效经验、存在问题及原因、下一步建议",
            f"{lead}会同相关部门",
            due,
        ],
        ["人民群众获得感与满意度调查、第三方评估结果（实施单位、样本、时间）", lead, due],
    ]
    show(heading(ctx.section("评估所需资料")) + table(["资料", "提供单位", "时限"], rows, cls="data needs"))
    held = usage.evidence(ctx.frames, ctx.plan_id, None, ctx.region, ctx.annual_cutoff, ctx.monthly_cutoff)
    if held:
        lines = []
        for relation, _note, found in held:
            for region, group in found.groupby("region", sort=False):
                lines.append([esc(relation), esc(region), _series_line(ctx, group, None).removeprefix("数据：")])
        notes = "".join(dict.fromkeys(n for _, n, _ in held if n))
        show(
            heading("已掌握的相关数据", 3)
            + para(notes)
            + table(["指标", "地区", "数值（截至评估时点）"], lines, raw_columns=(0, 1, 2), cls="data")
        )


def _first_due(ctx: PlanContext) -> str:
    ms = _milestones(ctx)
    dated = ms[ms["due"].notna()]
    if dated.empty:
        return "—"
    m = dated.iloc[0]
    return f"{_date(m['due'])}前（{m['deliverable']}）"


def _milestones(ctx: PlanContext) -> pd.DataFrame:
    if ctx.setting is None:
        return ctx.frames["milestones"].iloc[:0]
    ms = ctx.frames["milestones"]
    return ms[ms["exercise"] == ctx.setting["exercise"]].sort_values("seq")


# -- 重大任务推进情况 --------------------------------------------------------------------------


def tasks(ctx: PlanContext) -> None:
    """重大任务推进情况: the plan's tasks with their assessments; the document's achievements
    (成效与经验, with their figures); for a new plan, the tasks it sets out."""
    plan_items = ctx.frames["items"]
    plan_items = plan_items[plan_items["plan_id"] == ctx.plan_id]
    achievements = ctx.passages[(ctx.passages["kind"] == "achievement") & (ctx.passages["plan_id"] == ctx.plan_id)]
    planned = ctx.passages[ctx.passages["kind"].isin(["task", "project"]) & (ctx.passages["plan_id"] == ctx.plan_id)]
    assessed = ctx.frames["assessments"]
    assessed = assessed[assessed["plan_id"] == ctx.plan_id]
    if plan_items.empty and achievements.empty and planned.empty and assessed.empty:
        if not ctx.is_working_paper:
            show(
                heading(ctx.section("重大任务推进情况"))
                + para("规划文件未列明重大任务，待牵头部门补充任务清单后评估。")
            )
        return
    parts = [heading(ctx.section("重大任务推进情况"))]
    if len(plan_items):
        parts.append(_items_table(ctx, plan_items, assessed))
    if len(achievements):
        parts.append(heading("成效与经验", 3))
        parts.append(para("规划实施以来的主要成效，据规划文件所载（各句后注明来源）："))
        for _topic, group in achievements.groupby("topic", sort=False):
            sentences = "".join(f"{esc(p.text)}{ctx.notes.of(p)}" for p in group.itertuples())
            parts.append(f"<p><strong>{esc(group['section'].iloc[0])}。</strong>{sentences}</p>")
    own_achievements = assessed["achievements"].dropna() if len(assessed) else []
    if len(own_achievements):
        parts.append(heading("责任部门报送的成效经验", 3))
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{esc(r.department)}：{esc(r.achievements)}</li>"
                for r in assessed[assessed["achievements"].notna()].itertuples()
            )
            + "</ul>"
        )
    if len(planned):
        parts.append(heading("规划部署的主要任务和重点项目", 3))
        parts.append(
            para(
                f"规划部署主要任务{int((planned['kind'] == 'task').sum())}项、重点项目"
                f"{int((planned['kind'] == 'project').sum())}项；规划期初尚无推进情况，中期评估时逐项评估。"
            )
        )
        rows = [[esc(p.topic), esc(p.section) + ctx.notes.of(p)] for p in planned.itertuples()]
        parts.append(table(["领域", "任务或项目"], rows, raw_columns=(1,), cls="data"))
    show("".join(parts))


def _items_table(ctx: PlanContext, plan_items: pd.DataFrame, assessed: pd.DataFrame) -> str:
    resp = ctx.frames["responsibilities"]
    rows = []
    for it in plan_items.itertuples():
        depts = (
            resp[(resp["plan_id"] == it.plan_id) & (resp["item_id"] == it.item_id)]
            .sort_values("position")["department"]
            .tolist()
        )
        a = assessed[assessed["item_id"] == it.item_id]
        status = "；".join(
            f"{x.department}（{x.assessor}）：{x.progress}"
            + (f"。{x.progress_detail}" if isinstance(x.progress_detail, str) and x.progress_detail else "")
            for x in a.itertuples()
        )
        if not status:
            status = f"待{depts[0]}牵头填报" if depts else "待填报"
        rows.append(
            [
                esc(it.item_type_zh),
                esc(it.text) + ctx.notes.of(it),
                esc("、".join(depts[:1])),
                esc("、".join(depts[1:]) or "—"),
                esc(status),
            ]
        )
    done = int(assessed["item_id"].isin(plan_items["item_id"]).sum()) if len(assessed) else 0
    lead = para(
        f"规划确定的{len(plan_items)}项重点专题、重大指标和重大任务中，{done}项已报送评估材料，"
        f"{len(plan_items) - done}项待责任部门填报（不作为进展判断）。责任部门按评估方案所列顺序，"
        "列首位者为牵头部门，其余为协同部门。"
    )
    return lead + table(
        ["类型", "内容", "牵头", "协同", "评估情况"], rows, raw_columns=(0, 1, 2, 3, 4), cls="data tasks"
    )


# -- 防控化解重大风险情况 -------------------------------------------------------------------------


def risks(ctx: PlanContext) -> None:
    """防控化解重大风险情况: the risks the evaluation reviews for this plan, what the documents say
    about each (assessment, measures), and what departments entered."""
    areas = ctx.frames["risk_areas"]
    if ctx.setting is not None:
        ev_id = ctx.setting["evaluation_id"]
        areas = areas[
            (areas["exercise"] == ctx.setting["exercise"])
            & (
                areas["evaluation_ids"].isna()
                | areas["evaluation_ids"].fillna("").str.split(";").apply(lambda ids: ev_id in ids)
            )
        ]
    else:
        areas = areas.iloc[:0]
    entered = ctx.frames["risks"]
    entered = entered[entered["plan_id"] == ctx.plan_id]
    stated = ctx.passages[ctx.passages["risk"].notna()]
    names = list(dict.fromkeys(list(areas["risk"]) + list(stated["risk"]) + list(entered["risk"])))
    heading_html = heading(ctx.section("防控化解重大风险情况"))
    if not names:
        show(heading_html + para(f"评估方案未对本规划列明风险事项，待{_organiser(ctx)}提出。"))
        return
    rows = []
    for name in names:
        text = stated[stated["risk"] == name]
        judged = text[text["kind"] == "challenge"]
        measures = text[text["kind"].isin(["achievement", "task", "project"])]
        e = entered[entered["risk"] == name]
        assessment = "；".join(
            [f"{x.department}：{x.level}" for x in e.itertuples()]
            + [esc(p.text) + ctx.notes.of(p) for p in judged.itertuples()]
        )
        action = "；".join(
            [esc(x.measures) for x in e.itertuples() if isinstance(x.measures, str)]
            + [_risk_measure(ctx, p) for p in measures.itertuples()]
        )
        area = areas[areas["risk"] == name]
        src = ctx.notes.of(area.iloc[0]) if len(area) else ""
        rows.append([esc(name) + src, assessment or "待填报", action or "待填报"])
    show(
        heading_html + table(["风险事项", "风险研判", "防控举措及成效"], rows, raw_columns=(0, 1, 2), cls="data risks")
    )
    if len(areas) and entered.empty:
        show(
            para(
                "评估方案所列风险事项的风险评估、防控举措、成效经验和存在问题，待责任部门填报（不作为判断）。",
                cls="note",
            )
        )


def _risk_measure(ctx: PlanContext, p: PassageRow) -> str:
    """A measure the document states; the plan's own achievements are quoted once, in 成效与经验."""
    if p.kind == "achievement" and p.plan_id == ctx.plan_id:
        return f"见“重大任务推进情况”中“{esc(p.section)}”所列成效{ctx.notes.of(p)}"
    label = "规划部署：" if p.kind in ("task", "project") else ""
    return label + esc(p.text) + ctx.notes.of(p)


# -- 发展环境 -----------------------------------------------------------------------------------


def environment(ctx: PlanContext) -> None:
    """发展环境: the document's analysis of the situation, opportunities and challenges."""
    p = ctx.passages
    env = p[p["kind"].isin(["environment", "opportunity", "challenge"])]
    if ctx.is_working_paper:
        return
    parts = [heading(ctx.section("发展环境"))]
    if env.empty:
        lead = _organiser(ctx)
        parts.append(
            para(
                f"对标新精神、新任务、新要求，分析外部环境的新变化、新趋势和面临的新机遇、新挑战，"
                f"由{lead}会同各部门在专题评估材料中提出，尚未报送。"
            )
        )
        show("".join(parts))
        return
    overall = env[env["kind"] == "environment"]
    for r in overall.itertuples():
        parts.append(f"<p>{esc(r.text)}{ctx.notes.of(r)}</p>")
    for kind, label in (("opportunity", "主要机遇"), ("challenge", "面临挑战")):
        sub = env[env["kind"] == kind]
        if len(sub):
            parts.append(heading(label, 3))
            parts.append("".join(f"<p>{esc(r.text)}{ctx.notes.of(r)}</p>" for r in sub.itertuples()))
    show("".join(parts))


# -- 对标比较 -----------------------------------------------------------------------------------


def benchmarks(ctx: PlanContext) -> None:
    """对标比较: rates of the same concept, same unit and same years only; the rest left out, saying why."""
    if ctx.is_working_paper:
        return
    ev = ctx.evaluations
    obs = ctx.frames["observations"]
    found = usage.benchmarks(obs, list(ev["indicator_id"]), ctx.region, ctx.annual_cutoff)
    parts = [heading(ctx.section("对标比较"))]
    names = ev.set_index("indicator_id")["name"]
    shown, left_out = [], []
    for sid, item in found.items():
        if item["rows"] is None:
            why = {
                "count": "为总量指标，受地区规模影响，与其他地区不可直接比较",
                "no_own": f"{ctx.region}在评估时点前无可比年度数据",
                "no_common_year": f"{ctx.region}与其他地区没有相同年份的数据",
            }[item["reason"]]
            left_out.append(f"{names.get(sid, sid)}{why}")
        else:
            shown.append((sid, item))
    if not shown:
        parts.append(para("截至评估时点，没有可与其他地区同口径、同年份比较的比率指标。"))
    show("".join(parts))
    for sid, item in shown:
        rows = item["rows"]
        srcs = observation_sources(rows)
        cite = ctx.notes.cite(srcs)
        years = item["years"]
        values = "；".join(
            f"{y}年："
            + "，".join(
                f"{g.region}{fmt(g.value, g.unit)}" for g in rows[rows["year"] == y].sort_values("region").itertuples()
            )
            for y in years
        )
        show(f"<p>{esc(names.get(sid, sid))}（{esc('、'.join(str(y) for y in years))}年）：{esc(values)}{cite}。</p>")
        if len(years) >= 2:
            show_figure(benchmark_chart(rows, f"{names.get(sid, sid)}：国内比较", "%"))
    notes = []
    if left_out:
        notes.append("未作比较：" + "；".join(left_out) + "。")
    notes.append(
        "比较仅限同一概念、同一单位、同一年份的比率指标；对标数据多来自各地统计公报和政府工作报告的转载，"
        "口径可能不完全一致，仅供参考。国际标杆城市对标资料尚未收集。"
    )
    show(para("".join(notes), cls="note"))


# -- 存在问题及原因、对策建议 ------------------------------------------------------------------------


def issues(ctx: PlanContext) -> None:
    """存在问题及原因: targets behind or missed, with their explanation; targets that cannot be
    judged, with why; problems the departments entered; the document's challenges as causes."""
    if ctx.is_working_paper:
        return
    ev = ctx.evaluations
    parts = [heading(ctx.section("存在问题及原因"))]
    flagged = ev[ev["progress"].isin(summary.LAGGING) | ev["outlook"].isin(["unlikely"])]
    if len(flagged):
        parts.append(heading("进度滞后或难以按期实现的指标", 3))
        parts.append(
            "<ul>" + "".join(f"<li>{esc(r.name)}：{esc(r.explanation_zh)}</li>" for r in flagged.itertuples()) + "</ul>"
        )
    else:
        judged = summary.judged(ev)
        parts.append(
            para(
                f"可判断的{len(judged)}项指标中，没有滞后于预期或未完成的指标。"
                if len(judged)
                else "尚无可判断的指标。"
            )
        )
    rest = summary.without_verdict(ev)
    if len(rest):
        parts.append(heading("无法判断的指标及原因", 3))
        items = []
        for r in rest.itertuples():
            reason = getattr(r, "unjudged_reason", None)
            if not isinstance(reason, str) or not reason:
                reason = {
                    "no_data": "截至评估时点尚无公开数据，责任部门也未报送",
                    "pending": "定性指标或需评估材料支撑，责任部门尚未填报",
                }.get(r.progress, r.progress_zh)
            items.append(f"<li>{esc(r.name)}：{esc(reason)}。</li>")
        parts.append("<ul>" + "".join(items) + "</ul>")
    breaks = ev[ev["data_note"].notna()]
    if len(breaks):
        parts.append(heading("统计口径变化", 3))
        parts.append(
            "<ul>" + "".join(f"<li>{esc(r.name)}：{esc(r.data_note)}。</li>" for r in breaks.itertuples()) + "</ul>"
        )
    problems = ctx.frames["assessments"]
    problems = problems[(problems["plan_id"] == ctx.plan_id) & problems["problems"].notna()]
    if len(problems):
        parts.append(heading("责任部门反映的问题", 3))
        parts.append(
            "<ul>"
            + "".join(f"<li>{esc(r.department)}：{esc(r.problems)}</li>" for r in problems.itertuples())
            + "</ul>"
        )
    if (ctx.passages["kind"] == "challenge").any():
        parts.append(para("深层次原因和面临的挑战，见“发展环境”部分所引规划文件的分析。"))
    show("".join(parts))


def _organiser(ctx: PlanContext) -> str:
    """Who answers for data no department is named for: the evaluation's lead, else the body
    that issued the evaluation's document."""
    if ctx.setting is None:
        return "责任部门"
    if isinstance(ctx.setting["lead_department"], str):
        return str(ctx.setting["lead_department"])
    file = sources.document(ctx.setting)
    docs = ctx.frames["documents"].set_index("file")
    return str(docs.loc[file, "issuer"]) if file in docs.index else "责任部门"


def suggestions(ctx: PlanContext) -> None:
    """对策建议: who supplies which data by when; where a lag calls for more effort; where a target
    should be reviewed (reached early, or no longer measurable); what the departments proposed."""
    if ctx.is_working_paper:
        return
    ev = ctx.evaluations
    resp = ctx.frames["responsibilities"]
    due = _first_due(ctx)
    items = []
    for r in summary.unjudged(ev).itertuples():
        owners = "、".join(
            resp[(resp["plan_id"] == r.plan_id) & (resp["item_id"] == r.indicator_id)].sort_values("position")[
                "department"
            ]
        )
        owners = owners or _organiser(ctx)
        what = "数据及口径说明" if r.progress == "no_data" else "评估材料"
        when = f"，{due}" if due != "—" else ""
        items.append(f"补齐{r.name}：由{owners}报送截至评估时点的{what}{when}。")
    for r in ev[ev["progress"].isin(summary.LAGGING)].itertuples():
        items.append(f"{r.name}进度滞后，建议责任部门分析原因，加大推进力度，在后续年度补足差距。")
    early = ev[ev["progress"].isin(["met_early"])]
    if len(early):
        items.append(f"{summary.names(early)}已提前实现目标，建议在规划调整时研究适当提高目标值。")
    broken = ev[ev["data_note"].notna()]
    if len(broken):
        items.append(
            f"{summary.names(broken)}的统计口径在规划期内发生变化，建议调整考核口径或以替代指标评估，"
            "并在下一规划中明确统计来源。"
        )
    proposals = ctx.frames["assessments"]
    proposals = proposals[(proposals["plan_id"] == ctx.plan_id) & proposals["next_steps"].notna()]
    items += [f"{r.department}提出：{r.next_steps}" for r in proposals.itertuples()]
    if not items:
        items.append("保持现有推进力度，按年度跟踪监测各项指标。")
    show(heading(ctx.section("对策建议")) + "<ol>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ol>")


# -- 附录 ---------------------------------------------------------------------------------------


def appendix(ctx: PlanContext) -> None:
    """附录: (一) indicator definitions, (二) every source cited, by note number, (三) the method,
    stated in plain words (the probabilities and intervals are defined here, not in sentences)."""
    parts = [heading("附录")]
    n = 0
    ind = ctx.frames["indicators"]
    ind = ind[ind["plan_id"] == ctx.plan_id]
    defined = ind[ind["definition"].notna()]
    sub = "一二三四"
    if len(defined):
        parts.append(heading(f"（{sub[n]}）指标说明", 3))
        n += 1
        parts.append(table(["指标", "说明"], [[r.name, r.definition] for r in defined.itertuples()], cls="data"))
    if ctx.is_working_paper:
        ms = _milestones(ctx)
        if len(ms):
            parts.append(heading(f"（{sub[n]}）评估进度安排", 3))
            n += 1
            parts.append(
                table(
                    ["阶段", "时限", "工作内容"],
                    [[m.stage, _due(m, ms), m.deliverable] for m in ms.itertuples()],
                    cls="data",
                )
            )
    else:
        for s in sources.of_record(ctx.setting) if ctx.setting is not None else []:
            ctx.notes.number(s)
    parts.append(heading(f"（{sub[n]}）资料来源", 3))
    n += 1
    parts.append(ctx.notes.html() if ctx.notes.order else para("无。"))
    if not ctx.is_working_paper:
        parts.append(heading(f"（{sub[n]}）评估方法", 3))
        parts += [para(FEASIBILITY_METHOD)] if ctx.is_baseline else [para(METHOD), para(OUTLOOK_METHOD)]
    show("".join(parts))


def _due(m: MilestoneRow, ms: pd.DataFrame) -> str:
    if not pd.isna(m.due):
        return f"{_date(m.due)}前"
    years = ms["due"].dropna().dt.year
    return f"{int(years.iloc[0])}年{m.due_text}" if len(years) else str(m.due_text)


def _share(x: float) -> str:
    return f"{round(x * 100):d}%"


def _cheng(x: float) -> str:
    """0.8 → 八成: how Chinese evaluations state a share of certainty."""
    tenths = x * 10
    if abs(tenths - round(tenths)) < 1e-9 and 1 <= round(tenths) <= 9:
        return "一二三四五六七八九"[round(tenths) - 1] + "成"
    return _share(x)


METHOD = (
    "进度判断：累计类指标以累计完成量占目标的比例对照序时进度；年度类指标逐年对照年度目标；水平类指标以现值对照"
    f"基期值至目标值的路径。完成度达到序时进度{v.AHEAD:g}倍及以上为“快于预期”，{v.ON_TRACK:g}至{v.AHEAD:g}倍为"
    f"“基本符合预期”，低于{v.ON_TRACK:g}倍为“滞后于预期”；已达到目标为“提前实现”。规划期末：达到目标"
    f"{_share(v.EXCEEDED)}及以上为“超额完成”，达到目标为“完成”，未达到目标为“未完成”；数据中断、无法对照目标的为"
    "“无法考核”，并说明原因。截至评估时点没有数据的指标记为“数据暂缺”，定性指标未报送材料的记为“待填报”，"
    "两者均不计入判断。"
)
FEASIBILITY_METHOD = (
    "可行性判断：年度类和累计类指标以目标要求的年均水平对照上一规划期实际年均水平，"
    "水平类指标以目标值对照基期水平。"
    f"目标高于既往水平{_share(v.AMBITIOUS - 1)}以上的为“目标积极”，"
    f"在既往水平上下{_share(1 - v.IN_LINE)}以内的为“与既往持平”，"
    "低于此范围的为“目标稳妥”（控制类指标方向相反）。文件所载基数与目标统计口径不完全一致的，按文件所载数值判断并说明差异。"
    "截至评估时点没有基期数据的指标记为“数据暂缺”，定性指标未报送材料的记为“待填报”，两者均不计入判断。"
)
OUTLOOK_METHOD = (
    f"趋势判断：按各年数据推算至目标年份，并给出有{_cheng(v.INTERVAL)}把握的数值范围（表中括号内）。按现有趋势实现"
    f"目标的可能性在{_cheng(v.LIKELY)}及以上的为“可如期实现”，{_cheng(v.POSSIBLE)}至{_cheng(v.LIKELY)}的为“基本可以实现”，"
    f"不足{_cheng(v.POSSIBLE)}的为“可能难以实现”；数据点过少的为“难以判断”。数值范围按国际预测竞赛（M1竞赛、旅游业预测竞赛）"
    f"年度数据的实际预测误差校准，总体上约{_cheng(v.INTERVAL)}的实际值落在范围之内；但以往各年变化平稳的指标，"
    f"实际值落在范围内的比例往往低于{_cheng(v.INTERVAL)}（范围偏窄），以往波动较大的指标则往往高于{_cheng(v.INTERVAL)}"
    "（范围偏宽），阅读时宜结合指标自身情况。"
)


def _has(value: object) -> bool:
    """A number is there (numpy and pandas scalars included; NaN and NA are not)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and not math.isnan(float(value))
