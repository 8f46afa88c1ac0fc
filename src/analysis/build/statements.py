"""Targets: the task tables' rows, every statement of a target (parsed), one indicator per
target, and who is responsible for what."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import sources
from analysis.build.context import Context, row_source, same
from analysis.cells import cell_text, plain
from analysis.cn_numbers import normalize, split_unit
from analysis.raw.errors import Problem, close_matches
from analysis.raw.plausible import unit_range
from analysis.raw.table import ROW, RawTable
from analysis.targets import QUANTITATIVE_KINDS, ParsedTarget, parse_target

_ITEM_COLUMNS = ["plan_id", "item_id", "item_type", "item_type_zh", "category", "text", *sources.COLUMNS]
_ITEM_PRIVATE = ["_departments"]
#: The private columns a statement carries while the build needs them (not in the dataset).
_PRIVATE = ["_table", "_row", "_item", "name", "attribute", "category", "name_note", "seq", "parse_notes", "_raw_unit"]


def _split_name_note(name: str) -> tuple[str, str | None]:
    """'扶持成功创业数/ 创业帮扶数 (2023 年指标更名)' → the name, and the note in brackets."""
    m = re.match(r"^(?P<name>.*?)\s*[(（](?P<note>[^()（）]+)[)）]\s*$", name)
    if not m:
        return name.strip(), None
    return m.group("name").strip(), m.group("note").strip()


def task_rows(ctx: Context) -> pd.DataFrame:
    """Rows of the task tables as items, with their departments and where each row is (a
    sentence stated in a row is that row's target)."""
    rows: list[dict[str, Any]] = []
    zh = {"topic": "重点专题", "major_indicator": "重大指标", "task": "重大任务"}
    for table in ctx.catalog.all("task_table"):
        meta = table.meta
        frame = table.frame.copy()
        frame["category"] = frame["category"].ffill()
        by_category = meta.get("item_type_by_category") or {}
        for _, r in frame.iterrows():
            if r["category"] is None:
                ctx.problems.append(
                    table.problem(r[ROW], "category", "an empty cell with none above it", "the 类别 of the first row")
                )
                continue
            item_type = meta.get("item_type") or by_category.get(r["category"])
            if item_type not in zh:
                ctx.problems.append(
                    table.problem(
                        r[ROW],
                        "category",
                        repr(r["category"]),
                        f"a category named in the sidecar {sorted(by_category)}",
                    )
                )
                continue
            departments = [d for d in re.split(r"[\s、，,；;]+", r["departments"].strip()) if d]
            for d in departments:
                if d not in ctx.departments:
                    ctx.problems.append(
                        table.problem(
                            r[ROW],
                            "departments",
                            repr(d),
                            f"a department from departments.csv{close_matches(d, ctx.departments)}",
                        )
                    )
            item = {
                "plan_id": meta["plan_id"],
                "item_id": f"{meta['item_prefix']}-{int(r['row']):02d}",
                "item_type": item_type,
                "item_type_zh": zh[item_type],
                "category": r["category"],
                "text": r["content"],
                **row_source(r),
                "_departments": departments,
            }
            rows.append(item)
        ctx.record(table, len(frame), "items")
    return pd.DataFrame(rows, columns=[*_ITEM_COLUMNS, *_ITEM_PRIVATE])


@dataclass(frozen=True)
class _Wording:
    """What a statement says, whichever raw file holds it: a plan table names its columns
    ``target``/``target_heading`` and is always the primary statement; a sentence of the text
    says its role and may sit inside a task table's row (``item``), whose category it takes."""

    role: str
    name: str
    name_note: str | None
    text: str
    context: str | None
    unit: str | None
    category: str | None
    attribute: str | None
    seq: int
    item: dict[str, Any] | None = None

    @classmethod
    def of_table_row(cls, r: pd.Series) -> _Wording:
        name, name_note = _split_name_note(r["name"])
        return cls(
            role="primary",
            name=name,
            name_note=name_note,
            text=r["target"],
            context=r["target_heading"],
            unit=r["unit"],
            category=r["category"],
            attribute=r.get("attribute"),
            seq=int(r["seq"]),
        )

    @classmethod
    def of_sentence(cls, r: pd.Series, seq: int, item: dict[str, Any] | None) -> _Wording:
        return cls(
            role=r["role"],
            name=r["name"],
            name_note=None,
            text=r["target_text"],
            context=r["context"],
            unit=r["unit"],
            category=item["category"] if item else None,
            attribute=r.get("attribute"),
            seq=int(seq),
            item=item,
        )


def statements(ctx: Context, task_rows: pd.DataFrame) -> pd.DataFrame:
    """Every statement of a target, parsed: table rows first, then sentences."""
    item_index = {(r["source_document"], r["source_location"]): r for r in task_rows.to_dict("records")}
    rows: list[dict[str, Any]] = []
    for table in ctx.catalog.all("target_table"):
        rows += [_statement(ctx, table, r, _Wording.of_table_row(r)) for _, r in table.frame.iterrows()]
        ctx.record(table, len(table.frame), "target_statements")
    for table in ctx.catalog.all("target_statements"):
        # seq: order of the defining (primary) statements within each plan
        primary = table.frame["role"] == "primary"
        order = primary.groupby(table.frame["plan_id"]).cumsum().where(primary, 0)
        for (_, r), seq in zip(table.frame.iterrows(), order, strict=True):
            item = item_index.get((r["source_document"], r["source_location"]))
            rows.append(_statement(ctx, table, r, _Wording.of_sentence(r, seq, item)))
        ctx.record(table, len(table.frame), "target_statements")
    frame = pd.DataFrame(rows)
    # category is carried down merged cells, within each table
    frame["category"] = frame.groupby("_table", sort=False)["category"].ffill()
    return frame


def _statement(ctx: Context, table: RawTable, r: pd.Series, said: _Wording) -> dict[str, Any]:
    """One statement's row: the target parsed from its words, checked against the plan period
    and the unit's range (a problem each, pointing at the cell)."""
    text, unit, context = said.text, said.unit, said.context
    plan = ctx.plans.loc[r["plan_id"]] if r["plan_id"] in ctx.plans.index else None
    period = (int(plan["period_start"]), int(plan["period_end"])) if plan is not None else None
    parsed: ParsedTarget = parse_target(text, name=said.name, unit=unit, context=context or "", period=period)
    column = "target_text" if "target_text" in r else "target"
    if period and parsed.target_year is not None and not period[0] <= parsed.target_year <= period[1]:
        ctx.problems.append(
            table.problem(
                r[ROW],
                column,
                f"target year {parsed.target_year} in {text!r}",
                f"a year inside the plan period {period[0]}–{period[1]}",
            )
        )
    rng = unit_range(parsed.unit)
    if parsed.target_value is not None and rng is not None and parsed.target_value not in rng:
        ctx.problems.append(
            table.problem(r[ROW], column, f"{text!r}, read as {plain(parsed.target_value)} {parsed.unit}", str(rng))
        )
    return {
        "plan_id": r["plan_id"],
        "indicator_id": r["indicator_id"],
        "role": said.role,
        "target_text": text,
        "context": context,
        "target_kind": parsed.target_kind,
        "comparator": parsed.comparator,
        "target_value": parsed.target_value,
        "target_year": parsed.target_year,
        "unit": parsed.unit,
        "parse_notes": "; ".join(parsed.notes) or None,
        **row_source(r),
        "name": said.name,
        "name_note": said.name_note,
        "attribute": said.attribute,
        "category": said.category,
        "seq": said.seq,
        "_raw_unit": unit,
        "_table": table.name,
        "_row": int(r[ROW]),
        "_item": said.item["item_id"] if said.item else None,
    }


def indicators(ctx: Context, statements: pd.DataFrame) -> pd.DataFrame:
    """One row per target: its primary statement, every source, and its definition."""
    definitions = _definitions(ctx)
    out = []
    for (plan_id, indicator_id), group in statements.groupby(["plan_id", "indicator_id"], sort=False):
        p = _primary(ctx, plan_id, indicator_id, group)
        if p is None:
            continue
        _check_restatements(ctx, p, group)
        definition = definitions.get((plan_id, indicator_id))
        if definition and normalize(definition[0]) != normalize(p["name"]):
            ctx.problems.append(
                Problem(
                    definition[2],
                    definition[3],
                    "name",
                    repr(definition[0]),
                    f"the indicator's name in the table, {p['name']!r}",
                )
            )
        if plan_id in ctx.plans.index:
            out.append(_indicator_row(p, group, ctx.plans.loc[plan_id], definition))
    for key, (_, _, file, row) in definitions.items():
        if not ((statements["plan_id"] == key[0]) & (statements["indicator_id"] == key[1])).any():
            ctx.problems.append(
                Problem(file, row, "indicator_id", f"{key[0]}/{key[1]}", "an indicator that has a target")
            )
    frame = pd.DataFrame(out)
    frame["base_value"] = frame["base_value"].astype("float64")
    return frame


def _primary(ctx: Context, plan_id: str, indicator_id: str, group: pd.DataFrame) -> pd.Series | None:
    """The one primary statement of a target; None (and a problem pointing at the extra or the
    missing one) when there is not exactly one."""
    primaries = group[group["role"] == "primary"]
    if len(primaries) == 1:
        return primaries.iloc[0]
    r = primaries.iloc[-1] if len(primaries) > 1 else group.iloc[0]  # point at the extra one
    found = f"{len(primaries)} primary statements" + (
        f" ({', '.join(map(sources.describe, primaries.to_dict('records')))})" if len(primaries) else ""
    )
    ctx.problems.append(
        Problem(
            r["_table"],
            int(r["_row"]),
            "indicator_id",
            f"{found} of {plan_id}/{indicator_id}",
            "exactly one table row or role=primary sentence per target",
        )
    )
    return None


#: What a restatement of a target must read as its primary statement does.
_COMPARED = ["target_kind", "comparator", "target_value", "target_year"]


def _check_restatements(ctx: Context, p: pd.Series, group: pd.DataFrame) -> None:
    """Each restatement of a parsed target must read as the same target as its primary one (a
    quantitative target may be restated as another kind: "每年…" beside a total)."""
    if p["target_kind"] == "unparsed":
        return
    fields = _COMPARED[1:] if p["target_kind"] in QUANTITATIVE_KINDS else _COMPARED
    for _, s in group[group["role"] == "restatement"].iterrows():
        differs = [f for f in fields if not same(s[f], p[f])]
        if differs:
            ctx.problems.append(
                Problem(
                    s["_table"],
                    int(s["_row"]),
                    "target_text",
                    f"{s['target_text']!r} read as " + ", ".join(f"{f}={s[f]!r}" for f in differs),
                    f"the same target as {sources.describe(p)} ({', '.join(f'{f}={p[f]!r}' for f in differs)})",
                )
            )


def _indicator_row(
    p: pd.Series, group: pd.DataFrame, plan: pd.Series, definition: tuple[str, str, str, int] | None
) -> dict[str, Any]:
    """The indicators row of one target: its primary statement's reading, the plan's period,
    the annex's definition, and every place the target is stated."""
    attribute = cell_text(p["attribute"]) or next((a for a in map(cell_text, group["attribute"]) if a), None)
    _factor, table_unit = split_unit(p["_raw_unit"])
    return {
        "plan_id": p["plan_id"],
        "indicator_id": p["indicator_id"],
        "seq": p["seq"],
        "name": p["name"],
        "name_note": p["name_note"],
        "category": p["category"],
        "unit": cell_text(p["unit"]) or table_unit,
        "attribute": attribute,
        "target_text": p["target_text"],
        "target_context": p["context"],
        "target_kind": p["target_kind"],
        "comparator": p["comparator"],
        "target_value": p["target_value"],
        "target_year": p["target_year"],
        "base_year": int(plan["base_year"]),
        "base_value": None,
        "period_start": int(plan["period_start"]),
        "period_end": int(plan["period_end"]),
        "definition": definition[1] if definition else None,
        "parse_notes": p["parse_notes"],
        **sources.combined(group),
    }


def _definitions(ctx: Context) -> dict[tuple[str, str], tuple[str, str, str, int]]:
    found: dict[tuple[str, str], tuple[str, str, str, int]] = {}
    for table in ctx.catalog.all("definitions"):
        for _, r in table.frame.iterrows():
            found[(r["plan_id"], r["indicator_id"])] = (r["name"], r["definition"], table.name, int(r[ROW]))
        ctx.record(table, len(table.frame), "indicators.definition")
    return found


def items(ctx: Context, task_rows: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
    """The items dataset: the task rows, with the indicators stated in each."""
    linked = (
        statements.dropna(subset=["_item"])
        .groupby("_item")["indicator_id"]
        .agg(lambda ids: ";".join(dict.fromkeys(ids)))
    )
    items = task_rows.copy()
    items["indicator_ids"] = items["item_id"].map(linked)
    return items.drop(columns=_ITEM_PRIVATE)


def responsibilities(ctx: Context, task_rows: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
    """Who is responsible for each item, in the order the table names them; an indicator stated
    inside a table row inherits that row's departments."""
    rows = []
    by_item = {r["item_id"]: r for r in task_rows.to_dict("records")}
    for item in by_item.values():
        for i, d in enumerate(item["_departments"], start=1):
            rows.append(
                {
                    "plan_id": item["plan_id"],
                    "item_type": item["item_type"],
                    "item_id": item["item_id"],
                    "department": d,
                    "position": i,
                    "_sources": sources.of_record(item),
                }
            )
    # An indicator stated inside a table row inherits that row's departments.
    for _, s in statements.dropna(subset=["_item"]).iterrows():
        item = by_item[s["_item"]]
        for i, d in enumerate(item["_departments"], start=1):
            rows.append(
                {
                    "plan_id": s["plan_id"],
                    "item_type": "indicator",
                    "item_id": s["indicator_id"],
                    "department": d,
                    "position": i,
                    "_sources": sources.of_record(item),
                }
            )
    frame = pd.DataFrame(rows, columns=["plan_id", "item_type", "item_id", "department", "position", "_sources"])
    keys = ["plan_id", "item_type", "item_id", "department"]
    out = [
        {
            **dict(zip(keys, key, strict=True)),
            "position": group["position"].min(),
            **sources.columns(s for found in group["_sources"] for s in found),
        }
        for key, group in frame.groupby(keys, sort=False)
    ]
    return pd.DataFrame(out, columns=[*keys, "position", *sources.COLUMNS])


def target_statements(ctx: Context, statements: pd.DataFrame) -> pd.DataFrame:
    """The dataset: every statement without the columns only the build needs."""
    return statements.drop(columns=_PRIVATE)
