"""Two sessions on one home (issue 16, finding 10): a launch another live process is making is never
Created again here; a claim whose process died is taken over; a job whose tags the service shows only
a little after it (the emulator's `tag_lag_s` fault) is adopted, not called another tool's."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jstui.domain.naming import tuning_job_name
from jstui.emulator.embedded import start_embedded
from jstui.engine.journal import LAUNCHED, LAUNCHING
from jstui.engine.launcher import _start_ticks, claim_alive, process_identity
from jstui.engine.session import EngineSession, load
from jstui.sample_studies import ROOT

from tests.emulator.helpers import ManualClock
from tests.engine.conftest import FAST_SPEED, sagemaker_client, tuning_job_names, write_study


@pytest.fixture
def other_process():
    """A live process that is not us, to own a claim."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def _identity_of(proc) -> str:
    import socket

    return f"{socket.gethostname()}|{proc.pid}|{_start_ticks(proc.pid) or '-'}"


def test_claim_liveness(other_process):
    me = process_identity()
    assert claim_alive(me, 0.0)
    theirs = _identity_of(other_process)
    assert claim_alive(theirs, 0.0)
    host, pid, start = theirs.split("|")
    if start != "-":
        assert not claim_alive(f"{host}|{pid}|{int(start) + 1}", 0.0)  # same pid, another process: a reused pid
    other_process.kill()
    other_process.wait()
    assert not claim_alive(theirs, 0.0)
    assert claim_alive("elsewhere|1|1", claimed_at=1000.0, now=1010.0)  # another host: a lease
    assert not claim_alive("elsewhere|1|1", claimed_at=1000.0, now=1000.0 + 3600)


def test_a_launch_held_by_another_live_session_is_not_created_twice(tmp_path, emulator, other_process):
    study = load(write_study(tmp_path, models=3, parallel_tuning_jobs=3))
    home = tmp_path / "home"
    with EngineSession(study, home, endpoint_url=emulator.url) as a, \
            EngineSession(study, home, endpoint_url=emulator.url) as b:
        a.launcher.queue()
        a.launcher.identity = _identity_of(other_process)  # session A lives in another process
        held = a.launcher._claim()  # A claimed its first launch and is about to Create it
        assert held is not None and held.candidate == study.candidates[0].name
        report = b.launch_now()
        assert held.candidate not in report.launched + report.adopted
        assert sorted(report.launched) == sorted(c.name for c in study.candidates[1:])
        assert tuning_job_names(emulator.url, held.tuning_job_name) == []
        assert b.journal.current_launches(study.name)[held.candidate].state == LAUNCHING
        # A dies before its Create: its claim is stale, and B takes the launch over
        other_process.kill()
        other_process.wait()
        report = b.launch_now()
        assert report.launched == [held.candidate] and report.adopted == []
    assert sorted(tuning_job_names(emulator.url)) == sorted(
        tuning_job_name(study.name, c.name, 1) for c in study.candidates)


def test_a_missing_tag_is_read_again_before_the_job_is_called_foreign(tmp_path):
    """Create answered, the journal still says `launching` (a kill), and the service shows the job's tags
    only 60 simulated seconds after it: the launcher reads the tags again (driving the emulator's clock
    through its sleep) and adopts the job instead of refusing it as another tool's."""
    clock = ManualClock()
    study = load(write_study(tmp_path, models=1))
    with start_embedded(tmp_path / "emu.sqlite", [ROOT / "catalogs" / "caltech256.csv"], speed=FAST_SPEED,
                        clock=clock, tag_lag_s=60.0) as emu:
        with EngineSession(study, tmp_path / "home", endpoint_url=emu.url) as session:
            session.launcher.queue()
            cand = study.candidates[0]
            name = tuning_job_name(study.name, cand.name, 1)
            session.journal.set_launch_state(study.name, cand.name, 1, LAUNCHING)
            sm = sagemaker_client(emu.url)
            sm.create_hyper_parameter_tuning_job(**session.launcher.request_for(cand, name))
            arn = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)["HyperParameterTuningJobArn"]
            assert sm.list_tags(ResourceArn=arn)["Tags"] == []  # the fault is on: no tags yet
            slept = []
            session.launcher.sleep = lambda s: (slept.append(s), clock.advance(s * 30))
            report = session.launch_now()
            assert report.adopted == [cand.name]
            assert slept  # it did wait for the tags
            assert session.journal.current_launches(study.name)[cand.name].state == LAUNCHED
