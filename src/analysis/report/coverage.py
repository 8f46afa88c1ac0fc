"""Which observations no report uses, and why: every figure the project holds is either shown
in some report or has a stated reason not to be (after every cut-off, another source preferred
for the period, a benchmark left out as not like-with-like, or no target measures it)."""

from __future__ import annotations

import pandas as pd

from analysis.report import usage

REASONS = {
    "after_cutoff": "发布期晚于所有相关评估的截止时点",
    "not_preferred": "同期另有来源，评估采用另一条",
    "not_comparable": "对标数据与本地区指标不同口径、不同单位或不同年份，未作比较",
    "no_target": "没有规划目标以此计量，也无正文引用",
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
        document = str(plans.loc[s.plan_id, "source"]).split("：")[0]
        mine = passages[passages["source"].str.startswith(f"{document}：")]
        series = usage.passage_series(mine, list(mine["plan_id"].unique()))
        used |= set(obs[obs["series_id"].isin(series) & obs["source"].str.startswith(f"{document}：")].index)
    return used


def unused_with_reasons(frames: dict[str, pd.DataFrame], evaluations: pd.DataFrame) -> pd.DataFrame:
    """Observations no report shows, each with the reason code (empty = unexplained)."""
    obs = frames["observations"]
    unused = obs.loc[sorted(set(obs.index) - used_observations(frames, evaluations))].copy()
    settings = frames["evaluation_settings"]
    targets = set(evaluations["indicator_id"])
    reasons = []
    for o in unused.itertuples():
        regional = settings[settings["region"] == o.region] if not o.is_benchmark else settings
        measured = (o.series_id in targets or any(o.series_id.startswith(f"{t}_") for t in targets)
                    or o.series_id in set(frames["evidence"]["series_id"]))
        if not o.is_preferred:
            reasons.append("not_preferred")
        elif measured and len(regional) and (o.period_end > regional["annual_cutoff"].max()
                                             or (o.period_type in usage.MONTHLY and regional["monthly_cutoff"].notna().any()
                                                 and o.period_end > regional["monthly_cutoff"].max())):
            reasons.append("after_cutoff")
        elif measured and (o.is_benchmark or o.region == "全国"):
            reasons.append("not_comparable")
        elif not measured:
            reasons.append("no_target")
        else:
            reasons.append("")
    unused["reason"] = reasons
    return unused
