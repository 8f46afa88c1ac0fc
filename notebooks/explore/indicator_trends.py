# %% [markdown]
# # 指标趋势探索
# Pick a plan, region, indicator and cut-off (a list of year-ends and the plan's own cut-offs); the chart shows the
# observations, the target line, the schedule path and the projection band.

# %% tags=["parameters"]
plan_id = "shanghai-14-outline"
region = "上海市"
indicator_id = "new_jobs"
as_of = ""

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
