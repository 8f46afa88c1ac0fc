"""The 观测值 sheet: values typed in where no publication the build reads has them.

Each row is read cell by cell (every unreadable cell reported), then checked: the value in
its unit's plausible range, its period over, no contradiction of a published figure or a
reported total (``published``), one value per indicator and period across all workbooks.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd

from analysis import sources
from analysis.cells import cell_text, plain, typed_text
from analysis.observation_rows import observation_row
from analysis.raw.entries.cells import Period
from analysis.raw.entries.context import Context
from analysis.raw.entries.published import PublishedFigures
from analysis.raw.entries.values import same_number
from analysis.raw.entries.workbook import Row
from analysis.raw.plausible import today, unit_range
from analysis.sources import SEP
from analysis.workbook_layout import PERIOD_TYPES


class ObservationCells(NamedTuple):
    """An observation row's cells once each is read: the parts the checks and the record use."""

    plan_id: str
    indicator_id: str
    indicator: Any  # the indicators row (itertuples)
    period: Period  # kind, start, end, label
    number: float  # the value in the indicator's unit
    unit: str | None
    source: str


class ObservationSheet:
    """Reads and checks the 观测值 rows and keeps the accepted ones, first entry first, by
    (series, region, period type, start, end)."""

    def __init__(self, ctx: Context, published: PublishedFigures) -> None:
        self.ctx = ctx
        self.published = published
        self.accepted: dict[tuple, tuple[dict[str, Any], Row]] = {}

    def read(self, row: Row) -> None:
        """Read every cell (each problem reported), check the value's range and that its period
        is over, then keep it unless it contradicts a published value, a reported total or an
        earlier entry."""
        cells = self._cells(row)
        if cells is None or not self._plausible(row, cells):
            return
        plan = self.ctx.plans.loc[cells.plan_id]
        kind, start, end, _label = cells.period
        key = (cells.indicator_id, plan["region"], kind, start, end)
        if not self.published.agrees(row, key, cells.number, cells.source):
            return
        if not self.published.outside_reported_totals(row, key, plan):
            return
        self._keep(row, key, cells, _record(row, cells, plan))

    def records(self) -> list[dict[str, Any]]:
        """The accepted observations rows, in the order they were first entered."""
        return [record for record, _ in self.accepted.values()]

    def _cells(self, row: Row) -> ObservationCells | None:
        """The row's plan, indicator, period, value in the indicator's unit and source; None
        (every unreadable cell reported) when any of them cannot be read."""
        read, problems = self.ctx.cells, self.ctx.problems
        ok = True
        plan_id = read.plan(row)
        indicator = None
        indicator_id = cell_text(row.values["indicator_id"])
        if plan_id is not None:
            indicator = self.ctx.indicators.get((plan_id, indicator_id))
            if indicator is None:
                ids = [i for (p, i) in self.ctx.indicators if p == plan_id]
                found = repr(indicator_id) if indicator_id else "an empty cell"
                problems.append(row.problem("indicator_id", found, f"an indicator_id of plan {plan_id} {ids}"))
        ok &= indicator is not None

        period = None
        kind_label = read.choice(row, "period_type", tuple(PERIOD_TYPES))
        if kind_label is not None and plan_id is not None:
            period = read.period(row, PERIOD_TYPES[kind_label], self.ctx.plans.loc[plan_id])
        ok &= period is not None

        value = read.number(row)
        ok &= value is not None

        factor, unit = 1.0, None
        if indicator is not None:
            factor, unit, good = read.unit(row, indicator)
            ok &= good

        source = cell_text(row.values["source"])
        if source is None:
            problems.append(
                row.problem("source", "an empty cell", "the publication the value is read from (issuer and title)")
            )
            ok = False
        if not ok:
            return None
        # ok holds only when each part above was read
        assert plan_id is not None and indicator is not None and period is not None
        assert value is not None and source is not None and indicator_id is not None
        return ObservationCells(plan_id, indicator_id, indicator, period, round(value * factor, 6), unit, source)

    def _plausible(self, row: Row, cells: ObservationCells) -> bool:
        """The value within its unit's range, and its period already over (reported when not)."""
        number, unit = cells.number, cells.unit
        _kind, _start, end, label = cells.period
        rng = unit_range(unit)
        if rng is not None and number not in rng:
            self.ctx.problems.append(row.problem("value", f"{plain(number)} {unit}", str(rng)))
            return False
        if end.date() > today():
            self.ctx.problems.append(
                row.problem(
                    "period",
                    repr(label),
                    f"a period that has ended (today is {today()}): a value cannot be known before its period is over",
                )
            )
            return False
        return True

    def _keep(self, row: Row, key: tuple, cells: ObservationCells, record: dict[str, Any]) -> None:
        """One value per indicator and period: the same value again is kept once, another one is a problem."""
        if key in self.accepted:
            earlier, where = self.accepted[key]
            if not same_number(earlier["value"], cells.number):
                self.ctx.problems.append(
                    row.problem(
                        "value",
                        plain(cells.number),
                        f"the value {plain(earlier['value'])} already entered for {cells.indicator_id} "
                        f"{cells.period[3]} in {where.where()} (one value per indicator and period: "
                        "correct one of them)",
                    )
                )
            return  # the same value entered again: kept once
        self.accepted[key] = (record, row)


def _record(row: Row, cells: ObservationCells, plan: pd.Series) -> dict[str, Any]:
    """The observations row the entry becomes; the note says which file and row it came from."""
    kind, start, end, label = cells.period
    return observation_row(
        series_id=cells.indicator_id,
        plan_id=cells.plan_id,
        region=plan["region"],
        measure=cells.indicator.name,
        period=label,
        period_type=kind,
        period_start=start,
        period_end=end,
        value=cells.number,
        value_text=typed_text(row.values["value"]),
        unit=cells.unit,
        note=SEP.join(n for n in (cell_text(row.values["note"]), f"录入：{row.source.text}") if n),
        **sources.typed_publication(cells.source),
        source_quote=cell_text(row.values["source_quote"]),
        source_url=cell_text(row.values["source_url"]),
    )
