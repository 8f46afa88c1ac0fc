"""The processed data for open-data tools and Excel: a valid Frictionless Data Package, and
identifiers that stay text."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from analysis import datapackage, datasets, excel_copies


@pytest.fixture(scope="module")
def published(real_build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real build's folder with its Excel copies and descriptor written, as `make data` does."""
    result, folder = real_build
    excel_copies.write(list(result.manifest["datasets"]), folder)
    datapackage.write(folder)
    return folder


def test_the_descriptor_describes_every_dataset_from_its_schema(published: Path):
    doc = json.loads((published / datapackage.FILE).read_text(encoding="utf-8"))
    paths = {r["path"] for r in doc["resources"]}
    assert {f"{n}.csv" for n in datasets.DATASETS} <= paths
    assert doc["licenses"] and all(r["schema"]["fields"] for r in doc["resources"])
    observations = next(r for r in doc["resources"] if r["path"] == "observations.csv")
    assert observations["sources"], "the publications behind the values are named"
    fields = {f["name"]: f for f in observations["schema"]["fields"]}
    assert list(fields) == datasets.spec("observations").column_names
    assert fields["period_type"]["constraints"]["enum"] == ["year", "month", "ytd", "plan_period", "stock"]


def test_frictionless_validates_the_package_and_reads_identifiers_as_text(published: Path):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(published / datapackage.FILE))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])[:10]
    package = frictionless.Package(str(published / datapackage.FILE))
    rows = package.get_resource("documents").read_rows()
    assert {"000", "003"} <= {row["document_id"] for row in rows}


def test_a_broken_csv_makes_the_package_invalid(published: Path, tmp_path: Path):
    frictionless = pytest.importorskip("frictionless")
    copy = tmp_path / "processed"
    copy.mkdir()
    for f in published.glob("*.csv"):
        (copy / f.name).write_bytes(f.read_bytes())
    (copy / datapackage.FILE).write_bytes((published / datapackage.FILE).read_bytes())
    text = (copy / "observations.csv").read_text(encoding="utf-8-sig").splitlines()
    cells = text[1].split(",")
    cells[5] = "decade"  # period_type outside its enum
    text[1] = ",".join(cells)
    (copy / "observations.csv").write_text("\ufeff" + "\n".join(text) + "\n", encoding="utf-8")
    report = frictionless.validate(str(copy / datapackage.FILE))
    assert not report.valid
    errors = report.flatten(["fieldName", "type"])
    assert ["period_type", "constraint-error"] in errors


def test_csv_and_excel_copies_keep_leading_zeros(published: Path):
    frame = datapackage.read_csv("documents", published)
    assert {"000", "003"} <= set(frame["document_id"])
    ws = openpyxl.load_workbook(published / excel_copies.FOLDER / "documents.xlsx").active
    header = [c.value for c in ws[1]]
    ids = [row[header.index("document_id")] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert {"000", "003"} <= set(ids)
    meta = (published / "documents.meta.yml").read_text(encoding="utf-8")
    assert "document_id" in meta and "read_csv" in meta


def test_excel_copies_are_byte_identical_between_builds(published: Path):
    frame = datasets.read("observations", published)
    assert excel_copies.workbook_bytes("observations", frame) == excel_copies.workbook_bytes("observations", frame)
