"""Read a raw file's sidecar (``<name>.meta.yml``) and check its shape, never with a traceback.

A sidecar names the file's source, its role and its columns. A broken one (bad YAML, binary
garbage, a missing key, a column of unknown type) is a ``Problem`` naming the sidecar, the
line and what was expected, so the person who edited it can find the place without reading
a Python traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from analysis.raw.errors import Problem, RawDataError
from analysis.raw.errors import close_matches as _close

COLUMN_TYPES = ("str", "int", "year", "date", "number", "bool", "enum")
#: What a column declaration may say; anything else is most likely a typo (``requird``).
COLUMN_KEYS = ("type", "required", "verbatim", "description", "values", "min", "max", "names")
#: Keys every sidecar must have.
REQUIRED_KEYS = ("role", "title", "columns")


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.yml")


def read_sidecar(path: Path, name: str, roles: Iterable[str] | None = None) -> dict[str, Any]:
    """The sidecar of the raw file ``path`` (shown as ``name``), checked; RawDataError if broken.

    ``roles``, when given, are the roles the caller knows: another one is a problem on its line."""
    meta_path = sidecar_path(path)
    meta_name = str(Path(name).with_name(meta_path.name))
    if not meta_path.exists():
        raise RawDataError(
            [
                Problem(
                    name,
                    None,
                    None,
                    "no sidecar file",
                    f"{meta_path.name} beside it, naming its source and its columns",
                )
            ]
        )
    node, meta = _parse_yaml(_sidecar_text(meta_path, meta_name), meta_name)
    lines = _key_lines(node)
    problems = check_sidecar(meta, meta_name, lines)
    problems += [
        Problem(meta_name, line, key[-1], "a key given twice (the second silently wins)", "each key once")
        for key, line in _duplicate_keys(node)
    ]
    if roles is not None and isinstance(meta, dict) and "role" in meta and meta["role"] not in roles:
        problems.append(
            Problem(
                meta_name,
                lines.get(("role",), 1),
                "role",
                f"role {meta['role']!r}",
                f"one of {sorted(roles)}{_close(str(meta['role']), roles)}",
            )
        )
    if problems:
        raise RawDataError(problems)
    return meta


def _sidecar_text(meta_path: Path, meta_name: str) -> str:
    """The sidecar as text; RawDataError on the line of the first byte that is not UTF-8 or is NUL."""
    raw = meta_path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RawDataError(
            [
                Problem(
                    meta_name,
                    line,
                    None,
                    "bytes that are not UTF-8 text (binary garbage?)",
                    "a YAML sidecar saved as UTF-8 text",
                )
            ]
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise RawDataError(
            [Problem(meta_name, line, None, "a NUL byte (binary garbage?)", "a YAML sidecar saved as UTF-8 text")]
        )
    return text


def _parse_yaml(text: str, meta_name: str) -> tuple[yaml.Node | None, Any]:
    """The YAML node tree (for key lines and duplicate keys) and the loaded value; RawDataError
    naming the line and what the parser found when the YAML is broken."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        mark_line = mark.line + 1 if mark is not None else None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise RawDataError(
            [
                Problem(
                    meta_name,
                    mark_line,
                    None,
                    f"broken YAML ({what})",
                    "YAML such as `role: plans` and `columns:` with one indented line per "
                    "column (check indentation, colons and quotes)",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise RawDataError(
            [Problem(meta_name, None, None, f"broken YAML ({type(exc).__name__})", "a YAML mapping")]
        ) from None


def check_sidecar(meta: Any, meta_name: str, lines: dict[tuple[str, ...], int]) -> list[Problem]:
    """Every problem of a parsed sidecar's shape (``lines`` maps key paths to their line)."""
    if not isinstance(meta, dict):
        return [
            Problem(
                meta_name,
                1,
                None,
                f"a YAML {type(meta).__name__ if meta is not None else 'empty file'}",
                f"a mapping with the keys {list(REQUIRED_KEYS)}",
            )
        ]
    end = max(lines.values(), default=1)
    problems = [
        Problem(meta_name, end, key, "no such key", _EXPECTED_KEY[key]) for key in REQUIRED_KEYS if key not in meta
    ]
    columns = meta.get("columns")
    if "columns" in meta and (not isinstance(columns, dict) or not columns):
        problems.append(
            Problem(
                meta_name,
                lines.get(("columns",), 1),
                "columns",
                "no column declarations",
                "a 'columns' mapping of column name to its type",
            )
        )
        return problems
    for col, spec in (columns or {}).items():
        line = lines.get(("columns", str(col)), lines.get(("columns",), 1))
        problems += _column_problems(meta_name, line, str(col), spec)
    return problems + _key_problems(meta, meta_name, lines)


def _column_problems(meta_name: str, line: int, col: str, spec: Any) -> list[Problem]:
    """One column's declaration: a mapping of known keys, a known type, an enum's values, numeric bounds."""
    if not isinstance(spec, dict):
        return [
            Problem(
                meta_name,
                line,
                col,
                f"{spec!r}",
                "a mapping such as {type: str, required: true, description: ...}",
            )
        ]
    problems = []
    unknown = [k for k in spec if k not in COLUMN_KEYS]
    if unknown:
        problems.append(Problem(meta_name, line, col, f"the key {unknown[0]!r}", f"only the keys {list(COLUMN_KEYS)}"))
    kind = spec.get("type", "str")
    if kind not in COLUMN_TYPES:
        problems.append(Problem(meta_name, line, col, f"type {kind!r}", f"one of {list(COLUMN_TYPES)}"))
    elif kind == "enum" and not isinstance(spec.get("values"), list):
        problems.append(Problem(meta_name, line, col, "an enum without a list of values", "values: [a, b, ...]"))
    for bound in ("min", "max"):
        if bound in spec and not isinstance(spec[bound], (int, float)):
            problems.append(Problem(meta_name, line, col, f"{bound}: {spec[bound]!r}", "a number"))
    return problems


def _key_problems(meta: dict, meta_name: str, lines: dict[tuple[str, ...], int]) -> list[Problem]:
    """The ``key``: a list of declared columns."""
    key = meta.get("key") or []
    columns = meta.get("columns")
    if not isinstance(key, list):
        return [Problem(meta_name, lines.get(("key",), 1), "key", repr(key), "a list of column names")]
    if not isinstance(columns, dict):
        return []
    return [
        Problem(meta_name, lines.get(("key",), 1), "key", repr(k), f"a declared column {list(columns)}")
        for k in key
        if k not in columns
    ]


_EXPECTED_KEY = {
    "role": "role: the kind of file (plans, documents, target_table, observations_published, ...)",
    "title": "title: what the file holds, in Chinese",
    "columns": "columns: one entry per column of the CSV, with its type",
}


def _duplicate_keys(node: yaml.Node | None, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], int]]:
    found = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            path = (*prefix, str(key.value))
            if str(key.value) in seen:
                found.append((path, key.start_mark.line + 1))
            seen.add(str(key.value))
            found += _duplicate_keys(value, path)
    return found


def _key_lines(node: yaml.Node | None, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """The 1-based line of every mapping key, by its path (("columns", "unit") → 14)."""
    found: dict[tuple[str, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, str(key.value))
            found[path] = key.start_mark.line + 1
            if len(path) < 2:
                found.update(_key_lines(value, path))
    return found
