"""Run the batch: execute each report notebook with papermill on a warm kernel, export HTML and
PDF, write everything atomically, and never let one failure stop the others.

``run_batch`` takes any ``concurrent.futures.Executor``; the default is a pool of long-lived
worker processes (one per core), each with its own warm kernel, so no report pays for a new
interpreter or for re-importing pandas. Only reports whose inputs changed are rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
import traceback
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import paths
from analysis.datasets import atomic_write, atomic_write_text
from analysis.publish.batch import Job, safe_path, slug
from analysis.publish.inputs import data_fingerprints

STATE = ".build-state.json"
FAILED = "_failed"


@dataclass
class Result:
    """What happened to one report."""

    kind: str
    slug: str
    title: str
    status: str                      # built, unchanged, failed
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)
    pages: int | None = None
    error: str | None = None
    fingerprint: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def input_fingerprints(jobs: list[Job], data_dir: Path,
                       frames: dict[str, pd.DataFrame] | None = None) -> dict[str, str]:
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
        frames[name] = pd.read_parquet(path) if path.exists() else pd.DataFrame(
            columns=datasets.spec(name).column_names)
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


def _load_notebook(job: Job) -> Any:
    import jupytext

    nb = jupytext.read(job.notebook)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["plan_eval"] = {"title": job.title}
    return nb


def run_job(job: Job, root: Path, engine: str = "warm") -> Result:
    """Execute, export and write one report (runs inside a worker). Never raises.

    papermill writes the executed notebook to a scratch file under ``reports/_failed/``; it is
    removed when the report succeeds and kept, with papermill's error cell, when it fails.
    """
    import papermill

    from analysis.publish.export import ReportPDFExporter, html_exporter
    from analysis.publish.word import ReportDocxExporter

    started = time.perf_counter()
    result = Result(job.kind, job.slug, job.title, "failed", parameters=dict(job.parameters))
    failed_dir = root / FAILED
    failed_dir.mkdir(parents=True, exist_ok=True)
    scratch = safe_path(failed_dir, f".{job.kind}-{job.slug}.{os.getpid()}.running.ipynb")
    kept = safe_path(failed_dir, f"{job.kind}-{job.slug}.ipynb")
    try:
        nb = _load_notebook(job)
        executed = papermill.execute_notebook(nb, str(scratch), parameters=job.parameters, engine_name=engine,
                                              kernel_name="python3", progress_bar=False, log_output=False,
                                              cwd=str(paths.ROOT))
        result.timings["execute"] = round(time.perf_counter() - started, 3)
        body, _ = html_exporter().from_notebook_node(executed)
        result.timings["html"] = round(time.perf_counter() - started - result.timings["execute"], 3)
        pdf, pdf_resources = ReportPDFExporter().from_notebook_node(executed)
        result.timings["pdf"] = round(time.perf_counter() - started - sum(result.timings.values()), 3)
        word, _ = ReportDocxExporter().from_notebook_node(executed)
        result.timings["docx"] = round(time.perf_counter() - started - sum(result.timings.values()), 3)
        outputs = job.outputs(root)
        for path in outputs.values():
            path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(outputs["html"], body)
        atomic_write(outputs["pdf"], pdf)
        atomic_write(outputs["docx"], word)
        result.status = "built"
        result.outputs = [str(p.relative_to(root.resolve())) for p in outputs.values()]
        result.pages = int(pdf_resources["pdf_pages"])
        scratch.unlink(missing_ok=True)
        kept.unlink(missing_ok=True)
    except Exception as exc:  # noqa: BLE001 - one report's failure must not stop the batch
        result.error = _describe(exc)
        if scratch.exists():
            os.replace(scratch, kept)
        else:
            _write_error_notebook(kept, exc)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _describe(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


def _write_error_notebook(target: Path, exc: BaseException) -> None:
    """A failure before execution (bad notebook, missing data): keep the traceback as a notebook."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("```\n" + "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__)) + "\n```"))
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

    export.html_exporter()              # templates compiled once per worker, not once per report
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


def default_executor(workers: int | None = None) -> Executor:
    workers = workers or max(1, min(2, os.cpu_count() or 1))
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_init)


def load_state(root: Path) -> dict[str, Any]:
    path = root / STATE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def plan_work(jobs: list[Job], root: Path, data_dir: Path, force: bool = False,
              fingerprints: dict[str, str] | None = None) -> tuple[list[Job], list[Result]]:
    """Split the batch into reports to build and reports whose inputs did not change."""
    state = load_state(root)
    fingerprints = fingerprints if fingerprints is not None else input_fingerprints(jobs, data_dir)
    todo, unchanged = [], []
    for job in jobs:
        key = f"{job.kind}/{job.slug}"
        fp = fingerprints[key]
        previous = state.get(key)
        outputs_exist = all(p.exists() for p in job.outputs(root).values())
        if not force and previous and previous.get("fingerprint") == fp and previous.get("status") in (
                "built", "unchanged") and outputs_exist:
            unchanged.append(Result(**{**previous, "status": "unchanged", "seconds": 0.0}))
        else:
            todo.append(job)
    return todo, unchanged


def run_batch(jobs: list[Job], root: Path | None = None, *, data_dir: Path | None = None,
              executor: Executor | None = None, force: bool = False, progress: bool = True,
              engine: str = "warm", fingerprints: dict[str, str] | None = None,
              workers: int | None = None) -> list[Result]:
    """Build every report whose inputs changed; return one Result per job, in batch order."""
    root = root or paths.REPORTS
    data_dir = data_dir or paths.PROCESSED
    root.mkdir(parents=True, exist_ok=True)
    fingerprints = fingerprints if fingerprints is not None else input_fingerprints(jobs, data_dir)
    todo, unchanged = plan_work(jobs, root, data_dir, force, fingerprints)
    results: dict[str, Result] = {f"{r.kind}/{r.slug}": r for r in unchanged}
    if todo:
        own = executor is None
        executor = executor or default_executor(min(len(todo), workers or 2))
        bar = _progress(len(todo), progress)
        try:
            futures = {executor.submit(run_job, job, root, engine): job for job in todo}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    r = future.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker is one failed report
                    r = Result(job.kind, job.slug, job.title, "failed", error=f"{type(exc).__name__}: {exc}",
                               parameters=dict(job.parameters))
                r.fingerprint = fingerprints[f"{job.kind}/{job.slug}"]
                results[f"{job.kind}/{job.slug}"] = r
                bar.update(1)
                bar.set_postfix_str(f"{r.status} {job.slug}")
        finally:
            bar.close()
            if own:
                executor.shutdown()
    ordered = [results[f"{j.kind}/{j.slug}"] for j in jobs]
    state = {f"{r.kind}/{r.slug}": asdict(r) for r in ordered}
    atomic_write_text(root / STATE, json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True))
    return ordered


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="reports", unit="report", disable=not enabled, dynamic_ncols=True)


def summary_table(results: list[Result]) -> str:
    """The table printed at the end of a batch: report, status, seconds, outputs."""
    width = max([len(r.slug) for r in results] + [6])
    lines = [f"{'report':<{width + 12}} {'status':<10} {'seconds':>8}  outputs"]
    for r in results:
        outs = ", ".join(r.outputs) if r.outputs else (r.error or "")
        lines.append(f"{r.kind + '/' + r.slug:<{width + 12}} {r.status:<10} {r.seconds:>8.2f}  {outs}")
    built = sum(r.status == "built" for r in results)
    failed = sum(r.status == "failed" for r in results)
    lines.append(f"{len(results)} reports: {built} built, {len(results) - built - failed} unchanged, {failed} failed")
    return "\n".join(lines)


__all__ = ["Result", "run_batch", "run_job", "summary_table", "slug"]
