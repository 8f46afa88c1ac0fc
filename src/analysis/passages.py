"""Narrative passages of the plan documents → the ``passages`` dataset, and links from targets to
their evidence → ``evidence`` (part of ``make data``).

Kept out of ``build.py`` so the build gains one call: ``passages(catalog, observations,
indicators)``. Checks, each reported with file, row and column: the plan exists (the build's
shared reference check), every series_id names an observation of the passage's document whose
quote is in the passage's text, every indicator_id names a target of a plan in that document.
"""

from __future__ import annotations

import pandas as pd

from analysis.cn_numbers import normalize
from analysis.raw.catalog import RawCatalog
from analysis.raw.errors import Problem
from analysis.raw.table import ROW

COLUMNS = ["plan_id", "passage_id", "kind", "topic", "section", "seq", "text", "series_ids", "indicator_ids", "risk",
           "source"]


def _ids(cell: object) -> list[str]:
    return [p.strip() for p in str(cell).split(";") if p.strip()] if isinstance(cell, str) else []


def passages(catalog: RawCatalog, observations: pd.DataFrame, indicators: pd.DataFrame,
             plans: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Every passage, with the problems found (the caller raises them with the build's others)."""
    problems: list[Problem] = []
    frames = []
    doc_of_plan = dict(zip(plans["plan_id"], plans["source"].str.split("：").str[0]))
    for table in catalog.all("passages"):
        frame = table.frame.copy()
        for _, r in frame.iterrows():
            doc = r["source_document"]
            text = normalize(r["text"])
            from_doc = observations[observations["source"].str.startswith(f"{doc}：")]
            for sid in _ids(r.get("series_ids")):
                quotes = from_doc.loc[from_doc["series_id"] == sid, "source_quote"].dropna()
                if quotes.empty:
                    problems.append(table.problem(r[ROW], "series_ids", repr(sid),
                                                  f"a series_id of an observation read from {doc}"))
                elif not any(normalize(q) in text for q in quotes):
                    problems.append(table.problem(r[ROW], "series_ids", repr(sid),
                                                  "an observation whose quote is in this passage's text"))
            same_doc = [p for p, d in doc_of_plan.items() if d == doc]
            known = set(indicators.loc[indicators["plan_id"].isin(same_doc), "indicator_id"])
            for iid in _ids(r.get("indicator_ids")):
                if iid not in known:
                    problems.append(table.problem(r[ROW], "indicator_ids", repr(iid),
                                                  f"an indicator_id of a plan set out in {doc}"))
        frame["source"] = frame["source_document"] + "：" + frame["source_location"]
        frames.append(frame[[c for c in COLUMNS]])
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS}), problems
    return pd.concat(frames, ignore_index=True), problems


EVIDENCE = ["plan_id", "indicator_id", "series_id", "relation", "note"]


def evidence(catalog: RawCatalog, observations: pd.DataFrame, indicators: pd.DataFrame,
             plans: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Links from a target (or a plan) to published series that are evidence for it."""
    problems: list[Problem] = []
    frames = []
    known = set(zip(indicators["plan_id"], indicators["indicator_id"]))
    series = set(observations["series_id"])
    for table in catalog.all("indicator_evidence"):
        frame = table.frame.copy()
        for _, r in frame.iterrows():
            iid = r.get("indicator_id")
            if isinstance(iid, str) and iid and (r["plan_id"], iid) not in known:
                problems.append(table.problem(r[ROW], "indicator_id", repr(iid), f"a target of {r['plan_id']}"))
            if r["series_id"] not in series:
                problems.append(table.problem(r[ROW], "series_id", repr(r["series_id"]),
                                              "a series_id of an observation"))
        frames.append(frame[EVIDENCE])
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in EVIDENCE}), problems
    return pd.concat(frames, ignore_index=True), problems
