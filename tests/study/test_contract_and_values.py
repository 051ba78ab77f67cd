"""The study-file contract's example (docs/study-file.md) loads into the typed objects it describes; single-value checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from jstui.study import load_study
from jstui.study import values as V

CONTRACT = Path(__file__).resolve().parent / "contract" / "design_example.toml"


def test_design_contract_example_loads_with_its_overrides_resolved():
    s = load_study(CONTRACT)
    assert (s.name, s.backend, s.region, s.max_parallel_tuning_jobs) == ("caltech256", "emulator", "us-east-1", 8)
    assert s.data == {"training": "s3://example-bucket/caltech256/train/"}
    assert s.prices == {"ml.p3.2xlarge": 3.825} and s.budget.usd == 150 and s.budget.policy == "stop"
    assert s.emulator.catalogs and s.emulator.catalogs[0].is_absolute() and s.emulator.speed == 300
    mobilenet, effv2, resnet = s.candidates
    # name defaults to the model id
    assert mobilenet.name == mobilenet.model_id == "tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4"
    assert mobilenet.tuning.static == {"epochs": "5", "early_stopping": "True", "early_stopping_patience": "3"}
    assert mobilenet.tuning.ranges[0].relative_to_default == (1.0, 0.2)
    assert len(mobilenet.metrics) == 29 and mobilenet.metrics_preset == "jumpstart-ic"
    # a candidate's inline tuning overrides key by key; its ranges replace the study's
    assert (effv2.name, effv2.tuning.strategy, effv2.tuning.max_jobs) == ("effv2-m-fixed-lr", "Grid", 1)
    assert effv2.tuning.max_parallel_jobs == 2 and effv2.tuning.objective == "val_accuracy"
    assert [(r.name, r.values) for r in effv2.tuning.ranges] == [("learning_rate", ("0.001",))]
    # a built-in: its own metrics and objective (with a warning that says so), its catalog id
    assert resnet.algorithm == "image-classification" and resnet.metrics == ()
    assert resnet.tuning.objective == "validation:accuracy" and resnet.tuning.direction == "Maximize"
    assert resnet.catalog_id == "image-classification:num_layers=50"
    assert any("tuned on validation:accuracy" in w for w in s.warnings)
    assert any("lacks num_classes" in w for w in s.warnings)  # required on SageMaker, not by the emulator


@pytest.mark.parametrize("uri,ok", [
    ("s3://example-bucket/jstui/", True), ("s3://b.c-d/x", True), ("S3://Bucket/x", False),
    ("https://bucket.s3.amazonaws.com/x", False), ("s3:/bucket/x", False), ("bucket/x", False), ("s3://abc", True), ("s3://ab", False),  # buckets: 3-63 characters
])
def test_s3_uris(uri: str, ok: bool):
    assert (V.s3_uri_problem(uri) is None) is ok


@pytest.mark.parametrize("arn,ok", [
    ("arn:aws:iam::111122223333:role/SageMakerExecution", True),
    ("arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-2026", True),
    ("arn:aws-cn:iam::111122223333:role/x", True), ("arn:aws:iam::1111:role/x", False),
    ("arn:aws:iam::111122223333:user/alice", False), ("SageMakerExecution", False),
])
def test_role_arns(arn: str, ok: bool):
    assert (V.role_arn_problem(arn) is None) is ok


@pytest.mark.parametrize("value,ok", [
    ("ml.p3.2xlarge", True), ("ml.g4dn.xlarge", True), ("ml.p4d.24xlarge", True), ("ml.trn1.32xlarge", True),
    ("p3.2xlarge", False), ("ML.P3.2XLARGE", False), ("ml.p3", False), ("", False),
])
def test_instance_types(value: str, ok: bool):
    assert (V.instance_type_problem(value) is None) is ok


@pytest.mark.parametrize("value,ok", [
    ("us-east-1", True), ("eu-central-1", True), ("us-gov-west-1", True), ("ap-southeast-2", True),
    ("us-east1", False), ("US-EAST-1", False), ("useast", False),
])
def test_regions(value: str, ok: bool):
    assert (V.region_problem(value) is None) is ok


def test_type_messages_teach_the_fix():
    assert V.type_problem("2", "integer") == 'expected an integer, got the string "2" (remove the quotes)'
    assert V.type_problem(True, "integer") == "expected an integer, got true"  # a bool is not an int here
    assert V.type_problem(3, "number") is None and V.type_problem(3.5, "integer") == "expected an integer, got 3.5"
    assert V.type_problem(0.5, "array of numbers") == "expected an array of numbers, got 0.5 (write [0.5])"
    assert V.hyperparameter_string(True) == "True" and V.hyperparameter_string(5) == "5"
