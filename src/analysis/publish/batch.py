"""The batch plan: which reports to build, derived from the data, written as a file.

Every evaluated (plan, region) gets a plan report; every department responsible for at
least one item gets a brief. Nothing about a particular plan, region or department is named
in code. Output paths come from safe slugs, so no name can write outside ``reports/``; two
names whose slugs meet (``综计处/一`` and ``综计处-一``, or two long names sharing their start)
each get a short hash of the name, and no slug is longer than a file name may be.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
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


#: A slug's length limit, in UTF-8 bytes. File systems allow 255 bytes per name (ext4, APFS,
#: NTFS counts characters); a CJK character takes 3 bytes, so 85 of them already exceed it.
#: The longest name built from a slug (the batch's scratch notebook,
#: ``.department-<slug>.<pid>.running.ipynb``) adds about 40 bytes, and a hash suffix 9.
SLUG_BYTES = 160


def name_hash(*parts: str) -> str:
    """Eight hex digits that tell apart two names whose slugs meet (stable across runs)."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:8]


def slug(*parts: str) -> str:
    """A file-name-safe slug: letters (Chinese included), digits, '-' and '_'; nothing else.

    At most ``SLUG_BYTES`` bytes: a longer name is cut at a character and ends in a hash of the
    whole name, so two long names that share their start keep apart."""
    text = "__".join(unicodedata.normalize("NFKC", str(p)) for p in parts)
    text = re.sub(r"[^\w\-]+", "-", text, flags=re.UNICODE).strip("-_.")
    text = re.sub(r"-{2,}", "-", text) or "report"
    if len(text.encode()) <= SLUG_BYTES:
        return text
    cut = text.encode()[: SLUG_BYTES - 9].decode(errors="ignore").rstrip("-_.")
    return f"{cut}-{name_hash(*parts)}"


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
        title = plan_report_title(
            plans.loc[s.plan_id, "title"], s.evaluation_type, s.region, s.plan_id not in with_targets
        )
        jobs.append(
            Job(
                "plan",
                slug(s.plan_id, s.region),
                title,
                {"plan_id": s.plan_id, "region": s.region, "as_of": "", "data_dir": data_dir},
            )
        )
    return jobs


def department_jobs(frames: dict[str, pd.DataFrame], data_dir: str = "") -> list[Job]:
    """A brief per department responsible for at least one item."""
    resp = frames["responsibilities"]
    named = resp[resp["item_type"] != "indicator"]["department"].unique()
    return [
        Job(
            "department",
            slug(d),
            f"{d}规划评估任务单",
            {"department": d, "plans": "", "as_of": "", "data_dir": data_dir},
        )
        for d in sorted(named)
    ]


def batch_plan(frames: dict[str, pd.DataFrame], data_dir: str = "") -> list[Job]:
    return distinct_slugs(plan_jobs(frames, data_dir) + department_jobs(frames, data_dir))


def _name_parts(job: Job) -> tuple[str, ...]:
    """What a report's slug was made from (the names in its parameters)."""
    p = job.parameters
    if job.kind == "plan" and "plan_id" in p:
        return (str(p["plan_id"]), str(p.get("region", "")))
    if job.kind == "department" and "department" in p:
        return (str(p["department"]),)
    return (job.title, *map(str, p.values()))


def distinct_slugs(jobs: list[Job]) -> list[Job]:
    """Every report of a kind under its own file name. Slugs that meet — exactly, or but for
    case (macOS and Windows file systems ignore case) — each get ``-<hash of the name>``, so
    which name gets which file does not depend on the order of the data."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, job in enumerate(jobs):
        groups.setdefault((job.kind, job.slug.casefold()), []).append(i)
    out = list(jobs)
    for members in groups.values():
        if len(members) > 1:
            for i in members:
                job = jobs[i]
                out[i] = replace(job, slug=_suffixed(job.slug, name_hash(*_name_parts(job))))
    keys = [(j.kind, j.slug.casefold()) for j in out]
    if len(set(keys)) != len(keys):  # the same name twice: nothing can tell them apart
        twice = sorted({f"{j.kind}/{j.slug}" for j, k in zip(out, keys) if keys.count(k) > 1})
        raise ValueError(f"the batch lists the same report twice: {', '.join(twice)}")
    return out


def _suffixed(text: str, suffix: str) -> str:
    cut = text.encode()[: SLUG_BYTES - len(suffix) - 1].decode(errors="ignore")
    return f"{cut}-{suffix}"


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
