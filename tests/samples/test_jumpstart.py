"""core.jumpstart against the shipped offline snapshot (sagemaker-core's real retrieve functions),
with the network cut off so that a lookup that quietly went to S3 fails."""

from __future__ import annotations

import json
import os
import socket
import threading

import pytest

from jstui.aws import jumpstart
from jstui.domain.errors import ServiceUnreachable, UsageError
from jstui.aws.jumpstart import JumpStartModel, builtin_image, lookup, offline_model_ids

from tests.samples.studies import SNAPSHOT, jumpstart_models, load, STUDY_FILES


@pytest.fixture
def no_network(monkeypatch):
    calls = []

    def refuse(self, address):
        calls.append(address)
        raise ConnectionRefusedError(f"test: network disabled ({address})")

    def unresolvable(host, *args, **kwargs):
        calls.append(host)
        raise socket.gaierror(f"test: network disabled ({host})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", unresolvable)
    return calls


SHIPPED = sorted({(model_id, itype) for _, model_id, itype in jumpstart_models()})


def test_every_shipped_jumpstart_model_is_in_the_snapshot():
    ids = set(offline_model_ids(SNAPSHOT))
    missing = sorted({m for m, _ in SHIPPED} - ids)
    assert not missing, f"sample studies use models the offline snapshot lacks: {missing}"


@pytest.mark.parametrize("model_id,instance_type", SHIPPED)
def test_offline_lookup_of_every_shipped_model(model_id, instance_type, no_network):
    region = "us-east-1"
    m = lookup(model_id, region=region, offline_dir=SNAPSHOT, instance_type=instance_type)
    assert m.model_id == model_id and m.source == "offline"
    assert "*" not in m.version and m.version.count(".") == 2
    assert m.training_image.startswith("763104351884.dkr.ecr.us-east-1.amazonaws.com/")
    assert "-gpu-" in m.training_image  # p3 instances get the GPU image
    assert m.training_script_uri.startswith("s3://jumpstart-cache-prod-us-east-1/") and m.training_script_uri.endswith(".tar.gz")
    assert model_id in m.training_model_uri
    assert m.inference_image and m.inference_model_uri and m.default_inference_instance_type
    # the default learning rate is what `relative_to_default` multiplies
    lr_name = "adam-learning-rate" if "-od-" in model_id else "learning_rate"
    assert float(m.default_hyperparameters[lr_name]) > 0
    assert all(isinstance(v, str) for v in m.default_hyperparameters.values())
    assert m.metric_definitions and all(set(d) == {"Name", "Regex"} for d in m.metric_definitions)
    assert not no_network


def test_jumpstart_ic_models_default_learning_rate_present(no_network):
    for path in STUDY_FILES:
        study = load(path)
        if study.get("metrics", {}).get("preset") != "jumpstart-ic":
            continue
        for cand in study["models"]:
            if "id" in cand:
                m = lookup(cand["id"], region="us-west-2", offline_dir=SNAPSHOT, instance_type="ml.p3.2xlarge")
                assert "learning_rate" in m.default_hyperparameters, (path.name, cand["id"])


def test_instance_type_picks_the_image_and_region_the_registry(no_network):
    cpu = lookup("pytorch-ic-alexnet", region="eu-west-1", offline_dir=SNAPSHOT, instance_type="ml.m5.xlarge")
    gpu = lookup("pytorch-ic-alexnet", region="eu-west-1", offline_dir=SNAPSHOT, instance_type="ml.p3.8xlarge")
    assert "-cpu-" in cpu.training_image and "-gpu-" in gpu.training_image
    assert ".eu-west-1." in cpu.training_image and "prod-eu-west-1" in cpu.training_model_uri


def test_round_trip_through_json():
    m = lookup("tensorflow-ic-efficientnet-b5-classification-1", region="us-east-1", offline_dir=SNAPSHOT,
               instance_type="ml.p3.2xlarge")
    again = JumpStartModel.from_dict(json.loads(json.dumps(m.to_dict())))
    assert again == m
    assert again.to_dict() is not m.to_dict()


def test_unknown_id_is_a_usage_error_with_close_matches(no_network):
    with pytest.raises(UsageError) as err:
        lookup("tensorflow-ic-efficientnet-b5", region="us-east-1", offline_dir=SNAPSHOT, instance_type="ml.p3.2xlarge")
    text = str(err.value)
    assert "'tensorflow-ic-efficientnet-b5'" in text and "tensorflow-ic-efficientnet-b5-classification-1" in text
    assert "\n" not in text


def test_unknown_version_region_and_snapshot_are_usage_errors(tmp_path, no_network):
    model = "pytorch-ic-resnet34"
    with pytest.raises(UsageError, match="no version matching '9.9.9'"):
        lookup(model, "9.9.9", region="us-east-1", offline_dir=SNAPSHOT, instance_type="ml.p3.2xlarge")
    with pytest.raises(UsageError, match="ap-south-1"):
        lookup(model, region="ap-south-1", offline_dir=SNAPSHOT, instance_type="ml.p3.2xlarge")
    with pytest.raises(UsageError, match="not an offline JumpStart snapshot"):
        lookup(model, region="us-east-1", offline_dir=tmp_path, instance_type="ml.p3.2xlarge")


def test_environment_is_restored_and_lookups_are_thread_safe():
    before = {k: os.environ.get(k) for k in (jumpstart.MANIFEST_ENV, jumpstart.SPECS_ENV)}
    models = [m for m, _ in SHIPPED][:8]
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def work(model_id: str) -> None:
        try:
            results[model_id] = lookup(model_id, region="us-east-2", offline_dir=SNAPSHOT,
                                       instance_type="ml.g4dn.xlarge").model_id
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(m,)) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == {m: m for m in models}
    assert {k: os.environ.get(k) for k in before} == before


def test_live_lookup_without_network_is_service_unreachable(monkeypatch, no_network):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    with pytest.raises(ServiceUnreachable, match="pytorch-ic-alexnet"):
        lookup("pytorch-ic-alexnet", region="us-east-1", offline_dir=None, instance_type="ml.p3.2xlarge")
    assert no_network, "the live path should have tried S3"


def test_live_lookup_without_credentials_is_service_unreachable(monkeypatch, tmp_path, no_network):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ServiceUnreachable):
        lookup("pytorch-ic-alexnet", region="us-east-1", offline_dir=None, instance_type="ml.p3.2xlarge")


def test_builtin_images(no_network):
    ic = builtin_image("image-classification", "us-east-1")
    od = builtin_image("object-detection", "eu-west-1")
    assert ic.endswith("/image-classification:1") and ".us-east-1." in ic
    assert od.endswith("/object-detection:1") and ".eu-west-1." in od
    with pytest.raises(UsageError, match="unknown built-in algorithm"):
        builtin_image("no-such-algorithm", "us-east-1")
