"""What a report notebook calls: one function per section.

Plan reports: ``ctx = report.plan_context(plan_id, region, as_of, data_dir)`` then
``report.plan.title(ctx)``, ``report.plan.overview(ctx)`` … in the order of document 000's
evaluation plan. Department briefs: ``report.department_context(...)`` and
``report.department.*``. ``report.setup()`` sets SVG charts and the CJK theme.
"""

from analysis.report import department, plan
from analysis.report.context import PlanContext, plan_context
from analysis.report.department import DepartmentContext, department_context
from analysis.report.display import setup

__all__ = ["DepartmentContext", "PlanContext", "department", "department_context", "plan", "plan_context", "setup"]
