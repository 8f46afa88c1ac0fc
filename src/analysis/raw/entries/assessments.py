"""The 任务评估 and 风险评估 sheets: each department's assessment of an item and of a risk.

Both are read the same way: every cell checked (each problem reported), and a row with none
becomes a record kept once per key (``Accepted``), so a workbook dropped in twice counts once
and two different entries for the same key are a problem.
"""

from __future__ import annotations

from analysis.cells import cell_text
from analysis.raw.entries.accepted import Accepted
from analysis.raw.entries.context import Context
from analysis.raw.entries.workbook import Row
from analysis.workbook_layout import ASSESSORS, ITEM_TYPES, PROGRESS, RISK_LEVELS


class AssessmentSheet:
    """Reads the 任务评估 rows: one record per item, department and 评估主体."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.accepted = Accepted(ctx.problems)

    def read(self, row: Row) -> None:
        """Check every cell of the row and keep its record when all are good."""
        read = self.ctx.cells
        ok = True
        plan_id = read.plan(row)
        ok &= plan_id is not None
        item_type = self._item_type(row)
        ok &= item_type is not None
        item_id = cell_text(row.values["item_id"])
        if plan_id is not None and item_type is not None and (plan_id, item_type, item_id) not in self.ctx.items:
            ids = sorted(i for (p, t, i) in self.ctx.items if p == plan_id and t == item_type)
            self.ctx.problems.append(
                row.problem(
                    "item_id",
                    repr(item_id) if item_id else "an empty cell",
                    f"an item_id of plan {plan_id} with 事项类型 {ITEM_TYPES[item_type]} {ids}",
                )
            )
            ok = False
        department = read.department(row)
        assessor = read.choice(row, "assessor", ASSESSORS)
        progress = read.choice(row, "progress", PROGRESS)
        date_ok, filled_on = read.date(row, "filled_on")
        if not (ok and date_ok and department and assessor and progress):
            return
        record = {
            "plan_id": plan_id,
            "item_type": item_type,
            "item_id": item_id,
            "department": department,
            "assessor": assessor,
            "progress": progress,
            **{
                c: cell_text(row.values[c])
                for c in ("progress_detail", "achievements", "problems", "next_steps", "evidence", "filled_by")
            },
            "filled_on": filled_on,
        }
        key = (plan_id, item_type, item_id, department, assessor)
        self.accepted.keep(
            key, record, row, f"one row per item, department and 评估主体 ({item_id}, {department}, {assessor})"
        )

    def _item_type(self, row: Row) -> str | None:
        """The item type's key: the template pre-fills its Chinese label, the key is taken too."""
        value = cell_text(row.values["item_type"])
        by_label = {label: key for key, label in ITEM_TYPES.items()}
        if value in by_label:
            return by_label[value]
        if value in ITEM_TYPES:
            return value
        self.ctx.problems.append(
            row.problem(
                "item_type",
                repr(value) if value else "an empty cell",
                f"one of {list(ITEM_TYPES.values())} (as pre-filled)",
            )
        )
        return None


class RiskSheet:
    """Reads the 风险评估 rows: one record per risk and department, a risk the plan does not list
    being one the department added (its id and name typed in)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.accepted = Accepted(ctx.problems)

    def read(self, row: Row) -> None:
        """Check every cell of the row and keep its record when all are good."""
        read = self.ctx.cells
        plan_id = read.plan(row)
        risk_id, risk, added = cell_text(row.values["risk_id"]), cell_text(row.values["risk"]), False
        ok = plan_id is not None
        if plan_id is not None:
            known = self.ctx.known_risks.get(plan_id, {})
            if risk_id is None:
                self.ctx.problems.append(
                    row.problem(
                        "risk_id",
                        "an empty cell",
                        "a risk id: for a risk not listed, choose one (such as new-01) and fill 风险",
                    )
                )
                ok = False
            elif risk_id in known:
                risk = known[risk_id]
            elif risk is None:
                self.ctx.problems.append(
                    row.problem(
                        "risk_id",
                        repr(risk_id),
                        f"a risk_id of plan {plan_id} {sorted(known)}, or for a new risk also its name in 风险",
                    )
                )
                ok = False
            else:
                added = True
        department = read.department(row)
        level = read.choice(row, "level", RISK_LEVELS)
        date_ok, filled_on = read.date(row, "filled_on")
        if not (ok and date_ok and department and level):
            return
        record = {
            "plan_id": plan_id,
            "risk_id": risk_id,
            "risk": risk,
            "is_added": added,
            "department": department,
            "level": level,
            **{c: cell_text(row.values[c]) for c in ("measures", "achievements", "problems", "filled_by")},
            "filled_on": filled_on,
        }
        self.accepted.keep(
            (plan_id, risk_id, department), record, row, f"one row per risk and department ({risk_id}, {department})"
        )
