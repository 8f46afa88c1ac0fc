"""A source cell, written and read in one place.

The processed data cite where each row came from in one text column, ``source``, in two forms:

- a transcribed document: ``<file>：<location>`` (``003_961c4f39d5f6b889.txt：表1 第4行``);
- a publication: ``<issuer>《<title>》（<year>）``, whose title may itself hold ``：``.

Several sources share a cell joined with ``；``, and a location without its file (``000.txt：表1；表2``)
belongs to the file named before it. Every reader of the column (the reports' notes, the
datapackage's list of sources, the coverage of passages, the index) parses it here, so a source
is never split by hand, and a publication whose title holds ``：`` is not mistaken for a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: Joins several sources (or notes) in one cell.
SEP = "；"
#: Separates a document's file from the location inside it.
FILE_SEP = "："

PUBLISHED = re.compile(r"^(?P<issuer>.*?)《(?P<title>.*)》（(?P<year>\d{4})）$")


@dataclass(frozen=True)
class Source:
    """One source: a location in a transcribed document, or a publication (``document`` empty)."""

    document: str
    location: str

    @property
    def text(self) -> str:
        """The source as the data write it."""
        return cite(self.document, self.location) if self.document else self.location


def cite(document: str, location: str) -> str:
    """The cell text for one location in a transcribed document."""
    return f"{document}{FILE_SEP}{location}"


def join(parts: Iterable[str]) -> str:
    """Several sources in one cell, each once, in order."""
    return SEP.join(dict.fromkeys(p for p in parts if p))


def parse(cell: object) -> list[Source]:
    """The sources of a cell, in order (an empty list for a missing or empty cell)."""
    if not isinstance(cell, str) or not cell:
        return []
    out: list[Source] = []
    file = ""
    for part in (p.strip() for p in cell.split(SEP)):
        if not part:
            continue
        head, sep, rest = part.partition(FILE_SEP)
        if sep and "《" not in head:
            file = head
            out.append(Source(head, rest))
        elif file and not PUBLISHED.match(part):
            out.append(Source(file, part))
        else:
            out.append(Source("", part))
    return out


def split(cell: object) -> list[str]:
    """The sources of a cell as text, each with its file (see ``parse``)."""
    return [s.text for s in parse(cell)]


def documents(cell: object) -> list[str]:
    """The transcribed documents a cell cites, each once, in order."""
    return list(dict.fromkeys(s.document for s in parse(cell) if s.document))


def document(cell: object) -> str:
    """The first document a cell cites ('' if it cites only publications or nothing)."""
    found = documents(cell)
    return found[0] if found else ""


def cites(cells: pd.Series, document: str) -> pd.Series:
    """Per cell of a ``source`` column, whether it cites ``document`` anywhere, not only first.

    The same reading as ``documents`` (a part ``<file>：…`` names its file), as one regular
    expression over the column: a row that draws on two documents counts for both."""
    pattern = rf"(?:^|{SEP})\s*{re.escape(document)}{FILE_SEP}"
    return cells.fillna("").astype(str).str.contains(pattern, regex=True)
