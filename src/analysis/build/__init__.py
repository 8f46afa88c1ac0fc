"""Raw transcription → tidy processed datasets (``python -m analysis data``).

Load inputs: every raw file, checked against its sidecar (``analysis.raw``).
Process data: cross-file checks (plans, documents, departments that exist; target years
inside the plan period; restatements that agree), then one tidy frame per dataset, built by
the steps in ``STEPS``, in that order, each from the raw catalog and the frames before it.
Save outputs: only when every check passed, each dataset written atomically with its
schema checked; a manifest records row counts, checksums and where every raw row went.

The steps live in small modules: ``tables`` (one raw file each), ``statements`` (targets and
responsibilities), ``observations`` and ``observation_checks``, ``links`` (passages, evidence,
base values), ``backtest_inputs`` (the backtest's files, validated here), ``references``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import datasets, freshness, paths
from analysis.build import backtest_inputs, links, observations, references, statements, tables
from analysis.build.context import Context, first_per_cell
from analysis.raw.catalog import load_catalog
from analysis.raw.entries import EntryResult, merge, read_entries
from analysis.raw.errors import Problem, RawDataError
from analysis.raw.verbatim import document_problems, verbatim_problems

ENTRIES = "entries"  # folder of data/raw holding filled workbooks
#: Frames the steps pass on that are not datasets (their names start with "_").
TASK_ROWS, STATEMENTS = "_task_rows", "_statements"


@dataclass(frozen=True)
class Step:
    """One frame: its name, the function that builds it, and the frames it reads."""

    name: str
    make: Callable[..., pd.DataFrame]
    reads: tuple[str, ...] = ()


#: Every processed dataset (and the two frames between), in the order they are built.
STEPS: tuple[Step, ...] = (
    Step("documents", tables.documents),
    Step("evaluation_settings", tables.evaluation_settings),
    Step("milestones", tables.milestones, ("evaluation_settings",)),
    Step("risk_areas", tables.risk_areas, ("evaluation_settings",)),
    Step(TASK_ROWS, statements.task_rows),
    Step(STATEMENTS, statements.statements, (TASK_ROWS,)),
    Step("indicators", statements.indicators, (STATEMENTS,)),
    Step("target_statements", statements.target_statements, (STATEMENTS,)),
    Step("items", statements.items, (TASK_ROWS, STATEMENTS)),
    Step("responsibilities", statements.responsibilities, (TASK_ROWS, STATEMENTS)),
    Step("departments", tables.departments, ("responsibilities",)),
    Step("plans", tables.plans, ("indicators",)),
    Step("observations", observations.observations, ("indicators",)),
    Step("passages", links.passages, ("observations", "indicators", "plans")),
    Step("evidence", links.evidence, ("observations", "indicators", "plans")),
    Step("base_values", links.base_values, ("observations", "indicators", "plans")),
)


@dataclass
class BuildResult:
    """What a build produced: the frames, the manifest, and warnings to show the user."""

    frames: dict[str, pd.DataFrame]
    manifest: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def assemble(ctx: Context) -> dict[str, pd.DataFrame]:
    """Run ``STEPS`` on a checked catalog; raise ``RawDataError`` with every problem found."""
    references.check_references(ctx)
    texts, found = document_problems(ctx.catalog)
    ctx.problems += found
    frames: dict[str, pd.DataFrame] = {}
    for step in STEPS:
        frames[step.name] = step.make(ctx, *(frames[name] for name in step.reads))
    backtest_inputs.check_backtest(ctx)
    # last: where a cell is also wrong in a way the checks above name, their message is kept
    ctx.problems += verbatim_problems(ctx.catalog, texts)
    if ctx.problems:
        raise RawDataError(first_per_cell(ctx.problems))
    return {name: frame for name, frame in frames.items() if not name.startswith("_")}


def build(raw_dir: Path | None = None, out_dir: Path | None = None, *, write: bool = True) -> BuildResult:
    """Validate ``raw_dir`` and write every processed dataset to ``out_dir``.

    Raises RawDataError (listing every problem) before anything is written, so a bad raw
    file never replaces good processed data.
    """
    raw_dir = raw_dir or paths.RAW
    out_dir = out_dir or paths.PROCESSED
    read = freshness.inputs(raw_dir)  # the checksums first: the manifest says what exactly was built from
    catalog = load_catalog(raw_dir)
    ctx = Context(catalog)
    frames, entries = _datasets(ctx, raw_dir)
    warnings = (
        ctx.warnings
        + [r["message"] for r in ctx.review]
        + [
            f"unparsed target: {r.plan_id}/{r.indicator_id} {r.target_text!r} ({r.parse_notes})"
            for r in frames["indicators"].itertuples()
            if r.target_kind == "unparsed"
        ]
    )
    manifest: dict[str, Any] = {
        "datasets": {},
        "lineage": ctx.lineage,
        "raw_rows": catalog.row_count,
        "inputs": read,
        "entries": {
            "files": entries.files,
            "assessments": len(entries.assessments),
            "risks": len(entries.risks),
            "observations": len(entries.observations),
        },
        "warnings": warnings,
        "to_review": ctx.review,
    }
    if write:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in datasets.DATASETS:
            manifest["datasets"][name] = datasets.write(name, frames[name], out_dir)
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        datasets.atomic_write_text(out_dir / "manifest.json", text)
    return BuildResult(frames, manifest, warnings)


def _datasets(ctx: Context, raw_dir: Path) -> tuple[dict[str, pd.DataFrame], EntryResult]:
    """Every dataset, conformed to its schema, with the filled workbooks merged in (checked
    against what the documents say); and what the workbooks held. Any problem raises
    RawDataError, a rule the raw checks missed included (naming dataset, row, column, rule)."""
    try:
        frames = assemble(ctx)
        frames = {name: datasets.conform(name, frame) for name, frame in frames.items()}
        entries = read_entries(raw_dir / ENTRIES, frames)
        if entries.problems:
            raise RawDataError(entries.problems)
        frames.update(merge(frames, entries))
    except datasets.DatasetSchemaError as exc:
        raise RawDataError(
            [
                Problem(
                    f"{f['dataset']} (dataset built from data/raw)",
                    None,
                    f["column"],
                    f"{f['found']} in the row {f['row']}",
                    f["rule"],
                )
                for f in exc.failures
            ]
            or [Problem("data/processed", None, None, str(exc), "datasets that match their schemas")]
        ) from None
    return {name: frames[name] for name in datasets.DATASETS}, entries
