# %% [markdown]
# # 部门简报
# One brief per responsible department: what it owns across the plans, the numbers, and the
# four fields the evaluation plan asks for (filled from the assessments, or 待填报).

# %% tags=["parameters"]
department = "就业处"
plans = ""
as_of = ""
data_dir = ""

# %%
from analysis import report

report.setup()
ctx = report.department_context(department, plans, as_of, data_dir)

# %%
report.department.title(ctx)

# %%
report.department.duties(ctx)

# %%
report.department.indicators(ctx)

# %%
report.department.materials(ctx)

# %%
report.department.risks(ctx)

# %%
report.department.schedule(ctx)
