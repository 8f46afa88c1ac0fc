"""``make bench`` (reports part): the batch's wall time per report against the naive floor.

The floor is what one report costs done the naive way: papermill's command line running a
one-cell notebook (new interpreter, imports, fresh kernel). It is measured in the same run,
because machines differ by 2×. Also measured: a no-op ``python -m analysis reports``.
Figures go to ``bench/results/reports.json``.
"""

from __future__ import annotations

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

import nbformat

from analysis import datasets, paths
from analysis.publish.batch import batch_plan
from analysis.publish.runner import run_batch

RESULTS = paths.BENCH_RESULTS


def floor_seconds(runs: int = 3) -> list[float]:
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


def batch_seconds(data_dir: Path) -> dict[str, float]:
    """Every report of the real data, built from scratch into a temporary folder."""
    frames = {name: datasets.read(name, data_dir) for name in datasets.DATASETS}
    jobs = batch_plan(frames, str(data_dir))
    root = Path(tempfile.mkdtemp(prefix="plan-eval-bench-"))
    started = time.perf_counter()
    results = run_batch(jobs, root, data_dir=data_dir, force=True, progress=False)
    wall = time.perf_counter() - started
    failed = [r.slug for r in results if r.status != "built"]
    pages = sum(r.pages or 0 for r in results)
    shutil.rmtree(root, ignore_errors=True)
    return {
        "reports": len(jobs),
        "wall_seconds": wall,
        "per_report_seconds": wall / len(jobs),
        "pages": pages,
        "failed": len(failed),
    }


def noop_seconds() -> float:
    """``python -m analysis reports`` when nothing changed (run after a normal build)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "analysis", "reports", "--quiet"], check=True, capture_output=True, cwd=paths.ROOT
    )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    from analysis.publish import pdf_fonts

    harfbuzz = pdf_fonts.check()
    floors = floor_seconds()
    floor = statistics.median(floors)
    batch = batch_seconds(paths.PROCESSED)
    subprocess.run(
        [sys.executable, "-m", "analysis", "reports", "--quiet"], check=True, capture_output=True, cwd=paths.ROOT
    )
    noop = noop_seconds()
    figures = {
        "what": "wall time per report of the whole batch (execute + HTML + PDF, both cores) against papermill's "
        "CLI on a one-cell notebook, measured in the same run",
        # a figure from WeasyPrint's fontTools fallback (15–35 s a PDF) is not the normal one
        "pdf_font_subsetting": "harfbuzz" if harfbuzz else f"fonttools (slow fallback: {pdf_fonts.PACKAGE} missing)",
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "floor_papermill_cli_seconds": {"runs": [round(t, 3) for t in floors], "median": round(floor, 3)},
        "batch": {k: round(v, 3) if isinstance(v, float) else v for k, v in batch.items()},
        "ratio_per_report_to_floor": round(batch["per_report_seconds"] / floor, 3),
        "aim_ratio": 0.5,
        "noop_make_reports_seconds": round(noop, 3),
        "aim_noop_seconds": 2.0,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "reports.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
