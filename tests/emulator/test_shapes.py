"""Every response the emulator gives, checked against botocore's output shape for its operation
(botocore's service model is the spec): types, required members, no unknown members."""

from __future__ import annotations

import json

from tests.emulator.helpers import builtin_request, client, run_until_done, tuning_request
from tests.emulator.shape_check import problems

GROUP = "/aws/sagemaker/TrainingJobs"


class Recorder:
    def __init__(self):
        self.seen: dict[str, int] = {}
        self.problems: list[str] = []

    def attach(self, c) -> None:
        c.meta.events.register("before-parse", self)

    def __call__(self, operation_model, response_dict, **_):
        op = operation_model.name
        if response_dict["status_code"] >= 300:
            return
        self.seen[op] = self.seen.get(op, 0) + 1
        if operation_model.has_streaming_output:
            return
        body = json.loads(response_dict["body"] or b"{}")
        if operation_model.output_shape is None:
            if body != {}:
                self.problems.append(f"{op}: expected an empty answer, got {body!r}")
            return
        self.problems += [f"{op}: {p}" for p in problems(operation_model.output_shape, body)]


def scenario_tuning(url: str, clock, rec: Recorder) -> None:
    sm, logs = client("sagemaker", url), client("logs", url)
    rec.attach(sm)
    rec.attach(logs)
    arn = sm.create_hyper_parameter_tuning_job(**tuning_request("shape-js", max_jobs=3, parallel=2))["HyperParameterTuningJobArn"]
    spot = tuning_request("shape-spot", max_jobs=1, parallel=1)
    spot["TrainingJobDefinition"]["EnableManagedSpotTraining"] = True
    spot["TrainingJobDefinition"]["StoppingCondition"]["MaxWaitTimeInSeconds"] = 400000
    spot["TrainingJobDefinition"]["VpcConfig"] = {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]}
    spot["TrainingJobDefinition"]["CheckpointConfig"] = {"S3Uri": "s3://b/ckpt/"}
    spot["TrainingJobDefinition"]["Environment"] = {"A": "1"}
    spot["TrainingJobDefinition"]["RetryStrategy"] = {"MaximumRetryAttempts": 2}
    sm.create_hyper_parameter_tuning_job(**spot)
    sm.create_hyper_parameter_tuning_job(**builtin_request(
        "shape-ic", "image-classification", {"num_layers": "50", "epochs": "3"},
        {"IntegerParameterRanges": [{"Name": "mini_batch_size", "MinValue": "16", "MaxValue": "128"}]},
        "validation:accuracy", max_jobs=2, parallel=2))
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    sm.list_tags(ResourceArn=arn)
    for step in range(40):
        for name in ("shape-js", "shape-spot", "shape-ic"):
            sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
            for j in sm.list_training_jobs_for_hyper_parameter_tuning_job(
                    HyperParameterTuningJobName=name)["TrainingJobSummaries"]:
                sm.describe_training_job(TrainingJobName=j["TrainingJobName"])
        sm.list_hyper_parameter_tuning_jobs(MaxResults=2)
        if step == 3:
            running = sm.list_training_jobs_for_hyper_parameter_tuning_job(
                HyperParameterTuningJobName="shape-js", StatusEquals="InProgress")["TrainingJobSummaries"]
            sm.stop_training_job(TrainingJobName=running[0]["TrainingJobName"])
        clock.advance(100)
    run_until_done(sm, clock, "shape-ic")
    for s in logs.describe_log_streams(logGroupName=GROUP)["logStreams"]:
        logs.get_log_events(logGroupName=GROUP, logStreamName=s["logStreamName"], limit=5)
    logs.filter_log_events(logGroupName=GROUP, filterPattern="accuracy", limit=5)
    sm.create_hyper_parameter_tuning_job(**tuning_request("shape-stop"))
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="shape-stop")
    sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="shape-stop")
    sm.list_hyper_parameter_tuning_jobs(SortBy="Status")
    sm.list_training_jobs(MaxResults=5)


def scenario_hosting(url: str, clock, rec: Recorder) -> None:
    sm, rt = client("sagemaker", url), client("sagemaker-runtime", url)
    rec.attach(sm)
    rec.attach(rt)
    best = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="shape-js")["BestTrainingJob"]
    artifact = sm.describe_training_job(TrainingJobName=best["TrainingJobName"])["ModelArtifacts"]["S3ModelArtifacts"]
    for name, data in (("shape-ok", artifact), ("shape-bad", "s3://nowhere/model.tar.gz")):
        sm.create_model(ModelName=name, ExecutionRoleArn="arn:aws:iam::111122223333:role/R",
                        PrimaryContainer={"Image": "img:1", "ModelDataUrl": data, "Environment": {"A": "1"}},
                        Tags=[{"Key": "k", "Value": "v"}])
        sm.describe_model(ModelName=name)
        sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": name, "InitialInstanceCount": 1,
            "InstanceType": "ml.m5.xlarge", "InitialVariantWeight": 1.0}])
        sm.describe_endpoint_config(EndpointConfigName=name)
        sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
        sm.describe_endpoint(EndpointName=name)
    clock.advance(1200)
    for name in ("shape-ok", "shape-bad"):
        sm.describe_endpoint(EndpointName=name)
    sm.list_endpoints()
    rt.invoke_endpoint(EndpointName="shape-ok", Body=b"image")
    sm.update_endpoint(EndpointName="shape-ok", EndpointConfigName="shape-bad")
    sm.describe_endpoint(EndpointName="shape-ok")
    sm.list_tags(ResourceArn=sm.describe_model(ModelName="shape-ok")["ModelArn"])
    sm.delete_endpoint(EndpointName="shape-bad")
    sm.describe_endpoint(EndpointName="shape-bad")
    sm.delete_endpoint_config(EndpointConfigName="shape-bad")
    sm.delete_model(ModelName="shape-bad")


def test_every_response_matches_botocore_output_shape(emu, clock):
    rec = Recorder()
    scenario_tuning(emu.url, clock, rec)
    scenario_hosting(emu.url, clock, rec)
    assert rec.problems == []
    expected = {
        "CreateModel", "DescribeModel", "DeleteModel", "CreateEndpointConfig", "DescribeEndpointConfig",
        "DeleteEndpointConfig", "CreateEndpoint", "DescribeEndpoint", "ListEndpoints", "UpdateEndpoint",
        "DeleteEndpoint", "InvokeEndpoint",
        "CreateHyperParameterTuningJob", "DescribeHyperParameterTuningJob", "ListHyperParameterTuningJobs",
        "StopHyperParameterTuningJob", "ListTrainingJobsForHyperParameterTuningJob", "DescribeTrainingJob",
        "StopTrainingJob", "AddTags", "ListTags", "ListTrainingJobs", "DescribeLogStreams", "GetLogEvents", "FilterLogEvents",
    }
    assert expected <= set(rec.seen)
