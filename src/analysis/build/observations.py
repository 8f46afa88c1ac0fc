"""Observations: a plan's own completion column, figures in its text, and published series;
one row shape for all (``observation_row``), and the checks every published figure passes."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.build import observation_checks as checks
from analysis.build.context import Context, row_source
from analysis.cells import cell_text, plain
from analysis.cn_numbers import MULTIPLIERS, find_quantities, normalize, numbers_in, read_figure, split_unit
from analysis.observation_rows import observation_row
from analysis.periods import parse_period, period_span
from analysis.raw.errors import Problem, close_matches
from analysis.raw.plausible import FIRST_YEAR, same_unit
from analysis.raw.table import ROW, RawTable
from analysis.sources import SEP


def observations(ctx: Context, indicators: pd.DataFrame) -> pd.DataFrame:
    """Every observation, checked: one preferred value per period, plausible values, known series."""
    rows: list[dict[str, Any]] = []
    rows += _from_target_tables(ctx, indicators)
    rows += _from_text(ctx)
    rows += _published(ctx)
    frame = pd.DataFrame(rows)
    checks.check_one_preferred_value(ctx, frame)
    checks.check_plausible(ctx, frame, indicators)
    checks.check_known_series(ctx, frame, indicators)
    return frame.drop(columns=["_file", "_row", "_column"])


def _from_target_tables(ctx: Context, indicators: pd.DataFrame) -> list[dict[str, Any]]:
    """A plan's own 完成情况 column: one observation per target row."""
    rows = []
    kinds = indicators.set_index(["plan_id", "indicator_id"])
    for table in ctx.catalog.all("target_table"):
        if "completion" not in table.frame.columns:
            continue
        used = 0
        for _, r in table.frame.iterrows():
            text = r["completion"]
            key = (r["plan_id"], r["indicator_id"])
            if text is None or key not in kinds.index:
                continue
            ind = kinds.loc[key]
            plan = ctx.plans.loc[r["plan_id"]]
            fig = read_figure(text)
            end = fig.as_of_year or int(plan["period_end"])
            cumulative = ind["target_kind"] == "cumulative"
            name_note = cell_text(ind["name_note"])
            notes = [n for n in (fig.note, name_note) if n]
            kind = "plan_period" if cumulative else "stock"
            start, stop, label = period_span(kind, int(plan["period_start"]) if cumulative else end, end)
            rows.append(
                observation_row(
                    series_id=r["indicator_id"],
                    plan_id=r["plan_id"],
                    region=plan["region"],
                    measure=ind["name"],
                    period=label,
                    period_start=start,
                    period_end=stop,
                    period_type=kind,
                    value=fig.value,
                    comparator=fig.comparator,
                    value_text=text,
                    status=fig.status,
                    unit=fig.unit or cell_text(ind["unit"]),
                    note=SEP.join(notes) or None,
                    **row_source(r, " 完成情况"),
                    source_quote=text,
                )
                | {"_file": table.name, "_row": int(r[ROW]), "_column": "completion"}
            )
            used += 1
        ctx.record(table, used, "observations")
    return rows


def _from_text(ctx: Context) -> list[dict[str, Any]]:
    rows = []
    for table in ctx.catalog.all("observations_text"):
        ctx.check_years_in_order(table)
        for _, r in table.frame.iterrows():
            if normalize(r["value_text"]) not in normalize(r["quote"]):
                ctx.problems.append(
                    table.problem(r[ROW], "value_text", repr(r["value_text"]), "a figure that appears in the quote")
                )
            ctx.problems += _text_period(ctx, table, r)
            regions = list(dict.fromkeys(ctx.plans["region"]))
            if r["region"] not in regions:
                ctx.problems.append(
                    table.problem(
                        r[ROW],
                        "region",
                        repr(r["region"]),
                        f"a region of plans.csv {regions}{close_matches(r['region'], regions)}",
                    )
                )
            fig = read_figure(r["value_text"])
            if fig.value is None:
                ctx.problems.append(
                    table.problem(
                        r[ROW],
                        "value_text",
                        repr(r["value_text"]),
                        "a figure (digits, or a Chinese numeral such as 两, 六, 第一)",
                    )
                )
            kind = r["period_type"]
            start, stop, label = period_span(kind, int(r["period_start"]), int(r["period_end"]))
            rows.append(
                observation_row(
                    series_id=r["series_id"],
                    plan_id=r["plan_id"],
                    region=r["region"],
                    measure=r["measure"],
                    period=label,
                    period_start=start,
                    period_end=stop,
                    period_type=kind,
                    value=fig.value,
                    comparator=fig.comparator,
                    value_text=r["value_text"],
                    status=None,
                    unit=r["unit"],
                    note=r.get("note"),
                    **row_source(r),
                    source_quote=r["quote"],
                    is_preferred=r.get("preferred") is not False,
                )
                | {
                    "_file": table.name,
                    "_row": int(r[ROW]),
                    "_column": "value_text",
                }
            )
        ctx.record(table, len(table.frame), "observations")
    return rows


def _published(ctx: Context) -> list[dict[str, Any]]:
    """Series read from official publications (value as published, unit such as 万人)."""
    rows = []
    for table in ctx.catalog.all("observations_published"):
        benchmark = bool(table.meta.get("benchmark", False))
        for _, r in table.frame.iterrows():
            factor, unit = split_unit(r["unit"])
            period = published_checks(ctx, table, r)
            if period is None:
                continue
            start, end, label = period
            rows.append(
                observation_row(
                    series_id=r["series_id"],
                    region=r["region"],
                    measure=r["indicator_name"],
                    period=label,
                    period_type=r["period_type"],
                    period_start=start,
                    period_end=end,
                    value=round(float(r["value"]) * factor, 6),
                    comparator=r["comparator"],
                    value_text=f"{plain(r['value'])}{r['unit']}",
                    unit=unit,
                    note=r.get("note"),
                    source_document=r["title"],
                    source_issuer=r["issuer"],
                    source_year=int(r["pub_year"]),
                    source_quote=r["source_quote"],
                    source_url=r.get("url"),
                    is_reprint=bool(r["is_reprint"]),
                    is_preferred=bool(r["preferred"]),
                    is_benchmark=benchmark,
                )
                | {"_file": table.name, "_row": int(r[ROW]), "_column": "value"}
            )
        ctx.record(table, len(table.frame), "observations")
    return rows


def published_checks(ctx: Context, table: RawTable, r: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp, str] | None:
    """The checks every published figure passes (the project's series and the backtest's):
    a period it can be read as, a value found in its quote with the quote's unit, a period
    ended by the year of publication. The period (start, end, label), or None when unreadable."""
    period = parse_period(r["period"], r["period_type"])
    if period is None:
        ctx.problems.append(
            table.problem(
                r[ROW],
                "period",
                repr(r["period"]),
                "YYYY for a year, YYYY-MM for a month or year to date, YYYY/YYYY for a plan period",
            )
        )
        return None
    if not _number_in_quote(abs(r["value"]), r["source_quote"]):
        ctx.problems.append(table.problem(r[ROW], "value", repr(r["value"]), "a number that appears in source_quote"))
    else:
        ctx.problems += _unit_as_quoted(table, r)
        ctx.problems += _comparator_as_quoted(table, r)
    start, end, _ = period
    if not (start.year >= FIRST_YEAR and end.year <= int(r["pub_year"])):
        ctx.problems.append(
            table.problem(
                r[ROW],
                "period",
                repr(r["period"]),
                f"a period from {FIRST_YEAR} to the year of publication "
                f"{r['pub_year']} (a figure is published after its period)",
            )
        )
    return period


def _text_period(ctx: Context, table: RawTable, r: pd.Series) -> list[Problem]:
    """A figure in a plan document is for the plan's period or the one before it (a plan
    reports its predecessor's results), and not for a year after the document was issued."""
    plan = ctx.plans.loc[r["plan_id"]] if r["plan_id"] in ctx.plans.index else None
    if plan is None:
        return []
    first = int(plan["period_start"]) - (int(plan["period_end"]) - int(plan["period_start"]) + 1)
    last = int(plan["period_end"])
    issued = ctx.issued_years.get(r["source_document"])
    if issued is not None:
        last = min(last, issued)
    problems = []
    for col in ("period_start", "period_end"):
        if not first <= int(r[col]) <= last:
            problems.append(
                table.problem(
                    r[ROW],
                    col,
                    str(r[col]),
                    f"a year from {first} to {last}: inside the plan's period or the one "
                    f"before it, and not after the document was issued",
                )
            )
    return problems


def _unit_as_quoted(table: RawTable, r: pd.Series) -> list[Problem]:
    """The unit typed beside a published value must be the one its quote writes after it:
    63.5 typed with 个 where the quote says 63.5万个 is a 10,000× error."""
    factor, base = split_unit(r["unit"])
    quote = normalize(r["source_quote"])
    written = []
    for q in find_quantities(quote):
        if math.isclose(q.value / q.multiplier, abs(float(r["value"])), rel_tol=1e-9):
            scale = next((w for w, f in MULTIPLIERS.items() if f == q.multiplier and w in q.as_written), "")
            written.append((q, f"{scale}{q.unit or ''}"))
    written = [(q, w) for q, w in written if w]  # a bare number (an English quote) says nothing of its unit
    if not written or any(_fits(q, factor, base) for q, _ in written):
        return []
    shown = ", ".join(dict.fromkeys(f"{plain(q.value / q.multiplier)}{w}" for q, w in written))
    return [
        table.problem(r[ROW], "unit", repr(r["unit"]), f"the unit the source_quote writes after the number ({shown})")
    ]


#: Words a quote writes next to a figure that is a bound or an approximation, by comparator
#: (English quotes are normalized without spaces: "More than 146,000" reads "morethan146,000";
#: reprints in traditional characters write 以內, 不超過, 餘, 約).
BOUND_WORDS = {
    ">=": ("以上", "超", "逾", "余", "多", "不低于", "不少于", "高于", "突破", "餘", "morethan", "over", "above"),
    "<=": ("以内", "以下", "不超过", "低于", "控制在", "不高于", "内", "以內", "不超過")
    + ("lessthan", "under", "below", "within"),
    "≈": ("约", "左右", "近", "余", "大约", "約", "about", "around", "nearly", "approximately"),
}
BOUND_WORDS[">"] = BOUND_WORDS[">="]
BOUND_WORDS["<"] = BOUND_WORDS["<="]
#: How far from the figure (characters before its number, after its unit) a bound word is looked for.
_BEFORE, _AFTER = 8, 6


def _comparator_as_quoted(table: RawTable, r: pd.Series) -> list[Problem]:
    """A figure typed as a bound (``<=``, ``>``) or an approximation (``≈``) must be one in its
    quote: 49.13万人 typed ``<=`` where the quote states "年末城镇登记失业人数49.13万人" makes
    an exact count read as a ceiling (the report wrote "49.13万人以内")."""
    words = BOUND_WORDS.get(str(r["comparator"]))
    if not words:
        return []
    quote = normalize(r["source_quote"]).lower()
    near = [
        quote[max(0, q.start - _BEFORE) : q.end + _AFTER]
        for q in find_quantities(quote)
        if math.isclose(q.value / q.multiplier, abs(float(r["value"])), rel_tol=1e-9)
    ]
    if not near or any(w in text for text in near for w in words):
        return []
    return [
        table.problem(
            r[ROW],
            "comparator",
            repr(r["comparator"]),
            f"'=' for a figure its quote states exactly, or a word next to it that makes it one "
            f"({'、'.join(w for w in words if not w.isascii())}…)",
        )
    ]


def _fits(q: Any, factor: float, base: str | None) -> bool:
    if q.multiplier != factor:
        return False
    return q.unit is None or base is None or same_unit(q.unit, base) or base.startswith(q.unit + "/")


def _number_in_quote(value: float, quote: str) -> bool:
    """True when ``value`` is written in ``quote`` (60.54 as 60.54; 622000 as 622,000)."""
    return float(value) in numbers_in(quote)
