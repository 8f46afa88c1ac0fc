"""The raw transcription is faithful: every verbatim cell and every number is in its document."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import paths
from analysis.cn_numbers import normalize, numbers_in
from analysis.raw.catalog import discover
from analysis.raw.table import read_raw_table

RAW_FILES = [p for p in discover(paths.RAW) if "source_document" in read_raw_table(p).frame.columns]
# Columns that hold our own keys, locations, notes or values derived from the plan's number.
NOT_TRANSCRIBED = {
    "plan_id",
    "indicator_id",
    "series_id",
    "evaluation_id",
    "exercise",
    "document_id",
    "row",
    "seq",
    "source_document",
    "source_location",
    "note",
    "file",
    "unit",
    "role",
    "region",
    "level",
    "plan_type",
    "period_type",
    "measure",
    "name",
    "unit_type",
    "passage_id",
    "series_ids",
    "indicator_ids",
    "risk",
    "kind",
    "topic",
    "evaluation_ids",
}


def _document_text(file: str) -> str:
    return normalize(_document_raw(file))


def _document_raw(file: str) -> str:
    """The text as written: numbers are read from it before spaces are dropped, so two
    table cells ("3000", "4856") never run together."""
    return (paths.DOCUMENTS / file).read_text(encoding="utf-8")


def _in_document(number: float, numbers: set[float]) -> bool:
    """A number appears as written, or in 万/亿 ("160000" is written "16 万")."""
    return any(round(number / scale, 6) in numbers for scale in (1, 1e4, 1e8))


def test_every_raw_file_with_a_document_source_is_checked():
    names = {p.name for p in RAW_FILES}
    assert {"doc000_table1.csv", "doc003_table2.csv", "targets_in_text.csv", "observations_in_text.csv"} <= names


@pytest.mark.parametrize("path", RAW_FILES, ids=lambda p: p.name)
def test_verbatim_cells_appear_in_their_document(path: Path):
    table = read_raw_table(path)
    verbatim = [c for c, spec in table.meta["columns"].items() if spec.get("verbatim")]
    assert verbatim, f"{path.name}: the sidecar marks no verbatim column"
    missing = []
    for _, row in table.frame.iterrows():
        text = _document_text(row["source_document"])
        for col in verbatim:
            cell = row[col]
            if cell and normalize(cell) not in text:
                missing.append((row["_row"], col, cell))
    assert not missing, f"{path.name}: cells not found in their document: {missing}"


@pytest.mark.parametrize("path", RAW_FILES, ids=lambda p: p.name)
def test_every_transcribed_number_appears_in_its_document(path: Path):
    table = read_raw_table(path)
    derived = set(table.meta.get("derived_columns", []))
    columns = [c for c in table.meta["columns"] if c not in derived and c not in NOT_TRANSCRIBED]
    missing = []
    for _, row in table.frame.iterrows():
        numbers = numbers_in(_document_raw(row["source_document"]))
        for col in columns:
            cell = row[col]
            if cell is None:
                continue
            for n in numbers_in(str(cell)):
                if not _in_document(n, numbers):
                    missing.append((row["_row"], col, n))
    assert not missing, f"{path.name}: numbers not in the document: {missing}"


def test_the_number_check_catches_an_invented_number():
    numbers = numbers_in(_document_raw("003_961c4f39d5f6b889.txt"))
    assert _in_document(160000, numbers)  # written "16 万"
    assert _in_document(71.26, numbers)
    assert not _in_document(151292, numbers)  # one off
    assert not _in_document(72.26, numbers)


def test_document_tables_are_complete():
    counts = {p.name: len(read_raw_table(p).frame) for p in RAW_FILES}
    assert counts["doc000_table1.csv"] == 8  # 8 topics
    assert counts["doc000_table2.csv"] == 17  # 3 major indicators + 14 major tasks
    assert counts["doc003_table1.csv"] == 11
    assert counts["doc003_table2.csv"] == 11
    assert counts["doc003_annex_definitions.csv"] == 11
    # 20 sentences of achievements, the overall environment, 4 opportunities, 4 challenges,
    # 15 main tasks, 5 key projects
    kinds = read_raw_table(paths.RAW / "tables" / "doc003_passages.csv").frame["kind"].value_counts().to_dict()
    assert kinds == {"achievement": 20, "environment": 1, "opportunity": 4, "challenge": 4, "task": 15, "project": 5}


def test_the_achievements_with_figures_are_transcribed():
    """The figures a reviewer looks for in 成效与经验 are each in a passage that names its series."""
    frame = read_raw_table(paths.RAW / "tables" / "doc003_passages.csv").frame
    text = "".join(frame["text"])
    for figure in (
        "24.06 亿元",
        "62 个",
        "19774 名",
        "5845 名",
        "311 家",
        "236 亿元",
        "12 亿元",
        "230 个",
        "2880 人",
        "全国第一",
    ):
        assert figure in text, figure
    linked = {s for cell in frame["series_ids"].dropna() for s in cell.split(";")}
    assert {"hongqiao_park_hr_firms_landed", "wage_payment_assessment_rank", "land_acquisition_persons"} <= linked


def test_cell_notes_are_kept_verbatim():
    t1 = read_raw_table(paths.RAW / "tables" / "doc003_table1.csv").frame.set_index("indicator_id")
    assert "截至 2023 年底, 2024 年起, 市局不再分解该数据到各区" in t1.loc["new_jobs", "completion"]
    assert "2025 年无指标" in t1.loc["registered_unemployed", "completion"]
    assert "2023 年指标更名" in t1.loc["startups_supported", "name"]


PUBLISHED = sorted((paths.RAW / "published").glob("*.csv"))


@pytest.mark.parametrize("path", PUBLISHED, ids=lambda p: p.name)
def test_every_published_value_is_written_in_its_quote(path: Path):
    table = read_raw_table(path)
    assert table.meta["role"] == "observations_published"
    missing = [
        (r["_row"], r["value"])
        for _, r in table.frame.iterrows()
        if abs(r["value"]) not in numbers_in(r["source_quote"])
    ]
    assert not missing, f"{path.name}: values not in their quote: {missing}"
    assert table.frame["issuer"].notna().all() and table.frame["title"].notna().all()


def test_overlapping_published_values_name_the_one_used(real_build):
    result, _ = real_build
    obs = result.frames["observations"]
    published = obs[obs["source_url"].notna()]
    key = ["series_id", "region", "period_type", "period"]
    preferred = published[published["is_preferred"]].groupby(key)["value"].nunique()
    assert (preferred == 1).all()
    assert (~published["is_preferred"]).sum() > 0  # some periods do have two sources
