"""The one place where fonts and the chart theme are set.

Reports are read in Chinese, so every chart needs a CJK font. Debian's fonts-noto-cjk gives
Noto Sans CJK SC; macOS and Windows have other CJK fonts. We pick the first one present and
stop with a message naming what to install when there is none: a report must never come out
with tofu boxes.
"""

from __future__ import annotations

from functools import cache

import matplotlib

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "SimHei",
)
#: Colours of the judgements, shared by tables and charts (good → bad).
PALETTE = {
    "data": "#1f4e79",
    "target": "#c0392b",
    "schedule": "#7f8c8d",
    "projection": "#2e86c1",
    "band": "#aed6f1",
}
#: Badge and bar colours by judgement code (the words are in ``analysis.vocabulary``): keyed by
#: code, so rewording a judgement cannot uncolour it. Good → bad; order is the charts' order.
PROGRESS_COLOURS: dict[str, str] = {
    "met_early": "#1e8449",
    "ahead": "#27ae60",
    "on_track": "#58d68d",
    "below_ceiling": "#58d68d",
    "exceeded": "#1e8449",
    "met": "#27ae60",
    "prudent": "#27ae60",
    "in_line": "#58d68d",
    "ambitious": "#f5b041",
    "behind": "#e67e22",
    "above_ceiling": "#e67e22",
    "missed": "#c0392b",
    "unassessable": "#d5d8dc",
    "undetermined": "#d5d8dc",
    "qualitative": "#85929e",
    "pending": "#d5d8dc",
    "no_data": "#eaecee",
}
OUTLOOK_COLOURS: dict[str, str] = {
    "likely": "#27ae60",
    "possible": "#58d68d",
    "unlikely": "#e67e22",
    "uncertain": "#d5d8dc",
}


class MissingCJKFont(RuntimeError):
    """No font that can draw Chinese is installed."""


@cache
def cjk_font() -> str:
    """The first CJK font present (rebuilding matplotlib's font cache once if none is found)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((f for f in CJK_FONTS if f in names), None)
    if found is None:
        # a font installed after the cache was built; private, so matplotlib's stubs leave it out
        font_manager._load_fontmanager(try_read_cache=False)  # type: ignore[attr-defined]
        names = {f.name for f in font_manager.fontManager.ttflist}
        found = next((f for f in CJK_FONTS if f in names), None)
    if found is None:
        raise MissingCJKFont(
            "No Chinese font found for charts. Install one: on Debian/Ubuntu `apt-get install fonts-noto-cjk`; "
            f"on macOS or Windows one of {', '.join(CJK_FONTS[6:])} is usually present. Looked for: "
            + ", ".join(CJK_FONTS)
        )
    return found


def apply_theme() -> None:
    """seaborn's clean theme with the CJK font (seaborn resets font.sans-serif, so it goes in rc)."""
    import seaborn as sns

    font = cjk_font()
    sns.set_theme(
        style="whitegrid",
        context="notebook",
        rc={
            "font.family": "sans-serif",
            "font.sans-serif": [font, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "svg.fonttype": "path",  # glyphs as paths: the SVG looks the same without the font
            "figure.dpi": 110,
            "savefig.dpi": 200,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
        },
    )
    matplotlib.rcParams["figure.figsize"] = (6.4, 3.2)
