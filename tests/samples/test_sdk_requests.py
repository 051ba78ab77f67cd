"""Every request jstui makes for the sample studies does in effect what the SageMaker SDK v2 does for the
same model and spec (issue 15, item 4). Expectations come from the shipped spec documents (read here
as JSON, not through jstui) and the SDK's documented behaviour:

- training image / model artifact / script: the spec's `training_instance_type_variants`,
  `training_artifact_key`, `training_script_key` under `s3://jumpstart-cache-prod-<region>/`
  (sagemaker/jumpstart/artifacts/{image_uris,model_uris,script_uris}.py);
- `training_enable_network_isolation`: EnableNetworkIsolation, the script as the `code` channel and
  `sagemaker_submit_directory` = /opt/ml/input/data/code/sourcedir.tar.gz (estimator.py
  _prepare_for_training, CONTAINER_CODE_CHANNEL_SOURCEDIR_PATH; job.py appends the code channel);
- the `model` channel with ContentType application/x-sagemaker-model (job.py _format_model_uri_input);
- the algorithm-scope hyperparameter defaults (hyperparameters.retrieve_default);
- the spec's estimator_kwargs `encrypt_inter_container_traffic` as EnableInterContainerTrafficEncryption
  (factory/estimator.py _add_estimator_extra_kwargs);
- Grid: no ResourceLimits.MaxNumberOfTrainingJobs (tuner.py: max_jobs None for GridSearch);
- ParameterRanges: all three lists (tuner.py _prepare_parameter_ranges_for_tuning);
- deploy of a fine-tuned model (JumpStartEstimator.attach(job).deploy(): factory/estimator.py
  get_deploy_kwargs -> factory/model.py): Environment = the spec's inference_environment_variables with
  `required_for_model_class` (include_aws_sdk_env_vars=False); no source_dir when
  `hosting_use_script_uri` is false; EnableNetworkIsolation = `inference_enable_network_isolation`.
Each request also passes botocore's own validation against the service model (Stubber)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from jstui.aws.hosting import DeployTarget, build_request, create_model_request
from jstui.aws.jumpstart import builtin_image, lookup
from jstui.domain.tuning_request import build_tuning_request
from jstui.engine.deployments import InferenceSpec
from jstui.study import load_study

from tests.samples.studies import SNAPSHOT, STUDY_FILES

REGION = "us-east-1"
CODE_PATH = "/opt/ml/input/data/code/sourcedir.tar.gz"


def _spec(model_id: str) -> dict:
    manifest = json.loads((SNAPSHOT / "manifest" / "models_manifest.json").read_text())
    entry = max((e for e in manifest if e["model_id"] == model_id), key=lambda e: tuple(map(int, e["version"].split("."))))
    return json.loads((SNAPSHOT / "specs" / entry["spec_key"]).read_text())


def _bucket(key: str) -> str:
    return f"s3://jumpstart-cache-prod-{REGION}/{key}"


def _client():
    return boto3.client("sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")


def _botocore_accepts(operation: str, params: dict) -> None:
    sm = _client()
    with Stubber(sm) as stub:
        stub.add_response(operation, {"HyperParameterTuningJobArn": "arn:x"} if "tuning" in operation
                          else {"ModelArn": "arn:aws:sagemaker:us-east-1:111122223333:model/x"}, params)
        getattr(sm, operation)(**params)


def _requests():
    """(study, candidate, request, jumpstart lookup or None) for every candidate of every sample study."""
    out = []
    for path in STUDY_FILES:
        study = load_study(path)
        for c in study.candidates:
            js = None
            if c.model_id:
                js = lookup(c.model_id, c.model_version, region=REGION, offline_dir=SNAPSHOT,
                            instance_type=c.resources.instance_type)
                req = build_tuning_request(study, c, "x-" + c.name[:20], jumpstart=js, builtin_image=None)
            else:
                req = build_tuning_request(study, c, "x-" + c.name[:20], jumpstart=None,
                                           builtin_image=builtin_image(c.algorithm, REGION))
            out.append(pytest.param(study, c, req, js, id=f"{path.stem}:{c.name}"))
    return out


REQUESTS = _requests()


@pytest.mark.parametrize("study,cand,req,js", REQUESTS)
def test_tuning_request_is_the_sdks(study, cand, req, js):
    d = req["TrainingJobDefinition"]
    cfg = req["HyperParameterTuningJobConfig"]
    channels = {c["ChannelName"]: c for c in d["InputDataConfig"]}
    uri = {n: c["DataSource"]["S3DataSource"]["S3Uri"] for n, c in channels.items()}
    assert set(cfg["ParameterRanges"]) == {"CategoricalParameterRanges", "ContinuousParameterRanges",
                                           "IntegerParameterRanges"}
    if cand.tuning.strategy == "Grid":
        assert "MaxNumberOfTrainingJobs" not in cfg["ResourceLimits"]
    else:
        assert cfg["ResourceLimits"]["MaxNumberOfTrainingJobs"] == cand.tuning.max_jobs
    if cand.model_id:
        spec = _spec(cand.model_id)
        # image: the spec's GPU alias for a p3 instance
        alias = spec["training_instance_type_variants"]["regional_aliases"][REGION]["gpu_ecr_uri_1"]
        assert d["AlgorithmSpecification"]["TrainingImage"] == alias
        assert uri["model"] == _bucket(spec["training_artifact_key"])
        assert channels["model"]["ContentType"] == "application/x-sagemaker-model"
        static = d["StaticHyperParameters"]
        tuned = {r.name for r in cand.tuning.ranges}
        for hp in spec["hyperparameters"]:
            if hp["scope"] == "algorithm" and hp["name"] not in tuned and hp["name"] not in cand.hyperparameters \
                    and hp["name"] not in cand.tuning.static:
                assert static[hp["name"]] == str(hp["default"]), hp["name"]
        assert static["sagemaker_program"] == "transfer_learning.py"
        if spec["training_enable_network_isolation"]:
            assert d.get("EnableNetworkIsolation") is True
            assert uri["code"] == _bucket(spec["training_script_key"])
            assert static["sagemaker_submit_directory"] == CODE_PATH
        else:
            assert not d.get("EnableNetworkIsolation")
            assert static["sagemaker_submit_directory"] == _bucket(spec["training_script_key"])
        encrypt = spec.get("estimator_kwargs", {}).get("encrypt_inter_container_traffic", False)
        assert d.get("EnableInterContainerTrafficEncryption", False) is encrypt
        # JumpStart scripts read `training` (+ validation/test); never a built-in's RecordIO channels
        assert "training" in channels and "train" not in channels
    else:
        # a built-in gets exactly the channels its container reads, with their content types (AWS docs)
        assert set(channels) == {"train", "validation"}
        assert {c["ContentType"] for c in channels.values()} == {"application/x-recordio"}
        assert not d.get("EnableNetworkIsolation")
    _botocore_accepts("create_hyper_parameter_tuning_job", req)


def test_caltech256_sends_the_notebooks_three_channels():
    study = load_study(next(p for p in STUDY_FILES if p.name == "caltech256.toml"))
    assert set(study.data) == {"training", "validation", "test"}  # test_* metrics need `test` (seed 000)
    assert study.frontier.x.startswith("test_") and study.frontier.y.startswith("test_")


@pytest.mark.parametrize("study,cand,req,js", [p for p in REQUESTS if p.values[3] is not None][:3]
                         + [p for p in REQUESTS if p.values[1].model_id and "-od-" in p.values[1].model_id][:1])
def test_deploy_of_a_fine_tuned_model_is_the_sdks(study, cand, req, js):
    spec = _spec(cand.model_id)
    target = DeployTarget(cand, "x-job", "s3://example-bucket/out/x-job/output/model.tar.gz",
                          req["TrainingJobDefinition"]["AlgorithmSpecification"]["TrainingImage"])
    inference = InferenceSpec(js.inference_image, js.default_inference_instance_type, js.version,
                              tuple(sorted(js.inference_environment.items())), js.inference_enable_network_isolation)
    params = create_model_request(build_request(study, target, inference, "x-endpoint", "ml.m5.xlarge", 1))
    expected_env = {e["name"]: str(e["default"]) for e in spec["inference_environment_variables"]
                    if e["required_for_model_class"]}
    assert expected_env["SAGEMAKER_PROGRAM"] == "inference.py" and "MODEL_CACHE_ROOT" in expected_env
    container = params["PrimaryContainer"]
    assert container["Environment"] == expected_env
    assert params.get("EnableNetworkIsolation", False) is spec["inference_enable_network_isolation"]
    # hosting_use_script_uri false: no source_dir, so the training job's own artifact, no repack
    assert spec["hosting_use_script_uri"] is False
    assert container["ModelDataUrl"] == target.model_data_url
    alias = spec["hosting_instance_type_variants"]["regional_aliases"][REGION]["cpu_ecr_uri_1"]
    assert container["Image"] == alias
    _botocore_accepts("create_model", params)


def test_every_spec_field_the_requests_need_is_in_the_snapshot():
    for spec_file in sorted((SNAPSHOT / "specs").rglob("*.json")):
        spec = json.loads(spec_file.read_text())
        for key in ("training_enable_network_isolation", "inference_enable_network_isolation",
                    "inference_environment_variables", "hosting_use_script_uri", "training_script_key",
                    "training_artifact_key"):
            assert key in spec, (spec_file.name, key)
        assert all({"name", "default", "required_for_model_class"} <= set(e)
                   for e in spec["inference_environment_variables"])
