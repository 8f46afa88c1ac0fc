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
    series = pd.concat([rows[["indicator_id", "region"]], facts], axis=1).drop_duplicates(["indicator_id", "region"])
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
    kind = rows["target_kind"]
    T = rows["target_value"].astype(float)
    year = rows["target_year"].astype(float)
    n = facts["n_years"].astype(float)

    mu = facts["flow_mean"].astype(float)
    sigma = facts["flow_sd"].where(n >= 3, flow_cv * mu.abs()).astype(float)
    df_flow = np.maximum(n - 1, 1)

    q = pd.Series(np.nan, index=rows.index)
    sd = pd.Series(np.nan, index=rows.index)
    df = pd.Series(np.nan, index=rows.index)
    remaining = pd.Series(np.nan, index=rows.index)

    cum = kind.eq("cumulative")
    R = (year - so_far_end).clip(lower=0)
    q[cum] = (so_far + R * mu)[cum]
    sd[cum] = (sigma * np.sqrt(R + R**2 / n.where(n > 0)))[cum]
    df[cum] = df_flow[cum]
    # the outcome is already known: nothing left to project
    done = cum & (R == 0) & so_far.notna()
    q[done], sd[done], df[done] = so_far[done], 0.0, 1.0

    ann = kind.eq("annual")
    q[ann] = mu[ann]
    sd[ann] = (sigma * np.sqrt(1 + 1 / n.where(n > 0)))[ann]
    df[ann] = df_flow[ann]
    remaining[ann] = (year - rows["data_year"]).clip(lower=0)[ann]

    lev = kind.eq("level")
    x0 = year
    pred = facts["trend_ybar"] + facts["trend_slope"] * (x0 - facts["trend_xbar"])
    s2 = (facts["trend_sse"] / (n - 2)).where(n >= 3, (level_rel * facts["trend_ybar"].abs()) ** 2)
    se = np.sqrt(s2 * (1 + 1 / n + (x0 - facts["trend_xbar"]) ** 2 / facts["trend_sxx"]))
    q[lev] = pred[lev]
    sd[lev] = se[lev]
    df[lev] = np.maximum(n - 2, 1)[lev]

    has_points = (n >= 2) | done
    q = q.where(has_points)
    sd = sd.where(has_points)
    tq = stats.t.ppf(0.5 + INTERVAL / 2, df.fillna(1))
    low, high = q - tq * sd, q + tq * sd

    p_one = _prob_meets(q, sd, df, T, rows["comparator"])
    prob = p_one.copy()
    # an annual bound must hold in every remaining year
    prob[ann] = (p_one ** remaining.where(remaining > 0, 1))[ann]
    return pd.DataFrame({
        "projected_value": q, "projected_low": low, "projected_high": high,
        "prob_meet": prob.where(q.notna()), "projection_sd": sd, "projection_df": df,
    })


def _prob_meets(q: pd.Series, sd: pd.Series, df: pd.Series, T: pd.Series, comparator: pd.Series) -> pd.Series:
    """P(outcome meets the target) under a Student-t around ``q``; exact 0/1 when sd is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (T - q) / sd
        dfs = df.fillna(1)
        upper = 1 - stats.t.cdf(z, dfs)           # P(X > T)
        lower = stats.t.cdf(z, dfs)               # P(X < T)
        band = stats.t.cdf((T * 1.05 - q) / sd, dfs) - stats.t.cdf((T * 0.95 - q) / sd, dfs)
    p = pd.Series(np.where(comparator.isin(["<=", "<", "="]), lower, np.where(comparator.eq("≈"), band, upper)),
                  index=q.index)
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
