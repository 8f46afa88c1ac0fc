"""Verbatim means verbatim: transcriptions checked against the documents, documents against checksums.

A sidecar marks a column ``verbatim: true`` when its cells are copied from the source
document. The build checks each such cell against the document's text (whitespace and
full-width forms folded, as PDF extraction leaves them), and each row of a transcribed table
against one row of the document's table, cell for cell: a unit changed from 万个 to 个 is
still a substring of the document, but no longer a cell of that row. The documents
themselves are checked against the SHA-256 recorded in ``documents.csv``, so a document
emptied or edited to match a changed transcription is caught too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from analysis.cn_numbers import normalize
from analysis.raw.catalog import RawCatalog
from analysis.raw.errors import Problem
from analysis.raw.table import ROW

#: Roles whose rows are rows of a table in the document (cells separated by tabs there).
TABLE_ROLES = ("target_table",)
#: Verbatim cells of a table row that the document prints once for several rows (merged cells,
#: the column heading): checked against the text, not against the row.
SPANNING = ("category", "target_heading")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def document_problems(catalog: RawCatalog) -> tuple[dict[str, str], list[Problem]]:
    """Each listed document's text (normalized), and a problem for each one whose checksum differs."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for table in catalog.all("documents"):
        has_sum = "sha256" in table.frame.columns
        for _, r in table.frame.iterrows():
            path = table.path.parent / "documents" / r["file"]
            if not path.exists():
                continue  # reported where the document is cited
            raw = path.read_bytes()
            actual = hashlib.sha256(raw).hexdigest()
            recorded = r.get("sha256") if has_sum else None
            if recorded is None:
                problems.append(
                    table.problem(r[ROW], "sha256", "an empty cell", f"the SHA-256 of documents/{r['file']} ({actual})")
                )
            elif recorded.strip().lower() != actual:
                what = "an empty document" if not raw.strip() else f"a document of {len(raw)} bytes"
                problems.append(
                    table.problem(
                        r[ROW],
                        "sha256",
                        f"documents/{r['file']} changed: {what} with SHA-256 {actual[:16]}…",
                        f"the text whose SHA-256 is recorded ({recorded[:16]}…): restore the document; if the "
                        f"source itself changed, check every transcription against it and record the new checksum",
                    )
                )
            try:
                texts[r["file"]] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                problems.append(
                    table.problem(
                        r[ROW], "file", f"documents/{r['file']} is not UTF-8 text", "the document's text saved as UTF-8"
                    )
                )
    return texts, problems


def verbatim_problems(catalog: RawCatalog, texts: dict[str, str]) -> list[Problem]:
    """A problem for every verbatim cell not found word for word in its document."""
    folded = {name: normalize(text) for name, text in texts.items()}
    table_rows = {name: _table_rows(text) for name, text in texts.items()}
    problems: list[Problem] = []
    for tables in catalog.by_role.values():
        for table in tables:
            columns = [c for c, spec in table.meta["columns"].items() if spec.get("verbatim")]
            if not columns or "source_document" not in table.frame.columns:
                continue
            for _, r in table.frame.iterrows():
                doc = r["source_document"]
                if doc not in folded:
                    continue
                cells = {c: normalize(str(r[c])) for c in columns if r.get(c) is not None}
                for col, cell in cells.items():
                    if cell and cell not in folded[doc]:
                        problems.append(
                            table.problem(
                                r[ROW],
                                col,
                                repr(_short(r[col])),
                                f"text found word for word in {doc} (verbatim column)",
                            )
                        )
                if table.meta["role"] in TABLE_ROLES:
                    problems += _row_problems(table, r, cells, table_rows[doc], doc)
    return problems


def _row_problems(table, r, cells: dict[str, str], rows: list[list[str]], doc: str) -> list[Problem]:
    """The row's cells must be cells of one row of the document's table."""
    own = {c: v for c, v in cells.items() if c not in SPANNING and v}
    if not own or any(all(v in row for v in own.values()) for row in rows):
        return []
    # name the cell that breaks the match: the row of the document that agrees on the most cells
    best = max(rows, key=lambda row: sum(v in row for v in own.values()), default=[])
    wrong = [c for c, v in own.items() if v not in best] or list(own)
    col = wrong[0]
    shown = "; ".join(best) if best else "no table row"
    return [
        table.problem(
            r[ROW],
            col,
            repr(_short(r[col])),
            f"the cell as {doc} prints it in this row of its table ({_short(shown, 80)})",
        )
    ]


def _table_rows(text: str) -> list[list[str]]:
    return [[normalize(c) for c in line.split("\t")] for line in text.splitlines() if "\t" in line]


def _short(text: str, n: int = 60) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"
