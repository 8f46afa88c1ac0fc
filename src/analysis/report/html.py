"""Small HTML builders for report sections. Every text from data is escaped here."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from analysis.report.target_text import as_printed
from analysis.style import OUTLOOK_COLOURS, PROGRESS_COLOURS
from analysis.vocabulary import OUTLOOK_ZH, PROGRESS_ZH

#: The longest text from data a report shows whole (the longest in the data: about 460).
SHOWN_CHARS = 1000


def esc(value: object) -> str:
    """Text from data as HTML text: ``<script>`` shows as text, never runs. Longer than
    ``SHOWN_CHARS``, it is cut with a note saying so; the data keep it whole (a cell of 32,767
    characters once took the PDF 18 minutes to lay out, a 100k-character title 59 pages).
    The spaces a transcription kept between Chinese and digits ("到 2025 年") are not printed."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = as_printed(str(value))
    if len(text) > SHOWN_CHARS:
        text = f"{text[:SHOWN_CHARS]}……（全文共{len(text)}字，此处节录前{SHOWN_CHARS}字，全文见评估数据）"
    return html.escape(text, quote=True)


def heading(text: str, level: int = 2) -> str:
    return f"<h{level}>{esc(text)}</h{level}>"


def para(text: str, cls: str = "") -> str:
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<p{attr}>{esc(text)}</p>"


def badge(code: str | None, kind: str = "progress") -> str:
    """A judgement, given by its code, in its words and colour (ahead: 快于预期 green … behind:
    滞后于预期 orange); ``kind="outlook"`` for the outlook codes. Empty for no code."""
    if not isinstance(code, str) or not code:
        return ""
    words, colours = (OUTLOOK_ZH, OUTLOOK_COLOURS) if kind == "outlook" else (PROGRESS_ZH, PROGRESS_COLOURS)
    return f'<span class="badge" style="background:{colours[code]}">{esc(words[code])}</span>'


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    cls: str = "data",
    raw_columns: Sequence[int] = (),
    caption: str = "",
) -> str:
    """A table; cells are escaped except in ``raw_columns`` (cells this module built, e.g. badges)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(f"<td>{cell if i in raw_columns else esc(cell)}</td>" for i, cell in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="{esc(cls)}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def items(entries: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(e)}</li>" for e in entries) + "</ul>"


def num(text: object) -> str:
    """A number with its unit as one token that never wraps ("176.25万人次", "4.4%（2020年）")."""
    return f'<span class="num">{esc(text)}</span>'
