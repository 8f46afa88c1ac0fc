"""``make bench`` (reports part): the batch's wall time per report against the naive floor.

The floor is what one report costs done the naive way: papermill's command line running a
one-cell notebook (new interpreter, imports, fresh kernel). It is measured in the same run,
because machines differ by 2×, and **interleaved** with the batch (floor, batch, floor, …):
the floor runs on one core and the batch on both, so a neighbour's load that comes and goes
moves them differently, and one of each is not a figure (the ratio moved 0.51–0.70 between
single runs on one day). The medians are compared; every run is kept. Each batch also says
where its time went: the reports' own phases summed, and the share of the workers' time
(``workers × wall``) they fill; the rest is each worker's start-up and the last reports'
tail. Also measured: a no-op ``python -m analysis reports``. Figures go to
``bench/results/reports.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat

from analysis import datasets, paths
from analysis.datasets import atomic_write_text
from analysis.publish.batch import batch_plan
from analysis.publish.runner import default_workers, run_batch

RESULTS = paths.BENCH_RESULTS
AIM_RATIO = 0.5
AIM_NOOP_SECONDS = 2.0


def floor_seconds(runs: int = 1) -> list[float]:
    """papermill's CLI on a one-cell notebook, timed end to end, ``runs`` times."""
    work = Path(tempfile.mkdtemp(prefix="plan-eval-floor-"))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, work / "one.ipynb")
    papermill = Path(sys.executable).with_name("papermill")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [str(papermill), str(work / "one.ipynb"), str(work / "out.ipynb"), "--no-progress-bar"],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - started)
    shutil.rmtree(work, ignore_errors=True)
    return times


def batch_seconds(data_dir: Path) -> dict[str, Any]:
    """Every report of the real data, built from scratch into a temporary folder, with the
    reports' phases summed (seconds) and the share of the workers' time they fill."""
    frames = {name: datasets.read(name, data_dir) for name in datasets.DATASETS}
    jobs = batch_plan(frames, str(data_dir))
    root = Path(tempfile.mkdtemp(prefix="plan-eval-bench-"))
    workers = default_workers()
    started = time.perf_counter()
    results = run_batch(jobs, root, data_dir=data_dir, force=True, progress=False, workers=workers)
    wall = time.perf_counter() - started
    shutil.rmtree(root, ignore_errors=True)
    phases: dict[str, float] = {}
    for r in results:
        for phase, seconds in r.timings.items():
            phases[phase] = phases.get(phase, 0.0) + seconds
    in_reports = sum(r.seconds for r in results)
    return {
        "reports": len(jobs),
        "workers": workers,
        "wall_seconds": wall,
        "per_report_seconds": wall / len(jobs),
        "pages": sum(r.pages or 0 for r in results),
        "failed": sum(r.status != "built" for r in results),
        "reports_own_seconds": in_reports,
        "phase_seconds": phases,
        "workers_busy_share": in_reports / (workers * wall),
    }


def noop_seconds() -> float:
    """``python -m analysis reports`` when nothing changed (run after a normal build)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "analysis", "reports", "--quiet"], check=True, capture_output=True, cwd=paths.ROOT
    )
    return time.perf_counter() - started


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def figures(floors: list[float], batches: list[dict[str, Any]], noop: float, harfbuzz: bool) -> dict[str, Any]:
    """The JSON written: medians compared, every run kept, the aims beside them."""
    from analysis.publish import pdf_fonts

    floor = statistics.median(floors)
    # the median batch, whose breakdown is shown beside its figure (the lower of two middles)
    middle = sorted(batches, key=lambda b: b["per_report_seconds"])[(len(batches) - 1) // 2]
    per_report = middle["per_report_seconds"]
    return {
        "what": "wall time per report of the whole batch (execute + HTML + PDF + Word, both cores) against "
        "papermill's CLI on a one-cell notebook; floor and batch interleaved in one run, medians compared",
        # a figure from WeasyPrint's fontTools fallback (15–35 s a PDF) is not the normal one
        "pdf_font_subsetting": "harfbuzz" if harfbuzz else f"fonttools (slow fallback: {pdf_fonts.PACKAGE} missing)",
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "floor_papermill_cli_seconds": {"runs": [round(t, 3) for t in floors], "median": round(floor, 3)},
        "batch": _rounded(middle),  # the median batch, with where its time went
        "batch_per_report_seconds": {
            "runs": [round(b["per_report_seconds"], 3) for b in batches],
            "median": round(per_report, 3),
        },
        "ratio_per_report_to_floor": round(per_report / floor, 3),
        "ratio_runs": [round(b["per_report_seconds"] / f, 3) for b, f in zip(batches, floors, strict=False)],
        "aim_ratio": AIM_RATIO,
        "noop_make_reports_seconds": round(noop, 3),
        "aim_noop_seconds": AIM_NOOP_SECONDS,
    }


def main(argv: list[str] | None = None) -> int:
    from analysis.publish import pdf_fonts

    parser = argparse.ArgumentParser(prog="python -m analysis.publish.benchmark", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="batches (each after one floor run); default 3")
    args = parser.parse_args(argv)
    harfbuzz = pdf_fonts.check()
    floors: list[float] = []
    batches: list[dict[str, Any]] = []
    for _ in range(max(args.repeat, 1)):
        floors += floor_seconds(1)
        batches.append(batch_seconds(paths.PROCESSED))
    subprocess.run(
        [sys.executable, "-m", "analysis", "reports", "--quiet"], check=True, capture_output=True, cwd=paths.ROOT
    )
    result = figures(floors, batches, noop_seconds(), harfbuzz)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    atomic_write_text(RESULTS / "reports.json", text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
