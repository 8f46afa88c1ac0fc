"""Find every raw file, read it against its sidecar, and group the files by role.

A new plan or district is added by dropping files in ``data/raw/`` whose sidecars name a
role the build knows: no code names a particular file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from analysis.raw.errors import Problem, RawDataError, display_path
from analysis.raw.table import RawTable, read_raw_table, read_sidecar

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
    "observations_text": ("plan_id", "region", "series_id", "measure", "value_text", "unit", "period_start",
                          "period_end", "period_type", "quote"),
    "observations_published": ("series_id", "region", "indicator_name", "period", "period_type", "value", "unit",
                               "issuer", "title", "pub_year", "source_quote", "is_reprint"),
}
#: Roles of which there must be exactly one file.
SINGLE = ("documents", "plans", "departments")
#: Folders under data/raw that hold no tables (the source documents themselves).
SKIP_DIRS = ("documents",)


@dataclass
class RawCatalog:
    """Every raw table, by role, plus the folder of source documents."""

    root: Path
    by_role: dict[str, list[RawTable]] = field(default_factory=lambda: defaultdict(list))

    def one(self, role: str) -> RawTable:
        return self.by_role[role][0]

    def all(self, role: str) -> list[RawTable]:
        return list(self.by_role.get(role, []))

    @property
    def documents_dir(self) -> Path:
        return self.root / "documents"

    @property
    def row_count(self) -> int:
        return sum(len(t.frame) for tables in self.by_role.values() for t in tables)


def discover(root: Path) -> list[Path]:
    """Every CSV under ``root`` except in the documents folder, in a stable order."""
    files = []
    for path in sorted(root.rglob("*.csv")):
        rel = path.relative_to(root)
        if rel.parts[0] in SKIP_DIRS or any(part.startswith(".") for part in rel.parts):
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
            meta = read_sidecar(path, name)
            role = meta.get("role")
            if role not in ROLES:
                problems.append(Problem(name, None, None, f"sidecar role {role!r}", f"one of {sorted(ROLES)}"))
                continue
            missing = [c for c in ROLES[role] if c not in meta["columns"]]
            if missing:
                problems.append(Problem(name, None, missing[0], "a sidecar without this column",
                                        f"the columns a {role} file needs: {list(ROLES[role])}"))
                continue
            catalog.by_role[role].append(read_raw_table(path, root=root))
        except RawDataError as exc:
            problems.extend(exc.problems)
    for role in SINGLE:
        found = catalog.by_role.get(role, [])
        if len(found) != 1:
            names = [t.name for t in found] or ["none"]
            problems.append(Problem(str(root.name), None, None, f"{len(found)} files with role {role!r} ({names})",
                                    "exactly one"))
    if problems:
        raise RawDataError(problems)
    return catalog
