"""The sections of a plan report, in the order of document 000's evaluation plan.

Each function shows one section in the notebook (HTML and charts) and returns nothing, so a
notebook cell is one call. Nothing here decides a judgement: it shows the engine's.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.charts import benchmark_chart, indicator_chart, overview_chart
from analysis.evaluate import summary_zh
from analysis.evaluate.explain import fmt, pct
from analysis.report.context import PlanContext
from analysis.report.display import show, show_figure
from analysis.report.html import badge, esc, heading, items, para, table

QUANT = ("annual", "cumulative", "level")


def title(ctx: PlanContext) -> None:
    """Title, plan facts and the cut-offs the evaluation uses."""
    plan = ctx.plan
    kind = _kind_zh(ctx)
    lines = [f'<h1 class="title">{esc(plan["title"])}<br><span class="subtitle">{esc(kind)}报告'
             f'（{esc(ctx.region)}）</span></h1>']
    facts = [("规划期", f"{plan['period_start']}—{plan['period_end']}年（基期{plan['base_year']}年）"),
             ("编制单位", plan["issuer"] if isinstance(plan["issuer"], str) else "文件未载明"),
             ("评估范围", ctx.region)]
    if ctx.setting is not None:
        s = ctx.setting
        cut = f"年度数据截至{_date(s['annual_cutoff'])}"
        if isinstance(s["monthly_cutoff"], pd.Timestamp) and not pd.isna(s["monthly_cutoff"]):
            cut += f"，月度数据截至{_date(s['monthly_cutoff'])}"
        if isinstance(s["task_cutoff"], pd.Timestamp) and not pd.isna(s["task_cutoff"]):
            cut += f"，任务进展截至{_date(s['task_cutoff'])}"
        facts.append(("评估时点", cut))
        if isinstance(s["lead_department"], str):
            facts.append(("牵头部门", s["lead_department"]))
    lines.append(table(["项目", "内容"], facts, cls="facts"))
    show("".join(lines))


def _kind_zh(ctx: PlanContext) -> str:
    if ctx.is_baseline:
        return "目标可行性评估"
    if ctx.is_final:
        return "实施情况总结评估"
    return "实施情况中期评估"


def _date(stamp: pd.Timestamp) -> str:
    return f"{stamp.year}年{stamp.month}月{stamp.day}日"


def overview(ctx: PlanContext) -> None:
    """一、总体情况: the summary sentence, counts by judgement and attribute, one chart."""
    ev = ctx.evaluations
    parts = [heading("一、总体情况")]
    if ev.empty:
        parts.append(para("本规划的主要目标指标尚未录入（数据暂缺），本报告仅列示评估设置与任务。"))
        show("".join(parts))
        return
    parts.append(para(summary_zh(ev), cls="summary"))
    counts = ev.assign(attribute=ev["attribute"].fillna("未标注")).pivot_table(
        index="progress_zh", columns="attribute", values="indicator_id", aggfunc="count", fill_value=0)
    counts["合计"] = counts.sum(axis=1)
    header = ["判断"] + [str(c) for c in counts.columns]
    rows = [[badge(j)] + [str(int(v)) for v in row] for j, row in zip(counts.index, counts.to_numpy())]
    parts.append(table(header, rows, raw_columns=(0,), caption="按进度判断与指标属性分类（项）"))
    show("".join(parts))
    show_figure(overview_chart(ev))


def targets_table(ctx: PlanContext) -> None:
    """二、主要目标指标实现情况: every target in the columns evaluators use."""
    ev = ctx.evaluations
    show(heading("二、主要目标指标实现情况"))
    if ev.empty:
        show(para("数据暂缺。"))
        return
    judge = "可行性判断" if ctx.is_baseline else "进度判断"
    header = ["序号", "指标", "单位", "属性", "目标", "基期值", "最新值", "完成度", "预期进度", "预计值与区间", judge,
              "趋势判断"]
    ind = ctx.frames["indicators"].set_index(["plan_id", "indicator_id"])
    rows = []
    for r in ev.itertuples():
        target_text = ind.loc[(r.plan_id, r.indicator_id), "target_text"]
        unit = r.unit if isinstance(r.unit, str) else None
        quant = r.target_kind in QUANT
        latest = f"{fmt(r.latest_value, unit)}（{int(r.latest_year)}年）" if quant and _has(r.latest_value) else (
            "数据暂缺" if quant else "—")
        projection = "—"
        if _has(r.projected_value):
            projection = (f"{fmt(r.projected_value, unit)}（{fmt(r.projected_low, unit)}–"
                          f"{fmt(r.projected_high, unit)}）")
        rows.append([str(int(r.seq)), r.name, unit or "—", r.attribute or "—", target_text,
                     fmt(r.base_value, unit) if _has(r.base_value) else ("数据暂缺" if quant else "—"), latest,
                     pct(r.completion) if _has(r.completion) else "—",
                     pct(r.schedule) if _has(r.schedule) else "—", projection, badge(r.progress_zh),
                     badge(r.outlook_zh) if r.outlook_zh else "—"])
    show(table(header, rows, raw_columns=(10, 11), cls="data targets"))
    show(para("说明：完成度为累计完成量占目标的比例（水平类指标为自基期起已完成的差距比例）；预期进度为时间进度；"
              "预计值与区间为按现有趋势外推至目标年份的预测值及80%区间。", cls="note"))


def target_details(ctx: PlanContext) -> None:
    """Per quantitative target: its chart and its sentence; the others: their sentence."""
    ev = ctx.evaluations
    if ev.empty:
        return
    obs = ctx.frames["observations"]
    yearly = obs[(obs["period_type"] == "year") & obs["is_preferred"] & ~obs["is_benchmark"] & obs["value"].notna()]
    yearly = yearly.assign(year=yearly["period_end"].dt.year)
    show(heading("各项指标情况", 3))
    for r in ev.itertuples():
        show(f'<div class="target"><h4>{esc(int(r.seq))}. {esc(r.name)} {badge(r.progress_zh)} '
             f'{badge(r.outlook_zh) if r.outlook_zh else ""}</h4>{para(r.explanation_zh)}</div>')
        series = yearly[(yearly["series_id"] == r.indicator_id) & (yearly["region"] == r.region)
                        & (yearly["period_end"] <= r.annual_cutoff)]
        drawable = len(series) or _has(r.projected_value) or (r.target_kind == "cumulative" and _has(r.latest_value))
        if r.target_kind in QUANT and _has(r.target_value) and drawable:
            show_figure(indicator_chart(pd.Series(r._asdict()), series))


def tasks(ctx: PlanContext) -> None:
    """三、重大任务推进情况: each task and topic with its departments and its assessment."""
    show(heading("三、重大任务推进情况"))
    plan_items = ctx.frames["items"]
    plan_items = plan_items[plan_items["plan_id"] == ctx.plan_id]
    if plan_items.empty:
        show(para("本规划未列明重大任务（数据暂缺）。"))
        return
    resp = ctx.frames["responsibilities"]
    assessed = ctx.frames["assessments"]
    rows = []
    for it in plan_items.itertuples():
        depts = "、".join(resp[(resp["plan_id"] == it.plan_id) & (resp["item_id"] == it.item_id)]["department"])
        a = assessed[(assessed["plan_id"] == it.plan_id) & (assessed["item_id"] == it.item_id)]
        status = "；".join(f"{x.department}（{x.assessor}）：{x.progress}" for x in a.itertuples()) or "待填报"
        rows.append([it.item_type_zh, it.category, it.text, depts, status])
    show(table(["类型", "类别", "内容", "责任部门", "评估情况"], rows, cls="data tasks"))


def risks(ctx: PlanContext) -> None:
    """四、防控化解重大风险情况: each risk the evaluation reviews, with its entries."""
    show(heading("四、防控化解重大风险情况"))
    settings = ctx.frames["evaluation_settings"]
    exercises = settings[settings["plan_id"] == ctx.plan_id]["exercise"]
    areas = ctx.frames["risk_areas"]
    areas = areas[areas["exercise"].isin(exercises)]
    entered = ctx.frames["risks"]
    entered = entered[entered["plan_id"] == ctx.plan_id]
    if areas.empty and entered.empty:
        show(para("评估方案未列明风险事项（数据暂缺）。"))
        return
    rows = []
    for a in areas.itertuples():
        e = entered[entered["risk_id"] == a.risk_id]
        rows.append([a.risk, _join(e, "department"), _join(e, "level"), _join(e, "measures"), _join(e, "problems")])
    for e in entered[~entered["risk_id"].isin(areas["risk_id"])].itertuples():
        rows.append([f"{e.risk}（新增）", e.department, e.level, e.measures or "待填报", e.problems or "待填报"])
    show(table(["风险事项", "责任部门", "风险评估", "防控举措", "存在问题及原因"], rows, cls="data"))


def _join(frame: pd.DataFrame, column: str) -> str:
    values = [str(v) for v in frame[column].dropna()]
    return "；".join(values) if values else "待填报"


def benchmarks(ctx: PlanContext) -> None:
    """五、对标比较: the same indicators for the nation and leading provinces, where published."""
    show(heading("五、对标比较"))
    obs = ctx.frames["observations"]
    ids = set(ctx.evaluations["indicator_id"])
    bench = obs[obs["is_benchmark"] & obs["series_id"].isin(ids) & (obs["period_type"] == "year")
                & obs["is_preferred"] & obs["value"].notna()]
    own = obs[~obs["is_benchmark"] & obs["series_id"].isin(bench["series_id"]) & (obs["period_type"] == "year")
              & obs["is_preferred"] & obs["value"].notna() & obs["region"].isin([ctx.region, "全国"])]
    both = pd.concat([own, bench])
    if bench.empty:
        show(para("暂无可比的公开数据（数据暂缺）。"))
        return
    both = both.assign(year=both["period_end"].dt.year)
    names = ctx.evaluations.set_index("indicator_id")["name"]
    for series_id, group in both.groupby("series_id", sort=True):
        unit = group["unit"].dropna().iloc[0] if group["unit"].notna().any() else None
        show_figure(benchmark_chart(group, f"{names.get(series_id, series_id)}：国内比较", unit))
    show(para("对标数据来自各地统计公报与政府工作报告（多为转载），口径可能不完全一致，仅供参考。", cls="note"))


def issues(ctx: PlanContext) -> None:
    """六、存在问题与下一步建议: every target behind or at risk, with its explanation."""
    show(heading("六、存在问题与下一步建议"))
    ev = ctx.evaluations
    flagged = ev[ev["progress"].isin(["behind", "above_ceiling", "missed", "nearly_met", "ambitious"])
                 | ev["outlook"].isin(["unlikely"])]
    pending = ev[ev["progress"].isin(["no_data", "pending"])]
    parts = []
    if flagged.empty:
        parts.append(para("按现有数据，没有滞后于预期或可能难以实现的指标。"))
    else:
        parts.append(items(f"{r.name}：{r.explanation_zh}" for r in flagged.itertuples()))
    if len(pending):
        parts.append(para(f"另有{len(pending)}项指标数据暂缺或待填报，建议责任部门补充数据与评估材料："
                          + "、".join(pending["name"]) + "。"))
    problems = ctx.frames["assessments"]
    problems = problems[(problems["plan_id"] == ctx.plan_id) & problems["next_steps"].notna()]
    if len(problems):
        parts.append(heading("责任部门提出的下一步建议", 3))
        parts.append(items(f"{r.department}：{r.next_steps}" for r in problems.itertuples()))
    show("".join(parts))


def appendix(ctx: PlanContext) -> None:
    """附录: indicator definitions, every source cited, the method in brief."""
    parts = [heading("附录")]
    ind = ctx.frames["indicators"]
    ind = ind[ind["plan_id"] == ctx.plan_id]
    defined = ind[ind["definition"].notna()]
    if len(defined):
        parts.append(heading("（一）指标说明", 3))
        parts.append(table(["指标", "说明"], [[r.name, r.definition] for r in defined.itertuples()], cls="data"))
    parts.append(heading("（二）资料来源", 3))
    sources = sorted({s for cell in ind["source"] for s in cell.split("；")})
    obs = ctx.frames["observations"]
    used = obs[obs["series_id"].isin(ind["indicator_id"]) & (obs["region"] == ctx.region)]
    sources += sorted({f"{r.source}{'（转载）' if r.is_reprint else ''}" for r in used.itertuples()} - set(sources))
    parts.append(items(sources) if sources else para("无。"))
    parts.append(heading("（三）评估方法", 3))
    parts.append(para("进度判断：累计类指标以累计完成量占目标的比例对照时间进度；年度类指标逐年对照年度目标；"
                      "水平类指标以现值对照基期值至目标值的线性路径。完成度与时间进度之比不低于1.05为“快于预期”，"
                      "0.95至1.05为“基本符合预期”，低于0.95为“滞后于预期”；已达到目标为“提前实现”。"
                      "规划期末：达到目标105%及以上为“超额完成”，达到目标为“完成”，95%以上为“基本完成”。"))
    parts.append(para("趋势判断：按年度数据外推至目标年份，给出80%区间与实现目标的概率（t分布）；"
                      "概率不低于80%为“可如期实现”，50%至80%为“基本可以实现”，低于50%为“可能难以实现”；"
                      "数据点少于2个为“难以判断”。详见项目文档 docs/methodology.md。"))
    show("".join(parts))


def _has(value: object) -> bool:
    return isinstance(value, (int, float)) and not math.isnan(float(value))
