"""Run the batch: execute each report notebook with papermill on a warm kernel, export HTML and
PDF, write everything atomically, and never let one failure stop the others.

``run_batch`` takes any ``concurrent.futures.Executor``; the default is a pool of long-lived
worker processes (one per core), each with its own warm kernel, so no report pays for a new
interpreter or for re-importing pandas. Only reports whose inputs changed are rebuilt.

What a batch survives (each proved in ``tests/test_batch_survival.py``):

- a report that runs too long: stopped at its time limit (``time_limit``), its kernel killed,
  failed with the limit named; the batch goes on;
- a kill at any moment: every finished report is recorded at once (a line appended to the
  state's journal; the state file itself is rewritten atomically at the end), so the next
  batch rebuilds only what was not finished; scratch notebooks, half-written temporary
  files and kernel folders of dead processes are removed by the next batch;
- a report that fails: its previous HTML, PDF and Word files are moved aside to
  ``_failed/<kind>-<slug>.previous.<ext>`` beside the failed notebook, never left looking current;
- a worker process that dies (a segfault, the out-of-memory killer) or hangs where its alarm
  cannot reach (inside C code; found by a watchdog, ``WATCHDOG_GRACE``): the reports it left
  are run again one at a time, so only the report that does it again fails, named;
- a second batch on the same folder at the same time: it waits for the first (``batch_lock``);
- rebuilding: the same inputs give the same bytes (cell ids numbered, the files dated by their
  data, ``inputs.source_dates``), so a published report can be checked by rebuilding it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import paths
from analysis.datasets import atomic_write, atomic_write_text
from analysis.publish.batch import Job, safe_path, slug
from analysis.publish.inputs import data_fingerprints, source_dates

STATE = ".build-state.json"
#: One line per report finished since the state file was last written whole: appending a line
#: costs the same for the 3rd report as for the 3,000th (rewriting the state after each report
#: would cost 13 ms a report at 200 reports, 180 ms at 2,850). A torn last line is ignored.
JOURNAL = ".build-state.jsonl"
FAILED = "_failed"
LOCK = ".lock"
SCRATCH = ".running.ipynb"
#: A failed report's last good files, beside its failed notebook: ``_failed/<kind>-<slug>.previous.pdf``.
PREVIOUS = "previous"


@dataclass
class Result:
    """What happened to one report."""

    kind: str
    slug: str
    title: str
    status: str  # built, unchanged, failed
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)
    pages: int | None = None
    error: str | None = None
    fingerprint: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: a failed report's previous outputs, moved aside (relative to the reports folder)
    previous: list[str] = field(default_factory=list)


class ReportTimeout(BaseException):
    """A report over its time limit. A BaseException, so that no ``except Exception`` on the
    way (in a report's code, papermill or WeasyPrint) can swallow it."""


def input_fingerprints(
    jobs: list[Job], data_dir: Path, frames: dict[str, pd.DataFrame] | None = None
) -> dict[str, str]:
    """``kind/slug`` → a hash of what that report depends on: the rows of the processed data
    in its scope (``inputs.data_fingerprints``), its notebook, its parameters and the code."""
    frames = frames if frames is not None else read_inputs(data_dir)
    data = data_fingerprints(jobs, frames)
    code = code_fingerprint()
    out = {}
    for job in jobs:
        h = hashlib.sha256()
        h.update(job.notebook.read_bytes())
        h.update(json.dumps(job.parameters, sort_keys=True, ensure_ascii=False).encode())
        h.update(data[f"{job.kind}/{job.slug}"].encode())
        h.update(code.encode())
        out[f"{job.kind}/{job.slug}"] = h.hexdigest()
    return out


def read_inputs(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Every processed dataset a report may read, as stored (not checked: the reports check
    what they read). A missing one counts as empty, with its columns."""
    from analysis import datasets

    frames = {}
    for name in (*datasets.DATASETS, "evaluations"):
        path = data_dir / f"{name}.parquet"
        frames[name] = (
            pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=datasets.spec(name).column_names)
        )
    return frames


_CODE: str | None = None


def code_fingerprint() -> str:
    """A hash of the package's code, templates and stylesheet (computed once per process)."""
    global _CODE
    if _CODE is None:
        h = hashlib.sha256()
        src = Path(__file__).resolve().parents[1]
        for f in sorted(src.rglob("*")):
            if f.is_file() and f.suffix in (".py", ".j2", ".css", ".json", ".yml"):
                h.update(str(f.relative_to(src)).encode())
                h.update(f.read_bytes())
        _CODE = h.hexdigest()
    return _CODE


def _load_notebook(job: Job, date: str | None = None) -> Any:
    import jupytext

    nb = jupytext.read(job.notebook)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["plan_eval"] = {"title": job.title} | ({"date": date} if date else {})
    return nb


def _number_cells(nb: Any) -> Any:
    """Cell ids by position: nbformat and papermill draw them at random, and the HTML carries
    them (``id="cell-id=…"``, and the PDF as link targets), so two builds would differ."""
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


PHASES = {"execute": "执行", "html": "网页导出", "pdf": "PDF导出", "docx": "Word导出"}


def run_job(
    job: Job, root: Path, engine: str = "warm", time_limit: float | None = None, date: str | None = None
) -> Result:
    """Execute, export and write one report (runs inside a worker). Never raises.

    papermill writes the executed notebook to a scratch file under ``reports/_failed/``; it is
    removed when the report succeeds and kept, with papermill's error cell, when it fails.
    ``time_limit`` (seconds) bounds execution and export together: past it the report is
    stopped, its kernel killed and the report failed. ``date`` is what its files carry as
    their date (``inputs.source_dates``).
    """
    # imported before the clock starts (and outside the try): the execute lap times the
    # report, not a first import; ``_execute`` uses this module
    import papermill  # noqa: F401

    from analysis.publish.export import ReportPDFExporter, dated_docx, html_exporter
    from analysis.publish.word import ReportDocxExporter

    started = time.perf_counter()
    result = Result(job.kind, job.slug, job.title, "failed", parameters=dict(job.parameters))
    failed_dir = root / FAILED
    failed_dir.mkdir(parents=True, exist_ok=True)
    scratch = safe_path(failed_dir, f".{job.kind}-{job.slug}.{os.getpid()}{SCRATCH}")
    kept = safe_path(failed_dir, f"{job.kind}-{job.slug}.ipynb")
    phases = _Phases(result, started)
    try:
        with _time_limit(time_limit) as signalled:
            # where no alarm can be set (a worker thread: Dask, tests), each cell gets the limit
            # and the export phases are checked between them
            phases.deadline = None if signalled or not time_limit else started + time_limit
            executed = _execute(job, date, scratch, engine, time_limit, phases.deadline)
            phases.lap("execute")
            body, _ = phases.export("html", html_exporter, executed)
            pdf, pdf_resources = phases.export("pdf", ReportPDFExporter, executed)
            word, _ = phases.export("docx", ReportDocxExporter, executed)
        if date:
            word = dated_docx(word, date)
        _publish(job, root, result, body, pdf, word, pdf_resources)
        scratch.unlink(missing_ok=True)
        kept.unlink(missing_ok=True)
        for path in _previous_outputs(job, root).values():
            path.unlink(missing_ok=True)
    except ReportTimeout:
        if phases.phase == "execute":
            _stop_execution(engine)
        result.error = f"超过单份报告时限（{time_limit:g}秒），已在{PHASES[phases.phase]}阶段中止"
        _keep_failed(job, root, scratch, kept, None, result)
    except Exception as exc:
        result.error = _describe(exc)
        _keep_failed(job, root, scratch, kept, exc, result)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


@dataclass
class _Phases:
    """Which phase of a report is running and how long each took: a timeout names the phase
    it stopped in, and the result keeps one lap per phase."""

    result: Result
    started: float
    deadline: float | None = None  # checked between the export phases where no alarm is set
    phase: str = "execute"

    def lap(self, name: str) -> None:
        """The time since the previous lap, as phase ``name``'s."""
        self.result.timings[name] = round(time.perf_counter() - self.started - sum(self.result.timings.values()), 3)

    def export(self, name: str, exporter: Any, executed: Any) -> Any:
        """Export ``executed`` with ``exporter`` as phase ``name`` (past the deadline: ReportTimeout)."""
        self.phase = name
        if self.deadline and time.perf_counter() > self.deadline:
            raise ReportTimeout()
        exported = exporter().from_notebook_node(executed)
        self.lap(name)
        return exported


def _execute(
    job: Job, date: str | None, scratch: Path, engine: str, time_limit: float | None, deadline: float | None
) -> Any:
    """The report's notebook executed by papermill into ``scratch``, its cells numbered; with a
    ``deadline`` (no alarm) each cell gets the time limit and nbclient's timeout is ours."""
    import papermill

    nb = _load_notebook(job, date)
    try:
        executed = papermill.execute_notebook(
            nb,
            str(scratch),
            parameters=job.parameters,
            engine_name=engine,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(paths.ROOT),
            execution_timeout=int(time_limit) + 1 if deadline and time_limit else None,
        )
    except TimeoutError:  # nbclient's per-cell limit (no alarm here)
        if deadline:
            raise ReportTimeout() from None
        raise
    _number_cells(executed)
    return executed


def _publish(
    job: Job, root: Path, result: Result, body: str, pdf: bytes, word: bytes, pdf_resources: dict[str, Any]
) -> None:
    """Write the HTML, PDF and Word files and mark the result built, with its outputs and pages."""
    outputs = job.outputs(root)
    for path in outputs.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(outputs["html"], body)
    atomic_write(outputs["pdf"], pdf)
    atomic_write(outputs["docx"], word)
    result.status = "built"
    result.outputs = [str(p.relative_to(root.resolve())) for p in outputs.values()]
    result.pages = int(pdf_resources["pdf_pages"])


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[bool]:
    """Raise ``ReportTimeout`` in this thread after ``seconds`` (an interval timer and SIGALRM:
    it interrupts Python code anywhere, WeasyPrint's layout and the wait for a kernel included).
    Only the main thread of a process can take signals: elsewhere yield False and set nothing."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield False
        return

    def expire(signum: int, frame: Any) -> None:
        raise ReportTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _stop_execution(engine: str) -> None:
    """After a report was stopped mid-execution: kill its kernel (still busy with the cell), and
    cancel what the interrupted client left waiting in this thread's event loop (which lets
    nbclient stop a kernel of its own, with the ``nbclient`` engine)."""
    from jupyter_core.utils import ensure_event_loop

    from analysis.publish import kernels

    try:
        loop = ensure_event_loop()
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=30))
        for task in pending:  # retrieved, so that asyncio does not log them at exit
            if task.done() and not task.cancelled():
                task.exception()
    except Exception:
        pass
    if engine == "warm":
        kernels.discard()
        try:
            kernels.acquire()  # the next report's kernel, started outside its time limit
        except Exception:
            pass


def _previous_outputs(job: Job, root: Path) -> dict[str, Path]:
    return {ext: safe_path(root / FAILED, f"{job.kind}-{job.slug}.{PREVIOUS}.{ext}") for ext in job.outputs(root)}


def _keep_failed(job: Job, root: Path, scratch: Path, kept: Path, exc: BaseException | None, result: Result) -> None:
    """Keep the failed notebook (papermill's, with its error cell, else one holding the
    traceback) and move the report's previous outputs aside. Never raises."""
    try:
        if scratch.exists():
            os.replace(scratch, kept)
        else:
            _write_error_notebook(kept, exc or RuntimeError(result.error))
        aside = _previous_outputs(job, root)
        for ext, path in job.outputs(root).items():
            if path.exists():
                os.replace(path, aside[ext])
        # listed whether moved now or by an earlier failure: the last good files there are
        result.previous = [str(p.relative_to(root.resolve())) for p in aside.values() if p.exists()]
    except Exception as exc2:
        result.error = f"{result.error}; and keeping its notebook failed: {_describe(exc2)}"


def _describe(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


def _write_error_notebook(target: Path, exc: BaseException) -> None:
    """A failure before execution (bad notebook, missing data): keep the traceback as a notebook."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(
        nbformat.v4.new_markdown_cell(
            "```\n" + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) + "\n```"
        )
    )
    atomic_write_text(target, nbformat.writes(nb))


# -- the batch ----------------------------------------------------------------------------------


def warm_imports() -> None:
    """What any report worker (a pool process or a Dask worker) does once at start: import the
    heavy libraries, and quieten WeasyPrint's per-font fallback line, which the batch has
    already said once, when HarfBuzz-Subset is missing."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    from analysis.publish import export, pdf_fonts

    export.html_exporter()  # templates compiled once per worker, not once per report
    export.pdf_html_exporter()
    if not pdf_fonts.harfbuzz_subset():
        pdf_fonts.quiet_fallback()


def _worker_init() -> None:
    """A pool process: warm imports, and its warm kernel started ahead of need."""
    import atexit

    from analysis.publish import kernels

    warm_imports()
    kernels.acquire("python3")
    atexit.register(kernels.release_all)


def default_workers() -> int:
    """Workers of the default pool: two, or one on a one-core machine (a third on two cores
    was slower: four processes, each worker with its kernel, on two cores; bench/README)."""
    return max(1, min(2, os.cpu_count() or 1))


def default_executor(workers: int | None = None) -> Executor:
    workers = workers or default_workers()
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init
    )


def load_state(root: Path) -> dict[str, Any]:
    """The results of the last batches by ``kind/slug``: the state file, updated by the journal
    of reports finished since (a batch killed half-way). Empty when there is none or it is
    unreadable (then everything is rebuilt, which is safe)."""
    path = root / STATE
    try:
        state = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        state = {}
    state = state if isinstance(state, dict) else {}
    journal = root / JOURNAL
    if journal.exists():
        for line in journal.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
                state[entry["key"]] = entry["result"]
            except (ValueError, KeyError, TypeError):  # a line torn by a kill
                continue
    return state


_RESULT_FIELDS = {f.name for f in fields(Result)}


def _write_state(root: Path, state: dict[str, Any]) -> None:
    """The whole state, atomically; the journal it includes is then removed."""
    atomic_write_text(root / STATE, json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True))
    (root / JOURNAL).unlink(missing_ok=True)


def _journal(root: Path, key: str, result: Result) -> None:
    """Record one finished report: one line, appended in one write."""
    line = json.dumps({"key": key, "result": asdict(result)}, ensure_ascii=False) + "\n"
    with open(root / JOURNAL, "a", encoding="utf-8") as fh:
        fh.write(line)


def plan_work(
    jobs: list[Job], root: Path, data_dir: Path, force: bool = False, fingerprints: dict[str, str] | None = None
) -> tuple[list[Job], list[Result]]:
    """Split the batch into reports to build and reports whose inputs did not change."""
    state = load_state(root)
    fingerprints = fingerprints if fingerprints is not None else input_fingerprints(jobs, data_dir)
    todo, unchanged = [], []
    for job in jobs:
        key = f"{job.kind}/{job.slug}"
        fp = fingerprints[key]
        previous = state.get(key)
        outputs_exist = all(p.exists() for p in job.outputs(root).values())
        if (
            not force
            and isinstance(previous, dict)
            and previous.get("fingerprint") == fp
            and previous.get("status") in ("built", "unchanged")
            and outputs_exist
        ):
            kept = {k: v for k, v in previous.items() if k in _RESULT_FIELDS}
            unchanged.append(Result(**{**kept, "status": "unchanged", "seconds": 0.0}))
        else:
            todo.append(job)
    return todo, unchanged


# -- one batch at a time --------------------------------------------------------------------------


class BatchLocked(RuntimeError):
    """Another batch is building reports in the same folder (and we were asked not to wait)."""


_HELD: dict[Path, list[Any]] = {}  # lock file → [open file, depth]: reentrant in a process


@contextmanager
def batch_lock(root: Path, wait: bool = True) -> Iterator[None]:
    """Hold ``<root>/.lock`` while building: a second batch on the same folder waits for the
    first (saying so) or, with ``wait=False``, raises ``BatchLocked`` naming the holder. The lock
    is the operating system's (``flock``): it goes with the process, so a killed batch never
    leaves a stale one. Where ``fcntl`` is missing (Windows) there is no lock."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    path = (root / LOCK).resolve()
    if path in _HELD:
        _HELD[path][1] += 1
        try:
            yield
        finally:
            _HELD[path][1] -= 1
        return
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until the batch ends, closed below
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            message = f"another report batch ({holder}) is building in {root}"
            if not wait:
                raise BatchLocked(f"{message}; try again when it has finished") from None
            print(f"{message}; waiting for it to finish…", file=sys.stderr, flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        fh.flush()
        _HELD[path] = [fh, 1]
        try:
            yield
        finally:
            del _HELD[path]
    finally:
        fh.close()  # closing releases the lock


def sweep_scratch(root: Path) -> list[Path]:
    """What a killed batch left: scratch notebooks in ``_failed/``, half-written temporary files
    of ``atomic_write`` in the output folders, and kernel folders of dead processes. Removed
    (under the batch lock, so never another live batch's); the list of removed files returned."""
    from analysis.publish import kernels
    from analysis.publish.batch import FOLDERS

    removed: list[Path] = []
    patterns = [(root / FAILED, f".*{SCRATCH}"), (root / FAILED, ".*.tmp"), (root, ".*.tmp")]
    patterns += [(root / folder, ".*.tmp") for folder in FOLDERS.values()]
    for folder, pattern in patterns:
        if folder.is_dir():
            for path in folder.glob(pattern):
                path.unlink(missing_ok=True)
                removed.append(path)
    kernels.sweep_stale_folders()
    return removed


def run_batch(
    jobs: list[Job],
    root: Path | None = None,
    *,
    data_dir: Path | None = None,
    executor: Executor | None = None,
    force: bool = False,
    progress: bool = True,
    engine: str = "warm",
    fingerprints: dict[str, str] | None = None,
    workers: int | None = None,
    time_limit: float | None = None,
    frames: dict[str, pd.DataFrame] | None = None,
) -> list[Result]:
    """Build every report whose inputs changed; return one Result per job, in batch order.

    Holds the folder's batch lock; records every report as it finishes (so a killed batch
    resumes where it was); ``time_limit``: seconds per report (None: no limit)."""
    root = root or paths.REPORTS
    data_dir = data_dir or paths.PROCESSED
    root.mkdir(parents=True, exist_ok=True)
    with batch_lock(root):
        sweep_scratch(root)
        if fingerprints is None or frames is None:
            frames = frames if frames is not None else read_inputs(data_dir)
            fingerprints = fingerprints if fingerprints is not None else input_fingerprints(jobs, data_dir, frames)
        todo, unchanged = plan_work(jobs, root, data_dir, force, fingerprints)
        results: dict[str, Result] = {f"{r.kind}/{r.slug}": r for r in unchanged}
        if todo:
            dates = source_dates(todo, frames)
            bar = _progress(len(todo), progress)

            def record(job: Job, r: Result) -> None:
                key = f"{job.kind}/{job.slug}"
                r.fingerprint = fingerprints[key]
                results[key] = r
                _journal(root, key, r)  # a kill from here on loses nothing built
                bar.update(1)
                bar.set_postfix_str(f"{r.status} {job.slug}")

            try:
                _run_on_pools(todo, root, engine, time_limit, dates, record, executor, workers)
            finally:
                bar.close()
        ordered = [results[f"{j.kind}/{j.slug}"] for j in jobs]
        _write_state(root, {f"{r.kind}/{r.slug}": asdict(r) for r in ordered})
    return ordered


#: Seconds past the per-report limit after which a pool whose workers have finished nothing is
#: taken for hung (a loop inside C code, where no alarm reaches) and its processes killed.
WATCHDOG_GRACE = 60.0


class _PoolLost(Exception):
    """The futures a broken or killed pool left unfinished, and whether the watchdog killed it."""

    def __init__(self, jobs: list[Job], hung: bool) -> None:
        super().__init__(f"{len(jobs)} reports lost with their worker pool")
        self.jobs, self.hung = jobs, hung


def _run_on_pools(
    todo: list[Job],
    root: Path,
    engine: str,
    time_limit: float | None,
    dates: Mapping[str, str | None],
    record: Callable[[Job, Result], None],
    executor: Executor | None,
    workers: int | None,
) -> None:
    """Run ``todo`` and ``record`` each result; survive a worker that dies or hangs.

    A worker process that crashes (a segfault in a C library, the out-of-memory killer) breaks
    a ``ProcessPoolExecutor``: every unfinished report would fail with it. So the reports it
    left are run again one at a time on a pool of one worker, where a crash can only be the
    report's own: that one fails, named, and the rest are built. A worker stuck where its own
    alarm cannot reach (inside C code) is found by a watchdog in this process: nothing finished
    for ``time_limit`` + ``WATCHDOG_GRACE`` seconds. A caller's own executor is used as given
    (it cannot be rebuilt here): its lost reports fail with the reason."""

    def fail(lost: _PoolLost, retried: bool) -> None:
        if lost.hung:
            why = f"超过单份报告时限（{time_limit:g}秒）且无法中止，其工作进程已被终止"
        else:
            why = "报告工作进程异常退出" + ("（单独重试后仍然如此）" if retried else "")
        for job in lost.jobs:
            record(job, _failed(job, why))

    pool = executor or default_executor(min(len(todo), workers or default_workers()))
    try:
        _run_pool(pool, todo, root, engine, time_limit, dates, record)
        return
    except _PoolLost as lost:
        if executor is not None:
            fail(lost, retried=False)
            return
        retry = lost.jobs
    finally:
        if executor is None:
            pool.shutdown(wait=True, cancel_futures=True)
    pool = default_executor(1)
    try:
        for job in retry:  # alone: a crash or a hang now is this report's own
            try:
                _run_pool(pool, [job], root, engine, time_limit, dates, record)
            except _PoolLost as lost:
                fail(lost, retried=True)
                pool.shutdown(wait=True)
                pool = default_executor(1)
    finally:
        pool.shutdown(wait=True)


def _run_pool(
    pool: Executor,
    jobs: list[Job],
    root: Path,
    engine: str,
    time_limit: float | None,
    dates: Mapping[str, str | None],
    record: Callable[[Job, Result], None],
) -> None:
    """Submit ``jobs`` to ``pool`` and record each result as it comes; raise ``_PoolLost`` with
    the unfinished ones if the pool breaks or hangs."""
    futures = {
        pool.submit(run_job, job, root, engine, time_limit, dates[f"{job.kind}/{job.slug}"]): job for job in jobs
    }
    waiting, lost, hung = set(futures), [], False
    patience = time_limit + WATCHDOG_GRACE if time_limit else None
    while waiting:
        done, waiting = wait(waiting, timeout=patience, return_when=FIRST_COMPLETED)
        if not done:  # nothing finished in a report's limit and the grace: the workers are stuck
            hung = True
            _kill_workers(pool)
            continue
        for future in done:
            job = futures[future]
            try:
                r = future.result()
            except BrokenProcessPool:
                lost.append(job)
                continue
            except Exception as exc:
                r = _failed(job, f"{type(exc).__name__}: {exc}")
            record(job, r)
    if lost:
        raise _PoolLost([j for j in jobs if any(j is x for x in lost)], hung)


def _failed(job: Job, error: str) -> Result:
    """A report that failed outside ``run_job`` (its worker lost, or the call itself raised)."""
    return Result(job.kind, job.slug, job.title, "failed", error=error, parameters=dict(job.parameters))


def _kill_workers(pool: Executor) -> None:
    """Kill a process pool's workers (and so their kernels' parents); the pool then breaks and
    every unfinished future raises ``BrokenProcessPool``. Other executors are left alone."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.kill()


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="reports", unit="report", disable=not enabled, dynamic_ncols=True)


def summary_table(results: list[Result]) -> str:
    """The table printed at the end of a batch: report, status, seconds, outputs; then every
    failed report by its title, with its error."""
    width = max([len(r.slug) for r in results] + [6])
    lines = [f"{'report':<{width + 12}} {'status':<10} {'seconds':>8}  outputs"]
    for r in results:
        outs = ", ".join(r.outputs) if r.outputs else (r.error or "")
        lines.append(f"{r.kind + '/' + r.slug:<{width + 12}} {r.status:<10} {r.seconds:>8.2f}  {outs}")
    built = sum(r.status == "built" for r in results)
    failed = sum(r.status == "failed" for r in results)
    lines.append(f"{len(results)} reports: {built} built, {len(results) - built - failed} unchanged, {failed} failed")
    for r in results:
        if r.status == "failed":
            aside = f" (previous files moved to {', '.join(r.previous)})" if r.previous else ""
            lines.append(f"FAILED {r.kind}/{r.slug} 《{r.title}》: {r.error}{aside}")
    return "\n".join(lines)


__all__ = [
    "BatchLocked",
    "ReportTimeout",
    "Result",
    "batch_lock",
    "run_batch",
    "run_job",
    "slug",
    "summary_table",
    "sweep_scratch",
]
