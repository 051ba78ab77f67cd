"""Launcher decisions on the service's answers, with botocore's Stubber standing in for the service
(the emulator has no instance quotas), and request building."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber

from jstui.aws.clients import Clients
from jstui.engine.session import load
from jstui.domain.errors import ServiceRefused
from jstui.engine.journal import Journal
from jstui.engine.launcher import Launcher
from jstui.domain.tuning_request import build_tuning_request, parameter_ranges
from jstui.domain.model import ParameterRange
from tests.engine.conftest import write_study


class _JumpStart:
    model_id, version = "tensorflow-ic-x", "1.0.0"
    training_image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.9-gpu-py39"
    training_script_uri = "s3://jumpstart/source/sourcedir.tar.gz"
    training_model_uri = "s3://jumpstart/train-tensorflow-ic-x.tar.gz"
    default_hyperparameters = {"learning_rate": "0.001", "epochs": "3", "batch_size": "32"}
    metric_definitions = []


def _launcher(tmp_path, sm):
    study = load(write_study(tmp_path, models=1))
    clients = Clients(backend="emulator", region="us-east-1", endpoint_url=None, session=None, sagemaker=sm, logs=None, runtime=None)
    journal = Journal.open(tmp_path / "home")
    launcher = Launcher(clients, journal, study, jumpstart_lookup=lambda c: _JumpStart(), image_lookup=lambda a: "img")
    launcher.queue()
    return launcher, study, journal


def _client():
    return boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def test_instance_quota_is_exit_4_naming_type_and_quota(tmp_path):
    sm = _client()
    launcher, study, journal = _launcher(tmp_path, sm)
    with Stubber(sm) as stub:
        stub.add_client_error(
            "create_hyper_parameter_tuning_job", "ResourceLimitExceeded",
            "The account-level service limit 'ml.p3.2xlarge for training job usage' is 0 Instances, with current "
            "utilization of 0 Instances and a request delta of 1 Instances.",
            expected_params=None,
        )
        with pytest.raises(ServiceRefused) as err:
            launcher.launch_ready()
    assert err.value.exit_code == 4
    assert "ml.p3.2xlarge for training job usage" in str(err.value) and "quota" in str(err.value)
    assert journal.current_launches(study.name)[study.candidates[0].name].state == "refused"


def test_tuning_job_quota_waits(tmp_path):
    sm = _client()
    launcher, study, journal = _launcher(tmp_path, sm)
    with Stubber(sm) as stub:
        stub.add_client_error(
            "create_hyper_parameter_tuning_job", "ResourceLimitExceeded",
            "The account-level service limit 'Number of concurrent hyperparameter tuning jobs' is 100 "
            "HyperParameterTuningJobs", expected_params=None,
        )
        report = launcher.launch_ready()
        stub.add_response("create_hyper_parameter_tuning_job", {"HyperParameterTuningJobArn": "arn:x"},
                          {"HyperParameterTuningJobName": ANY, "HyperParameterTuningJobConfig": ANY,
                           "TrainingJobDefinition": ANY, "Tags": ANY})
        assert "quota" in report.waiting
        assert journal.current_launches(study.name)[study.candidates[0].name].state == "waiting"
        assert launcher.launch_ready().launched == [study.candidates[0].name]  # the slot came back


def test_request_like_the_sdk_builds_it(tmp_path):
    study = load(write_study(tmp_path, models=1))
    cand = study.candidates[0]
    req = build_tuning_request(study, cand, "t1-x-abc123", jumpstart=_JumpStart(), builtin_image=None, max_runtime_s=7200)
    d = req["TrainingJobDefinition"]
    static = d["StaticHyperParameters"]
    assert static["epochs"] == "5" and static["batch_size"] == "32" and "learning_rate" not in static  # tuned: not static
    assert static["sagemaker_submit_directory"] == _JumpStart.training_script_uri
    assert req["HyperParameterTuningJobConfig"]["ParameterRanges"] == {  # all three lists, as the SDK sends
        "CategoricalParameterRanges": [{"Name": "learning_rate", "Values": ["0.001", "0.0002"]}],
        "ContinuousParameterRanges": [], "IntegerParameterRanges": [],
    }
    assert req["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxRuntimeInSeconds"] == 7200
    channels = {c["ChannelName"]: c for c in d["InputDataConfig"]}
    assert channels["model"]["DataSource"]["S3DataSource"]["S3Uri"] == _JumpStart.training_model_uri
    assert channels["training"]["DataSource"]["S3DataSource"]["S3Uri"] == study.data["training"]
    assert len(d["AlgorithmSpecification"]["MetricDefinitions"]) == 29
    tags = {t["Key"]: t["Value"] for t in req["Tags"]}
    assert tags["jstui:study"] == "t1" and tags["sagemaker-sdk:jumpstart-model-id"] == "tensorflow-ic-x"
    # a request botocore itself accepts (its own parameter validation against the service model)
    sm = _client()
    with Stubber(sm) as stub:
        stub.add_response("create_hyper_parameter_tuning_job", {"HyperParameterTuningJobArn": "arn:x"}, req)
        sm.create_hyper_parameter_tuning_job(**req)


def test_ranges():
    ranges = (
        ParameterRange("lr", "continuous", min=1e-5, max=0.1, scaling="Logarithmic"),
        ParameterRange("layers", "integer", min=2, max=8),
        ParameterRange("opt", "categorical", values=("adam", "sgd")),
    )
    out = parameter_ranges(ranges, {}, "x")
    assert out["ContinuousParameterRanges"] == [{"Name": "lr", "MinValue": "1e-05", "MaxValue": "0.1", "ScalingType": "Logarithmic"}]
    assert out["IntegerParameterRanges"] == [{"Name": "layers", "MinValue": "2", "MaxValue": "8", "ScalingType": "Auto"}]
    assert out["CategoricalParameterRanges"] == [{"Name": "opt", "Values": ["adam", "sgd"]}]
