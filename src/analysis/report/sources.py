"""Sources as a reader can follow them, and the note numbers that tie each figure to its source.

The processed data record a source as ``<file>：<location>`` (a transcribed document) or as
``<issuer>《<title>》（<year>）`` (a publication). A reader needs neither a file name nor a
repeated entry: documents are named by their title, 文号 and status (from ``documents``),
publications by issuer, title and year, with reprints and English-language reports marked.
``Notes`` numbers each distinct source once per report, in the order first cited, so a figure
in a table or a sentence carries ``[n]`` and the appendix lists ``[n]`` once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from analysis.report.html import esc
from analysis.sources import PUBLISHED, parse, split

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


def readable(source: str, names: dict[str, str], reprint: bool = False) -> str:
    """One source as a reader cites it (several joined with ；are split by ``split``)."""
    source = source.strip()
    parsed = parse(source)
    if parsed and parsed[0].document in names:
        return f"{names[parsed[0].document]}{document_location(parsed[0].location)}"
    m = PUBLISHED.match(source)
    if m:
        title = m.group("title")
        issuer = m.group("issuer")
        if _CJK.search(title):
            text = f"{issuer}发布，《{title}》（{m.group('year')}年）"
        else:
            text = f"{issuer}发布，英文报道“{title}”（{m.group('year')}年）"
        return text + ("，转载" if reprint else "")
    return source


@dataclass
class Notes:
    """Note numbers for one report: each distinct source once, numbered in order of first citation."""

    names: dict[str, str]
    order: list[str] = field(default_factory=list)

    def number(self, source: str, reprint: bool = False) -> int:
        text = readable(source, self.names, reprint)
        if text not in self.order:
            self.order.append(text)
        return self.order.index(text) + 1

    def cite(self, sources: Sequence[str | tuple[str, bool]]) -> str:
        """``[1][3]`` for these sources (HTML, superscript); empty when there are none. A source is
        its text, or (text, is_reprint); the two may be mixed, as a target cites its definition's
        sources with its observations'."""
        numbers: list[int] = []
        for s in sources:
            src, reprint = (s, False) if isinstance(s, str) else s
            n = self.number(src, reprint)
            if n not in numbers:
                numbers.append(n)
        return "".join(f'<sup class="note">[{n}]</sup>' for n in sorted(numbers))

    def entries(self) -> list[str]:
        return [f"[{i}] {text}" for i, text in enumerate(self.order, start=1)]

    def html(self) -> str:
        return '<ol class="sources">' + "".join(f"<li>{esc(t)}</li>" for t in self.entries()) + "</ol>"


def observation_sources(rows: pd.DataFrame) -> list[tuple[str, bool]]:
    """The (source, is_reprint) pairs of some observations, each once, in order."""
    seen: list[tuple[str, bool]] = []
    for r in rows.itertuples():
        for s in split(r.source):
            pair = (s, bool(r.is_reprint))
            if pair not in seen:
                seen.append(pair)
    return seen
