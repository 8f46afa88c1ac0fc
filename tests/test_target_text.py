"""The targets table's cell: a plan's short target words kept, a sentence about a number written
as the number the engine read from it, with the document's own bound words and no others."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.report.html import esc
from analysis.report.target_text import SHORT, as_printed, target_cell


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("到 2025 年主要劳动年龄人口平均受教育年限达到 13 年", "到2025年主要劳动年龄人口平均受教育年限达到13年"),
        ("城镇调查失业率稳定在 5.5% 以内", "城镇调查失业率稳定在5.5%以内"),
        ("打造“一街一品” 两大示范业态", "打造“一街一品” 两大示范业态"),  # between Chinese words: kept
        ("WeasyPrint 62", "WeasyPrint 62"),  # no Chinese: kept
        ("更新时间：2025年12月31日 00:00", "更新时间：2025年12月31日 00:00"),  # a clock time keeps its space
    ],
)
def test_the_spaces_a_transcription_kept_between_chinese_and_digits_are_not_printed(text: str, printed: str):
    assert as_printed(text) == printed
    assert esc(text) == printed  # every text from data goes through it


def test_the_real_targets_read_as_a_reviewer_expects(real_build):
    """Each long target of the project's plans, as the table shows it: the number the engine
    read, its period or year, and only the bound words the document itself used."""
    _, folder = real_build
    indicators = pd.read_parquet(folder / "indicators.parquet").set_index(["plan_id", "name"])
    cells = {}
    for (plan, name), r in indicators.iterrows():
        unit = r["unit"] if isinstance(r["unit"], str) else None
        cells[plan, name] = target_cell(r["target_text"], r["target_kind"], r["target_value"], unit, r["target_year"])
    outline = "shanghai-14-outline"
    assert cells[outline, "主要劳动年龄人口平均受教育年限"] == ("2025年达到13年", True)
    assert cells[outline, "新增就业岗位"] == ("每年不低于50万个", True)
    assert cells[outline, "职业技能培训"] == ("累计500万人次", True)  # no 以上 the document did not say
    assert cells[outline, "新增高技能人才"] == ("累计20万人以上", True)
    assert cells[outline, "城镇调查失业率"] == ("每年5.5%以内", True)
    # a plan's own table: its few words kept (spaces dropped), nothing to quote again
    assert cells["minhang-14", "新增就业岗位数"] == ("16万个", False)  # the table's 单位 column: 个
    assert cells["minhang-14", "扶持成功创业数/创业帮扶数"] == ("3000家", False)
    assert cells["minhang-15", "虹桥园累计入驻企业数量"] == ("400家以上", False)
    assert cells["minhang-14", "劳动争议先行调解率"] == ("65%以上", False)
    assert cells["minhang-15", "就业困难人员实现就业人数"] == ("每年3600人以上", False)
    # a qualitative target keeps its words however long
    assert cells[outline, "居民人均可支配收入增长与经济增长基本同步"][1] is False
    # every shortened cell is shorter than the words it replaces, and fits the column
    for (plan, name), (cell, shortened) in cells.items():
        words = as_printed(indicators.loc[(plan, name), "target_text"])
        assert not shortened or (len(cell) < len(words) and len(cell) <= SHORT), (plan, name, cell)


def test_a_target_without_a_number_or_a_year_keeps_what_can_be_said():
    long = "到规划期末实现各项指标全面达到全市平均水平以上"
    assert target_cell(long, "level", math.nan, "%", 2025) == (long, False)  # no number read
    assert target_cell(long, "level", 80.0, "%", math.nan) == ("80%以上", True)  # no year: none invented
    assert target_cell(long, "level", 80.0, "%", pd.NA) == ("80%以上", True)  # as an Int64 column gives it
