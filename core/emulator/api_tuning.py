"""SageMaker operations on tuning jobs, training jobs and tags."""

from __future__ import annotations

import re
from typing import Any

from jstui.emulator.errors import ServiceError, not_found, validation
from jstui.emulator.families import builtin_metric_definitions
from jstui.emulator.paging import page
from jstui.emulator.recognition import recognise
from jstui.emulator.schedule import MAX_TRAINING_RUNTIME_S, TuningPlan, plan_tuning_job
from jstui.emulator.search import dims_of
from jstui.emulator.views import (
    arn,
    describe_training,
    describe_tuning,
    model_artifact,
    training_summary,
    tuning_summary,
    visible,
)

_TRAINING_NAME = re.compile(r"^(?P<tuning>.+)-(?P<index>\d{3})-(?P<tail>[0-9a-f]{8})$")
MAX_JOBS_PER_TUNING_JOB = 750
ACTIVE = ("InProgress", "Stopping")


def plan_of(emu, row: dict) -> TuningPlan:
    return plan_tuning_job(row, emu.store.training_stops(row["name"]), emu.catalog)


def _row_or_raise(emu, name: str, error: ServiceError) -> dict:
    row = emu.store.tuning_job(name)
    if row is None or row["created"] > emu.now():
        raise error
    return row


# --- CreateHyperParameterTuningJob ---------------------------------------------------------------


def active_tuning_jobs(emu, now: float) -> int:
    """Tuning jobs InProgress or Stopping at `now` (the account quota counts them). A tuning job is active
    from its creation until its plan's end, and the plan depends only on the row's name, creation and stop
    time, its training jobs' stop requests and the catalog (`plan_tuning_job`'s cache key): each job's end
    is remembered under that key, so a Create reads three columns per stored job and decodes and plans
    only the jobs created or stopped since the last count (it decoded and planned every one: creating
    1,000 tuning jobs took minutes)."""
    stops = emu.store.all_training_stops()
    ends: dict[str, tuple[tuple, float]] = emu.tuning_ends
    active = 0
    for name, created, stop_time in emu.store.tuning_job_lives(now):
        job_stops = stops.get(name, {})
        key = (created, stop_time, tuple(sorted(job_stops.items())))
        hit = ends.get(name)
        if hit is None or hit[0] != key:
            row = emu.store.tuning_job(name)
            if row is None:
                continue
            hit = ends[name] = (key, plan_tuning_job(row, job_stops, emu.catalog).end)
        if now < hit[1]:  # TuningPlan.status_at: InProgress or Stopping until its end
            active += 1
    return active



def create_hyper_parameter_tuning_job(emu, p: dict, region: str) -> dict:
    name = p["HyperParameterTuningJobName"]
    cfg = p["HyperParameterTuningJobConfig"]
    tdef = p.get("TrainingJobDefinition")
    if tdef is None:
        if p.get("TrainingJobDefinitions"):
            raise validation("TrainingJobDefinitions (several definitions) is not supported by the jstui emulator; "
                             "use TrainingJobDefinition")
        raise validation("TrainingJobDefinition is required")
    _check_config(emu, cfg, tdef, p.get("Tags") or [])
    now = emu.now()
    active = active_tuning_jobs(emu, now)
    quota = emu.faults.settings.max_tuning_jobs
    if active >= quota:
        raise ServiceError(
            "ResourceLimitExceeded",
            f"The account-level service limit 'Number of concurrent hyperparameter tuning jobs' is {quota} "
            f"HyperParameterTuningJobs, with current utilization of {active} HyperParameterTuningJobs and a request "
            "delta of 1 HyperParameterTuningJobs. Please use AWS Service Quotas to request an increase for this quota.",
        )
    job_arn = arn(region, "hyper-parameter-tuning-job", name)
    settings = {
        "seed": emu.seed,
        "noise": emu.noise,
        "fail_rate": emu.faults.settings.fail_rate,
        "tags": p.get("Tags") or [],
        "region": region,
    }
    request = {k: v for k, v in p.items() if k != "Tags"}
    if not emu.store.insert_tuning_job(name, job_arn, now, request, settings):
        raise ServiceError("ResourceInUse", f"Hyperparameter tuning job with name {name} already exists.")
    if p.get("Tags"):
        emu.store.add_tags(job_arn, p["Tags"])
    return {"HyperParameterTuningJobArn": job_arn}


def _check_config(emu, cfg: dict, tdef: dict, tags: list) -> None:
    strategy = cfg.get("Strategy", "Bayesian")
    limits = cfg["ResourceLimits"]
    ranges = cfg.get("ParameterRanges") or {}
    for kind, parse in (("IntegerParameterRanges", int), ("ContinuousParameterRanges", float)):
        for r in ranges.get(kind) or []:
            for key in ("MinValue", "MaxValue"):
                try:
                    parse(r[key])
                except ValueError:
                    raise validation(f"ParameterRanges.{kind}: {r['Name']}: {key} {r[key]!r} is not "
                                     f"{'an integer' if parse is int else 'a number'}") from None
    dims = dims_of(ranges)
    if strategy == "Grid":
        if ranges.get("IntegerParameterRanges") or ranges.get("ContinuousParameterRanges"):
            raise validation("The Grid search strategy supports only categorical parameter ranges; "
                             "HyperParameterTuningJobConfig.ParameterRanges has integer or continuous ranges")
    elif not limits.get("MaxNumberOfTrainingJobs"):
        raise validation(f"ResourceLimits.MaxNumberOfTrainingJobs is required for the {strategy} strategy")
    if (limits.get("MaxNumberOfTrainingJobs") or 0) > MAX_JOBS_PER_TUNING_JOB:
        raise ServiceError("ResourceLimitExceeded",
                           f"The account-level service limit 'Max number of training jobs per tuning job' is "
                           f"{MAX_JOBS_PER_TUNING_JOB}, requested {limits['MaxNumberOfTrainingJobs']}.")
    for d in dims:
        if d.kind != "categorical":
            if d.lo > d.hi:
                raise validation(f"ParameterRanges: {d.name}: MinValue {d.lo:g} is greater than MaxValue {d.hi:g}")
            if d.scaling in ("Logarithmic", "ReverseLogarithmic") and d.lo <= 0:
                raise validation(f"ParameterRanges: {d.name}: {d.scaling} scaling needs MinValue > 0")
            if d.scaling == "ReverseLogarithmic" and d.hi >= 1:
                raise validation(f"ParameterRanges: {d.name}: ReverseLogarithmic scaling needs MaxValue < 1")
        elif not d.values:
            raise validation(f"ParameterRanges: {d.name}: Values must not be empty")
    max_run = (tdef.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
    if max_run is not None and max_run > MAX_TRAINING_RUNTIME_S:
        # botocore's StoppingCondition documentation: "The maximum value is 28 days."
        raise validation(f"TrainingJobDefinition.StoppingCondition.MaxRuntimeInSeconds {max_run} exceeds the maximum "
                         f"of {int(MAX_TRAINING_RUNTIME_S)} seconds (28 days)")
    static = tdef.get("StaticHyperParameters") or {}
    clash = sorted(set(static) & {d.name for d in dims})
    if clash:
        raise validation(f"Hyperparameters {clash} are both static and tunable; a hyperparameter can only be one")
    objective = cfg.get("HyperParameterTuningJobObjective")
    if objective is None:
        raise validation("HyperParameterTuningJobConfig.HyperParameterTuningJobObjective is required")
    algo = tdef["AlgorithmSpecification"]
    if not algo.get("TrainingImage") and not algo.get("AlgorithmName"):
        raise validation("AlgorithmSpecification needs a TrainingImage or an AlgorithmName")
    names = [m["Name"] for m in algo.get("MetricDefinitions") or []]
    if not names:
        tag_map = {t["Key"]: t.get("Value", "") for t in tags}
        profile = recognise(emu.catalog, tag_map, algo.get("TrainingImage"), {k: str(v) for k, v in static.items()}, [])
        if profile.family.startswith("builtin-"):
            names = [n for n, _ in builtin_metric_definitions(profile.family)]
    if objective["MetricName"] not in names:
        raise validation(
            f"The objective metric [{objective['MetricName']}] is not among the job's metric definitions "
            f"[{', '.join(names) or 'none'}] (TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions)"
        )


# --- Describe / List / Stop tuning jobs ----------------------------------------------------------


def describe_hyper_parameter_tuning_job(emu, p: dict, region: str) -> dict:
    # The service answers ResourceNotFound here (unlike DescribeTrainingJob's ValidationException);
    # botocore's model lists ResourceNotFound as this operation's only error.
    name = p["HyperParameterTuningJobName"]
    row = _row_or_raise(emu, name, not_found(f"Amazon SageMaker can't find a tuning job with name {name}"))
    return describe_tuning(row, plan_of(emu, row), region, emu.now())


_TUNING_SORT = {
    "Name": lambda s: s["HyperParameterTuningJobName"],
    "Status": lambda s: (s["HyperParameterTuningJobStatus"], s["HyperParameterTuningJobName"]),
    "CreationTime": lambda s: (s["CreationTime"], s["HyperParameterTuningJobName"]),
}


def list_hyper_parameter_tuning_jobs(emu, p: dict, region: str) -> dict:
    now = emu.now()
    out = []
    needle = (p.get("NameContains") or "").lower()
    for row in emu.store.tuning_jobs():
        if row["created"] > now or needle not in row["name"].lower():
            continue
        s = tuning_summary(row, plan_of(emu, row), now)
        if p.get("StatusEquals") and s["HyperParameterTuningJobStatus"] != p["StatusEquals"]:
            continue
        if not _in_window(s["CreationTime"], p.get("CreationTimeAfter"), p.get("CreationTimeBefore")):
            continue
        if not _in_window(s["LastModifiedTime"], p.get("LastModifiedTimeAfter"), p.get("LastModifiedTimeBefore")):
            continue
        out.append(s)
    out.sort(key=_TUNING_SORT[p.get("SortBy", "Name")], reverse=p.get("SortOrder", "Ascending") == "Descending")
    query = {k: p.get(k) for k in ("NameContains", "StatusEquals", "SortBy", "SortOrder")}
    chunk, nxt = page(out, p, query, default_max=10, limit=100)
    resp: dict[str, object] = {"HyperParameterTuningJobSummaries": chunk}
    if nxt:
        resp["NextToken"] = nxt
    return resp


def _in_window(t: float, after, before) -> bool:
    return (after is None or t > float(after)) and (before is None or t < float(before))


def stop_hyper_parameter_tuning_job(emu, p: dict, region: str) -> dict:
    name = p["HyperParameterTuningJobName"]
    row = _row_or_raise(emu, name, not_found(f"Amazon SageMaker can't find a tuning job with name {name}"))
    now = emu.now()
    status = plan_of(emu, row).status_at(now)
    if status != "InProgress":
        raise validation(f"The request was rejected because the tuning job is in status {status}.")
    emu.store.stop_tuning_job(name, now)
    return {}


# --- Training jobs ----------------------------------------------------------------------------------


_TRAINING_SORT = {
    "Name": lambda s: s["TrainingJobName"],
    "CreationTime": lambda s: (s["CreationTime"], s["TrainingJobName"]),
    "Status": lambda s: (s["TrainingJobStatus"], s["TrainingJobName"]),
    "FinalObjectiveMetricValue": lambda s: (s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
                                            s["TrainingJobName"]),
}


def list_training_jobs_for_hyper_parameter_tuning_job(emu, p: dict, region: str) -> dict:
    name = p["HyperParameterTuningJobName"]
    row = _row_or_raise(emu, name, not_found(f"Amazon SageMaker can't find a tuning job with name {name}"))
    now = emu.now()
    plan = plan_of(emu, row)
    out = [training_summary(j, plan, region, now) for j in visible(plan, now)]
    if p.get("StatusEquals"):
        out = [s for s in out if s["TrainingJobStatus"] == p["StatusEquals"]]
    sort_by = p.get("SortBy", "Name")
    if sort_by == "FinalObjectiveMetricValue":
        # as the service does: jobs that did not report the objective are not listed
        out = [s for s in out if "FinalHyperParameterTuningJobObjectiveMetric" in s]
    out.sort(key=_TRAINING_SORT[sort_by], reverse=p.get("SortOrder", "Ascending") == "Descending")
    query = {k: p.get(k) for k in ("HyperParameterTuningJobName", "StatusEquals", "SortBy", "SortOrder")}
    chunk, nxt = page(out, p, query, default_max=10, limit=100)
    resp: dict[str, object] = {"TrainingJobSummaries": chunk}
    if nxt:
        resp["NextToken"] = nxt
    return resp


def list_training_jobs(emu, p: dict, region: str) -> dict:
    """Every training job of every tuning job (the emulator runs training jobs only inside tuning jobs)."""
    now = emu.now()
    needle = (p.get("NameContains") or "").lower()
    out = []
    for row in emu.store.tuning_jobs():
        if row["created"] > now:
            continue
        for j in visible(plan_of(emu, row), now):
            if needle not in j.name.lower():
                continue
            s: dict[str, Any] = {
                "TrainingJobName": j.name,
                "TrainingJobArn": arn(region, "training-job", j.name),
                "CreationTime": j.created,
                "LastModifiedTime": max([j.created] + [t.start for t in j.transitions if t.start <= now]),
                "TrainingJobStatus": j.status_at(now),
                "SecondaryStatus": [t.status for t in j.transitions if t.start <= now][-1],
            }
            if now >= j.end:
                s["TrainingEndTime"] = j.end
            if p.get("StatusEquals") and s["TrainingJobStatus"] != p["StatusEquals"]:
                continue
            if not _in_window(s["CreationTime"], p.get("CreationTimeAfter"), p.get("CreationTimeBefore")):
                continue
            if not _in_window(s["LastModifiedTime"], p.get("LastModifiedTimeAfter"), p.get("LastModifiedTimeBefore")):
                continue
            out.append(s)
    sort_by = p.get("SortBy", "CreationTime")
    key = _TRAINING_SORT["Name" if sort_by == "FinalObjectiveMetricValue" else sort_by]
    out.sort(key=key, reverse=p.get("SortOrder", "Ascending") == "Descending")
    query = {k: p.get(k) for k in ("NameContains", "StatusEquals", "SortBy", "SortOrder")}
    chunk, nxt = page(out, p, query, default_max=10, limit=100)
    resp: dict[str, object] = {"TrainingJobSummaries": chunk}
    if nxt:
        resp["NextToken"] = nxt
    return resp


def find_training_job(emu, name: str):
    """(tuning row, plan, job) of a visible training job, or None."""
    m = _TRAINING_NAME.match(name)
    if not m:
        return None
    row = emu.store.tuning_job(m.group("tuning"))
    now = emu.now()
    if row is None or row["created"] > now:
        return None
    plan = plan_of(emu, row)
    job = plan.by_name.get(name)
    if job is None or job.created > now:
        return None
    return row, plan, job


def describe_training_job(emu, p: dict, region: str) -> dict:
    found = find_training_job(emu, p["TrainingJobName"])
    if found is None:
        raise validation("Requested resource not found.")
    row, plan, job = found
    return describe_training(job, plan, row, region, emu.now())


def stop_training_job(emu, p: dict, region: str) -> dict:
    name = p["TrainingJobName"]
    found = find_training_job(emu, name)
    if found is None:
        raise validation("Requested resource not found.")
    row, plan, job = found
    now = emu.now()
    status = job.status_at(now)
    if status != "InProgress":
        raise validation(f"The request was rejected because the training job is in status {status}.")
    emu.store.stop_training_job(name, row["name"], now)
    return {}


def completed_artifacts(emu) -> dict[str, tuple]:
    """S3 model artifact -> (plan, job) of every training job completed by now."""
    now = emu.now()
    out = {}
    for row in emu.store.tuning_jobs():
        if row["created"] > now:
            continue
        plan = plan_of(emu, row)
        output = row["request"]["TrainingJobDefinition"].get("OutputDataConfig") or {}

        for j in visible(plan, now):
            if j.status_at(now) == "Completed":
                out[model_artifact(output.get("S3OutputPath", ""), j.name)] = (plan, j)
    return out
