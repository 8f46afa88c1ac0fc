"""The benchmark's generator and harness on a tiny panel (no timings are checked here)."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest

from analysis import bench, datasets
from analysis.evaluate import evaluate
from analysis.evaluate.asof import TARGET_COLUMNS

SMALL = 200


@pytest.fixture(scope="module")
def panel() -> dict[str, pd.DataFrame]:
    return bench.synthetic_frames(SMALL)


def test_the_panel_is_synthetic_sized_and_deterministic(panel):
    units = bench.n_units(SMALL)
    assert len(panel["indicators"]) == units * bench.K
    assert len(panel["evaluation_settings"]) == units
    assert panel["indicators"]["plan_id"].str.startswith("synthetic-").all()
    assert panel["evaluation_settings"]["region"].str.startswith("合成县").all()
    assert set(panel["observations"]["source_document"]) == {bench.SOURCE}
    again = bench.synthetic_frames(SMALL)
    for name, frame in panel.items():
        pd.testing.assert_frame_equal(frame, again[name])
    other = bench.synthetic_frames(SMALL, seed=bench.SEED + 1)
    assert not other["observations"]["value"].equals(panel["observations"]["value"])


def test_the_frames_are_what_the_engine_reads(panel):
    needed = {
        "indicators": TARGET_COLUMNS,
        "evaluation_settings": [
            "evaluation_id",
            "plan_id",
            "region",
            "evaluation_type",
            "annual_cutoff",
            "monthly_cutoff",
        ],
        "observations": [
            "series_id",
            "region",
            "period_type",
            "period_start",
            "period_end",
            "value",
            "comparator",
            "status",
            "note",
            "source_document",
            "is_preferred",
            "is_benchmark",
        ],
        "assessments": [
            "plan_id",
            "item_type",
            "item_id",
            "department",
            "assessor",
            "progress",
            "progress_detail",
            "filled_on",
        ],
    }
    dtypes = {"str": "str", "int": "Int64", "float": "float64", "bool": "bool", "date": "datetime64[ns]"}
    for name, columns in needed.items():
        frame = panel[name]
        assert set(columns) <= set(frame.columns), name
        spec = datasets.spec(name)
        for col in frame.columns:  # every column is one the schema declares, in its type
            declared = spec.columns[col]
            assert str(frame[col].dtype) == dtypes[declared["dtype"]], (name, col, frame[col].dtype)
            if not declared.get("nullable", False):
                assert frame[col].notna().all(), (name, col)
            if "isin" in declared:
                assert frame[col].dropna().isin([str(x) for x in declared["isin"]]).all(), (name, col)
        key = [k for k in spec.key if k in frame.columns]
        assert not frame.duplicated(key).any() or name == "observations", name
    obs = panel["observations"]
    preferred = obs[obs["is_preferred"]]
    assert not preferred.duplicated(["series_id", "region", "period_type", "period_start", "period_end"]).any()
    # sorted as the processed dataset is (a publication's issuer and year, which every synthetic
    # row lacks, would sort all alike)
    order = obs.sort_values([c for c in datasets.spec("observations").sort if c in obs.columns], kind="stable").index
    assert (order == obs.index).all()


def test_the_panel_mixes_what_plans_hold(panel):
    kinds = panel["indicators"]["target_kind"].value_counts()
    assert {"cumulative", "annual", "level", "qualitative", "external"} <= set(kinds.index)
    assert set(panel["observations"]["period_type"]) == {"year", "plan_period", "ytd", "month", "stock"}
    assert set(panel["evaluation_settings"]["evaluation_type"]) == {"中期评估", "期末评估", "基期评估"}
    years = panel["observations"].query("period_type == 'year' and is_preferred")
    years = years.groupby(["series_id", "region"]).size()
    assert years.max() == 10 and years.min() < 10  # ten years, some missing


def test_every_series_gets_a_row(panel):
    result = evaluate(panel)
    assert len(result) == len(panel["indicators"])
    assert not result.duplicated(["evaluation_id", "indicator_id"]).any()
    assert set(zip(result["plan_id"], result["indicator_id"])) == set(
        zip(panel["indicators"]["plan_id"], panel["indicators"]["indicator_id"])
    )
    assert result["explanation_zh"].str.len().gt(0).all()
    datasets.conform("evaluations", result)


def test_measure_engine_reports_its_figures():
    figures = bench.measure_engine(SMALL, repeat=2, warmup=False)
    assert figures["series"] == bench.n_units(SMALL) * bench.K
    assert len(figures["seconds_runs"]) == 2 and figures["seconds"] > 0
    # the kernel's RSS counters are batched per CPU: VmRSS and VmHWM can disagree by a fraction of a MiB
    assert figures["peak_rss_mib"] >= figures["rss_before_mib"] - 1 > 0
    assert sum(figures["progress_counts"].values()) == figures["series"]
    json.dumps(figures)


def test_verdicts_and_the_report():
    engine = [
        {
            "series": n,
            "units": n // 35,
            "observations": n * 9,
            "seconds": n * 1e-5,
            "microseconds_per_series": 10.0,
            "peak_rss_mib": n / 400,
            "engine_rss_mib": n / 800,
        }
        for n in (10_000, 100_000, 1_000_000)
    ]
    loops = [{"model": "arima", "series": 200, "failed": 0, "seconds": 1.0, "seconds_per_series": 0.005}]
    verdict = bench.verdicts(engine, loops)
    assert verdict["100k_within_2s"] and verdict["1m_within_20s"] and verdict["1m_peak_within_4gib"]
    assert verdict["growth_exponent"] == pytest.approx(1.0) and verdict["linear_or_better"]
    assert verdict["speedup_vs_loop"]["arima"]["100000"] == 500 and verdict["speedup_at_least_500x_every_size"]
    assert verdict["speedup_at_least_500x_from_100k"]
    assert verdict["growth_per_step"] == {"10000->100000": 1.0, "100000->1000000": 1.0}
    report = {"date": "2026-01-01", "machine": bench.machine(), "engine": engine, "loops": loops, "verdicts": verdict}
    text = bench.markdown(report)
    assert "100,000" in text and "500×" in text


@pytest.mark.skipif(importlib.util.find_spec("statsmodels") is None, reason="statsmodels is not installed")
def test_the_statsmodels_loop_runs(panel):
    sample = bench.loop_sample(panel, 3)
    assert len(sample) == 3 and all(len(y) >= 4 for y, _ in sample)
    for model in ("arima", "ets"):
        timed = bench.time_loop(sample, model)
        assert timed["series"] == 3 and timed["failed"] == 0 and timed["seconds"] > 0


def test_main_writes_the_results_but_never_into_data(tmp_path):
    assert bench.main(["--sizes", str(SMALL), "--loop-sample", "0", "--repeat", "1", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "engine.json").read_text(encoding="utf-8"))
    assert report["synthetic"] is True and report["engine"][0]["series"] == bench.n_units(SMALL) * bench.K
    assert {"cores", "python", "numpy", "pandas"} <= set(report["machine"])
    assert (tmp_path / "engine.md").read_text(encoding="utf-8").startswith("# Engine benchmark")
    assert bench.main(["--sizes", str(SMALL), "--out", str(bench.paths.DATA / "bench")]) == 2
    assert not (bench.paths.DATA / "bench").exists()
    assert np.isfinite(report["engine"][0]["seconds"])


def test_the_report_bench_compares_medians_of_interleaved_runs_and_keeps_every_run():
    from analysis.publish.benchmark import figures

    def batch(per_report: float, own: float) -> dict:
        return {"reports": 20, "workers": 2, "wall_seconds": per_report * 20, "per_report_seconds": per_report,
                "reports_own_seconds": own, "phase_seconds": {"execute": own / 2, "pdf": own / 2},
                "workers_busy_share": own / (2 * per_report * 20)}  # fmt: skip

    floors = [1.0, 2.0, 1.5]
    batches = [batch(0.6, 18.0), batch(0.5, 16.0), batch(0.9, 30.0)]
    result = figures(floors, batches, noop=0.4, harfbuzz=True)
    assert result["floor_papermill_cli_seconds"] == {"runs": floors, "median": 1.5}
    assert result["batch_per_report_seconds"] == {"runs": [0.6, 0.5, 0.9], "median": 0.6}
    assert result["ratio_per_report_to_floor"] == 0.4  # median batch ÷ median floor, not the best run
    assert result["ratio_runs"] == [0.6, 0.25, 0.6]  # each batch against the floor run just before it
    assert result["batch"]["reports_own_seconds"] == 18.0  # the median batch's breakdown, not another's
    assert result["batch"]["workers_busy_share"] == 0.75
    assert result["pdf_font_subsetting"] == "harfbuzz" and result["aim_ratio"] == 0.5
    slow = figures(floors, batches, noop=0.4, harfbuzz=False)["pdf_font_subsetting"]
    assert slow.startswith("fonttools") and "libharfbuzz-subset0" in slow
