"""Issue 10, calibration conditional on the series: relative scales tried, cross-validated.

The unbinned relative scale (``calibration.spread``: the sd of a window's yearly Δlog; table
version 2, before the trend classes) gives
80% intervals that hold 77–82% of outcomes pooled over a panel, but 57–73% for the steadiest
third of the windows and 85–93% for the jumpiest. This script scores alternative scales on the
same folds as ``make backtest`` (quantiles calibrated on M1, scored on Tourism, and the
reverse; windows 4, 6, 10; horizons 1–5) and prints, per scale, the pooled coverage and the
coverage by thirds of three features of the scored windows:

- ``spread``: the plain sd of Δlog (``backtest.spread_thirds``, the thirds the backtest reports);
- ``growth``: |mean Δlog|, how fast the window grew or fell;
- ``trend``: |mean Δlog| ÷ sd, how evenly it did.

Why the last two: a scale that evens the spread thirds can do so by moving the miscoverage to
windows that grew little (the trend-term scales below do), which the spread thirds do not show.

For the scales that are a function of the window alone, it also rebuilds the table on both
panels with that scale (``calibrate`` with ``calibration.spread`` replaced) and reports the
coverage on the package series and past plans of ``run_backtest``.

Run from a worktree: ``PYTHONPATH=src .venv/bin/python scripts/spread_conditioning.py`` (a few
minutes, two cores). It only reads M1 and Tourism (``reference_panels``). Nothing here is used
by the engine; docs/methodology.md (section 7) quotes its output.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from analysis import backtest as bt
from analysis.evaluate import calibration as cal
from analysis.evaluate import methods as mth
from analysis.evaluate import projection as pj

FOLDS = (("M1", "Tourism"), ("Tourism", "M1"))
SCORED = bt.SCORE_WINDOWS
H = bt.SCORE_HORIZONS


def PLAIN_SPREAD(Y: np.ndarray) -> np.ndarray:
    """The plain spread (``calibration.spread``), computed here: ``package_and_plans`` replaces
    ``calibration.relative_scale``, which ``calibration.spread`` reads, for a while."""
    sd = mth.log_spread(Y)
    return np.where(np.isnan(sd), np.nan, np.fmax(sd, cal.MIN_LOG_SPREAD))


GRID = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0, 96.0, 128.0)


def features(Y: np.ndarray) -> dict[str, np.ndarray]:
    """n, mean and sd of Δlog (the shipped spread's sd), mean |Δlog|, RMS Δlog and the RMS of Δ²log."""
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.diff(np.log(np.where(Y > 0, Y, np.nan)), axis=1)
        n = (~np.isnan(d)).sum(axis=1)
        mean = np.nansum(d, axis=1) / n
        d2 = np.diff(d, axis=1)
        return {
            "n": n,
            "mean": mean,
            "sd": PLAIN_SPREAD(Y),  # NaN unless the window is above zero throughout
            "mabs": np.nansum(np.abs(d), axis=1) / n,
            "rms": np.sqrt(np.nansum(d * d, axis=1) / n),
            "sd2": np.sqrt(np.nansum(d2 * d2, axis=1) / (~np.isnan(d2)).sum(axis=1)),
        }


Scale = Callable[[dict[str, np.ndarray], float], np.ndarray]

SCALES: dict[str, Scale] = {
    "sd": lambda f, k: f["sd"],
    "√(sd² + k·mean²)": lambda f, k: np.sqrt(f["sd"] ** 2 + k * f["mean"] ** 2),
    "√(sd² + k·mean²/n)": lambda f, k: np.sqrt(f["sd"] ** 2 + k * f["mean"] ** 2 / f["n"]),
    "√((n·sd² + k·mean abs Δ²)/(n+k))": lambda f, k: np.sqrt(
        (f["n"] * f["sd"] ** 2 + k * f["mabs"] ** 2) / (f["n"] + k)
    ),
    "√((n·sd² + k·RMS²)/(n+k))": lambda f, k: np.sqrt((f["n"] * f["sd"] ** 2 + k * f["rms"] ** 2) / (f["n"] + k)),
    "√(sd² + k·RMS(Δ²log)²)": lambda f, k: np.sqrt(f["sd"] ** 2 + k * np.nan_to_num(f["sd2"]) ** 2),
}
#: (label, scale, k: a number, or "fit" = fitted on the calibration panel, Mondrian cut points of trend)
TRIALS: list[tuple[str, str, float | str, tuple[float, ...]]] = [
    ("unbinned (table version 2)", "sd", 0.0, ()),
    ("trend term, k fitted on the calibration panel", "√(sd² + k·mean²)", "fit", ()),
    ("trend term, k = 8", "√(sd² + k·mean²)", 8.0, ()),
    ("trend term / n, k fitted on the calibration panel", "√(sd² + k·mean²/n)", "fit", ()),
    ("trend term / n, k = 48 (fitted on M1+Tourism)", "√(sd² + k·mean²/n)", 48.0, ()),
    ("trend term / n, k = 2", "√(sd² + k·mean²/n)", 2.0, ()),
    ("shrink to mean abs Δlog, k = 8", "√((n·sd² + k·mean abs Δ²)/(n+k))", 8.0, ()),
    ("shrink to RMS Δlog, k = 8", "√((n·sd² + k·RMS²)/(n+k))", 8.0, ()),
    ("growth-rate variability, k = 1", "√(sd² + k·RMS(Δ²log)²)", 1.0, ()),
    ("quantiles by bins of trend (cuts 0.5, 1.5; shipped in table version 3)", "sd", 0.0, (0.5, 1.5)),
]


def scale_of(name: str, k: float) -> Callable[[np.ndarray], np.ndarray]:
    def s(Y: np.ndarray) -> np.ndarray:
        f = features(Y)
        return np.where(np.isnan(f["sd"]), np.nan, np.fmax(SCALES[name](f, k), cal.MIN_LOG_SPREAD))

    return s


def thirds(x: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(x)
    edges = np.quantile(x[ok], [1 / 3, 2 / 3])
    return np.where(ok, np.searchsorted(edges, np.where(ok, x, 0.0), side="right"), -1)


def trend_bin(Y: np.ndarray, cuts: tuple[float, ...]) -> np.ndarray:
    f = features(Y)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.abs(f["mean"]) / f["sd"]
    return np.searchsorted(np.asarray(cuts), np.nan_to_num(r), side="right")


def cells(panels: dict[str, list[np.ndarray]]) -> dict:
    """Per (calibration panel, window, kind): the method ``calibrate`` chooses there, the
    calibration windows and log errors (windows 2–10), the scored panel's (windows 4, 6, 10)
    with absolute errors and MASE scale for the windows not above zero."""
    out = {}
    for calib, score in [*FOLDS, ("both", None)]:
        series = panels[calib] if calib != "both" else panels["M1"] + panels["Tourism"]
        for w in cal.WINDOWS:
            cc = cal.panel_cases(series, w)
            sc = cal.panel_cases(panels[score], w, H) if score and w in SCORED else None
            for kind in cal.KINDS:
                best = cal.method_scores(cc, kind).sort_values(["mase", "method"], kind="stable").iloc[0]["method"]
                cell = {"cY": cc.Y, "cL": cal.relative_errors(cc, best, kind) * PLAIN_SPREAD(cc.Y)[:, None]}
                cell["cA"] = cal.scaled_errors(cc, best, kind)[0]
                if sc is not None:
                    cell.update(
                        sY=sc.Y,
                        sL=cal.relative_errors(sc, best, kind) * PLAIN_SPREAD(sc.Y)[:, None],
                        sA=cal.scaled_errors(sc, best, kind)[0],
                        sS=cal.scale(sc.Y),
                    )
                out[(calib, w, kind)] = cell
    return out


def fit_k(data: dict, calib: str, name: str) -> float:
    """The k whose in-sample 80% coverage is closest to 80% in every spread third (RMS over
    thirds, kinds, windows 2–10; horizons 1–5 together), on the calibration panel only."""
    best, score = GRID[0], np.inf
    for k in GRID:
        dev: list[float] = []
        for w in cal.WINDOWS:
            for kind in cal.KINDS:
                c = data[(calib, w, kind)]
                e = c["cL"][:, :H] / scale_of(name, k)(c["cY"])[:, None]
                t = bt.spread_thirds(c["cY"])
                inside = np.zeros(3)
                seen = np.zeros(3)
                for h in range(H):
                    ok = ~np.isnan(e[:, h]) & (t >= 0)
                    lo, hi = np.quantile(e[ok, h], [0.1, 0.9])
                    hit = (e[:, h] >= lo) & (e[:, h] <= hi)
                    inside += np.bincount(t[ok], hit[ok], minlength=3)
                    seen += np.bincount(t[ok], minlength=3)
                dev.extend(inside / seen - 0.8)
        rms = float(np.sqrt(np.mean(np.square(dev))))
        if rms < score - 1e-12:
            best, score = k, rms
    return best


def cross_validated(data: dict, name: str, k: float | str, cuts: tuple[float, ...]) -> dict:
    """Coverage pooled and by thirds, per fold, kind and window; and the k used per fold."""
    res: dict = {"k": {}}
    for calib, _score in FOLDS:
        kk = fit_k(data, calib, name) if k == "fit" else float(k)
        res["k"][calib] = kk
        s = scale_of(name, kk)
        for w in SCORED:
            for kind in cal.KINDS:
                c = data[(calib, w, kind)]
                ce, se = c["cL"] / s(c["cY"])[:, None], c["sL"] / s(c["sY"])[:, None]
                cb, sb = trend_bin(c["cY"], cuts), trend_bin(c["sY"], cuts)
                f = features(c["sY"])
                pos = ~np.isnan(f["sd"])
                with np.errstate(invalid="ignore", divide="ignore"):
                    groups = {
                        "spread": bt.spread_thirds(c["sY"]),
                        "growth": thirds(np.where(pos, np.abs(f["mean"]), np.nan)),
                        "trend": thirds(np.where(pos, np.abs(f["mean"]) / f["sd"], np.nan)),
                    }
                hit = np.full(se[:, :H].shape, np.nan)
                for h in range(H):
                    for b in np.unique(sb):
                        col = ce[cb == b, h]
                        lo, hi = np.quantile(col[~np.isnan(col)], [0.1, 0.9])
                        m = (sb == b) & pos & ~np.isnan(se[:, h])
                        hit[m, h] = (se[m, h] >= lo) & (se[m, h] <= hi)
                    # windows not above zero keep the absolute scale, as in the engine
                    a = c["cA"][:, h]
                    lo, hi = np.quantile(a[~np.isnan(a)], [0.1, 0.9])
                    m = ~pos & ~np.isnan(c["sA"][:, h])
                    hit[m, h] = (c["sA"][m, h] >= lo) & (c["sA"][m, h] <= hi)
                hit[~(c["sS"] > 0)] = np.nan  # as score_projections: a window that never moved is not scored
                res[(calib, w, kind, "pooled")] = np.nanmean(hit)
                for g, t in groups.items():
                    for i in range(3):
                        res[(calib, w, kind, g, i)] = np.nanmean(hit[t == i])
    return res


def package_and_plans(name: str, k: float) -> dict[str, float]:
    """Coverage of the package series and past plans with a table calibrated on both panels
    with this scale and no trend classes (``calibration.relative_scale`` replaced where the
    table is built and used: every window in the first class)."""
    s = scale_of(name, k)
    saved = cal.relative_scale, pj.relative_scale, cal.shipped_lookup, pj.shipped_lookup
    try:
        cal.relative_scale = pj.relative_scale = lambda Y: (s(Y), np.zeros(len(Y), np.int64))
        table, _ = cal.calibrate(cal.reference_panels())
        lookup = cal.Lookup.of(table)
        pj.shipped_lookup = lambda: lookup  # type: ignore[assignment]
        p = bt.run_backtest().projections
        return {g: float(p.loc[p["group"] == g, "covered"].mean()) for g in ("package series", "past plans")}
    finally:
        cal.relative_scale, pj.relative_scale, cal.shipped_lookup, pj.shipped_lookup = saved


def _range(values: list[float]) -> str:
    return f"{min(values):.0%}–{max(values):.0%}"


def main() -> None:
    panels = cal.reference_panels()
    data = cells(panels)
    print(
        "| tried | scale | k (M1, Tourism) | pooled M1→T | pooled T→M1 | steady M1→T | steady T→M1 | middle | "
        "unsteady M1→T | unsteady T→M1 | growth thirds | trend thirds | package series | past plans |"
    )
    print("|---" * 14 + "|")
    for label, name, k, cuts in TRIALS:
        r = cross_validated(data, name, k, cuts)

        def pick(calib: str | None, *key: object, r: dict = r) -> list[float]:
            return [v for kk, v in r.items() if kk != "k" and kk[3:] == key and calib in (None, kk[0])]

        if cuts:
            extra = {"package series": np.nan, "past plans": np.nan}
        else:
            joint = fit_k(data, "both", name) if k == "fit" else float(k)
            extra = package_and_plans(name, joint)
        ks = ", ".join(f"{v:g}" for v in r["k"].values())
        cols = [
            _range(pick("M1", "pooled")),
            _range(pick("Tourism", "pooled")),
            _range(pick("M1", "spread", 0)),
            _range(pick("Tourism", "spread", 0)),
            _range(pick(None, "spread", 1)),
            _range(pick("M1", "spread", 2)),
            _range(pick("Tourism", "spread", 2)),
            _range(pick(None, "growth", 0) + pick(None, "growth", 1) + pick(None, "growth", 2)),
            _range(pick(None, "trend", 0) + pick(None, "trend", 1) + pick(None, "trend", 2)),
            *("—" if np.isnan(v) else f"{v:.0%}" for v in extra.values()),
        ]
        print(f"| {label} | {name} | {ks} | " + " | ".join(cols) + " |", flush=True)


if __name__ == "__main__":
    main()
