"""A papermill engine that hands each report a warm kernel.

A fresh kernel that imports pandas, matplotlib and seaborn costs about ten times what a small
report's own cells cost. So each worker keeps one kernel alive: started once, with the heavy
libraries imported once, and reset between reports (user namespace cleared with ``%reset -f``,
figures closed, matplotlib's rc restored) so nothing leaks from one report to the next. Imported
modules stay: that is the warm part. A kernel that died is replaced; one stopped half-way
through a report (the batch's time limit) is discarded, and the next report gets a new one.

Each kernel works in a folder of its own in the temporary directory, named after the process
that owns it (``plan-eval-kernel-<pid>-…``): removed when the kernel stops, and, when its
process was killed before it could, by the next batch (``sweep_stale_folders``).

Registered as the papermill engine ``warm`` (entry point group ``papermill.engine``):
``papermill.execute_notebook(..., engine_name="warm")``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from functools import cache
from typing import Any, Protocol

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

#: Imported once per kernel, before the first report.
PRELOAD = """
import pandas, numpy, matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
import matplotlib.pyplot, seaborn, scipy.stats
import analysis.report, analysis.evaluate, analysis.charts, analysis.publish.fresh
"""

#: Run before every report: the kernel must look fresh to the notebook (see analysis.publish.fresh),
#: and work in the directory papermill was asked to run it in.
RESET = "__import__('analysis.publish.fresh', fromlist=['reset']).reset({cwd!r}, {date!r})"


FOLDER_PREFIX = "plan-eval-kernel-"


class KernelError(RuntimeError):
    """The warm kernel could not run the set-up code."""


class WarmKernel:
    """One long-lived kernel and its client."""

    def __init__(self, kernel_name: str = "python3", startup_timeout: float = 60):
        self.kernel_name = kernel_name
        self._cwd = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
        # local sockets in its folder; TCP on the loopback when the folder's path is too long
        # for a socket address (108 bytes on Linux, 104 on macOS: a long TMPDIR)
        transport = "ipc" if len(f"{self._cwd}/kernel-ipc-99".encode()) < 100 else "tcp"
        self.km = AsyncKernelManager(
            kernel_name=kernel_name, transport=transport, connection_file=f"{self._cwd}/kernel.json"
        )
        self.kc: Any = None
        self.reports = 0
        try:
            run_sync(self.km.start_kernel)(cwd=self._cwd)
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=startup_timeout)
            self.run(PRELOAD)
        except BaseException:  # a failed start (or a report stopped meanwhile) leaves nothing
            self.shutdown()
            raise

    def run(self, code: str, timeout: float = 120) -> None:
        reply = run_sync(self.kc.execute_interactive)(
            code, timeout=timeout, output_hook=lambda msg: None, store_history=False
        )
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise KernelError(f"{content.get('ename')}: {content.get('evalue')}")

    def reset(self, cwd: str | None = None, date: str | None = None) -> None:
        self.run(RESET.format(cwd=cwd, date=date))

    def alive(self) -> bool:
        return bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            pass
        shutil.rmtree(self._cwd, ignore_errors=True)  # its connection file; no folder left behind


_local = threading.local()
#: Every kernel this process started, whichever thread uses it (a Dask worker stops them from
#: another thread than the one that runs reports).
_ALL: set[WarmKernel] = set()
_LOCK = threading.Lock()


def acquire(kernel_name: str = "python3") -> WarmKernel:
    """This thread's warm kernel, started on first use or after the last one died."""
    kernel: WarmKernel | None = getattr(_local, "kernel", None)
    if kernel is None or kernel.kernel_name != kernel_name or not kernel.alive():
        if kernel is not None:
            kernel.shutdown()
            with _LOCK:
                _ALL.discard(kernel)
        kernel = WarmKernel(kernel_name)
        _local.kernel = kernel
        with _LOCK:
            _ALL.add(kernel)
    return kernel


def discard() -> None:
    """Stop this thread's warm kernel now, whatever it is doing (a report over its time
    limit): the next report starts a new one."""
    kernel: WarmKernel | None = getattr(_local, "kernel", None)
    _local.kernel = None
    if kernel is not None:
        with _LOCK:
            _ALL.discard(kernel)
        kernel.shutdown()


def sweep_stale_folders(tmp: str | None = None) -> list[str]:
    """Remove the kernel folders whose process is gone (killed before it could remove them);
    return what was removed. Folders of live processes (another batch running) are left."""
    removed: list[str] = []
    base = tmp or tempfile.gettempdir()
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(FOLDER_PREFIX):
            continue
        owner = name[len(FOLDER_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)
            removed.append(name)
    return removed


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not: a killed worker whose parent was killed
    too stays one until something reaps it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:  # no /proc (macOS): it answered the signal
        return True


def release_all() -> None:
    """Stop every warm kernel of this process (at exit, or when a Dask worker closes)."""
    with _LOCK:
        kernels = list(_ALL)
        _ALL.clear()
    for kernel in kernels:
        kernel.shutdown()
    _local.kernel = None


class WarmKernelEngine:
    """papermill's nbclient engine, executing on this worker's warm kernel after a reset.

    papermill loads engines from entry points while ``papermill.engines`` is itself being
    imported, so this module must not import it at the top (that would be a circular import).
    The class papermill calls delegates to a subclass of ``NBClientEngine`` made on first use.
    """

    @classmethod
    def execute_notebook(cls, nb: Any, kernel_name: str, **kwargs: Any) -> Any:
        return _engine().execute_notebook(nb, kernel_name, **kwargs)

    @classmethod
    def nb_kernel_name(cls, nb: Any, name: str | None = None) -> str:
        return _engine().nb_kernel_name(nb, name)

    @classmethod
    def nb_language(cls, nb: Any, language: str | None = None) -> str:
        return _engine().nb_language(nb, language)


class _Engine(Protocol):
    """What ``WarmKernelEngine`` calls on papermill's engine class (papermill ships no types)."""

    def execute_notebook(self, nb: Any, kernel_name: str, **kwargs: Any) -> Any: ...

    def nb_kernel_name(self, nb: Any, name: str | None = None) -> str: ...

    def nb_language(self, nb: Any, language: str | None = None) -> str: ...


@cache
def _engine() -> _Engine:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine
    from papermill.utils import merge_kwargs, remove_args

    class _WarmNBClientEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            kernel = acquire(kernel_name)
            # papermill has changed into its ``cwd`` (or stayed where it was called): a fresh
            # kernel would start there, so the warm one moves there
            kernel.reset(os.getcwd(), nb_man.nb.metadata.get("plan_eval", {}).get("date"))
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = PapermillNotebookClient(nb_man, km=kernel.km, **final_kwargs)
            client.kc = kernel.kc
            try:
                return client.execute()
            finally:
                kernel.reports += 1

    return _WarmNBClientEngine
