"""One error type for bad input, carrying where the problem is and what was expected."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one cell (or one file, when ``row`` is None).

    ``row`` is the line number a person sees when the file is opened in an editor or in
    Excel (the header is row 1), so the message can be acted on without counting.
    """

    file: str
    row: int | None
    column: str | None
    found: str
    expected: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            # a sidecar is read as text: its places are lines, a table's are rows
            where.append(f"{'line' if self.file.endswith('.yml') else 'row'} {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: found {self.found}; expected {self.expected}"


class RawDataError(Exception):
    """Raised when raw input is malformed. Holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in data/raw (nothing in data/processed was changed):"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


def display_path(path: Path, root: Path) -> str:
    """A path relative to ``root`` when it is inside it, so messages stay short."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def close_matches(found: str, known: Iterable[str], n: int = 3) -> str:
    """'; did you mean 'a', 'b'?' for the known names nearest ``found`` (difflib), or ''.

    An unknown name is most often a typo, a stray invisible character or a variant spelling:
    naming the nearest declared names lets the person fix it without searching the lists."""
    names = [str(k) for k in dict.fromkeys(known) if k is not None]
    near = difflib.get_close_matches(str(found), names, n=n, cutoff=0.5)
    if not near:
        near = [k for k in names if k and (k in str(found) or str(found) in k)][:n]
    return f"; did you mean {', '.join(repr(k) for k in near)}?" if near else ""
