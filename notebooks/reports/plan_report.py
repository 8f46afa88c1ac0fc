# %% [markdown]
# # 规划实施情况评估报告
# One report per plan × region (a working paper when the plan's targets are not in the data).
# Run by `make reports` with papermill; the parameters below are the defaults for a run by hand.

# %% tags=["parameters"]
plan_id = "minhang-15"
region = "闵行区"
as_of = ""
data_dir = ""

# %%
from analysis import report

report.setup()
ctx = report.plan_context(plan_id, region, as_of, data_dir)

# %%
report.plan.title(ctx)

# %%
report.plan.overview(ctx)

# %%
report.plan.targets_table(ctx)
report.plan.target_details(ctx)

# %%
report.plan.tasks(ctx)

# %%
report.plan.risks(ctx)

# %%
report.plan.environment(ctx)

# %%
report.plan.benchmarks(ctx)

# %%
report.plan.issues(ctx)

# %%
report.plan.suggestions(ctx)

# %%
report.plan.appendix(ctx)
