"""Malformed requests of every kind get a proper error answer, never a crash (HTTP 500) or a hang."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jstui.emulator.service import LOGS_OPS, SAGEMAKER_OPS

from tests.emulator.test_validation import _post

TARGETS = [f"SageMaker.{op}" for op in SAGEMAKER_OPS] + [f"Logs_20140328.{op}" for op in LOGS_OPS]
MEMBERS = ["HyperParameterTuningJobName", "HyperParameterTuningJobConfig", "TrainingJobDefinition", "TrainingJobName",
           "ResourceArn", "Tags", "MaxResults", "NextToken", "SortBy", "EndpointName", "EndpointConfigName",
           "ModelName", "ProductionVariants", "logGroupName", "logStreamName", "nextToken", "limit"]
values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(MEMBERS) | st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(TARGETS), body=st.dictionaries(st.sampled_from(MEMBERS), values, max_size=5))
def test_random_requests_never_crash(emu, target, body):
    status, _, answer = _post(emu.url, json.dumps(body).encode(), target)
    assert status in (200, 400), (status, answer)
    if status == 400:
        assert answer["__type"] and answer["message"]


num_text = st.one_of(st.floats(-10, 10, allow_nan=False).map(lambda x: f"{x:g}"), st.sampled_from(["abc", "", "1e-3"]))


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    strategy=st.sampled_from(["Bayesian", "Random", "Grid", "Hyperband"]),
    max_jobs=st.integers(1, 12), parallel=st.integers(1, 12),
    lo=num_text, hi=num_text, scaling=st.sampled_from(["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"]),
    values=st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=4),
    epochs=st.sampled_from(["0", "1", "3", "-2", "x"]),
)
def test_odd_but_well_formed_tuning_jobs_never_break_reads(emu, strategy, max_jobs, parallel, lo, hi, scaling,
                                                          values, epochs):
    from tests.emulator.helpers import client, tuning_request

    sm = client("sagemaker", emu.url)
    name = f"fz-{abs(hash((strategy, max_jobs, parallel, lo, hi, scaling, tuple(values), epochs))) % 10**9}"
    req = tuning_request(name, max_jobs=max_jobs, parallel=parallel)
    cfg = req["HyperParameterTuningJobConfig"]
    cfg["Strategy"] = strategy
    cfg["ParameterRanges"] = {"ContinuousParameterRanges": [
        {"Name": "learning_rate", "MinValue": lo, "MaxValue": hi, "ScalingType": scaling}]} if strategy != "Grid" else {
        "CategoricalParameterRanges": [{"Name": "learning_rate", "Values": values}]}
    req["TrainingJobDefinition"]["StaticHyperParameters"]["epochs"] = epochs
    try:
        sm.create_hyper_parameter_tuning_job(**req)
    except sm.exceptions.ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, e.response
        return
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    assert d["HyperParameterTuningJobStatus"] == "InProgress"
    sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)


def test_a_null_member_reads_as_a_member_not_sent(emu):
    """Found by the random requests above: `{"SortBy": null}` answered 500 (KeyError: None)."""
    for target in ("SageMaker.ListHyperParameterTuningJobs", "SageMaker.ListTrainingJobs", "SageMaker.ListEndpoints"):
        status, _, answer = _post(emu.url, json.dumps({"SortBy": None, "SortOrder": None, "MaxResults": None}).encode(),
                                  target)
        assert status == 200, (target, status, answer)
