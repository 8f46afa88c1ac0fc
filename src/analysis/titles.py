"""Report titles: one rule for the cover, the batch plan and the index, so they always agree.

A module of its own, outside `analysis.report`: the batch plan needs the titles, and must not
import the report stack (matplotlib, the engine) to decide that nothing needs rebuilding."""

from __future__ import annotations

from analysis.vocabulary import BASELINE, FINAL, MIDTERM

KINDS = {MIDTERM: "实施情况中期评估", FINAL: "实施情况总结评估", BASELINE: "目标可行性评估"}


def kind_zh(evaluation_type: str, working_paper: bool = False) -> str:
    """'实施情况中期评估报告', '目标可行性评估报告', or '实施情况中期评估工作底稿'."""
    kind = KINDS.get(evaluation_type, f"实施情况{evaluation_type}")
    return kind + ("工作底稿" if working_paper else "报告")


def plan_report_title(plan_title: str, evaluation_type: str, region: str, working_paper: bool) -> str:
    """The title the cover prints: 《plan》 + kind + （region）."""
    return f"{plan_title}{kind_zh(evaluation_type, working_paper)}（{region}）"
