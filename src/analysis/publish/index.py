"""``reports/index.html``: every report with its links, judgement counts, build time and failures,
and the state of the evaluation for whoever coordinates it (per department, items assessed
against items still 待填报, beside the schedule)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from analysis.datasets import atomic_write_text
from analysis.publish.export import CSS
from analysis.publish.runner import FAILED, Result
from analysis.report.html import badge, esc, heading, para, table


def _link(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def build_index(results: list[Result], frames: dict[str, pd.DataFrame], evaluations: pd.DataFrame,
                root: Path) -> str:
    """The page, as HTML (everything from data escaped)."""
    parts = ['<h1 class="title">规划评估报告<br><span class="subtitle">报告目录与评估进度</span></h1>']
    failed = [r for r in results if r.status == "failed"]
    if failed:
        parts.append(heading("构建失败的报告"))
        parts.append(table(["报告", "错误", "诊断文件"],
                           [[r.title, r.error or "", _link(f"{FAILED}/{r.kind}-{r.slug}.ipynb", "执行记录")]
                            for r in failed], raw_columns=(2,)))

    parts.append(heading("规划评估报告"))
    rows = []
    for r in (r for r in results if r.kind == "plan"):
        plan_id, region = r.parameters.get("plan_id"), r.parameters.get("region")
        ev = evaluations[(evaluations["plan_id"] == plan_id) & (evaluations["region"] == region)]
        counts = " ".join(f"{badge(k)}×{v}" for k, v in ev["progress_zh"].value_counts().items()) or "—"
        rows.append(_report_row(r, counts))
    parts.append(table(["报告", "HTML", "PDF", "进度判断", "页数", "用时（秒）", "状态"], rows,
                       raw_columns=(1, 2, 3)))

    parts.append(heading("部门简报"))
    assessed = frames["assessments"]
    resp = frames["responsibilities"]
    rows = []
    for r in (r for r in results if r.kind == "department"):
        dept = r.parameters.get("department", "")
        owned = resp[(resp["department"] == dept) & (resp["item_type"] != "indicator")][["plan_id", "item_id"]]
        done = assessed[assessed["department"].str.contains(dept, regex=False)][["plan_id", "item_id"]]
        n_done = len(owned.merge(done.drop_duplicates(), on=["plan_id", "item_id"]))
        rows.append(_report_row(r, f"已填报 {n_done} / 待填报 {len(owned) - n_done}"))
    parts.append(table(["部门", "HTML", "PDF", "评估材料", "页数", "用时（秒）", "状态"], rows, raw_columns=(1, 2)))

    ms = frames["milestones"]
    if len(ms):
        names = _exercise_names(frames)
        parts.append(heading("评估进度安排"))
        parts.append(table(["评估", "阶段", "时限", "工作内容"],
                           [[names.get(m.exercise, m.exercise), m.stage, m.due_text, m.deliverable]
                            for m in ms.itertuples()]))
    stamp = datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")
    parts.append(para(f"生成时间：{stamp}。所有报告均可离线打开。", cls="note"))
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>规划评估报告目录</title>'
            f"<style>{CSS}</style></head><body><main>{''.join(parts)}</main></body></html>")


def _exercise_names(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """An exercise is named by the document that sets it (e.g. 上海市人社领域“十四五”规划实施情况中期评估方案)."""
    titles = dict(zip(frames["documents"]["file"], frames["documents"]["title"]))
    names = {}
    for s in frames["evaluation_settings"].itertuples():
        document = s.source.split("：")[0]
        names.setdefault(s.exercise, titles.get(document, s.evaluation_type))
    return names


def _report_row(r: Result, middle: str) -> list[str]:
    html = next((o for o in r.outputs if o.endswith(".html")), None)
    pdf = next((o for o in r.outputs if o.endswith(".pdf")), None)
    status = {"built": "已生成", "unchanged": "未变化", "failed": "失败"}[r.status]
    return [r.title, _link(html, "HTML") if html else "—", _link(pdf, "PDF") if pdf else "—", middle,
            str(r.pages or "—"), f"{r.seconds:.1f}", status]


def write_index(results: list[Result], frames: dict[str, pd.DataFrame], evaluations: pd.DataFrame,
                root: Path) -> Path:
    path = root / "index.html"
    atomic_write_text(path, build_index(results, frames, evaluations, root))
    return path
