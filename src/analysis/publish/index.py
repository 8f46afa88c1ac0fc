"""``reports/index.html``: every report with its links, judgement counts, build time and failures,
and the state of the evaluation for whoever coordinates it (per department, items assessed
against items still 待填报, beside the schedule)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis import sources
from analysis.datasets import atomic_write_text
from analysis.publish.export import CSS
from analysis.publish.runner import FAILED, Result
from analysis.report import summary
from analysis.report.html import badge, esc, heading, para, table
from analysis.report.rows import MilestoneRow


def _link(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def build_index(results: list[Result], frames: dict[str, pd.DataFrame], evaluations: pd.DataFrame, root: Path) -> str:
    """The page, as HTML (everything from data escaped). Titles are the covers' titles; the state
    shown is the evaluation's (targets judged, targets still without data, materials filled), not
    the build's: a report that failed to build is listed with its error for whoever maintains it."""
    parts = ['<h1 class="title">规划评估报告<br><span class="subtitle">报告目录与评估进度</span></h1>']
    parts += _failed_section(results)
    parts += _plan_sections(results, evaluations)
    parts += _department_section(results, frames)
    parts += _milestones_section(frames)
    stamp = _build_time().strftime("%Y年%m月%d日 %H:%M")
    parts.append(para(f"更新时间：{stamp}。每份报告均有网页、PDF和可编辑的Word文本。", cls="note"))
    return (
        f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>规划评估报告目录</title>'
        f"<style>{CSS}</style></head><body><main>{''.join(parts)}</main></body></html>"
    )


def _failed_section(results: list[Result]) -> list[str]:
    """The reports that failed to build: the error, the kept execution record, the stale files."""
    failed = [r for r in results if r.status == "failed"]
    if not failed:
        return []
    return [
        heading("未能生成的报告"),
        table(
            ["报告", "原因", "记录", "上次生成的文件（已过期，仅供参考）"],
            [
                [r.title, r.error or "", _link(f"{FAILED}/{r.kind}-{r.slug}.ipynb", "执行记录"), _previous_links(r)]
                for r in failed
            ],
            raw_columns=(2, 3),
        ),
    ]


def _plan_sections(results: list[Result], evaluations: pd.DataFrame) -> list[str]:
    """The plan reports, then the working papers (plans whose targets are not entered yet), each
    with its evaluation's state."""
    parts = []
    plans = [r for r in results if r.kind == "plan"]
    reports = [r for r in plans if "工作底稿" not in r.title]
    papers = [r for r in plans if "工作底稿" in r.title]
    for label, group in (("规划评估报告", reports), ("评估工作底稿（目标指标尚未录入）", papers)):
        if not group:
            continue
        parts.append(heading(label))
        rows = []
        for r in group:
            plan_id, region = r.parameters.get("plan_id"), r.parameters.get("region")
            ev = evaluations[(evaluations["plan_id"] == plan_id) & (evaluations["region"] == region)]
            rows.append(_report_row(r, _state(ev)))
        parts.append(table(["报告", "文件", "评估进展"], rows, raw_columns=(1, 2)))
    return parts


def _department_section(results: list[Result], frames: dict[str, pd.DataFrame]) -> list[str]:
    """Each department's brief, with how many of the items it leads are assessed."""
    assessed = frames["assessments"]
    resp = frames["responsibilities"]
    rows = []
    for r in (r for r in results if r.kind == "department"):
        dept = r.parameters.get("department", "")
        owned = resp[(resp["department"] == dept) & (resp["item_type"] != "indicator")]
        led = owned[owned["position"] == 1][["plan_id", "item_id"]] if "position" in owned else owned
        done = assessed[assessed["department"].str.contains(dept, regex=False)][["plan_id", "item_id"]]
        n_done = len(led.merge(done.drop_duplicates(), on=["plan_id", "item_id"]))
        assisting = len(owned) - len(led)
        state = f"牵头{len(led)}项：已填报{n_done}项，待填报{len(led) - n_done}项" if len(led) else "无牵头事项"
        rows.append(_report_row(r, state + (f"；协同{assisting}项" if assisting else "")))
    return [heading("部门评估任务单"), table(["部门", "文件", "评估材料"], rows, raw_columns=(1,))]


def _milestones_section(frames: dict[str, pd.DataFrame]) -> list[str]:
    """The evaluations' schedule: stage, due date and deliverable, when the data has one."""
    ms = frames["milestones"]
    if not len(ms):
        return []
    names = _exercise_names(frames)
    return [
        heading("评估进度安排"),
        table(
            ["评估", "阶段", "时限", "工作内容"],
            [[names.get(m.exercise, m.exercise), m.stage, _due(m, ms), m.deliverable] for m in ms.itertuples()],
        ),
    ]


def _build_time() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention: a rebuild
    then gives the same index, byte for byte, as the reports are)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).astimezone()


def _state(ev: pd.DataFrame) -> str:
    """'11项指标：已判断8项（…），数据暂缺0项，待填报3项' — the evaluation's state, with badges."""
    if ev.empty:
        return "目标指标尚未录入"
    unjudged = ev["progress"].isin(summary.UNJUDGED + summary.NO_VERDICT)
    counts = " ".join(f"{badge(k)}{v}" for k, v in ev.loc[~unjudged, "progress"].value_counts().items())
    rest = " ".join(f"{badge(k)}{v}" for k, v in ev.loc[unjudged, "progress"].value_counts().items())
    text = f"{len(ev)}项指标，已判断{int((~unjudged).sum())}项"
    return text + (f"：{counts}" if counts else "") + (f"；未作判断：{rest}" if rest else "")


def _due(m: MilestoneRow, ms: pd.DataFrame) -> str:
    if not pd.isna(m.due):
        return f"{m.due.year}年{m.due.month}月{m.due.day}日前"
    years = ms.loc[ms["exercise"] == m.exercise, "due"].dropna().dt.year
    return f"{int(years.iloc[0])}年{m.due_text}" if len(years) else str(m.due_text)


def _exercise_names(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """An exercise is named by the document that sets it (e.g. 上海市人社领域“十四五”规划实施情况中期评估方案)."""
    titles = dict(zip(frames["documents"]["file"], frames["documents"]["title"]))
    names: dict[str, str] = {}
    for s in frames["evaluation_settings"].itertuples():
        document = sources.document(s)
        names.setdefault(s.exercise, titles.get(document, s.evaluation_type))
    return names


def _report_row(r: Result, middle: str) -> list[str]:
    links = []
    for ext, label in (("html", "网页"), ("pdf", "PDF"), ("docx", "Word")):
        out = next((o for o in r.outputs if o.endswith(f".{ext}")), None)
        if out:
            links.append(_link(out, label))
    return [r.title, f'<span class="num">{" · ".join(links)}</span>' if links else "—", middle]


def _previous_links(r: Result) -> str:
    """A failed report's last good files, moved aside by the batch: linked as out of date."""
    labels = {"html": "网页", "pdf": "PDF", "docx": "Word"}
    links = [_link(out, f"{labels.get(out.rsplit('.', 1)[-1], out)}（已过期）") for out in r.previous]
    return " · ".join(links) if links else "—"


def write_index(results: list[Result], frames: dict[str, pd.DataFrame], evaluations: pd.DataFrame, root: Path) -> Path:
    path = root / "index.html"
    atomic_write_text(path, build_index(results, frames, evaluations, root))
    return path
