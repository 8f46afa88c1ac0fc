"""Does a well-formed value make sense? Ranges by unit, bands by series, and far-from-series warnings.

The structural checks (types, columns, keys) accept 440 where 4.4 was meant, a negative
count, a unit typed as 个 where the source says 万个. The checks here catch those:

- a value outside the range of its base unit (``schemas/units.yml``) or the band its sidecar
  declares for its series is an **error** naming file, row, column, value and range;
- a value inside the range but more than ten times (or less than a tenth of) its neighbours in
  its series is a **warning** asking for a 复核 note (a changed order of magnitude is most often
  a unit slip); a row whose note says 复核 has been checked and is not warned about again;
- units are compared as the build knows them: 名 is 人; 人 is not 个, 人次 is not 人.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import yaml

from analysis import paths

#: The word in a row's note that says a far-from-series value has been checked.
REVIEWED = "复核"
#: The word in a row's note that says a change of unit (or of definition) is deliberate.
DEFINITION = "口径"
#: A value more than FAR times (or less than 1/FAR of) each of its neighbours is warned about.
FAR = 10.0
#: The earliest year a figure can be for (no series here starts before the People's Republic).
FIRST_YEAR = 1949


@dataclass(frozen=True)
class Range:
    """What a value may be: [low, high], and where that rule is declared."""

    low: float | None
    high: float | None
    declared: str

    def __contains__(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def __str__(self) -> str:
        low = "-∞" if self.low is None else f"{self.low:g}"
        high = "∞" if self.high is None else f"{self.high:g}"
        return f"a value from {low} to {high} ({self.declared})"


@cache
def _units() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((paths.SCHEMAS / "units.yml").read_text(encoding="utf-8"))["units"]


def canonical(unit: str | None) -> str | None:
    """The unit as the build compares it (名 → 人)."""
    if unit is None:
        return None
    spec = _units().get(unit) or {}
    return spec.get("same_as", unit)


def same_unit(a: str | None, b: str | None) -> bool:
    """Whether two base units measure the same thing (元 and 元/月 do not; 名 and 人 do)."""
    return canonical(a) == canonical(b)


def known_unit(unit: str | None) -> bool:
    return unit is not None and unit in _units()


def unit_range(
    unit: str | None, series_id: str | None = None, bands: dict[str, Any] | None = None, where: str = ""
) -> Range | None:
    """The plausible range of a value in base ``unit``: the series' own band when ``bands``
    (a sidecar's ``plausible`` mapping) declares one, else the unit's; None for a unit the
    build does not know (such values are compared with nothing)."""
    band = (bands or {}).get(series_id) if series_id else None
    if isinstance(band, dict):
        return Range(_num(band.get("min")), _num(band.get("max")), f"the band of {series_id} declared in {where}")
    spec = _units().get(canonical(unit) or "")
    if spec is None:
        return None
    return Range(_num(spec.get("min")), _num(spec.get("max")), f"unit {unit!r}, schemas/units.yml")


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def today() -> date:
    """Today's date: cut-offs, entry dates and entered periods may not be after it.

    ``ANALYSIS_TODAY=YYYY-MM-DD`` sets it, to rehearse an evaluation in a year to come (the
    tests' mid-term world of 2028) without touching the clock."""
    fixed = os.environ.get("ANALYSIS_TODAY")
    return date.fromisoformat(fixed) if fixed else date.today()


def far_from_neighbours(values: list[float]) -> list[tuple[int, list[float]]]:
    """Indices of values more than FAR times (or under 1/FAR of) every neighbour, with the neighbours.

    ``values`` are one series in period order. A value is compared with the one before and
    the one after it (only one at the ends); zeros and negatives are not compared (a ratio
    says nothing about them). With two values only, the later one is named: it is the one
    that broke the series."""
    found = []
    for i, v in enumerate(values):
        neighbours = [values[j] for j in (i - 1, i + 1) if 0 <= j < len(values)]
        if len(values) == 2 and i == 0:
            continue
        neighbours = [n for n in neighbours if n > 0]
        if v <= 0 or not neighbours:
            continue
        if all(v > FAR * n or v < n / FAR for n in neighbours):
            found.append((i, neighbours))
    return found
