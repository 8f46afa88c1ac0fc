"""Source cells are read in one place (analysis.sources): a location without its file belongs to
the file before it, and a publication whose title holds '：' is not taken for a file."""

from __future__ import annotations

import pandas as pd

from analysis import sources
from analysis.sources import Source, cite, document, documents, join, parse, split

DOC = "003_961c4f39d5f6b889.txt"
PUB = "上海市统计局《上海发布七人普数据：人才红利释放（铺商网，2021-05-28）》（2021）"


def test_a_location_without_its_file_belongs_to_the_file_before_it():
    assert parse(f"{DOC}：封面；前言；表2") == [Source(DOC, "封面"), Source(DOC, "前言"), Source(DOC, "表2")]
    assert split(f"{DOC}：封面；表2") == [f"{DOC}：封面", f"{DOC}：表2"]


def test_a_publication_with_a_colon_in_its_title_is_one_source_and_no_document():
    assert parse(PUB) == [Source("", PUB)]
    assert document(PUB) == "" and documents(PUB) == []
    # after a document, a publication is still a publication, not a location in that document
    assert parse(f"{DOC}：表1；{PUB}") == [Source(DOC, "表1"), Source("", PUB)]


def test_documents_are_named_once_in_order_and_text_round_trips():
    cell = join([cite("b.txt", "表1"), cite("a.txt", "二"), cite("b.txt", "表1"), cite("b.txt", "表2")])
    assert cell == "b.txt：表1；a.txt：二；b.txt：表2"
    assert documents(cell) == ["b.txt", "a.txt"] and document(cell) == "b.txt"
    assert join(s.text for s in parse(cell)) == cell


def test_a_missing_or_empty_cell_has_no_sources():
    for cell in (None, float("nan"), "", "；"):
        assert parse(cell) == [] and document(cell) == ""


def test_the_data_package_lists_documents_and_whole_publications_never_locations(real_build):
    """Before: '前言', '表1', '四、责任分工' were listed as sources, and two titles were cut at their '：'."""
    import json

    from analysis import datapackage, datasets

    _, folder = real_build
    datapackage.write(folder)
    doc = json.loads((folder / datapackage.FILE).read_text(encoding="utf-8"))
    files = set(datasets.read("documents", folder)["file"])
    for resource in doc["resources"]:
        for entry in resource.get("sources", []):
            title = entry["title"]
            assert title in files or ("《" in title and title.endswith("）")), (resource["name"], title)


def test_a_cell_cites_every_document_it_names_not_only_the_first():
    cells = pd.Series(
        [
            "000.txt：表1；003.txt：表2",  # two documents: both are cited
            "003.txt：表1；表2",  # a location without its file belongs to the file before it
            "上海市统计局《统计公报：2022年》（2023）",  # a publication whose title holds '：'
            None,
        ]
    )
    assert sources.cites(cells, "003.txt").tolist() == [True, True, False, False]
    assert sources.cites(cells, "000.txt").tolist() == [True, False, False, False]
    # the same reading as documents()
    for doc in ("000.txt", "003.txt"):
        assert sources.cites(cells, doc).tolist() == [doc in sources.documents(c) for c in cells]
