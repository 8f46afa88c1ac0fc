"""The warm engine behaves as papermill's own engine does when driven from papermill's CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat


def _notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    params = nbformat.v4.new_code_cell('data_dir = "nowhere"  # folder of the processed data')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell(
            "import os, pathlib\n"
            "print('cwd', os.getcwd())\n"
            "print('marker', pathlib.Path(data_dir, 'marker.txt').read_text())"
        ),
    ]
    nbformat.write(nb, path)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    papermill = Path(sys.executable).with_name("papermill")
    return subprocess.run([str(papermill), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_warm_engine_runs_in_papermills_cwd_like_the_default_engine(tmp_path: Path):
    work = tmp_path / "work"
    (work / "data").mkdir(parents=True)
    (work / "data" / "marker.txt").write_text("found", encoding="utf-8")
    _notebook(tmp_path / "nb.ipynb")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outputs = {}
    for engine in ("nbclient", "warm"):
        out = tmp_path / f"out-{engine}.ipynb"
        done = _run(
            [
                "--engine",
                engine,
                str(tmp_path / "nb.ipynb"),
                str(out),
                "-p",
                "data_dir",
                "data",
                "--cwd",
                str(work),
                "--no-progress-bar",
                "--execution-timeout",
                "120",
            ],
            elsewhere,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        text = "".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", []))
        outputs[engine] = text
    assert "marker found" in outputs["warm"]
    assert f"cwd {work}" in outputs["warm"]
    assert outputs["warm"] == outputs["nbclient"]


def test_a_failing_cell_fails_the_cli_with_the_warm_engine(tmp_path: Path):
    _notebook(tmp_path / "nb.ipynb")
    done = _run(
        ["--engine", "warm", str(tmp_path / "nb.ipynb"), str(tmp_path / "out.ipynb"), "--no-progress-bar"], tmp_path
    )  # data_dir "nowhere": the read fails
    assert done.returncode != 0
    assert "FileNotFoundError" in done.stderr or "PapermillExecutionError" in done.stderr


def test_the_shipped_report_notebook_runs_from_papermills_cli_with_either_engine(real_build, tmp_path: Path):
    """What a papermill user types, on the committed .ipynb: no kernel name to add, no conversion."""
    import shutil

    from analysis import datasets, paths
    from analysis.evaluate import evaluate

    result, processed = real_build
    data = tmp_path / "processed"
    shutil.copytree(processed, data)
    datasets.write("evaluations", evaluate(result.frames), data)
    notebook = paths.NOTEBOOKS / "reports" / "plan_report.ipynb"
    for engine in ("nbclient", "warm"):
        out = tmp_path / f"minhang-14-{engine}.ipynb"
        done = _run(
            [
                "--engine",
                engine,
                str(notebook),
                str(out),
                "-p",
                "plan_id",
                "minhang-14",
                "-p",
                "region",
                "闵行区",
                "-p",
                "data_dir",
                str(data),
                "--cwd",
                str(paths.ROOT),
                "--no-progress-bar",
            ],
            tmp_path,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        executed = nbformat.read(out, as_version=4)
        assert not any(o.get("output_type") == "error" for c in executed.cells for o in c.get("outputs", []))
        html = "".join(o.get("data", {}).get("text/html", "") for c in executed.cells for o in c.get("outputs", []))
        assert "闵行区" in html


def test_a_report_exported_by_hand_is_titled_by_its_cover(tmp_path: Path):
    """`jupyter nbconvert --to plan_eval_pdf out.ipynb` gives a PDF titled as the report, not "out"."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": (
                    '<h1 class="title">闵行区就业和社会保障“十四五”规划<br><span>总结评估报告</span></h1><p>正文</p>'
                )
            },
        )
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# 规划实施情况评估报告"), cell]
    path = tmp_path / "out.ipynb"
    nbformat.write(nb, path)
    jupyter = Path(sys.executable).with_name("jupyter")
    for exporter in ("plan_eval_html", "plan_eval_pdf"):
        done = subprocess.run(
            [str(jupyter), "nbconvert", "--to", exporter, str(path)], capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-1500:]
    html = path.with_suffix(".html").read_text(encoding="utf-8")
    assert "<title>闵行区就业和社会保障“十四五”规划 总结评估报告</title>" in html
    info = subprocess.run(["pdfinfo", str(path.with_suffix(".pdf"))], capture_output=True, text=True).stdout
    assert "闵行区就业和社会保障“十四五”规划 总结评估报告" in info
