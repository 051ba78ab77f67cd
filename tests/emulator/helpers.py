"""Shared helpers for the emulator tests: a tiny catalog, clients, a tuning-job request."""

from __future__ import annotations

import copy
from pathlib import Path

import boto3
from botocore.config import Config

MNV2 = "tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4"
SWIN = "pytorch-ic-swin-large-patch4-window7-224"
IC50 = "image-classification:num_layers=50"
OD_T1 = "object-detection:base_network=resnet-50"
OD_T2 = "mxnet-od-ssd-512-vgg16-atrous-voc"

CATALOG_CSV = f"""model_id,metric,value,condition,relative_to,source
{MNV2},test_accuracy,0.808,tuned,,seed 000 table
{MNV2},test_top_5_accuracy,0.935,tuned,,seed 000 table
{MNV2},test_throughput,33.5,tuned,,seed 000 table
{MNV2},train_epoch_duration,23.9,tuned,,seed 000 table
{MNV2},num_params,2600000,tuned,,seed 000 table
{SWIN},test_accuracy,0.961,tuned,,seed 000 table
{SWIN},test_throughput,1.1,tuned,,seed 000 table
{SWIN},train_epoch_duration,698.0,tuned,,seed 000 table
{IC50},validation:accuracy,0.62,default,,synthetic
{IC50},validation:accuracy,0.81,tuned,,synthetic
{IC50},train_epoch_duration,60,tuned,,synthetic
{OD_T1},validation:mAP,0.067,default,,seed 002 text
{OD_T1},validation:mAP,0.226,tuned,,seed 002 text
{OD_T1},train_duration,2040,tuned,,seed 002 text
{OD_T2},test_mAP,0.371,default,,seed 002 text
{OD_T2},test_mAP,0.375,tuned,,seed 002 text
"""

JS_METRICS = [
    {"Name": "val_accuracy", "Regex": "- val_accuracy: ([0-9\\.]+)"},
    {"Name": "test_accuracy", "Regex": "- Test accuracy: ([0-9\\.]+)"},
    {"Name": "test_top_5_accuracy", "Regex": "- Test top_5_accuracy: ([0-9\\.]+)"},
    {"Name": "test_throughput", "Regex": "- Average test throughput: ([0-9\\.]+)"},
    {"Name": "train_epoch_duration", "Regex": "- Average training duration per epoch: ([0-9\\.]+)"},
    {"Name": "num_params", "Regex": "- Number of parameters: ([0-9\\.]+)"},
    {"Name": "test_precision", "Regex": "- Test precision: ([0-9\\.]+)"},  # never logged for 257 classes
]

T0 = 1_800_000_000.0


class ManualClock:
    def __init__(self, t: float = T0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def write_catalog(directory: Path) -> Path:
    path = directory / "catalog.csv"
    path.write_text(CATALOG_CSV, encoding="utf-8")
    return path


def client(service: str, url: str, **config):
    # total_max_attempts counts the first call; botocore's max_attempts counts only retries
    cfg = Config(retries={"mode": "standard", "total_max_attempts": 1}, **config) if "retries" not in config else Config(**config)
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=cfg,
    )


def tuning_request(name: str, model_id: str = MNV2, max_jobs: int = 2, parallel: int = 2, **over) -> dict:
    req = {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "val_accuracy"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": max_jobs, "MaxParallelTrainingJobs": parallel},
            "ParameterRanges": {"CategoricalParameterRanges": [{"Name": "learning_rate", "Values": ["0.001", "0.0002"]}]},
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.8-gpu-py39",
                "TrainingInputMode": "File",
                "MetricDefinitions": copy.deepcopy(JS_METRICS),
            },
            "RoleArn": "arn:aws:iam::111122223333:role/SageMakerExecution",
            # seed 000's script logs the test_* metrics only with a `test` channel
            "InputDataConfig": [{"ChannelName": ch, "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": f"s3://example-bucket/caltech256/{ch}/"}}}
                for ch in ("training", "test")],
            "OutputDataConfig": {"S3OutputPath": "s3://example-bucket/jstui/out/"},
            "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxRuntimeInSeconds": 360000},
            "StaticHyperParameters": {"epochs": "5", "early_stopping": "True", "early_stopping_patience": "3"},
        },
        "Tags": [{"Key": "sagemaker-sdk:jumpstart-model-id", "Value": model_id}, {"Key": "jstui:study", "Value": "t"}],
    }
    for k, v in over.items():
        req[k] = v
    return req


def builtin_request(name: str, algorithm: str, static: dict, ranges: dict, objective: str, max_jobs=1, parallel=1,
                    direction="Maximize", strategy="Random") -> dict:
    req = tuning_request(name, max_jobs=max_jobs, parallel=parallel)
    req.pop("Tags")
    cfg = req["HyperParameterTuningJobConfig"]
    cfg["Strategy"] = strategy
    cfg["HyperParameterTuningJobObjective"] = {"Type": direction, "MetricName": objective}
    cfg["ParameterRanges"] = ranges
    algo = req["TrainingJobDefinition"]["AlgorithmSpecification"]
    algo["TrainingImage"] = f"811284229777.dkr.ecr.us-east-1.amazonaws.com/{algorithm}:1"
    del algo["MetricDefinitions"]
    req["TrainingJobDefinition"]["StaticHyperParameters"] = static
    # The channels the built-in containers read (AWS docs, Input/Output Interface: RecordIO)
    req["TrainingJobDefinition"]["InputDataConfig"] = recordio_channels()
    return req


def recordio_channels(*names: str) -> list[dict]:
    return [
        {"ChannelName": n, "ContentType": "application/x-recordio", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://example-bucket/rec/{n}/"}}}
        for n in (names or ("train", "validation"))
    ]


def run_until_done(sm, clock: ManualClock, name: str, step: float = 600, limit: int = 500) -> dict:
    for _ in range(limit):
        d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        if d["HyperParameterTuningJobStatus"] in ("Completed", "Stopped", "Failed"):
            return d
        clock.advance(step)
    raise AssertionError(f"{name} did not finish")
