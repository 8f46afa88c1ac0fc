# %% [markdown]
# # 部门评估任务单
# One task sheet per responsible department: what it leads and assists, the numbers it owes,
# what the project already holds, the materials to fill, risks and deadlines.

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
