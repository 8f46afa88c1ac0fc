"""The target parser on a table of wordings: both documents' and other published plans'."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.targets import COMPARATORS, TARGET_KINDS, parse_target

CASES = list(csv.DictReader((Path(__file__).parent / "data" / "target_cases.csv").open(encoding="utf-8")))


def test_the_case_table_is_large_and_varied():
    assert len(CASES) >= 60
    kinds = {c["kind"] for c in CASES}
    assert kinds == set(TARGET_KINDS)
    others = [c for c in CASES if not c["origin"].startswith("document")]
    assert len(others) >= 25, "the table must also hold wordings from other plans"


@pytest.mark.parametrize("case", CASES, ids=[f"{i:02d}-{c['text'][:12]}" for i, c in enumerate(CASES)])
def test_parse_target(case: dict[str, str]):
    start, end = (int(y) for y in case["period"].split("-"))
    got = parse_target(
        case["text"], name=case["name"], unit=case["unit"] or None, context=case["context"], period=(start, end)
    )
    assert got.target_kind == case["kind"], got
    assert got.comparator == (case["comparator"] or None), got
    if case["value"]:
        assert got.target_value == pytest.approx(float(case["value"])), got
    else:
        assert got.target_value is None, got
    assert got.target_year == (int(case["year"]) if case["year"] else None), got
    assert (got.unit or "") == case["out_unit"], got
    if got.target_kind == "unparsed":
        assert got.notes, "an unparsed target must say why"


def test_a_statement_of_the_plan_period_does_not_change_a_stock_into_a_total():
    # 虹桥园累计入驻企业数量 is a running total since the park opened: a level to reach.
    got = parse_target(
        "虹桥园累计入驻企业数量达 400 家以上",
        name="虹桥园累计入驻企业数量",
        context="“十五五”期间",
        period=(2026, 2030),
    )
    assert (got.target_kind, got.target_value) == ("level", 400.0)


def test_a_bare_number_says_it_was_read_as_a_floor():
    got = parse_target("16 万", name="新增就业岗位数", unit="个", period=(2021, 2025))
    assert got.comparator == ">="
    assert any("no comparison stated" in n for n in got.notes)


def test_a_year_outside_the_text_comes_from_the_plan_period():
    assert parse_target("达到 15%", period=(2021, 2025)).target_year == 2025
    assert parse_target("达到 15%").target_year is None


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60), st.text(max_size=12), st.one_of(st.none(), st.text(max_size=4)), st.text(max_size=12))
def test_never_raises_on_arbitrary_strings(text: str, name: str, unit: str | None, context: str):
    got = parse_target(text, name=name, unit=unit, context=context, period=(2021, 2025))
    assert got.target_kind in TARGET_KINDS
    assert got.comparator is None or got.comparator in COMPARATORS
    if got.target_value is not None:
        assert math.isfinite(got.target_value)
    if got.target_kind in ("qualitative", "unparsed", "external"):
        assert got.target_value is None


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[每年到期间以上以内不低于超过左右达到万亿人个%\[\]<>＞＜≥≤0-9. ]{0,30}", fullmatch=True))
def test_never_raises_on_target_like_strings(text: str):
    got = parse_target(text, period=(2021, 2025))
    assert got.target_kind in TARGET_KINDS


# -- plan-table conventions and the parser's bounds (issue 14 §8, §9, §10) -------------------------


def test_a_bracketed_total_keeps_the_unit_after_its_bracket():
    got = parse_target("城镇新增就业[3000]万人", name="城镇新增就业", period=(2021, 2025))
    assert (got.target_kind, got.target_value, got.unit) == ("cumulative", 3.0e7, "人")  # not 3000


def test_a_ratio_per_ten_thousand_is_not_a_count():
    got = parse_target("每万名从业人员中高技能人才达到1200人", period=(2021, 2025))
    assert (got.unit, got.target_kind) == ("人/万人", "level")


_CN = st.sampled_from(list("零一二两三四五六七八九十百千万亿"))
_PIECE = st.one_of(
    st.from_regex(r"[0-9]{1,6}(\.[0-9]{1,3})?", fullmatch=True),
    st.from_regex(r"[０-９]{1,4}", fullmatch=True),  # full-width digits
    st.from_regex(r"(19|20)[0-9]{2}年(底|末)?", fullmatch=True),  # years
    st.text(_CN, min_size=1, max_size=4),  # Chinese numerals
    st.sampled_from(
        [
            "万",
            "亿",
            "万亿",
            "万人",
            "万人次",
            "亿元",
            "%",
            "％",
            "个百分点",
            "名",
            "家",
            "个",
            "人",
            "[",
            "]",
            "［",
            "］",
            "（",
            "）",
            "以上",
            "以内",
            "不低于",
            "达到",
            "控制在",
            "每年",
            "累计",
            "“十五五”期间",
            "由",
            "提高到",
            "每万名从业人员中",
            "左右",
            "，",
            "。",
            "—",
            " ",
            "\u3000",
        ]
    ),
    st.text(max_size=3),
)
_WORDING = st.lists(_PIECE, max_size=25).map("".join)


def _largest_number(text: str) -> float:
    from analysis.cn_numbers import normalize, numbers_in

    found = numbers_in(normalize(text))
    return max(found, default=0.0)


@settings(max_examples=1500, deadline=None)
@given(
    _WORDING,
    st.sampled_from(["", "新增就业岗位", "城镇调查失业率", "首席技师"]),
    st.sampled_from([None, "万人", "%", "个", "万人次", "—"]),
)
def test_fuzzed_wordings_never_raise_and_never_give_a_negative_infinite_or_absurd_value(text, name, unit):
    got = parse_target(text, name=name, unit=unit, context="", period=(2026, 2030))
    assert got.target_kind in TARGET_KINDS
    if got.target_value is not None:
        assert math.isfinite(got.target_value) and got.target_value >= 0, got
        # never more than a number written in the text at the largest scale a plan writes (万亿),
        # times the table's unit: the parser reads figures, it does not make them up
        assert got.target_value <= _largest_number(text) * 1e12 * 1e4 + 1e-9, got
    if got.target_year is not None:
        assert 1900 <= got.target_year <= 2100


def test_a_long_text_is_read_like_its_first_sentence(tmp_path: Path):
    """Issue 14: ~80k characters took 30–51 s. How its time grows is a benchmark
    (``make bench``, ``bench/results/parser.json``); here: a long text gets the reading of its
    one target sentence, and the benchmark writes its figures with a verdict."""
    from analysis import parser_bench

    target = "到2030年新增就业16万人以上"
    short = parse_target(target, period=(2026, 2030))
    long = parse_target("加强公共就业服务，" * 10_000 + target, period=(2026, 2030))
    reading = [(t.target_kind, t.comparator, t.target_value, t.unit) for t in (short, long)]
    assert reading[0] == reading[1]
    assert short.target_value is not None
    assert parser_bench.main(["--repeats", "10", "40", "--out", str(tmp_path)]) in (0, 1)
    written = json.loads((tmp_path / "parser.json").read_text(encoding="utf-8"))
    assert [s["characters"] for s in written["sizes"]] == [len(parser_bench.UNIT_TEXT) * n for n in (10, 40)]
    assert written["linear"] == (written["growth_exponent"] <= parser_bench.AIM_EXPONENT)
