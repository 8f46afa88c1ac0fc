"""Narrative passages of the plan documents → the ``passages`` dataset, links from targets to
their evidence → ``evidence``, and declared base values of new plans' targets → ``base_values``
(part of ``make data``).

Kept out of the build package (``build.links`` calls each once). Checks, each reported with file, row
and column: the plan exists (the build's shared reference check), every series_id names an
observation of the passage's document whose quote is in the passage's text, every
indicator_id names a target of a plan in that document.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis import sources
from analysis.cn_numbers import normalize
from analysis.raw.catalog import RawCatalog
from analysis.raw.errors import Problem
from analysis.raw.table import ROW, RawTable

COLUMNS = [
    "plan_id",
    "passage_id",
    "kind",
    "topic",
    "section",
    "seq",
    "text",
    "series_ids",
    "indicator_ids",
    "risk",
    *sources.COLUMNS,
]


def _ids(cell: object) -> list[str]:
    return [p.strip() for p in str(cell).split(";") if p.strip()] if isinstance(cell, str) else []


def passages(
    catalog: RawCatalog, observations: pd.DataFrame, indicators: pd.DataFrame, plans: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem]]:
    """Every passage, with the problems found (the caller raises them with the build's others)."""
    problems: list[Problem] = []
    frames = []
    doc_of_plan = {r["plan_id"]: sources.document(r) for r in plans.to_dict("records")}
    for table in catalog.all("passages"):
        frame = table.frame.copy()
        for _, r in frame.iterrows():
            doc = r["source_document"]
            text = normalize(r["text"])
            from_doc = observations[sources.cites(observations, doc)]
            for sid in _ids(r.get("series_ids")):
                quotes = from_doc.loc[from_doc["series_id"] == sid, "source_quote"].dropna()
                if quotes.empty:
                    problems.append(
                        table.problem(r[ROW], "series_ids", repr(sid), f"a series_id of an observation read from {doc}")
                    )
                elif not any(normalize(q) in text for q in quotes):
                    problems.append(
                        table.problem(
                            r[ROW], "series_ids", repr(sid), "an observation whose quote is in this passage's text"
                        )
                    )
            same_doc = [p for p, d in doc_of_plan.items() if d == doc]
            known = set(indicators.loc[indicators["plan_id"].isin(same_doc), "indicator_id"])
            for iid in _ids(r.get("indicator_ids")):
                if iid not in known:
                    problems.append(
                        table.problem(r[ROW], "indicator_ids", repr(iid), f"an indicator_id of a plan set out in {doc}")
                    )
        frames.append(frame[[c for c in COLUMNS]])
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS}), problems
    return pd.concat(frames, ignore_index=True), problems


EVIDENCE = ["plan_id", "indicator_id", "series_id", "relation", "note", "comparison", "price_basis"]


def evidence(
    catalog: RawCatalog, observations: pd.DataFrame, indicators: pd.DataFrame, plans: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem]]:
    """Links from a target (or a plan) to published series that are evidence for it.

    A pair named by ``comparison`` judges an in-step target (``evaluate.in_step``), so the
    build holds it to what that judgement needs: one ``subject`` and one ``benchmark`` per
    target, each with its ``price_basis``, and a qualitative target whose wording says 同步."""
    problems: list[Problem] = []
    frames = []
    known = set(zip(indicators["plan_id"], indicators["indicator_id"]))
    target = indicators.set_index(["plan_id", "indicator_id"])
    series = set(observations["series_id"])
    for table in catalog.all("indicator_evidence"):
        frame = table.frame.copy()
        for col in ("comparison", "price_basis"):
            if col not in frame:
                frame[col] = pd.NA
        for _, r in frame.iterrows():
            iid = r.get("indicator_id")
            if isinstance(iid, str) and iid and (r["plan_id"], iid) not in known:
                problems.append(table.problem(r[ROW], "indicator_id", repr(iid), f"a target of {r['plan_id']}"))
            if r["series_id"] not in series:
                problems.append(
                    table.problem(r[ROW], "series_id", repr(r["series_id"]), "a series_id of an observation")
                )
        paired = frame[frame["comparison"].notna()]
        for _, r in paired[paired["price_basis"].isna()].iterrows():
            problems.append(
                table.problem(
                    r[ROW], "price_basis", "", "nominal or real: the growths of a pair are compared on one basis"
                )
            )
        for (plan, iid), group in paired.groupby(["plan_id", "indicator_id"], dropna=False, sort=False):
            first = group.iloc[0]
            roles = sorted(group["comparison"])
            if roles != ["benchmark", "subject"]:
                problems.append(
                    table.problem(
                        first[ROW], "comparison", "、".join(roles), f"one subject and one benchmark for {plan} {iid}"
                    )
                )
            elif (plan, iid) in known and (
                target.loc[(plan, iid), "target_kind"] != "qualitative"
                or "同步" not in str(target.loc[(plan, iid), "target_text"])
            ):
                problems.append(
                    table.problem(
                        first[ROW],
                        "comparison",
                        f"{iid}: {target.loc[(plan, iid), 'target_text']}",
                        "a qualitative target whose wording keeps one growth in step with another (同步)",
                    )
                )
        frames.append(frame[EVIDENCE])
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in EVIDENCE}), problems
    return pd.concat(frames, ignore_index=True), problems


BASE_VALUES = ["plan_id", "indicator_id", "series_id", "region", "period", "wording", "caveat", *sources.COLUMNS]


def _base_observation_problems(table: RawTable, r: pd.Series, preferred: pd.DataFrame) -> list[Problem]:
    """A declared base value names exactly one preferred observation of the plan's region."""
    hits = preferred[(preferred["series_id"] == r["series_id"]) & (preferred["region"] == r["region"])]
    if hits.empty:
        return [
            table.problem(
                r[ROW], "series_id", repr(r["series_id"]), f"a series_id of a preferred observation in {r['region']}"
            )
        ]
    if (hits["period"] == r["period"]).sum() != 1:
        return [
            table.problem(
                r[ROW], "period", repr(r["period"]), f"one period of {r['series_id']}: {sorted(set(hits['period']))}"
            )
        ]
    return []


def _base_quote_problems(table: RawTable, r: pd.Series, text: str) -> list[Problem]:
    """The definition and every phrase the caveat puts in “ ” are the document's words."""
    quoted = [("definition_quote", r["definition_quote"])] + [
        ("caveat", q) for q in re.findall(r"“([^”]+)”", r["caveat"])
    ]
    return [
        table.problem(r[ROW], column, repr(phrase), f"words that appear in {r['source_document']}")
        for column, phrase in quoted
        if normalize(phrase) not in text
    ]


def base_values(
    catalog: RawCatalog,
    observations: pd.DataFrame,
    indicators: pd.DataFrame,
    plans: pd.DataFrame,
    documents: dict[str, Path],
) -> tuple[pd.DataFrame, list[Problem]]:
    """Declared base values of new plans' targets (``data/raw/links/base_values.csv``).

    Each row must name a target, exactly one preferred observation (series_id, period) in the
    plan's region, and quote its document verbatim: ``definition_quote`` and every phrase the
    caveat puts in “ ” (a reader takes them for the document's words)."""
    problems: list[Problem] = []
    frames = []
    known = set(zip(indicators["plan_id"], indicators["indicator_id"]))
    region_of = dict(zip(plans["plan_id"], plans["region"]))
    preferred = observations[observations["is_preferred"] & ~observations["is_benchmark"]]
    for table in catalog.all("base_values"):
        frame = table.frame.copy()
        frame["region"] = frame["plan_id"].map(region_of)
        for _, r in frame.iterrows():
            if (r["plan_id"], r["indicator_id"]) not in known:
                problems.append(
                    table.problem(r[ROW], "indicator_id", repr(r["indicator_id"]), f"a target of {r['plan_id']}")
                )
            problems += _base_observation_problems(table, r, preferred)
            path = documents.get(r["source_document"])
            if path is not None and path.exists():  # else the build's shared reference check reports it
                problems += _base_quote_problems(table, r, normalize(path.read_text(encoding="utf-8")))
        frames.append(frame[BASE_VALUES])
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in BASE_VALUES}), problems
    return pd.concat(frames, ignore_index=True), problems
