"""The datasets that tie text to figures: passages of the documents, the evidence linked to a
target, and the base values a plan states (``analysis.passages`` builds them)."""

from __future__ import annotations

import pandas as pd

from analysis import passages as text_links
from analysis.build.context import Context


def _record(ctx: Context, role: str, to: str) -> None:
    for table in ctx.catalog.all(role):
        ctx.record(table, len(table.frame), to)


def passages(ctx: Context, observations: pd.DataFrame, indicators: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    frame, found = text_links.passages(ctx.catalog, observations, indicators, plans)
    ctx.problems += found
    _record(ctx, "passages", "passages")
    return frame


def evidence(ctx: Context, observations: pd.DataFrame, indicators: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    frame, found = text_links.evidence(ctx.catalog, observations, indicators, plans)
    ctx.problems += found
    _record(ctx, "indicator_evidence", "evidence")
    return frame


def base_values(
    ctx: Context, observations: pd.DataFrame, indicators: pd.DataFrame, plans: pd.DataFrame
) -> pd.DataFrame:
    frame, found = text_links.base_values(ctx.catalog, observations, indicators, plans, ctx.document_paths)
    ctx.problems += found
    _record(ctx, "base_values", "base_values")
    return frame
