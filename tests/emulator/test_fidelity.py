"""The emulator is as strict as SageMaker and its containers (issue 15), over boto3 and real HTTP:
channels and content types, the script's reachability under network isolation, the test channel,
the number forms of the logs, and the fields the SDK v2 reads unguarded. Sources: docs/emulator-fidelity.md."""

from __future__ import annotations

import copy
import re

import pytest

from jstui.domain.metrics import PRESETS
from jstui.emulator.families.common import keras, keras_epoch

from tests.emulator.helpers import builtin_request, recordio_channels, run_until_done, tuning_request

GROUP = "/aws/sagemaker/TrainingJobs"
IC_RANGES = {"CategoricalParameterRanges": [{"Name": "learning_rate", "Values": ["0.1"]}]}
IC_STATIC = {"num_layers": "50", "epochs": "2", "use_pretrained_model": "1"}


def _jobs(sm, name: str) -> list[dict]:
    summaries = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    return [sm.describe_training_job(TrainingJobName=s["TrainingJobName"]) for s in summaries["TrainingJobSummaries"]]


def _log(logs, job: str) -> list[str]:
    stream = logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=job)["logStreams"][0]["logStreamName"]
    return [e["message"] for e in logs.get_log_events(logGroupName=GROUP, logStreamName=stream,
                                                      startFromHead=True)["events"]]


def _channels(req: dict, names: tuple[str, ...]) -> dict:
    req["TrainingJobDefinition"]["InputDataConfig"] = [
        {"ChannelName": n, "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://b/{n}/"}}}
        for n in names
    ]
    return req


# --- test_* metrics only with a test channel (seed 000) ----------------------------------------------


def test_test_metrics_appear_only_with_a_test_channel(sm, clock):
    sm.create_hyper_parameter_tuning_job(**_channels(tuning_request("no-test", max_jobs=1, parallel=1), ("training",)))
    sm.create_hyper_parameter_tuning_job(**_channels(tuning_request("with-test", max_jobs=1, parallel=1),
                                                     ("training", "validation", "test")))
    run_until_done(sm, clock, "no-test")
    run_until_done(sm, clock, "with-test")
    without = {m["MetricName"] for m in _jobs(sm, "no-test")[0]["FinalMetricDataList"]}
    with_test = {m["MetricName"] for m in _jobs(sm, "with-test")[0]["FinalMetricDataList"]}
    assert "val_accuracy" in without and not any(n.startswith("test_") for n in without)
    assert {"test_accuracy", "test_throughput"} <= with_test


# --- log number forms ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value,progbar,epoch_line", [
    (8e-4, "8.0000e-04", "8.0000e-04"),
    (0.0, "0.0000e+00", "0.0000e+00"),
    (-0.5123, "-0.5123", "-5.1230e-01"),  # verbose=2 tests avg > 1e-3 without abs
    (0.8123, "0.8123", "0.8123"),
])
def test_keras_number_forms(value, progbar, epoch_line):
    assert keras(value) == progbar and keras_epoch(value) == epoch_line


def test_epoch_lines_print_keras_forms_and_the_preset_reads_them(sm, logs, clock):
    sm.create_hyper_parameter_tuning_job(**tuning_request("forms", max_jobs=1, parallel=1))
    run_until_done(sm, clock, "forms")
    job = _jobs(sm, "forms")[0]
    lines = _log(logs, job["TrainingJobName"])
    epoch_lines = [m for m in lines if " - val_accuracy: " in m]
    assert epoch_lines
    keras_value = re.compile(r"^(?:\d+\.\d{4}|-?\d\.\d{4}e[+-]\d{2})$")
    for line in epoch_lines:
        for key, value in re.findall(r" - (\w+): (\S+)", line):
            assert keras_value.match(value), (key, value, line)
    # the preset's regex reads the last epoch's value exactly as written
    regex = next(d.regex for d in PRESETS["jumpstart-ic"] if d.name == "val_accuracy")
    written = float(re.search(regex, epoch_lines[-1]).group(1))
    final = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert final["val_accuracy"] == pytest.approx(written)


# --- built-in channels and content types (AWS docs, Input/Output Interface) ---------------------------


def _builtin(name: str, channels: list[dict], algorithm: str = "image-classification") -> dict:
    req = builtin_request(name, algorithm, dict(IC_STATIC), IC_RANGES, "validation:accuracy"
                          if algorithm == "image-classification" else "validation:mAP", strategy="Grid")
    req["TrainingJobDefinition"]["InputDataConfig"] = channels
    return req


@pytest.mark.parametrize("label,channels,cause", [
    ("extra", recordio_channels("train", "validation") + [{"ChannelName": "training", "DataSource": {
        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/t/"}}}], "'training' was unexpected"),
    ("missing", recordio_channels("train"), "'validation' is a required property"),
    ("no-type", [{k: v for k, v in c.items() if k != "ContentType"} for c in recordio_channels()],
     "None is not one of"),
    ("image-no-lst", [dict(c, ContentType="application/x-image") for c in recordio_channels()],
     "'train_lst' is a required property"),
])
def test_builtin_container_rejects_wrong_channels(sm, clock, label, channels, cause):
    name = f"bad-{label}"
    sm.create_hyper_parameter_tuning_job(**_builtin(name, channels))
    d = run_until_done(sm, clock, name)
    job = _jobs(sm, name)[0]
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: Unable to initialize the algorithm. Failed to validate "
                                           "input data configuration.")
    assert cause in job["FailureReason"]
    assert d["HyperParameterTuningJobStatus"] == "Failed"


@pytest.mark.parametrize("algorithm,channels", [
    ("image-classification", recordio_channels()),
    ("image-classification", recordio_channels() + recordio_channels("model")),  # incremental training
    ("image-classification", [dict(c, ContentType="application/x-image")
                              for c in recordio_channels("train", "validation", "train_lst", "validation_lst")]),
    ("object-detection", [dict(c, ContentType="image/jpeg") for c in recordio_channels(
        "train", "validation", "train_annotation", "validation_annotation")]),
])
def test_builtin_container_accepts_documented_layouts(sm, clock, algorithm, channels):
    sm.create_hyper_parameter_tuning_job(**_builtin("good", channels, algorithm))
    run_until_done(sm, clock, "good")
    assert _jobs(sm, "good")[0]["TrainingJobStatus"] == "Completed"


# --- the script's reachability under network isolation (SDK v2 EstimatorBase._prepare_for_training) ---


def _isolated(name: str, submit: str, code_channel: bool) -> dict:
    req = tuning_request(name, max_jobs=1, parallel=1)
    tdef = req["TrainingJobDefinition"]
    tdef["EnableNetworkIsolation"] = True
    tdef["StaticHyperParameters"]["sagemaker_submit_directory"] = submit
    tdef["StaticHyperParameters"]["sagemaker_program"] = "transfer_learning.py"
    if code_channel:
        tdef["InputDataConfig"].append({"ChannelName": "code", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://jumpstart-cache-prod-us-east-1/x/sourcedir.tar.gz"}}})
    return req


@pytest.mark.parametrize("label,submit,code_channel,ok", [
    ("s3-uri", "s3://jumpstart-cache-prod-us-east-1/x/sourcedir.tar.gz", False, False),
    ("code-channel", "/opt/ml/input/data/code/sourcedir.tar.gz", True, True),
    ("path-no-channel", "/opt/ml/input/data/code/sourcedir.tar.gz", False, False),
])
def test_isolated_job_needs_its_script_as_a_channel(sm, clock, label, submit, code_channel, ok):
    sm.create_hyper_parameter_tuning_job(**_isolated(label, submit, code_channel))
    run_until_done(sm, clock, label)
    job = _jobs(sm, label)[0]
    assert job["EnableNetworkIsolation"] is True
    assert job["TrainingJobStatus"] == ("Completed" if ok else "Failed")
    if not ok:
        assert job["FailureReason"].startswith("AlgorithmError: ")


def test_jumpstart_job_without_a_training_channel_fails(sm, clock):
    sm.create_hyper_parameter_tuning_job(**_channels(tuning_request("no-training", max_jobs=1, parallel=1),
                                                     ("train", "validation")))
    run_until_done(sm, clock, "no-training")
    job = _jobs(sm, "no-training")[0]
    assert job["TrainingJobStatus"] == "Failed" and "SM_CHANNEL_TRAINING" in job["FailureReason"]


# --- fields the SDK v2 reads unguarded -----------------------------------------------------------------


def test_describe_tuning_job_returns_what_the_sdk_v2_attach_reads(sm, clock):
    sm.create_hyper_parameter_tuning_job(**tuning_request("sdk-fields", max_jobs=1, parallel=1))
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="sdk-fields")
    static = d["TrainingJobDefinition"]["StaticHyperParameters"]
    assert static["_tuning_objective_metric"] == "val_accuracy"
    ranges = d["HyperParameterTuningJobConfig"]["ParameterRanges"]
    assert ranges["IntegerParameterRanges"] == [] and ranges["ContinuousParameterRanges"] == []
    assert ranges["CategoricalParameterRanges"] == [{"Name": "learning_rate", "Values": ["0.001", "0.0002"]}]
    assert d["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"]
    assert d["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] == "Off"
    run_until_done(sm, clock, "sdk-fields")
    job = _jobs(sm, "sdk-fields")[0]
    assert job["OutputDataConfig"]["KmsKeyId"] == ""
    assert job["HyperParameters"]["_tuning_objective_metric"] == "val_accuracy"


def test_builtin_tuning_job_describes_the_services_metric_definitions(sm):
    sm.create_hyper_parameter_tuning_job(**_builtin("bi-defs", recordio_channels()))
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="bi-defs")
    names = [m["Name"] for m in d["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"]]
    assert "validation:accuracy" in names


def test_grid_without_a_job_count_is_accepted_and_described_with_the_grids_size(sm, clock):
    req = _builtin("grid", recordio_channels())
    cfg = req["HyperParameterTuningJobConfig"]
    cfg["ParameterRanges"] = {"CategoricalParameterRanges": [{"Name": "learning_rate", "Values": ["0.1", "0.05", "0.02"]}]}
    del cfg["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    sm.create_hyper_parameter_tuning_job(**req)
    d = run_until_done(sm, clock, "grid")
    assert d["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] == 3
    assert d["TrainingJobStatusCounters"]["Completed"] == 3


def test_random_without_a_job_count_is_refused(sm):
    req = copy.deepcopy(tuning_request("random-no-count"))
    del req["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.create_hyper_parameter_tuning_job(**req)
    assert e.value.response["Error"]["Code"] == "ValidationException"
