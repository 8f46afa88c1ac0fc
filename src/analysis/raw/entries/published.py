"""Typed-in observations against the figures the build already has for the same series.

A value a department types in must not silently contradict, duplicate or double-count what
a publication or a plan document already says: a different figure for the same period, a
figure from the same publication read differently, or a year inside a reported multi-year
total (which the engine would count twice) is a problem, and a figure equal to a published
exact one is simply not added again.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis import sources
from analysis.cells import plain, typed_text
from analysis.raw.entries.values import missing, same_number
from analysis.raw.entries.workbook import Row
from analysis.raw.errors import Problem


class PublishedFigures:
    """The build's observations by series, region and period, and the checks of an entry against them."""

    def __init__(self, observations: pd.DataFrame, problems: list[Problem]) -> None:
        self.problems = problems
        # every observation by (series_id, region, period_type, period_start, period_end)
        self.existing: dict[tuple, list[dict[str, Any]]] = {}
        for r in observations.to_dict("records"):
            key = (
                r["series_id"],
                r["region"],
                r["period_type"],
                pd.Timestamp(r["period_start"]),
                pd.Timestamp(r["period_end"]),
            )
            self.existing.setdefault(key, []).append(r)

    def agrees(self, row: Row, key: tuple, value: float, source: str) -> bool:
        """False (and a problem) when a published or document figure for the period says otherwise.

        A typed value equal to a published exact figure is not new: it is dropped (True is
        returned only for values to add).
        """
        # the figure the evaluation uses (is_preferred) first, so the message names it
        published = sorted(self.existing.get(key, []), key=lambda p: not p.get("is_preferred", True))
        figures = [p for p in published if not missing(p["value"])]
        for p in figures:
            if p["comparator"] in ("=", "≈") and same_number(p["value"], value, approx=p["comparator"] == "≈"):
                return False  # already published: not duplicated
        cited = sources.of_record(sources.typed_publication(source))
        same_source = [p for p in published if sources.of_record(p) == cited]
        disagree = [p for p in figures if not satisfies(value, p["comparator"], p["value"])] or same_source
        if disagree:
            p = disagree[0]
            what = "the published value" if p["comparator"] == "=" else f"a value {p['comparator']} the published"
            shown = plain(p["value"]) if not missing(p["value"]) else repr(p["value_text"])
            self.problems.append(row.problem("value", plain(value), f"{what} {shown} from {sources.describe(p)}"))
            return False
        return True

    def outside_reported_totals(self, row: Row, key: tuple, plan: pd.Series) -> bool:
        """False (and a problem) when the period overlaps a reported multi-year total of the plan.

        A yearly value after a reported total adds to it (the engine sums them); one inside
        it would count its year twice, or silently replace the total. A total typed in over
        published yearly values of its years is the same conflict seen from the other side.
        """
        series, region, kind, start, end = key
        if kind not in ("year", "plan_period"):
            return True
        plan_start = pd.Timestamp(int(plan["period_start"]), 1, 1)
        for (s, r, k, a, b), published in self.existing.items():
            if (s, r) != (series, region) or (a, b) == (start, end) or not (a <= end and start <= b):
                continue
            counted = [p for p in published if p.get("is_preferred", True) and not missing(p["value"])]
            if not counted:
                continue
            if k == "plan_period" and a >= plan_start:
                self.problems.append(_inside_total(row, counted[0]))
                return False
            if kind == "plan_period" and k == "year" and start >= plan_start:
                self.problems.append(_over_published_years(row, counted[0]))
                return False
        return True


def _inside_total(row: Row, p: dict[str, Any]) -> Problem:
    """A year typed in inside a reported multi-year total ``p``."""
    return row.problem(
        "period",
        row.values["period"] if isinstance(row.values["period"], str) else typed_text(row.values["period"]),
        f"a period after the reported total {p['period']} "
        f"({plain(p['value'])} from {sources.describe(p)}): "
        f"a value inside it would count those years twice; enter only later years, "
        f"or correct the total at its source",
    )


def _over_published_years(row: Row, p: dict[str, Any]) -> Problem:
    """A multi-year total typed in over a published yearly value ``p`` of one of its years."""
    return row.problem(
        "period",
        typed_text(row.values["period"]),
        f"a period without published yearly values: {p['period']} is published "
        f"({plain(p['value'])} from {sources.describe(p)}); enter only the years not published",
    )


def satisfies(value: float, comparator: str, published: float) -> bool:
    """Whether ``value`` is consistent with a published figure read with ``comparator``."""
    if comparator == ">":
        return value > published
    if comparator == ">=":
        return value >= published or same_number(value, published)
    if comparator == "<":
        return value < published
    if comparator == "<=":
        return value <= published or same_number(value, published)
    return same_number(value, published, approx=comparator == "≈")
