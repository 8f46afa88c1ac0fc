"""Shared fixtures: the real raw data, the small fixture plan, and a built copy of each."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from analysis import paths
from analysis.build import BuildResult, build

FIXTURES = Path(__file__).parent / "fixtures"
SMALL_RAW = FIXTURES / "raw_small"


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path]:
    """The project's own data/raw, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("processed")
    return build(paths.RAW, out), out


@pytest.fixture(scope="session")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path]:
    """The small fixture plan (a fictional district), built once."""
    out = tmp_path_factory.mktemp("processed_small")
    return build(SMALL_RAW, out), out


@pytest.fixture
def small_raw_copy(tmp_path: Path) -> Path:
    """A writable copy of the small fixture's raw folder, for tests that break it."""
    dest = tmp_path / "raw"
    shutil.copytree(SMALL_RAW, dest)
    return dest


def reword_source(raw: Path, files: list[str], old: str, new: str) -> None:
    """Change a wording in the source document and in its transcriptions, and record the
    document's new checksum: a source that really says something else, not a corruption."""
    for name in [*files, "documents/fixture_plan.txt"]:
        path = raw / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    record_checksum(raw)


def record_checksum(raw: Path) -> None:
    """Record the fixture document's current checksum in documents.csv (after a test edits the
    source on purpose: a source that says more, not a corruption)."""
    docs = raw / "documents.csv"
    digest = hashlib.sha256((raw / "documents" / "fixture_plan.txt").read_bytes()).hexdigest()
    lines = docs.read_text(encoding="utf-8").splitlines()
    docs.write_text(
        "\n".join([lines[0], *(line.rsplit(",", 1)[0] + "," + digest for line in lines[1:])]) + "\n", encoding="utf-8"
    )
