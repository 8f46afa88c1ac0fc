"""The evaluation engine on small hand-made plans, one behaviour per test, and on the real data."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import datasets
from analysis.evaluate import evaluate, summary_zh
from analysis.evaluate import vocabulary as v

PLAN = "test-14"


def frames(targets: list[dict], observations: list[dict], *, annual: str = "2022-12-31",
           monthly: str | None = None) -> dict[str, pd.DataFrame]:
    """A one-plan world (2021–2025, base 2020) with the given targets and observations."""
    indicators = pd.DataFrame([{
        "plan_id": PLAN, "indicator_id": t["id"], "seq": i + 1, "name": t.get("name", t["id"]),
        "unit": t.get("unit", "人"), "attribute": t.get("attribute"), "target_kind": t["kind"],
        "comparator": t.get("comparator", ">="), "target_value": t.get("value"), "target_year": 2025,
        "target_text": t.get("text", "目标"), "base_year": 2020, "period_start": 2021, "period_end": 2025,
        "name_note": None} for i, t in enumerate(targets)])
    settings = pd.DataFrame([{"evaluation_id": "e", "plan_id": PLAN, "region": "甲区", "evaluation_type": "中期评估",
                              "annual_cutoff": pd.Timestamp(annual),
                              "monthly_cutoff": pd.Timestamp(monthly) if monthly else pd.NaT}])
    rows = []
    for o in observations:
        kind = o.get("type", "year")
        if kind == "year":
            start, end = pd.Timestamp(f"{o['year']}-01-01"), pd.Timestamp(f"{o['year']}-12-31")
        elif kind == "ytd":
            start = pd.Timestamp(f"{o['year']}-01-01")
            end = pd.Timestamp(f"{o['year']}-{o['month']:02d}-01") + pd.offsets.MonthEnd(0)
        else:  # plan_period or stock
            start, end = pd.Timestamp(f"{o['start']}-01-01"), pd.Timestamp(f"{o['end']}-12-31")
        rows.append({"series_id": o["id"], "region": "甲区", "period_type": kind, "period_start": start,
                     "period_end": end, "value": o.get("value"), "comparator": o.get("comparator", "="),
                     "status": o.get("status"), "note": o.get("note"), "source": "test",
                     "is_preferred": o.get("preferred", True), "is_benchmark": False})
    obs = pd.DataFrame(rows, columns=["series_id", "region", "period_type", "period_start", "period_end", "value",
                                      "comparator", "status", "note", "source", "is_preferred", "is_benchmark"])
    return {"indicators": indicators, "evaluation_settings": settings, "observations": obs}


def one(targets, observations, **kw) -> pd.Series:
    result = evaluate(frames(targets, observations, **kw))
    assert len(result) == 1
    return result.iloc[0]


def yearly(series: str, values: dict[int, float]) -> list[dict]:
    return [{"id": series, "year": y, "value": val} for y, val in values.items()]


# -- cumulative --------------------------------------------------------------------------

@pytest.mark.parametrize(("done_by_2022", "expected"), [
    (40.0, "on_track"),    # 40% done after 40% of the time
    (42.1, "ahead"),       # ratio 1.0525 ≥ 1.05
    (41.9, "on_track"),    # ratio 1.0475 just below
    (38.0, "on_track"),    # ratio 0.95 exactly
    (37.9, "behind"),      # ratio 0.9475
    (100.0, "met_early"),  # target already reached
])
def test_cumulative_against_elapsed_share_and_its_boundaries(done_by_2022, expected):
    first = done_by_2022 / 2
    r = one([{"id": "x", "kind": "cumulative", "value": 100}], yearly("x", {2021: first, 2022: done_by_2022 - first}))
    assert r["progress"] == expected
    assert r["progress_zh"] == v.PROGRESS_ZH[expected]
    assert r["schedule"] == pytest.approx(0.4)
    assert r["completion"] == pytest.approx(done_by_2022 / 100)


def test_cumulative_required_pace_and_projection():
    r = one([{"id": "x", "kind": "cumulative", "value": 100}], yearly("x", {2020: 18, 2021: 20, 2022: 22}))
    assert r["required_pace"] == pytest.approx((100 - 42) / 3)
    assert r["projected_value"] == pytest.approx(42 + 3 * 20)
    assert r["projected_low"] <= r["projected_value"] <= r["projected_high"]
    assert 0.5 < r["prob_meet"] < 1
    assert r["outlook"] in ("likely", "possible")
    assert "截至2022年底累计完成42人" in r["explanation_zh"] and "80%区间" in r["explanation_zh"]


def test_a_reported_total_with_a_break_is_judged_on_the_years_it_covers():
    obs = [{"id": "x", "type": "plan_period", "start": 2021, "end": 2023, "value": 151291,
            "note": "截至 2023 年底, 2024 年起, 市局不再分解该数据到各区"}]
    r = one([{"id": "x", "kind": "cumulative", "value": 160000, "unit": "个"}], obs, annual="2025-12-31")
    assert r["evaluation_type"] == "期末评估"
    assert r["progress"] == "ahead"                       # 94.6% of the target after 60% of the time
    assert r["completion"] == pytest.approx(151291 / 160000)
    assert r["schedule"] == pytest.approx(0.6)
    assert "市局不再分解" in r["data_note"] and "市局不再分解" in r["explanation_zh"]
    assert "2024—2025年数据暂缺" in r["explanation_zh"]
    assert r["outlook_zh"] in ("", None) or pd.isna(r["outlook_zh"])


@pytest.mark.parametrize(("total", "expected"), [(71.26e4, "exceeded"), (50e4, "met"), (52.4e4, "met"),
                                                 (48e4, "nearly_met"), (47e4, "missed")])
def test_final_evaluation_words(total, expected):
    obs = [{"id": "x", "type": "plan_period", "start": 2021, "end": 2025, "value": total}]
    r = one([{"id": "x", "kind": "cumulative", "value": 50e4}], obs, annual="2025-12-31")
    assert r["progress"] == expected
    assert r["progress_zh"] == v.PROGRESS_ZH[expected]
    assert pd.isna(r["prob_meet"]) and r["outlook_zh"] in ("", None) or pd.isna(r["outlook_zh"])


# -- annual ------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "expected"), [
    ({2021: 63.5, 2022: 56.4}, "ahead"),      # every year ≥ 1.05 × bound
    ({2021: 63.5, 2022: 51.0}, "on_track"),   # every year met, one only just
    ({2021: 63.5, 2022: 49.9}, "behind"),     # one year missed
])
def test_annual_floor_every_year(values, expected):
    r = one([{"id": "x", "kind": "annual", "value": 50, "unit": "万个"}], yearly("x", values))
    assert r["progress"] == expected


def test_annual_ceiling_uses_control_target_words():
    below = one([{"id": "u", "kind": "annual", "value": 5.5, "comparator": "<=", "unit": "%"}],
                yearly("u", {2021: 4.3, 2022: 4.6}))
    above = one([{"id": "u", "kind": "annual", "value": 5.5, "comparator": "<=", "unit": "%"}],
                yearly("u", {2021: 4.3, 2022: 5.8}))
    assert below["progress_zh"] == "低于预期控制目标"
    assert above["progress_zh"] == "高于预期控制目标"


def test_a_partial_year_is_judged_against_its_seasonal_share_not_months_over_twelve():
    # earlier years: by June a quarter of the year's total was in (share 0.25, not 0.5)
    obs = yearly("x", {2020: 60, 2021: 60, 2022: 60})
    obs += [{"id": "x", "type": "ytd", "year": 2021, "month": 6, "value": 15},
            {"id": "x", "type": "ytd", "year": 2022, "month": 6, "value": 15},
            {"id": "x", "type": "ytd", "year": 2023, "month": 6, "value": 14}]
    r = one([{"id": "x", "kind": "annual", "value": 50}], obs, monthly="2023-06-30")
    # 14 by June against a seasonal expectation of 50 × 0.25 = 12.5: on course (months/12 would say 25: behind)
    assert r["progress"] == "ahead"
    assert "序时进度要求约12.5人" in r["explanation_zh"]
    late = one([{"id": "x", "kind": "annual", "value": 50}], obs[:-1] + [{**obs[-1], "value": 11}],
               monthly="2023-06-30")
    assert late["progress"] == "behind"


def test_a_value_published_after_the_cut_off_is_not_used():
    obs = yearly("x", {2021: 60, 2022: 60, 2023: 10})
    r = one([{"id": "x", "kind": "annual", "value": 50}], obs, annual="2022-12-31")
    assert r["latest_year"] == 2022 and r["progress"] == "ahead"


# -- level -------------------------------------------------------------------------------

def test_level_against_the_linear_path_from_the_base_value():
    r = one([{"id": "l", "kind": "level", "value": 20, "unit": "%"}], yearly("l", {2020: 10, 2021: 12, 2022: 14}))
    assert r["completion"] == pytest.approx(0.4)   # 4 of the 10 points of distance
    assert r["schedule"] == pytest.approx(0.4)     # 2 of 5 years
    assert r["progress"] == "on_track"
    assert r["projected_value"] == pytest.approx(20)
    assert r["projected_low"] <= r["projected_value"] <= r["projected_high"]
    # the Open SDG / Eurostat ratio: observed growth rate over required growth rate
    observed = (14 / 10) ** (1 / 2) - 1
    required = (20 / 10) ** (1 / 5) - 1
    assert r["progress_ratio"] == pytest.approx(observed / required)


def test_a_level_already_reached_is_met_early():
    r = one([{"id": "l", "kind": "level", "value": 13, "unit": "年"}], yearly("l", {2020: 12.6, 2022: 13.1}))
    assert r["progress_zh"] == "提前实现"


def test_fewer_points_give_wider_intervals():
    many = one([{"id": "l", "kind": "level", "value": 20}], yearly("l", {2016: 6, 2017: 7.2, 2018: 7.9, 2019: 9.1,
                                                                          2020: 10, 2021: 11.2, 2022: 11.9}))
    few = one([{"id": "l", "kind": "level", "value": 20}], yearly("l", {2021: 11.2, 2022: 11.9}))
    assert (few["projected_high"] - few["projected_low"]) > (many["projected_high"] - many["projected_low"])


def test_one_point_gives_no_projection_and_says_why():
    r = one([{"id": "l", "kind": "level", "value": 20}], yearly("l", {2022: 12}))
    assert pd.isna(r["projected_value"]) and pd.isna(r["prob_meet"])
    assert r["outlook_zh"] == "难以判断"
    assert "数据点不足（1个）" in r["explanation_zh"]


def test_no_data_is_said_and_gets_no_number():
    r = one([{"id": "l", "kind": "level", "value": 20}], [])
    assert r["progress_zh"] == "数据暂缺"
    assert all(pd.isna(r[c]) for c in ("completion", "schedule", "projected_value", "prob_meet"))


# -- qualitative, external, baseline ---------------------------------------------------------

@pytest.mark.parametrize("kind", ["qualitative", "external"])
def test_targets_without_a_figure_never_get_a_number(kind):
    obs = [{"id": "q", "type": "stock", "start": 2025, "end": 2025, "status": "完成"}]
    for annual in ("2022-12-31", "2025-12-31"):
        r = one([{"id": "q", "kind": kind, "value": None, "comparator": None}], obs, annual=annual)
        assert all(pd.isna(r[c]) for c in ("completion", "schedule", "required_pace", "projected_value",
                                            "projected_low", "projected_high", "prob_meet", "progress_ratio"))
        assert r["progress_zh"] in ("待填报", "完成", "定性评估")
    assert one([{"id": "q", "kind": kind, "value": None, "comparator": None}], obs,
               annual="2022-12-31")["progress_zh"] == "待填报"


@pytest.mark.parametrize(("target", "expected"), [(3600, "prudent"), (3955, "in_line"), (4300, "ambitious")])
def test_a_new_plan_is_judged_on_feasibility_against_the_last_plans_pace(target, expected):
    world = frames([{"id": "h", "kind": "annual", "value": target}],
                   [{"id": "h", "type": "plan_period", "start": 2016, "end": 2020, "value": 19774}],
                   annual="2020-12-31")
    world["indicators"][["period_start", "period_end", "base_year"]] = [2021, 2025, 2020]
    r = evaluate(world).iloc[0]
    assert r["evaluation_type"] == "基期评估"
    assert r["progress"] == expected
    assert "3954.8人" in r["explanation_zh"]


# -- the whole frame ----------------------------------------------------------------------------

def test_same_inputs_same_outputs():
    world = frames([{"id": "x", "kind": "cumulative", "value": 100}, {"id": "l", "kind": "level", "value": 20}],
                   yearly("x", {2021: 20, 2022: 22}) + yearly("l", {2020: 10, 2021: 12, 2022: 14}))
    assert evaluate(world).equals(evaluate(world))


def test_real_cases(real_build):
    result, _ = real_build
    ev = evaluate(result.frames).set_index(["evaluation_id", "indicator_id"])
    assert ev.loc[("mh14-final", "skills_training"), "progress_zh"] == "超额完成"    # 71.26 万 against 50 万
    assert ev.loc[("mh14-final", "startups_supported"), "progress_zh"] == "超额完成"  # 4856 against 3000
    jobs = ev.loc[("mh14-final", "new_jobs")]
    assert jobs["latest_year"] == 2023 and "不再分解" in jobs["explanation_zh"]
    assert ev.loc[("mh15-baseline", "hard_to_employ_placed"), "progress_zh"] == "目标稳妥"   # 3600 vs ~3955 a year
    assert ev.loc[("sh14-midterm-outline", "new_jobs"), "as_of"] == pd.Timestamp("2023-06-30")
    every = {(r.plan_id, r.indicator_id) for r in result.frames["indicators"].itertuples()}
    assert every == set(zip(ev["plan_id"], ev.index.get_level_values("indicator_id")))
    with_interval = ev.dropna(subset=["projected_value"])
    assert len(with_interval) > 0
    assert (with_interval["projected_low"] <= with_interval["projected_value"]).all()
    assert (with_interval["projected_value"] <= with_interval["projected_high"]).all()
    datasets.conform("evaluations", ev.reset_index())


def test_summary_in_the_words_of_published_reviews():
    world = frames([{"id": "a", "kind": "cumulative", "value": 100, "attribute": "约束性"},
                    {"id": "b", "kind": "level", "value": 20, "attribute": "预期性"},
                    {"id": "c", "kind": "annual", "value": 50, "attribute": "预期性"}],
                   yearly("a", {2021: 50, 2022: 60}) + yearly("b", {2020: 10, 2021: 10.5, 2022: 11})
                   + yearly("c", {2021: 55, 2022: 56}))
    text = summary_zh(evaluate(world))
    assert text.startswith("3项主要指标中，2项基本符合或快于预期，其中1项提前实现，1项滞后于预期")
    assert "1项约束性指标中" in text and "2项预期性指标中" in text
    assert "0项" not in text and math.isfinite(len(text))
