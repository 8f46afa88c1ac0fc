"""One vocabulary: every code the schemas allow has its Chinese words and its colour, keyed by
code, so a change of wording cannot silently uncolour a badge or leave a code unnamed."""

from __future__ import annotations

import pytest

from analysis import datasets
from analysis import vocabulary as v
from analysis.report.html import badge
from analysis.style import OUTLOOK_COLOURS, PROGRESS_COLOURS
from analysis.targets import COMPARATORS, TARGET_KINDS


def _allowed(column: str, dataset: str = "evaluations") -> set[str]:
    return {str(c) for c in datasets.spec(dataset).columns[column]["isin"]}


def test_every_progress_code_the_schema_allows_has_words_and_a_colour():
    allowed = _allowed("progress")
    assert allowed == set(v.PROGRESS_ZH) == set(PROGRESS_COLOURS)


def test_every_outlook_code_has_words_and_a_colour():
    allowed = _allowed("outlook")
    assert allowed == set(OUTLOOK_COLOURS) == {k for k in v.OUTLOOK_ZH if k}


def test_the_evaluation_types_the_schema_allows_are_the_vocabularys():
    assert _allowed("evaluation_type") == set(v.EVALUATION_TYPES)


@pytest.mark.parametrize(("code", "kind"), [("ahead", "progress"), ("unlikely", "outlook"), ("pending", "progress")])
def test_a_badge_shows_the_words_in_the_codes_colour(code: str, kind: str):
    words = (v.OUTLOOK_ZH if kind == "outlook" else v.PROGRESS_ZH)[code]
    colour = (OUTLOOK_COLOURS if kind == "outlook" else PROGRESS_COLOURS)[code]
    html = badge(code, kind)
    assert f">{words}</span>" in html and colour in html
    assert badge(None) == badge("") == ""
    with pytest.raises(KeyError):  # an unknown code is a bug to see, not a grey badge
        badge("nonsense")


@pytest.mark.parametrize("dataset", ["indicators", "target_statements", "evaluations"])
def test_the_target_kinds_the_schemas_allow_are_the_parsers(dataset: str):
    assert _allowed("target_kind", dataset) == set(TARGET_KINDS)


def test_the_comparators_the_schemas_allow_are_the_parsers():
    assert _allowed("comparator", "indicators") == set(COMPARATORS) == _allowed("comparator", "observations")


def test_the_titles_name_every_evaluation_type():
    from analysis import titles

    assert set(titles.KINDS) == set(v.EVALUATION_TYPES)


def test_the_vocabulary_imports_nothing_of_the_engine():
    """The batch plan and the titles read the vocabulary to decide what to rebuild; it must not
    load the engine (pandas, numpy, scipy) to do so. A fresh interpreter shows what it loads."""
    import json
    import subprocess
    import sys

    code = "import json, sys, analysis.vocabulary, analysis.titles; print(json.dumps(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(run.stdout))
    assert "analysis.vocabulary" in loaded
    assert not {"analysis.evaluate", "pandas", "numpy", "scipy"} & loaded
