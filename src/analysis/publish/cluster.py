"""The report batch beyond one machine: a Dask distributed cluster as the batch's executor.

``run_batch`` takes any ``concurrent.futures.Executor``. By default it is a pool of local
worker processes; with a scheduler it is ``distributed.Client.get_executor()``, a
``concurrent.futures`` executor whose tasks run on the cluster's workers. Each worker keeps
its own warm kernel (one per worker thread), exactly as a local worker process does.

What workers need: the installed package (``pip install -e .`` or the wheel, same version)
and the data and report folders at the same paths as the client — a shared filesystem (NFS,
Lustre, a mounted object store) for ``data/processed`` and ``reports/``. Outputs are written
atomically by the workers themselves; nothing large goes through the scheduler.

Where the scheduler comes from, first match wins:

1. ``python -m analysis reports --scheduler ADDRESS`` (``tcp://host:8786``), or ``local`` for a
   ``LocalCluster`` of one single-threaded worker process per core;
2. ``reports.scheduler`` in the config file named by ``$PLAN_EVAL_CONFIG``, else
   ``plan-eval.toml`` in the working directory::

       [reports]
       scheduler = "tcp://10.0.0.5:8786"

3. nothing: the local process pool (the default).

The same ``[reports]`` table sets the per-report time limit (``time_limit = 300``, seconds; the
command line's ``--time-limit`` wins).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CONFIG_ENV = "PLAN_EVAL_CONFIG"
CONFIG_FILE = "plan-eval.toml"


def reports_config(cwd: Path | None = None) -> tuple[Path | None, dict[str, Any]]:
    """The ``[reports]`` table of the config file (``$PLAN_EVAL_CONFIG``, else ``plan-eval.toml``
    in the working directory), and the file's path; an empty table when there is no file."""
    path = Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else (cwd or Path.cwd()) / CONFIG_FILE
    if not path.exists():
        return None, {}
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(
            f'{path}: not valid TOML ({exc}); expected e.g. [reports] scheduler = "tcp://host:8786"'
        ) from exc
    table = config.get("reports", {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: reports must be a table ([reports]), got {table!r}")
    return path, table


def configured_scheduler(cli_value: str | None = None, cwd: Path | None = None) -> str | None:
    """The scheduler to use: the command line's, else the config file's, else None."""
    if cli_value:
        return cli_value
    path, table = reports_config(cwd)
    value = table.get("scheduler")
    if value is not None and not isinstance(value, str):
        raise ValueError(f'{path}: reports.scheduler must be a string (an address or "local"), got {value!r}')
    return value or None


#: Seconds one report may take (execution and export) before it is stopped and failed: a
#: report takes one to five seconds; this is for a report that would never end (a runaway
#: cell, a page layout that grows with the cube of a cell's length).
DEFAULT_TIME_LIMIT = 300.0


def configured_time_limit(cli_value: float | None = None, cwd: Path | None = None) -> float | None:
    """Seconds per report: the command line's, else ``reports.time_limit`` in the config file,
    else ``DEFAULT_TIME_LIMIT``. ``0`` means no limit (``None``)."""
    path, table = (None, {}) if cli_value is not None else reports_config(cwd)
    value = cli_value if cli_value is not None else table.get("time_limit", DEFAULT_TIME_LIMIT)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != value:
        where = f"{path}: reports.time_limit" if path else "--time-limit"
        raise ValueError(f"{where} must be a number of seconds (0 for no limit), got {value!r}")
    return float(value) or None


class _WarmWorker:
    """Dask worker plugin: import the heavy libraries once when a worker starts (its kernel
    then starts on the first report, in the thread that runs it), stop kernels at teardown."""

    name = "plan-eval-warm"

    def setup(self, worker: Any) -> None:
        from analysis.publish.runner import warm_imports

        warm_imports()

    def teardown(self, worker: Any) -> None:
        from analysis.publish import kernels

        kernels.release_all()


#: Dask configuration for a local cluster that builds reports. Dask's nanny starts every worker
#: with ``MALLOC_TRIM_THRESHOLD_=65536``, so that a long-lived worker hands freed memory back to
#: the operating system; the worker's kernels inherit it. A report allocates and frees tens of
#: megabytes per chart and page, and each freed block then comes back as fresh pages, which
#: the kernel must fault in and zero: 30 synthetic reports took 61.5 s on a LocalCluster of 2
#: against 50.2 s on the process pool, and 49.1 s with the variable unset (12-04; CPU of the
#: workers 60 → 48 s, of their kernels 55 → 46 s). ``None`` unsets it (Dask's documented way).
#: A real cluster's workers are started by whoever runs it: docs/scale.md says what to set.
REPORT_WORKER_CONFIG: dict[str, Any] = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def _plugin() -> Any:
    from distributed.diagnostics.plugin import WorkerPlugin

    class WarmWorker(_WarmWorker, WorkerPlugin):
        pass

    return WarmWorker()


@contextmanager
def dask_executor(
    scheduler: str, workers: int | None = None, warm: bool = True
) -> Iterator[tuple[Executor, dict[str, Any]]]:
    """A ``concurrent.futures`` executor on a Dask cluster, and the cluster's shape.

    ``scheduler`` is an address, or ``local`` for a ``LocalCluster`` of ``workers``
    single-threaded worker processes (default: one per core, at most two). ``warm``: import
    the report libraries on every worker at start (for report batches, not engine runs); a
    local cluster's report workers also keep glibc's own heap trimming (``REPORT_WORKER_CONFIG``)."""
    import dask
    from distributed import Client, LocalCluster

    from analysis.publish.runner import default_workers

    cluster = None
    if scheduler == "local":
        n = workers or default_workers()
        # set after distributed is imported: leaving a dask.config.set block restores the config
        # as it was on entry, and distributed's own settings load on its import
        with dask.config.set(REPORT_WORKER_CONFIG if warm else {}):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        if warm:
            client.register_plugin(_plugin())
        info = client.scheduler_info()
        shape = {
            "scheduler": "LocalCluster" if cluster is not None else scheduler,
            "workers": len(info["workers"]),
            "threads": sum(w["nthreads"] for w in info["workers"].values()),
        }
        yield client.get_executor(pure=False), shape
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


__all__ = [
    "CONFIG_ENV",
    "CONFIG_FILE",
    "DEFAULT_TIME_LIMIT",
    "REPORT_WORKER_CONFIG",
    "configured_scheduler",
    "configured_time_limit",
    "dask_executor",
    "reports_config",
]
