"""State: a restart, or a second process, on the same SQLite state sees the same jobs and progress;
speed is fixed per state file."""

from __future__ import annotations

import pytest

from jstui.emulator.embedded import start_embedded
from jstui.domain.errors import UsageError

from tests.emulator.helpers import ManualClock, client, tuning_request


def _view(url: str, name: str):
    sm = client("sagemaker", url)
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    jobs = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)["TrainingJobSummaries"]
    return d["HyperParameterTuningJobStatus"], d["TrainingJobStatusCounters"], [
        (j["TrainingJobName"], j["TrainingJobStatus"], j["TunedHyperParameters"],
         j.get("FinalHyperParameterTuningJobObjectiveMetric")) for j in jobs]


def test_restart_and_second_process_agree(tmp_path, catalog):
    clock = ManualClock()
    state = tmp_path / "s.sqlite"
    with start_embedded(state, [catalog], speed=300, noise=0.05, seed=11, clock=clock) as a:
        client("sagemaker", a.url).create_hyper_parameter_tuning_job(**tuning_request("keep", max_jobs=3, parallel=2))
        clock.advance(250)
        with start_embedded(state, [catalog], speed=300, noise=0.05, seed=99, clock=clock) as b:
            assert _view(a.url, "keep") == _view(b.url, "keep")
        clock.advance(200)
        mid = _view(a.url, "keep")
    with start_embedded(state, [catalog], speed=300, clock=clock) as c:
        assert _view(c.url, "keep") == mid  # seed and noise were captured with the job
        clock.advance(5000)
        final = _view(c.url, "keep")
    assert final[0] == "Completed" and len(final[2]) == 3


def test_other_speed_on_existing_state_is_refused(tmp_path, catalog):
    state = tmp_path / "s.sqlite"
    with start_embedded(state, [catalog], speed=600) as e:
        assert e.speed == 600
    with pytest.raises(UsageError) as err:
        start_embedded(state, [catalog], speed=300)
    assert "600" in str(err.value) and str(state) in str(err.value)
    with start_embedded(state, [catalog], speed=600) as e:
        assert e.speed == 600


def test_real_clock_runs_at_speed(tmp_path, catalog):
    import time

    with start_embedded(tmp_path / "s.sqlite", [catalog], speed=3600) as e:
        t0 = e.now()
        time.sleep(0.05)
        assert e.now() - t0 >= 0.05 * 3600 * 0.9


def test_unusable_state_is_a_usage_error(tmp_path, catalog):
    bad = tmp_path / "not-a-db.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UsageError) as err:
        start_embedded(bad, [catalog])
    assert str(bad) in str(err.value)
    with pytest.raises(UsageError):
        start_embedded(tmp_path, [catalog])  # a directory
