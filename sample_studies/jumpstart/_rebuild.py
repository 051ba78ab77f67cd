"""Rebuild this offline JumpStart metadata snapshot (see NOTICE.md): `python _rebuild.py`.

The real metadata lives in the JumpStart S3 buckets (`jumpstart-cache-prod-<region>`); this script
writes a small stand-in in the same format sagemaker-core's JumpStartModelsCache reads through
AWS_JUMPSTART_MANIFEST_LOCAL_ROOT_DIR_OVERRIDE / AWS_JUMPSTART_SPECS_LOCAL_ROOT_DIR_OVERRIDE,
holding only the fields image_uris / model_uris / script_uris / hyperparameters /
metric_definitions / instance_types need, for the models of the shipped sample studies.

Model ids and versions: the SageMaker Python SDK's "Built-in Algorithms with pre-trained Model
Table" (aws/sagemaker-python-sdk doc/doc_utils/pretrainedmodels.rst, commit 6204dbca). The layout
of a spec follows the SDK's own test fixture of a real spec (aws/sagemaker-python-sdk
sagemaker-serve/tests/unit/servers/data/jumpstart_specs/pytorch-ic-mobilenet-v2.json).
Image tags, artifact keys and hyperparameter defaults per family are reconstructions (see
FAMILIES), not copies of the live files.
"""

from __future__ import annotations

from typing import Any
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1")
DLC_ACCOUNT = "763104351884"  # AWS Deep Learning Containers' registry account
MIN_SDK = "2.189.0"

CONTAINER_HPS = [
    {"name": "sagemaker_submit_directory", "type": "text", "default": "/opt/ml/input/data/code/sourcedir.tar.gz", "scope": "container"},
    {"name": "sagemaker_program", "type": "text", "default": "transfer_learning.py", "scope": "container"},
    {"name": "sagemaker_container_log_level", "type": "text", "default": "20", "scope": "container"},
]


def _hp(name, type_, default, **kw):
    return {"name": name, "type": type_, "default": default, "scope": "algorithm", **kw}


FAMILIES: dict[str, dict[str, Any]] = {
    # Image Classification - TensorFlow (seed 000 names train_only_top_layer's default True).
    "tensorflow-ic": {
        "framework": ("tensorflow", "2.9", "py39"),
        "training_repo": "tensorflow-training:2.9-{proc}-py39",
        "inference_repo": "tensorflow-inference:2.9-{proc}",
        "script_dir": "tensorflow/transfer_learning/ic/v2.0.0",
        "inference_script_dir": "tensorflow/inference/ic/v2.0.0",
        "hyperparameters": [
            _hp("train_only_top_layer", "text", "True", options=["True", "False"]),
            _hp("epochs", "int", 3, min=1),
            _hp("batch_size", "int", 32, min=1),
            _hp("optimizer", "text", "adam", options=["adam", "sgd", "nesterov", "rmsprop", "adagrad", "adadelta"]),
            _hp("learning_rate", "float", 0.001, min=1e-06, max=0.5),
            _hp("beta_1", "float", 0.9, min=1e-08, max=0.999999999),
            _hp("beta_2", "float", 0.999, min=1e-08, max=0.999999999),
            _hp("momentum", "float", 0.9, min=0.0, max=0.999),
            _hp("epsilon", "float", 1e-07, min=1e-08, max=1.0),
            _hp("dropout_rate", "float", 0.2, min=0.0, max=1.0),
            _hp("regularizers_l2", "float", 0.0001, min=0.0),
            _hp("label_smoothing", "float", 0.1, min=0.0, max=1.0),
            _hp("early_stopping", "text", "False", options=["True", "False"]),
            _hp("early_stopping_patience", "int", 5, min=1),
            _hp("early_stopping_min_delta", "float", 0.0, min=0.0),
            _hp("reinitialize_top_layer", "text", "Auto", options=["Auto", "True", "False"]),
            _hp("validation_split_ratio", "float", 0.2, min=0.0, max=1.0),
        ],
        "metrics": [{"Name": "tensorflow-ic:val-accuracy", "Regex": "- val_accuracy: ([0-9\\.]+)"}],
    },
    # Image Classification - PyTorch (defaults as in the SDK's fixture of pytorch-ic-mobilenet-v2).
    "pytorch-ic": {
        "framework": ("pytorch", "1.10.0", "py38"),
        "training_repo": "pytorch-training:1.10.0-{proc}-py38",
        "inference_repo": "pytorch-inference:1.10.0-{proc}-py38",
        "script_dir": "pytorch/transfer_learning/ic/v2.3.0",
        "inference_script_dir": "pytorch/inference/ic/v2.0.0",
        "hyperparameters": [
            _hp("train_only_top_layer", "text", "True", options=["True", "False"]),
            _hp("epochs", "int", 5, min=1, max=1000),
            _hp("learning_rate", "float", 0.001, min=1e-08, max=1),
            _hp("batch_size", "int", 4, min=1, max=1024),
            _hp("reinitialize_top_layer", "text", "Auto", options=["Auto", "True", "False"]),
        ],
        "metrics": [{"Name": "pytorch-ic:val-accuracy", "Regex": "val_accuracy: ([0-9\\.]+)"}],
    },
    # Object Detection - MXNet (hyperparameter names as seed 002's notebook sets them:
    # awslabs/sagemaker-defect-detection notebooks/4_finetune.ipynb).
    "mxnet-od": {
        "framework": ("mxnet", "1.9.0", "py38"),
        "training_repo": "mxnet-training:1.9.0-{proc}-py38",
        "inference_repo": "mxnet-inference:1.9.0-{proc}-py38",
        "script_dir": "mxnet/transfer_learning/od/v1.5.0",
        "inference_script_dir": "mxnet/inference/od/v1.2.0",
        "hyperparameters": [
            _hp("epochs", "int", 5, min=1, max=1000),
            _hp("adam-learning-rate", "float", 0.001, min=1e-08, max=1),
            _hp("batch-size", "int", 4, min=1, max=1024),
            _hp("reinitialize-top-layer", "text", "Auto", options=["Auto", "True", "False"]),
            _hp("train-only-top-layer", "text", "False", options=["True", "False"]),
        ],
        "metrics": [
            {"Name": "Val_CrossEntropy", "Regex": "Val_CrossEntropy=(.*?),"},
            {"Name": "Val_SmoothL1", "Regex": "Val_SmoothL1=(.*)"},
        ],
    },
}

# model id -> latest version in the SDK's model table (pretrainedmodels.rst).
MODELS = {
    # seed 000 (Caltech-256 Pareto table)
    "tensorflow-ic-swin-large-patch4-window12-384": "2.0.17",
    "tensorflow-ic-swin-large-patch4-window7-224": "2.0.17",
    "tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-l": "2.0.17",
    "tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-m": "2.0.17",
    "tensorflow-ic-efficientnet-v2-imagenet21k-m": "2.0.17",
    "tensorflow-ic-efficientnet-b5-classification-1": "4.0.17",
    "tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b1": "2.0.17",
    "tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b0": "2.0.17",
    "tensorflow-ic-efficientnet-v2-imagenet21k-b0": "2.0.17",
    "tensorflow-ic-imagenet-mobilenet-v3-large-100-224": "2.0.17",
    "tensorflow-ic-imagenet-mobilenet-v3-large-075-224": "2.0.17",
    "tensorflow-ic-imagenet-mobilenet-v2-100-192": "2.0.17",
    "tensorflow-ic-imagenet-mobilenet-v2-100-160": "2.0.17",
    "tensorflow-ic-imagenet-mobilenet-v2-075-160": "2.0.17",
    "tensorflow-ic-imagenet-mobilenet-v2-075-128": "2.0.17",
    "tensorflow-ic-imagenet-mobilenet-v1-075-160-classification-4": "4.0.17",
    "tensorflow-ic-imagenet-mobilenet-v1-100-128-classification-4": "4.0.17",
    "tensorflow-ic-imagenet-mobilenet-v1-075-128-classification-4": "4.0.17",
    "tensorflow-ic-imagenet-mobilenet-v2-075-96": "2.0.17",
    "tensorflow-ic-imagenet-mobilenet-v2-035-96": "2.0.17",
    "tensorflow-ic-imagenet-mobilenet-v1-025-128-classification-4": "4.0.17",
    # the study-file example in docs/study-file.md
    "tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4": "4.0.17",
    # seed 004 (plant leaves, 15 models)
    "pytorch-ic-alexnet": "3.1.7",
    "pytorch-ic-densenet121": "3.1.7",
    "pytorch-ic-densenet201": "3.1.7",
    "pytorch-ic-googlenet": "3.1.7",
    "pytorch-ic-mobilenet-v2": "3.0.17",
    "pytorch-ic-resnet152": "3.1.7",
    "pytorch-ic-resnet34": "3.1.7",
    "tensorflow-ic-bit-s-r101x1-ilsvrc2012-classification-1": "4.0.17",
    "tensorflow-ic-imagenet-inception-resnet-v2-classification-4": "4.0.17",
    "tensorflow-ic-imagenet-inception-v3-classification-4": "4.0.17",
    "tensorflow-ic-imagenet-mobilenet-v2-050-224-classification-4": "4.0.17",
    "tensorflow-ic-imagenet-mobilenet-v2-075-224-classification-4": "4.0.17",
    "tensorflow-ic-imagenet-mobilenet-v2-140-224-classification-4": "4.0.17",
    "tensorflow-ic-imagenet-resnet-v2-152-classification-4": "4.0.17",
    "tensorflow-ic-tf2-preview-mobilenet-v2-classification-4": "4.0.17",
    # seed 002 (NEU-DET, Type 2)
    "mxnet-od-ssd-512-vgg16-atrous-voc": "2.0.14",
}

CPU_FAMILIES = ("c5", "m5", "m4")
GPU_FAMILIES = ("p2", "p3", "g4dn", "g5")


def family_of(model_id: str) -> str:
    return next(f for f in FAMILIES if model_id.startswith(f + "-"))


def _variants(repo: str) -> dict:
    aliases = {
        region: {
            "cpu_ecr_uri_1": f"{DLC_ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{repo.format(proc='cpu')}",
            "gpu_ecr_uri_1": f"{DLC_ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{repo.format(proc='gpu')}",
        }
        for region in REGIONS
    }
    variants = {f: {"regional_properties": {"image_uri": "$cpu_ecr_uri_1"}} for f in CPU_FAMILIES}
    variants.update({f: {"regional_properties": {"image_uri": "$gpu_ecr_uri_1"}} for f in GPU_FAMILIES})
    return {"regional_aliases": aliases, "variants": variants}


def spec_for(model_id: str, version: str) -> dict:
    fam_name = family_of(model_id)
    fam = FAMILIES[fam_name]
    framework, framework_version, py_version = fam["framework"]
    ecr = {"framework": framework, "framework_version": framework_version, "py_version": py_version}
    return {
        "model_id": model_id,
        "version": version,
        "min_sdk_version": MIN_SDK,
        "training_supported": True,
        "incremental_training_supported": True,
        "hosting_ecr_specs": ecr,
        "training_ecr_specs": ecr,
        "hosting_artifact_key": f"{fam_name}/{model_id}/artifacts/inference/v1.0.0/",
        "hosting_prepacked_artifact_key": f"{fam_name}/{model_id}/artifacts/inference-prepack/v1.0.0/",
        "hosting_script_key": f"source-directory-tarballs/{fam['inference_script_dir']}/sourcedir.tar.gz",
        "hosting_use_script_uri": False,
        "training_artifact_key": f"{framework}-training/train-{model_id}.tar.gz",
        "training_script_key": f"source-directory-tarballs/{fam['script_dir']}/sourcedir.tar.gz",
        "hyperparameters": fam["hyperparameters"] + CONTAINER_HPS,
        "metrics": fam["metrics"],
        # ml.m5.xlarge rather than the live metadata's ml.m5.large for some models: it is in
        # jstui's shipped price table, so a deploy from a sample study has a known hourly price.
        "default_inference_instance_type": "ml.m5.xlarge",
        "supported_inference_instance_types": ["ml.m5.xlarge", "ml.c5.xlarge", "ml.g4dn.xlarge", "ml.p3.2xlarge"],
        "default_training_instance_type": "ml.p3.2xlarge",
        "supported_training_instance_types": ["ml.p3.2xlarge", "ml.p3.8xlarge", "ml.g4dn.xlarge", "ml.g5.xlarge", "ml.m5.xlarge"],
        "training_instance_type_variants": _variants(fam["training_repo"]),
        "hosting_instance_type_variants": _variants(fam["inference_repo"]),
        "inference_vulnerable": False,
        "inference_vulnerabilities": [],
        "training_vulnerable": False,
        "training_vulnerabilities": [],
        "deprecated": False,
        "estimator_kwargs": {"encrypt_inter_container_traffic": True, "max_run": 360000},
        "training_enable_network_isolation": True,
        "inference_enable_network_isolation": True,
    }


def spec_key(model_id: str, version: str) -> str:
    return f"community_models/{model_id}/specs_v{version}.json"


def main() -> None:
    manifest = []
    for model_id, version in sorted(MODELS.items()):
        key = spec_key(model_id, version)
        manifest.append({"model_id": model_id, "version": version, "min_version": MIN_SDK, "spec_key": key})
        path = HERE / "specs" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(spec_for(model_id, version), indent=1, sort_keys=True) + "\n")
    (HERE / "manifest").mkdir(exist_ok=True)
    (HERE / "manifest" / "models_manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()
