"""The bench scripts' own parts, and each cheap script end to end at a tiny size: their figures
come from real measurements (the emulator's counts, the CSV read back), so these can fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.api_calls import needed_calls
from bench.support import REPO, sample_model_ids, write_study
from bench.synthetic import big_snapshot, with_changes
from jstui.study import load_study


def _run(script: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, str(REPO / "bench" / script), *args], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_generated_study_loads_with_unique_candidates_and_no_budget(tmp_path: Path):
    study = load_study(write_study(tmp_path, name="gen", candidates=25, max_parallel_tuning_jobs=25))
    names = [c.name for c in study.candidates]
    assert len(names) == len(set(names)) == 25
    assert study.max_parallel_tuning_jobs == 25
    assert study.budget.usd is None
    assert {c.model_id for c in study.candidates} <= set(sample_model_ids())


def test_synthetic_snapshot_is_consistent():
    snap = big_snapshot("s", ["m1", "m2"], tuning_jobs=40, per_tuning_job=5)
    assert len(snap.tuning_jobs) == 40 and len(snap.training_jobs) == 200
    for row in snap.tuning_jobs:
        jobs = snap.training_jobs_of(row.tuning_job_name)
        assert row.jobs_completed == sum(1 for j in jobs if j.status == "Completed")
        assert [j.training_job_name for j in jobs if j.is_best] == ([row.best_training_job_name] if row.best_training_job_name else [])
    changed = with_changes(snap, 0.1, step=1)
    differs = sum(1 for a, b in zip(snap.tuning_jobs, changed.tuning_jobs) if a != b)
    assert differs == 4
    assert with_changes(snap, 0.0, step=1).tuning_jobs == snap.tuning_jobs


def test_needed_calls_counts_only_what_changed():
    a = {"HyperParameterTuningJobStatus": "InProgress", "TrainingJobStatusCounters": {"Completed": 0, "InProgress": 2}}
    b = {"HyperParameterTuningJobStatus": "InProgress", "TrainingJobStatusCounters": {"Completed": 1, "InProgress": 1}}
    before = {f"j{i}": a for i in range(150)}
    assert needed_calls(before, dict(before)) == (2, False)  # two list pages, nothing else
    after = {**before, "j0": b}
    # 2 list pages + describe j0 + its training-job list + 1 newly terminal training job
    assert needed_calls(before, after) == (5, True)


def test_api_calls_script_quiet_cycle_is_one_list_call():
    result = _run("api_calls.py", "--sizes", "3", "--max-cycles", "6")
    (size,) = result["sizes"]
    assert size["quiet"]["cycles"] > 0
    assert size["quiet"]["jstui_min"] == size["quiet"]["jstui_max"] == 1
    assert size["busy"]["jstui_calls"] <= size["busy"]["needed_calls"]
    assert result["meets_target"] is True


def test_export_script_exports_every_training_job():
    result = _run("export.py", "--runs", "1", "--tuning-jobs", "20", "--per-tuning-job", "3")
    assert result["training_jobs"] == result["rows"] == 60
    assert result["peak_rss_mb"] > 0


def test_launch_script_counts_jobs_on_the_service():
    result = _run("launch.py", "--candidates", "6", "--tps", "20")
    assert result["launched"] == result["tuning_jobs"] == 6
    assert result["failures"] == result["duplicates"] == 0


def test_soak_hostile_requests_at_a_tiny_size():
    r = _run("soak.py", "--only", "idle,load,chunked,nested", "--idle", "20", "--load-threads", "5",
             "--load-calls", "10", "--rounds", "1")
    assert r["idle"]["opened"] == 20 and r["idle"]["real_call_status"] == 200
    assert r["load"]["outcomes"] == {"ok": 10}
    assert r["chunked"] == {**r["chunked"], "answered_411": 10, "smuggled_executed": 0}
    assert r["nested"]["statuses"] == {"400": 5}
    assert r["verdict"] == "meets target"


def test_budget_table_at_a_tiny_size():
    """One killed trial at speed 12,800: the service's caps alone keep billing within the $2 budget."""
    r = _run("budget.py", "--speeds", "12800", "--trials", "1", "--modes", "killed")
    (row,) = r["table"]
    (trial,) = r["trials"]
    assert row["mode"] == "killed" and row["ok"] and r["meets_target"]
    assert 0 < trial["billed_usd"] <= r["budget_usd"] and trial["launched"] >= 1 and trial["all_ended"]


def test_journal_reads_script_at_a_tiny_size():
    r = _run("journal_reads.py", "--jobs", "20", "--per-job", "3", "--cycles", "2")
    assert r["jobs"] == 20 and r["stored_json_mb"] > 0 and r["first_read_cpu_s"] >= 0


def test_emulator_create_script_at_a_tiny_size():
    r = _run("emulator_create.py", "--jobs", "12")
    assert r["jobs"] == 12 and r["create_all_s"] > 0
