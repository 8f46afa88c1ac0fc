"""Beyond one process: the synthetic national panel, the batch on a Dask LocalCluster, the
engine partitioned by region."""

from __future__ import annotations

import subprocess
from pathlib import Path

import dask
import pytest
from distributed import get_client

from analysis import datasets, paths, synthetic
from analysis.evaluate import evaluate
from analysis.partitioned import evaluate_by_region, region_groups
from analysis.publish.batch import Job, batch_plan
from analysis.publish.cluster import configured_scheduler, dask_executor
from analysis.publish.runner import default_executor, run_batch


def test_the_synthetic_panel_is_complete_marked_and_kept_out_of_data(tmp_path: Path):
    with pytest.raises(ValueError, match="never go under"):
        synthetic.write(paths.DATA / "processed" / "synthetic", 2)
    folder = synthetic.write(tmp_path / "panel", 3)
    assert "SYNTHETIC" in (folder / synthetic.MARKER).read_text(encoding="utf-8")
    frames = {n: datasets.read(n, folder) for n in (*datasets.DATASETS, "evaluations")}  # each checked
    assert len(frames["plans"]) == 3 and frames["plans"]["title"].str.contains("合成数据").all()
    assert frames["indicators"].groupby("plan_id").size().eq(len(synthetic.PLAN_TARGETS)).all()
    assert set(frames["indicators"]["target_kind"]) >= {"cumulative", "annual", "level", "qualitative"}
    assert frames["observations"]["source_document"].str.startswith("synthetic").all()
    assert len(frames["evaluations"]) == len(frames["indicators"])


def test_the_documented_command_writes_the_panel_and_other_commands_still_refuse_strays(tmp_path: Path):
    """Before: `python -m analysis synthetic --regions 2850`, as README and docs/scale.md give it,
    was refused ("unrecognized arguments: --regions"): argparse hands a REMAINDER only what
    follows a positional."""
    from analysis import cli

    assert cli.main(["synthetic", "--regions", "2", "--seed", "7", "--out", str(tmp_path / "cmd")]) == 0
    assert len(datasets.read("plans", tmp_path / "cmd")) == 2
    assert (tmp_path / "cmd" / synthetic.MARKER).exists()
    with pytest.raises(SystemExit) as refused:
        cli.main(["data", "--regions", "2"])
    assert refused.value.code == 2


def test_the_engine_partitioned_by_region_gives_the_same_bytes(real_build):
    result, _ = real_build
    single = evaluate(result.frames)
    parts = region_groups(result.frames, 2)
    assert len(parts) == 2, "the real data hold two regions"
    split = evaluate_by_region(result.frames, npartitions=2, scheduler="synchronous")
    assert datasets._csv_bytes(datasets.conform("evaluations", split)) == datasets._csv_bytes(
        datasets.conform("evaluations", single)
    )


def test_a_synthetic_panel_partitioned_three_ways_gives_the_same_bytes():
    """Many regions, every kind of target, breaks, bounds, year-to-date values: a series' judgement
    depends on its own series only, so a partition changes nothing."""
    from analysis.bench import synthetic_frames

    frames = synthetic_frames(3000)
    single = evaluate(frames)
    split = evaluate_by_region(frames, npartitions=3, scheduler="synchronous")
    assert len(region_groups(frames, 3)) == 3
    assert datasets._csv_bytes(datasets.conform("evaluations", split)) == datasets._csv_bytes(
        datasets.conform("evaluations", single)
    )


def test_the_scheduler_comes_from_the_flag_then_the_config_file(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("PLAN_EVAL_CONFIG", raising=False)
    assert configured_scheduler(None, cwd=tmp_path) is None  # default: the process pool
    (tmp_path / "plan-eval.toml").write_text('[reports]\nscheduler = "tcp://10.0.0.5:8786"\n', encoding="utf-8")
    assert configured_scheduler(None, cwd=tmp_path) == "tcp://10.0.0.5:8786"
    assert configured_scheduler("local", cwd=tmp_path) == "local"  # the flag wins
    (tmp_path / "plan-eval.toml").write_text("[reports\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"plan-eval\.toml: not valid TOML"):
        configured_scheduler(None, cwd=tmp_path)


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_batch_on_a_local_cluster_builds_what_the_process_pool_builds_and_isolates_a_failure(tmp_path: Path):
    data = synthetic.write(tmp_path / "panel", 2)
    frames = {n: datasets.read(n, data) for n in datasets.DATASETS}
    broken = tmp_path / "broken.py"
    broken.write_text("# %%\nraise RuntimeError('合成的故障')\n", encoding="utf-8")
    jobs = batch_plan(frames, str(data)) + [Job("plan", "broken", "故障报告", {}, source=str(broken))]
    pool = default_executor(2)
    try:
        by_pool = run_batch(jobs, tmp_path / "pool", data_dir=data, executor=pool, progress=False)
    finally:
        pool.shutdown()
    with dask_executor("local", 2) as (executor, shape):
        assert shape["workers"] == 2
        by_dask = run_batch(jobs, tmp_path / "dask", data_dir=data, executor=executor, progress=False)
        # report workers (and so their kernels) keep glibc's own trimming, not Dask's 64 KiB
        trim = get_client().run(lambda: __import__("os").environ.get("MALLOC_TRIM_THRESHOLD_"))
        assert list(trim.values()) == [None, None]
    # Dask's own settings survive the override (a config block restores what it found on entry)
    assert dask.config.get("distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_") == 65536
    assert [(r.slug, r.status) for r in by_dask] == [(r.slug, r.status) for r in by_pool]
    assert [r.status for r in by_dask] == ["built"] * (len(jobs) - 1) + ["failed"]
    assert "合成的故障" in by_dask[-1].error
    for r in by_pool[:-1]:
        for out in r.outputs:
            if out.endswith(".pdf"):
                assert _pdf_text(tmp_path / "pool" / out) == _pdf_text(tmp_path / "dask" / out)
                # the synthetic document is cited by its Chinese title, never as the word "synthetic"
                sources = _pdf_text(tmp_path / "pool" / out).split("资料来源")[-1]
                assert "合成数据（用于规模测试，非真实文件）" in sources and "synthetic" not in sources
    assert (tmp_path / "dask" / "_failed" / "plan-broken.ipynb").exists()
