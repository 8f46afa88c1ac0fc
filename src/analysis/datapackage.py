"""``data/processed/datapackage.json``: the processed datasets as a Frictionless Data Package.

Open-data tools (the ``frictionless`` library, Open SDG-style pipelines, CKAN and other data
portals) read a Data Package descriptor to know each file's fields, types, keys and sources.
It is generated from the same schemas (``schemas/*.yml``) that every write and read is
checked against, so it cannot drift from the data: one resource per dataset whose CSV is in
the folder, with its fields (type, description, allowed values, whether it may be empty), its
primary key, the documents and publications it draws on, and the licence.

Identifier columns (``document_id`` 000 and 003, plan ids, series ids) are declared
``string``, so a Frictionless reader keeps "000" as text where a plain CSV reader would make
it 0; ``<name>.meta.yml`` says how to read them with pandas, and ``xlsx/<name>.xlsx`` keeps
them as text for Excel (``analysis.excel_copies``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import datasets, paths

NAME = "plan-evaluation-data"
FILE = "datapackage.json"

#: schema dtypes → Table Schema field types
_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "date": "date"}

LICENSES = [
    {
        "name": "MIT",
        "path": "https://opensource.org/licenses/MIT",
        "title": "MIT License (the compilation and the code that made it; the source documents are public "
        "government documents, cited in each resource's sources)",
    }
]


def field(column: str, decl: dict[str, Any]) -> dict[str, Any]:
    """One Table Schema field from a column's declaration."""
    out: dict[str, Any] = {"name": column, "type": _TYPES[decl["dtype"]]}
    if decl.get("description"):
        out["description"] = str(decl["description"])
    constraints: dict[str, Any] = {}
    if not decl.get("nullable", False):
        constraints["required"] = True
    if "isin" in decl:
        constraints["enum"] = [str(v) for v in decl["isin"]]
    if constraints:
        out["constraints"] = constraints
    if decl["dtype"] == "bool":
        out["trueValues"], out["falseValues"] = ["True"], ["False"]
    if decl["dtype"] == "date":
        out["format"] = "%Y-%m-%d"
    return out


def resource(name: str, sources: list[str]) -> dict[str, Any]:
    """The resource describing ``<name>.csv``."""
    s = datasets.spec(name)
    schema: dict[str, Any] = {"fields": [field(c, d) for c, d in s.columns.items()], "missingValues": [""]}
    key = list(s.key)
    # a primary key implies every key column is filled; declare it only where the schema says so
    if key and all(not s.columns[c].get("nullable", False) for c in key):
        schema["primaryKey"] = key
    out: dict[str, Any] = {
        "name": name.replace("_", "-"),
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "title": s.title_zh,
        "description": s.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "dialect": {"delimiter": ",", "header": True, "lineTerminator": "\n"},
        "schema": schema,
    }
    if sources:
        out["sources"] = [{"title": t} for t in sources]
    return out


def _sources(folder: Path, name: str) -> list[str]:
    """The documents and publications a dataset draws on, as its metadata lists them."""
    import yaml

    meta = folder / f"{name}.meta.yml"
    if not meta.exists():
        return []
    return [str(x) for x in (yaml.safe_load(meta.read_text(encoding="utf-8")) or {}).get("sources", [])]


def descriptor(folder: Path) -> dict[str, Any]:
    """The Data Package descriptor for every dataset written in ``folder``."""
    names = [n for n in (*datasets.DATASETS, "evaluations") if (folder / f"{n}.csv").exists()]
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": "规划实施评估数据（就业和社会保障）",
        "description": "Targets of Chinese five-year plans for employment and social security, their observed "
        "values with verbatim sources, responsibilities, and the evaluation of every target. "
        "Built by `make data` / `make evaluate` from data/raw; see docs/data.md.",
        "licenses": LICENSES,
        "resources": [resource(n, _sources(folder, n)) for n in names],
    }


def write(folder: Path | None = None) -> Path:
    """Write ``datapackage.json`` for the datasets in ``folder`` (atomically)."""
    folder = folder or paths.PROCESSED
    path = folder / FILE
    text = json.dumps(descriptor(folder), ensure_ascii=False, indent=2) + "\n"
    datasets.atomic_write_text(path, text)
    return path


def read_csv(name: str, folder: Path | None = None) -> pd.DataFrame:
    """A processed CSV read as its schema declares (text stays text): what the data package says."""
    folder = folder or paths.PROCESSED
    s = datasets.spec(name)
    text_cols = {c: "string" for c, d in s.columns.items() if d["dtype"] == "str"}
    return pd.read_csv(
        folder / f"{name}.csv", dtype=text_cols, encoding="utf-8-sig", keep_default_na=False, na_values=[""]
    )


__all__ = ["FILE", "descriptor", "field", "read_csv", "resource", "write"]
