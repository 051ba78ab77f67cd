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
`int(c["Completed"])`). Items of a list and values of a `Map` are never null.

The same spec gives two checks: `mismatch` walks a decoded value in Python (every row read), and
`sql_damaged` is an SQL condition that is true for a damaged row, so a whole table is checked in SQLite
(its JSON functions, https://www.sqlite.org/json1.html) before the journal is written to."""

from __future__ import annotations

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
# DescribeTrainingJobResponse (or a Search TrainingJob record) of a terminal training job
TRAINING_DESCRIBE = {
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


# --- the same check in SQL ----------------------------------------------------------------------
_SQL_TYPES = {str: ("text",), int: ("integer",), bool: ("true", "false"), NUMBER: ("integer", "real"),
              TIME: ("text", "integer", "real")}  # fmt: skip


def _quoted(key: str) -> str:
    return '"' + key.replace('"', '""') + '"'


def _bad(doc: str, path: str, spec: Any, depth: int = 0) -> str:
    """SQL true when the JSON at `path` of `doc` (an SQL expression) is present, not null and not of
    `spec` (json_type: https://www.sqlite.org/json1.html#jtype)."""
    kind = f"json_type({doc}, '{path}')"
    if spec is ANY:
        return "0"
    if isinstance(spec, dict):
        parts = [f"{kind} != 'object'"]
        for key, sub in spec.items():
            sub_path = f"{path}.{_quoted(key)}"
            inner = sub.spec if isinstance(sub, (Req, Set)) else sub
            if isinstance(sub, Req):
                parts.append(f"COALESCE(json_type({doc}, '{sub_path}'), 'null') = 'null'")
            elif isinstance(sub, Set):
                parts.append(f"json_type({doc}, '{sub_path}') = 'null'")
            parts.append(f"(json_type({doc}, '{sub_path}') NOT IN ('null') AND ({_bad(doc, sub_path, inner, depth)}))")
        return f"({kind} != 'null' AND ({' OR '.join(parts)}))"
    if isinstance(spec, (list, Map)):
        each = f"e{depth}"
        inner = spec[0] if isinstance(spec, list) else spec.values
        container = "array" if isinstance(spec, list) else "object"
        if isinstance(inner, (dict, list, Map)):  # its value is JSON text only when it is an array or object
            want = "array" if isinstance(inner, list) else "object"
            item_bad = (f"CASE WHEN {each}.type != '{want}' THEN 1 "
                        f"ELSE {_bad(f'{each}.value', '$', inner, depth + 1)} END")
        else:  # a scalar: json_each gives its type
            item_bad = f"{each}.type NOT IN ({', '.join(repr(t) for t in _SQL_TYPES[inner])})"
        return (f"({kind} != 'null' AND ({kind} != '{container}' OR EXISTS (SELECT 1 FROM json_each({doc}, '{path}') "
                f"AS {each} WHERE {item_bad})))")
    return f"({kind} NOT IN ('null', {', '.join(repr(t) for t in _SQL_TYPES[spec])}))"


def sql_damaged(column: str, spec: Any) -> str:
    """SQL true for a row whose `column` (JSON text or NULL) is not valid JSON or not of `spec` (times
    are checked as text or numbers here; that the text is a time, `mismatch` checks when it is read)."""
    return (f"(CASE WHEN {column} IS NULL THEN 0 WHEN typeof({column}) != 'text' OR NOT json_valid({column}) THEN 1 "
            f"ELSE {_bad(column, '$', spec)} END)")
