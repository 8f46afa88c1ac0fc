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
from analysis.evaluate.calibration import HORIZONS, LEVELS, Lookup, centre, relative_scale, scale, shipped_lookup
from analysis.evaluate.history import WINDOW, YearlyWindow, yearly_window
from analysis.targets import COMPARATORS, QUANTITATIVE_KINDS

__all__ = ["project", "project_window"]

#: The 80% interval's ends, as levels of the calibrated error quantiles.
LOW, HIGH = LEVELS.index(0.1), LEVELS.index(0.9)
#: Probabilities beyond the calibrated tails are not claimed: P stays within these.
P_FLOOR, P_CEIL = LEVELS[0] / 2, 1 - LEVELS[0] / 2
MAX_HORIZON = 30
_NODES, _WEIGHTS = hermegauss(10)
_WEIGHTS = _WEIGHTS / np.sqrt(2 * np.pi)
_LV = np.asarray(LEVELS)

#: Kinds and comparators are coded by position in these (declared once, in analysis.targets).
KINDS = QUANTITATIVE_KINDS
FLOOR, CEILING, BAND = 0, 1, 2
_SIDE = np.array([FLOOR, FLOOR, CEILING, CEILING, CEILING, BAND, CEILING])  # last: no comparator
#: Why a row has no projection (codes −1 … −7 in that order) or what decided it.
REASONS = (
    "none_not_quantitative",
    "known",
    "breached",
    "none_break",
    "none_no_total",
    "none_past_target",
    "none_few_points",
)


def project(
    rows: pd.DataFrame,
    facts: pd.DataFrame,
    so_far: pd.Series,
    so_far_end: pd.Series,
    known: pd.DataFrame,
    first_year: np.ndarray | None = None,
    window: YearlyWindow | None = None,
) -> pd.DataFrame:
    """Projected value, 80% interval, probability of meeting the target and method, per row.

    ``so_far``/``so_far_end``: for cumulative targets, the total reached and the last year it
    covers (the caller knows whether that came from yearly flows or a reported total);
    ``known``: ``asof.known_observations`` output; ``first_year``: per row, the first year of
    the series segment after its last break (NaN: no break); ``window``: the rows' yearly
    window when the caller has it already (``series.facts_and_window``), else built from ``known``.
    """
    if window is None:
        window = yearly_window(known, len(rows), first_year)
    arr = lambda s: pd.Series(s).to_numpy(dtype=np.float64, na_value=np.nan)  # noqa: E731
    kind = np.select(
        [rows["target_kind"].eq(k).to_numpy(dtype=bool, na_value=False) for k in KINDS], range(len(KINDS)), default=-1
    )
    out = project_window(
        window,
        kind,
        comparator_codes(rows["comparator"]),
        arr(rows["target_value"].astype(float)),
        arr(rows["target_year"].astype(float)),
        arr(rows["period_start"].astype(float)),
        arr(so_far),
        arr(so_far_end),
        broken=None if first_year is None else ~np.isnan(np.asarray(first_year, dtype=np.float64)),
    )
    out.index = rows.index
    return out


def comparator_codes(comparator: pd.Series) -> np.ndarray:
    """Positions in ``COMPARATORS`` (−1 for none)."""
    c = pd.Series(comparator)
    return np.select(
        [c.eq(x).to_numpy(dtype=bool, na_value=False) for x in COMPARATORS], range(len(COMPARATORS)), default=-1
    )


def project_window(
    window: YearlyWindow,
    kind: np.ndarray,
    comparator: np.ndarray,
    target: np.ndarray,
    target_year: np.ndarray,
    plan_start: np.ndarray,
    so_far: np.ndarray,
    so_far_end: np.ndarray,
    broken: np.ndarray | None = None,
    lookup: Lookup | None = None,
) -> pd.DataFrame:
    """The projection of every row from its yearly window (``project`` without the frames).

    ``kind``: positions in ``KINDS`` (−1: not quantitative); ``comparator``: positions in
    ``COMPARATORS``; ``lookup``: the calibrated errors (default: the table shipped in the
    package; the backtest passes a table calibrated on another panel). The rows with enough
    years are forecast (``_forecasts``); what is already known then decides (``_breached``,
    ``_already_known``); the others say why they have no projection (``_methods``)."""
    lk = lookup or shipped_lookup()
    L, count = window.last_year, window.count
    ann, cum, lev = (kind == k for k in range(len(KINDS)))
    quant = kind >= 0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        w = lk.window_of(count)
        start = np.where(cum, np.fmax(so_far_end, L), L)  # the last year already counted
        horizon = target_year - start  # years still to come
        ok = quant & (count >= 2) & (horizon >= 1) & ~(cum & np.isnan(so_far))
        q, low, high, p, s, code = _forecasts(
            ok, window.values, L, cum, ann, w, horizon, start, so_far, target, _SIDE[comparator], lk
        )
        # what is already known decides
        breached = _breached(window, ann, comparator, target, target_year, plan_start)
        done = _already_known(
            (q, low, high, p), window, cum, ann, lev, horizon, comparator, target, target_year, so_far, so_far_end
        )
        p[breached] = 0.0
        p[np.isnan(target)] = np.nan

    method = _methods(lk, code, quant, ok, done, breached, broken, window, cum, so_far)
    return pd.DataFrame(
        {
            "projected_value": q,
            "projected_low": low,
            "projected_high": high,
            "prob_meet": p,
            "projection_method": method,
            "projection_scale": s,
            "projection_window": np.where(ok, w, 0),
            "projection_horizon": np.where(ok, horizon, np.nan),
        }
    )


def _methods(
    lk: Lookup,
    code: np.ndarray,
    quant: np.ndarray,
    ok: np.ndarray,
    done: np.ndarray,
    breached: np.ndarray,
    broken: np.ndarray | None,
    window: YearlyWindow,
    cum: np.ndarray,
    so_far: np.ndarray,
) -> pd.Categorical:
    """The method of each row forecast (``code``), else why it has none or what decided it."""
    count = window.count
    few = quant & ~ok & ~done & ~breached
    why = np.select(
        [
            ~quant,
            done,
            breached,
            few & (broken if broken is not None else False) & (window.all_count >= 2),
            few & cum & np.isnan(so_far) & (count >= 2),
            few & (count >= 2),
            few,
        ],
        [-1, -2, -3, -4, -5, -6, -7],
        default=code,
    )
    # a categorical: the methods the table names, then the reasons (codes −1 … −7 counted from the end)
    names = list(lk.names) + list(REASONS[::-1])
    return pd.Categorical.from_codes(np.where(why < 0, len(names) + why, why), categories=names)


def _forecasts(
    ok: np.ndarray,
    Y: np.ndarray,
    L: np.ndarray,
    cum: np.ndarray,
    ann: np.ndarray,
    w: np.ndarray,
    horizon: np.ndarray,
    start: np.ndarray,
    so_far: np.ndarray,
    target: np.ndarray,
    side: np.ndarray,
    lk: Lookup,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Value, 80% interval, probability and scale (NaN elsewhere) of the rows ``ok`` to
    forecast, and the method of each (a position in the table's names; −1 elsewhere)."""
    n = len(ok)
    nan = np.full(n, np.nan)
    q, low, high, p, s = nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy()
    code = np.full(n, -1, np.int64)
    at = np.flatnonzero(ok)
    if len(at):
        got = _projected(
            Y[at], L[at], cum[at], ann[at], w[at], horizon[at], start[at], so_far[at], target[at], side[at], lk
        )
        q[at], low[at], high[at], p[at], s[at], code[at] = got
    return q, low, high, p, s, code


def _breached(
    window: YearlyWindow,
    ann: np.ndarray,
    comparator: np.ndarray,
    target: np.ndarray,
    target_year: np.ndarray,
    plan_start: np.ndarray,
) -> np.ndarray:
    """An annual bound broken by a year already observed in the plan period: decided."""
    Y, L = window.values, window.last_year
    breached = np.zeros(len(ann), bool)
    a = np.flatnonzero(ann & (window.count >= 1))
    if len(a):
        years = L[a, None] + np.arange(1 - WINDOW, 1, dtype=np.float64)[None, :]  # window.years() of these rows
        in_plan = (years >= plan_start[a, None]) & (years <= target_year[a, None]) & ~np.isnan(Y[a])
        breached[a] = (in_plan & ~_meets_matrix(Y[a], target[a], comparator[a])).any(axis=1)
    return breached


def _already_known(
    projected: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    window: YearlyWindow,
    cum: np.ndarray,
    ann: np.ndarray,
    lev: np.ndarray,
    horizon: np.ndarray,
    comparator: np.ndarray,
    target: np.ndarray,
    target_year: np.ndarray,
    so_far: np.ndarray,
    so_far_end: np.ndarray,
) -> np.ndarray:
    """The rows whose target year is already in the data: their value is the projection (the
    interval closed on it, the probability 0 or 1), written in place into ``projected``
    (value, low, high, probability). Returns which rows they are."""
    Y, L, count = window.values, window.last_year, window.count
    done_cum = cum & (np.nan_to_num(target_year - so_far_end, nan=1.0) <= 0) & ~np.isnan(so_far)
    done_ann = ann & (horizon <= 0) & (count >= 1)
    done_lev = lev & (horizon <= 0) & (count >= 1) & (target_year >= L - WINDOW + 1)
    d = np.flatnonzero(done_cum | done_lev | done_ann)
    col = np.where(done_lev[d], WINDOW - 1 - (L[d] - target_year[d]), WINDOW - 1).astype(np.int64)
    value = np.where(done_cum[d], so_far[d], Y[d, col])
    d, value = d[~np.isnan(value)], value[~np.isnan(value)]
    done = np.zeros(len(cum), bool)
    done[d] = True
    q, low, high, p = projected
    q[d], low[d], high[d] = value, value, value
    p[d] = _meets_matrix(value[:, None], target[d], comparator[d])[:, 0]
    return done


def _projected(
    Y: np.ndarray,
    L: np.ndarray,
    cum: np.ndarray,
    ann: np.ndarray,
    w: np.ndarray,
    horizon: np.ndarray,
    start: np.ndarray,
    so_far: np.ndarray,
    T: np.ndarray,
    side: np.ndarray,
    lk: Lookup,
) -> tuple:
    """Value, interval, probability, scale and method of the rows that are projected."""
    m = len(Y)
    calib_kind = cum.astype(np.int64)  # 0: a value, 1: a sum of flows
    off = np.clip(start - L, 0, MAX_HORIZON - 1).astype(np.int64)  # flows known as a total only
    h = np.clip(horizon, 1, MAX_HORIZON).astype(np.int64)
    H = int(min(int((off + h).max()), MAX_HORIZON))
    # point forecasts of the next H years, by the method calibrated for the row's kind and window
    method = lk.method_code[calib_kind, np.clip(w, 2, WINDOW)]
    F = np.empty((m, H))
    for c in np.unique(method):
        sel = method == c
        F[sel] = mth.forecast(lk.names[c], Y[sel], H)
    r = np.arange(m)
    cumF = np.concatenate([np.zeros((m, 1)), np.cumsum(F, axis=1)], axis=1)
    added = cumF[r, np.minimum(off + h, H)] - cumF[r, np.minimum(off, H)]
    # the error scale: relative (log errors in units of the spread of relative changes) for a
    # series above zero throughout, absolute (MASE units) otherwise
    rel_spread, trend = relative_scale(Y)
    rel = ~np.isnan(rel_spread) & lk.has_relative(calib_kind, trend, w)
    trend = np.where(rel, trend, 0)  # the absolute scale is not binned: every class holds the same
    latest, _ = mth._last(Y)
    steps = np.where(cum, h, 1)
    base = np.where(cum, so_far, 0.0)  # what the uncertain part is added to
    point = np.where(cum, added, F[r, np.minimum(h, H) - 1])
    point = np.where(rel, centre(point, latest, steps), point)
    # the absolute scale and the floor read the window only for the rows not on the relative
    # scale (a relative row is above zero throughout: its floor is never below zero)
    absolute = np.flatnonzero(~rel)
    s = rel_spread.copy()
    s[absolute] = scale(Y[absolute])
    never_below = np.ones(m, bool)
    never_below[absolute] = np.nanmin(Y[absolute], axis=1) >= 0 if len(absolute) else True
    q = base + point
    cells = _Cells(lk, calib_kind, rel.astype(np.int64), trend, w, h)
    dist = _Dist(base, point, s * cells.widen, rel)
    low, high = dist.value(cells.level(LOW)), dist.value(cells.level(HIGH))
    p = _prob(dist, cells, T, side)
    # a series that never went below zero does not go below zero, and a total of such flows
    # never falls: the interval (and the point) are cut there, which no outcome can cross
    floor = np.where(never_below, np.where(cum, so_far, 0.0), -np.inf)
    q, low, high = np.fmax(q, floor), np.fmax(low, floor), np.fmax(high, floor)
    many = ann & (h >= 2)
    if many.any():
        p[many] = _every_year(
            F[many], s[many], rel[many], trend[many], latest[many], lk, w[many], h[many], T[many], side[many]
        )
    return q, low, high, p, s, method


class _Dist:
    """Outcome = base + point + unit × error (absolute rows) or base + point × exp(unit × error)
    (relative rows), the error calibrated per cell."""

    def __init__(self, base: np.ndarray, point: np.ndarray, unit: np.ndarray, rel: np.ndarray) -> None:
        self.base, self.point, self.unit, self.rel = base, point, unit, rel

    def value(self, error: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            return self.base + np.where(
                self.rel, self.point * np.exp(self.unit * error), self.point + self.unit * error
            )

    def error(self, outcome: np.ndarray) -> np.ndarray:
        """The calibrated error at which the outcome would be ``outcome`` (−∞ below a relative row's base)."""
        u = np.where(self.unit > 0, self.unit, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            above = outcome - self.base
            relative = np.where(above > 0, np.log(np.where(above > 0, above, 1.0) / self.point) / u, -np.inf)
            return np.where(self.rel, relative, (above - self.point) / u)

    def subset(self, at: np.ndarray) -> _Dist:
        return _Dist(self.base[at], self.point[at], self.unit[at], self.rel[at])


class _Cells:
    """Rows grouped by their cell of the calibration table (kind × scale × trend × window ×
    horizon): the few distinct cells are looped over, each with all its rows at once."""

    def __init__(
        self, lk: Lookup, kind: np.ndarray, scale_code: np.ndarray, trend: np.ndarray, w: np.ndarray, h: np.ndarray
    ) -> None:
        hc = np.clip(h, 1, HORIZONS)
        wc = np.clip(w, 2, WINDOW)
        self.table = lk.quantiles.reshape(-1, lk.quantiles.shape[-1])
        shape = lk.quantiles.shape[:5]
        self.key = np.ravel_multi_index((kind, scale_code, trend, wc, hc), shape)
        self.rows = self.table[:, [LOW, HIGH]][self.key]  # the interval's two ends only
        past = np.maximum(h, 1) / HORIZONS
        self.widen = np.where(h > HORIZONS, np.where(kind == 1, past**1.5, past), 1.0)
        self._group()

    def _group(self) -> None:
        self.order = np.argsort(self.key, kind="stable")
        keys = self.key[self.order]
        self.cuts = np.flatnonzero(np.diff(keys)) + 1
        self.groups = np.split(self.order, self.cuts) if len(keys) else []

    def subset(self, at: np.ndarray) -> _Cells:
        """The same cells for the rows ``at`` only."""
        sub = object.__new__(_Cells)
        sub.table, sub.key = self.table, self.key[at]
        sub.rows, sub.widen = self.rows[at], self.widen[at]
        sub._group()
        return sub

    def level(self, j: int) -> np.ndarray:
        return self.rows[:, (LOW, HIGH).index(j)]

    def cdf(self, z: np.ndarray, shift: int = 0) -> np.ndarray:
        """P(scaled error ≤ z) per row (linear between levels; tails not claimed); ``shift``
        moves every row that many horizons further (same kind, scale and window)."""
        out = np.full(len(z), np.nan)
        for g in self.groups:
            qrow = self.table[self.key[g[0]] + shift]
            if np.isnan(qrow).any():
                continue
            out[g] = np.interp(z[g], qrow, _LV, left=P_FLOOR, right=P_CEIL)
        return np.where(np.isnan(z), np.nan, out)


def _prob(dist: _Dist, cells: _Cells, T: np.ndarray, side: np.ndarray, shift: int = 0) -> np.ndarray:
    """P(outcome meets T) under the row's calibrated distribution."""
    q = dist.base + dist.point
    degenerate = ~(dist.unit > 0)  # a series that never moved
    below = cells.cdf(dist.error(T), shift)  # P(outcome ≤ T)
    band = np.zeros(len(q))
    b = np.flatnonzero(side == BAND)
    if len(b):
        sub, db = cells.subset(b), dist.subset(b)
        half = 0.05 * np.abs(T[b])
        band[b] = sub.cdf(db.error(T[b] + half), shift) - sub.cdf(db.error(T[b] - half), shift)
    exact = np.select([side == FLOOR, side == BAND], [q >= T, np.abs(q - T) <= 0.05 * np.abs(T)], default=q <= T)
    p = np.select([side == FLOOR, side == BAND], [1 - below, band], default=below)
    return np.where(degenerate & ~np.isnan(q), exact.astype(float), np.clip(p, P_FLOOR, P_CEIL))


def _every_year(
    F: np.ndarray,
    s: np.ndarray,
    rel: np.ndarray,
    trend: np.ndarray,
    latest: np.ndarray,
    lk: Lookup,
    w: np.ndarray,
    h: np.ndarray,
    T: np.ndarray,
    side: np.ndarray,
) -> np.ndarray:
    """P(every year 1..h meets the bound): calibrated marginals joined by a one-factor Gaussian
    copula with the calibrated correlation between horizons (ρ → 1: the worst year alone;
    ρ → 0: the product)."""
    m, H = F.shape
    # the years' own chances first: a year all but sure to fail settles the row (P(all) ≤ the worst year's)
    scale_code = rel.astype(np.int64)
    cells = _Cells(lk, np.zeros(m, np.int64), scale_code, trend, w, np.ones(m, np.int64))  # horizon 1; later shifted
    last = min(int(h.max()), H)
    P = np.ones((m, last))
    zero = np.zeros(m)
    for k in range(1, last + 1):
        widen = k / HORIZONS if k > HORIZONS else 1.0
        point = np.where(rel, centre(F[:, k - 1], latest), F[:, k - 1])
        P[:, k - 1] = np.where(
            h >= k, _prob(_Dist(zero, point, s * widen, rel), cells, T, side, shift=min(k, HORIZONS) - 1), 1.0
        )
    worst = P.min(axis=1)
    out = np.where(worst <= P_FLOOR, P_FLOOR, np.nan)
    band = side == BAND
    out[band] = worst[band]  # a band (≈) every year: the worst year's chance, an upper bound
    todo = np.flatnonzero(np.isnan(out))
    if len(todo):
        out[todo] = _copula(P[todo], h[todo], lk.rho[scale_code[todo], trend[todo], np.clip(w[todo], 2, WINDOW)])
    return out


def _copula(P: np.ndarray, h: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """P(all years hold) from the years' chances, one-factor Gaussian copula (Gauss–Hermite)."""
    m = len(P)
    rho = np.clip(rho, 0.0, 0.999)
    # single precision: probabilities need no more than 7 digits, and the matrix is rows × nodes
    prod = np.ones((m, len(_NODES)), np.float32)
    a, b = np.sqrt(rho)[:, None], np.sqrt(1 - rho)[:, None]
    nodes = _NODES.astype(np.float32)[None, :]
    for k in range(P.shape[1]):
        live = np.flatnonzero(h > k)
        thr = special.ndtri(1 - np.clip(P[live, k], P_FLOOR, P_CEIL))[:, None]  # hold ⇔ normal score ≥ thr
        z = ((a[live] * nodes - thr) / b[live]).astype(np.float32)
        prod[live] *= _phi(z)
    return np.clip(prod.astype(np.float64) @ _WEIGHTS, P_FLOOR, P_CEIL)


def _phi(z: np.ndarray) -> np.ndarray:
    """The normal distribution function by its tanh form (error below 2·10⁻⁴, five times
    faster than the exact one; the copula's factors need no more)."""
    return 0.5 * (1 + np.tanh(np.float32(0.7978846) * (z + np.float32(0.044715) * z * z * z)))


def _meets_matrix(Y: np.ndarray, T: np.ndarray, comparator: np.ndarray) -> np.ndarray:
    """Whether each value meets its row's target (comparator codes; ≈ means within ±5%)."""
    T = T[:, None]
    c = comparator[:, None]
    out = np.where(_SIDE[c] == FLOOR, np.where(c == 1, Y > T, Y >= T), np.where(c == 3, Y < T, Y <= T))
    odd = np.flatnonzero(np.isin(comparator, [4, 5, -1]))  # =, ≈, none: rare
    if len(odd):
        Yo, To, co = Y[odd], T[odd], c[odd]
        out[odd] = np.select([co == 4, co == 5], [Yo == To, np.abs(Yo - To) <= 0.05 * np.abs(To)], default=False)
    return out


def _meets(value: pd.Series, T: pd.Series, comparator: pd.Series) -> pd.Series:
    """Whether ``value`` meets the target under its comparator (≈ means within ±5%)."""
    return pd.Series(
        _meets_matrix(
            value.to_numpy(dtype=np.float64, na_value=np.nan)[:, None],
            T.to_numpy(dtype=np.float64, na_value=np.nan),
            comparator_codes(comparator),
        )[:, 0],
        index=value.index,
    )
