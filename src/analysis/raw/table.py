"""Read one raw CSV and check it against the column declarations in its sidecar."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import paths
from analysis.raw.errors import Problem, RawDataError, close_matches, display_path
from analysis.raw.sidecar import COLUMN_TYPES, read_sidecar, sidecar_path  # noqa: F401 - re-exported

ROW = "_row"  # the column that remembers each row's line number in the file


@dataclass(frozen=True)
class RawTable:
    """A raw file's rows (all cells as read, typed per the sidecar) and its sidecar."""

    path: Path
    name: str
    frame: pd.DataFrame
    meta: dict[str, Any]

    def problem(self, row: int | None, column: str | None, found: str, expected: str) -> Problem:
        """A problem located in this file, for checks that span files."""
        return Problem(self.name, row, column, found, expected)


def _decode(raw: bytes, name: str) -> str:
    if not raw.strip():
        raise RawDataError([Problem(name, None, None, "an empty file", "a header row and at least one data row")])
    if b"\x00" in raw:
        # Python's csv module stops a row at a NUL byte: rows would be lost without a word.
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise RawDataError(
            [
                Problem(
                    name,
                    line,
                    None,
                    "a NUL byte (the file is damaged, or saved as UTF-16)",
                    "a CSV file saved as UTF-8 text, without NUL bytes",
                )
            ]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        guess = ""
        try:
            raw.decode("gb18030")
            guess = " (it decodes as GBK/GB18030: save it again as UTF-8)"
        except UnicodeDecodeError:
            pass
        line = raw[: exc.start].count(b"\n") + 1
        raise RawDataError(
            [Problem(name, line, None, f"bytes that are not UTF-8{guess}", "a file encoded as UTF-8")]
        ) from None


def read_raw_table(path: Path, *, root: Path | None = None) -> RawTable:
    """Read ``path`` and check it against its sidecar; raise RawDataError listing every problem."""
    root = root or paths.RAW
    name = display_path(path, root)
    if not path.exists():
        raise RawDataError([Problem(name, None, None, "no such file", "the file to exist")])
    meta = read_sidecar(path, name)
    text = _decode(path.read_bytes(), name)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise RawDataError([Problem(name, 1, None, "no header row", "a header row naming the columns")])
    header = [h.strip() for h in rows[0]]
    columns: dict[str, dict[str, Any]] = meta["columns"]
    problems = _header_problems(header, columns, name)
    if problems:
        raise RawDataError(problems)

    data_rows = [(i, r) for i, r in enumerate(rows[1:], start=2) if any(cell.strip() for cell in r)]
    if not data_rows:
        raise RawDataError([Problem(name, None, None, "a header but no data rows", "at least one data row")])
    records = _records(data_rows, header, columns, name, problems)

    # object dtype keeps an empty cell as None (pandas would turn it into NaN in a text column)
    frame = pd.DataFrame.from_records(records, columns=[ROW, *header]).astype(object)
    frame = frame.where(frame.notna(), None)
    key = meta.get("key") or []
    if key and not problems:
        problems = _duplicate_key_problems(frame, key, name)
    if problems:
        raise RawDataError(problems)
    return RawTable(path, name, frame, meta)


def _header_problems(header: list[str], columns: dict[str, dict[str, Any]], name: str) -> list[Problem]:
    """The header names every declared column, nothing else, and each once."""
    problems = [
        Problem(name, 1, c, "no such column in the header", f"a column named {c!r}") for c in columns if c not in header
    ]
    problems += [
        Problem(name, 1, h, "a column the sidecar does not declare", f"only the columns {list(columns)}")
        for h in header
        if h not in columns
    ]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        problems.append(Problem(name, 1, dup[0], "a column named twice", "each column once"))
    return problems


def _records(
    data_rows: list[tuple[int, list[str]]],
    header: list[str],
    columns: dict[str, dict[str, Any]],
    name: str,
    problems: list[Problem],
) -> list[dict[str, Any]]:
    """Each data row with one cell per column, converted to its declared type (with its line in
    ``ROW``); a row of the wrong width and every unconvertible cell go to ``problems``."""
    records: list[dict[str, Any]] = []
    for line, cells in data_rows:
        if len(cells) != len(header):
            problems.append(
                Problem(
                    name,
                    line,
                    None,
                    f"{len(cells)} cells",
                    f"{len(header)} cells, one per column (check for an unquoted comma)",
                )
            )
            continue
        record: dict[str, Any] = {ROW: line}
        for col, cell in zip(header, cells):
            value, problem = _convert(cell, columns[col], name, line, col)
            if problem:
                problems.append(problem)
            record[col] = value
        records.append(record)
    return records


def _duplicate_key_problems(frame: pd.DataFrame, key: list[str], name: str) -> list[Problem]:
    """Every row whose key repeats an earlier row's, named with the first row's line."""
    problems = []
    dup = frame[frame.duplicated(subset=key, keep=False)]
    for _, group in dup.groupby(key, sort=False):
        first, *others = group[ROW].tolist()
        for line in others:
            ident = ", ".join(f"{k}={group.iloc[0][k]!r}" for k in key)
            problems.append(
                Problem(name, line, key[-1], f"a duplicate of row {first} ({ident})", f"each ({', '.join(key)}) once")
            )
    return problems


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _convert(cell: str, spec: dict[str, Any], file: str, line: int, col: str) -> tuple[Any, Problem | None]:
    """Type one cell; an empty cell is None (and a problem when the column is required)."""
    kind = spec.get("type", "str")
    cell, invisible = clean_text(cell)
    if invisible:
        return None, Problem(
            file,
            line,
            col,
            invisible,
            "text without invisible or control characters (delete the character and type the text again)",
        )
    value = cell.strip()
    if value == "":
        if spec.get("required"):
            return None, Problem(file, line, col, "an empty cell", f"a value ({spec.get('description', kind)})")
        return None, None
    expected = {
        "int": "a whole number",
        "year": "a year such as 2025",
        "date": "a date written YYYY-MM-DD",
        "number": "a plain number (no units or words)",
        "bool": "true or false",
    }
    try:
        if kind == "str":
            return cell, None
        if kind == "int":
            if not re.fullmatch(r"-?\d+", value):
                raise ValueError
            return int(value), None
        if kind == "year":
            if not re.fullmatch(r"(19|20)\d\d", value):
                raise ValueError
            return int(value), None
        if kind == "date":
            return date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d\d-\d\d", value) else _bad(), None
        if kind == "number":
            if not _NUMBER.match(value):
                raise ValueError
            return float(value), None
        if kind == "bool":
            if value.lower() not in {"true", "false"}:
                raise ValueError
            return value.lower() == "true", None
        if kind == "enum":
            allowed = [str(v) for v in spec.get("values", [])]
            if value not in allowed:
                return None, Problem(file, line, col, repr(value), f"one of {allowed}{close_matches(value, allowed)}")
            return value, None
    except ValueError:
        return None, Problem(file, line, col, repr(value), expected[kind])
    return None, Problem(file, line, col, f"a column of unknown type {kind!r}", f"one of {COLUMN_TYPES}")


#: Characters allowed although Unicode calls them control characters: line breaks inside a cell.
_ALLOWED_CONTROL = "\n\r"


def clean_text(text: str) -> tuple[str, str | None]:
    """``text`` in Unicode NFC, and a description of its first invisible or control character.

    A zero-width space or a stray control character makes a name look right and compare
    wrong ("闵行\u200b区" is a new region); NFC folds the two ways of writing one character."""
    text = unicodedata.normalize("NFC", text)
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cn") and ch not in _ALLOWED_CONTROL:
            name = unicodedata.name(ch, "a control character")
            return text, f"an invisible character U+{ord(ch):04X} ({name}) after {text[:i][-10:]!r}"
    return text, None


def _bad() -> Any:
    raise ValueError
