"""PDF speed on a fresh machine: HarfBuzz-Subset is installed by setup, its absence is said once,
and nothing else WeasyPrint says is hidden."""

from __future__ import annotations

import logging

import nbformat
import pytest

from analysis import paths
from analysis.publish import pdf_fonts
from analysis.publish.export import ReportPDFExporter


def test_setup_names_the_package_and_weasyprint_finds_it():
    packages = (paths.ROOT / "system-packages.txt").read_text(encoding="utf-8").split()
    assert pdf_fonts.PACKAGE in packages
    # `make setup` (as root, as in CI) installs it: the fast path is the one a fresh clone gets
    assert pdf_fonts.harfbuzz_subset(), pdf_fonts.MISSING_LINE


def test_a_missing_library_is_said_once_in_one_line_naming_the_package(monkeypatch):
    monkeypatch.setattr(pdf_fonts, "harfbuzz_subset", lambda: False)
    said: list[str] = []
    assert pdf_fonts.check(said.append) is False
    assert len(said) == 1 and "\n" not in said[0]
    assert pdf_fonts.PACKAGE in said[0]


def test_only_the_fallback_line_is_filtered(caplog: pytest.LogCaptureFixture):
    pdf_fonts.quiet_fallback()
    pdf_fonts.quiet_fallback()  # idempotent: one filter, not two
    logger = logging.getLogger("weasyprint")
    assert sum(isinstance(f, pdf_fonts._FallbackFilter) for f in logger.filters) == 1
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        logger.warning(
            'Using fontTools instead of HarfBuzz-Subset for font "%s". This will be unsupported', "Noto Sans CJK SC"
        )
        logger.warning("Ignored `%s:%s` at %d:%d, %s.", "foo", "bar", 1, 2, "unknown property")
    messages = [r.getMessage() for r in caplog.records if r.name == "weasyprint"]
    assert len(messages) == 1 and messages[0].startswith("Ignored `foo:bar`")


def test_the_lean_pdf_stylesheet_gives_weasyprint_nothing_to_warn_about(caplog: pytest.LogCaptureFixture):
    nb = nbformat.v4.new_notebook()
    nb.metadata["plan_eval"] = {"title": "示例区就业和社会保障规划评估报告"}
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": (
                    "<h2>一、总体情况</h2><p>9项主要指标中，2项快于预期。</p>"
                    "<table><thead><tr><th>指标</th><th>目标</th></tr></thead>"
                    "<tbody><tr><td>城镇新增就业</td><td>50万个</td></tr></tbody></table>"
                )
            },
        )
    ]
    nb.cells.append(cell)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf, resources = ReportPDFExporter().from_notebook_node(nb)
    assert pdf.startswith(b"%PDF") and resources["pdf_pages"] >= 1
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
