"""The datasets copied from one raw file each, with their cross-file checks: documents, plans,
evaluation settings, milestones, risk areas, departments."""

from __future__ import annotations

import pandas as pd

from analysis.build.context import Context, concat
from analysis.raw.errors import close_matches
from analysis.raw.plausible import today
from analysis.raw.table import ROW


def documents(ctx: Context) -> pd.DataFrame:
    frames = []
    for table in ctx.catalog.all("documents"):
        ctx.record(table, len(table.frame), "documents")
        frames.append(table.frame.drop(columns=[ROW]))
    return pd.concat(frames, ignore_index=True)


def plans(ctx: Context, indicators: pd.DataFrame) -> pd.DataFrame:
    counts = indicators.groupby("plan_id").size()
    frames = []
    for table in ctx.catalog.all("plans"):
        frame = table.frame.copy()
        ctx.check_years_in_order(table)
        frame["n_indicators"] = frame["plan_id"].map(counts).fillna(0).astype(int)
        ctx.record(table, len(frame), "plans")
        frames.append(frame.drop(columns=[ROW]))
    return pd.concat(frames, ignore_index=True)


def evaluation_settings(ctx: Context) -> pd.DataFrame:
    frames = []
    for table in ctx.catalog.all("evaluation_settings"):
        frame = table.frame.copy()
        for _, r in frame.iterrows():
            lead = r.get("lead_department")
            if lead and lead not in ctx.departments:
                ctx.problems.append(
                    table.problem(
                        r[ROW],
                        "lead_department",
                        repr(lead),
                        f"a department from departments.csv{close_matches(lead, ctx.departments)}",
                    )
                )
        for col in ("annual_cutoff", "monthly_cutoff", "task_cutoff"):
            for _, r in frame[frame[col].notna()].iterrows():
                if r[col] > today():
                    ctx.problems.append(
                        table.problem(
                            r[ROW],
                            col,
                            str(r[col]),
                            f"a cut-off not after today ({today()}): data cannot be "
                            "counted up to a day that has not come",
                        )
                    )
            frame[col] = pd.to_datetime(frame[col])
        ctx.record(table, len(frame), "evaluation_settings")
        frames.append(frame.drop(columns=[ROW]))
    return concat(frames, "evaluation_settings")


def milestones(ctx: Context, settings: pd.DataFrame) -> pd.DataFrame:
    return _per_exercise(ctx, "milestones", "milestones", settings, dates=("due",))


def risk_areas(ctx: Context, settings: pd.DataFrame) -> pd.DataFrame:
    return _per_exercise(ctx, "risk_areas", "risk_areas", settings, dates=())


def _per_exercise(ctx: Context, role: str, name: str, settings: pd.DataFrame, dates: tuple[str, ...]) -> pd.DataFrame:
    """Files keyed by evaluation exercise (schedule, risks): the exercise must exist."""
    frames = []
    exercises = set(settings["exercise"])
    for table in ctx.catalog.all(role):
        frame = table.frame.copy()
        for _, r in frame[~frame["exercise"].isin(exercises)].iterrows():
            ctx.problems.append(
                table.problem(
                    r[ROW], "exercise", repr(r["exercise"]), f"an exercise from evaluations.csv {sorted(exercises)}"
                )
            )
        for col in dates:
            frame[col] = pd.to_datetime(frame[col])
        ctx.record(table, len(frame), name)
        frames.append(frame.drop(columns=[ROW]))
    return concat(frames, name)


def departments(ctx: Context, responsibilities: pd.DataFrame) -> pd.DataFrame:
    counts = responsibilities[responsibilities["item_type"] != "indicator"].groupby("department").size()
    frames = []
    for table in ctx.catalog.all("departments"):
        frame = table.frame.copy()
        frame["n_items"] = frame["department"].map(counts).fillna(0).astype(int)
        ctx.record(table, len(frame), "departments")
        frames.append(frame.drop(columns=[ROW]))
    return pd.concat(frames, ignore_index=True)
