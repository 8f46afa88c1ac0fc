"""Sources are columns (analysis.sources): a document and the places in it, or a publication's
title, issuer and year. Nothing is parsed back out of a joined display string, so a title or a
location holding '：' is never split, and display text is made only when it is shown."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import datapackage, datasets, sources
from analysis.report.sources import Notes, readable
from analysis.sources import Source

DOC = "003_961c4f39d5f6b889.txt"


def test_one_document_with_several_places_is_one_source_per_place_and_columns_round_trip():
    found = sources.of(DOC, "封面；前言；表2")
    assert found == [Source(DOC, "封面"), Source(DOC, "前言"), Source(DOC, "表2")]
    assert sources.columns(found) == {"source_document": DOC, "source_location": "封面；前言；表2"}
    # each place once, in the order first cited
    again = [*found, Source(DOC, "前言")]
    assert sources.columns(again)["source_location"] == "封面；前言；表2"


def test_places_in_several_documents_pair_with_one_document_each():
    found = [Source("entries/b.xlsx", "任务评估 第5行"), Source("entries/a.xlsx", "任务评估 第5行")]
    cols = sources.columns(found)
    assert cols == {
        "source_document": "entries/b.xlsx；entries/a.xlsx",
        "source_location": "任务评估 第5行；任务评估 第5行",
    }
    assert sources.of(cols["source_document"], cols["source_location"]) == found


def test_documents_and_places_that_do_not_pair_are_an_error_not_a_guess():
    with pytest.raises(ValueError, match="2 documents and source_location 3 places"):
        sources.of("a.txt；b.txt", "表1；表2；表3")


def test_a_publication_whose_title_holds_a_colon_is_one_source_never_a_file():
    title = "上海发布七人普数据：人才红利释放（铺商网，2021-05-28）"
    row = {"source_document": title, "source_location": None, "source_issuer": "上海市统计局", "source_year": 2021}
    (found,) = sources.of_record(row)
    assert found.is_publication and found.document == title and found.location == ""
    assert found.text == f"上海市统计局《{title}》（2021）"
    assert readable(found, {}) == f"上海市统计局发布，《{title}》（2021年）"
    assert readable(found, {}, reprint=True).endswith("，转载")


def test_a_missing_or_empty_document_has_no_sources():
    for cell in (None, float("nan"), pd.NA, "", "；"):
        assert sources.of(cell, "表1") == []
        assert sources.document({"source_document": cell, "source_location": "表1"}) == ""


def test_a_row_cites_every_document_it_names_not_only_the_first():
    frame = pd.DataFrame(
        {
            "source_document": ["000.txt；003.txt", "003.txt", "统计公报：2022年", None],
            "source_location": ["表1；表2", "表1；表2", None, None],
        }
    )
    assert sources.cites(frame, "003.txt").tolist() == [True, True, False, False]
    assert sources.cites(frame, "000.txt").tolist() == [True, False, False, False]


@pytest.mark.parametrize(
    ("typed", "issuer", "title", "year"),
    [
        ("示例区统计局《2025年示例区统计公报》（2026）", "示例区统计局", "2025年示例区统计公报", 2026),
        ("示例区统计局《2025年示例区统计公报》（2026年）", "示例区统计局", "2025年示例区统计公报", 2026),
        ("示例区人社局《2025年工作总结》", "示例区人社局", "2025年工作总结", None),
        ("示例区统计局 《2025年统计公报》 (2026)", "示例区统计局", "2025年统计公报", 2026),  # spaces, ASCII ( )
        ("区统计局网站", None, "区统计局网站", None),  # not in the form: kept as typed
    ],
)
def test_a_publication_typed_in_a_workbook_is_read_into_its_columns(typed, issuer, title, year):
    assert sources.typed_publication(typed) == {"source_document": title, "source_issuer": issuer, "source_year": year}


def test_a_report_numbers_each_source_once_and_names_a_document_by_its_title():
    notes = Notes({DOC: "《闵行区规划》"})
    first = notes.cite([Source(DOC, "表1 第2行"), Source(DOC, "前言")])
    again = notes.of({"source_document": DOC, "source_location": "前言"})
    assert (first, again) == ('<sup class="note">[1]</sup><sup class="note">[2]</sup>', '<sup class="note">[2]</sup>')
    assert notes.entries() == ["[1] 《闵行区规划》表1第2行", "[2] 《闵行区规划》前言"]


def test_every_processed_source_reads_back_and_names_a_known_document(real_build):
    """No dataset keeps a joined ``source`` column; every row's columns read back as sources,
    and every document that is not a publication is one of documents.csv."""
    result, folder = real_build
    files = set(datasets.read("documents", folder)["file"])
    checked = 0
    for name, frame in result.frames.items():
        assert "source" not in frame.columns, name
        if "source_document" not in frame.columns:
            continue
        for r in frame.to_dict("records"):
            found = sources.of_record(r)
            assert found, (name, r)
            for s in found:
                assert s.is_publication or s.document in files, (name, s)
            checked += 1
    assert checked > 400


def test_the_data_package_lists_documents_and_whole_publications_never_locations(real_build):
    """Before: '前言', '表1', '四、责任分工' were listed as sources, and two titles were cut at their '：'."""
    _, folder = real_build
    datapackage.write(folder)
    doc = json.loads((folder / datapackage.FILE).read_text(encoding="utf-8"))
    files = set(datasets.read("documents", folder)["file"])
    for resource in doc["resources"]:
        for entry in resource.get("sources", []):
            title = entry["title"]
            assert title in files or ("《" in title and title.endswith("）")), (resource["name"], title)


def test_a_title_holding_the_separator_is_one_document():
    """Several documents are read only beside as many places: a publication's title, or a
    title typed in a workbook, keeps its '；'."""
    title = "2023年就业工作总结；2024年工作要点"
    (pub,) = sources.of(title, None, "某区人社局", 2024)
    assert pub.document == title
    (typed,) = sources.of(title, None)
    assert typed.document == title
    frame = pd.DataFrame({"source_document": [title], "source_location": [None]})
    assert sources.documents(frame).tolist() == [[title]]
