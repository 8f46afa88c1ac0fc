"""Project each target to its year, with an 80% interval and the probability of meeting it.

A plan indicator has 2 to 10 yearly points: too few for a series to measure its own
uncertainty. So each series is projected by the method that forecast best on real yearly
series cut to the same window (chosen per kind of target and window length), and its
uncertainty is read from the errors that method made there: scale-free quantiles by kind,
window and horizon, calibrated once and shipped with the package (``calibration.py``,
``calibration/errors.csv``). A series' interval and probability depend on its own points and
that table only, never on which other series share the run.

- **levels by a year**: the value ``h`` years after the latest, with the quantiles of the
  value error at ``h``;
- **cumulative targets**: the total so far plus the forecast flows of the remaining years,
  with the quantiles of the error of a *sum* of flows (measured on sums, so the correlation
  of the years is in them);
- **annual bounds** ("每年…不低于"): a year already observed in the plan period that breaks
  the bound decides the target (probability 0); otherwise every remaining year must hold,
  with the years' errors correlated as calibrated (a one-factor Gaussian copula on the
  calibrated marginals), not multiplied as if independent.

Fewer than two usable yearly points (after a break, only the years since it count): no
projection and no probability, and ``projection_method`` says why. Everything is computed
for all rows at once: numpy over rows, loops only over the few methods and horizons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.polynomial.hermite_e import hermegauss
from scipy import special

from analysis.evaluate import methods as mth
from analysis.evaluate.calibration import LEVELS, Lookup, scale, shipped_lookup
from analysis.evaluate.history import WINDOW, YearlyWindow, yearly_window

__all__ = ["project", "project_window"]

#: The 80% interval's ends, as levels of the calibrated error quantiles.
LOW, HIGH = LEVELS.index(0.1), LEVELS.index(0.9)
#: Probabilities beyond the calibrated tails are not claimed: P stays within these.
P_FLOOR, P_CEIL = LEVELS[0] / 2, 1 - LEVELS[0] / 2
MAX_HORIZON = 30
_NODES, _WEIGHTS = hermegauss(16)
_WEIGHTS = _WEIGHTS / np.sqrt(2 * np.pi)
_LV = np.asarray(LEVELS)

KINDS = ("annual", "cumulative", "level")
FLOOR, CEILING, BAND = 0, 1, 2


def project(rows: pd.DataFrame, facts: pd.DataFrame, so_far: pd.Series, so_far_end: pd.Series,
            known: pd.DataFrame, first_year: np.ndarray | None = None) -> pd.DataFrame:
    """Projected value, 80% interval, probability of meeting the target and method, per row.

    ``so_far``/``so_far_end``: for cumulative targets, the total reached and the last year it
    covers (the caller knows whether that came from yearly flows or a reported total);
    ``known``: ``asof.known_observations`` output; ``first_year``: per row, the first year of
    the series segment after its last break (NaN: no break).
    """
    window = yearly_window(known, len(rows), first_year)
    arr = lambda s: pd.Series(s).to_numpy(dtype=np.float64, na_value=np.nan)  # noqa: E731
    out = project_window(
        window, rows["target_kind"].to_numpy(dtype=object), rows["comparator"].to_numpy(dtype=object),
        arr(rows["target_value"].astype(float)), arr(rows["target_year"].astype(float)),
        arr(rows["period_start"].astype(float)), arr(so_far), arr(so_far_end),
        broken=None if first_year is None else ~np.isnan(np.asarray(first_year, dtype=np.float64)))
    out.index = rows.index
    return out


def project_window(window: YearlyWindow, kind: np.ndarray, comparator: np.ndarray, target: np.ndarray,
                   target_year: np.ndarray, plan_start: np.ndarray, so_far: np.ndarray, so_far_end: np.ndarray,
                   broken: np.ndarray | None = None, lookup: Lookup | None = None) -> pd.DataFrame:
    """The projection of every row from its yearly window (``project`` without the frames).

    ``lookup``: the calibrated errors (default: the table shipped in the package; the
    backtest passes a table calibrated on another panel)."""
    lk = lookup or shipped_lookup()
    n = len(kind)
    Y, L, count = window.values, window.last_year, window.count
    ann, cum, lev = (np.asarray(kind == k, dtype=bool) for k in KINDS)
    quant = ann | cum | lev
    side = np.select([np.isin(comparator, [">=", ">"]), comparator == "≈"], [FLOOR, BAND], default=CEILING)
    nan = np.full(n, np.nan)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        s = scale(Y)
        w = lk.window_of(count)
        calib_kind = cum.astype(np.int64)                         # 0: a value, 1: a sum of flows
        start = np.where(cum, np.fmax(so_far_end, L), L)          # the last year already counted
        offset = np.where(cum, start - L, 0.0)                    # flows known as a total only
        horizon = target_year - start                             # years still to come
        ok = quant & (count >= 2) & (horizon >= 1) & ~(cum & np.isnan(so_far))
        need = np.where(ok, horizon + offset, 0)
        H = int(np.clip(np.nanmax(need, initial=1), 1, MAX_HORIZON))
        h = np.clip(np.nan_to_num(horizon), 1, MAX_HORIZON).astype(np.int64)
        off = np.clip(np.nan_to_num(offset), 0, MAX_HORIZON - 1).astype(np.int64)

        # point forecasts of the next H years, by the method calibrated for the row's kind and window
        method = np.where(ok, lk.method[calib_kind, np.clip(w, 2, WINDOW)], "")
        F = np.full((n, H), np.nan)
        for name in sorted(set(method[ok])):
            sel = ok & (method == name)
            F[sel] = mth.forecast(name, Y[sel], H)
        r = np.arange(n)
        cumF = np.concatenate([np.zeros((n, 1)), np.cumsum(F, axis=1)], axis=1)
        added = cumF[r, np.minimum(off + h, H)] - cumF[r, np.minimum(off, H)]
        at_h = F[r, np.minimum(h, H) - 1]
        q = np.where(cum, so_far + added, at_h)
        Q = lk.quantiles_at(calib_kind, w, np.where(ok, horizon, 1)) * s[:, None]
        q = np.where(ok, q, nan)
        low, high = q + Q[:, LOW], q + Q[:, HIGH]
        p = np.where(ok, _prob(q, Q, target, side), nan)

        # annual bounds: every remaining year must hold, years correlated as calibrated
        many = ok & ann & (horizon >= 2)
        if many.any():
            p[many] = _every_year(F[many], s[many], lk, w[many], h[many], target[many], side[many])

        # what is already known decides
        years = window.years()
        in_plan = (years >= plan_start[:, None]) & (years <= target_year[:, None]) & ~np.isnan(Y)
        breached = ann & (in_plan & ~_meets_matrix(Y, target, side, comparator)).any(axis=1)
        done_cum = cum & (np.nan_to_num(target_year - so_far_end, nan=1.0) <= 0) & ~np.isnan(so_far)
        done_ann = ann & (horizon <= 0) & (count >= 1)
        at_target = np.clip(WINDOW - 1 - (L - target_year), 0, WINDOW - 1)
        y_target = Y[r, np.nan_to_num(at_target).astype(np.int64)]
        done_lev = lev & (horizon <= 0) & ~np.isnan(y_target) & (target_year >= L - WINDOW + 1)
        known_value = np.select([done_cum, done_lev, done_ann], [so_far, y_target, Y[r, WINDOW - 1]], default=nan)
        done = done_cum | done_lev | done_ann
        q, low, high = (np.where(done, known_value, x) for x in (q, low, high))
        p = np.where(done, _meets(known_value, target, side, comparator).astype(float), p)
        p = np.where(breached, 0.0, p)
        p = np.where(np.isnan(target), np.nan, p)

    few = quant & ~ok & ~done & ~breached
    why = np.select(
        [~quant, done, breached, few & (broken if broken is not None else False) & (window.all_count >= 2),
         few & cum & np.isnan(so_far) & (count >= 2), few & (count >= 2), few],
        ["none_not_quantitative", "known", "breached", "none_break", "none_no_total", "none_past_target",
         "none_few_points"], default=method)
    return pd.DataFrame({
        "projected_value": q, "projected_low": low, "projected_high": high, "prob_meet": p,
        "projection_method": why.astype(object), "projection_scale": np.where(ok, s, nan),
        "projection_window": np.where(ok, w, 0), "projection_horizon": np.where(ok, horizon, nan),
    })


def _cdf(Q: np.ndarray, z: np.ndarray) -> np.ndarray:
    """P(error ≤ z) per row from its quantile row (linear between levels, tails not claimed)."""
    k = (Q <= z[:, None]).sum(axis=1)
    K = Q.shape[1]
    lo, hi = np.clip(k - 1, 0, K - 1), np.clip(k, 0, K - 1)
    r = np.arange(len(z))
    ql, qh = Q[r, lo], Q[r, hi]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(qh > ql, (z - ql) / (qh - ql), 0.0)
    p = _LV[lo] + np.clip(frac, 0, 1) * (_LV[hi] - _LV[lo])
    p = np.where(k == 0, P_FLOOR, np.where(k == K, P_CEIL, p))
    return np.where(np.isnan(z) | np.isnan(Q[:, 0]), np.nan, p)


def _z(T: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Distance to the target in the error's units (scale already in the quantiles), as an error."""
    return T - q


def _prob(q: np.ndarray, Q: np.ndarray, T: np.ndarray, side: np.ndarray) -> np.ndarray:
    """P(outcome meets T) when outcome = q + error and the error has quantiles ``Q``."""
    below = _cdf(Q, _z(T, q))                                           # P(outcome ≤ T)
    band = _cdf(Q, _z(T + 0.05 * np.abs(T), q)) - _cdf(Q, _z(T - 0.05 * np.abs(T), q))
    degenerate = ~(Q[:, -1] > Q[:, 0])                                  # a series that never moved
    exact = np.select([side == FLOOR, side == BAND], [q >= T, np.abs(q - T) <= 0.05 * np.abs(T)], default=q <= T)
    p = np.select([side == FLOOR, side == BAND], [1 - below, band], default=below)
    return np.where(degenerate & ~np.isnan(q), exact.astype(float), np.clip(p, P_FLOOR, P_CEIL))


def _every_year(F: np.ndarray, s: np.ndarray, lk: Lookup, w: np.ndarray, h: np.ndarray, T: np.ndarray,
                side: np.ndarray) -> np.ndarray:
    """P(every year 1..h meets the bound): calibrated marginals joined by a one-factor Gaussian
    copula with the calibrated correlation between horizons (ρ → 1: the worst year alone;
    ρ → 0: the product)."""
    m, H = F.shape
    rho = np.clip(lk.rho[np.clip(w, 2, WINDOW)], 0.0, 0.999)
    logp = np.zeros((m, len(_NODES)))
    a, b = np.sqrt(rho)[:, None], np.sqrt(1 - rho)[:, None]
    band_min = np.ones(m)
    for k in range(1, min(int(h.max()), H) + 1):
        live = h >= k
        Q = lk.quantiles_at(np.zeros(m, np.int64), w, np.full(m, k)) * s[:, None]
        pk = _prob(F[:, k - 1], Q, T, side)
        band_min = np.where(live, np.fmin(band_min, pk), band_min)
        thr = special.ndtri(1 - np.clip(pk, P_FLOOR, P_CEIL))[:, None]    # meet ⇔ normal score ≥ thr
        term = special.log_ndtr((a * _NODES[None, :] - thr) / b)
        logp += np.where(live[:, None], term, 0.0)
    p = np.exp(logp) @ _WEIGHTS
    # a band (≈) every year: the worst year's chance, an upper bound
    return np.where(side == BAND, band_min, np.clip(p, P_FLOOR, P_CEIL))


def _meets_matrix(Y: np.ndarray, T: np.ndarray, side: np.ndarray, comparator: np.ndarray) -> np.ndarray:
    T = T[:, None]
    strict = np.isin(comparator, [">", "<"])[:, None]
    floor = np.where(strict, Y > T, Y >= T)
    ceiling = np.where(strict, Y < T, np.where((comparator == "=")[:, None], Y == T, Y <= T))
    band = np.abs(Y - T) <= 0.05 * np.abs(T)
    sd = side[:, None]
    return np.where(sd == FLOOR, floor, np.where(sd == BAND, band, ceiling))


def _meets(value: np.ndarray | pd.Series, T: np.ndarray | pd.Series, side_or_comparator, comparator=None):
    """Whether ``value`` meets the target under its comparator (≈ means within ±5%).

    Called with (value, T, comparator) as Series (judgement.py) or with the side codes and
    comparators as arrays (here)."""
    if comparator is None:
        comparator = side_or_comparator
        v, t = value, T
        return pd.Series(np.select(
            [comparator.eq(">="), comparator.eq(">"), comparator.eq("<="), comparator.eq("<"), comparator.eq("="),
             comparator.eq("≈")],
            [v >= t, v > t, v <= t, v < t, v == t, (v - t).abs() <= 0.05 * t.abs()], default=False), index=v.index)
    return _meets_matrix(np.asarray(value, float)[:, None], np.asarray(T, float), side_or_comparator,
                         np.asarray(comparator, dtype=object))[:, 0]
