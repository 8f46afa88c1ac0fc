"""The processed datasets: their schemas, and the one way to write and read them.

Each dataset's columns, types, allowed values and meanings live in
``analysis/schemas/<name>.yml``. The same file is written beside the data as
``<name>.meta.yml``, so a researcher who opens the CSV in Excel has the column meanings
at hand. Every write and every read is checked against the schema (pandera).

Writes are atomic (temporary file, then rename) and deterministic: two builds from the
same raw data give byte-identical CSV and Parquet files.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa_arrow
import pyarrow.parquet as pq
import yaml

from analysis import paths, sources

if TYPE_CHECKING:
    import pandera.pandas as pa

#: Build order, which is also the order of the manifest.
DATASETS = (
    "documents",
    "plans",
    "evaluation_settings",
    "milestones",
    "departments",
    "risk_areas",
    "items",
    "indicators",
    "target_statements",
    "responsibilities",
    "observations",
    "assessments",
    "risks",
    "passages",
    "evidence",
    "base_values",
    "surveys",
)

_DTYPES = {"str": "str", "int": "Int64", "float": "float64", "bool": "bool", "date": "datetime64[ns]"}


class DatasetSchemaError(Exception):
    """A processed dataset does not match its schema (a bug in the build, or a stale file).

    ``failures`` lists each failing cell as the project's messages need it: the dataset, the
    row (its key values, since a built row has no line in any file), the column, the value
    found and the rule broken, in words."""

    def __init__(self, message: str, failures: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.failures = list(failures or [])


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset's schema as declared in ``schemas/<name>.yml``."""

    name: str
    title_zh: str
    description: str
    key: tuple[str, ...]
    columns: dict[str, dict[str, Any]]
    sort: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return list(self.columns)


@cache
def spec(name: str) -> DatasetSpec:
    """The declared schema of dataset ``name``."""
    path = paths.SCHEMAS / f"{name}.yml"
    if not path.exists():
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    key = tuple(raw["key"])
    return DatasetSpec(name, raw["title_zh"], raw["description"], key, raw["columns"], tuple(raw.get("sort", key)))


@cache
def pandera_schema(name: str) -> pa.DataFrameSchema:
    """A strict pandera schema: exactly the declared columns, in order, with their types.

    pandera (and the hypothesis strategies it imports) is loaded here, on first use, not when
    the module is: a no-op ``make reports`` reads no schema and should not pay for it."""
    import pandera.pandas as pa

    s = spec(name)
    columns = {}
    for col, decl in s.columns.items():
        checks = []
        if "isin" in decl:
            checks.append(pa.Check.isin([str(v) for v in decl["isin"]]))
        columns[col] = pa.Column(
            _DTYPES[decl["dtype"]],
            checks=checks,
            nullable=bool(decl.get("nullable", False)),
            coerce=True,
            description=decl.get("description"),
        )
    return pa.DataFrameSchema(
        columns,
        strict=True,
        ordered=True,
        unique=list(s.key),
        report_duplicates="all",
        name=name,
    )


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Order, sort and type ``frame`` as dataset ``name``, or raise DatasetSchemaError."""
    s = spec(name)
    missing = [c for c in s.column_names if c not in frame.columns]
    if missing:
        raise DatasetSchemaError(f"{name}: missing columns {missing}")
    extra = [c for c in frame.columns if c not in s.columns]
    if extra:
        raise DatasetSchemaError(f"{name}: undeclared columns {extra}")
    frame = frame[s.column_names].copy()
    for col, decl in s.columns.items():
        if decl["dtype"] == "str":
            # Empty text is missing text: one representation, so CSV and Parquet agree.
            values = frame[col].astype(object)
            missing = values.isna() | values.eq("")
            frame[col] = values.astype(str).where(~missing, None)
    schema = pandera_schema(name)
    from pandera.errors import SchemaErrors

    try:
        frame = schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        failures = _failures(name, frame, exc.failure_cases)
        lines = [
            f"  - row {f['row']}, column {f['column']!r}: found {f['found']}; expected {f['rule']}"
            for f in failures[:20]
        ]
        raise DatasetSchemaError(f"{name} does not match schemas/{name}.yml:\n" + "\n".join(lines), failures) from None
    frame = frame.sort_values(list(dict.fromkeys(s.sort + s.key)), kind="stable", na_position="first")
    frame = frame.reset_index(drop=True)
    return frame


def _failures(name: str, frame: pd.DataFrame, cases: pd.DataFrame) -> list[dict[str, Any]]:
    """pandera's failure table as one entry per failing row and column, the rule in words."""
    s = spec(name)
    found: dict[tuple, dict[str, Any]] = {}
    for case in cases.to_dict("records"):
        check = str(case.get("check"))
        column = case.get("column") if isinstance(case.get("column"), str) else None
        index = case.get("index")
        unique = "uniqueness" in check or check == "unique"
        if unique:
            column = s.key[-1]  # one message per duplicated row, not one per key column
        row = "?"
        if index is not None and index == index and index in frame.index:
            row = ", ".join(f"{k}={frame.at[index, k]!r}" for k in s.key if k in frame.columns)
        rule = f"each ({', '.join(s.key)}) once" if unique else _RULES.get(check.split("(")[0], check)
        declared = s.columns.get(column, {}) if column is not None else {}  # a table-wide check has no column
        if check.startswith("isin"):
            rule = f"one of {declared.get('isin')}"
        elif check.startswith("dtype"):
            rule = f"a value of type {declared.get('dtype')}"
        found.setdefault(
            (row, column, rule),
            {"dataset": name, "row": row, "column": column, "found": repr(case.get("failure_case")), "rule": rule},
        )
    return list(found.values())


_RULES = {
    "not_nullable": "a value (the column may not be empty)",
    "column_in_dataframe": "the column to exist",
    "column_in_schema": "only the declared columns",
    "column_ordered": "the declared column order",
}


def write(name: str, frame: pd.DataFrame, folder: Path | None = None) -> dict[str, Any]:
    """Check ``frame`` and write ``<name>.csv`` (UTF-8 with BOM), ``<name>.parquet`` and ``<name>.meta.yml``.

    Returns the manifest entry (rows and checksums). Each file is replaced atomically.
    """
    folder = folder or paths.PROCESSED
    folder.mkdir(parents=True, exist_ok=True)
    frame = conform(name, frame)
    csv_bytes = _csv_bytes(frame)
    parquet_bytes = _parquet_bytes(frame)
    meta = _meta(name, frame)
    meta_bytes = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100).encode("utf-8")
    atomic_write(folder / f"{name}.csv", csv_bytes)
    atomic_write(folder / f"{name}.parquet", parquet_bytes)
    atomic_write(folder / f"{name}.meta.yml", meta_bytes)
    return {
        "rows": len(frame),
        "csv_sha256": hashlib.sha256(csv_bytes).hexdigest(),
        "parquet_sha256": hashlib.sha256(parquet_bytes).hexdigest(),
    }


def read(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Read dataset ``name`` from Parquet and check it against its schema."""
    folder = folder or paths.PROCESSED
    path = folder / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run `make data` (or `python -m analysis data`) first")
    frame = pd.read_parquet(path)
    return conform(name, frame)


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(_format_float)
    text = out.to_csv(index=False, lineterminator="\n")
    return ("\ufeff" + text).encode("utf-8")


def _format_float(value: float) -> str:
    """Floats without a spurious '.0' or binary noise (160000, 5.5, 2406000000)."""
    if value != value:
        return ""
    return f"{value:.12g}" if abs(value) < 1e15 else repr(value)


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    table = pa_arrow.Table.from_pandas(frame, preserve_index=False)
    sink = pa_arrow.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_statistics=False)
    return sink.getvalue().to_pybytes()


def _meta(name: str, frame: pd.DataFrame) -> dict[str, Any]:
    s = spec(name)
    meta: dict[str, Any] = {
        "dataset": name,
        "title_zh": s.title_zh,
        "description": s.description,
        "rows": len(frame),
        "key": list(s.key),
        "files": {
            "csv": f"{name}.csv (UTF-8 with BOM)",
            "parquet": f"{name}.parquet",
            "xlsx": f"xlsx/{name}.xlsx (text columns stored as text: 000 stays 000 in Excel)",
        },
        # A plain pd.read_csv turns text that looks like a number (document_id 000) into 0.
        "read_csv": f"pd.read_csv('{name}.csv', dtype={{c: 'string' for c in text_columns}}) "
        f"or analysis.datapackage.read_csv('{name}')",
        "text_columns": [c for c, d in s.columns.items() if d["dtype"] == "str"],
        "columns": s.columns,
    }
    if "source_document" in frame.columns:
        # the documents cited, never their locations; a publication in full (issuer, title, year)
        cols = [c for c in (*sources.COLUMNS, *sources.PUBLICATION_COLUMNS) if c in frame.columns]
        distinct = frame[cols].drop_duplicates()  # a synthetic national panel: 8.6M rows, one source
        found = (c for r in distinct.itertuples(index=False) for c in sources.of_record(r))
        meta["sources"] = sorted({c.text if c.is_publication else c.document for c in found})
    return meta


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    A reader sees the old file or the new one, never half of one; a crash leaves at most a
    stray temporary file, never a truncated dataset.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are for everyone who reads the folder
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write(path, text.encode("utf-8"))
