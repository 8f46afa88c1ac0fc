"""Showing sections in a notebook: HTML as rich output, charts as SVG, then closed."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def setup() -> None:
    """Charts as SVG (sharp in HTML and PDF) and PNG (the picture in the Word copy), the CJK theme."""
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    from analysis.style import apply_theme

    set_matplotlib_formats("svg", "png", dpi=200)
    apply_theme()


def show(html: str) -> None:
    from IPython.display import HTML, display

    display(HTML(html))


def show_figure(fig: Figure) -> None:
    from IPython.display import display

    display(fig)
    plt.close(fig)
