"""Sources as a reader can follow them, and the note numbers that tie each figure to its source.

The processed data record a source in columns (``analysis.sources``): a document file and the
place in it, or a publication's title, issuer and year. A reader needs neither a file name nor a
repeated entry: documents are named by their title, 文号 and status (from ``documents``),
publications by issuer, title and year, with reprints and English-language reports marked.
``Notes`` numbers each distinct source once per report, in the order first cited, so a figure
in a table or a sentence carries ``[n]`` and the appendix lists ``[n]`` once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.report.html import esc
from analysis.sources import Source, of_record

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LOCATION_FIXES = ((re.compile(r"\s+"), ""),)


def document_names(documents: pd.DataFrame) -> dict[str, str]:
    """File → how a reader cites it: 《title》（文号） or 《title》（status，issued）."""
    names = {}
    for d in documents.itertuples():
        extra = [str(d.doc_number)] if isinstance(d.doc_number, str) and d.doc_number else []
        if not extra:
            status = str(d.status).strip("()（）") if isinstance(d.status, str) and d.status else ""
            issued = _issued_zh(str(d.issued))
            extra = [x for x in (status, issued) if x]
        names[str(d.file)] = f"《{d.title}》" + (f"（{'，'.join(extra)}）" if extra else "")
    return names


def _issued_zh(issued: str) -> str:
    parts = issued.split("-")
    if len(parts) == 1:
        return f"{parts[0]}年"
    if len(parts) == 2:
        return f"{parts[0]}年{int(parts[1])}月"
    return f"{parts[0]}年{int(parts[1])}月{int(parts[2])}日"


def document_location(location: str) -> str:
    """A transcriber's location as a reader reads it: '表1 第2行' → '表1第2行'."""
    text = location.strip()
    for pattern, repl in _LOCATION_FIXES:
        text = pattern.sub(repl, text)
    return text


def readable(source: Source, names: dict[str, str], reprint: bool = False) -> str:
    """One source as a reader cites it: a document by its title and the place in it, a
    publication by issuer, title and year (an English-language report and a reprint marked)."""
    if source.document in names:
        return f"{names[source.document]}{document_location(source.location)}"
    if source.is_publication:
        title, year = source.document, f"（{source.year}年）" if source.year is not None else ""
        if _CJK.search(title):
            text = f"{source.issuer}发布，《{title}》{year}"
        else:
            text = f"{source.issuer}发布，英文报道“{title}”{year}"
        return text + ("，转载" if reprint else "")
    return source.text


#: A source as ``Notes`` takes it: alone, or with whether it was read from a reprint.
Cited = Source | tuple[Source, bool]


@dataclass
class Notes:
    """Note numbers for one report: each distinct source once, numbered in order of first citation."""

    names: dict[str, str]
    order: list[str] = field(default_factory=list)

    def number(self, source: Source, reprint: bool = False) -> int:
        text = readable(source, self.names, reprint)
        if text not in self.order:
            self.order.append(text)
        return self.order.index(text) + 1

    def cite(self, sources: Iterable[Cited]) -> str:
        """``[1][3]`` for these sources (HTML, superscript); empty when there are none. A source
        comes alone or as (source, is_reprint); the two may be mixed, as a target cites its
        definition's sources with its observations'."""
        numbers: list[int] = []
        for s in sources:
            src, reprint = (s, False) if isinstance(s, Source) else s
            n = self.number(src, reprint)
            if n not in numbers:
                numbers.append(n)
        return "".join(f'<sup class="note">[{n}]</sup>' for n in sorted(numbers))

    def of(self, *rows: Any) -> str:
        """The notes for every source of these rows (records, pandas rows or named tuples), each
        read from a reprint when its row's ``is_reprint`` says so."""
        return self.cite(row_sources(rows))

    def entries(self) -> list[str]:
        return [f"[{i}] {text}" for i, text in enumerate(self.order, start=1)]

    def html(self) -> str:
        return '<ol class="sources">' + "".join(f"<li>{esc(t)}</li>" for t in self.entries()) + "</ol>"


def row_sources(rows: Iterable[Any]) -> list[tuple[Source, bool]]:
    """The (source, is_reprint) pairs of some rows, each once, in order (a row without an
    ``is_reprint`` column cites no reprint)."""
    seen: list[tuple[Source, bool]] = []
    for r in rows:
        reprint = r.get("is_reprint", False) if hasattr(r, "get") else getattr(r, "is_reprint", False)
        for s in of_record(r):
            pair = (s, bool(reprint))
            if pair not in seen:
                seen.append(pair)
    return seen


def observation_sources(rows: pd.DataFrame) -> list[tuple[Source, bool]]:
    """The (source, is_reprint) pairs of some observations, each once, in order."""
    return row_sources(rows.itertuples())
