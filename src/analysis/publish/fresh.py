"""Run inside a warm kernel between reports: make it look fresh to the next notebook.

``%reset -f`` would do the namespace part, but it also runs a full garbage collection each
time (0.1 s with pandas and scipy loaded), which a batch pays per report. This clears the
same things without it: every name the user (or the previous report) defined, the output
cache, open figures and matplotlib's settings. Imported modules stay loaded: that is what
makes the kernel warm.

It also makes the charts' bytes depend on the report only: matplotlib draws the ids inside an
SVG at random and dates it by the clock, unless ``svg.hashsalt`` and ``SOURCE_DATE_EPOCH`` are
set; they are, to a fixed salt and to the report's date (``inputs.source_dates``).
"""

from __future__ import annotations

from datetime import UTC


def reset(cwd: str | None = None, date: str | None = None) -> None:
    """Clear what the last report left; then work in ``cwd`` (papermill's ``--cwd``, or the
    directory papermill was called from), as a kernel started there would. ``date``
    (YYYY-MM-DD): what the report's charts are dated."""
    import os
    from datetime import datetime

    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    ip = get_ipython()
    hidden = ip.user_ns_hidden
    for name in [n for n in ip.user_ns if n not in hidden]:
        del ip.user_ns[name]
    ip.history_manager.output_hist.clear()
    ip.history_manager.output_hist_reprs.clear()
    for name in ("_", "__", "___"):
        ip.user_ns[name] = ""
    plt.close("all")
    matplotlib.rcdefaults()
    matplotlib.use("module://matplotlib_inline.backend_inline")
    matplotlib.rcParams["svg.hashsalt"] = "plan-eval"
    if date:
        day = datetime.strptime(date, "%Y-%m-%d").replace(tzinfo=UTC)
        os.environ["SOURCE_DATE_EPOCH"] = str(int(day.timestamp()))
    if cwd is not None:
        os.chdir(cwd)
