"""Showing sections in a notebook: HTML as rich output, charts as SVG (the HTML) and PNG (PDF, Word), then closed."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def setup() -> None:
    """Charts as SVG (sharp in the HTML) and 200 dpi PNG (what the PDF and the Word copy print), the CJK theme."""
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    from analysis.style import apply_theme

    # the PNG is what the PDF and the Word copy print: at print resolution, not the screen's.
    # Printed at the figure's own size, as ``charts`` laid it out: a tight crop would draw
    # every chart once more per format to find its edges (charts._laid_out)
    set_matplotlib_formats("svg", "png", dpi=200, bbox_inches=None)
    apply_theme()


def show(html: str) -> None:
    from IPython.display import HTML, display

    display(HTML(html))


def show_figure(fig: Figure) -> None:
    from IPython.display import display

    display(fig)
    plt.close(fig)
