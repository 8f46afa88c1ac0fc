"""The backtest's raw files, validated by ``make data`` like every other raw file (they are read
by ``python -m analysis backtest``, which must never be the first to find them broken)."""

from __future__ import annotations

import pandas as pd

from analysis.build.context import Context
from analysis.build.observations import published_checks
from analysis.cells import plain
from analysis.cn_numbers import normalize, split_unit
from analysis.raw.errors import close_matches
from analysis.raw.plausible import unit_range
from analysis.raw.table import ROW


def check_backtest(ctx: Context) -> None:
    """The backtest's raw files, checked as the published series and the target statements
    are: past plans that exist, statements found in their quote, values in their quote with
    the quote's unit, inside their unit's range and published after their period."""
    past = set(ctx.catalog.combined("backtest_plans").get("plan_id", pd.Series(dtype=object)))
    for table in ctx.catalog.all("backtest_plans"):
        ctx.check_years_in_order(table)
        ctx.record(table, len(table.frame), "backtest (validated; read by python -m analysis backtest)")
    for table in ctx.catalog.all("backtest_targets"):
        for _, r in table.frame.iterrows():
            if r["plan_id"] not in past:
                ctx.problems.append(
                    table.problem(
                        r[ROW],
                        "plan_id",
                        repr(r["plan_id"]),
                        f"a plan_id of backtest/past_plans.csv {sorted(past)}{close_matches(r['plan_id'], past)}",
                    )
                )
            if normalize(r["target_text"]) not in normalize(r["quote"]):
                ctx.problems.append(
                    table.problem(r[ROW], "target_text", repr(r["target_text"]), "words found word for word in quote")
                )
        ctx.record(table, len(table.frame), "backtest (validated; read by python -m analysis backtest)")
    for table in ctx.catalog.all("backtest_observations"):
        for _, r in table.frame.iterrows():
            if published_checks(ctx, table, r) is None:
                continue
            factor, unit = split_unit(r["unit"])
            rng = unit_range(unit, r["series_id"], table.meta.get("plausible"), table.name)
            value = float(r["value"]) * factor
            if rng is not None and value not in rng:
                ctx.problems.append(table.problem(r[ROW], "value", f"{plain(value)} {unit}", str(rng)))
        ctx.record(table, len(table.frame), "backtest (validated; read by python -m analysis backtest)")
