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
# # 部门评估任务单
# One task sheet per responsible department: what it leads and assists, the numbers it owes,
# what the project already holds, the materials to fill, risks and deadlines.

# %% tags=["parameters"]
department: str = "就业处"  # department (departments.department)
plans: str = ""  # plan ids separated by commas; empty for every plan
as_of: str = ""  # cut-off YYYY-MM-DD; empty for the cut-offs of the evaluation plan
data_dir: str = ""  # folder of the processed data; empty for data/processed

# %%
from analysis import report

report.setup()
ctx = report.department_context(department, plans, as_of, data_dir)

# %%
report.department.title(ctx)

# %%
report.department.duties(ctx)

# %%
report.department.materials(ctx)

# %%
report.department.indicators(ctx)

# %%
report.department.risks(ctx)

# %%
report.department.schedule(ctx)
