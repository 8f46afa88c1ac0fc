"""Find every raw file, read it against its sidecar, and group the files by role.

A new plan or district is added by dropping files in ``data/raw/`` whose sidecars name a
role the build knows: no code names a particular file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.raw.errors import Problem, RawDataError, display_path
from analysis.raw.table import ROW, RawTable, read_raw_table, read_sidecar

#: The columns every published figure needs (a past plan's figures also say which is preferred).
PUBLISHED_COLUMNS = (
    "series_id",
    "region",
    "indicator_name",
    "period",
    "period_type",
    "value",
    "unit",
    "issuer",
    "title",
    "pub_year",
    "source_quote",
    "is_reprint",
)
#: Roles a raw file can play, and the columns each role needs (beyond what its sidecar adds).
ROLES: dict[str, tuple[str, ...]] = {
    "documents": ("document_id", "file", "title", "issuer", "issued"),
    "plans": ("plan_id", "title", "region", "level", "plan_type", "period_start", "period_end", "base_year"),
    "evaluation_settings": ("evaluation_id", "exercise", "plan_id", "region", "evaluation_type", "annual_cutoff"),
    "milestones": ("exercise", "seq", "stage", "due", "due_text", "deliverable"),
    "departments": ("department", "unit_type"),
    "risk_areas": ("exercise", "risk_id", "risk"),
    "target_table": ("plan_id", "indicator_id", "seq", "category", "name", "unit", "target_heading", "target"),
    "target_statements": ("plan_id", "indicator_id", "role", "name", "context", "target_text"),
    "task_table": ("row", "category", "content", "departments"),
    "definitions": ("plan_id", "indicator_id", "name", "definition"),
    "observations_text": (
        "plan_id",
        "region",
        "series_id",
        "measure",
        "value_text",
        "unit",
        "period_start",
        "period_end",
        "period_type",
        "quote",
    ),
    "passages": ("plan_id", "passage_id", "kind", "section", "seq", "text"),
    "indicator_evidence": ("plan_id", "indicator_id", "series_id", "relation"),
    "base_values": ("plan_id", "indicator_id", "series_id", "period", "wording", "caveat"),
    "observations_published": PUBLISHED_COLUMNS,
    # The backtest's past plans (data/raw/backtest/): validated by every build like any raw
    # file, used only by ``python -m analysis backtest``.
    "backtest_plans": ("plan_id", "title", "region", "period_start", "period_end", "base_year"),
    "backtest_targets": ("plan_id", "indicator_id", "name", "target_text", "unit", "quote", "preferred"),
    "backtest_observations": (*PUBLISHED_COLUMNS, "preferred"),
}
#: Roles whose plan_id names a past plan of the backtest (backtest_plans), not one of plans.csv.
BACKTEST_ROLES = ("backtest_plans", "backtest_targets", "backtest_observations")
#: Roles of which there must be at least one file. Any role may have several files (a new
#: district can bring its own plans.csv, documents.csv and departments.csv in a folder of its
#: own); keys must then be unique across all of a role's files.
REQUIRED = ("documents", "plans", "departments")
#: The column combined() adds: which file a row came from.
FILE = "_file"
#: Roles whose key is local to a file (a task table's row number), not global.
LOCAL_KEYS = ("task_table",)
#: Folders under data/raw that hold no CSV tables: the source documents themselves, and
#: filled Excel workbooks (read by analysis.raw.entries). The backtest's folder is read too.
SKIP_DIRS = ("documents", "entries")


@dataclass
class RawCatalog:
    """Every raw table, by role, plus the folder of source documents."""

    root: Path
    by_role: dict[str, list[RawTable]] = field(default_factory=lambda: defaultdict(list))

    def combined(self, role: str) -> pd.DataFrame:
        """Every file of ``role`` as one frame, each row remembering its file (``_file``)."""
        frames = [t.frame.assign(**{FILE: t.name}) for t in self.by_role.get(role, [])]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def all(self, role: str) -> list[RawTable]:
        return list(self.by_role.get(role, []))

    def document_paths(self) -> dict[str, Path]:
        """Each document file listed in a documents table, found in the ``documents/``
        folder beside that table (so a district's folder carries its own documents)."""
        found: dict[str, Path] = {}
        for table in self.all("documents"):
            for file in table.frame["file"]:
                found[file] = table.path.parent / "documents" / file
        return found

    @property
    def row_count(self) -> int:
        return sum(len(t.frame) for tables in self.by_role.values() for t in tables)


def discover(root: Path) -> list[Path]:
    """Every CSV under ``root`` except in the documents folder, in a stable order."""
    files = []
    for path in sorted(root.rglob("*.csv")):
        rel = path.relative_to(root)
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts[:-1]):
            continue
        files.append(path)
    return files


def load_catalog(root: Path) -> RawCatalog:
    """Read and check every raw file; raise one RawDataError listing the problems of all files."""
    catalog = RawCatalog(root)
    problems: list[Problem] = []
    for path in discover(root):
        name = display_path(path, root)
        try:
            meta = read_sidecar(path, name, roles=ROLES)
            role = meta["role"]
            missing = [c for c in ROLES[role] if c not in meta["columns"]]
            if missing:
                problems.append(
                    Problem(
                        name,
                        None,
                        missing[0],
                        "a sidecar without this column",
                        f"the columns a {role} file needs: {list(ROLES[role])}",
                    )
                )
                continue
            catalog.by_role[role].append(read_raw_table(path, root=root))
        except RawDataError as exc:
            problems.extend(exc.problems)
    for role in REQUIRED:
        if not catalog.by_role.get(role):
            problems.append(
                Problem(
                    str(root.name),
                    None,
                    None,
                    f"no file with role {role!r}",
                    f"at least one file whose sidecar says role: {role}",
                )
            )
    problems += _duplicates_across_files(catalog)
    if problems:
        raise RawDataError(problems)
    return catalog


def _duplicates_across_files(catalog: RawCatalog) -> list[Problem]:
    """A key (plan_id, department, ...) given in two files of the same role is ambiguous."""
    problems = []
    for role, tables in catalog.by_role.items():
        if len(tables) < 2 or role in LOCAL_KEYS:
            continue
        key = tables[0].meta.get("key") or []
        if not key or any(t.meta.get("key") != key for t in tables):
            continue
        seen: dict[tuple, tuple[str, int]] = {}
        for table in tables:
            for _, r in table.frame.iterrows():
                k = tuple(r[c] for c in key)
                if k in seen and seen[k][0] != table.name:
                    problems.append(
                        Problem(
                            table.name,
                            int(r[ROW]),
                            key[-1],
                            f"{k} already in {seen[k][0]} row {seen[k][1]}",
                            f"each ({', '.join(key)}) in one file only",
                        )
                    )
                seen.setdefault(k, (table.name, int(r[ROW])))
    return problems
