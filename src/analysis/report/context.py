"""What a report needs, read once: the processed datasets and the evaluations at its cut-off."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import datasets, paths, sources
from analysis.report.sources import Notes, document_names
from analysis.vocabulary import BASELINE, FINAL

#: What a report reads: every dataset but the statements of a target (their reading is in
#: ``indicators``, their places in its source columns).
NEEDED = tuple(name for name in datasets.DATASETS if name != "target_statements")
NUMERALS = "一二三四五六七八九十"


def read_frames(data_dir: str | Path = "") -> dict[str, pd.DataFrame]:
    """The processed datasets from ``data_dir`` (default data/processed), each checked against its
    schema. A warm kernel builds many reports from the same files, so the checked frames are
    kept, keyed by each file's path, size and modification time, and handed out as copies: a
    changed file is read again, and no report can alter what the next one sees."""
    folder = Path(data_dir) if data_dir else paths.PROCESSED
    return {name: _read_checked(folder / f"{name}.parquet", name).copy() for name in NEEDED}


_CHECKED: dict[tuple[str, int, int], pd.DataFrame] = {}


def _read_checked(path: Path, name: str) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run `make data` first")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _CHECKED:
        _CHECKED[key] = datasets.read(name, path.parent)
    return _CHECKED[key]


def evaluations_for(frames: dict[str, pd.DataFrame], data_dir: str | Path = "", as_of: str = "") -> pd.DataFrame:
    """The stored evaluations (``make evaluate``), or a fresh run of the engine at ``as_of`` when
    one is given. Without ``as_of`` a missing evaluations file is an error: a report never runs
    the engine behind the batch's back, so what it says is what ``make evaluate`` stored."""
    folder = Path(data_dir) if data_dir else paths.PROCESSED
    if as_of:
        from analysis.evaluate import evaluate  # the engine only when a report asks for its own date

        return evaluate(frames, as_of=as_of)
    stored = folder / "evaluations.parquet"
    if not stored.exists():
        raise FileNotFoundError(
            f"{stored} does not exist: run `make evaluate` (python -m analysis evaluate) first, "
            "or give the report an as_of date to evaluate at"
        )
    return _read_checked(stored, "evaluations").copy()


class NumberedParts:
    """What every kind of report numbers as it goes: its source notes ([1], [2] …, one per
    source) and its section headings (一、二、…, in the order shown). Plan reports and task
    sheets both mix it in; they call ``start_parts`` once their frames are set."""

    frames: dict[str, pd.DataFrame]
    notes: Notes
    _sections: int

    def start_parts(self) -> None:
        self.notes = Notes(document_names(self.frames["documents"]))
        self._sections = 0

    def section(self, text: str) -> str:
        """The next numbered section heading (一、二、…): numbers follow the sections shown."""
        self._sections += 1
        return f"{NUMERALS[self._sections - 1]}、{text}"


@dataclass
class PlanContext(NumberedParts):
    """One plan evaluated for one region."""

    plan: pd.Series
    region: str
    evaluations: pd.DataFrame
    frames: dict[str, pd.DataFrame]
    setting: pd.Series | None

    def __post_init__(self) -> None:
        self.start_parts()

    @property
    def plan_id(self) -> str:
        return str(self.plan["plan_id"])

    @property
    def document(self) -> str:
        """The file of the document that sets the plan (its passages are the report's evidence)."""
        return sources.document(self.plan)

    @property
    def annual_cutoff(self) -> pd.Timestamp:
        if self.setting is not None:
            return pd.Timestamp(self.setting["annual_cutoff"])
        return pd.Timestamp(year=int(self.plan["period_end"]), month=12, day=31)

    @property
    def monthly_cutoff(self) -> pd.Timestamp | None:
        if self.setting is not None and not pd.isna(self.setting["monthly_cutoff"]):
            return pd.Timestamp(self.setting["monthly_cutoff"])
        return None

    @property
    def passages(self) -> pd.DataFrame:
        p = self.frames["passages"]
        return p[sources.cites(p, self.document)]

    @property
    def is_working_paper(self) -> bool:
        """No target of the plan is in the data: a working paper listing what is needed, not a report."""
        return self.evaluations.empty

    @property
    def is_baseline(self) -> bool:
        return bool(len(self.evaluations)) and (self.evaluations["evaluation_type"] == BASELINE).all()

    @property
    def is_final(self) -> bool:
        return bool(len(self.evaluations)) and (self.evaluations["evaluation_type"] == FINAL).all()


def plan_context(plan_id: str, region: str, as_of: str = "", data_dir: str = "") -> PlanContext:
    """Everything a plan report shows, for ``plan_id`` evaluated for ``region``."""
    frames = read_frames(data_dir)
    plans = frames["plans"].set_index("plan_id", drop=False)
    if plan_id not in plans.index:
        raise KeyError(f"unknown plan_id {plan_id!r}; known: {', '.join(plans.index)}")
    ev = evaluations_for(frames, data_dir, as_of)
    ev = ev[(ev["plan_id"] == plan_id) & (ev["region"] == region)].sort_values("seq").reset_index(drop=True)
    settings = frames["evaluation_settings"]
    match = settings[(settings["plan_id"] == plan_id) & (settings["region"] == region)]
    return PlanContext(plans.loc[plan_id], region, ev, frames, match.iloc[0] if len(match) else None)
