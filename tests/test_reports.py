"""Reports end to end on the small fixture plan: executed, exported, linked, safe, incremental."""

from __future__ import annotations

import shutil
import subprocess
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from analysis import datasets
from analysis.build import build
from analysis.evaluate import evaluate
from analysis.publish import kernels
from analysis.publish.batch import Job, batch_plan, safe_path, slug
from analysis.publish.index import write_index
from analysis.publish.runner import run_batch

from .conftest import FIXTURES, reword_source

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The small fixture plan with a hostile department name and target text, built and published."""
    base = tmp_path_factory.mktemp("pub")
    raw = base / "raw"
    shutil.copytree(FIXTURES / "raw_small", raw)
    # the document says so too (a verbatim name is checked against it)
    reword_source(raw, ["departments.csv", "tables/fixture_tasks.csv"], "培训中心", f"../../{EVIL}")
    data = base / "processed"
    result = build(raw, data)
    datasets.write("evaluations", evaluate(result.frames), data)
    frames = {n: datasets.read(n, data) for n in datasets.DATASETS}
    jobs = batch_plan(frames, str(data))
    root = base / "reports"
    results = run_batch(jobs, root, data_dir=data, progress=False)
    write_index(results, frames, datasets.read("evaluations", data), root)
    return {"root": root, "data": data, "jobs": jobs, "results": results, "frames": frames}


def test_every_report_is_built_as_html_and_pdf(published):
    results = published["results"]
    assert [r.status for r in results] == ["built"] * len(published["jobs"])
    kinds = {r.kind for r in results}
    assert kinds == {"plan", "department"}
    for r in results:
        for out in r.outputs:
            assert (published["root"] / out).stat().st_size > 1000


def test_the_pdf_gives_back_the_chinese_title_and_a_target(published):
    plan = next(r for r in published["results"] if r.kind == "plan")
    pdf = published["root"] / next(o for o in plan.outputs if o.endswith(".pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "示例区就业和社会保障“十五五”规划" in text
    assert "就业困难人员实现就业人数" in text
    assert "Traceback" not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and " yes yes " in fonts  # embedded subsets


def test_html_has_no_code_no_traceback_and_opens_offline(published):
    for r in published["results"]:
        html = (published["root"] / next(o for o in r.outputs if o.endswith(".html"))).read_text(encoding="utf-8")
        assert "Traceback" not in html
        assert "report.setup()" not in html and "from analysis import" not in html  # no input cells
        assert "<script src=" not in html and "cdn" not in html.lower()
        assert 'lang="zh"' in html


def test_text_from_data_is_escaped(published):
    pages = [
        (published["root"] / o).read_text(encoding="utf-8")
        for r in published["results"]
        for o in r.outputs
        if o.endswith(".html")
    ]
    pages.append((published["root"] / "index.html").read_text(encoding="utf-8"))
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in p for p in pages)
    assert not any(EVIL in p for p in pages)


def test_a_hostile_name_cannot_write_outside_reports(published):
    root = published["root"].resolve()
    for job in published["jobs"]:
        for path in job.outputs(published["root"]).values():
            assert path.resolve().is_relative_to(root)
    assert "/" not in slug("../../x") and ".." not in slug("../../x")
    with pytest.raises(ValueError):
        safe_path(published["root"], "../outside.html")


def test_the_index_links_every_report(published):
    index = (published["root"] / "index.html").read_text(encoding="utf-8")
    for r in published["results"]:
        for out in r.outputs:
            assert f'href="{out}"' in index or f'href="{out.replace("&", "&amp;")}"' in index
    assert "待填报" in index


def test_a_second_run_rebuilds_nothing(published):
    again = run_batch(published["jobs"], published["root"], data_dir=published["data"], progress=False)
    assert {r.status for r in again} == {"unchanged"}


def test_a_broken_report_does_not_stop_the_others(published, tmp_path: Path):
    good = published["jobs"][0]
    broken = Job("other", "broken", "broken", {"plan_id": "x"}, str(FIXTURES / "notebooks" / "broken.py"))
    with ThreadPoolExecutor(max_workers=1) as pool:
        results = run_batch([broken, good], tmp_path, data_dir=published["data"], executor=pool, progress=False)
    kernels.release_all()
    status = {r.slug: r for r in results}
    assert status["broken"].status == "failed" and "broken on purpose" in status["broken"].error
    assert status[good.slug].status == "built"
    kept = tmp_path / "_failed" / "other-broken.ipynb"
    assert kept.exists() and "broken on purpose" in kept.read_text(encoding="utf-8")


def test_the_warm_kernel_carries_no_state_from_one_report_to_the_next(tmp_path: Path):
    import jupytext
    import papermill

    def run(name: str, marker: int):
        nb = jupytext.read(FIXTURES / "notebooks" / name)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        return papermill.execute_notebook(
            nb,
            str(tmp_path / f"{name}.ipynb"),
            parameters={"marker": marker},
            engine_name="warm",
            kernel_name="python3",
            progress_bar=False,
        )

    kernels.release_all()
    run("leak_set.py", 1)
    pid = kernels.acquire().km.provisioner.pid
    checked = run("leak_check.py", 2)  # raises PapermillExecutionError if anything leaked
    kernel = kernels.acquire()
    assert kernel.km.provisioner.pid == pid and kernel.reports == 2  # the same kernel ran both
    assert "clean" in str(checked.cells[-1].outputs)
    kernels.release_all()


def test_the_cli_exits_non_zero_and_lists_failures_on_the_index(published, tmp_path: Path):
    broken = tmp_path / "processed"
    shutil.copytree(published["data"], broken)
    (broken / "risks.parquet").unlink()  # every report needs it: every report fails
    frames_ok = subprocess.run(
        [
            ".venv/bin/python",
            "-m",
            "analysis",
            "reports",
            "--processed",
            str(published["data"]),
            "--out",
            str(tmp_path / "ok"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    assert frames_ok.returncode == 0, frames_ok.stderr[-2000:]
    for name in ("plans", "evaluations"):  # the batch plan itself can still be made
        assert (broken / f"{name}.parquet").exists()
    done = subprocess.run(
        [
            ".venv/bin/python",
            "-m",
            "analysis",
            "reports",
            "--processed",
            str(broken),
            "--out",
            str(tmp_path / "r"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "failed" in done.stdout
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "未能生成的报告" in index and "_failed/" in index


@pytest.mark.parametrize("name", ["indicator_trends.py", "regions_and_cutoffs.py"])
def test_exploration_notebooks_run_on_the_real_data(name, real_build, tmp_path: Path, monkeypatch):
    """The researchers' notebooks execute top to bottom against data/processed."""
    import jupytext
    import papermill

    from analysis import paths

    if not (paths.PROCESSED / "evaluations.parquet").exists():
        pytest.skip("needs `make data evaluate` (data/processed)")
    nb = jupytext.read(paths.NOTEBOOKS / "explore" / name)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    started = time.perf_counter()
    done = papermill.execute_notebook(
        nb,
        str(tmp_path / "out.ipynb"),
        engine_name="warm",
        kernel_name="python3",
        progress_bar=False,
        execution_timeout=300,
    )  # a hung cell fails here
    wall = time.perf_counter() - started
    kernels.release_all()
    assert not any(o.get("output_type") == "error" for c in done.cells for o in c.get("outputs", []))
    # Twice in CI (12-03, 12-04) this test took 302 s against 3 s alone, and passed: something
    # waited out the 300 s above without failing. Not reproduced (12-04: a clean-clone suite with
    # a stack dump armed at 60 s: 2.5 s). If it recurs, say whether a cell or the kernel's start,
    # reset or kernel_info around the cells waited: the cells' times against the call's.
    durations = [(c.metadata.get("papermill", {}).get("duration") or 0.0, i) for i, c in enumerate(done.cells)]
    slowest, index = max(durations)
    if wall > 60:
        in_cells = sum(d for d, _ in durations)
        warnings.warn(
            f"{name}: {wall:.0f} s in papermill, {in_cells:.0f} s of it in cells; slowest cell {index} "
            f"({slowest:.0f} s): {done.cells[index].source[:120]!r}",
            stacklevel=1,
        )


def test_our_exporters_are_registered_with_nbconvert(published, tmp_path: Path):
    """A researcher can export any notebook with `jupyter nbconvert --to plan_eval_pdf`."""
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("from IPython.display import HTML\nHTML('<h2>一、总体情况</h2><p>测试文本</p>')")
        ]
    )
    nb.cells[0].outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<h2>一、总体情况</h2><p>测试文本</p>"})
    ]
    path = tmp_path / "any.ipynb"
    nbformat.write(nb, path)
    jupyter = Path(".venv/bin/jupyter")
    for exporter, suffix in (("plan_eval_html", ".html"), ("plan_eval_pdf", ".pdf")):
        done = subprocess.run([str(jupyter), "nbconvert", "--to", exporter, str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-1500:]
        out = path.with_suffix(suffix)
        assert out.exists() and out.stat().st_size > 500
    text = subprocess.run(["pdftotext", str(path.with_suffix(".pdf")), "-"], capture_output=True, text=True).stdout
    assert "测试文本" in text
    html = path.with_suffix(".html").read_text(encoding="utf-8")
    assert "HTML(" not in html and 'id="s1"' in html and "目录" in html
