"""A study run end to end against the embedded emulator through real boto3 over HTTP."""

from __future__ import annotations

import json
import time

from jstui.domain.catalog import Catalog
from jstui.engine.session import EngineSession, load
from jstui.domain.export import render
from jstui.study.plan import build_plan
from jstui.domain.prices import load_price_table
from jstui.domain.snapshot import TERMINAL_TUNING
from tests.engine.conftest import tuning_job_names, write_study


def run_to_end(session: EngineSession, timeout_s: float = 60.0, interval_s: float = 0.2):
    session.launch()
    deadline = time.monotonic() + timeout_s
    snap = session.snapshot()
    while not session.all_terminal():
        assert time.monotonic() < deadline, f"study did not finish: {snap.counts_by_status()}"
        time.sleep(interval_s)
        snap = session.refresh()
    return snap


def test_study_runs_to_the_end_and_matches_the_plan(tmp_path, emulator):
    path = write_study(tmp_path, models=5, parallel_tuning_jobs=3)
    study = load(path)
    with EngineSession(study, tmp_path / "home", endpoint_url=emulator.url) as session:
        snap = run_to_end(session)
        job = snap.training_jobs[0]
        lines, token, complete = [], None, False
        for _ in range(50):  # read the log in chunks until it says it is complete
            chunk = session.logs(job.training_job_name, token)
            lines += chunk.lines
            token, complete = chunk.next_token, chunk.complete
            if complete:
                break
    assert complete and any("- Test accuracy: " in line for line in lines)
    assert snap.counts_by_status() == {"Completed": 5}
    assert sorted(tuning_job_names(emulator.url)) == sorted(r.tuning_job_name for r in snap.tuning_jobs)
    assert len(snap.training_jobs) == sum(c.tuning.max_jobs for c in study.candidates)
    for row in snap.tuning_jobs:
        assert row.best_training_job_name and row.best_metrics.get("test_accuracy"), row
        assert row.best_hyperparameters["learning_rate"] in {"0.001", "0.0002"}
        jobs = snap.training_jobs_of(row.tuning_job_name)
        assert sum(j.is_best for j in jobs) == 1
        assert abs(row.cost_usd - sum(j.cost_usd for j in jobs)) < 1e-9
    assert not snap.spend_is_estimate
    expected = sum(j.billable_seconds * 3.825 / 3600 for j in snap.training_jobs)
    assert abs(snap.spend_usd - expected) < 1e-6
    # The plan's expected spend (made before any launch) is within 15% of what the run recorded.
    plan = build_plan(study, Catalog.load(study.emulator.catalogs), load_price_table(None))
    assert abs(plan.expected_usd - snap.spend_usd) <= 0.15 * snap.spend_usd, (plan.expected_usd, snap.spend_usd)
    # Exports read the same snapshot: one row per training job.
    rows = json.loads(render(snap, "training-jobs", "json"))
    assert len(rows) == len(snap.training_jobs) and all(r["status"] == "Completed" for r in rows)


def test_launch_is_bounded_by_parallel_tuning_jobs(tmp_path, emulator):
    study = load(write_study(tmp_path, models=4, parallel_tuning_jobs=2))
    emulator.pause()  # nothing ends (and frees a slot) while the launch runs
    with EngineSession(study, tmp_path / "home", endpoint_url=emulator.url) as session:
        session.launch()
        snap = session.snapshot()
        running = [r for r in snap.tuning_jobs if r.tuning_job_name and r.status not in TERMINAL_TUNING]
        assert len(running) == 2
        assert [r.status for r in snap.tuning_jobs if not r.tuning_job_name] == ["Queued", "Queued"]
        assert len(tuning_job_names(emulator.url)) == 2


def test_plan_after_launch_shows_what_changed(tmp_path, emulator, capsys):
    from jstui.cli.main import main

    path = write_study(tmp_path, models=3)
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url]
    assert main(g + ["launch", str(path), "--yes"]) == 0
    text = path.read_text()
    study = load(path)
    # drop the last candidate, add another, change the recipe of all
    head, *blocks = text.split("[[models]]")
    added = write_study(tmp_path, name="extra", models=1, skip=10).read_text().split("[[models]]")[1]
    path.write_text(head.replace("max_jobs = 2", "max_jobs = 3") + "[[models]]" + "[[models]]".join(blocks[:2])
                    + "[[models]]" + added)
    capsys.readouterr()
    assert main(g + ["launch", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"- {study.candidates[2].name}: no longer in the study file" in out
    assert f"~ {study.candidates[0].name}: tuning changed" in out
    assert f"+ {load(path).candidates[2].name}: new since the last launch" in out
    assert len(tuning_job_names(emulator.url)) == 3  # planning created nothing
