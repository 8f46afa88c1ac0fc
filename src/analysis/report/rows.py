"""The rows of the processed tables as the report code reads them, for the type checker.

``DataFrame.itertuples()`` yields one namedtuple per row, its fields the table's columns
(``data/processed/*.meta.yml``). pandas ships no type stubs here, so mypy sees those rows as
``Any`` and a helper taking a row could only say ``object`` — which has none of the fields. Each
protocol names the columns its helpers read, so a misspelt column is caught before a report is
built. A ``pd.Series`` of the same table (``frame.iloc[0]``) fits as well: it answers
``row.column`` in the same way.

Fields carry the type of their column's values. A missing value stays what pandas reads it
as — NaN in float and string columns, NaT in date columns, ``pd.NA`` in Int64 columns — which
these types cannot spell; the helpers test for it (``_has``, ``isinstance``, ``pd.isna``)
before they use a value.
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd

__all__ = ["EvaluationRow", "MilestoneRow", "ObservationRow", "PassageRow"]


class EvaluationRow(Protocol):
    """A row of ``evaluations``: one target judged at one cut-off."""

    plan_id: str
    indicator_id: str
    region: str
    target_kind: str
    target_value: float
    target_year: float
    base_value: float
    latest_value: float
    latest_year: int


class ObservationRow(Protocol):
    """A row of ``observations``: one published figure for one period."""

    period: str
    period_type: str
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    value: float
    comparator: str
    value_text: str
    status: str
    unit: str


class PassageRow(Protocol):
    """A row of ``passages``: a verbatim passage of a plan document (an achievement, task, project, …)."""

    plan_id: str
    kind: str
    section: str
    text: str
    source_document: str
    source_location: str


class MilestoneRow(Protocol):
    """A row of ``milestones``: one stage of an evaluation exercise's schedule and its deadline."""

    exercise: str
    due: pd.Timestamp
    due_text: str
