"""Generated blocks inside hand-written documents (docs/data-gaps.md, docs/methodology.md).

A command rewrites only what lies between its two markers, so tables that figures produce
are never typed by hand and the prose around them is never touched by code.
"""

from __future__ import annotations


def replace_block(text: str, begin: str, end: str, generated: str) -> str:
    """Replace what lies between ``begin`` and ``end`` in ``text`` with ``generated``; nothing else."""
    if begin not in text or end not in text:
        raise ValueError(f"no {begin!r} … {end!r} block")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{generated}{end}{tail}"
