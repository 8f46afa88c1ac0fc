# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 地区比较与不同评估时点
# The same indicator for every region in the data (own regions and benchmarks), and the same
# plan judged at several cut-offs.

# %% tags=["parameters"]
series_id: str = "new_jobs"  # series compared across regions (observations.series_id)
plan_id: str = "shanghai-14-outline"  # plan judged at several cut-offs
region: str = "上海市"  # region the plan is evaluated for
cutoffs: list = ["2022-12-31", "2023-06-30", "2024-12-31", "2025-12-31"]  # cut-offs, YYYY-MM-DD

# %%
from analysis import explore, report

report.setup()

# %% [markdown]
# ## 各地比较

# %%
explore.regions_side_by_side(series_id)

# %% [markdown]
# ## 不同评估时点的判断

# %%
explore.at_cutoffs(plan_id, region, cutoffs)
