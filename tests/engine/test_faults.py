"""Throttling, an emulator restart mid-study and the account's tuning-job quota lose nothing."""

from __future__ import annotations

import json
import time
import urllib.request

from jstui.emulator.embedded import start_embedded
from jstui.engine.session import EngineSession, load
from jstui.domain.naming import tuning_job_name
from jstui.sample_studies import ROOT
from tests.engine.conftest import FAST_SPEED, tuning_job_names, write_study

CATALOG = [ROOT / "catalogs" / "caltech256.csv"]


def _refresh_until(session, done, timeout_s=60.0):
    deadline = time.monotonic() + timeout_s
    snap = session.refresh()
    while not done(snap):
        assert time.monotonic() < deadline, snap.counts_by_status()
        time.sleep(0.2)
        snap = session.refresh()
    return snap


def test_throttling_and_a_restart_lose_nothing(tmp_path):
    state = tmp_path / "emu.sqlite"
    study = load(write_study(tmp_path, models=4, parallel_tuning_jobs=2, skip=2))
    home = tmp_path / "home"
    emu = start_embedded(state, CATALOG, speed=FAST_SPEED, throttle_rate=0.3)
    try:
        with EngineSession(study, home, endpoint_url=emu.url) as session:
            session.launch()
            _refresh_until(session, lambda s: any(t.status == "Completed" for t in s.training_jobs))
        with urllib.request.urlopen(emu.url + "/_emulator/stats", timeout=10) as r:
            assert json.load(r)["throttled"] > 0  # the faults really happened
    finally:
        emu.stop()  # mid-study: jobs are running, some candidates still queued
    emu = start_embedded(state, CATALOG, speed=FAST_SPEED, throttle_rate=0.3)
    try:
        with EngineSession(study, home, endpoint_url=emu.url) as session:
            snap = _refresh_until(session, lambda s: session.all_terminal())
            names = tuning_job_names(emu.url)
    finally:
        emu.stop()
    assert snap.counts_by_status() == {"Completed": 4}
    assert sorted(names) == sorted(tuning_job_name(study.name, c.name, 1) for c in study.candidates)
    assert len(snap.training_jobs) == sum(c.tuning.max_jobs for c in study.candidates)
    assert all(t.status == "Completed" and t.metrics.get("test_accuracy") and t.billable_seconds for t in snap.training_jobs)
    assert abs(snap.spend_usd - sum(t.billable_seconds * 3.825 / 3600 for t in snap.training_jobs)) < 1e-6


def test_tuning_job_quota_is_waited_out(tmp_path):
    from tests.emulator.helpers import ManualClock

    study = load(write_study(tmp_path, models=4, parallel_tuning_jobs=8, skip=15))
    clock = ManualClock()  # the first two jobs must still run when the third is launched: no race with them
    emu = start_embedded(tmp_path / "emu.sqlite", CATALOG, speed=FAST_SPEED, max_tuning_jobs=2, clock=clock)
    try:
        with EngineSession(study, tmp_path / "home", endpoint_url=emu.url) as session:
            session.launch()
            snap = session.snapshot()
            waiting = [t for t in snap.tuning_jobs if t.status == "WaitingForQuota"]
            assert len(waiting) == 1 and "quota" in waiting[0].waiting_reason
            assert [t.status for t in snap.tuning_jobs].count("Queued") == 1  # behind the waiting one
            snap = _refresh_until(session, lambda s: clock.advance(600) or session.all_terminal())
    finally:
        emu.stop()
    assert snap.counts_by_status() == {"Completed": 4}


def test_failed_study_exits_5_and_retry_failed_makes_a_new_generation(tmp_path, capsys):
    from jstui.cli.main import main

    path = write_study(tmp_path, models=2, skip=15)  # two small mobilenets
    study = load(path)
    emu = start_embedded(tmp_path / "emu.sqlite", CATALOG, speed=FAST_SPEED, fail_rate=1.0)
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emu.url]
    try:
        assert main(g + ["launch", str(path), "--yes", "--wait"]) == 5
        assert main(g + ["status", str(path), "--json"]) == 5
        failed_spend = json.loads(capsys.readouterr().out)["spend_usd"]
        assert failed_spend > 0
        emu.set_faults(fail_rate=0.0)
        assert main(g + ["launch", str(path), "--yes", "--wait", "--retry-failed"]) == 0
        names = tuning_job_names(emu.url)
        capsys.readouterr()
        assert main(g + ["status", str(path), "--json"]) == 0
        status = json.loads(capsys.readouterr().out)
    finally:
        emu.stop()
    assert sorted(names) == sorted(tuning_job_name(study.name, c.name, g_) for c in study.candidates for g_ in (1, 2))
    assert status["counts"] == {"Completed": 2}
    assert status["spend_usd"] > failed_spend  # the failed generation's spend still counts


def test_a_job_the_service_forgot_shows_failed_and_can_be_retried(tmp_path, emulator):
    study = load(write_study(tmp_path, models=2, skip=15))
    home = tmp_path / "home"
    with EngineSession(study, home, endpoint_url=emulator.url) as session:
        session.launch()
    # a fresh emulator state: the journal's jobs are unknown there
    other = start_embedded(tmp_path / "other.sqlite", CATALOG, speed=FAST_SPEED)
    try:
        with EngineSession(study, home, endpoint_url=other.url) as session:
            snap = session.refresh(strict=True)
            assert snap.counts_by_status() == {"Failed": 2}
            assert "does not know this tuning job" in snap.tuning_jobs[0].failure_reason
            assert session.retry_failed() == [c.name for c in study.candidates]
            assert len(tuning_job_names(other.url)) == 2
    finally:
        other.stop()
