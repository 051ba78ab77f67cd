"""CreateHyperParameterTuningJob requests, built the way the SageMaker SDK builds a JumpStart (or
built-in algorithm) tuning job: defaults + study static hyperparameters, the JumpStart script and
`model` channel, ranges with `relative_to_default` resolved, jstui's and the SDK's tags."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, cast

from jstui.domain.errors import UsageError
from jstui.domain.model import Candidate, ParameterRange, Study

TAG_STUDY = "jstui:study"
TAG_MODEL = "jstui:model-id"
TAG_CANDIDATE = "jstui:candidate"
TAG_JS_MODEL = "sagemaker-sdk:jumpstart-model-id"
TAG_JS_VERSION = "sagemaker-sdk:jumpstart-model-version"
JUMPSTART_ENTRY_POINT = "transfer_learning.py"  # the JumpStart training scripts' entry point
MODEL_CONTENT_TYPE = "application/x-sagemaker-model"
VOLUME_GB = 30
# ResourceLimits.MaxRuntimeInSeconds accepts 120 s .. 15,768,000 s (half a year).
MIN_TUNING_RUNTIME_S, MAX_TUNING_RUNTIME_S = 120, 15_768_000


def model_key(candidate: Candidate) -> str:
    """What the candidate trains: its JumpStart id, or a built-in's catalog id."""
    return candidate.model_id or candidate.catalog_id


def recipe_json(candidate: Candidate) -> str:
    """What a candidate looked like when queued (the plan compares it with the study file)."""
    return json.dumps(dataclasses.asdict(candidate), sort_keys=True, default=str)


def _number(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        raise UsageError(f"default value {text!r} is not a number") from None


def format_value(x: float) -> str:
    return f"{x:.10g}"


def parameter_ranges(ranges: tuple[ParameterRange, ...], defaults: dict[str, str], where: str) -> dict:
    """SageMaker ParameterRanges; `relative_to_default` multiplied out against the default."""
    out: dict[str, list[dict]] = {
        "CategoricalParameterRanges": [],
        "ContinuousParameterRanges": [],
        "IntegerParameterRanges": [],
    }
    for r in ranges:
        if r.type == "categorical":
            if r.relative_to_default is not None:
                if r.name not in defaults:
                    raise UsageError(
                        f"{where}: range {r.name!r} is relative_to_default but the model has no default {r.name!r}"
                    )
                base = _number(defaults[r.name])
                values = list(dict.fromkeys(format_value(base * m) for m in r.relative_to_default))
            else:
                values = [str(v) for v in (r.values or ())]
            out["CategoricalParameterRanges"].append({"Name": r.name, "Values": values})
        else:
            key = "ContinuousParameterRanges" if r.type == "continuous" else "IntegerParameterRanges"
            fmt = format_value if r.type == "continuous" else (lambda v: str(int(v)))
            out[key].append(
                {"Name": r.name, "MinValue": fmt(cast(float, r.min)), "MaxValue": fmt(cast(float, r.max)),  # numeric: both set
                 "ScalingType": r.scaling}
            )
    return {k: v for k, v in out.items() if v}


def budget_runtime_s(study: Study, candidate: Candidate, budget_usd: float | None, price: float | None) -> int | None:
    """A per-tuning-job runtime cap from the budget, so the service caps spend while no jstui runs:
    the budget at the candidate's full parallel burn rate."""
    if not budget_usd or not price:
        return None
    burn_per_s = price * candidate.resources.instance_count * candidate.tuning.max_parallel_jobs / 3600.0
    # The whole budget, not an equal share: models differ tenfold in training time, and a cap that
    # cut the slow ones short would spoil the study; this one only ends a job that alone would
    # spend the entire budget.
    seconds = int(budget_usd / burn_per_s) if burn_per_s > 0 else MAX_TUNING_RUNTIME_S
    return max(MIN_TUNING_RUNTIME_S, min(MAX_TUNING_RUNTIME_S, seconds))


def build_tuning_request(
    study: Study,
    candidate: Candidate,
    name: str,
    *,
    jumpstart: Any | None,
    builtin_image: str | None,
    max_runtime_s: int | None = None,
) -> dict:
    """CreateHyperParameterTuningJob's request, built the way the SageMaker SDK builds a JumpStart
    (or built-in) tuning job."""
    tuning, res = candidate.tuning, candidate.resources
    where = f"candidate {candidate.name!r}"
    tuned = {r.name for r in tuning.ranges}
    if jumpstart is not None:
        defaults = dict(jumpstart.default_hyperparameters)
        static = {**defaults, **candidate.hyperparameters, **tuning.static}
        static["sagemaker_program"] = JUMPSTART_ENTRY_POINT
        static["sagemaker_submit_directory"] = jumpstart.training_script_uri
        algorithm: dict[str, Any] = {"TrainingImage": jumpstart.training_image, "TrainingInputMode": "File"}
        definitions = [{"Name": m.name, "Regex": m.regex} for m in candidate.metrics] or list(
            jumpstart.metric_definitions
        )
        if definitions:
            algorithm["MetricDefinitions"] = definitions
    else:
        defaults = {**candidate.hyperparameters, **tuning.static}
        static = dict(defaults)
        # Built-ins: the service supplies the metric definitions itself.
        algorithm = {"TrainingImage": builtin_image, "TrainingInputMode": "File"}
    static = {k: str(v) for k, v in static.items() if k not in tuned}
    channels = [
        {
            "ChannelName": channel,
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}
            },
            "InputMode": "File",
        }
        for channel, uri in study.data.items()
    ]
    if jumpstart is not None and jumpstart.training_model_uri:
        channels.append(
            {
                "ChannelName": "model",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": jumpstart.training_model_uri,
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
                "ContentType": MODEL_CONTENT_TYPE,
                "InputMode": "File",
            }
        )
    stopping: dict[str, int] = {"MaxRuntimeInSeconds": res.max_runtime_s}
    if res.spot:
        stopping["MaxWaitTimeInSeconds"] = res.max_wait_s or res.max_runtime_s
    limits: dict[str, int] = {
        "MaxNumberOfTrainingJobs": tuning.max_jobs,
        "MaxParallelTrainingJobs": tuning.max_parallel_jobs,
    }
    if max_runtime_s:
        limits["MaxRuntimeInSeconds"] = max_runtime_s
    tags = [
        {"Key": TAG_STUDY, "Value": study.name},
        {"Key": TAG_MODEL, "Value": model_key(candidate)},
        {"Key": TAG_CANDIDATE, "Value": candidate.name},
    ]
    if jumpstart is not None:
        tags += [
            {"Key": TAG_JS_MODEL, "Value": jumpstart.model_id},
            {"Key": TAG_JS_VERSION, "Value": jumpstart.version},
        ]
    definition = {
        "StaticHyperParameters": static,
        "AlgorithmSpecification": algorithm,
        "RoleArn": study.role_arn,
        "InputDataConfig": channels,
        "OutputDataConfig": {"S3OutputPath": study.output_s3},
        "ResourceConfig": {
            "InstanceType": res.instance_type,
            "InstanceCount": res.instance_count,
            "VolumeSizeInGB": VOLUME_GB,
        },
        "StoppingCondition": stopping,
        "EnableManagedSpotTraining": bool(res.spot),
    }
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": tuning.strategy,
            "HyperParameterTuningJobObjective": {"Type": tuning.direction, "MetricName": tuning.objective},
            "ResourceLimits": limits,
            "ParameterRanges": parameter_ranges(tuning.ranges, defaults, where),
            "TrainingJobEarlyStoppingType": "Off",
        },
        "TrainingJobDefinition": definition,
        "Tags": tags,
    }
