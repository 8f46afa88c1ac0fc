"""A SYNTHETIC national panel: made-up county-level plans, for scale runs only.

A ministry evaluating every county-level plan (about 2,850 regions) would publish thousands
of reports; the project holds two real districts. To measure the batch and the engine at that
scale without inventing "real" data, ``python -m analysis synthetic --regions 2850`` writes a
complete processed-data folder (every dataset, schema-checked, plus its evaluations) for
made-up units 合成县00000 …, each with its own plan of 35 targets shaped like the real ones
(the generator is ``analysis.bench.synthetic_frames``, from a fixed seed).

Synthetic everywhere: it is written outside ``data/`` (refused inside it), every plan title
and region says 合成, every row cites the one synthetic document (file ``synthetic``, titled
合成数据…, so a report's list of sources names it in Chinese), and the folder holds a
``SYNTHETIC.txt`` marker. Reports built from it say 合成数据 on their cover (the plan title).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis import datasets, paths
from analysis.bench import INDICATORS, SEED, SOURCE, K, synthetic_frames

#: The targets a synthetic county plan keeps by default: eleven, as real district plans have
#: (document 003's table 1 has eleven), of every kind the real ones have.
PLAN_TARGETS = (
    "new_jobs",
    "skills_training",
    "startups_supported",
    "hard_to_employ_placed",
    "surveyed_unemployment",
    "zero_employment_families",
    "pension_coverage",
    "skilled_share",
    "arbitration_days",
    "employment_first",
    "registered_unemployed",
)
MARKER = "SYNTHETIC.txt"
INDICATORS_IDS = [t[0] for t in INDICATORS]
INDICATOR_NAMES = [t[1] for t in INDICATORS]
INDICATOR_UNITS = [t[4] for t in INDICATORS]
DOCUMENT_ID = "synthetic"
#: Where in the synthetic document a row is "read": all of it (a restatement elsewhere in it).
WHOLE = "全文"


def national_panel(
    regions: int, seed: int = SEED, targets: tuple[str, ...] | None = PLAN_TARGETS
) -> dict[str, pd.DataFrame]:
    """Every processed dataset for ``regions`` synthetic counties (each conforms to its schema);
    ``targets`` = the indicator ids each plan keeps (None: all 35 of the engine benchmark)."""
    engine = synthetic_frames(regions * K, seed)
    if targets is not None:
        _keep_targets(engine, targets)
    settings = engine["evaluation_settings"]
    frames = {
        "indicators": engine["indicators"],
        "observations": _observations(engine["observations"]),
        "assessments": engine["assessments"],
        "evaluation_settings": settings,
        "plans": _plans(settings, engine["indicators"]),
        "documents": pd.DataFrame([_DOCUMENT]),
    }
    return {name: _conform(name, frames) for name in datasets.DATASETS}


def _keep_targets(engine: dict[str, pd.DataFrame], targets: tuple[str, ...]) -> None:
    """Only ``targets`` in each plan (numbered again from 1), with their observations and assessments."""
    engine["indicators"] = engine["indicators"][engine["indicators"]["indicator_id"].isin(targets)]
    engine["indicators"]["seq"] = engine["indicators"].groupby("plan_id").cumcount().add(1).astype("Int64")
    engine["observations"] = engine["observations"][engine["observations"]["series_id"].isin(targets)]
    engine["assessments"] = engine["assessments"][engine["assessments"]["item_id"].isin(targets)]


def _observations(engine_obs: pd.DataFrame) -> pd.DataFrame:
    """The engine's observations with the columns the reports read: measure, unit, period
    label, value text, the cumulative and reprint flags, a restatement's own source."""
    obs = engine_obs.copy()
    # the generator's restatements share their period with the preferred value: as in the real
    # data, a restatement comes from another place in the source (the key includes its location)
    whole = pd.Series(WHOLE, index=obs.index, dtype="str")
    obs["source_location"] = whole.where(obs["is_preferred"], "另载数值（合成）")
    names = dict(zip(INDICATORS_IDS, INDICATOR_NAMES))
    units = dict(zip(INDICATORS_IDS, INDICATOR_UNITS))
    obs["measure"] = obs["series_id"].map(names).astype("str")
    obs["unit"] = obs["series_id"].map(units)
    start, end = obs["period_start"].dt.year.astype(str), obs["period_end"].dt.year.astype(str)
    obs["period"] = start.where(start == end, start + "–" + end)
    obs["value_text"] = (
        obs["value"].map(lambda v: "" if pd.isna(v) else f"{v:g}").where(obs["value"].notna(), obs["status"])
    )
    obs["value_text"] = obs["value_text"].fillna("合成")
    obs["is_cumulative"] = obs["period_type"].isin(["plan_period", "ytd"])
    obs["is_reprint"] = False
    return obs


def _plans(settings: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """One 合成 plan per evaluated county: a 2021–2025 district plan of its kept targets."""
    counts = indicators.groupby("plan_id").size()
    plan_ids = settings["plan_id"].astype(str)
    return pd.DataFrame(
        {
            "plan_id": plan_ids,
            "title": settings["region"].astype(str) + "就业和社会保障“十四五”规划（合成数据）",
            "title_in_document": "合成数据，非真实规划",
            "issuer": None,
            "region": settings["region"].astype(str),
            "level": "区级",
            "plan_type": "专项规划",
            "period_start": 2021,
            "period_end": 2025,
            "base_year": 2020,
            "parent_plans": None,
            "n_indicators": counts.reindex(plan_ids).fillna(0).astype(int).to_numpy(),
            "source_document": SOURCE,
            "source_location": WHOLE,
            "note": "SYNTHETIC: made up by analysis.synthetic for scale runs; not real data",
        }
    )


#: The one document every synthetic plan cites: says it is not a real file.
_DOCUMENT = {
    "document_id": DOCUMENT_ID,
    "file": SOURCE,  # every synthetic row cites it, so a report names it by its Chinese title
    "title": "合成数据（用于规模测试，非真实文件）",
    "issuer": "合成数据",
    "doc_number": None,
    "issued": "2026-01",
    "status": "合成",
    "note": "SYNTHETIC",
}


def _conform(name: str, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The dataset's schema columns in order; a column the panel does not make is empty, or
    the synthetic document for a source."""
    columns = datasets.spec(name).column_names
    frame = frames.get(name, pd.DataFrame(columns=columns))
    for col in columns:
        if col not in frame.columns:
            frame[col] = {"source_document": SOURCE, "source_location": WHOLE}.get(col)
    return frame[columns]


def write(
    folder: Path,
    regions: int,
    seed: int = SEED,
    *,
    with_evaluations: bool = True,
    targets: tuple[str, ...] | None = PLAN_TARGETS,
) -> Path:
    """Write the panel (and its evaluations) to ``folder``, which must lie outside ``data/``."""
    folder = Path(folder).resolve()
    if folder.is_relative_to(paths.DATA.resolve()):
        raise ValueError(f"{folder}: synthetic data never go under {paths.DATA} (real data only)")
    folder.mkdir(parents=True, exist_ok=True)
    frames = national_panel(regions, seed, targets)
    for name, frame in frames.items():
        datasets.write(name, frame, folder)
    if with_evaluations:
        from analysis.evaluate import evaluate

        datasets.write("evaluations", evaluate(frames), folder)
    (folder / MARKER).write_text(
        f"SYNTHETIC data: {regions} made-up counties from seed {seed} (python -m analysis synthetic). "
        "Not real figures; for scale runs only.\n",
        encoding="utf-8",
    )
    return folder


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m analysis synthetic", description=__doc__.split("\n\n")[0])
    p.add_argument("--regions", type=int, default=2850, help="number of synthetic counties (default: %(default)s)")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--out", default=str(paths.ROOT / "build" / "synthetic"), help="folder (default: %(default)s)")
    p.add_argument(
        "--all-targets",
        action="store_true",
        help="35 targets per plan (the engine benchmark's), not the eleven a district plan has",
    )
    args = p.parse_args(argv)
    folder = write(Path(args.out), args.regions, args.seed, targets=None if args.all_targets else PLAN_TARGETS)
    print(f"SYNTHETIC panel of {args.regions} counties written to {folder}")
    return 0


__all__ = ["MARKER", "national_panel", "write"]
