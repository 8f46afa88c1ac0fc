"""Whether WeasyPrint will subset fonts with HarfBuzz, and saying so once when it will not.

WeasyPrint embeds a subset of every font a PDF uses. With the HarfBuzz-Subset library
(Debian: ``libharfbuzz-subset0``, at least 4.1.0) that takes milliseconds; without it
WeasyPrint falls back to fontTools, which walks every glyph of the 19 MB Noto Sans CJK
collection: 14–35 s per report instead of about 0.7 s. WeasyPrint warns about the fallback
once per font per document (a dozen lines per report, hundreds per batch); the batch says it
once, in one line naming the package, and filters exactly that repeated line, nothing else.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Callable

#: The Debian package that provides HarfBuzz-Subset (``system-packages.txt`` names it too).
PACKAGE = "libharfbuzz-subset0"
#: The start of WeasyPrint's own per-font warning about the fontTools fallback.
FALLBACK_MESSAGE = "Using fontTools instead of HarfBuzz-Subset"
#: WeasyPrint's DeprecationWarning at import when the library is missing.
IMPORT_MESSAGE = "HarfBuzz-Subset will be required"

MISSING_LINE = (
    f"PDF: WeasyPrint cannot find HarfBuzz-Subset and falls back to fontTools "
    f"(each PDF takes 15–35 s instead of about 1 s); install the Debian package {PACKAGE} "
    f"(`apt-get install {PACKAGE}`, or `make setup` as root)."
)


def harfbuzz_subset() -> bool:
    """True when WeasyPrint will subset fonts with HarfBuzz (the library loads and is ≥ 4.1.0),
    the same test WeasyPrint itself makes in ``weasyprint.pdf.fonts.Font.subset``."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=IMPORT_MESSAGE, category=DeprecationWarning)
        from weasyprint.text.ffi import harfbuzz
        from weasyprint.text.ffi import harfbuzz_subset as library

    return bool(library) and bool(harfbuzz.hb_version_atleast(4, 1, 0))


class _FallbackFilter(logging.Filter):
    """Drops WeasyPrint's per-font fallback warning (said once by ``check``); passes all else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(FALLBACK_MESSAGE)


_FILTER = _FallbackFilter()


def quiet_fallback() -> None:
    """Install the filter for the repeated fallback line (idempotent; for workers and exporters)."""
    logger = logging.getLogger("weasyprint")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    warnings.filterwarnings("ignore", message=IMPORT_MESSAGE, category=DeprecationWarning)


def check(say: Callable[[str], None] | None = None) -> bool:
    """Before a batch: whether HarfBuzz subsetting is used. When it is not, say so once
    (``say``, default: print to stderr) and quieten WeasyPrint's per-font repetition of it."""
    ok = harfbuzz_subset()
    if not ok:
        (say or _stderr)(MISSING_LINE)
        quiet_fallback()
    return ok


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


__all__ = ["FALLBACK_MESSAGE", "MISSING_LINE", "PACKAGE", "check", "harfbuzz_subset", "quiet_fallback"]
