"""Coverage of indicator-years, and the generated table in docs/data-gaps.md."""

from __future__ import annotations

from analysis import paths
from analysis.coverage import BEGIN, END, coverage, gaps_markdown, latest_published_year, update_gaps_document


def test_docs_data_gaps_is_up_to_date(real_build):
    result, _ = real_build
    latest = latest_published_year(result.frames["observations"])
    expected = gaps_markdown(coverage(result.frames, latest), latest)
    doc = (paths.DOCS / "data-gaps.md").read_text(encoding="utf-8")
    assert update_gaps_document(doc, expected) == doc, "run `make gaps` and commit docs/data-gaps.md"


def test_coverage_counts_filled_and_missing_years(real_build):
    result, _ = real_build
    cov = coverage(result.frames, 2025).table.set_index(["plan_id", "indicator_id"])
    jobs = cov.loc[("shanghai-14-outline", "new_jobs")]
    # 2025 was published as 城镇新增就业 (persons, 万人): a series of its own, so that year is missing
    assert jobs["filled_years"] == "2020,2021,2022,2023,2024" and jobs["missing_years"] == "2025"
    unemployment = cov.loc[("shanghai-14-outline", "surveyed_unemployment_rate")]
    assert "2021" in unemployment["missing_years"].split(",")
    # qualitative and external targets expect no yearly series
    assert ("minhang-15", "pension_coverage") not in cov.index
    # a 15th-FYP indicator only expects its base year so far
    assert cov.loc[("minhang-15", "hard_to_employ_placed")]["n_expected"] == 1


def test_the_generated_block_replaces_only_itself():
    doc = f"head\n{BEGIN}\nold\n{END}\ntail\n"
    assert update_gaps_document(doc, "new\n") == f"head\n{BEGIN}\nnew\n{END}\ntail\n"
