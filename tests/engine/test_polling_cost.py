"""The poller's price in API calls, counted by the emulator (`/_emulator/stats`): a quiet cycle
costs ceil(N/100) ListHyperParameterTuningJobs calls and nothing else."""

from __future__ import annotations

import json
import math
from contextlib import contextmanager
import urllib.request

from jstui.emulator.embedded import start_embedded
from jstui.engine.session import EngineSession, load
from jstui.engine.journal import LAUNCHED
from jstui.engine.poller import arn_groups
from jstui.sample_studies import ROOT
from tests.engine.conftest import write_study


def _stats(url: str) -> dict:
    with urllib.request.urlopen(url + "/_emulator/stats", timeout=10) as r:
        return json.load(r)


def _reset(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url + "/_emulator/stats/reset", data=b"{}", method="POST"), timeout=10).close()


def test_quiet_cycle_costs_ceil_n_over_100_list_calls(tmp_path):
    clock = [1_800_000_000.0]  # simulated time, moved by the test only
    emu = start_embedded(tmp_path / "emu.sqlite", [ROOT / "catalogs" / "caltech256.csv"], speed=1, clock=lambda: clock[0],
                         max_tuning_jobs=500)
    try:
        study = load(write_study(tmp_path, models=1))
        with EngineSession(study, tmp_path / "home", endpoint_url=emu.url) as session:
            cand = study.candidates[0]
            template = session.launcher.request_for(cand, "x")
            n = 105
            for i in range(n):  # 105 tuning jobs of this study, journaled as launched
                name = f"{study.name}-job-{i:03d}"
                session.clients.sagemaker.create_hyper_parameter_tuning_job(**{**template, "HyperParameterTuningJobName": name})
                session.journal.queue(study.name, f"c{i:03d}", 1, name, cand.model_id, state=LAUNCHED)
            session.refresh(strict=True)  # first sight: describes everything
            _reset(emu.url)
            session.refresh(strict=True)
            quiet = _stats(emu.url)
            assert quiet["calls"] == {"ListHyperParameterTuningJobs": math.ceil(n / 100)}
            # time passes: every job ends; the cycle that sees it fetches their records and caches them...
            clock[0] += 30 * 24 * 3600
            _reset(emu.url)
            snap = session.refresh(strict=True)
            busy = _stats(emu.url)["calls"]
            assert snap.counts_by_status() == {"Completed": n}
            # Catch-up by Search: 100 tuning-job records a page, then the training-job records of the
            # changed tuning jobs, as many tuning jobs a call as their ARNs fit one filter value; no Describe.
            arns = sorted(session.journal.tuning_jobs(study.name)[f"{study.name}-job-{i:03d}"].describe[
                "HyperParameterTuningJobArn"] for i in range(n))
            assert busy == {"ListHyperParameterTuningJobs": math.ceil(n / 100),
                            "Search": math.ceil(n / 100) + len(arn_groups(arns))}
            assert len(arn_groups(arns)) < n / 5
            assert all(t.metrics for t in snap.training_jobs)  # the records carried the final metrics
            # ...and the next one is quiet again: terminal training jobs are never described twice.
            _reset(emu.url)
            session.refresh(strict=True)
            assert _stats(emu.url)["calls"] == {"ListHyperParameterTuningJobs": math.ceil(n / 100)}
    finally:
        emu.stop()


def test_the_first_poll_after_a_launch_describes_nothing_it_just_created(tmp_path):
    clock = [1_800_000_000.0]
    emu = start_embedded(tmp_path / "emu.sqlite", [ROOT / "catalogs" / "caltech256.csv"], speed=1, clock=lambda: clock[0])
    try:
        study = load(write_study(tmp_path, models=3))
        with EngineSession(study, tmp_path / "home", endpoint_url=emu.url) as session:
            session.launcher.queue()
            assert len(session.launch_now().launched) == 3
            _reset(emu.url)
            snap = session.refresh(strict=True)
            assert _stats(emu.url)["calls"] == {"ListHyperParameterTuningJobs": 1}
            rows = {r.candidate: r for r in snap.tuning_jobs}
            for cand in study.candidates:  # the definition came from the request the launcher sent
                row = rows[cand.name]
                assert row.tuning_job_name and row.status == "InProgress"
                assert row.max_jobs == cand.tuning.max_jobs and row.instance_type == cand.resources.instance_type
            clock[0] += 3600  # training jobs start: their tuning jobs are described for real
            _reset(emu.url)
            session.refresh(strict=True)
            assert _stats(emu.url)["calls"].get("DescribeHyperParameterTuningJob", 0) + \
                _stats(emu.url)["calls"].get("Search", 0) >= 1
    finally:
        emu.stop()


@contextmanager
def _launched(tmp_path, models: int):
    """A session that has just launched `models` candidates on an embedded emulator; yields it, the
    emulator and its clock (simulated seconds, moved by the test)."""
    clock = [1_800_000_000.0]
    emu = start_embedded(tmp_path / "emu.sqlite", [ROOT / "catalogs" / "caltech256.csv"], speed=1, clock=lambda: clock[0])
    try:
        study = load(write_study(tmp_path, models=models))
        with EngineSession(study, tmp_path / "home", endpoint_url=emu.url) as session:
            session.launcher.queue()
            assert len(session.launch_now().launched) == models
            yield session, emu, clock
    finally:
        emu.stop()


def test_the_first_poll_after_a_launch_leaves_the_new_jobs_training_jobs_to_the_next_cycle(tmp_path):
    with _launched(tmp_path, 3) as (session, emu, clock):
        clock[0] += 600  # their training jobs have started by the first poll (as after 100 Creates at 5/s)
        _reset(emu.url)
        snap = session.refresh(strict=True)
        calls = _stats(emu.url)["calls"]
        assert all(r.status == "InProgress" and r.jobs_in_progress for r in snap.tuning_jobs)
        # nothing read of those seconds-old training jobs in the cycle `launch --yes` waits on
        assert not snap.training_jobs
        assert not {"ListTrainingJobsForHyperParameterTuningJob", "DescribeTrainingJob"} & set(calls)
        assert calls.get("Search", 0) <= 1  # the tuning jobs' own records, at most one page
        _reset(emu.url)
        snap = session.refresh(strict=True)  # the next cycle reads them
        assert {t.tuning_job_name for t in snap.training_jobs} == {r.tuning_job_name for r in snap.tuning_jobs}


def test_a_new_job_already_ended_at_first_sight_is_read_at_once(tmp_path):
    with _launched(tmp_path, 2) as (session, _emu, clock):
        clock[0] += 30 * 24 * 3600  # ended before the first poll (a `launch --wait` may stop on this cycle)
        snap = session.refresh(strict=True)
        assert snap.counts_by_status() == {"Completed": 2}
        assert snap.training_jobs and all(t.metrics for t in snap.training_jobs)
