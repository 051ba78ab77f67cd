"""Validation and error responses as the service gives them; malformed requests never crash the server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ParamValidationError

from tests.emulator.helpers import tuning_request


def _code(exc) -> str:
    return exc.value.response["Error"]["Code"]


def test_taken_name_is_resource_in_use(sm):
    sm.create_hyper_parameter_tuning_job(**tuning_request("dup"))
    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.create_hyper_parameter_tuning_job(**tuning_request("dup"))


def test_unknown_names(sm):
    # Per operation, as the service answers (docs/emulator-fidelity.md, "Unknown names")
    with pytest.raises(sm.exceptions.ResourceNotFound) as e:
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="nope")
    assert "can't find a tuning job with name nope" in str(e.value)
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.describe_training_job(TrainingJobName="nope-001-abcdef12")
    assert _code(e) == "ValidationException" and "Requested resource not found" in str(e.value)
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="nope")
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName="nope")


def test_name_rules_and_field_constraints_name_the_field(sm):
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.create_hyper_parameter_tuning_job(**tuning_request("bad_name!"))
    assert _code(e) == "ValidationException" and "hyperParameterTuningJobName" in str(e.value)
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.create_hyper_parameter_tuning_job(**tuning_request("x" * 33))
    assert "hyperParameterTuningJobName" in str(e.value) and "length" in str(e.value)
    req = tuning_request("objective-missing")
    req["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"] = "nonexistent"
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.create_hyper_parameter_tuning_job(**req)
    assert _code(e) == "ValidationException" and "nonexistent" in str(e.value)
    req = tuning_request("grid-cont")
    req["HyperParameterTuningJobConfig"]["Strategy"] = "Grid"
    req["HyperParameterTuningJobConfig"]["ParameterRanges"] = {"ContinuousParameterRanges": [
        {"Name": "learning_rate", "MinValue": "0.001", "MaxValue": "0.1"}]}
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.create_hyper_parameter_tuning_job(**req)
    assert "Grid" in str(e.value)


def _post(url: str, body: bytes, target: str | None, headers: dict | None = None):
    h = {"Content-Type": "application/x-amz-json-1.1", **(headers or {})}
    if target:
        h["X-Amz-Target"] = target
    req = urllib.request.Request(url + "/", data=body, headers=h, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b"{}")


def test_raw_protocol_errors(emu):
    # a field missing, sent raw (boto3 would refuse it client-side): the service names the field
    status, headers, body = _post(emu.url, b"{}", "SageMaker.DescribeTrainingJob")
    assert status == 400 and body["__type"] == "ValidationException"
    assert "trainingJobName" in body["message"] and headers["x-amzn-ErrorType"] == "ValidationException"
    status, _, body = _post(emu.url, b"{not json", "SageMaker.ListHyperParameterTuningJobs")
    assert status == 400 and body["__type"] == "SerializationException"
    status, _, body = _post(emu.url, b"[1, 2]", "SageMaker.ListHyperParameterTuningJobs")
    assert status == 400 and body["__type"] == "SerializationException"
    status, _, body = _post(emu.url, b"{}", "SageMaker.CreateUniverse")
    assert status == 400 and body["__type"] == "UnknownOperationException"
    status, _, body = _post(emu.url, b"{}", None)
    assert status == 400 and body["__type"] == "UnknownOperationException"
    status, _, body = _post(emu.url, b'{"MaxResults": "ten"}', "SageMaker.ListHyperParameterTuningJobs")
    assert status == 400 and "maxResults" in body["message"]
    status, _, body = _post(emu.url, b"x" * (7 * 1024 * 1024), "SageMaker.ListHyperParameterTuningJobs")
    assert status == 413 and "exceeds" in body["message"]
    # still serving
    status, _, body = _post(emu.url, b"{}", "SageMaker.ListHyperParameterTuningJobs")
    assert status == 200 and body == {"HyperParameterTuningJobSummaries": []}


def test_boto3_side_validation_is_not_our_concern_but_server_agrees(sm):
    with pytest.raises(ParamValidationError):
        sm.describe_training_job()
