"""Reading achieved figures as documents write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.cn_numbers import chinese_numeral, read_figure, split_unit


@pytest.mark.parametrize(
    ("text", "value", "comparator", "status", "as_of"),
    [
        ("151291 (截至 2023 年底, 2024 年起, 市局不再分解该数据到各区)", 151291, "=", None, 2023),
        ("71.26 万", 712600, "=", None, None),
        ("71.26 万人次", 712600, "=", None, None),
        ("24.06 亿元", 2406000000, "=", None, None),
        ("超 236 亿元", 23600000000, ">", None, None),
        ("80 余个", 80, ">", None, None),
        ("65%以上", 65, ">=", None, None),
        ("99.39%", 99.39, "=", None, None),
        ("两大", 2, "=", None, None),
        ("六个", 6, "=", None, None),
        ("全国第一", 1, "=", None, None),
        ("动态为零", 0, "=", None, None),
        ("完成", None, "=", "完成", None),
        ("控制在市政府下达的指标数内 (2025 年无指标)", None, "=", "控制在市政府下达的指标数内", None),
        ("约 3.5 万人", 35000, "≈", None, None),
        ("近 20 万", 200000, "<", None, None),
    ],
)
def test_read_figure(text, value, comparator, status, as_of):
    fig = read_figure(text)
    assert fig.value == (pytest.approx(value) if value is not None else None)
    assert fig.comparator == comparator
    assert fig.status == status
    assert fig.as_of_year == as_of


def test_a_bracketed_note_is_kept():
    assert read_figure("控制在市政府下达的指标数内 (2025 年无指标)").note == "2025 年无指标"


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("一", 1),
        ("两", 2),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("九十九", 99),
        ("", None),
        ("百", None),
        ("十十", None),
    ],
)
def test_chinese_numeral(text, n):
    assert chinese_numeral(text) == n


@pytest.mark.parametrize(
    ("unit", "factor", "base"),
    [("万人", 1e4, "人"), ("亿元", 1e8, "元"), ("人", 1, "人"), ("—", 1, None), ("", 1, None), (None, 1, None)],
)
def test_split_unit(unit, factor, base):
    assert split_unit(unit) == (factor, base)


@given(st.text(max_size=40))
def test_read_figure_never_raises(text):
    fig = read_figure(text)
    assert fig.value is not None or fig.status is not None or not text.strip()
