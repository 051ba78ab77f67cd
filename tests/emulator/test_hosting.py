"""Hosting over boto3: a model from a completed training job deploys, reaches InService and answers
InvokeEndpoint; a model whose data is no training job's artifact fails; the runtime's errors."""

from __future__ import annotations

import json

import pytest

from tests.emulator.helpers import client, run_until_done, tuning_request

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.8-cpu"
ROLE = "arn:aws:iam::111122223333:role/SageMakerExecution"


def _deploy(sm, name: str, model_data: str, instance_type: str = "ml.g4dn.xlarge") -> None:
    sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE, "ModelDataUrl": model_data},
                    Tags=[{"Key": "jstui:study", "Value": "t"}])
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": name, "InitialInstanceCount": 1, "InstanceType": instance_type}])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)


def _best_artifact(sm, clock) -> str:
    sm.create_hyper_parameter_tuning_job(**tuning_request("to-deploy"))
    best = run_until_done(sm, clock, "to-deploy")["BestTrainingJob"]["TrainingJobName"]
    return sm.describe_training_job(TrainingJobName=best)["ModelArtifacts"]["S3ModelArtifacts"]


def test_deploy_invoke_update_delete(emu, sm, clock):
    artifact = _best_artifact(sm, clock)
    _deploy(sm, "ep-good", artifact)
    rt = client("sagemaker-runtime", emu.url)
    d = sm.describe_endpoint(EndpointName="ep-good")
    assert d["EndpointStatus"] == "Creating" and "ProductionVariants" not in d
    with pytest.raises(rt.exceptions.ValidationError):
        rt.invoke_endpoint(EndpointName="ep-good", Body=b"\xff\xd8jpeg", ContentType="application/x-image")
    clock.advance(600)
    d = sm.describe_endpoint(EndpointName="ep-good")
    assert d["EndpointStatus"] == "InService"
    assert d["ProductionVariants"][0]["CurrentInstanceCount"] == 1
    r = rt.invoke_endpoint(EndpointName="ep-good", Body=b"\xff\xd8jpeg", ContentType="application/x-image",
                           Accept="application/json")
    answer = json.loads(r["Body"].read())
    assert r["ContentType"] == "application/json" and r["InvokedProductionVariant"] == "AllTraffic"
    assert len(answer["labels"]) == 5 and answer["predicted_label"] == answer["labels"][0]
    assert answer["probabilities"] == sorted(answer["probabilities"], reverse=True)
    assert abs(answer["probabilities"][0] - 0.808) <= 0.06  # the deployed job's test accuracy, jittered
    again = json.loads(rt.invoke_endpoint(EndpointName="ep-good", Body=b"\xff\xd8jpeg")["Body"].read())
    assert again == answer  # the same image, the same answer
    with pytest.raises(rt.exceptions.ValidationError):
        rt.invoke_endpoint(EndpointName="ep-good", Body=b"")

    listed = sm.list_endpoints(StatusEquals="InService")["Endpoints"]
    assert [e["EndpointName"] for e in listed] == ["ep-good"]
    sm.create_endpoint_config(EndpointConfigName="ep-good-2", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": "ep-good", "InitialInstanceCount": 2, "InstanceType": "ml.m5.xlarge"}])
    sm.update_endpoint(EndpointName="ep-good", EndpointConfigName="ep-good-2")
    assert sm.describe_endpoint(EndpointName="ep-good")["EndpointStatus"] == "Updating"
    rt.invoke_endpoint(EndpointName="ep-good", Body=b"x")  # the old deployment keeps serving
    with pytest.raises(sm.exceptions.ClientError):
        sm.update_endpoint(EndpointName="ep-good", EndpointConfigName="ep-good-2")
    clock.advance(600)
    d = sm.describe_endpoint(EndpointName="ep-good")
    assert d["EndpointStatus"] == "InService" and d["EndpointConfigName"] == "ep-good-2"
    assert d["ProductionVariants"][0]["CurrentInstanceCount"] == 2

    sm.delete_endpoint(EndpointName="ep-good")
    assert sm.describe_endpoint(EndpointName="ep-good")["EndpointStatus"] == "Deleting"
    clock.advance(120)
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.describe_endpoint(EndpointName="ep-good")
    assert e.value.response["Error"]["Code"] == "ValidationException" and "Could not find endpoint" in str(e.value)
    with pytest.raises(rt.exceptions.ValidationError):
        rt.invoke_endpoint(EndpointName="ep-good", Body=b"x")
    sm.delete_endpoint_config(EndpointConfigName="ep-good")
    sm.delete_model(ModelName="ep-good")
    with pytest.raises(sm.exceptions.ClientError):
        sm.describe_model(ModelName="ep-good")


def test_model_data_not_from_a_training_job_fails(sm, clock):
    _deploy(sm, "ep-bad", "s3://somewhere/else/model.tar.gz")
    clock.advance(1200)
    d = sm.describe_endpoint(EndpointName="ep-bad")
    assert d["EndpointStatus"] == "Failed"
    assert "s3://somewhere/else/model.tar.gz" in d["FailureReason"]


def test_hosting_names_and_references(sm, clock):
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    assert "already existing model" in str(e.value)
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[{
            "VariantName": "v", "ModelName": "missing", "InitialInstanceCount": 1, "InstanceType": "ml.m5.xlarge"}])
    assert "Could not find model" in str(e.value)
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.create_endpoint(EndpointName="e", EndpointConfigName="missing")
    assert "Could not find endpoint configuration" in str(e.value)
    m = sm.describe_model(ModelName="m")
    assert m["PrimaryContainer"]["Image"] == IMAGE and m["ExecutionRoleArn"] == ROLE


def test_unknown_endpoint_invocation(emu):
    rt = client("sagemaker-runtime", emu.url)
    with pytest.raises(rt.exceptions.ValidationError) as e:
        rt.invoke_endpoint(EndpointName="nope", Body=b"x")
    assert "Endpoint nope of account" in str(e.value)
