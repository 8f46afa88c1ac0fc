"""Declared base values (data/raw/links/base_values.csv): a new plan's target judged against a base
the document gives under another measure's name, with the caveat stated wherever it is used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from analysis.build import build
from analysis.evaluate import evaluate
from analysis.report import usage
from analysis.report.coverage import used_observations

from .conftest import SMALL_RAW, record_checksum


def _row(ev: pd.DataFrame, indicator: str) -> pd.Series:
    return ev.set_index("indicator_id").loc[indicator]


def test_the_hongqiao_target_is_judged_from_the_311_firms_with_the_caveat(real_build):
    result, _ = real_build
    ev = evaluate(result.frames)
    row = _row(ev[ev["plan_id"] == "minhang-15"], "hongqiao_park_firms")
    # 400 against 311, with no earlier count: judged from the base (not 数据暂缺), but the pace
    # the target needs has nothing to be set against, and the sentence says so
    assert row["progress_zh"] == "难以判断"
    sentence = row["explanation_zh"]
    assert sentence.startswith("目标为2030年达到400家，基期水平为311家；仅有基期2025年一个数据点")
    assert "（注：以2025年累计落地311家为基数（" in sentence
    assert "与目标口径不完全一致" in sentence and "需再增加89家" in sentence
    # the annex's definition, verbatim
    assert "“自正式开园运营之日起累计引进并完成注册且正常开展经营活动的人力资源服务企业总数”" in sentence
    # the observation keeps its own series: nothing in the processed data is relabelled
    obs = result.frames["observations"]
    assert not ((obs["series_id"] == "hongqiao_park_firms") & (obs["value"] == 311)).any()


def test_without_the_link_the_target_stays_unjudged(real_build):
    result, _ = real_build
    frames = {k: v for k, v in result.frames.items() if k != "base_values"}
    row = _row(evaluate(frames).query("plan_id == 'minhang-15'"), "hongqiao_park_firms")
    assert row["progress_zh"] == "数据暂缺"


def test_a_base_published_after_the_cut_off_is_not_used(real_build):
    result, _ = real_build
    ev = evaluate(result.frames, as_of="2024-12-31")
    row = _row(ev[ev["plan_id"] == "minhang-15"], "hongqiao_park_firms")
    assert "311" not in row["explanation_zh"] and row["progress_zh"] == "数据暂缺"
    assert (
        usage.declared_base(result.frames, "minhang-15", "hongqiao_park_firms", "闵行区", pd.Timestamp("2024-12-31"))
        is None
    )


def test_the_report_shows_the_base_and_counts_it_as_used(real_build):
    result, _ = real_build
    frames = result.frames
    link, obs = usage.declared_base(frames, "minhang-15", "hongqiao_park_firms", "闵行区", pd.Timestamp("2025-12-31"))
    assert obs["value"] == 311 and link["wording"] == "累计落地"
    assert obs.name in used_observations(frames, evaluate(frames))


def test_a_link_in_a_fresh_district_judges_its_target(tmp_path: Path):
    """End to end on the small fixture: a base given as another measure is linked and stated."""
    raw = tmp_path / "raw"
    shutil.copytree(SMALL_RAW, raw)
    doc = raw / "documents" / "fixture_plan.txt"
    doc.write_text(doc.read_text(encoding="utf-8") + "\n“十四五”末城镇登记失业率为 4.2%。\n", encoding="utf-8")
    record_checksum(raw)
    obs = raw / "observations_in_text.csv"
    obs.write_text(
        obs.read_text(encoding="utf-8") + "example-15,示例区,registered_unemployment_rate,城镇登记失业率,"
        "4.2%,%,2025,2025,stock,“十四五”末城镇登记失业率为 4.2%,fixture_plan.txt,正文,,\n",
        encoding="utf-8",
    )
    (raw / "links").mkdir()
    shutil.copyfile(
        Path(__file__).parents[1] / "data" / "raw" / "links" / "base_values.meta.yml",
        raw / "links" / "base_values.meta.yml",
    )
    (raw / "links" / "base_values.csv").write_text(
        "plan_id,indicator_id,series_id,period,wording,caveat,definition_quote,source_document,source_location\n"
        "example-15,surveyed_unemployment_rate,registered_unemployment_rate,2025年末,城镇登记失业率,"
        "口径为“城镇登记失业率”，与目标“城镇调查失业率”口径不完全一致,城镇调查失业率,fixture_plan.txt,正文\n",
        encoding="utf-8",
    )
    result = build(raw, tmp_path / "processed")
    row = _row(evaluate(result.frames), "surveyed_unemployment_rate")
    assert row["progress_zh"] in ("目标积极", "与既往持平", "目标稳妥")
    assert "以2025年城镇登记失业率4.2%为基数（口径为“城镇登记失业率”" in row["explanation_zh"]
    assert "需再增加" not in row["explanation_zh"]  # a ceiling: nothing to add
