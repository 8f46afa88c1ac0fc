"""Rebuild on content, not time: what ``python -m analysis data`` was built from, by checksum.

``make`` compares modification times, and a raw file copied with ``cp -p`` (or restored
from an archive) keeps an old one: the build would not notice the change. So the Makefile
always calls ``python -m analysis data``, and the command first compares the SHA-256 of every
raw file and of the package's code with those recorded in ``manifest.json``; when they match
and the processed files are the ones the manifest lists, it exits at once without touching
anything (and ``make`` then sees an unchanged manifest and rebuilds nothing after it).

Only the standard library is imported here, so the no-op costs no pandas import.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

#: Files under data/raw that are not inputs (editor and Excel lock files, hidden files).
_IGNORED_PREFIXES = (".", "~$")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw_checksums(raw_dir: Path) -> dict[str, str]:
    """SHA-256 of every input file under ``raw_dir`` (CSV, sidecars, documents, workbooks), by path."""
    found = {}
    for path in sorted(raw_dir.rglob("*")):
        rel = path.relative_to(raw_dir)
        if path.is_file() and not any(part.startswith(_IGNORED_PREFIXES) for part in rel.parts):
            found[rel.as_posix()] = _digest(path)
    return found


def code_checksum() -> str:
    """One SHA-256 over the package's Python code and declarations (schemas, units)."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yml") and "__pycache__" not in p.parts):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def inputs(raw_dir: Path) -> dict[str, Any]:
    """What a build reads: recorded in manifest.json as ``inputs``."""
    return {"raw": raw_checksums(raw_dir), "code": code_checksum()}


def up_to_date(raw_dir: Path, out_dir: Path) -> bool:
    """True when ``out_dir`` was built from exactly these raw files and this code, and every
    dataset file the manifest lists is still there with its recorded checksum."""
    manifest_path = out_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("inputs") != inputs(raw_dir):
        return False
    for name, entry in (manifest.get("datasets") or {}).items():
        csv = out_dir / f"{name}.csv"
        if not csv.exists() or not (out_dir / f"{name}.parquet").exists() or _digest(csv) != entry.get("csv_sha256"):
            return False
    return bool(manifest.get("datasets"))
