"""The reports checked as a reader checks them: built end to end (the small fixture plan and a
few of the real reports: a final evaluation, a mid-term report, a working paper, a task sheet),
then read back from their PDF, HTML and Word files."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import docx
import pandas as pd
import pytest

from analysis import datasets, paths
from analysis.build import build
from analysis.evaluate import evaluate
from analysis.publish.batch import batch_plan
from analysis.publish.index import write_index
from analysis.publish.runner import run_batch
from analysis.report import summary
from analysis.report.coverage import REASONS, unused_with_reasons

from .conftest import FIXTURES

REAL = {
    ("plan", "minhang-14__闵行区"),
    ("plan", "shanghai-14-outline__上海市"),
    ("plan", "shanghai-14-talent__上海市"),
    ("department", "就业处"),
}
#: What a reader must never see: file names, folders, commands, statistics jargon.
DEVELOPER = re.compile(
    r"[\w-]+\.(txt|csv|py|yml|ipynb|parquet|md)\b|\b(data|docs|src|reports|notebooks)/|make \w+"
    r"|t分布|Traceback|\bNaN\b|None"
)
NO_LAG = "没有滞后于预期或可能难以实现的指标"


def _publish(raw: Path, base: Path, keep: set[tuple[str, str]] | None = None) -> dict:
    data = base / "processed"
    result = build(raw, data)
    datasets.write("evaluations", evaluate(result.frames), data)
    frames = {n: datasets.read(n, data) for n in datasets.DATASETS}
    jobs = [j for j in batch_plan(frames, str(data)) if keep is None or (j.kind, j.slug) in keep]
    root = base / "reports"
    results = run_batch(jobs, root, data_dir=data, progress=False)
    evaluations = datasets.read("evaluations", data)
    write_index(results, frames, evaluations, root)
    return {"root": root, "results": results, "frames": frames, "evaluations": evaluations}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    small = _publish(FIXTURES / "raw_small", tmp_path_factory.mktemp("small"))
    real = _publish(paths.RAW, tmp_path_factory.mktemp("real"), REAL)
    assert all(r.status == "built" for b in (small, real) for r in b["results"]), [
        r.error for b in (small, real) for r in b["results"]
    ]
    return [small, real]


def _files(built: list[dict], ext: str, kind: str | None = None):
    for b in built:
        for r in b["results"]:
            if kind and r.kind != kind:
                continue
            out = next(o for o in r.outputs if o.endswith(f".{ext}"))
            yield b, r, b["root"] / out


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_no_file_name_path_or_jargon_in_any_pdf(built):
    for _, r, pdf in _files(built, "pdf"):
        text = _pdf_text(pdf)
        found = DEVELOPER.findall(text)
        assert not found, f"{r.title}: {found[:5]}"
        assert "概率约为" not in text.split("附录")[0] or r.kind != "department"


def test_the_no_lag_statement_appears_only_when_every_target_was_judged(built):
    seen_unjudged = False
    for b, r, pdf in _files(built, "pdf", "plan"):
        ev = b["evaluations"]
        ev = ev[(ev["plan_id"] == r.parameters["plan_id"]) & (ev["region"] == r.parameters["region"])]
        text = re.sub(r"\s+", "", _pdf_text(pdf))
        if ev.empty or ev["progress"].isin(summary.UNJUDGED).any():
            seen_unjudged = True
            assert NO_LAG not in text, r.title
    assert seen_unjudged  # the fixture and the real data both have unjudged targets


def test_summary_sentences_give_denominators_and_never_count_missing_data_as_verdicts():
    ev = pd.DataFrame(
        {
            "name": ["甲", "乙", "丙", "丁"],
            "progress": ["ahead", "on_track", "no_data", "pending"],
            "progress_zh": ["快于预期", "基本符合预期", "数据暂缺", "待填报"],
            "attribute": ["约束性", "预期性", "约束性", None],
            "evaluation_type": ["中期评估"] * 4,
            "outlook": ["likely", "", "", ""],
        }
    )
    text = summary.summary_zh(ev)
    assert text.startswith("4项主要指标中，1项快于预期（甲），1项基本符合预期（乙）；其余2项暂无法判断")
    assert "数据暂缺" not in text and "待补充后再作结论" in text
    assert "2项约束性指标中" in text and "另有1项指标文件未标注属性" in text
    assert summary.no_lag_statement(ev) is None
    assert "另有2项暂无法判断" in summary.verdict(ev)
    judged = ev.iloc[:2]
    assert NO_LAG in summary.no_lag_statement(judged)
    assert "全部指标均未滞后于预期" in summary.verdict(judged)


def test_a_new_plans_missing_figures_are_not_called_unassessable_work():
    """At a plan's base year there is nothing done yet to assess (考核): a target the data cannot
    judge is one whose feasibility cannot be judged (暂无法判断), for want of the earlier figures."""
    ev = pd.DataFrame(
        {
            "seq": [1, 2],
            "name": ["甲", "乙"],
            "progress": ["prudent", "no_data"],
            "progress_zh": ["目标稳妥", "数据暂缺"],
            "attribute": ["约束性", "约束性"],
            "evaluation_type": ["基期评估"] * 2,
            "outlook": ["", ""],
            "unjudged_reason": [None, "缺少基期及上一规划期的数据"],
        }
    )
    text = summary.summary_zh(ev)
    assert "1项因缺少基期及上一规划期的数据暂无法判断（乙）" in text and "考核" not in text
    midterm = ev.assign(evaluation_type="中期评估", unjudged_reason=[None, "截至2022年底尚无规划期内的数据"])
    assert "1项因截至2022年底尚无规划期内的数据暂无法考核（乙）" in summary.summary_zh(midterm)


def test_a_bound_is_shown_as_a_bound(built):
    """Document 003 states 劳动争议先行调解率 as '65%以上': the table keeps the bound."""
    real = built[1]
    html = next(p for b, r, p in _files([real], "html", "plan") if r.parameters["plan_id"] == "minhang-14")
    page = html.read_text(encoding="utf-8")
    targets = re.search(r'<table class="data targets">(.*?)</table>', page, re.S).group(1)
    row = re.search(r"<tr><td>\d+\. 劳动争议先行调解率.*?</tr>", targets, re.S).group(0)
    assert "65%以上" in re.sub(r"<[^>]+>", "", row)
    # a level is measured from its base year, so its missing base is a gap; a total is not

    def cells(name: str) -> list[str]:
        return re.findall(r"<td>(.*?)</td>", re.search(rf"<tr><td>\d+\. {name}.*?</tr>", targets, re.S).group(0), re.S)

    assert cells("劳动争议先行调解率")[2] == "数据暂缺"
    assert cells("职业技能培训人数")[2] == "—"
    # and so does each target's list of data: a value stated in words keeps its words, not a bare 0
    text = re.sub(r"<[^>]+>", "", page)
    assert "数据：2025年末动态为零" in text and "2025年末0" not in text
    assert "数据：2025年末65%以上" in text


def test_every_report_lists_its_sources_by_title_without_repeats(built):
    for _, r, html in _files(built, "html"):
        page = html.read_text(encoding="utf-8")
        sources = re.search(r'<ol class="sources">(.*?)</ol>', page, re.S)
        assert sources, f"{r.title}: no source list"
        entries = [re.sub(r"<[^>]+>", "", e) for e in re.findall(r"<li>(.*?)</li>", sources.group(1))]
        # a document or publication by its title: 《…》, or “…” for a report in English
        assert entries and all("《" in e or "“" in e for e in entries), r.title
        texts = [e.split("] ", 1)[1] for e in entries]
        assert len(texts) == len(set(texts)), f"{r.title}: repeated sources"
        assert not any(".txt" in e for e in entries)
        cited = {int(n) for n in re.findall(r'<sup class="note">\[(\d+)\]</sup>', page)}
        assert cited <= set(range(1, len(entries) + 1)), f"{r.title}: a note number without its source"


def test_headings_are_numbered_in_order_and_sections_are_those_of_an_evaluation(built):
    numerals = "一二三四五六七八九十"
    for _, r, html in _files(built, "html"):
        page = html.read_text(encoding="utf-8")
        heads = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)]
        numbered = [h for h in heads if "、" in h[:3]]
        assert [h[0] for h in numbered] == list(numerals[: len(numbered)]), (r.title, heads)
        if r.kind == "plan" and "工作底稿" not in r.title:
            for section in (
                "总体情况",
                "主要目标指标实现情况",
                "重大任务推进情况",
                "防控化解重大风险情况",
                "发展环境",
                "对标比较",
                "存在问题及原因",
                "对策建议",
                "附录",
            ):
                assert any(section in h for h in heads), (r.title, section)


def test_no_table_column_is_empty_in_every_row(built):
    for _, r, html in _files(built, "html"):
        page = html.read_text(encoding="utf-8")
        for t in re.findall(r'<table class="data targets">(.*?)</table>', page, re.S):
            rows = [re.findall(r"<td>(.*?)</td>", tr, re.S) for tr in re.findall(r"<tr>(.*?)</tr>", t, re.S)]
            rows = [row for row in rows if row]
            for i in range(len(rows[0])):
                assert any(re.sub(r"<[^>]+>", "", row[i]).strip() not in ("—", "") for row in rows), (r.title, i)


def test_each_word_copy_opens_and_holds_the_title_the_table_and_a_chart(built):
    for b, r, path in _files(built, "docx"):
        d = docx.Document(str(path))
        first = next(p.text for p in d.paragraphs if p.text.strip())
        html = (b["root"] / next(o for o in r.outputs if o.endswith(".html"))).read_text(encoding="utf-8")
        h1 = re.sub(r"<[^>]+>", "", re.search(r'<h1 class="title[^"]*">(.*?)<br/?>', html, re.S).group(1))
        assert first == h1, (first, h1)
        headers = [" ".join(c.text for c in t.rows[0].cells) for t in d.tables]
        section = d.sections[0]
        assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
        assert "PAGE" in section.footer._element.xml
        if r.kind == "plan" and "工作底稿" not in r.title:
            assert any("指标" in h and "目标" in h for h in headers), (r.title, headers)
            assert len(d.inline_shapes) >= 1, r.title
        elif r.kind == "plan":
            assert any("资料" in h and "提供单位" in h for h in headers), (r.title, headers)
        else:
            assert any("需报送" in h for h in headers) or any("内容" in h for h in headers), (r.title, headers)


def test_the_index_uses_the_covers_titles_and_links_the_word_copies(built):
    for b in built:
        index = (b["root"] / "index.html").read_text(encoding="utf-8")
        for r in b["results"]:
            assert r.title.replace("“", "“") in index or r.title in index.replace("&quot;", '"')
            for out in r.outputs:
                assert f'href="{out}"' in index
        assert "用时" not in index and "未变化" not in index  # build internals are not the coordinator's


def test_a_working_paper_lists_only_its_own_plans_risks(built):
    """The talent plan's evaluation is 开发处's with 市委组织部: the bureau's risk list is not its."""
    real = built[1]
    pdf = next(p for _, r, p in _files([real], "pdf", "plan") if r.parameters["plan_id"] == "shanghai-14-talent")
    text = re.sub(r"\s+", "", _pdf_text(pdf))
    assert "工作底稿" in text and "人事考试安全" not in text and "社会保险基金管理" not in text


def test_a_task_sheet_is_a_form_of_at_most_two_pages(built):
    """就业处 leads 6 items, assists 1 and owns 5 indicators: two pages, each item's state once,
    the four fields named once (not a 4 × N grid of 待填报), the deadline with its year."""
    real = built[1]
    pdf = next(p for _, r, p in _files([real], "pdf", "department") if r.slug == "就业处")
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) <= 2
    text = re.sub(r"\s+", "", _pdf_text(pdf))
    assert text.count("进展情况、成效经验、存在问题及原因、下一步建议") == 1
    assert text.count("待填报") <= 6 + 1  # one per led item, and the count sentence
    assert "2023年5月25日前" in text and "联系部门研究室" in text
    assert "（口径不同）" in text  # a figure of another 口径 pre-filled, and marked


UNUSED = Path(__file__).parent / "data" / "unused_observations.csv"


def test_every_observation_is_used_by_some_report_or_its_absence_explained(real_build):
    """Every observation no report shows is listed, with its reason, in tests/data/unused_observations.csv
    (one row per series, region and reason, with the periods and a reviewed explanation).

    After a change in the data or the report rules: ``UNUSED_OBSERVATIONS=write pytest -k absence_explained``
    rewrites the list keeping the explanations of the rows that stay; write one for each new row and
    read the diff."""
    result, _out = real_build
    frames = dict(result.frames)
    ev = evaluate(frames)
    unused = unused_with_reasons(frames, ev)
    unexplained = unused[unused["reason"] == ""]
    assert unexplained.empty, unexplained[["series_id", "region", "period"]].to_string()
    assert set(unused["reason"]) <= set(REASONS)
    got = (
        unused.groupby(["series_id", "region", "reason"], sort=True)["period"]
        .agg(lambda p: "；".join(p))
        .rename("periods")
        .reset_index()
    )
    listed = pd.read_csv(UNUSED, dtype=str, keep_default_na=False) if UNUSED.exists() else got.iloc[:0]
    if os.environ.get("UNUSED_OBSERVATIONS") == "write":
        keep = listed.set_index(["series_id", "region", "reason"])["explanation"] if len(listed) else {}
        got["explanation"] = [keep.get(k, "") for k in zip(got["series_id"], got["region"], got["reason"])]
        got.to_csv(UNUSED, index=False, lineterminator="\n")
        listed = got
    pd.testing.assert_frame_equal(
        listed.drop(columns="explanation").reset_index(drop=True),
        got[["series_id", "region", "reason", "periods"]].reset_index(drop=True),
    )
    assert (listed["explanation"].str.strip() != "").all(), listed.loc[listed["explanation"].str.strip() == ""]
    # the figures a reviewer looks for in document 003 are all used
    used = frames["observations"].drop(unused.index)
    for sid in (
        "employment_subsidy_paid",
        "hongqiao_park_hr_firms_landed",
        "land_acquisition_persons",
        "wage_payment_assessment_rank",
        "disposable_income_growth",
    ):
        assert sid in set(used["series_id"]), sid
    # nothing after a cut-off counts as used by a mid-term report
    late = unused[unused["reason"] == "after_cutoff"]
    assert (late["period_end"] > pd.Timestamp("2022-12-31")).all()
    # a count is never a benchmark, a rate left out has no own value that year
    assert (unused.loc[unused["reason"] == "count", "unit"] != "%").all()


def test_targets_the_data_cannot_decide_are_counted_with_the_remainder_not_as_verdicts():
    """无法考核 (a series that stopped) and 难以判断 (one point) are no verdicts: the count sentence
    puts them with their reason among those not judged, the no-lag statement stays away, and
    nothing asks for data that will not come."""
    ev = pd.DataFrame(
        {
            "name": ["甲", "乙", "丙"],
            "progress": ["met", "met", "unassessable"],
            "progress_zh": ["完成", "完成", "无法考核"],
            "attribute": [None] * 3,
            "evaluation_type": ["期末评估"] * 3,
            "outlook": [""] * 3,
            "unjudged_reason": [None, None, "2024年起不再分解该数据"],
        }
    )
    text = summary.count_sentence(ev)
    assert text == "3项主要指标中，2项完成（甲、乙）；其余1项暂无法判断：1项因2024年起不再分解该数据，无法考核（丙）。"
    assert summary.no_lag_statement(ev) is None
    assert "另有1项无法判断（丙）" in summary.verdict(ev) and "待数据和材料补充" not in summary.verdict(ev)
    one_point = ev.assign(progress=["in_line", "prudent", "undetermined"], evaluation_type="基期评估")
    assert "1项因2024年起不再分解该数据，暂难判断（丙）" in summary.count_sentence(one_point)
    assert list(summary.judged(one_point)["name"]) == ["甲", "乙"]


def test_the_method_paragraphs_quote_the_engines_thresholds_and_words():
    """The appendix states the thresholds the engine uses (from analysis.vocabulary), only the
    words it produces (no 基本完成), and says how far to trust the range."""
    from analysis import vocabulary as v
    from analysis.report import plan

    assert f"{v.AHEAD:g}倍及以上为“快于预期”" in plan.METHOD and f"低于{v.ON_TRACK:g}倍" in plan.METHOD
    assert f"{round(v.EXCEEDED * 100)}%及以上为“超额完成”" in plan.METHOD
    assert "基本完成" not in plan.METHOD and "无法考核" in plan.METHOD
    assert "目标积极”" in plan.FEASIBILITY_METHOD and f"{round((v.AMBITIOUS - 1) * 100)}%" in plan.FEASIBILITY_METHOD
    assert "八成及以上的为“可如期实现”" in plan.OUTLOOK_METHOD and v.LIKELY == 0.8
    assert "范围偏窄" in plan.OUTLOOK_METHOD and "范围偏宽" in plan.OUTLOOK_METHOD
