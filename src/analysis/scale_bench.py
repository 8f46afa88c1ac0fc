"""``make bench`` (scale part): the report batch and the engine beyond one process, on a
SYNTHETIC national panel (``analysis.synthetic``: made-up counties, never real data).

1. **Reports.** ``--reports`` synthetic county reports (default 200), built from scratch three
   ways in the same run: serial (one worker process), the local process pool (one worker per
   core) and a Dask ``LocalCluster`` (one single-threaded worker process per core). Aim: the
   LocalCluster with 2 workers at least 1.7× as fast as one worker.
2. **Engine.** ``evaluate`` on the ``--regions`` panel (default 2,850 counties × 35 targets),
   single-process in a fresh interpreter (time and peak RSS) against
   ``partitioned.evaluate_by_region`` on a LocalCluster of 2 workers (time, and each worker's
   peak RSS; the client holds the panel). Aim: memory per worker at most half the
   single-process peak. Both outputs are compared, byte for byte.

Figures, with the cluster's shape, go to ``bench/results/scale.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from analysis import paths
from analysis.bench import _reset_peak, _status_kib

RESULTS = paths.BENCH_RESULTS


def _vm_mib(field: str) -> float:
    """VmHWM (peak) or VmRSS of this process, in MiB (runs in Dask workers too)."""
    kib = _status_kib(field)
    return kib / 1024 if kib is not None else float("nan")


def report_batch(regions: int, workdir: Path) -> dict[str, Any]:
    """The same synthetic batch serial, on the process pool and on a LocalCluster."""
    from analysis import datasets, synthetic
    from analysis.publish.batch import batch_plan
    from analysis.publish.cluster import dask_executor
    from analysis.publish.runner import default_executor, run_batch

    data = synthetic.write(workdir / "panel", regions)
    frames = {n: datasets.read(n, data) for n in datasets.DATASETS}
    jobs = batch_plan(frames, str(data))
    out: dict[str, Any] = {"reports": len(jobs), "synthetic": True}

    def timed(label: str, executor: Any) -> None:
        root = workdir / f"reports-{label}"
        started = time.perf_counter()
        results = run_batch(jobs, root, data_dir=data, executor=executor, force=True, progress=False)
        wall = time.perf_counter() - started
        out[label] = {
            "wall_seconds": round(wall, 2),
            "per_report_seconds": round(wall / len(jobs), 3),
            "failed": sum(r.status != "built" for r in results),
        }
        shutil.rmtree(root, ignore_errors=True)

    for label, workers in (("serial", 1), ("process_pool", 2)):
        ex = default_executor(workers)
        try:
            timed(label, ex)
        finally:
            ex.shutdown()
        out[label]["workers"] = workers
    with dask_executor("local", 2) as (ex, shape):
        timed("local_cluster", ex)
        out["local_cluster"]["cluster"] = shape
    out["speedup_local_cluster_vs_serial"] = round(
        out["serial"]["wall_seconds"] / out["local_cluster"]["wall_seconds"], 2
    )
    out["speedup_process_pool_vs_serial"] = round(
        out["serial"]["wall_seconds"] / out["process_pool"]["wall_seconds"], 2
    )
    out["aim_speedup"] = 1.7
    return out


def _single_process(regions: int) -> dict[str, Any]:
    """Run in a fresh interpreter: the engine on the panel, time and peak RSS."""
    from analysis import datasets
    from analysis.evaluate import evaluate
    from analysis.synthetic import national_panel

    frames = national_panel(regions, targets=None)
    engine_frames = {k: frames[k] for k in ("evaluation_settings", "indicators", "observations", "assessments")}
    _reset_peak()
    started = time.perf_counter()
    result = evaluate(engine_frames)
    seconds = time.perf_counter() - started
    digest = hashlib.sha256(datasets._csv_bytes(datasets.conform("evaluations", result))).hexdigest()
    return {
        "series": len(result),
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(_vm_mib("VmHWM"), 1),
        "sha256": digest,
    }


#: Region partitions of the engine run on the cluster: 16 (8 per worker) keep each worker's peak
#: near half the single process's (8 partitions: 0.52; measured on the 2,850-region panel).
PARTITIONS = 16


def engine(regions: int) -> dict[str, Any]:
    """The engine single-process (fresh interpreter) against a LocalCluster of 2 workers."""
    from analysis import datasets
    from analysis.partitioned import evaluate_by_region
    from analysis.publish.cluster import dask_executor
    from analysis.synthetic import national_panel

    done = subprocess.run(
        [sys.executable, "-m", "analysis.scale_bench", "--single-process", str(regions)],
        capture_output=True,
        text=True,
        check=True,
        cwd=paths.ROOT,
    )
    single = json.loads(done.stdout.strip().splitlines()[-1])
    frames = national_panel(regions, targets=None)
    with dask_executor("local", 2, warm=False) as (_, shape):
        from distributed import get_client

        client = get_client()
        client.run(_reset_peak)
        before = client.run(_vm_mib, "VmRSS")
        started = time.perf_counter()
        result = evaluate_by_region(frames, npartitions=PARTITIONS, scheduler=client)
        seconds = time.perf_counter() - started
        peaks = client.run(_vm_mib, "VmHWM")
    digest = hashlib.sha256(datasets._csv_bytes(datasets.conform("evaluations", result))).hexdigest()
    worker_peak = max(peaks.values())
    return {
        "regions": regions,
        "series": single["series"],
        "synthetic": True,
        "single_process": {k: single[k] for k in ("seconds", "peak_rss_mib")},
        "local_cluster": {
            "seconds": round(seconds, 2),
            "partitions": PARTITIONS,
            "cluster": shape,
            "peak_rss_mib_per_worker": {str(k): round(v, 1) for k, v in peaks.items()},
            "rss_before_mib_per_worker": {str(k): round(v, 1) for k, v in before.items()},
        },
        "worker_peak_over_single_peak": round(worker_peak / single["peak_rss_mib"], 3),
        "aim_worker_peak_over_single_peak": 0.5,
        "identical_output": digest == single["sha256"],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m analysis.scale_bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--reports", type=int, default=200, help="synthetic county reports (default: %(default)s)")
    p.add_argument("--regions", type=int, default=2850, help="counties in the engine panel (default: %(default)s)")
    p.add_argument("--single-process", type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.single_process is not None:
        print(json.dumps(_single_process(args.single_process)))
        return 0
    work = Path(tempfile.mkdtemp(prefix="plan-eval-scale-"))
    try:
        figures = {
            "what": "SYNTHETIC national panel (analysis.synthetic): report batch serial vs process pool vs "
            "Dask LocalCluster; engine single-process vs LocalCluster, partitioned by region",
            "cores": os.cpu_count(),
            "reports": report_batch(args.reports, work),
            "engine": engine(args.regions),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    from analysis.datasets import atomic_write_text

    atomic_write_text(RESULTS / "scale.json", json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
