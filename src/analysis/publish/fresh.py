"""Run inside a warm kernel between reports: make it look fresh to the next notebook.

``%reset -f`` would do the namespace part, but it also runs a full garbage collection each
time (0.1 s with pandas and scipy loaded), which a batch pays per report. This clears the
same things without it: every name the user (or the previous report) defined, the output
cache, open figures and matplotlib's settings. Imported modules stay loaded: that is what
makes the kernel warm.
"""

from __future__ import annotations


def reset(cwd: str | None = None) -> None:
    """Clear what the last report left; then work in ``cwd`` (papermill's ``--cwd``, or the
    directory papermill was called from), as a kernel started there would."""
    import os

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
    if cwd is not None:
        os.chdir(cwd)
