"""Raw transcription → tidy processed datasets (``python -m analysis data``).

Load inputs: every raw file, checked against its sidecar (``analysis.raw``).
Process data: cross-file checks (plans, documents, departments that exist; target years
inside the plan period; restatements that agree), then one tidy frame per dataset.
Save outputs: only when every check passed, each dataset written atomically with its
schema checked; a manifest records row counts, checksums and where every raw row went.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import datasets, freshness, paths
from analysis.cn_numbers import MULTIPLIERS, find_quantities, normalize, numbers_in, read_figure, split_unit
from analysis.passages import base_values, evidence, passages
from analysis.raw.catalog import BACKTEST_ROLES, RawCatalog, load_catalog
from analysis.raw.entries import merge, read_entries
from analysis.raw.errors import Problem, RawDataError, close_matches
from analysis.raw.plausible import (
    DEFINITION,
    FAR,
    FIRST_YEAR,
    REVIEWED,
    far_from_neighbours,
    same_unit,
    today,
    unit_range,
)
from analysis.raw.sidecar import sidecar_path
from analysis.raw.surveys import read_surveys
from analysis.raw.table import ROW, RawTable
from analysis.raw.verbatim import document_problems, verbatim_problems
from analysis.targets import QUANTITATIVE_KINDS, ParsedTarget, parse_target

SEP = "；"  # joins several sources or notes in one cell
ENTRIES = "entries"  # folder of data/raw holding filled workbooks


@dataclass
class BuildResult:
    """What a build produced: the frames, the manifest, and warnings to show the user."""

    frames: dict[str, pd.DataFrame]
    manifest: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def build(raw_dir: Path | None = None, out_dir: Path | None = None, *, write: bool = True) -> BuildResult:
    """Validate ``raw_dir`` and write every processed dataset to ``out_dir``.

    Raises RawDataError (listing every problem) before anything is written, so a bad raw
    file never replaces good processed data.
    """
    raw_dir = raw_dir or paths.RAW
    out_dir = out_dir or paths.PROCESSED

    # Load inputs (their checksums first: the manifest says what exactly was built from)
    read = freshness.inputs(raw_dir)
    catalog = load_catalog(raw_dir)

    # Process data
    assembler = _Assembler(catalog)
    try:
        frames = assembler.assemble()
        frames = {name: datasets.conform(name, frame) for name, frame in frames.items()}
        # Filled workbooks (data/raw/entries/) are checked against what the documents say.
        entries = read_entries(raw_dir / ENTRIES, frames)
        if entries.problems:
            raise RawDataError(entries.problems)
        frames.update(merge(frames, entries))
        frames["surveys"], found = read_surveys(raw_dir / ENTRIES, frames)
        if found:
            raise RawDataError(found)
    except datasets.DatasetSchemaError as exc:
        # A rule the raw checks missed: still a message naming dataset, row, column and rule.
        raise RawDataError(
            [
                Problem(
                    f"{f['dataset']} (dataset built from data/raw)",
                    None,
                    f["column"],
                    f"{f['found']} in the row {f['row']}",
                    f["rule"],
                )
                for f in exc.failures
            ]
            or [Problem("data/processed", None, None, str(exc), "datasets that match their schemas")]
        ) from None
    frames = {name: frames[name] for name in datasets.DATASETS}

    manifest: dict[str, Any] = {
        "datasets": {},
        "lineage": assembler.lineage,
        "raw_rows": catalog.row_count,
        "inputs": read,
        "entries": {
            "files": entries.files,
            "assessments": len(entries.assessments),
            "risks": len(entries.risks),
            "observations": len(entries.observations),
        },
    }
    warnings = (
        assembler.warnings
        + [r["message"] for r in assembler.review]
        + [
            f"unparsed target: {r.plan_id}/{r.indicator_id} {r.target_text!r} ({r.parse_notes})"
            for r in frames["indicators"].itertuples()
            if r.target_kind == "unparsed"
        ]
    )
    manifest["warnings"] = warnings
    manifest["to_review"] = assembler.review

    # Save outputs
    if write:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in datasets.DATASETS:
            manifest["datasets"][name] = datasets.write(name, frames[name], out_dir)
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        datasets.atomic_write_text(out_dir / "manifest.json", text)
    return BuildResult(frames, manifest, warnings)


def _source(table: RawTable, row: pd.Series, extra: str = "") -> str:
    location = f"{row['source_location']}{extra}"
    return f"{row['source_document']}：{location}"


def _year_start(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=int(year), month=1, day=1)


def _year_end(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=int(year), month=12, day=31)


def _split_name_note(name: str) -> tuple[str, str | None]:
    """'扶持成功创业数/ 创业帮扶数 (2023 年指标更名)' → the name, and the note in brackets."""
    m = re.match(r"^(?P<name>.*?)\s*[(（](?P<note>[^()（）]+)[)）]\s*$", name)
    if not m:
        return name.strip(), None
    return m.group("name").strip(), m.group("note").strip()


class _Assembler:
    """Turns a checked RawCatalog into the processed frames, collecting every problem first."""

    def __init__(self, catalog: RawCatalog):
        self.catalog = catalog
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.lineage: dict[str, dict[str, Any]] = {}
        #: values far from their series, to review (warnings, recorded in manifest.json)
        self.review: list[dict[str, Any]] = []
        self.plans = catalog.combined("plans").set_index("plan_id", drop=False)
        self.departments = set(catalog.combined("departments")["department"])
        self.document_paths = catalog.document_paths()
        self.issued_years = {
            r["file"]: int(str(r["issued"])[:4])
            for r in catalog.combined("documents").to_dict("records")
            if re.match(r"\d{4}", str(r["issued"]))
        }

    # -- checks shared by every file ----------------------------------------------------
    def _check_references(self) -> None:
        for role, tables in self.catalog.by_role.items():
            for table in tables:
                frame = table.frame
                if "plan_id" in frame.columns and role not in BACKTEST_ROLES:
                    for _, r in frame[~frame["plan_id"].isin(self.plans.index) & frame["plan_id"].notna()].iterrows():
                        self.problems.append(
                            table.problem(
                                r[ROW],
                                "plan_id",
                                repr(r["plan_id"]),
                                f"a plan_id from plans.csv {sorted(self.plans.index)}"
                                f"{close_matches(r['plan_id'], self.plans.index)}",
                            )
                        )
                plan_id = table.meta.get("plan_id")
                if plan_id is not None and plan_id not in self.plans.index:
                    self.problems.append(
                        table.problem(None, "plan_id (sidecar)", repr(plan_id), "a plan_id from plans.csv")
                    )
                if "source_document" in frame.columns:
                    for _, r in frame.iterrows():
                        doc = r["source_document"]
                        if doc is None:
                            continue
                        if doc not in self.document_paths:
                            self.problems.append(
                                table.problem(
                                    r[ROW],
                                    "source_document",
                                    repr(doc),
                                    f"a file listed in documents.csv{close_matches(doc, self.document_paths)}",
                                )
                            )
                        elif not self.document_paths[doc].exists():
                            self.problems.append(
                                table.problem(
                                    r[ROW],
                                    "source_document",
                                    repr(doc),
                                    "the document's text under data/raw/documents/",
                                )
                            )

    def _record(self, table: RawTable, rows_out: int, to: str) -> None:
        entry = self.lineage.setdefault(table.name, {"rows_in": len(table.frame), "rows_out": {}})
        entry["rows_out"][to] = entry["rows_out"].get(to, 0) + rows_out

    # -- datasets -------------------------------------------------------------------------
    def assemble(self) -> dict[str, pd.DataFrame]:
        self._check_references()
        texts, found = document_problems(self.catalog)
        self.problems += found
        frames: dict[str, pd.DataFrame] = {}
        frames["documents"] = self._documents()
        frames["evaluation_settings"] = self._evaluation_settings()
        frames["milestones"] = self._milestones(frames["evaluation_settings"])
        frames["risk_areas"] = self._risk_areas(frames["evaluation_settings"])
        items, item_index = self._items()
        statements = self._target_statements(item_index)
        frames["indicators"] = self._indicators(statements)
        frames["target_statements"] = statements.drop(
            columns=[
                "_table",
                "_row",
                "_item",
                "name",
                "attribute",
                "category",
                "name_note",
                "seq",
                "parse_notes",
                "_raw_unit",
            ]
        )
        frames["items"] = self._link_items(items, statements)
        frames["responsibilities"] = self._responsibilities(items, statements)
        frames["departments"] = self._departments(frames["responsibilities"])
        frames["plans"] = self._plans(frames["indicators"])
        frames["observations"] = self._observations(frames["indicators"])
        frames["passages"], found = passages(
            self.catalog, frames["observations"], frames["indicators"], frames["plans"]
        )
        self.problems += found
        frames["evidence"], found = evidence(
            self.catalog, frames["observations"], frames["indicators"], frames["plans"]
        )
        self.problems += found
        frames["base_values"], found = base_values(
            self.catalog, frames["observations"], frames["indicators"], frames["plans"], self.document_paths
        )
        self.problems += found
        self._check_backtest()
        for role, to in (("passages", "passages"), ("indicator_evidence", "evidence"), ("base_values", "base_values")):
            for table in self.catalog.all(role):
                self._record(table, len(table.frame), to)
        # last: where a cell is also wrong in a way the checks above name, their message is kept
        self.problems += verbatim_problems(self.catalog, texts)
        if self.problems:
            raise RawDataError(_first_per_cell(self.problems))
        return frames

    def _documents(self) -> pd.DataFrame:
        frames = []
        for table in self.catalog.all("documents"):
            self._record(table, len(table.frame), "documents")
            frames.append(table.frame.drop(columns=[ROW]))
        return pd.concat(frames, ignore_index=True)

    def _plans(self, indicators: pd.DataFrame) -> pd.DataFrame:
        counts = indicators.groupby("plan_id").size()
        frames = []
        for table in self.catalog.all("plans"):
            frame = table.frame.copy()
            for _, r in frame[frame["period_start"] > frame["period_end"]].iterrows():
                self.problems.append(
                    table.problem(
                        r[ROW],
                        "period_end",
                        str(r["period_end"]),
                        f"a year not before period_start ({r['period_start']})",
                    )
                )
            frame["n_indicators"] = frame["plan_id"].map(counts).fillna(0).astype(int)
            frame["source"] = [_source(table, r) for _, r in frame.iterrows()]
            self._record(table, len(frame), "plans")
            frames.append(frame.drop(columns=[ROW, "source_document", "source_location"]))
        return pd.concat(frames, ignore_index=True)

    def _evaluation_settings(self) -> pd.DataFrame:
        frames = []
        for table in self.catalog.all("evaluation_settings"):
            frame = table.frame.copy()
            for _, r in frame.iterrows():
                lead = r.get("lead_department")
                if lead and lead not in self.departments:
                    self.problems.append(
                        table.problem(
                            r[ROW],
                            "lead_department",
                            repr(lead),
                            f"a department from departments.csv{close_matches(lead, self.departments)}",
                        )
                    )
            for col in ("annual_cutoff", "monthly_cutoff", "task_cutoff"):
                for _, r in frame[frame[col].notna()].iterrows():
                    if r[col] > today():
                        self.problems.append(
                            table.problem(
                                r[ROW],
                                col,
                                str(r[col]),
                                f"a cut-off not after today ({today()}): data cannot be "
                                "counted up to a day that has not come",
                            )
                        )
                frame[col] = pd.to_datetime(frame[col])
            frame["source"] = [_source(table, r) for _, r in frame.iterrows()]
            self._record(table, len(frame), "evaluation_settings")
            frames.append(frame.drop(columns=[ROW, "source_document", "source_location"]))
        return _concat(frames, "evaluation_settings")

    def _milestones(self, settings: pd.DataFrame) -> pd.DataFrame:
        return self._per_exercise("milestones", "milestones", settings, dates=("due",))

    def _risk_areas(self, settings: pd.DataFrame) -> pd.DataFrame:
        return self._per_exercise("risk_areas", "risk_areas", settings, dates=())

    def _per_exercise(self, role: str, name: str, settings: pd.DataFrame, dates: tuple[str, ...]) -> pd.DataFrame:
        """Files keyed by evaluation exercise (schedule, risks): the exercise must exist."""
        frames = []
        exercises = set(settings["exercise"])
        for table in self.catalog.all(role):
            frame = table.frame.copy()
            for _, r in frame[~frame["exercise"].isin(exercises)].iterrows():
                self.problems.append(
                    table.problem(
                        r[ROW], "exercise", repr(r["exercise"]), f"an exercise from evaluations.csv {sorted(exercises)}"
                    )
                )
            for col in dates:
                frame[col] = pd.to_datetime(frame[col])
            frame["source"] = [_source(table, r) for _, r in frame.iterrows()]
            self._record(table, len(frame), name)
            frames.append(frame.drop(columns=[ROW, "source_document", "source_location"]))
        return _concat(frames, name)

    def _items(self) -> tuple[pd.DataFrame, dict[tuple[str, str], dict[str, Any]]]:
        """Rows of the task tables as items; an index from (document, location) to the item."""
        rows: list[dict[str, Any]] = []
        index: dict[tuple[str, str], dict[str, Any]] = {}
        zh = {"topic": "重点专题", "major_indicator": "重大指标", "task": "重大任务"}
        for table in self.catalog.all("task_table"):
            meta = table.meta
            frame = table.frame.copy()
            frame["category"] = frame["category"].ffill()
            by_category = meta.get("item_type_by_category") or {}
            for _, r in frame.iterrows():
                if r["category"] is None:
                    self.problems.append(
                        table.problem(
                            r[ROW], "category", "an empty cell with none above it", "the 类别 of the first row"
                        )
                    )
                    continue
                item_type = meta.get("item_type") or by_category.get(r["category"])
                if item_type not in zh:
                    self.problems.append(
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
                    if d not in self.departments:
                        self.problems.append(
                            table.problem(
                                r[ROW],
                                "departments",
                                repr(d),
                                f"a department from departments.csv{close_matches(d, self.departments)}",
                            )
                        )
                item = {
                    "plan_id": meta["plan_id"],
                    "item_id": f"{meta['item_prefix']}-{int(r['row']):02d}",
                    "item_type": item_type,
                    "item_type_zh": zh[item_type],
                    "category": r["category"],
                    "text": r["content"],
                    "source": _source(table, r),
                    "_departments": departments,
                }
                rows.append(item)
                index[(r["source_document"], r["source_location"])] = item
            self._record(table, len(frame), "items")
        return pd.DataFrame(rows), index

    def _target_statements(self, item_index: dict[tuple[str, str], dict[str, Any]]) -> pd.DataFrame:
        """Every statement of a target, parsed: table rows first, then sentences."""
        rows: list[dict[str, Any]] = []
        for table in self.catalog.all("target_table"):
            for _, r in table.frame.iterrows():
                name, name_note = _split_name_note(r["name"])
                rows.append(
                    self._statement(
                        table,
                        r,
                        role="primary",
                        name=name,
                        name_note=name_note,
                        text=r["target"],
                        context=r["target_heading"],
                        unit=r["unit"],
                        category=r["category"],
                        attribute=r.get("attribute"),
                        seq=r["seq"],
                        item=None,
                    )
                )
            self._record(table, len(table.frame), "target_statements")
        for table in self.catalog.all("target_statements"):
            # seq: order of the defining (primary) statements within each plan
            primary = table.frame["role"] == "primary"
            order = primary.groupby(table.frame["plan_id"]).cumsum().where(primary, 0)
            for (_, r), seq in zip(table.frame.iterrows(), order):
                item = item_index.get((r["source_document"], r["source_location"]))
                rows.append(
                    self._statement(
                        table,
                        r,
                        role=r["role"],
                        name=r["name"],
                        name_note=None,
                        text=r["target_text"],
                        context=r["context"],
                        unit=r["unit"],
                        category=item["category"] if item else None,
                        attribute=r.get("attribute"),
                        seq=seq,
                        item=item,
                    )
                )
            self._record(table, len(table.frame), "target_statements")
        frame = pd.DataFrame(rows)
        # category is carried down merged cells, within each table
        frame["category"] = frame.groupby("_table", sort=False)["category"].ffill()
        return frame

    def _statement(
        self,
        table: RawTable,
        r: pd.Series,
        *,
        role: str,
        name: str,
        name_note: str | None,
        text: str,
        context: str | None,
        unit: str | None,
        category: str | None,
        attribute: str | None,
        seq: int,
        item: dict[str, Any] | None,
    ) -> dict[str, Any]:
        plan = self.plans.loc[r["plan_id"]] if r["plan_id"] in self.plans.index else None
        period = (int(plan["period_start"]), int(plan["period_end"])) if plan is not None else None
        parsed: ParsedTarget = parse_target(text, name=name, unit=unit, context=context or "", period=period)
        column = "target_text" if "target_text" in r else "target"
        if period and parsed.target_year is not None and not period[0] <= parsed.target_year <= period[1]:
            self.problems.append(
                table.problem(
                    r[ROW],
                    column,
                    f"target year {parsed.target_year} in {text!r}",
                    f"a year inside the plan period {period[0]}–{period[1]}",
                )
            )
        rng = unit_range(parsed.unit)
        if parsed.target_value is not None and rng is not None and parsed.target_value not in rng:
            self.problems.append(
                table.problem(
                    r[ROW], column, f"{text!r}, read as {_plain(parsed.target_value)} {parsed.unit}", str(rng)
                )
            )
        return {
            "plan_id": r["plan_id"],
            "indicator_id": r["indicator_id"],
            "role": role,
            "target_text": text,
            "context": context,
            "target_kind": parsed.target_kind,
            "comparator": parsed.comparator,
            "target_value": parsed.target_value,
            "target_year": parsed.target_year,
            "unit": parsed.unit,
            "parse_notes": "; ".join(parsed.notes) or None,
            "source": _source(table, r),
            "name": name,
            "name_note": name_note,
            "attribute": attribute,
            "category": category,
            "seq": int(seq),
            "_raw_unit": unit,
            "_table": table.name,
            "_row": int(r[ROW]),
            "_item": item["item_id"] if item else None,
        }

    def _indicators(self, statements: pd.DataFrame) -> pd.DataFrame:
        """One row per target: its primary statement, every source, and its definition."""
        definitions = self._definitions()
        out = []
        compare = ["target_kind", "comparator", "target_value", "target_year"]
        for (plan_id, indicator_id), group in statements.groupby(["plan_id", "indicator_id"], sort=False):
            primaries = group[group["role"] == "primary"]
            if len(primaries) != 1:
                r = primaries.iloc[-1] if len(primaries) > 1 else group.iloc[0]  # point at the extra one
                found = f"{len(primaries)} primary statements" + (
                    f" ({', '.join(primaries['source'])})" if len(primaries) else ""
                )
                self.problems.append(
                    Problem(
                        r["_table"],
                        int(r["_row"]),
                        "indicator_id",
                        f"{found} of {plan_id}/{indicator_id}",
                        "exactly one table row or role=primary sentence per target",
                    )
                )
                continue
            p = primaries.iloc[0]
            restatements = group[group["role"] == "restatement"] if p["target_kind"] != "unparsed" else group.iloc[0:0]
            for _, s in restatements.iterrows():
                fields = compare[1:] if p["target_kind"] in QUANTITATIVE_KINDS else compare
                differs = [f for f in fields if not _same(s[f], p[f])]
                if differs:
                    self.problems.append(
                        Problem(
                            s["_table"],
                            int(s["_row"]),
                            "target_text",
                            f"{s['target_text']!r} read as " + ", ".join(f"{f}={s[f]!r}" for f in differs),
                            f"the same target as {p['source']} ({', '.join(f'{f}={p[f]!r}' for f in differs)})",
                        )
                    )
            attribute = _text(p["attribute"]) or next((a for a in map(_text, group["attribute"]) if a), None)
            _factor, table_unit = split_unit(p["_raw_unit"])
            definition = definitions.get((plan_id, indicator_id))
            if definition and normalize(definition[0]) != normalize(p["name"]):
                self.problems.append(
                    Problem(
                        definition[2],
                        definition[3],
                        "name",
                        repr(definition[0]),
                        f"the indicator's name in the table, {p['name']!r}",
                    )
                )
            plan = self.plans.loc[plan_id] if plan_id in self.plans.index else None
            if plan is None:
                continue
            out.append(
                {
                    "plan_id": plan_id,
                    "indicator_id": indicator_id,
                    "seq": p["seq"],
                    "name": p["name"],
                    "name_note": p["name_note"],
                    "category": p["category"],
                    "unit": _text(p["unit"]) or table_unit,
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
                    "source": SEP.join(dict.fromkeys(group["source"])),
                }
            )
        for key, (_, _, file, row) in definitions.items():
            if not ((statements["plan_id"] == key[0]) & (statements["indicator_id"] == key[1])).any():
                self.problems.append(
                    Problem(file, row, "indicator_id", f"{key[0]}/{key[1]}", "an indicator that has a target")
                )
        frame = pd.DataFrame(out)
        frame["base_value"] = frame["base_value"].astype("float64")
        return frame

    def _definitions(self) -> dict[tuple[str, str], tuple[str, str, str, int]]:
        found: dict[tuple[str, str], tuple[str, str, str, int]] = {}
        for table in self.catalog.all("definitions"):
            for _, r in table.frame.iterrows():
                found[(r["plan_id"], r["indicator_id"])] = (r["name"], r["definition"], table.name, int(r[ROW]))
            self._record(table, len(table.frame), "indicators.definition")
        return found

    def _link_items(self, items: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
        linked = (
            statements.dropna(subset=["_item"])
            .groupby("_item")["indicator_id"]
            .agg(lambda ids: ";".join(dict.fromkeys(ids)))
        )
        items = items.copy()
        items["indicator_ids"] = items["item_id"].map(linked)
        return items.drop(columns=["_departments"])

    def _responsibilities(self, items: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
        rows = []
        by_item = {r["item_id"]: r for r in items.to_dict("records")}
        for item in by_item.values():
            for i, d in enumerate(item["_departments"], start=1):
                rows.append(
                    {
                        "plan_id": item["plan_id"],
                        "item_type": item["item_type"],
                        "item_id": item["item_id"],
                        "department": d,
                        "position": i,
                        "source": item["source"],
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
                        "source": item["source"],
                    }
                )
        frame = pd.DataFrame(rows, columns=["plan_id", "item_type", "item_id", "department", "position", "source"])
        return frame.groupby(["plan_id", "item_type", "item_id", "department"], as_index=False, sort=False).agg(
            position=("position", "min"), source=("source", lambda s: SEP.join(dict.fromkeys(s)))
        )

    def _departments(self, responsibilities: pd.DataFrame) -> pd.DataFrame:
        counts = responsibilities[responsibilities["item_type"] != "indicator"].groupby("department").size()
        frames = []
        for table in self.catalog.all("departments"):
            frame = table.frame.copy()
            frame["n_items"] = frame["department"].map(counts).fillna(0).astype(int)
            frame["source"] = [_source(table, r) for _, r in frame.iterrows()]
            self._record(table, len(frame), "departments")
            frames.append(frame.drop(columns=[ROW, "source_document", "source_location"]))
        return pd.concat(frames, ignore_index=True)

    def _observations(self, indicators: pd.DataFrame) -> pd.DataFrame:
        rows: list[dict[str, Any]] = []
        rows += self._observations_from_target_tables(indicators)
        rows += self._observations_from_text()
        rows += self._observations_published()
        frame = pd.DataFrame(rows)
        self._check_one_preferred_value(frame)
        self._check_plausible(frame, indicators)
        self._check_known_series(frame, indicators)
        return frame.drop(columns=["_file", "_row", "_column"])

    def _known_series(self, indicators: pd.DataFrame) -> tuple[set[str], set[str]]:
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
            for table in self.catalog.all(role):
                if column in table.frame.columns:
                    for cell in table.frame[column].dropna():
                        known.update(s.strip() for s in str(cell).split(";") if s.strip())
        for tables in self.catalog.by_role.values():
            for table in tables:
                declared = (table.meta or {}).get("context_series")
                if declared is None:
                    continue
                if not isinstance(declared, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in declared.items()
                ):
                    self.problems.append(
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

    def _check_known_series(self, frame: pd.DataFrame, indicators: pd.DataFrame) -> None:
        """Every observation belongs to a series something uses: a typo in a series_id would
        otherwise leave a figure that no report shows and no check sees."""
        known, ids = self._known_series(indicators)
        for o in frame[["series_id", "_file", "_row"]].drop_duplicates().to_dict("records"):
            sid = str(o["series_id"])
            if sid in known or any(sid.startswith(f"{i}_") for i in ids):
                continue
            self.problems.append(
                Problem(
                    o["_file"],
                    o["_row"],
                    "series_id",
                    sid,
                    "the indicator_id of a target (or a variant <indicator_id>_…), a series a link or passage "
                    f"names, or one the sidecar lists under context_series{close_matches(sid, known)}",
                )
            )

    def _check_one_preferred_value(self, frame: pd.DataFrame) -> None:
        """Overlapping sources may disagree, but the evaluation must know which value to use.

        One preferred row per series, region and period: two preferred rows are an error when
        their values differ, and also when they repeat one number in two units (71.26 万 kept
        as 人次 and as 人). A series whose preferred rows mix units over its periods (万个 jobs
        beside 万人 persons) is a warning: its values cannot be measured against one target.
        """
        key = ["series_id", "region", "period_type", "period_start", "period_end"]
        # the same publication's figure for one period entered twice (a second address, a copy)
        for _, group in frame[frame.duplicated([*key, "source"], keep=False)].groupby([*key, "source"]):
            first, *others = group.to_dict("records")
            for o in others:
                self.problems.append(
                    Problem(
                        o["_file"],
                        o["_row"],
                        o["_column"],
                        f"the figure of {o['series_id']} {o['region']} {o['period']} from {o['source']} again "
                        f"(also {first['_file']} row {first['_row']})",
                        "each publication's figure for a period once: delete the copy, or keep the second address "
                        "in the first row's note",
                    )
                )
        preferred = frame[frame["is_preferred"]]
        for _, group in preferred.groupby(key, dropna=False):
            units = group["unit"].fillna("").astype(str)
            if group["value"].nunique(dropna=True) <= 1 and units.nunique() > 1:
                first, *others = group.to_dict("records")
                for o in others:
                    if (o["unit"] or "") == (first["unit"] or ""):
                        continue
                    self.problems.append(
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
                    self.problems.append(
                        Problem(
                            o["_file"],
                            o["_row"],
                            "preferred",
                            f"a second preferred value {o['value']:g} for {o['series_id']} {o['region']} {o['period']}",
                            f"one preferred value per period (also {first['value']:g} in {first['_file']} row "
                            f"{first['_row']}); set preferred=false on the one the evaluation should not use",
                        )
                    )
        # one unit per series (万 and 亿 are already folded into the value): a change of unit
        # from one period to the next is refused unless the row says it is a change of 口径
        valued = preferred[preferred["value"].notna() & ~preferred["is_benchmark"].astype(bool)]
        for (series_id, region), group in valued.groupby(["series_id", "region"], dropna=False, sort=False):
            first, *others = group.to_dict("records")  # the series' unit is the unit of its first row
            for o in others:
                if not same_unit(o["unit"], first["unit"]) and DEFINITION not in (o["note"] or ""):
                    self.problems.append(
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

    def _check_plausible(self, frame: pd.DataFrame, indicators: pd.DataFrame) -> None:
        """Values inside their unit's range (or their series' band); units as the indicator's;
        values far from their neighbours in the series warned about (see analysis.raw.plausible)."""
        metas = {t.name: t.meta for tables in self.catalog.by_role.values() for t in tables}
        by_plan = {(r.plan_id, r.indicator_id): r for r in indicators.itertuples()}
        regions = dict(zip(self.plans["plan_id"], self.plans["region"]))
        by_region: dict[tuple[str | None, str], Any] = {}  # region None: a plan_id that plans lacks
        for r in indicators.itertuples():
            by_region.setdefault((regions.get(r.plan_id), r.indicator_id), r)
        for o in frame.to_dict("records"):
            value, unit = o["value"], o["unit"]
            if value is None or value != value:
                continue
            rng = unit_range(unit, o["series_id"], (metas.get(o["_file"]) or {}).get("plausible"), o["_file"])
            if rng is not None and (value not in rng or not math.isfinite(value)):
                self.problems.append(
                    Problem(
                        o["_file"],
                        o["_row"],
                        o["_column"],
                        f"{_plain(value)} {unit or ''} ({o['series_id']} {o['period']})".strip(),
                        str(rng),
                    )
                )
            indicator = (
                by_plan.get((o["plan_id"], o["series_id"]))
                if o["plan_id"]
                else by_region.get((o["region"], o["series_id"]))
            )
            target_unit = _text(indicator.unit) if indicator is not None else None
            # a row the evaluation does not use (preferred=false) says in its note why it differs
            if (
                indicator is not None
                and target_unit
                and unit
                and o["is_preferred"]
                and not same_unit(unit, target_unit)
                and DEFINITION not in (o["note"] or "")
            ):
                self.problems.append(
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
        preferred = frame[frame["is_preferred"] & frame["value"].notna()]
        for _, group in preferred.groupby(["series_id", "region", "period_type"], dropna=False):
            group = group.sort_values(["period_end", "period_start"], kind="stable").to_dict("records")
            for i, neighbours in far_from_neighbours([float(g["value"]) for g in group]):
                o = group[i]
                if REVIEWED in (o["note"] or ""):
                    continue
                shown = " and ".join(_plain(n) for n in neighbours)
                self.review.append(
                    {
                        "file": o["_file"],
                        "row": o["_row"],
                        "column": o["_column"],
                        "series_id": o["series_id"],
                        "region": o["region"],
                        "period": o["period"],
                        "value": o["value"],
                        "neighbours": neighbours,
                        "message": f"{o['_file']}, row {o['_row']}, column {o['_column']!r}: {_plain(o['value'])} "
                        f"{o['unit'] or ''} for {o['series_id']} {o['region']} {o['period']} is more than "
                        f"{FAR:g}× away from its neighbours in the series ({shown}): check the value and "
                        f"its unit, and add a note with {REVIEWED} to the row once checked",
                    }
                )

    def _observations_from_target_tables(self, indicators: pd.DataFrame) -> list[dict[str, Any]]:
        """A plan's own 完成情况 column: one observation per target row."""
        rows = []
        kinds = indicators.set_index(["plan_id", "indicator_id"])
        for table in self.catalog.all("target_table"):
            if "completion" not in table.frame.columns:
                continue
            used = 0
            for _, r in table.frame.iterrows():
                text = r["completion"]
                key = (r["plan_id"], r["indicator_id"])
                if text is None or key not in kinds.index:
                    continue
                ind = kinds.loc[key]
                plan = self.plans.loc[r["plan_id"]]
                fig = read_figure(text)
                end = fig.as_of_year or int(plan["period_end"])
                cumulative = ind["target_kind"] == "cumulative"
                name_note = _text(ind["name_note"])
                notes = [n for n in (fig.note, name_note) if n]
                rows.append(
                    self._observation(
                        series_id=r["indicator_id"],
                        plan_id=r["plan_id"],
                        region=plan["region"],
                        measure=ind["name"],
                        start=int(plan["period_start"]) if cumulative else end,
                        end=end,
                        period_type="plan_period" if cumulative else "stock",
                        value=fig.value,
                        comparator=fig.comparator,
                        value_text=text,
                        status=fig.status,
                        unit=fig.unit or _text(ind["unit"]),
                        note=SEP.join(notes) or None,
                        source=_source(table, r, " 完成情况"),
                        quote=text,
                    )
                    | {"_file": table.name, "_row": int(r[ROW]), "_column": "completion"}
                )
                used += 1
            self._record(table, used, "observations")
        return rows

    def _observations_from_text(self) -> list[dict[str, Any]]:
        rows = []
        for table in self.catalog.all("observations_text"):
            for _, r in table.frame.iterrows():
                if normalize(r["value_text"]) not in normalize(r["quote"]):
                    self.problems.append(
                        table.problem(r[ROW], "value_text", repr(r["value_text"]), "a figure that appears in the quote")
                    )
                if r["period_start"] > r["period_end"]:
                    self.problems.append(
                        table.problem(
                            r[ROW],
                            "period_end",
                            str(r["period_end"]),
                            f"a year not before period_start ({r['period_start']})",
                        )
                    )
                self.problems += self._text_period(table, r)
                regions = list(dict.fromkeys(self.plans["region"]))
                if r["region"] not in regions:
                    self.problems.append(
                        table.problem(
                            r[ROW],
                            "region",
                            repr(r["region"]),
                            f"a region of plans.csv {regions}{close_matches(r['region'], regions)}",
                        )
                    )
                fig = read_figure(r["value_text"])
                if fig.value is None:
                    self.problems.append(
                        table.problem(
                            r[ROW],
                            "value_text",
                            repr(r["value_text"]),
                            "a figure (digits, or a Chinese numeral such as 两, 六, 第一)",
                        )
                    )
                kind = r["period_type"]
                start = r["period_end"] if kind == "stock" else r["period_start"]
                rows.append(
                    self._observation(
                        series_id=r["series_id"],
                        plan_id=r["plan_id"],
                        region=r["region"],
                        measure=r["measure"],
                        start=start,
                        end=r["period_end"],
                        period_type=kind,
                        value=fig.value,
                        comparator=fig.comparator,
                        value_text=r["value_text"],
                        status=None,
                        unit=r["unit"],
                        note=r.get("note"),
                        source=_source(table, r),
                        quote=r["quote"],
                    )
                    | {
                        "is_preferred": r.get("preferred") is not False,
                        "_file": table.name,
                        "_row": int(r[ROW]),
                        "_column": "value_text",
                    }
                )
            self._record(table, len(table.frame), "observations")
        return rows

    def _observations_published(self) -> list[dict[str, Any]]:
        """Series read from official publications (value as published, unit such as 万人)."""
        rows = []
        for table in self.catalog.all("observations_published"):
            benchmark = bool(table.meta.get("benchmark", False))
            for _, r in table.frame.iterrows():
                factor, unit = split_unit(r["unit"])
                period = self._published_checks(table, r)
                if period is None:
                    continue
                start, end, label = period
                source = f"{r['issuer']}《{r['title']}》（{r['pub_year']}）"
                rows.append(
                    {
                        "series_id": r["series_id"],
                        "plan_id": None,
                        "region": r["region"],
                        "measure": r["indicator_name"],
                        "period": label,
                        "period_type": r["period_type"],
                        "period_start": start,
                        "period_end": end,
                        "value": round(float(r["value"]) * factor, 6),
                        "comparator": r["comparator"],
                        "value_text": f"{_plain(r['value'])}{r['unit']}",
                        "status": None,
                        "unit": unit,
                        "is_cumulative": r["period_type"] in ("ytd", "plan_period"),
                        "note": r.get("note"),
                        "source": source,
                        "source_quote": r["source_quote"],
                        "source_url": r.get("url"),
                        "is_reprint": bool(r["is_reprint"]),
                        "is_preferred": bool(r["preferred"]),
                        "is_benchmark": benchmark,
                        "_file": table.name,
                        "_row": int(r[ROW]),
                        "_column": "value",
                    }
                )
            self._record(table, len(table.frame), "observations")
        return rows

    def _published_checks(self, table: RawTable, r: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp, str] | None:
        """The checks every published figure passes (the project's series and the backtest's):
        a period it can be read as, a value found in its quote with the quote's unit, a period
        ended by the year of publication. The period (start, end, label), or None when unreadable."""
        period = _published_period(r["period"], r["period_type"])
        if period is None:
            self.problems.append(
                table.problem(
                    r[ROW],
                    "period",
                    repr(r["period"]),
                    "YYYY for a year, YYYY-MM for a month or year to date, YYYY/YYYY for a plan period",
                )
            )
            return None
        if not _number_in_quote(abs(r["value"]), r["source_quote"]):
            self.problems.append(
                table.problem(r[ROW], "value", repr(r["value"]), "a number that appears in source_quote")
            )
        else:
            self.problems += _unit_as_quoted(table, r)
        start, end, _ = period
        if not (start.year >= FIRST_YEAR and end.year <= int(r["pub_year"])):
            self.problems.append(
                table.problem(
                    r[ROW],
                    "period",
                    repr(r["period"]),
                    f"a period from {FIRST_YEAR} to the year of publication "
                    f"{r['pub_year']} (a figure is published after its period)",
                )
            )
        return period

    def _check_backtest(self) -> None:
        """The backtest's raw files, checked as the published series and the target statements
        are: past plans that exist, statements found in their quote, values in their quote with
        the quote's unit, inside their unit's range and published after their period."""
        past = set(self.catalog.combined("backtest_plans").get("plan_id", pd.Series(dtype=object)))
        for table in self.catalog.all("backtest_plans"):
            for _, r in table.frame[table.frame["period_start"] > table.frame["period_end"]].iterrows():
                self.problems.append(
                    table.problem(
                        r[ROW],
                        "period_end",
                        str(r["period_end"]),
                        f"a year not before period_start ({r['period_start']})",
                    )
                )
            self._record(table, len(table.frame), "backtest (validated; read by python -m analysis backtest)")
        for table in self.catalog.all("backtest_targets"):
            for _, r in table.frame.iterrows():
                if r["plan_id"] not in past:
                    self.problems.append(
                        table.problem(
                            r[ROW],
                            "plan_id",
                            repr(r["plan_id"]),
                            f"a plan_id of backtest/past_plans.csv {sorted(past)}{close_matches(r['plan_id'], past)}",
                        )
                    )
                if normalize(r["target_text"]) not in normalize(r["quote"]):
                    self.problems.append(
                        table.problem(
                            r[ROW], "target_text", repr(r["target_text"]), "words found word for word in quote"
                        )
                    )
            self._record(table, len(table.frame), "backtest (validated; read by python -m analysis backtest)")
        for table in self.catalog.all("backtest_observations"):
            for _, r in table.frame.iterrows():
                if self._published_checks(table, r) is None:
                    continue
                factor, unit = split_unit(r["unit"])
                rng = unit_range(unit, r["series_id"], table.meta.get("plausible"), table.name)
                value = float(r["value"]) * factor
                if rng is not None and value not in rng:
                    self.problems.append(table.problem(r[ROW], "value", f"{_plain(value)} {unit}", str(rng)))
            self._record(table, len(table.frame), "backtest (validated; read by python -m analysis backtest)")

    def _text_period(self, table: RawTable, r: pd.Series) -> list[Problem]:
        """A figure in a plan document is for the plan's period or the one before it (a plan
        reports its predecessor's results), and not for a year after the document was issued."""
        plan = self.plans.loc[r["plan_id"]] if r["plan_id"] in self.plans.index else None
        if plan is None:
            return []
        first = int(plan["period_start"]) - (int(plan["period_end"]) - int(plan["period_start"]) + 1)
        last = int(plan["period_end"])
        issued = self.issued_years.get(r["source_document"])
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

    @staticmethod
    def _observation(
        *,
        series_id: str,
        plan_id: str | None,
        region: str,
        measure: str,
        start: int,
        end: int,
        period_type: str,
        value: float | None,
        comparator: str,
        value_text: str,
        status: str | None,
        unit: str | None,
        note: str | None,
        source: str,
        quote: str | None,
    ) -> dict[str, Any]:
        if period_type == "stock":
            label = f"{end}年末"
            start_date = _year_end(end)
        else:
            label = str(end) if start == end else f"{start}–{end}"
            start_date = _year_start(start)
        return {
            "series_id": series_id,
            "plan_id": plan_id,
            "region": region,
            "measure": measure,
            "period": label,
            "period_type": period_type,
            "period_start": start_date,
            "period_end": _year_end(end),
            "value": value,
            "comparator": comparator,
            "value_text": value_text,
            "status": status,
            "unit": unit,
            "is_cumulative": period_type == "plan_period",
            "note": note,
            "source": source,
            "source_quote": quote,
            "source_url": None,
            "is_reprint": False,
            "is_preferred": True,
            "is_benchmark": False,
        }


def _published_period(period: str, kind: str) -> tuple[pd.Timestamp, pd.Timestamp, str] | None:
    period = period.strip()
    if kind == "year" and re.fullmatch(r"(19|20)\d\d", period):
        return _year_start(int(period)), _year_end(int(period)), period
    m = re.fullmatch(r"((?:19|20)\d\d)-(\d\d)", period)
    if kind in ("month", "ytd") and m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            return None
        end = pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)
        start = pd.Timestamp(year=year, month=1 if kind == "ytd" else month, day=1)
        label = f"{year}-{month:02d}" if kind == "month" else f"{year}-01/{month:02d}"
        return start, end, label
    m = re.fullmatch(r"((?:19|20)\d\d)/((?:19|20)\d\d)", period)
    if kind == "plan_period" and m and m.group(1) <= m.group(2):
        return _year_start(int(m.group(1))), _year_end(int(m.group(2))), f"{m.group(1)}–{m.group(2)}"
    return None


def _first_per_cell(problems: list[Problem]) -> list[Problem]:
    """One problem per cell: the first check that fails there is the most specific (a second
    preferred row in another unit is also a change of unit, and also not the indicator's)."""
    seen: set[tuple] = set()
    kept = []
    for p in problems:
        where = (p.file, p.sheet, p.row, p.column)
        if p.row is None or where not in seen:
            kept.append(p)
        seen.add(where)
    return kept


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
    shown = ", ".join(dict.fromkeys(f"{_plain(q.value / q.multiplier)}{w}" for q, w in written))
    return [
        table.problem(r[ROW], "unit", repr(r["unit"]), f"the unit the source_quote writes after the number ({shown})")
    ]


def _fits(q: Any, factor: float, base: str | None) -> bool:
    if q.multiplier != factor:
        return False
    return q.unit is None or base is None or same_unit(q.unit, base) or base.startswith(q.unit + "/")


def _plain(value: float) -> str:
    return f"{value:.12g}"


def _number_in_quote(value: float, quote: str) -> bool:
    """True when ``value`` is written in ``quote`` (60.54 as 60.54; 622000 as 622,000)."""
    return float(value) in numbers_in(quote)


def _text(value: Any) -> str | None:
    """A cell as text, or None when missing (pandas stores missing text as NaN)."""
    return value if isinstance(value, str) and value != "" else None


def _same(a: Any, b: Any) -> bool:
    if a is None or (isinstance(a, float) and a != a):
        return b is None or (isinstance(b, float) and b != b)
    return a == b


def _concat(frames: list[pd.DataFrame], name: str) -> pd.DataFrame:
    if frames:
        return pd.concat(frames, ignore_index=True)
    return pd.DataFrame(columns=datasets.spec(name).column_names)
