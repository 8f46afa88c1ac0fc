"""Project each target to its year, with an 80% interval and the probability of meeting it.

Plans give few yearly points (3 to 10 at best), so the models are the simplest that can be
defended and that widen honestly when points are few:

- cumulative targets: yearly flows as draws around their mean; the remaining years add
  ``R × mean``, with variance ``σ²·(R + R²/n)`` (the flows' own spread plus the uncertainty of
  their mean);
- annual floors and ceilings: next year's value from the same model, and the chance that
  every remaining year meets the bound (years taken as independent);
- levels by a year: a linear trend over the years, with the prediction interval of a
  least-squares line.

Where a series has fewer than three points its spread cannot be estimated from itself; it is
then borrowed from comparable series in the same run (the median relative spread of the
series that have three or more points), and the Student-t degrees of freedom stay small, so
fewer points give wider intervals. One point or none gives no projection. Everything is
computed for all rows at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.evaluate.vocabulary import INTERVAL

DEFAULT_FLOW_CV = 0.15     # used only when no series in the run has three points
DEFAULT_LEVEL_REL = 0.05


def pooled_scales(rows: pd.DataFrame, facts: pd.DataFrame) -> tuple[float, float]:
    """Median relative spread of flows and of trend residuals, over series with ≥ 3 points."""
    # each series once (its first row): codes of indicator and region, not their text
    ind = pd.factorize(rows["indicator_id"], use_na_sentinel=False)[0].astype(np.int64)
    reg = pd.factorize(rows["region"], use_na_sentinel=False)[0].astype(np.int64)
    first = np.unique(ind * (reg.max(initial=0) + 1) + reg, return_index=True)[1]
    series = facts[["n_years", "flow_sd", "flow_mean", "trend_sse", "trend_ybar"]].iloc[np.sort(first)]
    enough = series[series["n_years"] >= 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = (enough["flow_sd"] / enough["flow_mean"].abs()).replace([np.inf, -np.inf], np.nan).dropna()
        resid = np.sqrt(enough["trend_sse"] / (enough["n_years"] - 2)) / enough["trend_ybar"].abs()
    resid = resid.replace([np.inf, -np.inf], np.nan).dropna()
    flow_cv = float(cv.median()) if len(cv) else DEFAULT_FLOW_CV
    level_rel = float(resid.median()) if len(resid) else DEFAULT_LEVEL_REL
    return flow_cv, level_rel


def project(rows: pd.DataFrame, facts: pd.DataFrame, so_far: pd.Series, so_far_end: pd.Series) -> pd.DataFrame:
    """Projected value, 80% interval and probability of meeting the target, per row.

    ``so_far``/``so_far_end``: for cumulative targets, the total reached and the last year it
    covers (the caller knows whether that came from yearly flows or a reported total).
    """
    flow_cv, level_rel = pooled_scales(rows, facts)
    arr = lambda s: s.to_numpy(dtype=np.float64, na_value=np.nan)  # noqa: E731
    kind = rows["target_kind"]
    cum, ann, lev = (kind.eq(k).to_numpy(dtype=bool) for k in ("cumulative", "annual", "level"))
    T = arr(rows["target_value"].astype(float))
    year = arr(rows["target_year"].astype(float))
    n = arr(facts["n_years"].astype(float))
    so_far, so_far_end = arr(so_far), arr(so_far_end)
    ybar, slope, xbar = arr(facts["trend_ybar"]), arr(facts["trend_slope"]), arr(facts["trend_xbar"])
    sse, sxx = arr(facts["trend_sse"]), arr(facts["trend_sxx"])

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mu = arr(facts["flow_mean"].astype(float))
        # a series' own spread, but never below what comparable series show (few points can look calm)
        sigma = np.where(n >= 3, np.fmax(arr(facts["flow_sd"]), flow_cv * np.abs(mu)), flow_cv * np.abs(mu))
        df_flow = np.maximum(n - 1, 1)
        n_pos = np.where(n > 0, n, np.nan)
        nan = np.full(len(rows), np.nan)

        R = year - so_far_end
        R = np.where(np.isnan(R) | (R >= 0), R, 0.0)          # clip(lower=0), NaN kept
        q = np.where(cum, so_far + R * mu, nan)
        sd = np.where(cum, sigma * np.sqrt(R + R**2 / n_pos), nan)
        df = np.where(cum, df_flow, nan)
        # the outcome is already known: nothing left to project
        done = cum & (R == 0) & ~np.isnan(so_far)
        q, sd, df = np.where(done, so_far, q), np.where(done, 0.0, sd), np.where(done, 1.0, df)

        q = np.where(ann, mu, q)
        sd = np.where(ann, sigma * np.sqrt(1 + 1 / n_pos), sd)
        df = np.where(ann, df_flow, df)
        left = year - rows["data_year"].to_numpy(dtype=np.float64)
        remaining = np.where(ann, np.where(np.isnan(left) | (left >= 0), left, 0.0), nan)

        x0 = year
        pred = ybar + slope * (x0 - xbar)
        pooled_s2 = (level_rel * np.abs(ybar)) ** 2
        s2 = np.where(n >= 3, np.fmax(sse / np.maximum(n - 2, 1), pooled_s2), pooled_s2)
        se = np.sqrt(s2 * (1 + 1 / n + (x0 - xbar) ** 2 / sxx))
        q = np.where(lev, pred, q)
        sd = np.where(lev, se, sd)
        df = np.where(lev, np.maximum(n - 2, 1), df)

        has_points = (n >= 2) | done
        q = np.where(has_points, q, np.nan)
        sd = np.where(has_points, sd, np.nan)
        # degrees of freedom are few whole numbers: each quantile once
        distinct, which = np.unique(np.where(np.isnan(df), 1, df), return_inverse=True)
        tq = stats.t.ppf(0.5 + INTERVAL / 2, distinct)[which.reshape(-1)]
        low, high = q - tq * sd, q + tq * sd

        index = rows.index
        p_one = _prob_meets(pd.Series(q, index=index), pd.Series(sd, index=index), pd.Series(df, index=index),
                            pd.Series(T, index=index), rows["comparator"]).to_numpy(dtype=np.float64)
        # an annual bound must hold in every remaining year
        prob = np.where(ann, p_one ** np.where(remaining > 0, remaining, 1), p_one)
    return pd.DataFrame({
        "projected_value": q, "projected_low": low, "projected_high": high,
        "prob_meet": np.where(np.isnan(q), np.nan, prob), "projection_sd": sd, "projection_df": df,
    }, index=rows.index)


def _prob_meets(q: pd.Series, sd: pd.Series, df: pd.Series, T: pd.Series, comparator: pd.Series) -> pd.Series:
    """P(outcome meets the target) under a Student-t around ``q``; exact 0/1 when sd is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (T - q) / sd
        dfs = df.fillna(1)
        lower = stats.t.cdf(z, dfs)               # P(X < T)
        upper = 1 - lower                         # P(X > T)
        # within ±5% of the target, for the few "≈" targets only
        near = comparator.eq("≈").to_numpy(dtype=bool)
        band = np.full(len(q), np.nan)
        if near.any():
            a, b, d = ((T * 1.05 - q) / sd)[near], ((T * 0.95 - q) / sd)[near], dfs[near]
            band[near] = stats.t.cdf(a, d) - stats.t.cdf(b, d)
    p = pd.Series(np.where(comparator.isin(["<=", "<", "="]), lower, np.where(near, band, upper)), index=q.index)
    certain = sd.eq(0)
    meets = _meets(q, T, comparator)
    p[certain] = meets[certain].astype(float)
    return p


def _meets(value: pd.Series, T: pd.Series, comparator: pd.Series) -> pd.Series:
    """Whether ``value`` meets the target under its comparator (≈ means within ±5%)."""
    return pd.Series(np.select(
        [comparator.eq(">="), comparator.eq(">"), comparator.eq("<="), comparator.eq("<"), comparator.eq("="),
         comparator.eq("≈")],
        [value >= T, value > T, value <= T, value < T, value == T, (value - T).abs() <= 0.05 * T.abs()],
        default=False), index=value.index)
