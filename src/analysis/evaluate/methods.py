"""Point forecasts of short yearly series, for a whole panel at once.

Every method takes a rows × years matrix (``history.YearlyWindow.values``: the last column is
each row's latest year, NaN where a year is unknown) and returns rows × ``horizons`` forecasts
of the next years' values. Loops run over the few columns or horizons, never over rows.

- ``last``: the latest value held (naive);
- ``drift``: the latest value plus the mean yearly change between the first and the latest
  year (naive drift, the benchmark of the M competitions for yearly data);
- ``trend``: a least-squares line through the years;
- ``damped``: drift whose yearly step shrinks by ``PHI`` each year ahead (a damped trend with
  the drift's slope; a fitted Holt model needs more years than plans have);
- ``theta``: the theta method as Hyndman & Billah (2003) state it: exponential smoothing
  (α chosen per row on a grid by in-sample one-step error) plus half the least-squares slope;
- ``mean`` / ``median``: the mean or the median of the years (for flows summed by a
  cumulative target: a flow "as usual", the median being the robust one);
- combinations: the plain average of two or three of the above.

``cumulate`` turns forecasts of yearly flows into forecasts of their running sum (what a
cumulative target adds up). ``naive_scale`` is the in-sample mean absolute yearly change, the
scale of MASE and of the calibrated errors.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

PHI = 0.8
ALPHAS = np.linspace(0.1, 1.0, 10)


def _positions(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column index of every known value (NaN where unknown), first known column, count."""
    ok = ~np.isnan(Y)
    cols = np.where(ok, np.arange(Y.shape[1], dtype=np.float64)[None, :], np.nan)
    first = np.argmax(ok, axis=1)
    return cols, first, ok.sum(axis=1)


def _last(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latest known value per row (the matrix's last column unless the row has gaps there), and
    the column it is in."""
    ok = ~np.isnan(Y)
    idx = Y.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)
    return Y[np.arange(len(Y)), idx], idx


def _steps(horizons: int) -> np.ndarray:
    return np.arange(1, horizons + 1, dtype=np.float64)[None, :]


def last(Y: np.ndarray, horizons: int) -> np.ndarray:
    value, _ = _last(Y)
    return np.repeat(value[:, None], horizons, axis=1)


def drift_slope(Y: np.ndarray) -> np.ndarray:
    """(latest − first) / years between them; NaN with fewer than two values."""
    value, idx = _last(Y)
    first = np.argmax(~np.isnan(Y), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (value - Y[np.arange(len(Y)), first]) / (idx - first)


def drift(Y: np.ndarray, horizons: int) -> np.ndarray:
    value, idx = _last(Y)
    ahead = _steps(horizons) + (Y.shape[1] - 1 - idx)[:, None]
    return value[:, None] + drift_slope(Y)[:, None] * ahead


def damped(Y: np.ndarray, horizons: int, phi: float = PHI) -> np.ndarray:
    value, idx = _last(Y)
    ahead = _steps(horizons) + (Y.shape[1] - 1 - idx)[:, None]
    weight = phi * (1 - phi**ahead) / (1 - phi)  # φ + φ² + … + φ^h
    return value[:, None] + drift_slope(Y)[:, None] * weight


def _ols(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intercept at column 0 and slope per column of the least-squares line."""
    cols, _, n = _positions(Y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xbar = np.nanmean(cols, axis=1) if Y.size else np.zeros(len(Y))
        ybar = np.nansum(Y, axis=1) / n
        dx = cols - xbar[:, None]
        sxx = np.nansum(dx * dx, axis=1)
        slope = np.nansum(dx * (Y - ybar[:, None]), axis=1) / sxx
    return ybar - slope * xbar, slope


def trend(Y: np.ndarray, horizons: int) -> np.ndarray:
    a, b = _ols(Y)
    x = (Y.shape[1] - 1) + _steps(horizons)
    return a[:, None] + b[:, None] * x


def theta(Y: np.ndarray, horizons: int) -> np.ndarray:
    """SES with drift b/2 (b: least-squares slope), α per row by one-step squared error."""
    n_rows, width = Y.shape
    _, first, count = _positions(Y)
    start = Y[np.arange(n_rows), first]
    level = np.repeat(start[:, None], len(ALPHAS), axis=1)  # rows × alphas
    sse = np.zeros_like(level)
    a = ALPHAS[None, :]
    for j in range(width):
        y = Y[:, j][:, None]
        seen = (j > first)[:, None] & ~np.isnan(y)
        err = np.where(seen, y - level, 0.0)
        sse += err * err
        level = np.where(seen, level + a * err, level)
    best = np.argmin(sse, axis=1)  # ties: the smallest α
    alpha = ALPHAS[best]
    lvl = level[np.arange(n_rows), best]
    _, slope = _ols(Y)
    _, idx = _last(Y)
    with np.errstate(invalid="ignore"):
        tail = (1 - (1 - alpha) ** count) / alpha
    ahead = _steps(horizons) + (width - 1 - idx)[:, None]
    return lvl[:, None] + (slope / 2)[:, None] * (ahead - 1 + tail[:, None])


def mean(Y: np.ndarray, horizons: int) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.nansum(Y, axis=1) / (~np.isnan(Y)).sum(axis=1)
    return np.repeat(m[:, None], horizons, axis=1)


def median(Y: np.ndarray, horizons: int) -> np.ndarray:
    ok = ~np.isnan(Y)
    m = np.full(len(Y), np.nan)
    has = ok.any(axis=1)
    if has.any():
        m[has] = np.nanmedian(Y[has], axis=1)
    return np.repeat(m[:, None], horizons, axis=1)


def _average(*names: str) -> Callable[[np.ndarray, int], np.ndarray]:
    def combined(Y: np.ndarray, horizons: int) -> np.ndarray:
        total = sum(METHODS[k](Y, horizons) for k in names)
        assert isinstance(total, np.ndarray)  # names is never empty: an array, never sum()'s start 0
        return total / len(names)

    combined.__doc__ = "Average of " + ", ".join(names) + "."
    return combined


METHODS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "last": last,
    "drift": drift,
    "trend": trend,
    "damped": damped,
    "theta": theta,
    "mean": mean,
    "median": median,
}
METHODS.update(
    {
        "last+drift": _average("last", "drift"),
        "damped+theta": _average("damped", "theta"),
        "last+damped+theta": _average("last", "damped", "theta"),
        "median+damped": _average("median", "damped"),
    }
)
#: Methods compared for a value at a year (annual bounds, levels) and for flows summed (cumulative).
VALUE_METHODS = ("last", "drift", "trend", "damped", "theta", "last+drift", "damped+theta", "last+damped+theta")
FLOW_METHODS = (
    "last",
    "drift",
    "trend",
    "damped",
    "theta",
    "mean",
    "median",
    "last+drift",
    "damped+theta",
    "last+damped+theta",
    "median+damped",
)


def forecast(method: str, Y: np.ndarray, horizons: int, cumulative: bool = False) -> np.ndarray:
    """Forecasts of the next ``horizons`` years (running sums of them when ``cumulative``)."""
    f = METHODS[method](Y, horizons)
    return np.cumsum(f, axis=1) if cumulative else f


def naive_scale(Y: np.ndarray) -> np.ndarray:
    """Mean absolute yearly change between consecutive known years (a gap counts per year)."""
    ok = ~np.isnan(Y)
    count = ok.sum(axis=1)
    first = np.argmax(ok, axis=1)
    last = Y.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        # rows whose known years are consecutive: the plain mean of |Δy|
        out = np.nansum(np.abs(np.diff(Y, axis=1)), axis=1) / (count - 1)
        gappy = np.flatnonzero((last - first + 1 != count) & (count >= 2))
        if len(gappy):
            out[gappy] = _gappy_scale(Y[gappy])
    return np.where(count >= 2, out, np.nan)


def _gappy_scale(Y: np.ndarray) -> np.ndarray:
    """naive_scale for rows with missing years inside: each change divided by the years it spans."""
    ok = ~np.isnan(Y)
    width = Y.shape[1]
    idx = np.where(ok, np.arange(width)[None, :], -1)
    prev = np.maximum.accumulate(idx, axis=1)
    prev = np.concatenate([np.full((len(Y), 1), -1), prev[:, :-1]], axis=1)  # last known before j
    pair = ok & (prev >= 0)
    rows = np.arange(len(Y))[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        step = np.abs(Y - Y[rows, np.maximum(prev, 0)]) / (np.arange(width)[None, :] - prev)
        return np.where(pair, step, 0.0).sum(axis=1) / pair.sum(axis=1)


def log_spread(Y: np.ndarray) -> np.ndarray:
    """Spread of the yearly relative changes: the standard deviation of Δlog y per year over
    the consecutive known years (a gap's change divided by the years it spans), or with a
    single change its size. NaN unless every known value is above zero and there are two.

    Why: relative to its own mean yearly change, a series' future error differs between panels
    (M1 series move less than Tourism's), while relative to the spread of its own relative
    changes it does not; the calibrated intervals of positive series are built on this scale."""
    return log_changes(Y)[1]


def log_changes(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean yearly Δlog y and its spread (``log_spread``), both NaN unless every known value is
    above zero and there are two; one pass for both, as the engine needs both per row."""
    ok = ~np.isnan(Y)
    count = ok.sum(axis=1)
    positive = ~(Y <= 0).any(axis=1) & (count >= 2)  # every known value above zero (NaN <= 0 is False)
    # each year's change since the last known year before it, by one pass over the few years:
    # a forward fill of the latest log and its column (the same values a gather would read),
    # year by year on the transposed window, whose years are contiguous rows
    LT = Y.T.copy(order="C")  # a copy even where Y.T is contiguous already (one year)
    LT[:, ~positive] = np.nan  # no logs of a row not above zero throughout
    np.log(LT, out=LT)
    width, rows = LT.shape
    known = ~np.isnan(LT)
    stepT = np.full((width, rows), np.nan)
    last_log, last_col = np.full(rows, np.nan), np.full(rows, -1.0)  # columns as floats: exact
    with np.errstate(invalid="ignore", divide="ignore"):
        for j in range(width):
            here = known[j]
            if j:
                pair = here & (last_col >= 0)
                np.divide(LT[j] - last_log, j - last_col, out=stepT[j], where=pair)  # NaN elsewhere
            np.copyto(last_log, LT[j], where=here)
            np.copyto(last_col, j, where=here)
        n = np.maximum(known.sum(axis=0) - 1, 0)  # known values with a known year before them
        # the sums over years stay on the transposed window (no copy back to rows × years)
        mean = nansum_rows_of_transposed(stepT) / n
        stepT -= mean[None, :]
        np.square(stepT, out=stepT)  # what ** 2 computes
        sd = np.sqrt(nansum_rows_of_transposed(stepT, overwrite=True) / n)
    return np.where(positive, mean, np.nan), np.where(positive, np.where(n == 1, np.abs(mean), sd), np.nan)


def nansum_rows_of_transposed(MT: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """``np.nansum(MT.T, axis=1)`` of a C-contiguous ``MT.T`` bit for bit, from ``MT`` (years × rows).

    numpy adds each contiguous row by pairwise summation: under 8 values one after the other,
    up to 128 in eight interleaved partial sums joined as a tree, then the rest one by one,
    longer rows split in two halves, the lot added to 0.0 (so −0.0 becomes 0.0). The same
    additions run here on whole columns of ``MT``, one vector operation each, so the
    window need not be transposed back to rows × years for its sums. (This is numpy 2's order:
    checked bit for bit against ``np.nansum`` on random matrices of widths 1–300, with NaN,
    −0.0 and inf, when it was written.)"""
    if overwrite:  # the caller's matrix is a temporary: its NaN become 0 in place
        np.copyto(MT, 0.0, where=np.isnan(MT))
        years = list(MT)
    else:
        years = [np.where(np.isnan(col), 0.0, col) for col in MT]
    return 0.0 + _pairwise(years) if years else np.zeros(MT.shape[1])


def _pairwise(cols: list[np.ndarray]) -> np.ndarray:
    n = len(cols)
    if n < 8:
        total = np.zeros_like(cols[0])
        for col in cols:
            total += col
        return total
    if n > 128:
        half = n // 2 - (n // 2) % 8
        return _pairwise(cols[:half]) + _pairwise(cols[half:])
    r = [col.copy() for col in cols[:8]]
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] += cols[i + j]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for col in cols[i:]:
        total += col
    return total
