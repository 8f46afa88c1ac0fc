"""End to end: data/raw → data/processed, on the real documents and on the small fixture plan."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import datasets, load, paths
from analysis.build import build
from analysis.raw.errors import RawDataError


def _row(frame: pd.DataFrame, plan: str, indicator: str) -> pd.Series:
    match = frame[(frame["plan_id"] == plan) & (frame["indicator_id"] == indicator)]
    assert len(match) == 1, (plan, indicator)
    return match.iloc[0]


@pytest.mark.parametrize(
    ("plan", "indicator", "kind", "comparator", "value", "year"),
    [
        ("minhang-15", "hard_to_employ_placed", "annual", ">=", 3600, 2030),  # 每年 3600 人以上
        ("minhang-15", "advanced_skill_talent", "cumulative", ">=", 18000, 2030),  # 1.8 万人次以上
        ("minhang-15", "graduate_assist_rate", "level", ">=", 91, 2030),  # 91%以上
        ("minhang-14", "new_jobs", "cumulative", ">=", 160000, 2025),  # 16 万
        ("minhang-14", "zero_employment_families", "annual", "=", 0, 2025),  # 动态为零
        ("minhang-15", "pension_coverage", "qualitative", None, None, 2030),  # 应保尽保
        ("minhang-15", "rural_pension_base", "qualitative", None, None, 2030),  # 合理增长
        ("minhang-15", "hr_service_growth", "external", ">=", None, 2030),  # 完成市、区设定指标
        ("minhang-15", "arbitration_closure_rate", "external", ">=", None, 2030),  # 达到（或超过）本市规定的标准
        ("minhang-14", "registered_unemployed", "external", "<=", None, 2025),  # 控制在市政府下达的指标数内
        ("shanghai-14-outline", "surveyed_unemployment_rate", "annual", "<=", 5.5, 2025),
        ("shanghai-14-outline", "new_jobs", "annual", ">=", 500000, 2025),
        ("shanghai-14-outline", "skills_training", "cumulative", ">=", 5000000, 2025),
        ("shanghai-14-outline", "schooling_years", "level", ">=", 13, 2025),
    ],
)
def test_targets_of_both_documents(real_build, plan, indicator, kind, comparator, value, year):
    result, _ = real_build
    row = _row(result.frames["indicators"], plan, indicator)
    assert row["target_kind"] == kind
    assert (row["comparator"] if pd.notna(row["comparator"]) else None) == comparator
    if value is None:
        assert pd.isna(row["target_value"])
    else:
        assert row["target_value"] == pytest.approx(value)
    assert row["target_year"] == year


def test_no_target_of_the_two_documents_is_unparsed(real_build):
    result, _ = real_build
    assert (result.frames["indicators"]["target_kind"] == "unparsed").sum() == 0
    assert result.warnings == []


def test_every_table_row_and_sentence_is_a_target(real_build):
    result, _ = real_build
    ind = result.frames["indicators"]
    counts = ind.groupby("plan_id").size().to_dict()
    assert counts == {"minhang-14": 11, "minhang-15": 11, "shanghai-14-outline": 9}
    # a target stated twice is one indicator with both sources
    new_jobs = _row(ind, "shanghai-14-outline", "new_jobs")
    assert new_jobs["source_document"] == "000_e833c717cf69aedc.txt"
    assert new_jobs["source_location"].split("；") == ["表1 第2行", "表2 第14行"]


def test_annex_definitions_travel_with_the_indicators(real_build):
    result, _ = real_build
    ind = result.frames["indicators"]
    m15 = ind[ind["plan_id"] == "minhang-15"]
    assert m15["definition"].notna().all()
    assert "自开园以来" in _row(ind, "minhang-15", "hongqiao_park_firms")["definition"]


def test_responsibility_matrix(real_build):
    result, _ = real_build
    resp = result.frames["responsibilities"]
    topics_and_tasks = resp[resp["item_type"].isin(["topic", "major_indicator", "task"])]
    # document 000: 25 table rows, each with one or more departments
    assert topics_and_tasks["item_id"].nunique() == 25
    assert set(resp["department"]) <= set(result.frames["departments"]["department"])
    # indicators inherit the departments of the rows that state them
    jobs = resp[(resp["item_type"] == "indicator") & (resp["item_id"] == "new_jobs")]
    assert set(jobs["department"]) == {"就业处", "职建处", "市就促中心", "市职鉴中心"}
    depts = result.frames["departments"]
    assert (depts[depts["unit_type"] != "外部单位"]["department"].nunique()) == 16


def test_completion_figures_become_observations(real_build):
    result, _ = real_build
    obs = result.frames["observations"]
    jobs = obs[(obs["series_id"] == "new_jobs") & (obs["plan_id"] == "minhang-14")].iloc[0]
    assert jobs["value"] == 151291
    assert jobs["period_end"] == pd.Timestamp("2023-12-31")  # 截至 2023 年底
    assert "市局不再分解" in jobs["note"]
    training = obs[(obs["series_id"] == "skills_training") & (obs["plan_id"] == "minhang-14")]
    assert set(training["value"]) == {712600.0}  # table and text agree
    assert training["is_cumulative"].all()
    done = obs[(obs["series_id"] == "pension_coverage") & (obs["plan_id"] == "minhang-14")].iloc[0]
    assert pd.isna(done["value"]) and done["status"] == "完成"


def test_every_figure_in_the_text_is_an_observation(real_build):
    result, _ = real_build
    obs = result.frames["observations"]
    values = set(obs["value"].dropna())
    for v in (
        2406000000,
        62,
        19774,
        5845,
        4856,
        37154,
        712600,
        227,
        36,
        311,
        23600000000,
        1200000000,
        99.39,
        1890,
        2976,
        230,
        2880,
    ):
        assert v in values, v


def test_rows_in_equal_rows_out(real_build):
    result, _ = real_build
    for file, entry in result.manifest["lineage"].items():
        out = sum(entry["rows_out"].values())
        if file.endswith("doc003_table1.csv"):
            # each row is both a target statement and a completion observation
            assert entry["rows_out"] == {"target_statements": entry["rows_in"], "observations": entry["rows_in"]}
        else:
            assert out == entry["rows_in"], (file, entry)
    assert sum(e["rows_in"] for e in result.manifest["lineage"].values()) == result.manifest["raw_rows"]


def test_two_builds_are_byte_identical(tmp_path: Path, real_build):
    _, first = real_build
    second = tmp_path / "again"
    build(out_dir=second)
    for f in sorted(first.iterdir()):
        assert hashlib.sha256(f.read_bytes()).digest() == hashlib.sha256((second / f.name).read_bytes()).digest(), f


def test_outputs_have_csv_with_bom_parquet_and_metadata(real_build):
    _, out = real_build
    for name in datasets.DATASETS:
        raw = (out / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        assert (out / f"{name}.parquet").exists()
        meta = (out / f"{name}.meta.yml").read_text(encoding="utf-8")
        assert "columns:" in meta and "description" in meta
        csv_frame = pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig")
        assert list(csv_frame.columns) == datasets.spec(name).column_names
        assert len(csv_frame) == len(pd.read_parquet(out / f"{name}.parquet"))


def test_loaders_return_typed_frames(real_build):
    _, out = real_build
    ind = load.indicators(plan="minhang-15", folder=out)
    assert len(ind) == 11 and set(ind["plan_id"]) == {"minhang-15"}
    assert str(ind["target_year"].dtype) == "Int64"
    assert ind["target_value"].dtype == "float64"
    obs = load.observations(series="skills_training", region="闵行区", folder=out)
    assert pd.api.types.is_datetime64_any_dtype(obs["period_end"])
    assert len(load.responsibilities("就业处", folder=out)) > 0
    cut = load.evaluation_settings("shanghai-14-outline", folder=out).iloc[0]
    assert cut["annual_cutoff"] == pd.Timestamp("2022-12-31") and cut["monthly_cutoff"] == pd.Timestamp("2023-06-30")


def test_a_tampered_dataset_is_refused_on_read(tmp_path: Path, real_build):
    _, out = real_build
    copy = tmp_path / "p"
    shutil.copytree(out, copy)
    frame = pd.read_parquet(copy / "indicators.parquet")
    frame.loc[0, "target_kind"] = "sometimes"
    frame.to_parquet(copy / "indicators.parquet")
    with pytest.raises(datasets.DatasetSchemaError, match="indicators"):
        load.indicators(folder=copy)


def test_the_small_fixture_plan_flows_through(small_build):
    _result, out = small_build
    ind = load.indicators(folder=out)
    assert list(ind["indicator_id"]) == [
        "hard_to_employ_placed",
        "skills_training",
        "surveyed_unemployment_rate",
        "pension_coverage",
    ]
    skills = ind.set_index("indicator_id").loc["skills_training"]
    assert (skills["target_kind"], skills["target_value"], skills["unit"]) == ("cumulative", 25000.0, "人次")
    assert len(load.observations(folder=out)) == 2 + 6  # two in the text, six published
    assert set(load.responsibilities(folder=out)["department"]) == {"就业科", "培训中心"}


def test_a_new_district_is_added_by_data_alone(tmp_path: Path, real_build):
    """Drop a district's folder (its plan, documents, departments, targets, observations) into
    data/raw: it flows through the build beside the real plans, with no code change."""
    from .conftest import SMALL_RAW

    raw = tmp_path / "raw"
    shutil.copytree(paths.RAW, raw)
    shutil.copytree(SMALL_RAW, raw / "districts" / "example")  # symlinked sidecars are copied as files
    result = build(raw, tmp_path / "out")
    plans = result.frames["plans"].set_index("plan_id")
    assert plans.loc["example-15", "region"] == "示例区"
    assert plans.loc["example-15", "n_indicators"] == 4
    assert len(plans) == len(real_build[0].frames["plans"]) + 1
    ind = result.frames["indicators"]
    assert ind[ind["plan_id"] == "example-15"]["target_kind"].tolist() == [
        "annual",
        "cumulative",
        "level",
        "qualitative",
    ]
    assert {"就业科", "培训中心"} <= set(result.frames["departments"]["department"])
    assert len(result.frames["observations"]) == len(real_build[0].frames["observations"]) + 2 + 6


def test_a_plan_id_given_twice_across_folders_is_refused(tmp_path: Path):
    from analysis.raw.errors import RawDataError

    from .conftest import SMALL_RAW

    raw = tmp_path / "raw"
    shutil.copytree(paths.RAW, raw)
    shutil.copytree(SMALL_RAW, raw / "districts" / "example")
    plans = raw / "districts" / "example" / "plans.csv"
    plans.write_text(plans.read_text(encoding="utf-8").replace("example-15", "minhang-15"), encoding="utf-8")
    with pytest.raises(RawDataError) as info:
        build(raw, tmp_path / "out")
    (problem,) = info.value.problems
    assert problem.column == "plan_id" and "minhang-15" in problem.found
    assert {problem.file, problem.found.split(" already in ")[1].split(" row")[0]} == {
        "plans.csv",
        "districts/example/plans.csv",
    }


# -- one preferred row per series and period, one unit per series (issue 10 §5) -----------------

_TWICE = (
    "example-15,示例区,skills_training,完成职业技能培训,12.3 万,人,2021,2025,plan_period,"
    "完成职业技能培训 12.3 万,fixture_plan.txt,表1 完成情况,{note},{preferred}\n"
)


def _append(raw: Path, line: str) -> None:
    path = raw / "observations_in_text.csv"
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")


def test_one_figure_kept_twice_in_two_units_is_an_error_naming_file_row_and_column(
    small_raw_copy: Path, tmp_path: Path
):
    _append(small_raw_copy, _TWICE.format(note="", preferred=""))
    with pytest.raises(RawDataError) as info:
        build(small_raw_copy, tmp_path / "out")
    problems = [p for p in info.value.problems if p.column == "unit"]
    assert len(problems) == 1, info.value
    p = problems[0]
    assert p.file == "observations_in_text.csv" and p.row == 4
    assert "'人'" in p.found and "人次" in p.expected and "preferred=false" in p.expected


def test_the_twice_kept_figure_resolved_in_the_data_builds_with_one_preferred_row(small_raw_copy: Path, tmp_path: Path):
    _append(small_raw_copy, _TWICE.format(note="表1 为同一数字（单位人），评估采用正文（人次）", preferred="false"))
    result = build(small_raw_copy, tmp_path / "out")
    obs = result.frames["observations"]
    rows = obs[(obs["series_id"] == "skills_training") & (obs["period_type"] == "plan_period")]
    assert len(rows) == 2 and rows["is_preferred"].sum() == 1
    assert rows.loc[rows["is_preferred"], "unit"].item() == "人次"
    assert not [w for w in result.warnings if "mixed units" in w]


_JOBS_2025 = (
    "new_jobs,示例区,新增就业岗位,2025,year,33000,=,{unit},示例区人力资源和社会保障局,"
    "示例区2025年就业工作情况（测试用虚构）,2026,https://example.org/jobs2025,全年新增就业岗位33000{unit},"
    "false,true,{note}\n"
)


def _publish(raw: Path, line: str) -> None:
    path = raw / "published" / "fixture_series.csv"
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")


def test_a_series_changing_its_unit_is_an_error_naming_both_units(small_raw_copy: Path, tmp_path: Path):
    _publish(small_raw_copy, _JOBS_2025.format(unit="人", note=""))
    with pytest.raises(RawDataError) as info:
        build(small_raw_copy, tmp_path / "out")
    (p,) = info.value.problems
    assert (p.file, p.row, p.column) == ("published/fixture_series.csv", 8, "unit")
    assert "'人'" in p.found and "'个'" in p.found and "口径" in p.expected


def test_a_change_of_unit_with_a_note_on_its_definition_is_kept(small_raw_copy: Path, tmp_path: Path):
    _publish(small_raw_copy, _JOBS_2025.format(unit="人", note="2025年起统计口径改为新增就业人数"))
    result = build(small_raw_copy, tmp_path / "out")
    obs = result.frames["observations"]
    assert set(obs.loc[obs["series_id"] == "new_jobs", "unit"]) == {"个", "人"}


def test_the_real_data_keep_one_preferred_row_and_one_unit_per_series(real_build):
    result, _ = real_build
    assert not [w for w in result.warnings if "mixed units" in w], result.warnings
    obs = result.frames["observations"]
    for series in ("skills_training", "startups_supported"):
        kept = obs[(obs["series_id"] == series) & (obs["plan_id"] == "minhang-14") & obs["is_preferred"]]
        assert len(kept) == 1, kept
        dropped = obs[(obs["series_id"] == series) & (obs["plan_id"] == "minhang-14") & ~obs["is_preferred"]]
        assert len(dropped) == 1 and "评估采用表1" in dropped["note"].item()
    jobs = obs[(obs["series_id"] == "new_jobs") & (obs["region"] == "上海市") & obs["is_preferred"]]
    assert set(jobs["unit"]) == {"个"}


# -- rebuild on content, not time (issue 14 §7) ------------------------------------------------


def test_the_data_command_rebuilds_on_a_changed_checksum_even_with_an_old_modification_time(
    small_raw_copy: Path, tmp_path: Path
):
    import os
    import subprocess
    import sys

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "analysis", "data", "--raw", str(small_raw_copy), "--out", str(out)]
    first = subprocess.run(cmd, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    manifest = (out / "manifest.json").read_bytes()
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert "up to date" in again.stdout and (out / "manifest.json").read_bytes() == manifest
    # a raw file changed, then given back its old modification time (as `cp -p` does)
    path = small_raw_copy / "departments.csv"
    old = path.stat()
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "就业科,局机关处室,fixture_plan.txt,表2,", "就业科,局机关处室,fixture_plan.txt,表2,核对"
        ),
        encoding="utf-8",
    )
    os.utime(path, (old.st_atime, old.st_mtime))
    rebuilt = subprocess.run(cmd, capture_output=True, text=True)
    assert rebuilt.returncode == 0 and "up to date" not in rebuilt.stdout, rebuilt.stdout
    assert "核对" in (out / "departments.csv").read_text(encoding="utf-8-sig")
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]["raw"]
    assert recorded["departments.csv"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_schema_violation_is_reported_as_dataset_row_column_and_rule():
    frame = pd.DataFrame(
        {
            "document_id": ["F1", "F1"],
            "file": ["a.txt", "b.txt"],
            "title": ["t", "t"],
            "issuer": ["i", "i"],
            "doc_number": [None, None],
            "issued": ["2026", "2026"],
            "status": [None, None],
            "note": [None, None],
            "sha256": ["0" * 64, "1" * 64],
        }
    )
    with pytest.raises(datasets.DatasetSchemaError) as info:
        datasets.conform("documents", frame)
    (failure,) = info.value.failures
    assert failure["dataset"] == "documents" and failure["column"] == "document_id"
    assert failure["rule"] == "each (document_id) once" and "document_id='F1'" in failure["row"]
    assert "Traceback" not in str(info.value) and "multiple_fields_uniqueness" not in str(info.value)


def test_the_build_steps_make_every_dataset_once_each_from_frames_made_before_it():
    """The order of the build is a list (``build.STEPS``), not the order of calls in a method:
    every step reads only frames made before it, and every dataset is made by exactly one step."""
    from analysis import build as build_package

    made: list[str] = []
    for step in build_package.STEPS:
        missing = [name for name in step.reads if name not in made]
        assert not missing, f"{step.name} reads {missing} before they are made"
        made.append(step.name)
    datasets_made = [name for name in made if not name.startswith("_")]
    assert len(datasets_made) == len(set(datasets_made))
    from_entries = {"assessments", "risks", "surveys"}  # the filled workbooks, merged after the steps
    assert set(datasets_made) | from_entries == set(datasets.DATASETS)
