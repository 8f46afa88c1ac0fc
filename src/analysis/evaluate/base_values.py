"""Declared base values: a new plan's target judged from a base the document gives under
another measure's name, with the caveat stated in the sentence.

Document 003 gives 虹桥园区“累计落地311家人力资源类企业” at the end of the 14th FYP; the 15th
FYP's target 虹桥园累计入驻企业数量 (400家以上) counts firms registered and operating since the
park opened. The figures are not the same measure, so the observation keeps its own series id;
the link between them is declared in ``data/raw/links/base_values.csv`` (dataset
``base_values``) with the caveat in Chinese.

``BaseValues.of(frames)`` reads the links. ``with_base_points(frames)`` gives the engine the
frames with each linked observation added under the target's series id (so the judgement is
the engine's own: the level rule compares the target with the base level);
``restate(out)`` rewrites the sentence of each row that rests on such a base so it says what
the base is and how its 口径 differs: "目标为2030年达到400家；以2025年累计落地311家为基数
（口径为……，与目标口径不完全一致），目标积极。" Links are few: the work is a join, and string
operations on the rows it matches, never a pass per evaluation row. Without a ``base_values``
frame (synthetic panels, older processed folders) nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import vocabulary as v
from analysis.evaluate.explain import _CMP_ZH
from analysis.formatting import fmt

#: Judgements made against the base (at a new plan's base year).
_FEASIBILITY = tuple(v.PROGRESS_ZH[c] for c in ("ambitious", "in_line", "prudent"))
_KEY = ["plan_id", "indicator_id", "region"]


@dataclass(frozen=True)
class BaseValues:
    """The declared links, each with its base observation (value, unit, period end)."""

    links: pd.DataFrame

    @classmethod
    def of(cls, frames: dict[str, pd.DataFrame]) -> BaseValues:
        links = frames.get("base_values")
        obs = frames.get("observations")
        if links is None or links.empty or obs is None or obs.empty:
            return cls(pd.DataFrame(columns=[*_KEY, "obs"]))
        chosen = obs[obs["is_preferred"] & ~obs["is_benchmark"]]
        chosen = chosen[["series_id", "region", "period", "value", "unit", "period_end"]].reset_index(names="obs")
        linked = links.merge(chosen, on=["series_id", "region", "period"], how="inner")
        return cls(linked.drop_duplicates(_KEY).reset_index(drop=True))

    def with_base_points(self, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """``frames`` with each base observation repeated under its target's series id."""
        if self.links.empty:
            return frames
        obs = frames["observations"]
        points = obs.loc[self.links["obs"]].copy()
        points["series_id"] = self.links["indicator_id"].to_numpy()
        points["plan_id"] = self.links["plan_id"].to_numpy()
        points["note"] = None  # its note describes the other measure; the caveat says it here
        return {**frames, "observations": pd.concat([obs, points], ignore_index=True)}

    def restate(self, out: pd.DataFrame) -> pd.DataFrame:
        """The sentence of each row judged against a declared base, with the base and its caveat."""
        if self.links.empty or out.empty:
            return out
        keyed = out[[*_KEY, "annual_cutoff"]].reset_index(names="row").merge(self.links, on=_KEY, how="inner")
        keyed = keyed[pd.to_datetime(keyed["period_end"]) <= keyed["annual_cutoff"]].reset_index(drop=True)
        if keyed.empty:
            return out
        rows = out.loc[keyed["row"]]
        base_year = pd.to_datetime(keyed["period_end"]).dt.year.astype(int).astype(str).to_numpy()
        base = [fmt(x, u if isinstance(u, str) else None) for x, u in zip(keyed["value"], keyed["unit"])]
        basis = (
            "以"
            + pd.Series(base_year)
            + "年"
            + keyed["wording"]
            + pd.Series(base)
            + "为基数（"
            + keyed["caveat"]
            + "）"
        ).to_numpy()
        unit = rows["unit"].where(rows["unit"].notna(), None).to_numpy()
        target = np.array([fmt(x, u) for x, u in zip(rows["target_value"], unit)], dtype=object)
        comparator = rows["comparator"].map(_CMP_ZH).fillna("").to_numpy()
        head = "目标为" + rows["target_year"].astype(int).astype(str).to_numpy() + "年" + comparator + target
        # what the target asks on that base: "规划期内需再增加89家" (a floor above the base)
        gap = rows["target_value"].to_numpy(dtype=float) - keyed["value"].to_numpy(dtype=float)
        more = np.array(
            [
                f"，按此基数规划期内需再增加{fmt(g, u)}" if c == ">=" and g > 0 else ""
                for g, u, c in zip(gap, unit, rows["comparator"])
            ],
            dtype=object,
        )
        feasible = rows["progress_zh"].isin(_FEASIBILITY).to_numpy()
        sentence = np.where(
            feasible,
            head + "；" + basis + more + "，" + rows["progress_zh"].to_numpy() + "。",
            rows["explanation_zh"].to_numpy() + "（注：" + basis + more + "。）",
        )
        out = out.copy()
        out.loc[keyed["row"], "explanation_zh"] = sentence
        return out
