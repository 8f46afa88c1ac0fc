"""The report batch under hostile or unlucky inputs (issue 14, item 9): a report that never
ends, a text of 32,767 characters, names whose slugs meet or are too long for a file system,
a kill half-way, a failure after a success, two batches at once, and a rebuild that must give
the same bytes. Each case ends with the other reports built and the failure named."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from analysis import datasets
from analysis.build import build
from analysis.evaluate import evaluate
from analysis.publish import kernels
from analysis.publish.batch import SLUG_BYTES, Job, batch_plan, slug
from analysis.publish.cluster import CONFIG_ENV, DEFAULT_TIME_LIMIT, configured_time_limit
from analysis.publish.runner import (
    FAILED,
    JOURNAL,
    SCRATCH,
    STATE,
    batch_lock,
    load_state,
    run_batch,
    run_job,
    summary_table,
)

from .conftest import FIXTURES

NOTEBOOKS = FIXTURES / "notebooks"
PY = [sys.executable, "-m", "analysis"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small fixture plan, built and evaluated."""
    out = tmp_path_factory.mktemp("survival") / "processed"
    result = build(FIXTURES / "raw_small", out)
    datasets.write("evaluations", evaluate(result.frames), out)
    return out


@pytest.fixture(scope="module")
def clean(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small fixture's reports, built once by the command line, uninterrupted."""
    root = tmp_path_factory.mktemp("clean") / "reports"
    done = _reports("--processed", str(data), "--out", str(root), timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return root


def _reports(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PY, "reports", "--quiet", *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, **kw
    )


def _tiny(slug_: str, **parameters) -> Job:
    return Job("other", slug_, parameters.get("title", "小报告"), parameters, str(NOTEBOOKS / "tiny.py"))


def _report_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.suffix in (".html", ".pdf", ".docx") and FAILED not in p.parts and p.name != "index.html"
    }


# -- names --------------------------------------------------------------------------------------


def test_names_whose_slugs_meet_get_their_own_files_and_none_is_too_long(data: Path):
    """Before: ``综计处/一`` beside ``综计处-一`` (or two names sharing their first 80 characters)
    stopped the batch with "two reports would share an output name" naming neither."""
    frames = {n: datasets.read(n, data) for n in datasets.DATASETS}
    stem = "人力资源和社会保障局" * 9  # 90 CJK characters: 270 bytes as UTF-8
    names = ["综计处/一", "综计处-一", "Office", "office", stem + "甲", stem + "乙", "就业科"]
    resp = frames["responsibilities"]
    rows = pd.concat([resp.iloc[[0]].assign(department=n, item_id=f"t-{i}") for i, n in enumerate(names)])
    frames["responsibilities"] = pd.concat([resp, rows], ignore_index=True)
    jobs = {j.parameters["department"]: j for j in batch_plan(frames) if j.kind == "department"}

    slugs = [jobs[n].slug for n in names]
    assert len({s.casefold() for s in slugs}) == len(names), slugs  # apart, even ignoring case
    assert jobs["就业科"].slug == "就业科"  # names that meet nothing keep theirs
    assert jobs["综计处/一"].slug.startswith("综计处-一-") and jobs["综计处-一"].slug.startswith("综计处-一-")
    assert all(len(s.encode()) <= SLUG_BYTES for s in slugs)
    # the same name gets the same file whatever the order of the data
    frames["responsibilities"] = frames["responsibilities"].iloc[::-1]
    again = {j.parameters["department"]: j.slug for j in batch_plan(frames) if j.kind == "department"}
    assert again == {n: j.slug for n, j in jobs.items()}
    assert slug(stem + "甲") != slug(stem + "乙") and len(slug(stem * 3).encode()) <= SLUG_BYTES


def test_a_name_of_a_hundred_cjk_characters_builds_and_its_failure_is_kept(tmp_path: Path):
    """Before: a department name of 75+ CJK characters failed with ``OSError: File name too
    long`` and kept no failed notebook."""
    long_name = "某某区人力资源和社会保障局就业促进和失业保险科" * 5  # 115 characters
    job = _tiny(slug(long_name), title=long_name)
    built = run_job(job, tmp_path)
    assert built.status == "built", built.error
    assert all((tmp_path / o).stat().st_size > 500 for o in built.outputs)

    failing = _tiny(slug(long_name), title=long_name, fail=True)
    failed = run_job(failing, tmp_path)
    kernels.release_all()
    assert failed.status == "failed" and "fails on request" in failed.error
    kept = tmp_path / FAILED / f"other-{job.slug}.ipynb"
    assert kept.exists() and "fails on request" in kept.read_text(encoding="utf-8")


# -- long texts ---------------------------------------------------------------------------------


def test_long_texts_are_cut_for_display_and_kept_whole_in_the_data(data: Path, tmp_path: Path):
    """Before: an assessment of 32,767 characters (Excel's cell limit) made the brief take
    1,078 s; a source title of 100,000 characters made a report of 59 pages."""
    folder = tmp_path / "processed"
    shutil.copytree(data, folder)
    frames = {n: datasets.read(n, folder) for n in datasets.DATASETS}
    resp = frames["responsibilities"]
    led = resp[(resp["position"] == 1) & (resp["item_type"] != "indicator")].iloc[0]
    detail = ("推进就业服务，" * 4681)[:32767]
    row = {c: None for c in datasets.spec("assessments").column_names} | {
        "plan_id": led.plan_id,
        "item_type": led.item_type,
        "item_id": led.item_id,
        "department": led.department,
        "assessor": "自评",
        "progress": "基本符合预期",
        "progress_detail": detail,
        "source_document": "测试",
        "source_location": "测试",
    }
    datasets.write("assessments", pd.DataFrame([row]), folder)
    documents = frames["documents"].copy()
    title = ("示例区就业和社会保障规划" * 10000)[:100_000]
    documents.loc[0, "title"] = title
    datasets.write("documents", documents, folder)

    # what kept the batch fast (1,078 s before) is the truncation checked below; its speed is not timed here
    done = _reports("--processed", str(folder), "--out", str(tmp_path / "r"), timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    state = json.loads((tmp_path / "r" / STATE).read_text(encoding="utf-8"))
    brief = state[f"department/{slug(led.department)}"]
    html = (tmp_path / "r" / next(o for o in brief["outputs"] if o.endswith(".html"))).read_text(encoding="utf-8")
    assert "全文共32767字" in html and detail[:1000] in html and detail[:1001] not in html
    plan = next(v for k, v in state.items() if k.startswith("plan/"))
    assert plan["pages"] < 20, plan["pages"]
    plan_html = (tmp_path / "r" / plan["outputs"][0]).read_text(encoding="utf-8")
    assert re.search(r"全文共1000\d\d字", plan_html) and title[:1001] not in plan_html  # the title and its 文号
    # the data keep every character
    assert datasets.read("assessments", folder)["progress_detail"].iloc[0] == detail
    assert datasets.read("documents", folder)["title"].iloc[0] == title


# -- time limit ---------------------------------------------------------------------------------


def test_a_report_over_its_time_limit_is_stopped_and_the_batch_goes_on(data: Path, tmp_path: Path):
    """Before: no limit; a runaway cell or a page layout of minutes held the batch. Now each is
    stopped at the limit (in its cell, or in WeasyPrint), its kernel killed, and the others built."""
    jobs = [
        Job("other", "sleepy", "永不结束的报告", {"seconds": 600}, str(NOTEBOOKS / "sleepy.py")),
        Job("other", "slow-pdf", "排版极慢的报告", {"chars": 16000}, str(NOTEBOOKS / "slow_pdf.py")),
        _tiny("after-sleepy"),
        _tiny("after-slow-pdf"),
    ]
    results = {r.slug: r for r in run_batch(jobs, tmp_path, data_dir=data, progress=False, time_limit=4, workers=2)}
    assert (
        results["sleepy"].status == "failed" and results["sleepy"].error == "超过单份报告时限（4秒），已在执行阶段中止"
    )
    assert results["slow-pdf"].status == "failed" and "已在PDF导出阶段中止" in results["slow-pdf"].error
    assert results["after-sleepy"].status == results["after-slow-pdf"].status == "built"  # new kernels
    table = summary_table(list(results.values()))
    assert "FAILED other/sleepy 《永不结束的报告》" in table and "FAILED other/slow-pdf" in table
    assert (tmp_path / FAILED / "other-sleepy.ipynb").exists()


def test_the_time_limit_holds_where_no_alarm_can_be_set(data: Path, tmp_path: Path):
    """A worker thread (Dask, a thread pool) takes no signals: each cell gets the limit, and the
    stopped report's kernel is replaced for the next one."""
    jobs = [Job("other", "sleepy", "永不结束的报告", {"seconds": 600}, str(NOTEBOOKS / "sleepy.py")), _tiny("next")]
    with ThreadPoolExecutor(max_workers=1) as pool:
        results = {
            r.slug: r for r in run_batch(jobs, tmp_path, data_dir=data, executor=pool, progress=False, time_limit=3)
        }
        pool.submit(kernels.release_all).result()
    assert results["sleepy"].status == "failed" and "时限" in results["sleepy"].error
    assert results["next"].status == "built", results["next"].error


def test_the_time_limit_is_read_from_the_command_line_then_the_config(tmp_path: Path, monkeypatch):
    config = tmp_path / "plan-eval.toml"
    monkeypatch.setenv(CONFIG_ENV, str(config))
    assert configured_time_limit() == DEFAULT_TIME_LIMIT  # no file
    config.write_text("[reports]\ntime_limit = 45\n", encoding="utf-8")
    assert configured_time_limit() == 45.0
    assert configured_time_limit(10) == 10.0  # the command line wins
    assert configured_time_limit(0) is None  # 0: no limit
    config.write_text('[reports]\ntime_limit = "five minutes"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="time_limit must be a number of seconds"):
        configured_time_limit()


def test_the_cli_fails_reports_over_the_limit_names_them_and_exits_non_zero(data: Path, tmp_path: Path):
    done = _reports("--processed", str(data), "--out", str(tmp_path / "r"), "--time-limit", "0.05", timeout=300)
    assert done.returncode == 1, done.stderr[-2000:]
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED ")]
    assert len(failed) == 3 and all("时限（0.05秒）" in line for line in failed), done.stdout
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "未能生成的报告" in index and "时限" in index


# -- failures after a success --------------------------------------------------------------------


def test_a_failed_reports_previous_files_are_moved_aside_and_marked_out_of_date(data: Path, tmp_path: Path):
    """Before: a report that failed left its previous PDF and HTML in place, looking current."""
    from analysis.publish.index import build_index

    root = tmp_path / "r"
    frames = {n: datasets.read(n, data) for n in datasets.DATASETS}
    with ThreadPoolExecutor(max_workers=1) as pool:

        def batch(job: Job):
            return run_batch([job], root, data_dir=data, executor=pool, progress=False)[0]

        good = batch(_tiny("report"))
        assert good.status == "built"
        bad = batch(_tiny("report", fail=True))
        assert bad.status == "failed"
        for out in good.outputs:
            assert not (root / out).exists(), f"{out} still looks current"
        assert sorted(Path(p).suffix for p in bad.previous) == [".docx", ".html", ".pdf"]
        assert all((root / p).exists() and p.startswith(f"{FAILED}/") for p in bad.previous)
        index = build_index([bad], frames, datasets.read("evaluations", data), root)
        assert "网页（已过期）" in index and f'href="{bad.previous[0]}"' in index
        again = batch(_tiny("report"))
        pool.submit(kernels.release_all).result()
    assert again.status == "built" and not any((root / p).exists() for p in bad.previous)


# -- a kill, a resume, a rebuild -------------------------------------------------------------------


def test_a_killed_batch_resumes_cleans_up_and_rebuilds_the_same_bytes(data: Path, clean: Path, tmp_path: Path):
    """Before: the state was written at the end only (a killed batch rebuilt everything), scratch
    notebooks piled up in _failed/, kernel folders stayed in the temporary directory, and two
    builds of the same inputs differed (random cell ids, clock-dated files)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {"TMPDIR": str(tmp)}
    resumed = tmp_path / "resumed"

    batch = subprocess.Popen(
        [*PY, "reports", "--quiet", "--processed", str(data), "--out", str(resumed)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    journal = resumed / JOURNAL
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (journal.exists() and '"built"' in journal.read_text(encoding="utf-8")):
        time.sleep(0.05)
    os.killpg(batch.pid, signal.SIGKILL)  # the batch and its workers, at once
    batch.wait()
    finished = {k for k, v in load_state(resumed).items() if v["status"] == "built"}
    assert 1 <= len(finished) < 3
    # what a kill leaves (planted too, in case the kill fell between two reports)
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp / f"{kernels.FOLDER_PREFIX}{dead.pid}-planted").mkdir()
    (resumed / FAILED).mkdir(exist_ok=True)
    (resumed / FAILED / f".plan-x.{dead.pid}{SCRATCH}").write_text("{}", encoding="utf-8")
    (resumed / "departments" / ".x.html.abc.tmp").parent.mkdir(exist_ok=True)
    (resumed / "departments" / ".x.html.abc.tmp").write_text("half", encoding="utf-8")

    done = _reports("--processed", str(data), "--out", str(resumed), env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    after = json.loads((resumed / STATE).read_text(encoding="utf-8"))
    assert not journal.exists()  # folded into the state file
    assert {k for k, v in after.items() if v["status"] == "unchanged"} == finished  # not rebuilt
    assert {k for k, v in after.items() if v["status"] == "built"} == set(after) - finished
    assert not list((resumed / FAILED).glob(f".*{SCRATCH}")) and not list(resumed.rglob("*.tmp"))
    assert not [p for p in tmp.iterdir() if p.name.startswith(kernels.FOLDER_PREFIX)], list(tmp.iterdir())
    # killed or not, the same inputs give the same bytes
    assert _report_files(resumed) == _report_files(clean)
    assert len(_report_files(clean)) == 9


def test_two_identical_builds_give_identical_bytes(data: Path, clean: Path, tmp_path: Path):
    """Before: two builds differed in every report (random cell ids in the HTML and the PDF's
    link targets, SVG ids and dates drawn by matplotlib, the clock's time in the Word file).
    The files are dated by their data (here 2025-12-31, the evaluation's date), or by
    ``SOURCE_DATE_EPOCH``: set to that same day, it changes no byte."""
    again = tmp_path / "again"
    done = _reports("--processed", str(data), "--out", str(again), env={"SOURCE_DATE_EPOCH": "1767139200"}, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    files = _report_files(clean)
    assert len(files) == 9 and _report_files(again) == files
    pdf = clean / next(f for f in files if f.endswith(".pdf"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Dec 31 00:00:00 2025" in info.split("CreationDate:")[1].splitlines()[0]
    assert "更新时间：2025年12月31日 00:00" in (again / "index.html").read_text(encoding="utf-8")


# -- two batches at once ----------------------------------------------------------------------------


def test_a_second_batch_on_the_same_folder_waits_or_says_who_holds_it(data: Path, clean: Path):
    """Before: two concurrent ``make reports`` both built everything."""
    root = clean  # up to date: a batch that gets the lock has nothing to do
    with batch_lock(root):
        refused = _reports("--processed", str(data), "--out", str(root), "--no-wait", timeout=120)
        assert refused.returncode == 3 and f"pid {os.getpid()}" in refused.stderr, refused.stderr
        waiting = subprocess.Popen(
            [*PY, "reports", "--quiet", "--processed", str(data), "--out", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(6)
        assert waiting.poll() is None, "the second batch did not wait"
        with batch_lock(root):  # the same process may take it again (the CLI, then run_batch)
            pass
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0 and "waiting for it to finish" in err and "up to date" in out


def test_a_torn_journal_line_or_a_garbled_state_file_never_stops_a_batch(tmp_path: Path):
    """A kill in the middle of a journal line, or a state file someone broke: the rest is read,
    and what cannot be read is rebuilt."""
    entry = {"kind": "plan", "slug": "a", "title": "甲", "status": "built", "fingerprint": "f"}
    (tmp_path / JOURNAL).write_text(
        json.dumps({"key": "plan/a", "result": entry}) + '\n{"key": "plan/b", "res', encoding="utf-8"
    )
    (tmp_path / STATE).write_text("{not json", encoding="utf-8")
    assert load_state(tmp_path) == {"plan/a": entry}


# -- a worker that dies or hangs --------------------------------------------------------------


def test_a_worker_that_crashes_fails_its_own_report_and_the_rest_are_built(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Before: one worker dying (a segfault, the OOM killer) broke the process pool, and every
    report not yet finished failed with ``BrokenProcessPool``. Now the reports it left are run
    again alone: the one that crashes again fails, named; the others are built."""
    from analysis.publish import runner

    from .fixtures import worker_faults

    monkeypatch.setattr(runner, "run_job", worker_faults.run_or_fault)
    monkeypatch.setenv(worker_faults.CRASH, "crashes")
    jobs = [_tiny("first"), _tiny("crashes"), _tiny("second"), _tiny("third")]
    results = {r.slug: r for r in run_batch(jobs, tmp_path, data_dir=data, progress=False, workers=2)}
    assert results["crashes"].status == "failed"
    assert results["crashes"].error == "报告工作进程异常退出（单独重试后仍然如此）"
    assert {s: r.status for s, r in results.items() if s != "crashes"} == dict.fromkeys(
        ("first", "second", "third"), "built"
    )
    assert "FAILED other/crashes" in summary_table(list(results.values()))
    # recorded as it happened: the next batch retries only the failed one
    again = {r.slug: r.status for r in run_batch(jobs, tmp_path, data_dir=data, progress=False, workers=2)}
    assert again == {"first": "unchanged", "crashes": "failed", "second": "unchanged", "third": "unchanged"}


def test_a_worker_stuck_where_no_alarm_reaches_is_killed_and_the_batch_goes_on(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Before: a report stuck inside C code (where SIGALRM is not delivered) held its worker,
    and the batch, for ever. Now the batch's watchdog kills a pool that finished nothing for
    the limit and its grace, and the stuck report fails with the limit named."""
    from analysis.publish import runner

    from .fixtures import worker_faults

    monkeypatch.setattr(runner, "run_job", worker_faults.run_or_fault)
    monkeypatch.setattr(runner, "WATCHDOG_GRACE", 3.0)
    monkeypatch.setenv(worker_faults.HANG, "stuck")
    jobs = [_tiny("before"), _tiny("stuck"), _tiny("after")]
    # the limit leaves room for a cold worker's first report (imports, a kernel, the first PDF's
    # fonts) on a loaded machine: at 6 s a CI run under load failed "before" by its time limit
    results = {r.slug: r for r in run_batch(jobs, tmp_path, data_dir=data, progress=False, time_limit=15, workers=1)}
    assert results["stuck"].status == "failed"
    assert results["stuck"].error == "超过单份报告时限（15秒）且无法中止，其工作进程已被终止"
    assert results["before"].status == "built", results["before"].error
    assert results["after"].status == "built", results["after"].error
