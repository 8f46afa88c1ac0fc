"""Export an executed report notebook to offline Chinese HTML and to PDF (WeasyPrint, in process).

Both exporters are registered with nbconvert (entry points ``plan_eval_html`` and
``plan_eval_pdf``), so ``jupyter nbconvert --to plan_eval_pdf any.ipynb`` works too.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from pathlib import Path
from typing import Any

from nbconvert.exporters import Exporter, HTMLExporter
from traitlets import Bool

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSS = (Path(__file__).resolve().parent / "report.css").read_text(encoding="utf-8")
_HEADING = re.compile(r"<h([23])>(.*?)</h\1>", re.S)


def _with_toc(body: str) -> str:
    """Give each section heading an id and put a table of contents where the template asks."""
    entries: list[tuple[int, str, str]] = []

    def number(match: re.Match[str]) -> str:
        level, text = match.group(1), match.group(2)
        anchor = f"s{len(entries) + 1}"
        entries.append((int(level), anchor, text))
        return f'<h{level} id="{anchor}">{text}</h{level}>'

    body = _HEADING.sub(number, body)
    items = "".join(
        f'<li class="l{level}"><a href="#{anchor}">{text}</a></li>' for level, anchor, text in entries if level == 2
    )
    toc = f'<nav class="toc"><strong>目录</strong><ol>{items}</ol></nav>' if items else ""
    return body.replace("<!-- TOC -->", toc, 1)


#: The cover of a department's task sheet (``report.department``): the page is then a sheet.
SHEET_TITLE = '<h1 class="title sheet">'


def _mark_sheet(page: str) -> str:
    """``<main class="sheet">`` on a task sheet, so its compact style is a class selector.

    Why not ``body:has(h1.sheet)`` in the stylesheet: for every cell WeasyPrint then searched the
    whole document for the heading (cssselect2 compiles ``:has`` to a subtree walk), which was
    three quarters of a report's PDF time."""
    return page.replace("<main>", '<main class="sheet">', 1) if SHEET_TITLE in page else page


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def report_title(nb: Any, resources: dict[str, Any] | None) -> str:
    """The report's title: the notebook's metadata (set by the batch), else the first heading
    the notebook shows (its title block, or a markdown ``#`` heading), else its file name.

    A report exported by hand (``jupyter nbconvert --to plan_eval_pdf out.ipynb``) is titled
    by what it says on its cover, not by ``out``."""
    meta = nb.metadata.get("plan_eval", {})
    if meta.get("title"):
        return str(meta["title"])
    if nb.metadata.get("title"):
        return str(nb.metadata["title"])
    for cell in nb.cells:  # the cover a reader sees (markdown cells are not shown)
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            found = _H1.search("".join(html) if isinstance(html, list) else str(html or ""))
            if found:
                text = " ".join(_TAG.sub(" ", found.group(1)).split())
                if text:
                    return html_lib.unescape(text)
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in str(cell.get("source", "")).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    name = (resources or {}).get("metadata", {}).get("name")
    return str(name or "评估报告")


class ReportHTMLExporter(HTMLExporter):
    """HTML for readers: no code, no prompts, no script from the internet, CJK fonts, A4 print CSS."""

    export_from_notebook = "Plan-evaluation report (HTML)"
    lean = Bool(False, help="Leave out the JupyterLab stylesheet (for PDF rendering)").tag(config=True)

    def __init__(self, **kw: Any):
        kw.setdefault("template_name", "plan_eval")
        kw.setdefault("extra_template_basedirs", [str(TEMPLATES)])
        for flag in (
            "exclude_input",
            "exclude_input_prompt",
            "exclude_output_prompt",
            "exclude_markdown",
            "exclude_raw",
        ):
            kw.setdefault(flag, True)
        kw.setdefault("language_code", "zh")
        super().__init__(**kw)

    @property
    def default_config(self):
        config = super().default_config
        if self.lean:
            config.merge({"CSSHTMLHeaderPreprocessor": {"enabled": False}})

        return config

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any):
        resources = dict(resources or {})
        resources["report_css"] = CSS
        resources["report_title"] = report_title(nb, resources)
        resources["lean"] = self.lean
        if "metadata" in resources:
            resources["metadata"] = dict(resources["metadata"], name=resources["report_title"])
        else:
            resources["metadata"] = {"name": resources["report_title"]}
        nb.metadata["title"] = resources["report_title"]
        output, resources = super().from_notebook_node(nb, resources, **kw)
        return _with_toc(_mark_sheet(output)), resources


class ReportPDFExporter(Exporter):
    """PDF from the lean HTML, rendered by WeasyPrint in this process: embedded CJK font subsets,
    searchable text, A4 pages with the title and page numbers."""

    export_from_notebook = "Plan-evaluation report (PDF)"
    output_mimetype = "application/pdf"

    def _file_extension_default(self) -> str:
        return ".pdf"

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any):
        page, resources = pdf_html_exporter().from_notebook_node(nb, resources, **kw)
        resources = dict(resources or {})
        resources["output_extension"] = ".pdf"
        pdf, resources["pdf_pages"] = html_to_pdf(page, nb.metadata.get("plan_eval", {}).get("date"))
        return pdf, resources


#: What the PDF's HTML shows of an output with several forms: a chart's PNG before its SVG.
#: WeasyPrint draws an SVG path by path in Python (our charts draw glyphs as paths too): 40% of
#: a report's PDF time in the profile. The same chart as a 200 dpi PNG is embedded as it is.
PDF_DATA_PRIORITY = ["text/html", "text/markdown", "image/png", "image/svg+xml", "image/jpeg", "text/plain"]


@functools.cache
def pdf_html_exporter() -> ReportHTMLExporter:
    """The lean HTML exporter for WeasyPrint: no lab stylesheet, charts as PNG.

    One per process: an exporter compiles its ten Jinja templates when it is made (about 0.2 s,
    as much as rendering a report's HTML), and an exporter keeps no state between notebooks."""
    from traitlets.config import Config

    return ReportHTMLExporter(lean=True, config=Config({"NbConvertBase": {"display_data_priority": PDF_DATA_PRIORITY}}))


@functools.cache
def html_exporter() -> ReportHTMLExporter:
    """The reader's HTML exporter, one per process (see ``pdf_html_exporter``)."""
    return ReportHTMLExporter()


def html_to_pdf(page: str, date: str | None = None) -> tuple[bytes, int]:
    """Render HTML to PDF with WeasyPrint; also the page count. ``date`` (YYYY-MM-DD, from the
    report's data: ``inputs.source_dates``) is written as the PDF's creation and modification
    date, so that the same inputs give the same bytes.

    WeasyPrint's warnings are left alone: the lean stylesheet gives none (checked by a test),
    so any that appear are news. The one exception is the per-font fontTools-fallback line,
    which ``pdf_fonts`` replaces by a single line naming the missing package."""
    import weasyprint

    document = weasyprint.HTML(string=page, base_url=str(TEMPLATES)).render()
    if date:
        document.metadata.created = document.metadata.modified = f"{date}T00:00:00Z"
    return document.write_pdf(), len(document.pages)


_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def dated_docx(data: bytes, date: str) -> bytes:
    """A Word file with fixed dates: every ZIP entry stamped ``date`` (python-docx stamps the
    clock's time) and the document's created/modified properties set to it. Same entries,
    same order, same contents otherwise."""
    import io
    import zipfile

    year, month, day = map(int, date.split("-"))
    stamp = (year, month, day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = _CORE_DATE.sub(lambda m: m.group(1) + f"{date}T00:00:00Z".encode() + m.group(3), body)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type, fixed.external_attr = info.compress_type, info.external_attr
            dst.writestr(fixed, body)
    return out.getvalue()


__all__ = ["ReportHTMLExporter", "ReportPDFExporter", "dated_docx", "html_exporter", "html_to_pdf", "pdf_html_exporter"]
