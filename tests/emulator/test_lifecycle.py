"""Tuning and training job lifecycle over boto3, under an injected clock."""

from __future__ import annotations

import re

import pytest

from jstui.emulator.schedule import FINALIZE_S, RELAUNCH_DELAY_S, STARTING_S, STOP_GRACE_S, STOPPING_S
from tests.emulator.helpers import MNV2, SWIN, client, run_until_done, tuning_request


def _jobs(sm, name):
    return sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)["TrainingJobSummaries"]


def test_tuning_job_runs_to_completion_and_reports_best(sm, clock):
    sm.create_hyper_parameter_tuning_job(**tuning_request("bm-a-mnv2"))
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="bm-a-mnv2")
    assert d["HyperParameterTuningJobStatus"] == "InProgress"
    assert "BestTrainingJob" not in d  # absent until a job reported the objective
    assert d["ObjectiveStatusCounters"] == {"Succeeded": 0, "Pending": 0, "Failed": 0}

    clock.advance(60)
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="bm-a-mnv2")
    assert d["TrainingJobStatusCounters"]["InProgress"] == 2
    assert d["ObjectiveStatusCounters"]["Pending"] == 2
    assert "BestTrainingJob" not in d
    names = [j["TrainingJobName"] for j in _jobs(sm, "bm-a-mnv2")]
    assert len(names) == 2 and all(re.fullmatch(r"bm-a-mnv2-\d{3}-[0-9a-f]{8}", n) for n in names)
    tj = sm.describe_training_job(TrainingJobName=names[0])
    assert tj["TrainingJobStatus"] == "InProgress" and tj["SecondaryStatus"] == "Starting"
    assert "TrainingEndTime" not in tj and "BillableTimeInSeconds" not in tj

    d = run_until_done(sm, clock, "bm-a-mnv2", step=60)
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Completed"] == 2
    assert d["ObjectiveStatusCounters"]["Succeeded"] == 2
    best = d["BestTrainingJob"]
    summaries = _jobs(sm, "bm-a-mnv2")
    values = {s["TrainingJobName"]: s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in summaries}
    assert best["TrainingJobName"] == max(values, key=values.get)
    # seed 000: the default learning rate reaches the catalog's tuned figure (noise 0 here)
    assert best["TunedHyperParameters"] == {"learning_rate": "0.001"}
    tj = sm.describe_training_job(TrainingJobName=best["TrainingJobName"])
    metrics = {m["MetricName"]: m["Value"] for m in tj["FinalMetricDataList"]}
    assert metrics["test_accuracy"] == pytest.approx(0.808)
    assert metrics["test_throughput"] == pytest.approx(33.5)
    assert metrics["num_params"] == 2600000
    assert "test_precision" not in metrics  # its regex matches no line: no metric
    assert [t["Status"] for t in tj["SecondaryStatusTransitions"]] == [
        "Starting", "Downloading", "Training", "Uploading", "Completed"]
    assert tj["BillableTimeInSeconds"] == tj["TrainingTimeInSeconds"] > 5 * 23
    assert tj["HyperParameters"]["epochs"] == "5" and tj["HyperParameters"]["learning_rate"] == "0.001"
    assert tj["ModelArtifacts"]["S3ModelArtifacts"] == f"s3://example-bucket/jstui/out/{tj['TrainingJobName']}/output/model.tar.gz"
    other = [n for n in values if n != best["TrainingJobName"]][0]
    assert values[other] < values[best["TrainingJobName"]]


def test_parallel_limit_and_job_count(sm, clock):
    sm.create_hyper_parameter_tuning_job(**tuning_request("par", max_jobs=5, parallel=2, HyperParameterTuningJobConfig={
        **tuning_request("x")["HyperParameterTuningJobConfig"],
        "ResourceLimits": {"MaxNumberOfTrainingJobs": 5, "MaxParallelTrainingJobs": 2},
        "ParameterRanges": {"ContinuousParameterRanges": [
            {"Name": "learning_rate", "MinValue": "0.0001", "MaxValue": "0.01", "ScalingType": "Logarithmic"}]},
    }))
    peak = 0
    for _ in range(200):
        d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="par")
        peak = max(peak, d["TrainingJobStatusCounters"]["InProgress"])
        if d["HyperParameterTuningJobStatus"] == "Completed":
            break
        clock.advance(30)
    assert peak == 2
    jobs = _jobs(sm, "par")
    assert len(jobs) == 5
    lrs = [float(j["TunedHyperParameters"]["learning_rate"]) for j in jobs]
    assert all(0.0001 <= x <= 0.01 for x in lrs) and len(set(lrs)) == 5


def test_stop_tuning_job_stops_running_training_jobs(sm, clock):
    sm.create_hyper_parameter_tuning_job(**tuning_request("stopme", model_id=SWIN))
    clock.advance(600)
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="stopme")
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="stopme")
    assert d["HyperParameterTuningJobStatus"] == "Stopping"
    assert {j["TrainingJobStatus"] for j in _jobs(sm, "stopme")} == {"Stopping"}
    clock.advance(300)
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="stopme")
    assert d["HyperParameterTuningJobStatus"] == "Stopped"
    assert d["TrainingJobStatusCounters"]["Stopped"] == 2
    tj = sm.describe_training_job(TrainingJobName=_jobs(sm, "stopme")[0]["TrainingJobName"])
    assert tj["TrainingJobStatus"] == "Stopped" and tj["SecondaryStatus"] == "Stopped"
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="stopme")
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_stop_one_training_job_lets_the_next_start(sm, clock):
    sm.create_hyper_parameter_tuning_job(**tuning_request("one", model_id=SWIN, max_jobs=2, parallel=1))
    clock.advance(300)
    first = _jobs(sm, "one")
    assert len(first) == 1
    sm.stop_training_job(TrainingJobName=first[0]["TrainingJobName"])
    clock.advance(60)  # within the stop grace: the container is still running, its slot taken
    assert len(_jobs(sm, "one")) == 1
    clock.advance(STOP_GRACE_S - 60 + RELAUNCH_DELAY_S)
    jobs = _jobs(sm, "one")
    assert len(jobs) == 2
    assert {j["TrainingJobStatus"] for j in jobs} == {"Stopped", "InProgress"}


def test_training_max_runtime_stops_the_job_with_the_stop_grace(sm, clock):
    # StoppingCondition: "When the job reaches the time limit, SageMaker ends the training job ... To stop a
    # training job, SageMaker sends the algorithm the SIGTERM signal, which delays job termination for 120
    # seconds": Stopping for the grace after the limit, billed through it (as StopTrainingJob is)
    req = tuning_request("maxrt", model_id=SWIN, max_jobs=1, parallel=1)
    req["TrainingJobDefinition"]["StoppingCondition"] = {"MaxRuntimeInSeconds": 1000}
    sm.create_hyper_parameter_tuning_job(**req)
    clock.advance(600)
    (job,) = _jobs(sm, "maxrt")
    limit = job["TrainingStartTime"].timestamp() + 1000
    clock.advance(limit + STOP_GRACE_S - 1 - clock())
    tj = sm.describe_training_job(TrainingJobName=job["TrainingJobName"])
    assert tj["TrainingJobStatus"] == "Stopping" and tj["SecondaryStatus"] == "MaxRuntimeExceeded"
    clock.advance(1)
    d = run_until_done(sm, clock, "maxrt", step=300)
    tj = sm.describe_training_job(TrainingJobName=job["TrainingJobName"])
    assert tj["TrainingJobStatus"] == "Stopped" and tj["SecondaryStatus"] == "MaxRuntimeExceeded"
    assert tj["TrainingTimeInSeconds"] == tj["BillableTimeInSeconds"] == 1000 + STOP_GRACE_S
    assert tj["TrainingEndTime"].timestamp() == limit + STOP_GRACE_S
    assert d["TrainingJobStatusCounters"]["Stopped"] == 1


def test_tuning_max_runtime_stops_the_tuning_job(sm, clock):
    req = tuning_request("capped", model_id=SWIN, max_jobs=4, parallel=1)
    req["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxRuntimeInSeconds"] = 1800
    sm.create_hyper_parameter_tuning_job(**req)
    d = run_until_done(sm, clock, "capped", step=600)
    assert d["HyperParameterTuningJobStatus"] == "Stopped"
    end = d["HyperParameterTuningEndTime"].timestamp() - d["CreationTime"].timestamp()
    # the cap stops the running training job, which ends after the stop grace; then the tuning job finalizes
    assert end == 1800 + STOP_GRACE_S + FINALIZE_S
    assert len(_jobs(sm, "capped")) == 1


def test_managed_spot_lowers_billable_time(sm, clock):
    on_demand = tuning_request("od", max_jobs=1, parallel=1)
    spot = tuning_request("spot", max_jobs=1, parallel=1)
    spot["TrainingJobDefinition"]["EnableManagedSpotTraining"] = True
    spot["TrainingJobDefinition"]["StoppingCondition"]["MaxWaitTimeInSeconds"] = 400000
    sm.create_hyper_parameter_tuning_job(**on_demand)
    sm.create_hyper_parameter_tuning_job(**spot)
    run_until_done(sm, clock, "od")
    run_until_done(sm, clock, "spot")
    a = sm.describe_training_job(TrainingJobName=_jobs(sm, "od")[0]["TrainingJobName"])
    b = sm.describe_training_job(TrainingJobName=_jobs(sm, "spot")[0]["TrainingJobName"])
    assert a["BillableTimeInSeconds"] == a["TrainingTimeInSeconds"]
    assert b["EnableManagedSpotTraining"] is True
    assert b["BillableTimeInSeconds"] < b["TrainingTimeInSeconds"] * 0.5


def test_early_stopping_can_end_a_job_early(sm, clock, logs):
    req = tuning_request("early", max_jobs=1, parallel=1)
    cfg = req["HyperParameterTuningJobConfig"]
    cfg["Strategy"] = "Grid"
    cfg["ParameterRanges"] = {"CategoricalParameterRanges": [{"Name": "learning_rate", "Values": ["0.05"]}]}
    req["TrainingJobDefinition"]["StaticHyperParameters"].update(epochs="9", early_stopping_patience="2")
    sm.create_hyper_parameter_tuning_job(**req)
    run_until_done(sm, clock, "early")
    name = _jobs(sm, "early")[0]["TrainingJobName"]
    events = logs.filter_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=name)["events"]
    text = [e["message"] for e in events]
    assert any("early stopping" in m for m in text)
    assert sum(1 for m in text if re.match(r"Epoch \d+/9$", m)) < 9


def test_jumpstart_tag_recognises_model_and_unknown_is_synthetic(sm, clock, logs):
    sm.create_hyper_parameter_tuning_job(**tuning_request("swin", model_id=SWIN, max_jobs=1, parallel=1))
    unknown = tuning_request("mystery", max_jobs=1, parallel=1)
    unknown.pop("Tags")
    sm.create_hyper_parameter_tuning_job(**unknown)
    run_until_done(sm, clock, "swin", step=3600)
    run_until_done(sm, clock, "mystery", step=3600)
    swin = sm.describe_training_job(TrainingJobName=_jobs(sm, "swin")[0]["TrainingJobName"])
    m = {x["MetricName"]: x["Value"] for x in swin["FinalMetricDataList"]}
    assert m["train_epoch_duration"] == pytest.approx(698.0)
    assert m["test_throughput"] == pytest.approx(1.1)
    name = _jobs(sm, "mystery")[0]["TrainingJobName"]
    text = [e["message"] for e in logs.filter_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=name)["events"]]
    assert any("synthetic" in line for line in text)
    mystery = sm.describe_training_job(TrainingJobName=name)
    assert any(x["MetricName"] == "test_accuracy" for x in mystery["FinalMetricDataList"])


def test_s3_uri_recognises_catalog_model(sm, clock):
    req = tuning_request("by-uri", max_jobs=1, parallel=1)
    req.pop("Tags")
    req["TrainingJobDefinition"]["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = (
        f"s3://jumpstart-cache-prod-us-east-1/tensorflow-training/train-{MNV2}.tar.gz")
    sm.create_hyper_parameter_tuning_job(**req)
    run_until_done(sm, clock, "by-uri")
    tj = sm.describe_training_job(TrainingJobName=_jobs(sm, "by-uri")[0]["TrainingJobName"])
    m = {x["MetricName"]: x["Value"] for x in tj["FinalMetricDataList"]}
    assert m["num_params"] == 2600000


def test_fail_rate_fails_training_jobs_with_a_reason(emu, sm, clock):
    emu.set_faults(fail_rate=1.0)
    sm.create_hyper_parameter_tuning_job(**tuning_request("doomed"))
    d = run_until_done(sm, clock, "doomed")
    assert d["HyperParameterTuningJobStatus"] == "Failed" and d["FailureReason"]
    assert d["TrainingJobStatusCounters"]["NonRetryableError"] == 2
    assert "BestTrainingJob" not in d
    tj = sm.describe_training_job(TrainingJobName=_jobs(sm, "doomed")[0]["TrainingJobName"])
    assert tj["TrainingJobStatus"] == "Failed" and "fail-rate" in tj["FailureReason"]
    emu.set_faults(fail_rate=0.0)  # read at creation: a later job is unaffected
    sm.create_hyper_parameter_tuning_job(**tuning_request("fine"))
    assert run_until_done(sm, clock, "fine")["HyperParameterTuningJobStatus"] == "Completed"


def test_a_stopped_training_job_bills_through_its_stop_grace(sm, clock):
    # StopTrainingJob: "SageMaker sends the algorithm the SIGTERM signal, which delays job termination for
    # 120 seconds"; the job is billed until it ends.
    sm.create_hyper_parameter_tuning_job(**tuning_request("grace", model_id=SWIN, max_jobs=1, parallel=1))
    clock.advance(600)
    (job,) = _jobs(sm, "grace")
    started = job["TrainingStartTime"]
    stop_at = clock()
    sm.stop_training_job(TrainingJobName=job["TrainingJobName"])
    clock.advance(STOP_GRACE_S - 1)
    assert sm.describe_training_job(TrainingJobName=job["TrainingJobName"])["TrainingJobStatus"] == "Stopping"
    clock.advance(1)
    tj = sm.describe_training_job(TrainingJobName=job["TrainingJobName"])
    assert tj["TrainingJobStatus"] == "Stopped"
    assert tj["BillableTimeInSeconds"] == round(stop_at + STOP_GRACE_S - started.timestamp())


def test_a_training_job_stopped_while_provisioning_bills_nothing(sm, clock):
    sm.create_hyper_parameter_tuning_job(**tuning_request("early", max_jobs=1, parallel=1))
    clock.advance(30)  # created at 8 s, provisioning until 8 + STARTING_S
    (job,) = _jobs(sm, "early")
    sm.stop_training_job(TrainingJobName=job["TrainingJobName"])
    clock.advance(STARTING_S)
    tj = sm.describe_training_job(TrainingJobName=job["TrainingJobName"])
    assert tj["TrainingJobStatus"] == "Stopped" and tj["BillableTimeInSeconds"] == 0
    assert "TrainingStartTime" not in tj
    assert tj["TrainingEndTime"].timestamp() == pytest.approx(clock() - STARTING_S + STOPPING_S, abs=1)


@pytest.mark.parametrize("seconds, ok", [(119, False), (120, True)])
def test_tuning_max_runtime_below_120_s_is_refused(emu, seconds, ok):
    # botocore's model: HyperParameterTuningMaxRuntimeInSeconds has min 120 (the SDK refuses less
    # client-side; the service answers ValidationException to a client that does not check; the
    # emulator validates every request against that model: core/emulator/validation.py)
    raw = client("sagemaker", emu.url, parameter_validation=False)
    req = tuning_request(f"min{seconds}")
    req["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxRuntimeInSeconds"] = seconds
    if ok:
        raw.create_hyper_parameter_tuning_job(**req)
        return
    with pytest.raises(raw.exceptions.ClientError) as e:
        raw.create_hyper_parameter_tuning_job(**req)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "resourceLimits.maxRuntimeInSeconds" in e.value.response["Error"]["Message"]
    assert "greater than or equal to 120" in e.value.response["Error"]["Message"]
