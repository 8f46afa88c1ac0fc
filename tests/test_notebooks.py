"""Every shipped notebook is a pair: a py:percent source and a stripped .ipynb with a kernelspec,
in sync, that papermill's CLI can inspect and run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from analysis import paths

SOURCES = sorted(paths.NOTEBOOKS.rglob("*.py"))


def _cells(nb) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]


@pytest.mark.parametrize("source", SOURCES, ids=[s.name for s in SOURCES])
def test_each_notebook_has_an_ipynb_twin_in_sync_stripped_and_with_a_kernelspec(source: Path):
    twin = source.with_suffix(".ipynb")
    assert twin.exists(), f"{twin} missing: run `make notebooks`"
    assert _cells(jupytext.read(twin)) == _cells(jupytext.read(source)), f"{twin.name} drifted: run `make notebooks`"
    raw = json.loads(twin.read_text(encoding="utf-8"))
    assert raw["metadata"]["kernelspec"]["name"] == "python3"
    assert raw["metadata"]["kernelspec"]["language"] == "python"
    for cell in raw["cells"]:
        assert not cell.get("outputs") and cell.get("execution_count") is None, f"{twin.name}: outputs not stripped"


@pytest.mark.parametrize("source", SOURCES, ids=[s.name for s in SOURCES])
def test_papermill_lists_every_parameter_with_its_type_and_help(source: Path):
    twin = source.with_suffix(".ipynb")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("papermill")), "--help-notebook", str(twin)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-1500:]
    params = next(c for c in jupytext.read(source).cells if "parameters" in c.metadata.get("tags", []))
    names = [
        line.split(":")[0].split("=")[0].strip()
        for line in params.source.splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert names
    for name in names:
        assert f"{name}: " in done.stdout, f"{name} has no type in {twin.name}"
    assert "Unknown type" not in done.stdout
