"""Checks shared by every raw file: the plans, documents and texts a row names must exist."""

from __future__ import annotations

from analysis.build.context import Context
from analysis.raw.catalog import BACKTEST_ROLES
from analysis.raw.errors import close_matches
from analysis.raw.table import ROW


def check_references(ctx: Context) -> None:
    for role, tables in ctx.catalog.by_role.items():
        for table in tables:
            frame = table.frame
            if "plan_id" in frame.columns and role not in BACKTEST_ROLES:
                for _, r in frame[~frame["plan_id"].isin(ctx.plans.index) & frame["plan_id"].notna()].iterrows():
                    ctx.problems.append(
                        table.problem(
                            r[ROW],
                            "plan_id",
                            repr(r["plan_id"]),
                            f"a plan_id from plans.csv {sorted(ctx.plans.index)}"
                            f"{close_matches(r['plan_id'], ctx.plans.index)}",
                        )
                    )
            plan_id = table.meta.get("plan_id")
            if plan_id is not None and plan_id not in ctx.plans.index:
                ctx.problems.append(table.problem(None, "plan_id (sidecar)", repr(plan_id), "a plan_id from plans.csv"))
            if "source_document" in frame.columns:
                for _, r in frame.iterrows():
                    doc = r["source_document"]
                    if doc is None:
                        continue
                    if doc not in ctx.document_paths:
                        ctx.problems.append(
                            table.problem(
                                r[ROW],
                                "source_document",
                                repr(doc),
                                f"a file listed in documents.csv{close_matches(doc, ctx.document_paths)}",
                            )
                        )
                    elif not ctx.document_paths[doc].exists():
                        ctx.problems.append(
                            table.problem(
                                r[ROW],
                                "source_document",
                                repr(doc),
                                "the document's text under data/raw/documents/",
                            )
                        )
