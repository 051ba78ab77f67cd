"""Training jobs fail (the emulator's `fail_rate`, drawn per job when its tuning job is created):
failures inside a Completed tuning job are normal HPO (exit 0); a tuning job whose training jobs all
failed ends Failed (exit 5). Either way every job is shown once, failures with their reason. (The
engine suite covers a study where everything fails, and --retry-failed.)"""

from __future__ import annotations

import json

from jstui.cli.main import main
from jstui.emulator.embedded import start_embedded
from jstui.engine.session import EngineSession, load
from tests.engine.conftest import FAST_SPEED

from tests.faults.conftest import fast_study
from tests.faults.service import CATALOG, assert_nothing_lost


def _launch_and_look(tmp_path, capsys, *, name: str, max_jobs: int):
    """`launch --yes --wait`, then `status --json`, on a 3-model study with half the training jobs
    failing. The draws are seeded by the emulator's seed and the job names, so each study name
    gives one fixed outcome (each test checks it got the mix it is about)."""
    study_path = fast_study(tmp_path, name=name, models=3, parallel_tuning_jobs=3, max_jobs=max_jobs)
    study = load(study_path)
    emu = start_embedded(tmp_path / "emu.sqlite", [CATALOG], speed=FAST_SPEED, noise=0.0, fail_rate=0.5)
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emu.url]
    try:
        launched = main(g + ["launch", str(study_path), "--yes", "--wait"])
        capsys.readouterr()
        status_rc = main(g + ["status", str(study_path), "--json"])
        status = json.loads(capsys.readouterr().out)
        with EngineSession(study, tmp_path / "home", endpoint_url=emu.url, readonly=True) as session:
            snap = session.refresh(strict=True)
        view = assert_nothing_lost(snap, emu.url, study)
    finally:
        emu.stop()
    return launched, status_rc, status, snap, view


def test_failed_training_jobs_inside_completed_tuning_jobs_exit_0(tmp_path, capsys):
    launched, status_rc, status, snap, view = _launch_and_look(tmp_path, capsys, name="fr", max_jobs=2)
    failed = [t for t in snap.training_jobs if t.status == "Failed"]
    assert failed, "the scenario needs failed training jobs"
    assert {v["status"] for v in view.values()} == {"Completed"}, "the scenario needs only Completed tuning jobs"
    assert (launched, status_rc) == (0, 0)
    assert status["counts"] == {"Completed": 3}
    assert all(t.failure_reason for t in failed)
    for row in snap.tuning_jobs:  # each tuning job's best is one of its completed training jobs
        best = next(t for t in snap.training_jobs if t.training_job_name == row.best_training_job_name)
        assert best.status == "Completed" and best.tuning_job_name == row.tuning_job_name
        assert row.jobs_failed == sum(1 for t in failed if t.tuning_job_name == row.tuning_job_name)


def test_a_tuning_job_that_ends_failed_exits_5(tmp_path, capsys):
    # one training job per tuning job: it fails exactly when its only training job fails
    launched, status_rc, status, snap, view = _launch_and_look(tmp_path, capsys, name="mixed", max_jobs=1)
    statuses = sorted(v["status"] for v in view.values())
    assert "Failed" in statuses and "Completed" in statuses, f"the scenario needs both: {statuses}"
    assert (launched, status_rc) == (5, 5)
    assert status["counts"] == {s: statuses.count(s) for s in set(statuses)}
    for row in snap.tuning_jobs:
        if row.status == "Failed":
            assert row.failure_reason and row.best_training_job_name is None and row.jobs_failed == 1
        else:
            assert row.best_objective is not None and row.best_metrics.get("test_accuracy")
