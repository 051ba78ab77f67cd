"""core.hosting: names, the journaled create/adopt/resume/delete sequence (request shapes
checked by botocore's Stubber against the service model), invocation answers, accrued cost."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta, UTC

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from hypothesis import given
from hypothesis import strategies as st
from jstui.aws import hosting, smoke_test
from jstui.domain import endpoints
from jstui.domain.errors import ServiceRefused, UsageError
from jstui.engine.journal import Journal

SAGEMAKER_RULE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def request(name="demo-effb5") -> hosting.DeployRequest:
    return hosting.DeployRequest(
        study="demo", candidate="effb5", model_id="tensorflow-ic-efficientnet-b5-classification-1",
        training_job_name="demo-effb5-g1-001-abcdef12", endpoint_name=name,
        image_uri="763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.8-cpu",
        model_data_url="s3://bucket/demo/demo-effb5-g1-001-abcdef12/output/model.tar.gz",
        role_arn="arn:aws:iam::111122223333:role/SageMakerExecution", instance_type="ml.g4dn.xlarge",
        instance_count=1, jumpstart_model_id="tensorflow-ic-efficientnet-b5-classification-1", jumpstart_version="3.0.0",
    )


@pytest.fixture
def sm():
    client = boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        client.stub = stub
        yield client
        stub.assert_no_pending_responses()


@pytest.fixture
def journal(tmp_path):
    j = Journal.open(tmp_path)
    j.upsert_study("demo", tmp_path / "demo.toml", "emulator", "us-east-1")
    yield j
    j.close()


def arn(kind, name):
    return f"arn:aws:sagemaker:us-east-1:111122223333:{kind}/{name}"


def expect_creates(stub, req, steps=("model", "config", "endpoint")):
    if "model" in steps:
        stub.add_response("create_model", {"ModelArn": arn("model", req.model_name)},
                          {"ModelName": req.model_name, "ExecutionRoleArn": req.role_arn, "Tags": req.tags(),
                           "PrimaryContainer": {"Image": req.image_uri, "ModelDataUrl": req.model_data_url,
                                                "Mode": "SingleModel"}})
    if "config" in steps:
        stub.add_response("create_endpoint_config", {"EndpointConfigArn": arn("endpoint-config", req.config_name)},
                          {"EndpointConfigName": req.config_name, "Tags": req.tags(), "ProductionVariants": ANY})
    if "endpoint" in steps:
        stub.add_response("create_endpoint", {"EndpointArn": arn("endpoint", req.endpoint_name)},
                          {"EndpointName": req.endpoint_name, "EndpointConfigName": req.config_name, "Tags": req.tags()})


# --- names -------------------------------------------------------------------------------------
@given(st.text(max_size=80))
def test_name_problem_agrees_with_sagemakers_rule(name):
    assert (endpoints.endpoint_name_problem(name) is None) == bool(SAGEMAKER_RULE.fullmatch(name))


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=120), st.sets(st.text(max_size=70), max_size=5))
def test_suggested_names_are_valid_and_free(study, candidate, taken):
    name = endpoints.suggest_endpoint_name(study, candidate, taken)
    assert endpoints.endpoint_name_problem(name, taken) is None


def test_suggested_name_is_numbered_when_taken():
    first = endpoints.suggest_endpoint_name("caltech256", "efficientnet-b5")
    assert first == "caltech256-efficientnet-b5"
    assert endpoints.suggest_endpoint_name("caltech256", "efficientnet-b5", {first}) == first + "-2"


def test_taken_name_is_a_problem():
    assert "already exists" in endpoints.endpoint_name_problem("a-b", {"a-b"})


# --- create, journaled ---------------------------------------------------------------------------
def test_start_deploy_creates_three_tagged_resources_and_journals_each_step(sm, journal):
    req = request()
    expect_creates(sm.stub, req)
    hosting.start_deploy(sm, journal, req)
    [rec] = journal.endpoints("demo")
    assert rec["state"] == "endpoint" and rec["candidate"] == "effb5"
    assert hosting.DeployRequest.from_dict(rec["body"]) == req
    tags = {t["Key"]: t["Value"] for t in req.tags()}
    assert tags["jstui:study"] == "demo" and tags["jstui:model-id"] == req.model_id


def test_interrupted_deploy_resumes_where_it_stopped(sm, journal):
    req = request()
    # A crash after CreateModel was answered: the journal says "model".
    journal.save_endpoint(req.endpoint_name, "demo", candidate=req.candidate, training_job_name=req.training_job_name,
                          instance_type=req.instance_type, instance_count=1, state="model", body=req.to_dict())
    assert hosting.interrupted_deploys(journal, "demo") == [req.endpoint_name]
    expect_creates(sm.stub, req, steps=("config", "endpoint"))
    assert hosting.resume_deploy(sm, journal, "demo", req.endpoint_name) == req
    assert hosting.interrupted_deploys(journal, "demo") == []


def test_crash_between_call_and_journal_adopts_our_own_resource(sm, journal):
    req = request()
    journal.save_endpoint(req.endpoint_name, "demo", state="planned", body=req.to_dict())
    # CreateModel had gone through before the crash: the service says it exists, tagged as ours.
    sm.stub.add_client_error("create_model", "ValidationException",
                             f'Cannot create already existing model "{arn("model", req.model_name)}".')
    sm.stub.add_response("describe_model", {"ModelName": req.model_name, "ModelArn": arn("model", req.model_name),
                                            "CreationTime": T0}, {"ModelName": req.model_name})
    sm.stub.add_response("list_tags", {"Tags": req.tags()}, {"ResourceArn": arn("model", req.model_name)})
    expect_creates(sm.stub, req, steps=("config", "endpoint"))
    hosting.resume_deploy(sm, journal, "demo", req.endpoint_name)
    assert journal.endpoints("demo")[0]["state"] == "endpoint"


def test_a_foreign_resource_of_the_same_name_is_refused(sm, journal, monkeypatch):
    """...after reading its tags again (they can lag behind the resource) and still not finding ours."""
    slept = []
    monkeypatch.setattr(hosting, "_sleep", slept.append)
    req = request()
    sm.stub.add_client_error("create_model", "ValidationException", "Cannot create already existing model")
    sm.stub.add_response("describe_model", {"ModelName": req.model_name, "ModelArn": arn("model", req.model_name),
                                            "CreationTime": T0}, {"ModelName": req.model_name})
    for _ in range(1 + len(hosting.TAG_WAITS_S)):
        sm.stub.add_response("list_tags", {"Tags": [{"Key": "owner", "Value": "someone"}]}, {"ResourceArn": ANY})
    with pytest.raises(ServiceRefused, match="did not create"):
        hosting.start_deploy(sm, journal, req)
    assert slept == list(hosting.TAG_WAITS_S)


def test_a_tag_that_shows_up_late_is_ours(sm, journal, monkeypatch):
    monkeypatch.setattr(hosting, "_sleep", lambda s: None)
    req = request()
    sm.stub.add_client_error("create_model", "ValidationException", "Cannot create already existing model")
    sm.stub.add_response("describe_model", {"ModelName": req.model_name, "ModelArn": arn("model", req.model_name),
                                            "CreationTime": T0}, {"ModelName": req.model_name})
    sm.stub.add_response("list_tags", {"Tags": []}, {"ResourceArn": ANY})
    sm.stub.add_response("list_tags", {"Tags": req.tags()}, {"ResourceArn": ANY})
    hosting._create_or_adopt(sm, req, "model", lambda: sm.create_model(ModelName=req.model_name),
                             lambda: sm.describe_model(ModelName=req.model_name)["ModelArn"])  # adopted: no raise


def test_build_request_rejects_bad_names_and_counts():
    from jstui.aws.hosting import DeployTarget, InferenceSpec, build_request

    from tests.frontier.fake_session import demo_study

    study = demo_study()
    target = DeployTarget(study.candidates[0], "job-1", "s3://b/model.tar.gz", "img")
    spec = InferenceSpec("img", "ml.m5.xlarge", None)
    assert build_request(study, target, spec, "ok-name", "ml.m5.xlarge", 2).instance_count == 2
    for bad in (dict(endpoint_name="-bad"), dict(instance_count=0), dict(instance_type="m5.large")):
        kwargs = dict(endpoint_name="ok-name", instance_type="ml.m5.xlarge", instance_count=1) | bad
        with pytest.raises(UsageError):
            build_request(study, target, spec, **kwargs)


# --- follow and delete --------------------------------------------------------------------------
def endpoint_description(name, status, reason=None):
    d = {"EndpointName": name, "EndpointArn": arn("endpoint", name), "EndpointStatus": status,
         "CreationTime": T0, "LastModifiedTime": T0}
    if reason:
        d["FailureReason"] = reason
    return d


def test_wait_follows_to_failed_with_its_reason(sm):
    for status in ("Creating", "Creating", "Failed"):
        sm.stub.add_response("describe_endpoint", endpoint_description("e", status, "bad model data" if status == "Failed" else None),
                             {"EndpointName": "e"})
    seen = []
    st_ = hosting.wait_for_endpoint(sm, "e", poll_s=1, sleep=lambda s: None, on_status=lambda s: seen.append(s.status))
    assert (st_.status, st_.failure_reason) == ("Failed", "bad model data")
    assert seen == ["Creating", "Failed"]


def test_delete_removes_all_three_and_tolerates_ones_already_gone(sm, journal):
    req = request()
    journal.save_endpoint(req.endpoint_name, "demo", state="InService", body=req.to_dict())
    sm.stub.add_response("delete_endpoint", {}, {"EndpointName": req.endpoint_name})
    sm.stub.add_client_error("delete_endpoint_config", "ValidationException",
                             f"Could not find endpoint configuration \"{req.config_name}\".")
    sm.stub.add_response("delete_model", {}, {"ModelName": req.model_name})
    hosting.delete_deployment(sm, journal, "demo", req.endpoint_name)
    assert journal.endpoints("demo") == []


def test_delete_refuses_endpoints_jstui_did_not_create(sm, journal):
    with pytest.raises(UsageError, match="not created by jstui"):
        hosting.delete_deployment(sm, journal, "demo", "someone-elses")


# --- the endpoints table -------------------------------------------------------------------------
def test_endpoint_rows_price_accrue_and_forget_endpoints_deleted_elsewhere(sm, journal, monkeypatch):
    monkeypatch.setattr(hosting, "hourly_usd", lambda t, n, o=None, table=None: {"ml.g4dn.xlarge": 0.5}.get(t, 2.0) * n)
    a, b, c = request("live-one"), request("gone-one"), request("broken-one")
    for r in (a, b, c):
        journal.save_endpoint(r.endpoint_name, "demo", candidate=r.candidate, instance_type=r.instance_type,
                              instance_count=2, state="endpoint", body=r.to_dict())
    now = T0 + timedelta(hours=3)
    listing = {"Endpoints": [
        {"EndpointName": "live-one", "EndpointArn": arn("endpoint", "live-one"), "EndpointStatus": "InService",
         "CreationTime": T0, "LastModifiedTime": T0 + timedelta(minutes=5)},
        {"EndpointName": "broken-one", "EndpointArn": arn("endpoint", "broken-one"), "EndpointStatus": "Failed",
         "CreationTime": T0, "LastModifiedTime": T0 + timedelta(minutes=30)},
    ]}
    sm.stub.add_response("list_endpoints", listing, {"MaxResults": 100})
    sm.stub.add_response("describe_endpoint", endpoint_description("broken-one", "Failed", "image not found"),
                         {"EndpointName": "broken-one"})
    rows = {r.name: r for r in hosting.endpoint_rows(sm, journal, "demo", now, prices={})}
    assert set(rows) == {"live-one", "broken-one"}
    assert rows["live-one"].usd_per_hour == pytest.approx(1.0)  # two instances at 0.5
    assert rows["live-one"].accrued_usd == pytest.approx(3.0)  # three hours running
    assert rows["broken-one"].accrued_usd == pytest.approx(0.5)  # until it failed
    assert rows["broken-one"].failure_reason == "image not found"
    assert {r["name"] for r in journal.endpoints("demo")} == {"live-one", "broken-one"}


def test_interrupted_deploys_show_as_interrupted():
    row = hosting.endpoint_row({"name": "x", "state": "config", "candidate": "c", "body": {}}, None, T0, 1.0)
    assert row.status == "Interrupted" and "config" in row.failure_reason and row.accrued_usd is None


# --- invocation ----------------------------------------------------------------------------------
@pytest.mark.parametrize("answer,expected", [
    ({"probabilities": [0.1, 0.7, 0.2], "labels": ["ant", "bee", "cat"], "predicted_label": "bee"}, "bee (70.0%)"),
    ([{"label": "ant", "score": 0.2}, {"label": "cat", "score": 0.5}], "cat (50.0%)"),
    ({"predictions": [{"label": "dog", "probability": 0.9}]}, "dog (90.0%)"),
    ([0.05, 0.9, 0.05], "class 1 (90.0%)"),
])
def test_describe_prediction_reads_the_answer_forms(answer, expected):
    assert smoke_test.describe_prediction(json.dumps(answer).encode()) == expected


def test_smoke_invoke_sends_the_shipped_jpeg():
    image = smoke_test.sample_image()
    assert image[:2] == b"\xff\xd8" and len(image) <= 5 * 1024  # a JPEG, small enough to ship
    rt = boto3.client("sagemaker-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    body = json.dumps({"labels": ["sky", "hill"], "probabilities": [0.6, 0.4]}).encode()
    with Stubber(rt) as stub:
        stub.add_response("invoke_endpoint", {"Body": StreamingBody(io.BytesIO(body), len(body)),
                                              "ContentType": "application/json"},
                          {"EndpointName": "e", "ContentType": "application/x-image",
                           "Accept": "application/json;verbose", "Body": image})
        assert smoke_test.smoke_invoke(rt, "e") == "sky (60.0%)"


def test_a_trailing_newline_is_not_a_valid_name():
    assert endpoints.endpoint_name_problem("abc\n") is not None


def test_running_longer_than_counts_only_billed_endpoints():
    from jstui.domain.snapshot import EndpointRow

    def row(status, minutes_ago):
        return EndpointRow(name="e", status=status, candidate="c", training_job_name=None, instance_type="ml.m5.xlarge",
                           instance_count=1, usd_per_hour=0.23, accrued_usd=0.0,
                           created_at=T0 - timedelta(minutes=minutes_ago))

    assert endpoints.running_longer_than(row("InService", 300), T0, 4)
    assert not endpoints.running_longer_than(row("InService", 200), T0, 4)
    assert not endpoints.running_longer_than(row("Failed", 300), T0, 4)
    assert not endpoints.running_longer_than(row("InService", 300), None, 4)
