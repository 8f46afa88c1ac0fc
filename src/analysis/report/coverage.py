"""Which observations no report uses, and why: every figure the project holds is either shown
in some report or has a stated reason not to be (after every cut-off, another source preferred
for the period, a benchmark left out as not like-with-like, or no target measures it)."""

from __future__ import annotations

import pandas as pd

from analysis import sources
from analysis.report import usage

REASONS = {
    "not_preferred": "同期另有来源，评估采用另一条",
    "after_cutoff": "发布期晚于可使用该数据的各项评估的截止时点",
    "count": "对标数据为总量，与地区规模有关，不作对标比较",
    "no_common_year": "本地区同一年份没有可比数值，未作对标比较",
    "no_target": "没有规划目标以此计量，也无正文或佐证引用",
}


def used_observations(frames: dict[str, pd.DataFrame], evaluations: pd.DataFrame) -> set[int]:
    """Index labels of ``observations`` that at least one plan report shows (the same rules the
    report sections use: usage.own, usage.related, usage.declared_base, usage.benchmarks, passages'
    series)."""
    obs = frames["observations"]
    used: set[int] = set()
    settings = frames["evaluation_settings"]
    plans = frames["plans"].set_index("plan_id")
    passages = frames["passages"]
    for s in settings.itertuples():
        annual = pd.Timestamp(s.annual_cutoff)
        monthly = None if pd.isna(s.monthly_cutoff) else pd.Timestamp(s.monthly_cutoff)
        ev = evaluations[(evaluations["plan_id"] == s.plan_id) & (evaluations["region"] == s.region)]
        for iid in ev["indicator_id"]:
            used |= set(usage.own(obs, iid, s.region, annual, monthly).index)
            declared = usage.declared_base(frames, s.plan_id, iid, s.region, annual)
            if declared is not None:
                used.add(declared[1].name)
            used |= set(usage.related(obs, iid, s.region, annual, monthly).index)
            for _, _, rows in usage.evidence(frames, s.plan_id, iid, s.region, annual, monthly):
                used |= set(rows.index)
        if ev.empty:
            for _, _, rows in usage.evidence(frames, s.plan_id, None, s.region, annual, monthly):
                used |= set(rows.index)
        for item in usage.benchmarks(obs, list(ev["indicator_id"]), s.region, annual).values():
            if item["rows"] is not None:
                used |= set(item["rows"].index)
        document = sources.document(plans.loc[s.plan_id])
        mine = passages[sources.cites(passages, document)]
        series = usage.passage_series(mine, list(mine["plan_id"].unique()))
        used |= set(obs[obs["series_id"].isin(series) & sources.cites(obs, document)].index)
    return used


def unused_with_reasons(frames: dict[str, pd.DataFrame], evaluations: pd.DataFrame) -> pd.DataFrame:
    """Observations no report shows, each with the reason the rules give (empty = none fits).

    The evaluations that could use an observation: those of its region that measure its series
    (a target or an evidence link); for a benchmark or the nation's value, those of any region.
    It is after the cut-off when its period ends after the latest cut-off of those evaluations
    (the monthly one for a month or year-to-date value); a comparison value is left out as a
    count (a region's size decides it) or for want of the region's own value in the same year."""
    obs = frames["observations"]
    unused = obs.loc[sorted(set(obs.index) - used_observations(frames, evaluations))].copy()
    settings = frames["evaluation_settings"]
    evidence = frames["evidence"]
    measured = evaluations[["plan_id", "region", "indicator_id"]].rename(columns={"indicator_id": "series_id"})
    links = evidence[["plan_id", "series_id"]].merge(settings[["plan_id", "region"]], on="plan_id")
    users = pd.concat([measured, links]).merge(settings, on=["plan_id", "region"]).drop_duplicates()
    evaluated = set(settings["region"])
    reasons = []
    for o in unused.itertuples():
        mine = users[users["series_id"] == o.series_id]
        if not o.is_benchmark and o.region in evaluated:
            mine = mine[mine["region"] == o.region]
        monthly = o.period_type in usage.MONTHLY
        cutoffs = mine["monthly_cutoff"].fillna(mine["annual_cutoff"]) if monthly else mine["annual_cutoff"]
        if not o.is_preferred:
            reasons.append("not_preferred")
        elif mine.empty:
            reasons.append("no_target")
        elif o.period_end > cutoffs.max():
            reasons.append("after_cutoff")
        elif o.is_benchmark or o.region not in evaluated:
            reasons.append("count" if o.unit != "%" else "no_common_year")
        else:
            reasons.append("")
    unused["reason"] = reasons
    return unused
