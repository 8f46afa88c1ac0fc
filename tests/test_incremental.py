"""Rebuild only what depends on a change: a filled district workbook touches that district's
reports (and the briefs that include its items), nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

from analysis import datasets, paths
from analysis.build import build
from analysis.evaluate import evaluate
from analysis.publish.batch import batch_plan
from analysis.publish.runner import input_fingerprints
from analysis.workbook_layout import ASSESSMENTS_SHEET, OBSERVATIONS_SHEET
from analysis.workbooks import write_templates


def _processed(raw: Path, out: Path) -> Path:
    result = build(raw, out)
    datasets.write("evaluations", evaluate(result.frames), out)
    return out


def _fill_first_row(ws, values: dict[str, object]) -> None:
    header = {c.value: c.column for c in ws[1] if c.value is not None}
    for label, value in values.items():
        ws.cell(row=2, column=header[label]).value = value


def test_a_filled_district_workbook_rebuilds_that_districts_reports_only(tmp_path: Path):
    raw = tmp_path / "raw"
    shutil.copytree(paths.RAW, raw, ignore=shutil.ignore_patterns("*.xlsx", "~$*"))
    before_dir = _processed(raw, tmp_path / "before")
    frames = {n: datasets.read(n, before_dir) for n in datasets.DATASETS}
    jobs = batch_plan(frames, str(before_dir))
    before = input_fingerprints(jobs, before_dir)

    district = frames["plans"].set_index("plan_id").loc["minhang-14", "region"]
    template = next(
        p for p in write_templates(before_dir, tmp_path / "templates", last_year=2025) if p.stem == "minhang-14"
    )
    wb = openpyxl.load_workbook(template)
    _fill_first_row(wb[OBSERVATIONS_SHEET], {"数值": 1, "来源": "闵行区人力资源和社会保障局填报"})
    entering = frames["departments"]["department"].iloc[0]
    _fill_first_row(
        wb[ASSESSMENTS_SHEET],
        {"评估主体": "自评", "进展判断": "已完成", "责任部门": entering, "填报日期": "2026-01-15"},
    )
    (raw / "entries").mkdir(exist_ok=True)
    wb.save(raw / "entries" / "minhang-14.xlsx")
    after_dir = _processed(raw, tmp_path / "after")
    after_frames = {n: datasets.read(n, after_dir) for n in datasets.DATASETS}
    assert len(after_frames["observations"]) == len(frames["observations"]) + 1, "the typed value went in"
    assert len(after_frames["assessments"]) == len(frames["assessments"]) + 1
    after = input_fingerprints(batch_plan(after_frames, str(before_dir)), after_dir)

    changed = {key for key in before if before[key] != after[key]}
    district_plans = set(frames["plans"].loc[frames["plans"]["region"] == district, "plan_id"])
    resp = frames["responsibilities"]
    briefs = {
        f"department/{j.slug}"
        for j in jobs
        if j.kind == "department"
        and (
            resp[(resp["department"] == j.parameters["department"])]["plan_id"].isin(district_plans).any()
            or j.parameters["department"] == entering
        )
    }  # the brief shows what it entered
    district_reports = {f"plan/{j.slug}" for j in jobs if j.kind == "plan" and j.parameters["region"] == district}
    assert "plan/" + next(j.slug for j in jobs if j.parameters.get("plan_id") == "minhang-14") in changed
    assert changed == district_reports | briefs
    untouched = set(before) - changed
    assert any(k.startswith("plan/shanghai") for k in untouched) and any(k.startswith("department/") for k in untouched)


def test_nothing_changed_means_the_same_fingerprints(real_build):
    _, processed = real_build
    frames = {n: datasets.read(n, processed) for n in datasets.DATASETS}
    jobs = batch_plan(frames, str(processed))
    assert input_fingerprints(jobs, processed) == input_fingerprints(jobs, processed)
    assert len(set(input_fingerprints(jobs, processed).values())) == len(jobs)  # no two reports share one


def test_a_cited_national_figure_is_in_the_scope_of_the_report_that_cites_it(real_build):
    from analysis.publish.inputs import rows_in_scope, scope_of

    _result, processed = real_build
    frames = {n: datasets.read(n, processed) for n in datasets.DATASETS}
    evidence = frames["evidence"]
    cited = evidence.merge(frames["observations"][["series_id", "region"]], on="series_id")
    outside = cited[~cited["region"].isin(frames["evaluation_settings"]["region"])]
    assert len(outside), "the data hold evidence from a region no plan is evaluated for"
    plan_id, series_id = outside.iloc[0][["plan_id", "series_id"]]
    job = next(j for j in batch_plan(frames, str(processed)) if j.parameters.get("plan_id") == plan_id)
    mask = rows_in_scope(frames["observations"], scope_of(job, frames))
    assert mask[(frames["observations"]["series_id"] == series_id).to_numpy()].all()
