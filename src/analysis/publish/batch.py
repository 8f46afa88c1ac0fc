"""The batch plan: which reports to build, written as a file the runner reads.

``reports/batch.yml`` is the batch's input. It is derived from the data (``python -m analysis
batch-plan``, or by ``reports`` when the file is missing): every evaluated (plan, region) gets a
plan report; every department responsible for at least one item gets a brief. A user may edit
it (drop a report, change a title, add a one-off notebook); the file records a digest of what
was derived, so the runner can tell an untouched file (re-derived when the data change, like a
cache) from an edited one (built as written, with one line saying what the data would change).

Nothing about a particular plan, region or department is named in code. Output paths come
from safe slugs, so no name can write outside ``reports/``; two names whose slugs meet
(``综计处/一`` and ``综计处-一``, or two long names sharing their start) each get a short hash
of the name, and no slug is longer than a file name may be.
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


PLAN_FILE = "batch.yml"
HEADER = """\
# The reports `python -m analysis reports` builds (one entry each). Derived from the data by
# `python -m analysis batch-plan`; edit freely: an edited file is built as written (the batch
# says what the data would change), an untouched one follows the data. `derived` is the digest
# of the list as derived; do not edit it.
"""
#: What each kind of report needs among its parameters.
REQUIRED_PARAMETERS = {"plan": ("plan_id", "region"), "department": ("department",)}


class BatchPlanError(ValueError):
    """The batch plan file cannot be read: says the file, the entry and what was expected."""


def _entries(jobs: list[Job]) -> list[dict[str, Any]]:
    return [asdict(j) | {"notebook": _relative(j.notebook)} for j in jobs]


def _digest(entries: list[dict[str, Any]]) -> str:
    return hashlib.sha256(yaml.safe_dump(entries, allow_unicode=True, sort_keys=True).encode()).hexdigest()[:16]


def write_plan(jobs: list[Job], path: Path) -> None:
    """Write the batch plan, with the digest that marks it as derived (not edited)."""
    from analysis.datasets import atomic_write_text

    entries = _entries(jobs)
    doc = {"derived": _digest(entries), "reports": entries}
    atomic_write_text(path, HEADER + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def read_plan(path: Path) -> tuple[list[Job], bool]:
    """The jobs a batch plan file lists, checked, and whether it was edited since it was derived.

    Every problem names the file, the entry (its number, counting from 1, and its slug) and
    what was expected; nothing in the file is skipped."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BatchPlanError(f"{path}: cannot be read as YAML ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("reports"), list):
        raise BatchPlanError(f"{path}: expected a mapping with a list under 'reports'")
    jobs = [_job(path, n, entry) for n, entry in enumerate(doc["reports"], start=1)]
    seen: dict[tuple[str, str], int] = {}
    for n, j in enumerate(jobs, start=1):  # file systems that ignore case would write one file for both
        first = seen.setdefault((j.kind, j.slug.casefold()), n)
        if first != n:
            raise BatchPlanError(f"{path}: reports {first} and {n} share the output name {j.kind}/{j.slug}")
    edited = doc.get("derived") != _digest(doc["reports"])
    return jobs, edited


def _job(path: Path, n: int, entry: Any) -> Job:
    where = f"{path}: report {n}"
    if not isinstance(entry, dict):
        raise BatchPlanError(f"{where}: expected a mapping with kind, slug, title and parameters")
    where += f" ({entry.get('slug')!r})" if entry.get("slug") else ""
    kind, name, title = entry.get("kind"), entry.get("slug"), entry.get("title")
    parameters, source = entry.get("parameters", {}), entry.get("source", "") or ""
    if kind not in FOLDERS or (kind == "other" and not source):
        raise BatchPlanError(
            f"{where}: kind {kind!r}; expected one of {', '.join(NOTEBOOKS)} (or 'other' with a source)"
        )
    if not isinstance(name, str) or not name or slug(name) != name:
        raise BatchPlanError(
            f"{where}: slug {name!r}; expected letters, digits, '-' and '_' only (e.g. {slug(str(name))!r})"
        )
    if not isinstance(title, str) or not title.strip():
        raise BatchPlanError(f"{where}: expected a title (the report's heading)")
    if not isinstance(parameters, dict):
        raise BatchPlanError(f"{where}: parameters must be a mapping of name: value")
    missing = [p for p in REQUIRED_PARAMETERS.get(kind, ()) if not parameters.get(p)]
    if missing and not source:
        raise BatchPlanError(f"{where}: a {kind} report needs the parameters {', '.join(missing)}")
    if source and not Path(source).is_file():
        raise BatchPlanError(f"{where}: source notebook {source!r} does not exist")
    return Job(kind, name, title, dict(parameters), str(source))


def plan_for_run(path: Path, frames: dict[str, pd.DataFrame], data_dir: str = "") -> tuple[list[Job], str | None]:
    """The jobs to build: the file's, re-derived first when it is missing or untouched.

    Returns the jobs and, for an edited file that the data would now change, one line saying how."""
    derived = batch_plan(frames, data_dir)
    if not path.exists():
        write_plan(derived, path)
        return derived, None
    jobs, edited = read_plan(path)
    if not edited:
        if jobs != derived:
            write_plan(derived, path)
        return derived, None
    listed = {(j.kind, j.slug) for j in jobs}
    wanted = {(j.kind, j.slug) for j in derived}
    added, dropped = sorted(wanted - listed), sorted(listed - wanted)
    if not added and not dropped:
        return jobs, None
    parts = [
        f"the data would add {', '.join('/'.join(k) for k in added)}" if added else "",
        f"the data no longer give {', '.join('/'.join(k) for k in dropped)}" if dropped else "",
    ]
    return jobs, (
        f"{path} was edited: built as written; "
        + "; ".join(p for p in parts if p)
        + " (`python -m analysis batch-plan` derives it again)"
    )
