"""The batch plan: which reports to build, derived from the data, written as a file.

Every evaluated (plan, region) gets a plan report; every department responsible for at
least one item gets a brief. Nothing about a particular plan, region or department is named
in code. Output paths come from safe slugs, so no name can write outside ``reports/``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis import paths

NOTEBOOKS = {
    "plan": paths.NOTEBOOKS / "reports" / "plan_report.py",
    "department": paths.NOTEBOOKS / "reports" / "department_brief.py",
}
FOLDERS = {"plan": "plans", "department": "departments", "other": "other"}


@dataclass(frozen=True)
class Job:
    """One report: its kind, notebook, parameters, title and output slug."""

    kind: str
    slug: str
    title: str
    parameters: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # a notebook other than the kind's own (tests, one-off reports)

    @property
    def notebook(self) -> Path:
        return Path(self.source) if self.source else NOTEBOOKS[self.kind]

    def outputs(self, root: Path) -> dict[str, Path]:
        folder = safe_path(root, FOLDERS[self.kind])
        return {ext: safe_path(folder, f"{self.slug}.{ext}") for ext in ("html", "pdf", "docx")}


def slug(*parts: str) -> str:
    """A file-name-safe slug: letters (Chinese included), digits, '-' and '_'; nothing else."""
    text = "__".join(unicodedata.normalize("NFKC", str(p)) for p in parts)
    text = re.sub(r"[^\w\-]+", "-", text, flags=re.UNICODE).strip("-_.")
    text = re.sub(r"-{2,}", "-", text)
    return (text or "report")[:80]


def safe_path(root: Path, name: str) -> Path:
    """``root / name``, refusing anything that would land outside ``root``."""
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ValueError(f"output path {name!r} would leave {root}")
    return target


def plan_jobs(frames: dict[str, pd.DataFrame], data_dir: str = "") -> list[Job]:
    """A plan report per evaluated (plan, region)."""
    from analysis.titles import plan_report_title

    plans = frames["plans"].set_index("plan_id")
    with_targets = set(frames["indicators"]["plan_id"])
    jobs = []
    for s in frames["evaluation_settings"].itertuples():
        title = plan_report_title(plans.loc[s.plan_id, "title"], s.evaluation_type, s.region,
                                  s.plan_id not in with_targets)
        jobs.append(Job("plan", slug(s.plan_id, s.region), title,
                        {"plan_id": s.plan_id, "region": s.region, "as_of": "", "data_dir": data_dir}))
    return jobs


def department_jobs(frames: dict[str, pd.DataFrame], data_dir: str = "") -> list[Job]:
    """A brief per department responsible for at least one item."""
    resp = frames["responsibilities"]
    named = resp[resp["item_type"] != "indicator"]["department"].unique()
    return [Job("department", slug(d), f"{d}规划评估任务单",
                {"department": d, "plans": "", "as_of": "", "data_dir": data_dir})
            for d in sorted(named)]


def batch_plan(frames: dict[str, pd.DataFrame], data_dir: str = "") -> list[Job]:
    jobs = plan_jobs(frames, data_dir) + department_jobs(frames, data_dir)
    slugs = [(j.kind, j.slug) for j in jobs]
    if len(set(slugs)) != len(slugs):
        raise ValueError("two reports would share an output name; check plan ids, regions and departments")
    return jobs


def write_plan(jobs: list[Job], path: Path) -> None:
    from analysis.datasets import atomic_write_text

    doc = {"reports": [asdict(j) | {"notebook": _relative(j.notebook)} for j in jobs]}
    atomic_write_text(path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def read_plan(path: Path) -> list[Job]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Job(r["kind"], r["slug"], r["title"], r["parameters"], r.get("source", "")) for r in doc["reports"]]
