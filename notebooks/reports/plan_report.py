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
# # 规划实施情况评估报告
# One report per plan × region (a working paper when the plan's targets are not in the data).
# Run by `make reports` with papermill; the parameters below are the defaults for a run by hand.

# %% tags=["parameters"]
plan_id: str = "minhang-15"  # plan id (plans.plan_id)
region: str = "闵行区"  # region the plan is evaluated for
as_of: str = ""  # cut-off YYYY-MM-DD; empty for the cut-offs of the evaluation plan
data_dir: str = ""  # folder of the processed data; empty for data/processed

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
