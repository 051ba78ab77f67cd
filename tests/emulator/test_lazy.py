"""No request makes the emulator plan unbounded work (issue 16, finding 8): `epochs = 1e20` is valid for
the service, and the emulator writes out only what the runtime caps let anyone see; a metric regex with
catastrophic backtracking is time-boxed and reads no value instead of hanging the server."""

from __future__ import annotations

import threading

import pytest

from jstui.domain import metrics
from jstui.emulator import schedule
from jstui.emulator.embedded import start_embedded

from tests.emulator.helpers import ManualClock, client, run_until_done, tuning_request

HUGE = "100000000000000000000"  # 1e20, as a study file can write it


def _guarded(fn, limit_s: float = 120.0):
    """Run fn on a thread; a hang fails the test instead of hanging the suite (a guard, not a timing)."""
    out: dict = {}

    def body():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            out["error"] = exc

    t = threading.Thread(target=body, daemon=True)
    t.start()
    t.join(limit_s)
    assert not t.is_alive(), "the emulator hung"
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.mark.parametrize("max_run", [3600, 360000])
def test_epochs_1e20_is_accepted_and_planned_only_up_to_the_runtime_cap(tmp_path, catalog, max_run):
    clock = ManualClock()
    state = tmp_path / "state.sqlite"
    req = tuning_request("huge-epochs", max_jobs=2, parallel=2)
    tdef = req["TrainingJobDefinition"]
    tdef["StaticHyperParameters"] = {"epochs": HUGE}
    tdef["StoppingCondition"] = {"MaxRuntimeInSeconds": max_run}
    with start_embedded(state, [catalog], speed=300, noise=0.0, clock=clock) as emu:
        sm = client("sagemaker", emu.url)
        sm.create_hyper_parameter_tuning_job(**req)
        d = _guarded(lambda: run_until_done(sm, clock, "huge-epochs", step=max_run / 20))
        jobs = _guarded(lambda: sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="huge-epochs")["TrainingJobSummaries"])
        assert len(jobs) == 2
        for j in jobs:
            dj = sm.describe_training_job(TrainingJobName=j["TrainingJobName"])
            assert dj["TrainingJobStatus"] == "Stopped"
            assert dj["SecondaryStatus"] == "MaxRuntimeExceeded"
            assert dj["HyperParameters"]["epochs"] == HUGE
        assert d["HyperParameterTuningJobStatus"] == "Completed"
        # what was written out is bounded by the cap: one epoch takes at least a second and logs 3 lines
        plan = next(iter(p for k, p in schedule._cache.items() if k[0] == "huge-epochs"))
        for job in plan.jobs:
            assert len(job.lines) <= 3 * max_run + 50
    # a restart on the same state reads it back just as quickly
    with start_embedded(state, [catalog], speed=300, noise=0.0, clock=clock) as emu:
        sm = client("sagemaker", emu.url)
        d2 = _guarded(lambda: sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="huge-epochs"))
        assert d2["HyperParameterTuningJobStatus"] == "Completed"


def test_the_horizon_does_not_change_a_run_that_fits(tmp_path, catalog):
    """A job that ends within its caps plans exactly as it did without a horizon."""
    from jstui.emulator.families import run_job
    from jstui.emulator.families.common import JobContext
    from jstui.emulator.recognition import recognise
    from jstui.domain.catalog import Catalog

    cat = Catalog.load([catalog])
    hps = {"epochs": "7", "learning_rate": "0.001"}
    profile = recognise(cat, {"sagemaker-sdk:jumpstart-model-id": "tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4"},
                        None, hps, [])
    ch = {"training": None}  # the channel the JumpStart script reads (without it the container fails at once)
    full = run_job(JobContext("j-001-aaaaaaaa", profile, hps, cat, 7, 0.01, None, channels=ch))
    capped = run_job(JobContext("j-001-aaaaaaaa", profile, hps, cat, 7, 0.01, None, full.seconds + 1, channels=ch))
    assert capped == full
    h = full.seconds / 3
    cut = run_job(JobContext("j-001-aaaaaaaa", profile, hps, cat, 7, 0.01, None, h, channels=ch))
    assert len(cut.lines) < len(full.lines)
    assert tuple(x for x in cut.lines if x[0] <= h) == tuple(x for x in full.lines if x[0] <= h)  # same up to h
    assert cut.seconds > h  # and it still ends past the horizon


def test_more_than_28_days_of_max_runtime_is_refused(sm):
    req = tuning_request("too-long")
    req["TrainingJobDefinition"]["StoppingCondition"] = {"MaxRuntimeInSeconds": 28 * 86400 + 1}
    with pytest.raises(sm.exceptions.ClientError, match="28 days"):
        sm.create_hyper_parameter_tuning_job(**req)


CATASTROPHIC = r"^(.|..)*\d{9}(\d)"  # exponential backtracking on any ~100-character log line


def test_a_catastrophic_metric_regex_is_time_boxed(tmp_path, catalog, clock, monkeypatch):
    monkeypatch.setattr(metrics, "REGEX_TIMEOUT_S", 0.05)
    with start_embedded(tmp_path / "state.sqlite", [catalog], speed=300, noise=0.0, clock=clock) as emu:
        sm = client("sagemaker", emu.url)
        req = tuning_request("rx", max_jobs=2, parallel=2)
        req["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"].append(
            {"Name": "runaway", "Regex": CATASTROPHIC})
        req["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"] = "runaway"
        sm.create_hyper_parameter_tuning_job(**req)
        d = _guarded(lambda: run_until_done(sm, clock, "rx"))
        assert d["HyperParameterTuningJobStatus"] == "Completed"
        assert "BestTrainingJob" not in d  # the objective never read a value
        job = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName="rx")[
            "TrainingJobSummaries"][0]
        dj = _guarded(lambda: sm.describe_training_job(TrainingJobName=job["TrainingJobName"]))
        names = {m["MetricName"] for m in dj.get("FinalMetricDataList", [])}
        assert "runaway" not in names and "test_accuracy" in names  # the other metrics still read
    assert CATASTROPHIC in schedule._runaway


def test_one_timeout_from_a_loaded_machine_does_not_make_a_regex_runaway(monkeypatch):
    """The timeout is wall-clock time: a busy machine can make an ordinary search overrun it once. The
    line is searched again with more time before the regex is given up (and its metric with it)."""
    regex = r"- accuracy: ([0-9.]+)"
    real = schedule._compile(regex)
    calls: list[float] = []

    class SlowOnce:  # the first search overruns its time, as on a loaded machine
        def search(self, line, timeout):
            calls.append(timeout)
            if len(calls) == 1:
                raise TimeoutError("regex timed out")
            return real.search(line, timeout=timeout)

    monkeypatch.setattr(schedule, "_compile", lambda r: SlowOnce())
    assert schedule.metric_value(regex, [(10.0, "epoch 1 - accuracy: 0.75")]) == (10.0, 0.75)
    assert calls == [metrics.REGEX_TIMEOUT_S, metrics.REGEX_TIMEOUT_S * metrics.CONFIRM_FACTOR]
    assert regex not in schedule._runaway
