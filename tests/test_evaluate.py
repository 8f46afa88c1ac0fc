"""The evaluation engine on small hand-made plans, one behaviour per test, and on the real data;
and the vectorised engine against the per-row code it replaced (sentences, numbers, grouped sums)."""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
import pytest

from analysis import bench, datasets
from analysis.cn_numbers import COUNT_UNITS
from analysis.evaluate import evaluate, judge, series, summary_zh
from analysis.evaluate import vocabulary as v
from analysis.evaluate.explain import explanations, fixed, fmt, fmt_all, pct_all

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
    # three flows: the calibrated method for three points damps the trend, so the remaining
    # years add more than the last flow repeated (3 × 22) and less than the full drift (24 + 26 + 28)
    assert 42 + 3 * 22 < r["projected_value"] < 42 + 24 + 26 + 28
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
    # between the last value and the straight drift to 20 (three points: the damped method)
    assert 14 < r["projected_value"] < 20
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


# -- the engine is vectorised: the same sentences and numbers as the per-row code it replaced ----------

def _old_fmt(value, unit):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    unit = unit or ""
    if unit == "%":
        return f"{_old_trim(value, 2)}%"
    if unit in COUNT_UNITS or unit == "元":
        if abs(value) >= 1e8:
            return f"{_old_trim(value / 1e8, 2)}亿{unit}"
        if abs(value) >= 1e4:
            return f"{_old_trim(value / 1e4, 2)}万{unit}"
        return f"{_old_trim(value, 1)}{unit}"
    return f"{_old_trim(value, 2)}{unit}"


def _old_trim(value, digits):
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _old_has(value):
    return isinstance(value, numbers.Real) and not math.isnan(float(value))


def _old_pct(share):
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{_old_trim(share * 100, 1)}%"


_OLD_PHRASE = {"met_early": "已提前实现目标", "ahead": "快于预期进度", "on_track": "基本符合预期进度",
               "behind": "滞后于预期进度"}


def reference_explanation(r: pd.Series) -> str:
    """The sentence as the engine wrote it one row at a time before it was vectorised (kept
    verbatim as the reference the column-wise sentences are checked against)."""
    unit = r["unit"] if isinstance(r["unit"], str) else None
    T = _old_fmt(r["target_value"], unit)
    code = r["progress"]
    kind = r["target_kind"]
    if code == "pending":
        text = "定性目标，尚无评估材料，待责任部门填报。" if kind == "qualitative" else \
            "目标表述未能自动识别，待核定目标值后评估。" if kind == "unparsed" else \
            "目标值由上级部门设定，尚无评估材料，待责任部门填报。"
        return text
    if code == "qualitative":
        return f"定性评估：{r['assessment']}。"
    if kind in ("qualitative", "external"):
        return f"规划文件报告的完成情况为“{r['status']}”，{v.PROGRESS_ZH[code]}。"
    if code == "no_data":
        return f"截至{int(r['data_year'])}年底尚无可用的公开数据，数据暂缺，无法判断进度。"
    if code in ("ambitious", "in_line", "prudent"):
        return _old_feasibility(r, unit, T)
    head = _old_head(r, unit, T)
    if not math.isnan(r["judged_year"]) and r["judged_year"] < r["data_year"]:
        first, last = int(r["judged_year"]) + 1, int(r["data_year"])
        head += f"（{first}年数据暂缺）" if first == last else f"（{first}—{last}年数据暂缺）"
    tail = _old_projection(r, unit)
    note = f"（注：{r['break_note']}）" if isinstance(r.get("break_note"), str) else ""
    return f"{head}{tail}{note}"


def _old_head(r, unit, T):
    code = r["progress"]
    year = int(r["judged_year"]) if not math.isnan(r["judged_year"]) else int(r["data_year"])
    zh = v.PROGRESS_ZH[code]
    kind = r["target_kind"]
    if kind == "cumulative":
        ytd = ""
        if r.get("ytd_used", 0):
            ytd = f"（含{year + 1}年1—{int(r['ytd_month'])}月{_old_fmt(r['ytd_value'], unit)}）"
        done = _old_fmt(r["judged_value"], unit)
        if code in _OLD_PHRASE:
            return (f"截至{year}年底累计完成{done}{ytd}，完成目标（{T}）的{_old_pct(r['completion'])}，"
                    f"{_OLD_PHRASE[code]}（时间进度{_old_pct(r['schedule'])}）")
        return f"规划期内累计完成{done}，为目标（{T}）的{_old_pct(r['completion'])}，{zh}"
    if kind == "annual":
        if r["comparator"] == "=":
            bound = f"“{r['target_text']}”"
        else:
            bound = "每年" + ("不高于" if r["comparator"] in ("<=", "<") else "不低于") + T
        latest = f"{year}年为{_old_fmt(r['latest'], unit)}"
        worst = _old_fmt(r["judged_value"], unit)
        if code in ("below_ceiling", "above_ceiling"):
            return f"{latest}，规划期内最高为{worst}，目标为{bound}，{zh}"
        ytd = ""
        if _old_has(r.get("ytd_value")):
            ytd = (f"；{year + 1}年1—{int(r['ytd_month'])}月为{_old_fmt(r['ytd_value'], unit)}，"
                   f"序时进度要求约{_old_fmt(r['ytd_expected'], unit)}")
        return f"{latest}，规划期内最低为{worst}，目标为{bound}{ytd}，{zh}"
    base = ""
    if _old_has(r.get("base_value")):
        base = f"（基期{int(r['base_year'])}年为{_old_fmt(r['base_value'], unit)}）"
    target = f"目标为{int(r['target_year'])}年{_old_cmp_zh(r['comparator'])}{T}"
    if code in _OLD_PHRASE and code != "met_early":
        return (f"{year}年为{_old_fmt(r['judged_value'], unit)}{base}，{target}，完成进度{_old_pct(r['completion'])}，"
                f"时间进度{_old_pct(r['schedule'])}，{_OLD_PHRASE[code]}")
    return f"{year}年为{_old_fmt(r['judged_value'], unit)}{_old_bound_zh(r)}{base}，{target}，{zh}"


def _old_bound_zh(r):
    return {">=": "以上", "<=": "以内", ">": "以上"}.get(r.get("judged_comparator"), "")


def _old_cmp_zh(comparator):
    return {">=": "达到", ">": "超过", "<=": "不高于", "<": "低于", "=": "为", "≈": "约"}.get(comparator, "")


def _old_projection(r, unit):
    if r["outlook"] == "":
        return "。"
    if r["outlook"] == "uncertain":
        return f"；可用数据点不足（{int(r['n_points'])}个），难以判断趋势。"
    band = f"（80%区间{_old_fmt(r['projected_low'], unit)}–{_old_fmt(r['projected_high'], unit)}）"
    if r["target_kind"] == "annual":
        return (f"；按现有趋势预计今后每年约为{_old_fmt(r['projected_value'], unit)}{band}，"
                f"到{int(r['target_year'])}年各年均达到目标的概率约为{_old_pct(r['prob_meet'])}，"
                f"{v.OUTLOOK_ZH[r['outlook']]}。")
    what = "累计达到" if r["target_kind"] == "cumulative" else "达到"
    return (f"；按现有趋势预计{int(r['target_year'])}年{what}{_old_fmt(r['projected_value'], unit)}{band}，"
            f"实现目标的概率约为{_old_pct(r['prob_meet'])}，{v.OUTLOOK_ZH[r['outlook']]}。")


def _old_feasibility(r, unit, T):
    zh = v.PROGRESS_ZH[r["progress"]]
    if r["target_kind"] == "level":
        return (f"目标为{int(r['target_year'])}年{_old_cmp_zh(r['comparator'])}{T}，"
                f"基期水平为{_old_fmt(r['base_level'], unit)}，{zh}。")
    prev = ""
    if _old_has(r.get("prev_total")):
        prev = f"（上一规划期{int(r['prev_years'])}年累计{_old_fmt(r['prev_total'], unit)}）"
    return (f"目标要求年均约{_old_fmt(r['required_per_year'], unit)}，上一规划期年均约{_old_fmt(r['past_pace'], unit)}"
            f"{prev}，{zh}。")


def _reference(out: pd.DataFrame) -> list[str]:
    return [reference_explanation(r) for _, r in out.iterrows()]


def _edge_world() -> dict[str, pd.DataFrame]:
    """One plan with targets that reach every kind of sentence, in many units and magnitudes."""
    targets, obs = [], []
    for i, (kind, cmp, unit, value, values) in enumerate([
        ("cumulative", ">=", "人次", 50e4, {2021: 120000.5, 2022: 130000.25}),
        ("cumulative", ">=", "元", 4.5e9, {2020: 8.0e8, 2021: 9.125e8, 2022: 9.5e8}),
        ("cumulative", ">", None, 36, {2021: 7.005, 2022: 8.015}),
        ("cumulative", ">=", "个", 0.0, {2021: 0.0, 2022: 0.0}),
        ("annual", ">=", "%", 95.0, {2020: 94.995, 2021: 95.005, 2022: 96.125}),
        ("annual", "<=", "%", 5.5, {2021: 5.25, 2022: 5.75}),
        ("annual", "<", "人", 2000, {2021: 1999.95, 2022: 2150.05}),
        ("annual", "=", None, 0.0, {2021: 0.0, 2022: 1.0}),
        ("annual", ">=", "万人", 1.2, {2021: 1.25, 2022: 1.15}),
        ("level", ">=", "%", 98.5, {2020: 95.125, 2021: 96.375, 2022: 97.625}),
        ("level", "<=", "天", 30, {2020: 45.0, 2021: 41.5}),
        ("level", "≈", "元", 2600, {2020: 2480.0, 2021: 2590.0, 2022: 2655.0}),
        ("level", ">=", "人", 1e8, {2020: 9.9995e7, 2022: 1.0000049e8}),
        ("level", "<", "%", -0.5, {2020: 0.25, 2021: -0.125, 2022: -0.375}),
        ("level", ">=", "", 12.0, {2022: 12.5}),
        ("level", ">", "年", 14.0, {}),
    ]):
        tid = f"t{i:02d}"
        targets.append({"id": tid, "kind": kind, "comparator": cmp, "unit": unit, "value": value,
                        "text": "动态为零" if cmp == "=" else "目标"})
        obs += yearly(tid, values)
    obs += [{"id": "t00", "type": "ytd", "year": 2023, "month": 6, "value": 61000.5},
            {"id": "t00", "type": "ytd", "year": 2022, "month": 6, "value": 60000.0},
            {"id": "t04", "type": "ytd", "year": 2023, "month": 3, "value": 23.75},
            {"id": "t01", "type": "plan_period", "start": 2021, "end": 2022, "value": 1.8625e9,
             "note": "2022年起口径调整"},
            {"id": "t10", "type": "stock", "start": 2022, "end": 2022, "value": 40.0, "comparator": "<="},
            {"id": "t12", "type": "year", "year": 2021, "value": 9.99e7, "note": "指标更名"},
            {"id": "q1", "type": "stock", "start": 2022, "end": 2022, "status": "推进中"}]
    targets += [{"id": "q0", "kind": "qualitative", "value": None, "comparator": None, "unit": None},
                {"id": "q1", "kind": "external", "value": None, "comparator": None, "unit": "人"}]
    return frames(targets, obs, monthly="2023-06-30")


def _worlds() -> list[tuple[str, dict[str, pd.DataFrame], str | None]]:
    worlds = [("edge", _edge_world(), None), ("edge-final", _edge_world(), "2025-12-31"),
              ("edge-base", _edge_world(), "2020-12-31"), ("edge-2024", _edge_world(), "2024-03-31")]
    for seed, as_of in ((1, None), (2, "2023-06-30"), (3, "2026-01-15")):
        worlds.append((f"synthetic-{seed}", bench.synthetic_frames(1500, seed), as_of))
    return worlds


@pytest.mark.parametrize(("name", "world", "as_of"), _worlds(), ids=[w[0] for w in _worlds()])
def test_vectorised_sentences_are_the_per_row_sentences(name, world, as_of):
    out = judge(world, as_of)
    assert explanations(out).tolist() == _reference(out)
    result = evaluate(world, as_of)
    assert sorted(result["explanation_zh"]) == sorted(_reference(out))


def test_every_kind_of_sentence_is_checked():
    codes = set()
    for _, world, as_of in _worlds():
        out = judge(world, as_of)
        codes |= set(zip(out["target_kind"], out["progress"], out["outlook"]))
    kinds_codes = {(k, c) for k, c, _ in codes}
    for code in v.PROGRESS_ZH:
        assert any(c == code for _, c in kinds_codes), code
    assert {o for _, _, o in codes} >= {"", "likely", "possible", "unlikely", "uncertain"}


def test_random_rows_read_as_the_per_row_sentences():
    """Judged rows drawn at random (codes, kinds, units, numbers, gaps) against the reference."""
    rng = np.random.default_rng(7)
    n = 4000
    pick = lambda options: np.array(options, dtype=object)[rng.integers(0, len(options), n)]  # noqa: E731
    nums = lambda scale, missing=0.2: np.where(rng.random(n) < missing, np.nan, np.round(  # noqa: E731
        rng.normal(0, scale, n) * 10.0 ** rng.integers(-2, 4, n), 3))
    judged_year = np.where(rng.random(n) < 0.2, np.nan, rng.integers(2019, 2026, n).astype(float))
    ytd_value = nums(1e4, 0.6)
    places = rng.integers(1, 6, n)
    prev_total = nums(1e5, 0.5)
    out = pd.DataFrame({
        "unit": pick(["人", "人次", "%", "元", "件", "年", None, "", "万人", "个"]),
        "target_value": nums(1e4, 0.05), "progress": pick(list(v.PROGRESS_ZH)),
        "target_kind": pick(["cumulative", "annual", "level", "qualitative", "external", "unparsed"]),
        "assessment": pick(["第三方评估：已完成", "就业科自评：滞后于预期（缺口）"]),
        "status": pick(["完成", "推进中", None]), "data_year": rng.integers(2020, 2027, n),
        "judged_year": judged_year, "break_note": pick([None, None, "口径调整", "市局不再分解；指标更名"]),
        "ytd_used": rng.integers(0, 2, n), "ytd_month": rng.integers(1, 12, n).astype(float),
        "ytd_value": ytd_value, "judged_value": nums(1e5), "completion": nums(1), "schedule": nums(1),
        "comparator": pick([">=", ">", "<=", "<", "=", "≈", None]), "target_text": pick(["动态为零", "目标", None]),
        "latest": nums(1e5), "ytd_expected": nums(1e4), "base_value": nums(1e3, 0.5),
        "base_year": rng.integers(2015, 2021, n).astype(float), "target_year": rng.integers(2025, 2031, n),
        "judged_comparator": pick([">=", "<=", ">", "=", None]),
        "outlook": pick(["", "likely", "possible", "unlikely", "uncertain"]), "n_points": rng.integers(0, 12, n),
        "projected_value": nums(1e6), "projected_low": nums(1e9), "projected_high": nums(1e9),
        "prob_meet": np.round(rng.random(n) * 10.0**places) / 10.0**places, "base_level": nums(1e2),
        "prev_total": prev_total, "prev_years": rng.integers(1, 6, n).astype(float),
        "required_per_year": nums(1e4), "past_pace": nums(1e4),
    })
    out["unit"] = out["unit"].astype("str")
    out["progress_zh"] = out["progress"].map(v.PROGRESS_ZH)
    out["outlook_zh"] = out["outlook"].map(v.OUTLOOK_ZH)
    # the per-row code needs a month wherever a year-to-date value is used
    out.loc[out["ytd_used"].eq(1) & out["judged_year"].isna(), "ytd_used"] = 0
    assert explanations(out).tolist() == _reference(out)


def test_numbers_are_written_as_one_at_a_time():
    rng = np.random.default_rng(3)
    values = np.concatenate([
        rng.normal(0, 1, 20000), rng.normal(0, 1e4, 20000), rng.lognormal(0, 8, 20000),
        np.round(rng.uniform(-1000, 1000, 20000), 3), np.round(rng.uniform(-10, 10, 20000), 2) + 0.005,
        np.arange(-2000, 2000) / 8, np.arange(-2000, 2000) / 200, np.arange(20000) * 0.005,
        rng.uniform(-1, 1, 20000) * 10.0 ** rng.integers(-5, 17, 20000),
        [0.0, -0.0, 1e-300, 0.125, 0.375, 2.675, 1.005, 0.045, 0.05, 0.15, 0.25, 0.35, 0.995, 99.995, -0.004,
         -0.005, 1e15 + 0.5, 2.0**53, 2.0**53 + 2, -(2.0**60), 9.2e18, 1e19, -1e300, np.inf, -np.inf, np.nan,
         4503599627370495.5, 1e8, 99999999.99, 9999.95, 9999.949999999999],
    ])
    for digits in (1, 2):
        assert fixed(values, digits).to_pylist() == [_old_trim(x, digits) for x in values]
    units = np.array(["%", "人", "元", "万人", None, "", "年", "个", "人次"], dtype=object)
    unit = units[rng.integers(0, len(units), len(values))]
    assert fmt_all(values, unit).tolist() == [_old_fmt(float(x), u) for x, u in zip(values, unit)]
    assert pct_all(values).tolist() == [_old_pct(float(x)) for x in values]
    assert [fmt(float(x), u) for x, u in zip(values[:2000], unit[:2000])] == \
        [_old_fmt(float(x), u) for x, u in zip(values[:2000], unit[:2000])]


def test_grouped_sums_means_and_spreads_are_pandas_own():
    """The facts' sums, means and spreads, one pass per position within a row, are bit for bit
    what pandas' grouped reductions gave on the frames the engine used to build."""
    rng = np.random.default_rng(11)
    counts = rng.integers(0, 25, 5000)
    row = np.repeat(np.arange(len(counts)), counts)
    digits = rng.integers(0, 4, len(row))
    values = np.round(rng.normal(50, 30, len(row)) * rng.choice([1, 1e-3, 1e4], len(row)) * 10.0**digits) \
        / 10.0**digits
    g = series._Blocks(row, len(counts))
    index = pd.RangeIndex(len(counts))
    # unsorted groups: compensated sums and Welford's variance
    shuffled = np.argsort(-row, kind="stable")
    by = pd.Series(values[shuffled]).groupby(row[shuffled])
    np.testing.assert_array_equal(series._compensated_mean(values, g), by.mean().reindex(index).to_numpy())
    np.testing.assert_array_equal(series._welford_sd(values, g), by.std(ddof=1).reindex(index).to_numpy())
    # sorted groups: plain running sums
    by = pd.Series(values).groupby(row)
    np.testing.assert_array_equal(series._running_sum(values, g), by.sum().reindex(index).to_numpy())
    frame = pd.DataFrame({"x": values * 3, "y": values, "yy": values * values})
    sums = frame.groupby(row).sum().reindex(index)
    for col in frame:
        np.testing.assert_array_equal(series._running_sum(frame[col].to_numpy(), g), sums[col].to_numpy())


def test_the_order_of_the_observations_does_not_change_the_judgements():
    world = bench.synthetic_frames(700, 5)
    shuffled = dict(world)
    order = np.random.default_rng(0).permutation(len(world["observations"]))
    shuffled["observations"] = world["observations"].iloc[order].reset_index(drop=True)
    a, b = evaluate(world), evaluate(shuffled)
    for col in ("progress", "outlook", "latest_value", "latest_year", "n_points", "data_note", "method"):
        assert a[col].equals(b[col]), col
    pd.testing.assert_frame_equal(a.drop(columns=["explanation_zh"]), b.drop(columns=["explanation_zh"]),
                                  check_exact=False, rtol=1e-9)


def test_a_level_without_a_base_value_is_measured_from_its_first_observed_year():
    # 10 → 10.1 in a year, 12 needed by 2025: 5% of the distance after 25% of the time is behind,
    # although 10.1 is 84% of 12 (the old reading called that ahead of a 40% schedule)
    r = one([{"id": "l", "kind": "level", "value": 12}], yearly("l", {2021: 10.0, 2022: 10.1}))
    assert r["completion"] == pytest.approx(0.05)
    assert r["schedule"] == pytest.approx(0.25)
    assert r["progress"] == "behind"


def test_an_annual_band_is_missed_by_a_year_outside_it_on_either_side():
    band = {"id": "u", "kind": "annual", "value": 5.0, "comparator": "≈", "unit": "%"}
    assert one([band], yearly("u", {2021: 5.1, 2022: 4.9}))["progress"] in ("on_track", "ahead")
    high = one([band], yearly("u", {2021: 5.0, 2022: 6.0}))   # 6.0 is 20% above 5: outside the ±5% band
    assert high["progress"] == "behind" and high["latest_value"] == 6.0
    low = one([band], yearly("u", {2021: 4.0, 2022: 5.0}))
    assert low["progress"] == "behind"
