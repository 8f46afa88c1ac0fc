"""How the target parser's time grows with the length of its text (``make bench``, ``--only parser``).

Issue 14 found the parser quadratic: 30–51 s for one call on about 80k characters, because each
figure searched the whole text before it. The fix made it linear, and this benchmark keeps it so.
It lives here rather than in a test because timings belong in benchmarks: a timed test fails on a
busy machine and passes on a slow algorithm with a fast one.

Each size is timed against a floor measured in the same run on the same text: one pass of a
number-finding regular expression, which any parser of this text must at least do. Linear growth
shows as a constant ratio to that floor and as a growth exponent near 1 (time ∝ length^k; a
quadratic parser gives k ≈ 2). Figures go to ``bench/results/parser.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from analysis import paths
from analysis.bench import machine
from analysis.datasets import atomic_write_text
from analysis.targets import parse_target

RESULTS = paths.BENCH_RESULTS

#: A plan's wording repeated: two figures with units per 14 characters, the densest real text has.
UNIT_TEXT = "新增就业1万人，培训2万人次，"

#: Repetitions of UNIT_TEXT: 15k, 60k and 240k characters (the issue's slow case was 80k).
DEFAULT_REPEATS = (1_000, 4_000, 16_000)

#: Aim: time grows at most as length^1.2 between the smallest and the largest text.
AIM_EXPONENT = 1.2

_FLOOR = re.compile(r"\d+(?:\.\d+)?")


def _median_seconds(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(repeats: tuple[int, ...] = DEFAULT_REPEATS, repeat: int = 3) -> dict[str, Any]:
    """Time the parser and the floor on each text length; return the figures and the verdict."""
    sizes = []
    lengths: list[int] = []
    seconds: list[float] = []
    for n in repeats:
        text = UNIT_TEXT * n
        parser_s = _median_seconds(lambda t=text: parse_target(t, period=(2026, 2030)), repeat)
        floor_s = _median_seconds(lambda t=text: sum(1 for _ in _FLOOR.finditer(t)), repeat)
        lengths.append(len(text))
        seconds.append(parser_s)
        sizes.append(
            {
                "characters": len(text),
                "parser_seconds": round(parser_s, 4),
                "floor_regex_pass_seconds": round(floor_s, 5),
                "ratio_to_floor": round(parser_s / floor_s, 1) if floor_s > 0 else None,
            }
        )
    exponent = math.log(seconds[-1] / seconds[0]) / math.log(lengths[-1] / lengths[0])
    return {
        "what": (
            "target parser (analysis.targets.parse_target) on one plan sentence repeated, against one regex "
            "pass over the same text in the same run; growth exponent k of time ∝ length^k"
        ),
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "sizes": sizes,
        "growth_exponent": round(exponent, 2),
        "aim_growth_exponent": AIM_EXPONENT,
        "linear": exponent <= AIM_EXPONENT,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m analysis.parser_bench", description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, nargs="+", default=list(DEFAULT_REPEATS), help=argparse.SUPPRESS)
    p.add_argument("--out", default=str(RESULTS), help="folder for parser.json (default: %(default)s)")
    args = p.parse_args(argv)
    if len(args.repeats) < 2:
        p.error("--repeats needs at least two sizes to measure growth")
    report = measure(tuple(args.repeats))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    atomic_write_text(out / "parser.json", text)
    print(text, end="")
    if not report["linear"]:
        print(
            f"the parser's time grows as length^{report['growth_exponent']} (aim ≤ {AIM_EXPONENT})",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
