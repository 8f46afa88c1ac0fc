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
JUDGEMENT_COLOURS = {
    "提前实现": "#1e8449",
    "快于预期": "#27ae60",
    "基本符合预期": "#58d68d",
    "低于预期控制目标": "#58d68d",
    "超额完成": "#1e8449",
    "完成": "#27ae60",
    "基本完成": "#a9dfbf",
    "目标稳妥": "#27ae60",
    "与既往持平": "#58d68d",
    "目标积极": "#f5b041",
    "滞后于预期": "#e67e22",
    "高于预期控制目标": "#e67e22",
    "未完成": "#c0392b",
    "定性评估": "#85929e",
    "待填报": "#d5d8dc",
    "数据暂缺": "#eaecee",
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
