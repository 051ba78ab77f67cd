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
# With network isolation the SDK ships the script as the `code` channel and points the container at it
# (SDK v2 EstimatorBase._prepare_for_training, CONTAINER_CODE_CHANNEL_SOURCEDIR_PATH; job.py _load_config
# appends the `code` channel after the `model` one).
CODE_CHANNEL = "code"
CODE_CHANNEL_SOURCEDIR = "/opt/ml/input/data/code/sourcedir.tar.gz"
VOLUME_GB = 30
# ResourceLimits.MaxRuntimeInSeconds accepts 120 s .. 15,768,000 s (half a year).
MIN_TUNING_RUNTIME_S, MAX_TUNING_RUNTIME_S = 120, 15_768_000


def model_key(candidate: Candidate) -> str:
    """What the candidate trains: its JumpStart id, or a built-in's catalog id."""
    return candidate.model_id or candidate.catalog_id


def recipe_json(candidate: Candidate) -> str:
    """What a candidate looked like when queued (the plan compares it with the study file). Empty
    `channels` (the study's [data]) are left out, as recipes from before the key existed have them."""
    recipe = dataclasses.asdict(candidate)
    if not recipe.get("channels"):
        recipe.pop("channels", None)
    return json.dumps(recipe, sort_keys=True, default=str)


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
    # All three lists, empty when unused, as the SDK sends them (tuner.py hyperparameter_ranges():
    # one list per ParameterRange type).
    return out


def _channel(name: str, uri: str, content_type: str | None = None) -> dict:
    ch: dict[str, Any] = {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}
        },
    }
    if content_type:
        ch["ContentType"] = content_type
    ch["InputMode"] = "File"
    return ch


# A stop (StopTrainingJob, or the tuning job reaching its MaxRuntimeInSeconds) ends a training job only
# after its container's grace period: "SageMaker sends the algorithm the SIGTERM signal, which delays job
# termination for 120 seconds" (API reference, StopTrainingJob). Billing runs until the job ends.
STOP_GRACE_S = 120


def parallel_burn_usd_per_s(candidate: Candidate, price: float) -> float:
    """What a candidate's tuning job can bill per second at most: every parallel training job running
    (never more than its training jobs), on its instance count."""
    parallel = candidate.tuning.max_parallel_jobs
    if candidate.tuning.max_jobs:
        parallel = min(parallel, candidate.tuning.max_jobs)
    return price * candidate.resources.instance_count * max(1, parallel) / 3600.0


def budget_runtime_s(study: Study, candidate: Candidate, allotted_usd: float | None, price: float | None) -> int | None:
    """ResourceLimits.MaxRuntimeInSeconds for a tuning job allotted `allotted_usd` of the budget: the
    longest cap whose worst case (every parallel training job billing from the tuning job's creation
    to the cap, plus the stop grace) stays within the allotment. None without an allotment or a price;
    MIN_TUNING_RUNTIME_S when even that exceeds it (the caller decides whether to launch at all:
    `jstui.domain.budget`)."""
    if not allotted_usd or not price:
        return None
    burn = parallel_burn_usd_per_s(candidate, price)
    seconds = int(allotted_usd / burn - STOP_GRACE_S) if burn > 0 else MAX_TUNING_RUNTIME_S
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
        isolated = bool(getattr(jumpstart, "training_enable_network_isolation", False))
        # Isolated, the container cannot fetch an S3 URI: the script travels as the `code` channel.
        static["sagemaker_submit_directory"] = CODE_CHANNEL_SOURCEDIR if isolated else jumpstart.training_script_uri
        algorithm: dict[str, Any] = {"TrainingImage": jumpstart.training_image, "TrainingInputMode": "File"}
        definitions = [{"Name": m.name, "Regex": m.regex} for m in candidate.metrics] or list(
            jumpstart.metric_definitions
        )
        if definitions:
            algorithm["MetricDefinitions"] = definitions
    else:
        isolated = False
        defaults = {**candidate.hyperparameters, **tuning.static}
        static = dict(defaults)
        # Built-ins: the service supplies the metric definitions itself.
        algorithm = {"TrainingImage": builtin_image, "TrainingInputMode": "File"}
    static = {k: str(v) for k, v in static.items() if k not in tuned}
    channels = [_channel(c.name, c.uri, c.content_type) for c in study.channels_of(candidate)]
    if jumpstart is not None and jumpstart.training_model_uri:
        channels.append(_channel("model", jumpstart.training_model_uri, MODEL_CONTENT_TYPE))
    if isolated and jumpstart is not None:
        channels.append(_channel(CODE_CHANNEL, jumpstart.training_script_uri))
    stopping: dict[str, int] = {"MaxRuntimeInSeconds": res.max_runtime_s}
    if res.spot:
        stopping["MaxWaitTimeInSeconds"] = res.max_wait_s or res.max_runtime_s
    limits: dict[str, int] = {"MaxParallelTrainingJobs": tuning.max_parallel_jobs}
    if tuning.strategy != "Grid":
        # Grid runs every combination: the SDK leaves the count out (tuner.py: "For the GridSearch
        # strategy we expect the max_jobs equals None").
        limits = {"MaxNumberOfTrainingJobs": tuning.max_jobs, **limits}
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
    if isolated:
        definition["EnableNetworkIsolation"] = True
    if jumpstart is not None and getattr(jumpstart, "training_encrypt_inter_container_traffic", False):
        # the spec's estimator_kwargs, applied by JumpStartEstimator (factory/estimator.py
        # _add_estimator_extra_kwargs)
        definition["EnableInterContainerTrafficEncryption"] = True
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
