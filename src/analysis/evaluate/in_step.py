"""Targets that keep one growth in step with another, judged from both series year by year.

"居民人均可支配收入增长与经济增长基本同步" states no figure, so without this step it waits for a
department's assessment (待填报) although both growth rates are published. Where the evidence
links name the pair (``evidence.comparison``: ``subject``, the growth the target is about, and
``benchmark``, the growth it keeps pace with), every plan year up to the annual cut-off whose
**full-year** values of both are published is compared:

- a year is in step when the subject grew at least as fast as the benchmark less
  ``vocabulary.IN_STEP_POINTS`` percentage points. Faster counts as in step: the target is that
  incomes do not fall behind the economy, as published reviews read it ("增速快于经济增长");
- during a plan: every compared year in step → 基本符合预期 (``on_track``), any year behind →
  滞后于预期 (``behind``);
- at the plan's end: any year behind → 未完成 (``missed``); every plan year compared and in step
  → 完成 (``met``); otherwise 数据暂缺 (``no_data``);
- no year compared → 数据暂缺.

Growths are compared on one price basis only (``evidence.price_basis``): the published sense of
基本同步 sets income growth in real terms against GDP growth at comparable prices, and a nominal
income growth set against a real GDP growth would flatter income by the inflation rate. A pair
on two bases stays 待填报, and the sentence says why and what is missing. A part-year figure
(1—9月) is not compared with a full year: the sentence names the year as lacking a full-year
value and shows the part-year figure. The two growths are not forecast, so
there is no outlook. The judgement replaces only 待填报: a department's assessment and the
plan's own statement ("完成") stay as they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import vocabulary as v
from analysis.evaluate.series import join_per_row
from analysis.formatting import fmt_all

__all__ = ["COMPARISONS", "METHOD", "judge_in_step", "pairs"]

#: The roles of the two series of an in-step target (``evidence.comparison``).
COMPARISONS = ("subject", "benchmark")
#: ``evidence.price_basis`` in words.
BASIS_ZH = {"nominal": "名义增速", "real": "实际增速"}
METHOD = f"两项增速逐年对照（低于对照增速不超过{v.IN_STEP_POINTS:g}个百分点为同步）"
_KEY = ["plan_id", "indicator_id"]


def pairs(evidence: pd.DataFrame | None) -> pd.DataFrame:
    """One row per target whose evidence names both series: the series and their labels."""
    cols = [*_KEY] + [f"{r}_{c}" for r in COMPARISONS for c in ("series", "label", "basis")]
    if evidence is None or "comparison" not in evidence:
        return pd.DataFrame(columns=cols)
    sides = []
    for role in COMPARISONS:
        side = evidence.loc[
            evidence["comparison"].eq(role).fillna(False), [*_KEY, "series_id", "relation", "price_basis"]
        ]
        names = {"series_id": f"{role}_series", "relation": f"{role}_label", "price_basis": f"{role}_basis"}
        sides.append(side.rename(columns=names))
    return sides[0].merge(sides[1], on=_KEY)[cols]


def judge_in_step(out: pd.DataFrame, evidence: pd.DataFrame | None, observations: pd.DataFrame) -> None:
    """Judge ``out``'s in-step targets in place (``evaluate``'s rows, sentences written):
    progress, its words, its basis (``derived``), the method and the sentence."""
    linked = pairs(evidence)
    if linked.empty:  # nearly every run (a national panel has no pairs): nothing to read
        return
    waiting = out["target_kind"].eq("qualitative") & out["progress"].eq("pending")
    if not waiting.any():
        return
    cols = [*_KEY, "region", "period_start", "target_year", "annual_cutoff", "evaluation_type"]
    rows = out.loc[waiting, cols].reset_index(names="at").merge(linked, on=_KEY)
    if rows.empty:
        return
    years = _plan_years(rows)
    for role in COMPARISONS:
        years = years.merge(_yearly(observations, role), on=[f"{role}_series", "region", "year"], how="left")
    years = years.sort_values(["at", "year"], kind="stable").reset_index(drop=True)
    rows = rows.sort_values("at", kind="stable").reset_index(drop=True)
    code, sentence = _verdicts(rows, years)
    # two price bases: not compared, and the sentence says why (the target stays 待填报)
    apart = rows["subject_basis"].ne(rows["benchmark_basis"]).to_numpy()
    code = np.where(apart, "pending", code).tolist()
    subject, benchmark = rows["subject_label"], rows["benchmark_label"]
    subject_basis, benchmark_basis = rows["subject_basis"].map(BASIS_ZH), rows["benchmark_basis"].map(BASIS_ZH)
    why = (
        subject
        + "为"
        + subject_basis
        + "，"
        + benchmark
        + "为"
        + benchmark_basis
        + "，口径不同，未作逐年对照；待取得同口径增速后再作判断。"
    )
    sentence = sentence.where(~apart, why)
    at = rows["at"].to_numpy()
    out.loc[at, "progress"] = code
    out.loc[at, "progress_zh"] = [v.PROGRESS_ZH[c] for c in code]
    out.loc[at, "progress_basis"] = np.where(apart, "none", "derived")
    out.loc[at, "method"] = np.where(apart, out.loc[at, "method"], METHOD)
    out.loc[at, "explanation_zh"] = sentence.to_numpy()
    # why it stays 待填报, as the plan's summary counts it (not "no materials yet")
    reason = subject + "（" + subject_basis + "）与" + benchmark + "（" + benchmark_basis + "）口径不同"
    out.loc[at[apart], "unjudged_reason"] = reason[apart].to_numpy()


def _plan_years(rows: pd.DataFrame) -> pd.DataFrame:
    """(row, year) for every plan year up to the target year and the annual cut-off."""
    first = rows["period_start"].astype(int).to_numpy()
    last = np.minimum(rows["target_year"].astype(int).to_numpy(), rows["annual_cutoff"].dt.year.to_numpy())
    count = np.maximum(last - first + 1, 0)
    take = np.repeat(np.arange(len(rows)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    years = rows.iloc[take].reset_index(drop=True)
    years["year"] = first[take] + offset
    return years


def _yearly(observations: pd.DataFrame, role: str) -> pd.DataFrame:
    """Per series, region and year: the full-year value and its text, and the latest part-year
    figure of that year as the sentence shows it ("1—9月为1%"), columns prefixed by ``role``."""
    o = observations[observations["is_preferred"]]
    o = o.assign(year=o["period_end"].dt.year)
    full = o[o["period_type"].eq("year")].drop_duplicates(["series_id", "region", "year"])
    part = o[o["period_type"].eq("ytd")].sort_values("period_end", kind="stable")
    part = part.drop_duplicates(["series_id", "region", "year"], keep="last")
    part = part.assign(partial="1—" + part["period_end"].dt.month.astype(str) + "月为" + part["value_text"].astype(str))
    keys = ["series_id", "region", "year"]
    both = full[[*keys, "value", "value_text"]].merge(part[[*keys, "partial"]], on=keys, how="outer")
    return both.rename(
        columns={
            "series_id": f"{role}_series",
            "value": role,
            "value_text": f"{role}_text",
            "partial": f"{role}_partial",
        }
    )


def _rate(label: pd.Series) -> pd.Series:
    """ "居民人均可支配收入增长" → "居民人均可支配收入增速"."""
    return label.str.replace(r"增长$", "增速", regex=True)


def _growth(label: pd.Series, value: pd.Series, text: pd.Series) -> pd.Series:
    """ "居民人均可支配收入增长8%", or with a fall "地区生产总值下降0.2%"."""
    down = (value < 0).to_numpy()
    word = label.where(~down, label.str.replace(r"增长$", "下降", regex=True))
    shown = text.astype(str).where(~down, text.astype(str).str.lstrip("-−"))
    return word + shown


def _verdicts(rows: pd.DataFrame, years: pd.DataFrame) -> tuple[list[str], pd.Series]:
    """Per row (sorted by ``at``): the progress code and the sentence."""
    both = years["subject"].notna() & years["benchmark"].notna()
    gap = (years["subject"] - years["benchmark"]).round(6)
    behind = (both & (gap < -v.IN_STEP_POINTS)).to_numpy()
    faster = (both & (gap >= v.IN_STEP_POINTS)).to_numpy()
    lag = pd.Series(fmt_all((-gap).round(1).to_numpy(), ["个百分点"] * len(gap)), index=years.index).astype(str)
    subject_rate, benchmark_rate = _rate(years["subject_label"]), _rate(years["benchmark_label"])
    verdict = pd.Series(
        np.select(
            [behind, faster],
            [subject_rate + "低于" + benchmark_rate + lag, subject_rate + "快于" + benchmark_rate],
            default="两者基本同步",
        ),
        index=years.index,
    )
    compared = (
        years["year"].astype(str)
        + "年"
        + _growth(years["subject_label"], years["subject"], years["subject_text"])
        + "，"
        + _growth(years["benchmark_label"], years["benchmark"], years["benchmark_text"])
        + "，"
        + verdict
    )
    missing = years["subject"].isna()
    name = years["subject_label"].where(missing, years["benchmark_label"]).str.replace(r"增长$", "", regex=True)
    partial = years["subject_partial"].where(missing, years["benchmark_partial"])
    lacking = (
        years["year"].astype(str) + "年" + name + "尚无全年数据" + ("（" + partial + "）").fillna("") + "，未作对照"
    )
    clause = compared.where(both, lacking)
    n = len(rows)
    pos = np.searchsorted(rows["at"].to_numpy(), years["at"].to_numpy())
    text = join_per_row(pos, clause, n, "；", pd.RangeIndex(n))
    count = lambda mask: np.bincount(pos, weights=np.asarray(mask, float), minlength=n).astype(int)  # noqa: E731
    done, lagging, span = count(both), count(behind), count(np.ones(len(years)))
    final = rows["evaluation_type"].eq(v.FINAL).to_numpy()
    code = np.select(
        [lagging > 0, done == 0, final & (done < span), final],
        [np.where(final, "missed", "behind"), "no_data", "no_data", "met"],
        default="on_track",
    ).tolist()
    ending = np.select(
        [lagging > 0, done == 0, final & (done < span), final],
        [
            pd.Series(done).astype(str) + "个对照年度中" + pd.Series(lagging).astype(str) + "个年度未同步",
            pd.Series(["尚无可对照的全年数据"] * n),
            "已对照的" + pd.Series(done).astype(str) + "个年度均同步，其余年度数据暂缺，待补充后再作结论",
            pd.Series(["规划期各年度均同步"] * n),
        ],
        default="已对照的" + pd.Series(done).astype(str) + "个年度均同步",
    )
    words = pd.Series([v.PROGRESS_ZH[c] for c in code])
    tail = np.where(final & (done < span) & (lagging == 0) & (done > 0), "", "，" + words)
    sentence = text.fillna("") + "。" + pd.Series(ending) + tail + "。"
    return code, sentence
