"""Faults and quotas: throttling (boto3's adaptive retries recover; stats count), HTTP 500s, the
concurrent tuning-job quota, stats reset."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import client, tuning_request


def _stats(url: str) -> dict:
    with urllib.request.urlopen(url + "/_emulator/stats", timeout=5) as r:
        return json.loads(r.read())


def _reset(url: str) -> dict:
    req = urllib.request.Request(url + "/_emulator/stats/reset", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


@pytest.fixture
def quick_backoff(monkeypatch):
    """botocore's backoff sleeps are real seconds; shorten them (the retry decisions stay botocore's)."""
    real = time.sleep
    monkeypatch.setattr(time, "sleep", lambda s: real(min(s, 0.005)))


def test_throttle_rate_adaptive_retries_recover_and_stats_count(emu, quick_backoff):
    emu.set_faults(throttle_rate=0.5)
    sm = client("sagemaker", emu.url, retries={"mode": "adaptive", "total_max_attempts": 20})
    # few calls: after a throttle, adaptive mode's client-side rate limiter waits in real time
    for _ in range(5):
        sm.list_hyper_parameter_tuning_jobs()
    s = _stats(emu.url)
    assert s["throttled"] > 0
    assert s["calls"]["ListHyperParameterTuningJobs"] == 5 + s["throttled"]
    once = client("sagemaker", emu.url)  # no retries: the raw error surfaces
    codes = set()
    for _ in range(20):
        try:
            once.list_hyper_parameter_tuning_jobs()
        except ClientError as e:
            codes.add((e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]))
    assert codes == {("ThrottlingException", 400)}
    assert _reset(emu.url) == {"calls": {}, "throttled": 0, "errors": 0}


def test_throttle_tps_is_per_operation(emu):
    emu.set_faults(throttle_tps=0.001)  # one call, then one every 1000 s: no machine is that slow
    once = client("sagemaker", emu.url)
    once.list_hyper_parameter_tuning_jobs()
    with pytest.raises(ClientError) as e:
        once.list_hyper_parameter_tuning_jobs()
    assert e.value.response["Error"]["Code"] == "ThrottlingException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # another operation has its own bucket
    with pytest.raises(ClientError) as e:
        once.describe_training_job(TrainingJobName="nope-001-abcdef12")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert _stats(emu.url)["throttled"] == 1


def test_error_rate_answers_500_and_retries_recover(emu, quick_backoff):
    emu.set_faults(error_rate=0.4)
    sm = client("sagemaker", emu.url, retries={"mode": "standard", "total_max_attempts": 15})
    for _ in range(10):
        sm.list_hyper_parameter_tuning_jobs()
    assert _stats(emu.url)["errors"] > 0
    emu.set_faults(error_rate=1.0)
    with pytest.raises(ClientError) as e:
        client("sagemaker", emu.url).list_hyper_parameter_tuning_jobs()
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_max_tuning_jobs_quota(emu, sm, clock):
    emu.set_faults(max_tuning_jobs=2)
    sm.create_hyper_parameter_tuning_job(**tuning_request("q-1"))
    sm.create_hyper_parameter_tuning_job(**tuning_request("q-2"))
    with pytest.raises(sm.exceptions.ResourceLimitExceeded) as e:
        sm.create_hyper_parameter_tuning_job(**tuning_request("q-3"))
    assert "concurrent hyperparameter tuning jobs" in str(e.value)
    clock.advance(3600)  # both finished: the slot is free again
    sm.create_hyper_parameter_tuning_job(**tuning_request("q-3"))


def test_clock_endpoint(emu, clock):
    with urllib.request.urlopen(emu.url + "/_emulator/clock", timeout=5) as r:
        body = json.loads(r.read())
        date = r.headers["Date"]
    assert body == {"now": clock.t, "speed": 300.0, "paused": False}
    assert emu.now() == clock.t
    assert "2027" in date  # the Date header is simulated time too (T0 is in 2027)


def test_the_quota_counts_a_stopping_job_until_it_ends_also_when_another_process_stopped_it(emu, sm, clock, tmp_path,
                                                                                             catalog):
    # the count remembers each job's end under what its plan depends on: a stop (here by another
    # process on the same state) must be seen
    from jstui.emulator.embedded import start_embedded

    emu.set_faults(max_tuning_jobs=2)
    for name in ("s-1", "s-2"):
        sm.create_hyper_parameter_tuning_job(**tuning_request(name, max_jobs=50, parallel=1))
    clock.advance(600)
    with pytest.raises(sm.exceptions.ResourceLimitExceeded):
        sm.create_hyper_parameter_tuning_job(**tuning_request("s-3"))
    with start_embedded(tmp_path / "state.sqlite", [catalog], speed=300, noise=0.0, clock=clock) as other:
        client("sagemaker", other.url).stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="s-1")
    assert sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="s-1")["HyperParameterTuningJobStatus"] == "Stopping"
    with pytest.raises(sm.exceptions.ResourceLimitExceeded):  # Stopping still counts
        sm.create_hyper_parameter_tuning_job(**tuning_request("s-3"))
    clock.advance(600)  # past the stop's grace: Stopped, its slot free
    assert sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="s-1")["HyperParameterTuningJobStatus"] == "Stopped"
    sm.create_hyper_parameter_tuning_job(**tuning_request("s-3"))


def test_a_create_decodes_only_the_tuning_jobs_created_since_the_last_count(emu, sm, monkeypatch):
    # each Create decoded (and planned) every stored tuning job to count the quota: creating 1,000 took
    # minutes. Now a job is decoded once, when first counted (or again after a stop changed it).
    from jstui.emulator import store

    decoded = []
    real = store._tuning_row
    monkeypatch.setattr(store, "_tuning_row", lambda row: decoded.append(row[0]) or real(row))
    for i in range(6):
        sm.create_hyper_parameter_tuning_job(**tuning_request(f"d-{i}"))
    before = len(decoded)
    sm.create_hyper_parameter_tuning_job(**tuning_request("d-6"))
    assert decoded[before:] == ["d-5"]  # the job the previous Create made, and no other
    assert sorted(decoded) == [f"d-{i}" for i in range(6)]  # each once
