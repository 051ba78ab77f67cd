"""The shape of what the journal stores as JSON, and the check that a row still has it.

SQLite checks no JSON: a row edited by hand or by another tool can hold valid JSON of the wrong shape
(a list where an object was stored, a key gone, a count as text). jstui would then fail deep inside
with a TypeError or KeyError (exit 1). Each JSON column is checked instead, before it is used, against
what jstui reads of it, with the types of botocore's SageMaker model
(botocore/data/sagemaker/2017-07-24/service-2.json: DescribeHyperParameterTuningJobResponse,
HyperParameterTuningJobSummary, HyperParameterTrainingJobSummary, DescribeTrainingJobResponse and the
Search record TrainingJob). A mismatch is the journal's damage (exit 7, naming the file, the table and
the row), never a write: the row stays as it is.

Keys jstui does not read are not checked (the service adds some over time). In an object, a key of a
plain spec may be absent or null (jstui's readers treat null as absent: `describe.get(k) or {}`);
`Req(spec)` must be there and not null; `Set(spec)` may be absent but not null (a reader converts it:
`int(c["Completed"])`). Items of a list and values of a `Map` are never null."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jstui.domain.times import parse_time


@dataclass(frozen=True)
class Req:
    spec: Any


@dataclass(frozen=True)
class Set:
    spec: Any


@dataclass(frozen=True)
class Map:
    values: Any


TIME = "time"  # ISO 8601 text (how the journal writes a datetime) or epoch seconds (botocore's timestamp)
NUMBER = "number"  # botocore's Float / Double: an integer or a real
ANY = "any"

_Objective = {"Type": str, "MetricName": str, "Value": NUMBER}  # FinalHyperParameterTuningJobObjectiveMetric
_ResourceLimits = {"MaxNumberOfTrainingJobs": int, "MaxParallelTrainingJobs": int, "MaxRuntimeInSeconds": int}
_ResourceConfig = {"InstanceType": str, "InstanceCount": int}
_Counters = Map(int)  # TrainingJobStatusCounters: Completed, InProgress, RetryableError, ... (integers)
_Ranges = Map([{"Name": Req(str), "ScalingType": str}])  # ParameterRanges: Integer/Continuous/Categorical/Auto

# DescribeHyperParameterTuningJobResponse (or a Search HyperParameterTuningJobSearchEntity, or what jstui
# writes in their place: the Create request of a job created a moment ago, a job the service forgot)
TUNING_DESCRIBE = {
    "HyperParameterTuningJobName": str,
    "HyperParameterTuningJobArn": str,
    "HyperParameterTuningJobStatus": str,
    "FailureReason": str,
    "CreationTime": TIME,
    "HyperParameterTuningEndTime": TIME,
    "LastModifiedTime": TIME,
    "TrainingJobStatusCounters": _Counters,
    "HyperParameterTuningJobConfig": {
        "HyperParameterTuningJobObjective": {"Type": str, "MetricName": str},
        "ResourceLimits": _ResourceLimits,
        "ParameterRanges": _Ranges,
    },
    "TrainingJobDefinition": {"ResourceConfig": _ResourceConfig},
    "BestTrainingJob": {
        "TrainingJobName": str,
        "FinalHyperParameterTuningJobObjectiveMetric": _Objective,
        "TunedHyperParameters": Map(str),
    },
}
# HyperParameterTuningJobSummary (ListHyperParameterTuningJobs)
TUNING_SUMMARY = {
    "HyperParameterTuningJobName": str,
    "HyperParameterTuningJobStatus": str,
    "CreationTime": TIME,
    "HyperParameterTuningEndTime": TIME,
    "TrainingJobStatusCounters": _Counters,
    "ResourceLimits": _ResourceLimits,
}
# HyperParameterTrainingJobSummary (ListTrainingJobsForHyperParameterTuningJob), one per training job
TRAINING_SUMMARIES = [
    {
        "TrainingJobName": Req(str),
        "TrainingJobStatus": str,
        "FailureReason": str,
        "CreationTime": TIME,
        "TrainingStartTime": TIME,
        "TrainingEndTime": TIME,
        "FinalHyperParameterTuningJobObjectiveMetric": _Objective,
        "TunedHyperParameters": Map(str),
    }
]
# DescribeTrainingJobResponse (or a Search TrainingJob record) of a terminal training job: what every
# snapshot reads of it (jstui.engine.snapshot_build.compact_terminal), then what a deploy or an export of
# the picked configuration reads too
TRAINING_TERMINAL = {
    "TrainingJobName": str,
    "TrainingJobStatus": str,
    "SecondaryStatus": str,
    "FailureReason": str,
    "CreationTime": TIME,
    "TrainingStartTime": TIME,
    "TrainingEndTime": TIME,
    "BillableTimeInSeconds": int,
    "TrainingTimeInSeconds": int,
    "ResourceConfig": _ResourceConfig,
    "FinalMetricDataList": [{"MetricName": Req(str), "Value": Set(NUMBER)}],
}
TRAINING_DESCRIBE = {
    **TRAINING_TERMINAL,
    "FinalHyperParameterTuningJobObjectiveMetric": _Objective,
    "AlgorithmSpecification": {"TrainingImage": str, "MetricDefinitions": [{"Name": str, "Regex": str}]},
    "HyperParameters": Map(str),
    "ModelArtifacts": {"S3ModelArtifacts": str},
}
# jstui's own documents: a deploy's request (jstui.aws.hosting.DeployRequest), an event's details, a
# JumpStart lookup (read by key with .get), a launch's recipe (compared key by key)
DEPLOY_REQUEST = {
    "study": str, "candidate": str, "model_id": str, "training_job_name": str, "endpoint_name": str,
    "image_uri": str, "model_data_url": str, "role_arn": str, "instance_type": str, "instance_count": int,
    "jumpstart_model_id": str, "jumpstart_version": str, "environment": Map(str),
    "enable_network_isolation": bool,
}  # fmt: skip
OBJECT: dict = {}

_NAMES = {dict: "an object", list: "a list", str: "text", int: "an integer", float: "a number", bool: "true or false",
          type(None): "null"}  # fmt: skip


def _kind(value: Any) -> str:
    return _NAMES.get(type(value), type(value).__name__)


def _expected(spec: Any) -> str:
    if isinstance(spec, (dict, Map)):
        return "an object"
    if isinstance(spec, list):
        return "a list"
    if spec is TIME:
        return "a time"
    if spec is NUMBER:
        return "a number"
    return _NAMES[spec]


def mismatch(value: Any, spec: Any, at: str) -> str | None:
    """What is wrong with `value` against `spec` (`at`: where it is, for the message), or None."""
    if spec is ANY:
        return None
    if isinstance(spec, dict):
        if type(value) is not dict:
            return f"{at} is {_kind(value)}, expected an object"
        for key, sub in spec.items():
            item = value.get(key)
            if item is None:
                if isinstance(sub, Req) or (isinstance(sub, Set) and key in value):
                    return f"{at}.{key} is {'null' if key in value else 'missing'}"
                continue
            problem = mismatch(item, sub.spec if isinstance(sub, (Req, Set)) else sub, f"{at}.{key}")
            if problem:
                return problem
        return None
    if isinstance(spec, list):
        if type(value) is not list:
            return f"{at} is {_kind(value)}, expected a list"
        for i, item in enumerate(value):
            problem = mismatch(item, spec[0], f"{at}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(spec, Map):
        if type(value) is not dict:
            return f"{at} is {_kind(value)}, expected an object"
        for key, item in value.items():
            problem = mismatch(item, spec.values, f"{at}.{key}")
            if problem:
                return problem
        return None
    if spec is TIME:
        if type(value) in (int, float):
            return None
        if type(value) is str:
            try:
                parse_time(value)
                return None
            except ValueError:
                return f"{at} is {value[:40]!r}, expected a time"
        return f"{at} is {_kind(value)}, expected a time"
    if spec is NUMBER:
        ok = type(value) in (int, float)
    else:
        ok = type(value) is spec  # bool is not an int here: `true` is no count
    return None if ok else f"{at} is {_kind(value)}, expected {_expected(spec)}"


# --- the same check, compiled: a training job's document is checked as it is parsed (20,000 in a
# catch-up), so the spec is turned once into nested closures that only answer "fits or not"; the
# message of a misfit comes from `mismatch`.
Check = Callable[[Any], bool]
_NUMBERS = (int, float)


def _is_time(value: Any) -> bool:
    if type(value) in _NUMBERS:
        return True
    if type(value) is not str:
        return False
    try:
        parse_time(value)
        return True
    except ValueError:
        return False


def _compile(spec: Any) -> Check:
    if spec is ANY:
        return lambda v: True
    if spec is TIME:
        return _is_time
    if spec is NUMBER:
        return lambda v: type(v) in _NUMBERS
    if isinstance(spec, dict):
        fields = [(key, isinstance(sub, Req), isinstance(sub, Set), _compile(sub.spec if isinstance(sub, (Req, Set)) else sub))
                  for key, sub in spec.items()]  # fmt: skip

        def check_object(v: Any) -> bool:
            if type(v) is not dict:
                return False
            for key, required, not_null, fits in fields:
                item = v.get(key)
                if item is None:
                    if required or (not_null and key in v):
                        return False
                elif not fits(item):
                    return False
            return True

        return check_object
    if isinstance(spec, list):
        fits_item = _compile(spec[0])
        return lambda v: type(v) is list and all(item is not None and fits_item(item) for item in v)
    if isinstance(spec, Map):
        fits_value = _compile(spec.values)
        return lambda v: type(v) is dict and all(item is not None and fits_value(item) for item in v.values())
    kind = spec
    return lambda v: type(v) is kind  # bool is not an int here: `true` is no count


@functools.cache
def _checker(spec_id: int) -> Check:
    return _compile(_SPECS[spec_id])


_SPECS = {id(s): s for s in (TUNING_DESCRIBE, TUNING_SUMMARY, TRAINING_SUMMARIES, TRAINING_TERMINAL, TRAINING_DESCRIBE, DEPLOY_REQUEST,
                             OBJECT)}  # fmt: skip


def problem(value: Any, spec: Any, at: str) -> str | None:
    """`mismatch`, quick when the value fits (every stored document but a damaged one)."""
    if id(spec) in _SPECS and _checker(id(spec))(value):
        return None
    return mismatch(value, spec, at)
