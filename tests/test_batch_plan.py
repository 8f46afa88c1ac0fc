"""The batch plan file is the runner's input: derived from the data, editable, checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis import datasets
from analysis.evaluate import evaluate
from analysis.publish.batch import BatchPlanError, batch_plan, plan_for_run, read_plan, write_plan


@pytest.fixture
def frames(small_build) -> dict:
    _result, out = small_build
    return {n: datasets.read(n, out) for n in ("plans", "indicators", "evaluation_settings", "responsibilities")}


def _edit(path: Path, change) -> None:
    text = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    change(doc["reports"])
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_missing_file_is_derived_and_written(frames, tmp_path: Path):
    path = tmp_path / "batch.yml"
    jobs, note = plan_for_run(path, frames)
    assert note is None and jobs == batch_plan(frames)
    assert read_plan(path) == (jobs, False)  # read back: the same jobs, not edited


def test_an_untouched_file_follows_the_data(frames, tmp_path: Path):
    path = tmp_path / "batch.yml"
    write_plan(batch_plan(frames), path)
    resp = frames["responsibilities"]
    one = resp.loc[resp["item_type"] != "indicator", "department"].iloc[0]
    fewer = dict(frames, responsibilities=resp[resp["department"] != one])
    jobs, note = plan_for_run(path, fewer)
    assert note is None
    assert one not in {j.parameters.get("department") for j in jobs}
    assert read_plan(path)[0] == jobs  # the file was rewritten from the data


def test_an_edited_file_is_built_as_written_and_says_what_the_data_would_change(frames, tmp_path: Path):
    path = tmp_path / "batch.yml"
    derived = batch_plan(frames)
    write_plan(derived, path)
    dropped = derived[-1]

    def edit(reports):
        del reports[-1]
        reports[0]["title"] = "我们改过的标题"

    _edit(path, edit)
    jobs, note = plan_for_run(path, frames)
    assert len(jobs) == len(derived) - 1 and jobs[0].title == "我们改过的标题"
    assert note is not None and f"{dropped.kind}/{dropped.slug}" in note and "would add" in note
    assert read_plan(path)[1] is True  # still the user's file
    assert "我们改过的标题" in path.read_text(encoding="utf-8")


def _with_first(change):
    def edit(reports):
        change(reports[0])

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_with_first(lambda r: r.update(kind="brief")), "report 1 ('"),
        (_with_first(lambda r: r.update(slug="../../etc")), "slug '../../etc'"),
        (_with_first(lambda r: r.update(title="")), "expected a title"),
        (_with_first(lambda r: r["parameters"].pop("plan_id")), "needs the parameters plan_id"),
        (_with_first(lambda r: r.update(parameters=["x"])), "parameters must be a mapping"),
        (_with_first(lambda r: r.update(source="notebooks/none.py")), "does not exist"),
        (lambda reports: reports.append(dict(reports[0])), "share the output name"),
        (lambda reports: reports.append("just a line"), "expected a mapping with kind"),
    ],
)
def test_each_broken_entry_is_one_error_naming_file_and_entry(frames, tmp_path: Path, edit, expected):
    path = tmp_path / "batch.yml"
    write_plan(batch_plan(frames), path)
    _edit(path, edit)
    with pytest.raises(BatchPlanError, match=r"batch\.yml: report") as err:
        read_plan(path)
    assert expected in str(err.value)


@pytest.mark.parametrize("text", ["reports: [", "- just\n- a list\n", "\x00\x01binary"])
def test_a_file_that_is_not_a_plan_is_one_error(tmp_path: Path, text: str):
    path = tmp_path / "batch.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BatchPlanError, match=r"batch\.yml: "):
        read_plan(path)


def test_the_cli_builds_what_an_edited_plan_lists(small_build, tmp_path: Path):
    """End to end: derive, keep one report, build: one report, and the edit is kept."""
    result, data = small_build
    if not (data / "evaluations.parquet").exists():
        datasets.write("evaluations", evaluate(result.frames), data)
    out = tmp_path / "reports"
    run = [sys.executable, "-m", "analysis"]
    done = subprocess.run(
        [*run, "batch-plan", "--processed", str(data), "--out", str(out)], capture_output=True, text=True, check=True
    )
    assert "reports (" in done.stdout
    _edit(out / "batch.yml", lambda reports: reports.__delitem__(slice(1, None)))
    kept = read_plan(out / "batch.yml")[0][0]
    done = subprocess.run(
        [*run, "reports", "--processed", str(data), "--out", str(out), "--quiet"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "was edited: built as written" in done.stdout
    assert "1 reports: 1 built" in done.stdout
    built = sorted(p.name for p in out.rglob("*.pdf"))
    assert built == [f"{kept.slug}.pdf"]
    _edit(out / "batch.yml", _with_first(lambda r: r.update(kind="nonsense")))
    done = subprocess.run(
        [*run, "reports", "--processed", str(data), "--out", str(out), "--quiet"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "batch.yml: report 1" in done.stderr
