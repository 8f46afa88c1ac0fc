"""The projection engine: the yearly window, the methods by hand, the calibrated intervals and
probabilities, what observed years decide, and a series judged the same alone or in a panel."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from analysis.evaluate import calibration as cal
from analysis.evaluate import evaluate
from analysis.evaluate import methods as mth
from analysis.evaluate.asof import PERIOD_TYPES, evaluation_rows, known_observations
from analysis.evaluate.history import WINDOW, YearlyWindow, yearly_window
from analysis.evaluate.judgement import measure
from analysis.evaluate.projection import COMPARATORS, KINDS, REASONS, project, project_window
from analysis.evaluate.series import row_facts

PLAN = "p-14"


def world(series: dict[str, dict], cutoff: str = "2022-12-31") -> dict[str, pd.DataFrame]:
    """Plans 2021–2025 (base 2020), one target per series: {id: {kind, comparator, value, years}}."""
    indicators, obs = [], []
    for i, (sid, t) in enumerate(series.items()):
        indicators.append(
            {
                "plan_id": PLAN,
                "indicator_id": sid,
                "seq": i + 1,
                "name": sid,
                "unit": "人",
                "attribute": None,
                "target_kind": t["kind"],
                "comparator": t.get("comparator", ">="),
                "target_value": t["value"],
                "target_year": t.get("year", 2025),
                "target_text": "目标",
                "base_year": 2020,
                "period_start": 2021,
                "period_end": 2025,
                "name_note": None,
            }
        )
        obs += [
            {
                "series_id": sid,
                "region": "甲区",
                "period_type": "year",
                "period_start": pd.Timestamp(f"{y}-01-01"),
                "period_end": pd.Timestamp(f"{y}-12-31"),
                "value": float(v),
                "comparator": "=",
                "status": None,
                "note": None,
                "source_document": "test",
                "is_preferred": True,
                "is_benchmark": False,
            }
            for y, v in t["years"].items()
        ]
    settings = pd.DataFrame(
        [
            {
                "evaluation_id": "e",
                "plan_id": PLAN,
                "region": "甲区",
                "evaluation_type": "中期评估",
                "annual_cutoff": pd.Timestamp(cutoff),
                "monthly_cutoff": pd.NaT,
            }
        ]
    )
    return {"indicators": pd.DataFrame(indicators), "evaluation_settings": settings, "observations": pd.DataFrame(obs)}


def projected(frames: dict[str, pd.DataFrame], first_year: dict[str, float] | None = None) -> pd.DataFrame:
    """``project`` as ``evaluate`` calls it, indexed by indicator."""
    rows = evaluation_rows(frames)
    known = known_observations(rows, frames["observations"])
    facts = row_facts(rows, known)
    m = measure(rows, facts)
    start = rows["indicator_id"].map(first_year or {}).to_numpy(dtype=float, na_value=np.nan)
    out = project(rows, facts, m["so_far"], m["so_far_end"], known, start)
    out.index = rows["indicator_id"].to_numpy()
    return out


# -- the yearly window ------------------------------------------------------------------------------


def _known(rows: list[tuple[int, int, float]], types: list[str] | None = None) -> pd.DataFrame:
    types = types or ["year"] * len(rows)
    return pd.DataFrame(
        {
            "row": [r for r, _, _ in rows],
            "period_type": pd.Categorical(types, categories=list(PERIOD_TYPES)),
            "period_end": pd.to_datetime([f"{y}-12-31" for _, y, _ in rows]),
            "value": [v for _, _, v in rows],
        }
    )


def test_the_window_ends_at_each_rows_latest_year_and_keeps_gaps():
    known = _known([(0, 2018, 1.0), (0, 2020, 3.0), (0, 2021, 4.0), (2, 2010, 9.0), (2, 2011, 8.0)])
    w = yearly_window(known, 3)
    assert w.last_year.tolist()[0] == 2021 and np.isnan(w.last_year[1]) and w.last_year[2] == 2011
    assert w.values[0, -4:].tolist()[:1] == [1.0] and np.isnan(w.values[0, -3]) and w.values[0, -2:].tolist() == [3, 4]
    assert w.count.tolist() == [3, 0, 2]
    assert np.isnan(w.values[1]).all()


def test_years_before_a_break_are_left_out_and_other_period_types_ignored():
    known = _known(
        [(0, 2019, 1.0), (0, 2020, 2.0), (0, 2021, 5.0), (0, 2021, 99.0)], ["year", "year", "year", "plan_period"]
    )
    w = yearly_window(known, 1, np.array([2021.0]))
    assert w.count.tolist() == [1] and w.all_count.tolist() == [3]
    assert w.values[0, -1] == 5.0


def test_years_older_than_the_window_fall_out():
    known = _known([(0, 2000 + k, float(k)) for k in range(WINDOW + 3)])
    w = yearly_window(known, 1)
    assert w.count[0] == WINDOW and w.values[0, 0] == 3.0


# -- the methods, by hand ------------------------------------------------------------------------


def _matrix(*rows: list[float]) -> np.ndarray:
    Y = np.full((len(rows), WINDOW), np.nan)
    for i, r in enumerate(rows):
        Y[i, WINDOW - len(r) :] = r
    return Y


def test_drift_damped_trend_last_and_cumulated_sums():
    Y = _matrix([10, 12, 14], [5, np.nan, 9])  # slopes 2 and 2 (a gap counts as a year)
    assert mth.drift(Y, 2).tolist() == [[16, 18], [11, 13]]
    assert mth.last(Y, 2).tolist() == [[14, 14], [9, 9]]
    assert mth.damped(Y, 2)[0].tolist() == pytest.approx([14 + 2 * 0.8, 14 + 2 * (0.8 + 0.64)])
    assert mth.trend(_matrix([1, 2, 4]), 1)[0, 0] == pytest.approx(7 / 3 + 1.5 * 2)  # mean 7/3 at x̄, slope 1.5
    assert mth.forecast("drift", Y, 3, cumulative=True)[0].tolist() == [16, 34, 54]
    assert mth.naive_scale(Y).tolist() == pytest.approx([2.0, 2.0])


def test_theta_is_exponential_smoothing_with_half_the_trend():
    # a straight line: the SES error is smallest at α = 1 (level = last value); the drift adds half the slope
    Y = _matrix([1, 2, 3, 4, 5])
    assert mth.theta(Y, 1)[0, 0] == pytest.approx(5 + 0.5 * (0 + 1))
    # a flat series: no slope, the level stays
    assert mth.theta(_matrix([3, 3, 3]), 2)[0].tolist() == pytest.approx([3, 3])


def test_log_spread_is_the_spread_of_yearly_relative_changes():
    e = np.e
    Y = _matrix([1, e, e**3, e**4], [1, np.nan, e**2], [1, e**2], [1, -1, 2], [5, 5, 5])
    # changes of log y: 1, 2, 1 (sd √(2/9)); a gap's change per year; one change: its size; not all above zero: NaN
    out = mth.log_spread(Y)
    assert out[0] == pytest.approx(np.sqrt(2 / 9))
    assert out[1] == pytest.approx(1.0) and out[2] == pytest.approx(2.0)
    assert np.isnan(out[3]) and out[4] == 0
    assert cal.spread(Y)[4] == cal.MIN_LOG_SPREAD  # a series that never moved: the floor


def test_median_is_robust_to_one_odd_flow():
    Y = _matrix([10, 11, 100, 12])
    assert mth.median(Y, 1)[0, 0] == pytest.approx(11.5)
    assert mth.mean(Y, 1)[0, 0] == pytest.approx(33.25)


# -- calibration cases ---------------------------------------------------------------------------


def test_panel_cases_cut_every_origin_with_the_years_after_it():
    cases = cal.panel_cases([np.arange(1.0, 9.0)], window=3, horizons=2)
    # 8 values, windows of 3 followed by at least one value: origins after values 3..7
    assert len(cases.Y) == 5
    assert cases.Y[0, -3:].tolist() == [1, 2, 3] and np.isnan(cases.Y[0, :-3]).all()
    assert cases.future[0].tolist() == [4, 5]
    assert cases.future[-1, 0] == 8 and np.isnan(cases.future[-1, 1])


def test_cumulative_errors_are_errors_of_sums_not_of_years():
    cases = cal.panel_cases([np.array([1.0, 2, 3, 5, 5])], window=3, horizons=2)
    e, _ = cal.scaled_errors(cases, "drift", "cumulative")
    # drift from 1,2,3: 4, 5 → sums 4, 9; actual 5, 10; scale 1
    assert e[0].tolist() == pytest.approx([1.0, 1.0])
    v, _ = cal.scaled_errors(cases, "drift", "value")
    assert v[0].tolist() == pytest.approx([1.0, 0.0])


def test_the_shipped_table_is_what_the_calibration_command_writes():
    table, _ = cal.calibrate(cal.reference_panels(), label=cal.shipped_table()["panels"].iloc[0])
    assert cal.to_csv(table) == cal.table_path().read_text(encoding="utf-8")


# -- intervals and probabilities from the table ----------------------------------------------------


def uniform_lookup(rho: float = 0.5) -> cal.Lookup:
    """Errors uniform on [−1, 1] (in scale units) at every window and horizon, for value and sums."""
    rows = [
        {
            "version": cal.TABLE_VERSION,
            "kind": k,
            "window": w,
            "horizon": h,
            "method": "drift",
            "cases": 100,
            "rho": rho,
            **{c: 2 * lv - 1 for c, lv in zip(cal.QCOLS, cal.LEVELS)},
            "panels": "test",
        }
        for k in cal.KINDS
        for w in cal.WINDOWS
        for h in range(1, cal.HORIZONS + 1)
    ]
    return cal.Lookup.of(pd.DataFrame(rows))


def run(
    values: list[list[float]],
    kind: str,
    comparator: str,
    target: float,
    target_year: float,
    lookup: cal.Lookup,
    last_year: float = 2022,
    so_far: float = np.nan,
    so_far_end: float = np.nan,
    plan_start: float = 2021,
) -> pd.DataFrame:
    Y = _matrix(*values)
    n = len(values)
    window = YearlyWindow(Y, np.full(n, float(last_year)), (~np.isnan(Y)).sum(axis=1), (~np.isnan(Y)).sum(axis=1))
    full = lambda x: np.full(n, x, dtype=float)  # noqa: E731
    return project_window(
        window,
        np.full(n, KINDS.index(kind)),
        np.full(n, COMPARATORS.index(comparator)),
        full(target),
        full(target_year),
        full(plan_start),
        full(so_far),
        full(so_far_end),
        lookup=lookup,
    )


def test_the_interval_and_probability_are_the_calibrated_errors_times_the_series_scale():
    lk = uniform_lookup()
    r = run([[10, 12, 14]], "level", ">=", 25, 2025, lk).iloc[0]  # drift: 20 in 2025, scale 2
    assert r["projected_value"] == pytest.approx(20)
    assert (r["projected_low"], r["projected_high"]) == pytest.approx((20 - 2 * 0.8, 20 + 2 * 0.8))
    assert r["projection_method"] == "drift"
    # P(20 + 2e ≥ 21) with e uniform on [−1, 1] = P(e ≥ 0.5) = 0.25
    assert run([[10, 12, 14]], "level", ">=", 21, 2025, lk).iloc[0]["prob_meet"] == pytest.approx(0.25)
    assert run([[10, 12, 14]], "level", "<=", 21, 2025, lk).iloc[0]["prob_meet"] == pytest.approx(0.75)
    # beyond the calibrated tails the engine does not claim certainty
    assert 0 < run([[10, 12, 14]], "level", ">=", 40, 2025, lk).iloc[0]["prob_meet"] < 0.01


def _uniform_rows(width: dict[str, float] | None = None) -> list[dict]:
    """Rows of a table with errors uniform on [−w, w] (scale units) at every window and horizon,
    for both scales; with ``width``, the relative rows per trend class (w by class, absolute 1),
    without it no trend column (a table of version 2's shape)."""
    classes = {"absolute": ("",), "relative": cal.TRENDS if width is not None else ("",)}
    return [
        {
            "version": cal.TABLE_VERSION,
            "kind": k,
            "scale": sc,
            **({"trend": t} if width is not None else {}),
            "window": w,
            "horizon": h,
            "method": "drift",
            "cases": 100,
            "rho": 0.5,
            **{c: (2 * lv - 1) * (width or {}).get(t, 1.0) for c, lv in zip(cal.QCOLS, cal.LEVELS)},
            "panels": "test",
        }
        for k in cal.KINDS
        for sc in cal.SCALES
        for t in classes[sc]
        for w in cal.WINDOWS
        for h in range(1, cal.HORIZONS + 1)
    ]


def relative_lookup() -> cal.Lookup:
    """``uniform_lookup`` plus relative errors uniform on [−1, 1] (in spread units)."""
    return cal.Lookup.of(pd.DataFrame(_uniform_rows()))


def test_a_positive_series_gets_a_relative_interval_in_units_of_its_spread():
    lk = relative_lookup()
    # 100, 110, 132: log changes ln 1.1, ln 1.2 → spread |ln 1.2 − ln 1.1| / 2; drift 16 a year, 180 in 2025
    spread = abs(np.log(1.2) - np.log(1.1)) / 2
    r = run([[100, 110, 132]], "level", ">=", 150, 2025, lk).iloc[0]
    assert r["projected_value"] == pytest.approx(180)
    assert (r["projected_low"], r["projected_high"]) == pytest.approx(
        (180 * np.exp(-0.8 * spread), 180 * np.exp(0.8 * spread))
    )
    assert r["projection_scale"] == pytest.approx(spread)
    # P(180·exp(spread·e) ≥ 180·exp(spread/2)) with e uniform on [−1, 1] = 0.25
    assert run([[100, 110, 132]], "level", ">=", 180 * np.exp(spread / 2), 2025, lk).iloc[0][
        "prob_meet"
    ] == pytest.approx(0.25)
    # a cumulative target: the total so far is certain, the remaining flows carry the relative error
    c = run([[100, 110, 132]], "cumulative", ">=", 1000, 2025, lk, so_far=242, so_far_end=2022).iloc[0]
    rest = 148 + 164 + 180
    assert c["projected_value"] == pytest.approx(242 + rest)
    assert c["projected_high"] == pytest.approx(242 + rest * np.exp(0.8 * spread))
    # a series with a value at or below zero keeps the absolute scale
    free = run([[-2, 10, 22]], "level", ">=", 1, 2025, lk).iloc[0]
    assert free["projected_high"] - free["projected_value"] == pytest.approx(12 * 0.8)


def test_a_window_is_classed_by_how_steadily_it_moved():
    # rose and fell by turns: flat; rose steadily: trending; one change: mixed; never moved: flat
    Y = _matrix([57.04, 63.51, 56.35], [100, 105, 110.25, 115.7625], [100, 130], [5, 5, 5], [-1, 2, 3])
    spread, trend = cal.relative_scale(Y)
    assert [cal.TRENDS[t] for t in trend[:4]] == ["flat", "trending", "mixed", "flat"]
    assert spread[:4] == pytest.approx(cal.spread(Y)[:4])
    assert np.isnan(spread[4])  # not above zero throughout: the absolute scale, unbinned


def trend_lookup(width: dict[str, float]) -> cal.Lookup:
    """Relative errors uniform on [−w, w] in spread units, w per trend class; absolute ones on [−1, 1]."""
    return cal.Lookup.of(pd.DataFrame(_uniform_rows(width)))


def test_a_relative_interval_comes_from_the_errors_of_its_own_trend_class():
    lk = trend_lookup({"flat": 1.0, "mixed": 2.0, "trending": 10.0})
    flat = [100, 110, 100]  # changes ±9.5%: spread ≈ 0.095, no direction
    steady = [100, 110, 121]  # +9.5% twice: spread at its floor, trending
    for values, w in ((flat, 1.0), (steady, 10.0)):
        r = run([values], "level", ">=", 90, 2025, lk).iloc[0]
        s = r["projection_scale"]
        assert r["projected_high"] == pytest.approx(r["projected_value"] * np.exp(0.8 * w * s))
        assert r["projected_low"] == pytest.approx(r["projected_value"] * np.exp(-0.8 * w * s))
    # the every-year probability reads the same class: a flat series held to a floor below its path
    flat_p = run([flat], "annual", ">=", 95, 2025, lk, plan_start=2023).iloc[0]["prob_meet"]
    wide = trend_lookup({"flat": 10.0, "mixed": 2.0, "trending": 10.0})
    assert run([flat], "annual", ">=", 95, 2025, wide, plan_start=2023).iloc[0]["prob_meet"] < flat_p
    # a table without trend classes holds the same errors for every class
    plain = relative_lookup().quantiles
    for t in range(1, len(cal.TRENDS)):
        np.testing.assert_array_equal(plain[:, :, t], plain[:, :, 0])


def test_a_cumulative_target_adds_forecast_flows_to_the_total_so_far():
    lk = uniform_lookup()
    r = run([[10, 12, 14]], "cumulative", ">=", 100, 2025, lk, so_far=26, so_far_end=2022).iloc[0]
    assert r["projected_value"] == pytest.approx(26 + 16 + 18 + 20)
    assert r["projected_high"] - r["projected_value"] == pytest.approx(2 * 0.8)  # the sum's own quantile


def test_an_every_year_bound_lies_between_independent_years_and_the_worst_year():
    lk = uniform_lookup(rho=0.6)
    values = [[50, 51, 52, 53]]
    # a plan from 2023: nothing observed yet; drift 54, 55, 56 against a floor of 54.5, scale 1
    annual = run(values, "annual", ">=", 54.5, 2025, lk, plan_start=2023).iloc[0]["prob_meet"]
    each = [run(values, "level", ">=", 54.5, y, lk).iloc[0]["prob_meet"] for y in (2023, 2024, 2025)]
    assert each[:2] == pytest.approx([0.25, 0.75])
    assert np.prod(each) < annual < min(each)
    # no correlation: the product; the more correlated the years, the nearer the worst year alone
    at = {
        rho: run(values, "annual", ">=", 54.5, 2025, uniform_lookup(rho), plan_start=2023).iloc[0]["prob_meet"]
        for rho in (0.0, 0.3, 0.6, 0.9)
    }
    assert at[0.0] == pytest.approx(np.prod(each), abs=0.005)
    assert at[0.0] < at[0.3] < at[0.6] < at[0.9] <= min(each) + 0.01


def test_a_breached_year_decides_an_every_year_bound():
    floor = projected(world({"x": {"kind": "annual", "value": 50, "years": {2020: 70, 2021: 49, 2022: 80}}}))
    assert floor.loc["x", "prob_meet"] == 0 and floor.loc["x", "projection_method"] == "breached"
    ceiling = projected(
        world({"u": {"kind": "annual", "comparator": "<=", "value": 5.5, "years": {2020: 4.0, 2021: 4.1, 2022: 5.8}}})
    )
    assert ceiling.loc["u", "prob_meet"] == 0
    # a breach before the plan period does not count
    before = projected(world({"x": {"kind": "annual", "value": 50, "years": {2019: 40, 2020: 45, 2021: 60, 2022: 62}}}))
    assert before.loc["x", "prob_meet"] > 0 and before.loc["x", "projection_method"] != "breached"


def test_fewer_than_two_points_give_no_projection_and_say_why():
    one_point = projected(world({"l": {"kind": "level", "value": 20, "years": {2022: 12}}}))
    assert one_point.loc["l", "projection_method"] == "none_few_points"
    assert one_point.loc["l", ["projected_value", "projected_low", "projected_high", "prob_meet"]].isna().all()
    broken = projected(
        world({"l": {"kind": "level", "value": 20, "years": {2019: 9, 2020: 10, 2021: 11, 2022: 7}}}),
        first_year={"l": 2022},
    )
    assert broken.loc["l", "projection_method"] == "none_break" and np.isnan(broken.loc["l", "prob_meet"])
    since = projected(
        world({"l": {"kind": "level", "value": 20, "years": {2019: 9, 2020: 10, 2021: 6, 2022: 7}}}),
        first_year={"l": 2021},
    )
    # only 6, 7 are used: between the last value and their drift (10 by 2025), not the older 9, 10
    assert 7 <= since.loc["l", "projected_value"] <= 10
    assert since.loc["l", "projection_window"] == 2


def test_reasons_and_methods_are_named():
    out = projected(
        world(
            {
                "a": {"kind": "level", "value": 20, "years": {2020: 10, 2021: 12, 2022: 14}},
                "b": {"kind": "level", "value": 20, "year": 2022, "years": {2020: 10, 2021: 12, 2022: 14}},
                "c": {"kind": "qualitative", "value": np.nan, "years": {}},
            }
        )
    )
    assert out.loc["a", "projection_method"] in cal.shipped_table()["method"].unique()
    assert out.loc["b", "projection_method"] == "known" and out.loc["b", "prob_meet"] == 0  # 14 < 20 in 2022
    assert out.loc["c", "projection_method"] == "none_not_quantitative"
    assert set(REASONS) >= {"none_few_points", "none_break", "breached", "known"}


# -- the company a series keeps ---------------------------------------------------------------------


def _panel() -> dict[str, dict]:
    rng = np.random.default_rng(7)
    out = {}
    for i in range(40):
        kind = ("cumulative", "annual", "level")[i % 3]
        n = 2 + i % 6
        level = rng.uniform(10, 1000)
        years = {2022 - n + 1 + k: round(level * (1 + rng.normal(0.03, 0.1)) ** k, 3) for k in range(n)}
        value = level * (5 if kind == "cumulative" else 1.1)
        out[f"s{i:02d}"] = {
            "kind": kind,
            "value": round(value, 3),
            "years": years,
            "comparator": "<=" if i % 7 == 0 else ">=",
        }
    return out


def test_a_series_gets_the_same_projection_alone_and_inside_a_panel():
    panel = _panel()
    together = evaluate(world(panel)).set_index("indicator_id")
    cols = ["projected_value", "projected_low", "projected_high", "prob_meet"]
    assert together[cols].notna().all(axis=1).sum() > 10
    for sid in ("s00", "s01", "s02", "s09", "s14", "s23"):
        alone = evaluate(world({sid: panel[sid]})).set_index("indicator_id")
        pd.testing.assert_frame_equal(alone.loc[[sid], cols], together.loc[[sid], cols])


def test_two_runs_give_byte_identical_projections():
    frames = world(_panel())
    first, second = (projected(frames) for _ in range(2))
    a, b = io.BytesIO(), io.BytesIO()
    first.to_parquet(a)
    second.to_parquet(b)
    assert a.getvalue() == b.getvalue()


def test_a_non_negative_series_is_not_projected_below_zero_nor_its_total_below_the_total_so_far():
    lk = uniform_lookup()
    # falling fast: drift 14 → 2 → −10 …; scale 12, so the uniform error reaches ±9.6 around it
    level = run([[38, 26, 14]], "level", ">=", 1, 2025, lk).iloc[0]
    assert level["projected_value"] == 0 and level["projected_low"] == 0
    cum = run([[38, 26, 14]], "cumulative", ">=", 100, 2025, lk, so_far=40, so_far_end=2022).iloc[0]
    assert cum["projected_low"] >= 40 and cum["projected_value"] >= 40
    # a series that has been negative keeps its full interval
    free = run([[-2, -14, -26]], "level", ">=", 1, 2025, lk).iloc[0]
    assert free["projected_value"] == pytest.approx(-62) and free["projected_low"] < free["projected_value"]


@pytest.mark.parametrize("width", [1, 2, 7, 8, 9, 10, 16, 127, 128, 129, 300])
def test_the_column_wise_sum_adds_in_numpys_own_order(width: int):
    """``nansum_rows_of_transposed`` repeats numpy's pairwise order of additions so that the
    engine's sums are numpy's bit for bit; a numpy that changed its order would change the
    engine's output silently, so the two are compared here (NaN, -0.0 and inf included)."""
    rng = np.random.default_rng(width)
    m = rng.normal(size=(50, width)) * 10.0 ** rng.integers(-3, 6, size=(50, width))
    m[rng.random(m.shape) < 0.2] = np.nan
    m[rng.random(m.shape) < 0.05] = -0.0
    m[0, 0] = np.inf
    m[1, :] = np.nan  # a row with no known value sums to 0.0
    expected = np.nansum(np.ascontiguousarray(m), axis=1)
    transposed = np.ascontiguousarray(m.T)
    got = mth.nansum_rows_of_transposed(transposed)
    assert got.tobytes() == expected.tobytes()
    assert np.array_equal(transposed, m.T, equal_nan=True)  # the input is left as it was
    assert mth.nansum_rows_of_transposed(transposed.copy(), overwrite=True).tobytes() == expected.tobytes()
