"""Checks across observations: one preferred value per series and period, values inside their
unit's range and in the indicator's unit, values far from their neighbours (to review), and
every series known to something that uses it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import sources
from analysis.build.context import Context
from analysis.cells import cell_text, plain
from analysis.raw.errors import Problem, close_matches
from analysis.raw.plausible import DEFINITION, FAR, REVIEWED, far_from_neighbours, same_unit, unit_range
from analysis.raw.sidecar import sidecar_path


def known_series(ctx: Context, indicators: pd.DataFrame) -> tuple[set[str], set[str]]:
    """The series an observation may belong to: (ids, indicator ids whose variants are allowed).

    A target's own indicator_id (of a plan, or of a past plan the backtest scores); a variant
    of it (``schooling_years_15_59`` for ``schooling_years``: another age band, shown with its
    caveat); a series a link file or a passage names; or one a sidecar declares under
    ``context_series`` with why it is kept."""
    ids = {str(i) for i in indicators["indicator_id"]}
    known = set(ids)
    links = (
        ("base_values", "series_id"),
        ("indicator_evidence", "series_id"),
        ("passages", "series_ids"),
        ("backtest_targets", "indicator_id"),  # a past plan's target: its series feeds the backtest
    )
    for role, column in links:
        for table in ctx.catalog.all(role):
            if column in table.frame.columns:
                for cell in table.frame[column].dropna():
                    known.update(s.strip() for s in str(cell).split(";") if s.strip())
    for tables in ctx.catalog.by_role.values():
        for table in tables:
            declared = (table.meta or {}).get("context_series")
            if declared is None:
                continue
            if not isinstance(declared, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in declared.items()
            ):
                ctx.problems.append(
                    Problem(
                        str(Path(table.name).with_name(sidecar_path(table.path).name)),
                        None,
                        "context_series",
                        repr(declared)[:80],
                        "a mapping of series_id: why the series is kept without a target",
                    )
                )
                continue
            known.update(declared)
    return known, ids


def check_known_series(ctx: Context, frame: pd.DataFrame, indicators: pd.DataFrame) -> None:
    """Every observation belongs to a series something uses: a typo in a series_id would
    otherwise leave a figure that no report shows and no check sees."""
    known, ids = known_series(ctx, indicators)
    for o in frame[["series_id", "_file", "_row"]].drop_duplicates().to_dict("records"):
        sid = str(o["series_id"])
        if sid in known or any(sid.startswith(f"{i}_") for i in ids):
            continue
        ctx.problems.append(
            Problem(
                o["_file"],
                o["_row"],
                "series_id",
                sid,
                "the indicator_id of a target (or a variant <indicator_id>_…), a series a link or passage "
                f"names, or one the sidecar lists under context_series{close_matches(sid, known)}",
            )
        )


def check_one_preferred_value(ctx: Context, frame: pd.DataFrame) -> None:
    """Overlapping sources may disagree, but the evaluation must know which value to use.

    One preferred row per series, region and period: two preferred rows are an error when
    their values differ, and also when they repeat one number in two units (71.26 万 kept
    as 人次 and as 人). A series whose preferred rows mix units over its periods (万个 jobs
    beside 万人 persons) is a warning: its values cannot be measured against one target.
    """
    _check_copies(ctx, frame)
    preferred = frame[frame["is_preferred"]]
    _check_one_per_period(ctx, preferred)
    _check_one_unit_per_series(ctx, preferred)


#: A series' period: the rows that must agree on one preferred value.
_PERIOD = ["series_id", "region", "period_type", "period_start", "period_end"]


def _check_copies(ctx: Context, frame: pd.DataFrame) -> None:
    """The same publication's figure for one period entered twice (a second address, a copy)."""
    key = [*_PERIOD, *sources.COLUMNS, *sources.PUBLICATION_COLUMNS]
    for _, group in frame[frame.duplicated(key, keep=False)].groupby(key, dropna=False):
        first, *others = group.to_dict("records")
        for o in others:
            ctx.problems.append(
                Problem(
                    o["_file"],
                    o["_row"],
                    o["_column"],
                    f"the figure of {o['series_id']} {o['region']} {o['period']} from {sources.describe(o)} again "
                    f"(also {first['_file']} row {first['_row']})",
                    "each publication's figure for a period once: delete the copy, or keep the second address "
                    "in the first row's note",
                )
            )


def _check_one_per_period(ctx: Context, preferred: pd.DataFrame) -> None:
    """Two preferred rows of one period: an error when their values differ, and when they
    repeat one number in two units."""
    for _, group in preferred.groupby(_PERIOD, dropna=False):
        units = group["unit"].fillna("").astype(str)
        if group["value"].nunique(dropna=True) <= 1 and units.nunique() > 1:
            first, *others = group.to_dict("records")
            for o in others:
                if (o["unit"] or "") == (first["unit"] or ""):
                    continue
                ctx.problems.append(
                    Problem(
                        o["_file"],
                        o["_row"],
                        "unit",
                        f"a second preferred row for {o['series_id']} {o['region']} {o['period']} in unit "
                        f"{o['unit']!r}",
                        f"one preferred row per period (also {first['_file']} row {first['_row']} in unit "
                        f"{first['unit']!r}); set preferred=false on the one the evaluation should not use "
                        "and say why in its note",
                    )
                )
            continue
        if group["value"].nunique(dropna=True) > 1:
            first, *others = group.to_dict("records")
            for o in others:
                ctx.problems.append(
                    Problem(
                        o["_file"],
                        o["_row"],
                        "preferred",
                        f"a second preferred value {o['value']:g} for {o['series_id']} {o['region']} {o['period']}",
                        f"one preferred value per period (also {first['value']:g} in {first['_file']} row "
                        f"{first['_row']}); set preferred=false on the one the evaluation should not use",
                    )
                )


def _check_one_unit_per_series(ctx: Context, preferred: pd.DataFrame) -> None:
    """One unit per series (万 and 亿 are already folded into the value): a change of unit from
    one period to the next is refused unless the row says it is a change of 口径."""
    valued = preferred[preferred["value"].notna() & ~preferred["is_benchmark"].astype(bool)]
    for (series_id, region), group in valued.groupby(["series_id", "region"], dropna=False, sort=False):
        first, *others = group.to_dict("records")  # the series' unit is the unit of its first row
        for o in others:
            if not same_unit(o["unit"], first["unit"]) and DEFINITION not in (o["note"] or ""):
                ctx.problems.append(
                    Problem(
                        o["_file"],
                        o["_row"],
                        "unit",
                        f"unit {o['unit']!r} in series {series_id} {region} {o['period']}, whose first row "
                        f"({first['_file']} row {first['_row']}, {first['period']}) is in {first['unit']!r}",
                        f"one unit per series: {first['unit']!r}, or a note on this row saying the {DEFINITION} "
                        "changed (and how), or a series of its own for the other concept",
                    )
                )


def check_plausible(ctx: Context, frame: pd.DataFrame, indicators: pd.DataFrame) -> None:
    """Values inside their unit's range (or their series' band); units as the indicator's;
    values far from their neighbours in the series warned about (see analysis.raw.plausible)."""
    metas = {t.name: t.meta for tables in ctx.catalog.by_role.values() for t in tables}
    by_plan = {(r.plan_id, r.indicator_id): r for r in indicators.itertuples()}
    regions = dict(zip(ctx.plans["plan_id"], ctx.plans["region"]))
    by_region: dict[tuple[str | None, str], Any] = {}  # region None: a plan_id that plans lacks
    for r in indicators.itertuples():
        by_region.setdefault((regions.get(r.plan_id), r.indicator_id), r)
    for o in frame.to_dict("records"):
        value = o["value"]
        if value is None or value != value:
            continue
        _check_range(ctx, o, (metas.get(o["_file"]) or {}).get("plausible"))
        indicator = (
            by_plan.get((o["plan_id"], o["series_id"]))
            if o["plan_id"]
            else by_region.get((o["region"], o["series_id"]))
        )
        if indicator is not None:
            _check_indicator_unit(ctx, o, indicator)
    _warn_far_from_neighbours(ctx, frame)


def _check_range(ctx: Context, o: dict[str, Any], plausible: Any) -> None:
    """A value inside its unit's range, or the band its sidecar gives the series."""
    value, unit = o["value"], o["unit"]
    rng = unit_range(unit, o["series_id"], plausible, o["_file"])
    if rng is not None and (value not in rng or not math.isfinite(value)):
        ctx.problems.append(
            Problem(
                o["_file"],
                o["_row"],
                o["_column"],
                f"{plain(value)} {unit or ''} ({o['series_id']} {o['period']})".strip(),
                str(rng),
            )
        )


def _check_indicator_unit(ctx: Context, o: dict[str, Any], indicator: Any) -> None:
    """A preferred value counts what its indicator counts; a row the evaluation does not use
    (preferred=false), or one whose note names a change of 口径, may differ."""
    unit = o["unit"]
    target_unit = cell_text(indicator.unit)
    if target_unit and unit and o["is_preferred"] and not same_unit(unit, target_unit):
        if DEFINITION in (o["note"] or ""):
            return
        ctx.problems.append(
            Problem(
                o["_file"],
                o["_row"],
                "unit",
                f"unit {unit!r} for {o['series_id']} {o['region']} {o['period']}",
                f"the unit of indicator {indicator.plan_id}/{indicator.indicator_id}, {target_unit!r} "
                f"(with 万/亿 before it where the source writes so): {unit!r} and {target_unit!r} "
                "count different things; give the other concept a series of its own",
            )
        )


def _warn_far_from_neighbours(ctx: Context, frame: pd.DataFrame) -> None:
    """A preferred value far from its neighbours in the series goes to the review list (a
    warning, not an error: a real series can jump), until its note says it was checked."""
    preferred = frame[frame["is_preferred"] & frame["value"].notna()]
    for _, group in preferred.groupby(["series_id", "region", "period_type"], dropna=False):
        group = group.sort_values(["period_end", "period_start"], kind="stable").to_dict("records")
        for i, neighbours in far_from_neighbours([float(g["value"]) for g in group]):
            o = group[i]
            if REVIEWED in (o["note"] or ""):
                continue
            shown = " and ".join(plain(n) for n in neighbours)
            ctx.review.append(
                {
                    "file": o["_file"],
                    "row": o["_row"],
                    "column": o["_column"],
                    "series_id": o["series_id"],
                    "region": o["region"],
                    "period": o["period"],
                    "value": o["value"],
                    "neighbours": neighbours,
                    "message": f"{o['_file']}, row {o['_row']}, column {o['_column']!r}: {plain(o['value'])} "
                    f"{o['unit'] or ''} for {o['series_id']} {o['region']} {o['period']} is more than "
                    f"{FAR:g}× away from its neighbours in the series ({shown}): check the value and "
                    f"its unit, and add a note with {REVIEWED} to the row once checked",
                }
            )
