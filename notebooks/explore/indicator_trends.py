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
# # 指标趋势探索
# Pick a plan, region, indicator and cut-off (a list of year-ends and the plan's own cut-offs); the chart shows the
# observations, the target line, the schedule path and the projection band.

# %% tags=["parameters"]
plan_id: str = "shanghai-14-outline"  # plan id (plans.plan_id)
region: str = "上海市"  # region the plan is evaluated for
indicator_id: str = "new_jobs"  # indicator id (indicators.indicator_id)
as_of: str = ""  # cut-off YYYY-MM-DD; empty for the cut-offs of the evaluation plan

# %%
from analysis import explore, report

report.setup()

# %% [markdown]
# ## 交互选择

# %%
explore.explorer()

# %% [markdown]
# ## 指定指标

# %%
explore.trend(plan_id, region, indicator_id, as_of)
