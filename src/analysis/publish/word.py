"""An editable Word copy of a report (python-docx), in the manner of GB/T 9704 official documents.

Bureaus draft, comment and approve evaluation reports in Word, so every report and task sheet
is also written as ``.docx`` with the same content: the executed notebook's outputs are read in
order — the HTML each section shows becomes headings, paragraphs (note numbers as superscript),
lists and tables; each chart becomes a picture (the PNG the notebook carries beside the SVG).

Layout after GB/T 9704-2012: A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right;
title 2号 (22 pt) in a 小标宋-like serif, first-level headings 3号 (16 pt) 黑体-like sans,
body 3号 仿宋-like serif (16 pt, fixed line spacing 28.9 pt); tables 5号 (10.5 pt); page
numbers 4号 centred as "— N —". The CJK faces are those Debian ships (Noto Serif / Sans CJK SC,
package fonts-noto-cjk); Word substitutes its own where they are missing.

Registered with nbconvert as ``plan_eval_docx``.
"""

from __future__ import annotations

import base64
import io
import re
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import html as lxml_html
from nbconvert.exporters import Exporter

from analysis.publish.export import report_title

SERIF = "Noto Serif CJK SC"  # 小标宋 / 仿宋-like
SANS = "Noto Sans CJK SC"  # 黑体-like
LATIN = "Times New Roman"
BODY_PT, TITLE_PT, H1_PT, H2_PT, TABLE_PT = 16, 22, 16, 16, 10.5
PICTURE_WIDTH = Mm(150)
#: Tables with this many columns or more go on landscape pages.
WIDE_TABLE = 8


def _fonts(run_or_style: Any, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set the Latin and the East Asian font (python-docx sets only the Latin one by itself)."""
    font = run_or_style.font
    font.name = LATIN
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)


def new_document() -> DocxDocument:
    """An empty A4 document with the official-document styles and a page-number footer."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    styles = doc.styles
    normal = styles["Normal"]
    _fonts(normal, SERIF, BODY_PT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28.9)
    normal.paragraph_format.space_after = Pt(0)
    for name, face, size in (
        ("Title", SERIF, TITLE_PT),
        ("Heading 1", SANS, H1_PT),
        ("Heading 2", SERIF, H2_PT),
        ("Heading 3", SANS, BODY_PT - 1),
    ):
        st = styles[name]
        _fonts(st, face, size, bold=name != "Heading 1")
        st.font.color.rgb = RGBColor(0, 0, 0)
        st.paragraph_format.space_before = Pt(6)
        st.paragraph_format.space_after = Pt(6)
        st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        st.paragraph_format.line_spacing = Pt(size * 1.6)
        st.paragraph_format.keep_with_next = True
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # the Title style draws a rule under the title in the default template: not in an official document
    pbdr = styles["Title"].element.find(qn("w:pPr"))
    if pbdr is not None:
        for border in pbdr.findall(qn("w:pBdr")):
            pbdr.remove(border)
    _page_numbers(section)
    return doc


def _page_numbers(section: Any) -> None:
    """'— N —' centred in the footer, 4号 (14 pt), as GB/T 9704 places the page number."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("— ", None, " —"):
        run = p.add_run()
        _fonts(run, SERIF, 14)
        if text is not None:
            run.text = text
            continue
        for kind, value in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = value
            run._r.append(el)


class _Writer:
    """Walks the HTML of a section and adds its content to the document."""

    def __init__(self, doc: DocxDocument):
        self.doc = doc
        self.titled = False

    def html(self, fragment: str) -> None:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
        for el in root:
            self.block(el)

    def block(self, el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        cls = el.get("class", "")
        if tag == "h1":
            self.title(el)
        elif tag in ("h2", "h3", "h4"):
            level = {"h2": 1, "h3": 2, "h4": 3}[tag]
            p = self.doc.add_heading(level=level)
            self.inline(p, el)
        elif tag == "p":
            p = self.doc.add_paragraph()
            if "note" in cls.split():
                p.paragraph_format.line_spacing = Pt(20)
            else:
                p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
            self.inline(p, el, size=12 if "note" in cls.split() else None)
        elif tag in ("ul", "ol"):
            for i, li in enumerate(el.findall("li"), start=1):
                p = self.doc.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
                marker = "" if "sources" in cls.split() else (f"{i}. " if tag == "ol" else "· ")
                p.add_run(marker)
                self.inline(p, li)
        elif tag == "table":
            self.table(el)
        elif tag in ("div", "section", "main", "span"):
            for child in el:
                self.block(child)
        elif tag == "nav":
            return

    def title(self, el: Any) -> None:
        subtitle = el.find(".//span")
        main = (el.text or "").strip()
        p = self.doc.add_paragraph(style="Title")
        run = p.add_run(main)
        _fonts(run, SERIF, TITLE_PT, bold=True)
        if subtitle is not None:
            p2 = self.doc.add_paragraph()
            p2.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p2.add_run(subtitle.text_content().strip())
            _fonts(run, SERIF, BODY_PT + 2)
        self.titled = True

    def inline(self, p: Any, el: Any, size: float | None = None, bold: bool = False, sup: bool = False) -> None:
        """Text and children of ``el`` as runs: <sup> as superscript, <strong> bold, <br> a break."""
        if el.text:
            self._run(p, el.text, size, bold, sup)
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "br":
                p.add_run().add_break()
            elif tag == "sup":
                self.inline(p, child, size, bold, True)
            elif tag in ("strong", "b"):
                self.inline(p, child, size, True, sup)
            elif tag in ("ol", "ul"):
                for li in child.findall("li"):
                    p.add_run().add_break()
                    self.inline(p, li, size, bold, sup)
            else:
                self.inline(p, child, size, bold, sup)
            if child.tail:
                self._run(p, child.tail, size, bold, sup)

    @staticmethod
    def _run(p: Any, text: str, size: float | None, bold: bool, sup: bool) -> None:
        text = re.sub(r"\s+", " ", text)
        if not text:
            return
        run = p.add_run(text)
        if size:
            run.font.size = Pt(size)
        if bold:
            run.bold = True
        if sup:
            run.font.superscript = True

    def table(self, el: Any) -> None:
        caption = el.find("caption")
        if caption is not None:
            cp = self.doc.add_paragraph()
            self._run(cp, caption.text_content(), 12, True, False)
        rows = el.findall(".//tr")
        if not rows:
            return
        width = max(len(r.findall("th")) + len(r.findall("td")) for r in rows)
        texts = [[c.text_content().strip() for c in (r.findall("th") + r.findall("td"))] for r in rows]
        size = TABLE_PT if width <= 6 else 9
        wide = width >= WIDE_TABLE
        if wide:  # a wide table on landscape pages, as official documents print a wide 附表
            _new_section(self.doc, landscape=True)
        t = self.doc.add_table(rows=0, cols=width)
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        widths = _column_widths(texts, width, size, usable=243.0 if wide else 156.0)
        for r in rows:
            cells = r.findall("th") + r.findall("td")
            row = t.add_row().cells
            header = bool(r.findall("th"))
            for i, c in enumerate(cells[:width]):
                row[i].width = widths[i]
                p = row[i].paragraphs[0]
                p.paragraph_format.line_spacing = Pt(size * 1.4)
                p.paragraph_format.first_line_indent = Pt(0)
                self.inline(p, c, size, header)
                if header:
                    _shade(row[i], "D9E2F3")
        for i, col in enumerate(t.columns):
            col.width = widths[i]
        self.doc.add_paragraph()
        if wide:
            _new_section(self.doc, landscape=False)

    def picture(self, png: bytes) -> None:
        self.doc.add_picture(io.BytesIO(png), width=PICTURE_WIDTH)
        p = self.doc.paragraphs[-1]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # the body's exact line spacing would clip the picture to one line's height
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.first_line_indent = Pt(0)


def _new_section(doc: DocxDocument, landscape: bool) -> None:
    """A new page in landscape or back in portrait, with the same margins and page numbers."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Mm(297), Mm(210)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin, section.bottom_margin = (Mm(28), Mm(26)) if landscape else (Mm(37), Mm(35))
    section.left_margin, section.right_margin = (Mm(27), Mm(27)) if landscape else (Mm(28), Mm(26))


def _column_widths(texts: list[list[str]], width: int, size: float = 9, usable: float = 156.0) -> list[Any]:
    """Short columns (badges, numbers) as wide as their longest cell, so they never wrap; long
    columns share what is left in proportion to their text. Word and LibreOffice otherwise give
    every column the same width."""
    # usable: mm of text width (portrait A4 minus GB/T 9704 margins 28 + 26 = 156)
    per_char = size * 0.3528 * 1.05  # mm per CJK character
    longest = [max((len(row[i]) for row in texts if i < len(row)), default=1) for i in range(width)]
    fixed = {i: n * per_char + 2.6 for i, n in enumerate(longest) if n <= 9}
    flexible = {i: min(n, 40) for i, n in enumerate(longest) if n > 9}
    rest = usable - sum(fixed.values())
    if flexible and rest < 25 * len(flexible):
        scale = max(usable - 25 * len(flexible), 0) / max(sum(fixed.values()), 1)
        fixed = {i: w * scale for i, w in fixed.items()}
        rest = usable - sum(fixed.values())
    elif not flexible:
        scale = usable / sum(fixed.values())
        fixed = {i: w * scale for i, w in fixed.items()}
    total = sum(flexible.values()) or 1
    return [Mm(fixed[i]) if i in fixed else Mm(rest * flexible[i] / total) for i in range(width)]


def _shade(cell: Any, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def notebook_to_docx(nb: Any, title: str = "") -> bytes:
    """The executed notebook's outputs, in order, as a Word document (bytes)."""
    doc = new_document()
    doc.core_properties.title = title
    doc.core_properties.language = "zh-CN"
    writer = _Writer(doc)
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                text = data["text/html"]
                writer.html("".join(text) if isinstance(text, list) else text)
            elif "image/png" in data:
                png = data["image/png"]
                writer.picture(base64.b64decode("".join(png) if isinstance(png, list) else png))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


class ReportDocxExporter(Exporter):
    """Word (.docx) from an executed report notebook: same headings, paragraphs, tables and charts."""

    export_from_notebook = "Plan-evaluation report (Word)"
    output_mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def _file_extension_default(self) -> str:
        return ".docx"

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any):
        resources = dict(resources or {})
        resources["output_extension"] = ".docx"
        return notebook_to_docx(nb, report_title(nb, resources)), resources


__all__ = ["ReportDocxExporter", "new_document", "notebook_to_docx"]
