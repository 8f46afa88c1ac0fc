"""Where a row came from, as columns, and the one reading of those columns.

Every processed dataset that cites its origin does so in two columns:

- ``source_document``: the document the row is read from: a file of ``data/raw/documents``
  (``003_961c4f39d5f6b889.txt``), a workbook under ``entries/``, or, for a value read from a
  publication, the publication's title (its issuer and year then in ``source_issuer`` and
  ``source_year``, columns only ``observations`` has);
- ``source_location``: the place inside it (``表1 第4行``, ``一（一）2（2）人力资源开发利用取得进展``),
  empty for a publication cited as a whole.

A row that rests on several places lists them in ``source_location`` separated by ``；``, in
order. When the places are in several documents (the same workbook entry in two copies of the
workbook), ``source_document`` lists one document per place, in the same order; a single
document is written once. Nothing else is joined, so no title or location is ever split at a
``：`` it happens to hold: before, one ``source`` column held ``<file>：<location>；…`` and every
reader had to parse it back, and a publication titled ``…：…`` was once taken for a file.

Display text (a note in a report, the list of sources in the data package) is built from these
columns when it is shown, here (``text``) or in ``analysis.report.sources``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

import pandas as pd

from analysis.cells import cell_text

#: Joins several places (or notes) in one cell.
SEP = "；"
#: The source columns of every dataset that cites its origin.
COLUMNS = ("source_document", "source_location")
#: The further source columns of a value read from a publication (``observations`` only).
PUBLICATION_COLUMNS = ("source_issuer", "source_year")


class SourceColumns(TypedDict):
    """The two source columns of one row."""

    source_document: str
    source_location: str


@dataclass(frozen=True)
class Source:
    """One place a row came from: a location in a document, or a publication as a whole.

    ``issuer`` and ``year`` are set for a publication only (``document`` is then its title)."""

    document: str
    location: str = ""
    issuer: str = ""
    year: int | None = None

    @property
    def is_publication(self) -> bool:
        return bool(self.issuer) or self.year is not None

    @property
    def text(self) -> str:
        """The source in one line, for messages and lists: ``file：location`` for a place in a
        document, ``issuer《title》（year）`` for a publication."""
        if self.is_publication:
            year = f"（{self.year}）" if self.year is not None else ""
            return f"{self.issuer}《{self.document}》{year}"
        return f"{self.document}：{self.location}" if self.location else self.document


#: A publication as people write it: issuer《title》, with the year in （） after it or not.
_TYPED_PUBLICATION = re.compile(r"^(?P<issuer>[^《》]+)《(?P<title>.+)》\s*(?:[（(]\s*(?P<year>\d{4})\s*年?\s*[）)])?$")


def typed_publication(text: str) -> dict[str, Any]:
    """The observation columns for a publication as someone typed it in a workbook.

    ``上海市统计局《2023年统计公报》（2024）`` is read into issuer, title and year, so the report
    cites it as it cites the publications the project transcribed; anything else is kept as
    typed, as the document's title."""
    m = _TYPED_PUBLICATION.match(text.strip())
    if m is None:
        return {"source_document": text.strip(), "source_issuer": None, "source_year": None}
    year = m.group("year")
    return {
        "source_document": m.group("title"),
        "source_issuer": m.group("issuer").strip(),
        "source_year": int(year) if year else None,
    }


def _text(cell: object) -> str:
    return cell_text(cell) or ""


def _parts(cell: object) -> list[str]:
    return [p.strip() for p in _text(cell).split(SEP) if p.strip()]


def of(document: object, location: object = "", issuer: object = "", year: object = None) -> list[Source]:
    """The sources a row's columns hold, in order (empty when ``document`` is empty).

    ``source_document`` names several documents only beside as many places; otherwise it is one
    document whatever it holds, so a publication's title with a ``；`` in it is never cut.
    Raises ``ValueError`` for several documents beside several places of another number: the
    build never writes that, so a row read back that way was edited by hand."""
    whole = _text(document)
    places = _parts(location)
    issuer_text = _text(issuer)
    year_value = None if _text(year) == "" else int(float(str(year)))
    docs = _parts(whole)
    if not docs:
        return []
    if len(docs) > 1 and len(places) > 1 and not (issuer_text or year_value is not None):
        if len(docs) != len(places):
            raise ValueError(
                f"source_document lists {len(docs)} documents and source_location {len(places)} places: "
                "expected one document, or one document per place"
            )
        return [Source(d, p) for d, p in zip(docs, places, strict=True)]
    return [Source(whole, p, issuer_text, year_value) for p in places or [""]]


def of_record(row: Any) -> list[Source]:
    """The sources of one row (a mapping, a pandas row or a named tuple from ``itertuples``)."""

    def get(name: str) -> object:
        # a dict and a pandas row have .get; a named tuple from itertuples has attributes
        return row.get(name) if hasattr(row, "get") else getattr(row, name, None)

    return of(get("source_document"), get("source_location"), get("source_issuer"), get("source_year"))


def columns(found: Iterable[Source]) -> SourceColumns:
    """The two columns for a row that rests on these places (each once, in order).

    The inverse of ``of`` (publication fields aside): one document is written once, several
    documents once per place."""
    unique = list(dict.fromkeys(s for s in found if s.document))
    docs = list(dict.fromkeys(s.document for s in unique))
    if len(docs) <= 1:
        return {
            "source_document": docs[0] if docs else "",
            "source_location": SEP.join(dict.fromkeys(s.location for s in unique if s.location)),
        }
    return {
        "source_document": SEP.join(s.document for s in unique),
        "source_location": SEP.join(s.location for s in unique),
    }


def combined(frame: pd.DataFrame) -> SourceColumns:
    """The two columns for one row made of several rows (a target stated in several places)."""
    return columns(s for r in frame.itertuples(index=False) for s in of_record(r))


def documents(frame: pd.DataFrame) -> pd.Series:
    """Per row, the documents it draws on, each once, in order (read as ``of`` reads them)."""
    found = [list(dict.fromkeys(s.document for s in of_record(r))) for r in frame.itertuples(index=False)]
    return pd.Series(found, index=frame.index, dtype=object)


def document(row: Any) -> str:
    """The first document a row draws on ('' if none)."""
    found = of_record(row)
    return found[0].document if found else ""


def cites(frame: pd.DataFrame, document: str) -> pd.Series:
    """Per row, whether it draws on ``document`` (any of its places, not only the first)."""
    # bool even when the frame is empty: an empty object Series would select columns, not rows
    return documents(frame).map(lambda docs: document in docs).astype(bool)


def describe(row: Any) -> str:
    """A row's sources in one line, for messages (``Source.text`` joined with ``；``)."""
    return SEP.join(s.text for s in of_record(row))
