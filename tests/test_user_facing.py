"""What a researcher meets first: loaders that say when a filter names nothing that exists, and
command-line errors in one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import load, paths


def test_a_misspelt_plan_id_is_an_error_naming_the_known_ones(real_build):
    _, processed = real_build
    with pytest.raises(KeyError) as info:
        load.indicators(plan="minhang15", folder=processed)
    message = str(info.value)
    assert "'minhang15'" in message and "did you mean" in message and "minhang-15" in message
    plans = load.plans(folder=processed)["plan_id"]
    assert all(p in message for p in plans)


def test_a_real_plan_without_targets_gives_no_rows_not_an_error(real_build):
    _, processed = real_build
    plans = set(load.plans(folder=processed)["plan_id"])
    with_targets = set(load.indicators(folder=processed)["plan_id"])
    empty = sorted(plans - with_targets)
    assert empty, "the data hold plans whose targets are not transcribed yet"
    assert load.indicators(plan=empty[0], folder=processed).empty


def test_unknown_regions_departments_and_kinds_are_errors_too(real_build):
    _, processed = real_build
    with pytest.raises(KeyError, match="闵行区"):
        load.observations(region="闵行", folder=processed)
    with pytest.raises(KeyError, match="就业处"):
        load.responsibilities(department="就业", folder=processed)
    with pytest.raises(KeyError, match="did you mean 'annual'"):
        load.indicators(kind="anual", folder=processed)
    assert len(load.indicators(kind=["annual", "level"], folder=processed)) > 0


@pytest.mark.parametrize("bad", ["2024-13-40", "2024/06/30", "yesterday", "2024-6-30"])
def test_a_bad_as_of_date_is_one_line_naming_the_format_and_exit_2(bad: str):
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "evaluate", "--as-of", bad],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "YYYY-MM-DD" in lines[0] and bad in lines[0]


def test_help_texts_render_their_percent_signs():
    for command in ([], ["evaluate"], ["backtest"]):
        done = subprocess.run(
            [sys.executable, "-m", "analysis", *command, "--help"],
            capture_output=True,
            text=True,
            cwd=paths.ROOT,
            timeout=120,
        )
        assert done.returncode == 0 and "%%" not in done.stdout


def test_the_explorer_opens_on_a_chart_and_offers_only_real_cut_offs(real_build, monkeypatch):
    import datetime as dt

    from analysis import datasets, explore

    _, processed = real_build
    data = {n: datasets.read(n, processed) for n in datasets.DATASETS}
    monkeypatch.setattr(explore, "frames", lambda: data)
    drawn: list[tuple[str, str, str, str]] = []
    monkeypatch.setattr(explore, "trend", lambda *args: drawn.append(args))
    box = explore.explorer()
    (plan, region), (indicator, cutoff) = box.children[0].children, box.children[1].children
    assert plan.value and region.value and indicator.value, "preset: a chart shows on open"
    assert drawn[-1][:4] == (plan.value, region.value, indicator.value, "")
    for _, value in cutoff.options[1:]:
        assert dt.date.fromisoformat(value).isoformat() == value
    cutoff.value = cutoff.options[-1][1]  # a choice redraws once
    assert drawn[-1][3] == cutoff.options[-1][1]
    assert type(cutoff).__name__ == "Dropdown"  # no free text box to mistype a date into


def test_the_explorer_runs_the_engine_once_per_cut_off_and_not_for_the_stored_one(real_build, monkeypatch):
    """Before: every redraw (six as the explorer opens) ran the whole engine again. Now the
    data's own cut-off shows the rows `make evaluate` stored, as the reports do, and another
    cut-off is judged once however often its chart is drawn."""
    import matplotlib.pyplot as plt

    from analysis import datasets, explore
    from analysis.evaluate import evaluate

    _, processed = real_build
    data = {n: datasets.read(n, processed) for n in datasets.DATASETS}
    stored = datasets.conform("evaluations", evaluate(data))
    read = datasets.read
    monkeypatch.setattr(explore, "frames", lambda: data)
    monkeypatch.setattr(
        datasets, "read", lambda name, folder=None: stored if name == "evaluations" else read(name, folder)
    )
    runs: list[str | None] = []
    monkeypatch.setattr(explore, "evaluate", lambda d, as_of=None: runs.append(as_of) or evaluate(d, as_of=as_of))
    shown: list[str] = []
    monkeypatch.setattr(explore, "show_figure", lambda fig: shown.append(fig.axes[0].get_title()) or plt.close(fig))
    box = explore.explorer()
    cutoff = box.children[1].children[1]
    assert shown and runs == []  # the chart of the data's own cut-off, from the stored rows
    other = cutoff.options[-1][1]
    for value in (other, "", other, ""):
        cutoff.value = value
    assert runs == [other] and len(shown) >= 5


def test_a_failing_chart_is_one_line_in_chinese(real_build):
    from analysis import explore

    assert explore.explain_failure(KeyError("无此指标")) == "无法显示：无此指标"
    assert explore.explain_failure(ValueError("截止日期早于规划基期")) == "无法显示（ValueError）：截止日期早于规划基期"


def test_make_gaps_treats_a_workbook_outside_git_as_uncommitted(tmp_path):
    from analysis.cli import _uncommitted

    stray = tmp_path / "minhang-14.xlsx"
    stray.write_bytes(b"not committed")
    assert _uncommitted([stray]) == ["minhang-14.xlsx"]
    assert _uncommitted([paths.ROOT / "LICENSE"]) == []  # tracked and unchanged
