"""What the service answers about tuning and training jobs at a given simulated time, read off their plans."""

from __future__ import annotations

from typing import cast
from jstui.emulator.schedule import TrainingPlan, TuningPlan, metric_value
from jstui.emulator.shapes import fit, shape

ACCOUNT = "123456789012"


def arn(region: str, kind: str, name: str) -> str:
    # SageMaker lower-cases resource names in ARNs
    return f"arn:aws:sagemaker:{region}:{ACCOUNT}:{kind}/{name.lower()}"


def visible(plan: TuningPlan, now: float) -> list[TrainingPlan]:
    return [j for j in plan.jobs if j.created <= now]


def objective_of(job: TrainingPlan, now: float) -> float | None:
    """The objective once reported and the job has ended (what the tuning job sees)."""
    if now < job.end or job.final_status not in ("Completed", "Stopped"):
        return None
    return job.objective


def counters(plan: TuningPlan, now: float) -> tuple[dict, dict]:
    status = {"Completed": 0, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0, "Stopped": 0}
    objective = {"Succeeded": 0, "Pending": 0, "Failed": 0}
    for j in visible(plan, now):
        s = j.status_at(now)
        if s in ("InProgress", "Stopping"):
            status["InProgress"] += 1
            objective["Pending"] += 1
            continue
        status[{"Failed": "NonRetryableError"}.get(s, s)] += 1
        objective["Succeeded" if objective_of(j, now) is not None else "Failed"] += 1
    return status, objective


def best(plan: TuningPlan, now: float) -> TrainingPlan | None:
    done = [j for j in visible(plan, now) if j.status_at(now) == "Completed" and objective_of(j, now) is not None]
    if not done:
        return None
    sign = 1 if plan.maximize else -1
    return max(done, key=lambda j: (sign * cast(float, j.objective), -j.index))  # done: reported


def last_modified(plan: TuningPlan, now: float) -> float:
    # what a summary shows changes when a training job starts or ends, not at its secondary statuses
    times = [plan.created]
    for j in visible(plan, now):
        times += [j.created] + [t for t in (j.end, j.stop_at) if t is not None and t <= now]
    if plan.stop_at is not None and plan.stop_at <= now:
        times.append(plan.stop_at)
    if plan.end <= now:
        times.append(plan.end)
    return min(now, max(times))


def training_summary(job: TrainingPlan, plan: TuningPlan, region: str, now: float) -> dict:
    out = {
        "TrainingJobName": job.name,
        "TrainingJobArn": arn(region, "training-job", job.name),
        "TuningJobName": plan.name,
        "CreationTime": job.created,
        "TrainingJobStatus": job.status_at(now),
        "TunedHyperParameters": dict(job.tuned),
    }
    if not job.never_started and job.training_start <= min(now, job.end):
        out["TrainingStartTime"] = job.training_start
    if now >= job.end:
        out["TrainingEndTime"] = job.end
        if job.failure_reason:
            out["FailureReason"] = job.failure_reason
    value = objective_of(job, now)
    if value is not None:
        out["FinalHyperParameterTuningJobObjectiveMetric"] = {
            "Type": "Maximize" if plan.maximize else "Minimize",
            "MetricName": plan.objective_name,
            "Value": value,
        }
    out["ObjectiveStatus"] = "Pending" if now < job.end else ("Succeeded" if value is not None else "Failed")
    return out


def lines_until(job: TrainingPlan, now: float) -> list[tuple[float, str]]:
    return [(t, m) for t, m in job.lines if t <= now]


def describe_training(job: TrainingPlan, plan: TuningPlan, row: dict, region: str, now: float) -> dict:
    tdef = row["request"]["TrainingJobDefinition"]
    algo = fit(shape("sagemaker", "AlgorithmSpecification"), tdef.get("AlgorithmSpecification") or {})
    algo.setdefault("TrainingInputMode", "File")
    algo["MetricDefinitions"] = [{"Name": n, "Regex": r} for n, r in job.metric_definitions]
    resources = fit(shape("sagemaker", "ResourceConfig"), tdef.get("ResourceConfig") or {})
    resources.setdefault("VolumeSizeInGB", 30)
    # KmsKeyId is always there ("" without a key), as the service answers and the SDK v2 reads it
    # unguarded (estimator.py _prepare_init_params_from_job_description: output_kms_key).
    output = {"KmsKeyId": "", **(tdef.get("OutputDataConfig") or {})}
    status = job.status_at(now)
    transitions = []
    visible_t = [t for t in job.transitions if t.start <= now]
    for i, t in enumerate(visible_t):
        item = {"Status": t.status, "StartTime": t.start, "StatusMessage": t.message}
        if i + 1 < len(job.transitions) and job.transitions[i + 1].start <= now:
            item["EndTime"] = job.transitions[i + 1].start
        elif t.status in ("Completed", "Failed", "Stopped", "MaxRuntimeExceeded"):
            item["EndTime"] = t.start
        transitions.append(item)
    lines = lines_until(job, min(now, job.end))
    metrics = []
    for name, regex in job.metric_definitions:
        found = metric_value(regex, lines)
        if found:
            metrics.append({"MetricName": name, "Value": found[1], "Timestamp": found[0]})
    hps = dict(job.hyperparameters)
    if plan.objective_name:
        hps["_tuning_objective_metric"] = plan.objective_name
    out = {
        "TrainingJobName": job.name,
        "TrainingJobArn": arn(region, "training-job", job.name),
        "TuningJobArn": row["arn"],
        "ModelArtifacts": {"S3ModelArtifacts": model_artifact(output.get("S3OutputPath", ""), job.name)},
        "TrainingJobStatus": status,
        "SecondaryStatus": visible_t[-1].status if visible_t else "Starting",
        "HyperParameters": hps,
        "AlgorithmSpecification": algo,
        "RoleArn": tdef.get("RoleArn", ""),
        "InputDataConfig": fit(shape("sagemaker", "InputDataConfig"), tdef.get("InputDataConfig") or []),
        "OutputDataConfig": fit(shape("sagemaker", "OutputDataConfig"), output),
        "ResourceConfig": resources,
        "StoppingCondition": fit(shape("sagemaker", "StoppingCondition"), tdef.get("StoppingCondition") or {}),
        "CreationTime": job.created,
        "LastModifiedTime": max([job.created] + [t.start for t in visible_t]),
        "SecondaryStatusTransitions": transitions,
        "FinalMetricDataList": metrics,
        "EnableNetworkIsolation": bool(tdef.get("EnableNetworkIsolation", False)),
        "EnableInterContainerTrafficEncryption": bool(tdef.get("EnableInterContainerTrafficEncryption", False)),
        "EnableManagedSpotTraining": job.spot,
    }
    if tdef.get("VpcConfig"):
        out["VpcConfig"] = fit(shape("sagemaker", "VpcConfig"), tdef["VpcConfig"])
    for key in ("Environment", "RetryStrategy"):
        if tdef.get(key):
            out[key] = fit(shape("sagemaker", "DescribeTrainingJobResponse").members[key], tdef[key])
    if tdef.get("CheckpointConfig"):
        out["CheckpointConfig"] = fit(shape("sagemaker", "CheckpointConfig"), tdef["CheckpointConfig"])
    if not job.never_started and job.training_start <= min(now, job.end):
        out["TrainingStartTime"] = job.training_start
    if now >= job.end:
        out["TrainingEndTime"] = job.end
        training, billable = job.seconds()
        out["TrainingTimeInSeconds"] = training
        out["BillableTimeInSeconds"] = billable
        if job.failure_reason:
            out["FailureReason"] = job.failure_reason
    return out


def model_artifact(output_path: str, job_name: str) -> str:
    return f"{output_path.rstrip('/')}/{job_name}/output/model.tar.gz"


def tuning_summary(row: dict, plan: TuningPlan, now: float) -> dict:
    cfg = row["request"]["HyperParameterTuningJobConfig"]
    status_c, objective_c = counters(plan, now)
    out = {
        "HyperParameterTuningJobName": row["name"],
        "HyperParameterTuningJobArn": row["arn"],
        "HyperParameterTuningJobStatus": plan.status_at(now),
        "Strategy": cfg.get("Strategy", "Bayesian"),
        "CreationTime": row["created"],
        "LastModifiedTime": last_modified(plan, now),
        "TrainingJobStatusCounters": status_c,
        "ObjectiveStatusCounters": objective_c,
        "ResourceLimits": fit(shape("sagemaker", "ResourceLimits"), cfg["ResourceLimits"]),
    }
    if now >= plan.end:
        out["HyperParameterTuningEndTime"] = plan.end
    return out


def _described_config(req: dict, plan: TuningPlan) -> dict:
    """HyperParameterTuningJobConfig as the service returns it: all three ParameterRanges lists (empty
    when unused) and, for Grid, the number of training jobs the grid gives (the SDK v2 sends Grid jobs
    without MaxNumberOfTrainingJobs yet HyperparameterTuner.attach reads it unguarded, tuner.py
    _prepare_init_params_from_job_description)."""
    cfg = fit(shape("sagemaker", "HyperParameterTuningJobConfig"), req["HyperParameterTuningJobConfig"])
    ranges = cfg.setdefault("ParameterRanges", {})
    for kind in ("IntegerParameterRanges", "ContinuousParameterRanges", "CategoricalParameterRanges"):
        ranges.setdefault(kind, [])
    limits = cfg.setdefault("ResourceLimits", {})
    if "MaxNumberOfTrainingJobs" not in limits:
        limits["MaxNumberOfTrainingJobs"] = plan.max_jobs
    cfg.setdefault("TrainingJobEarlyStoppingType", "Off")
    return cfg


def _described_definition(req: dict, plan: TuningPlan) -> dict:
    """TrainingJobDefinition as the service returns it: `_tuning_objective_metric` added to the static
    hyperparameters (the SDK v2 deletes it unguarded on attach, tuner.py
    _prepare_estimator_from_job_description), a built-in algorithm's own MetricDefinitions (the tuner
    reads AlgorithmSpecification.MetricDefinitions unguarded) and OutputDataConfig.KmsKeyId."""
    tdef = fit(shape("sagemaker", "HyperParameterTrainingJobDefinition"), req["TrainingJobDefinition"])
    static = dict(tdef.get("StaticHyperParameters") or {})
    static["_tuning_objective_metric"] = plan.objective_name
    tdef["StaticHyperParameters"] = static
    algo = tdef.setdefault("AlgorithmSpecification", {})
    if not algo.get("MetricDefinitions"):
        algo["MetricDefinitions"] = [{"Name": n, "Regex": r} for n, r in plan.builtin_metric_definitions]
    tdef["OutputDataConfig"] = {"KmsKeyId": "", **(tdef.get("OutputDataConfig") or {})}
    return tdef


def describe_tuning(row: dict, plan: TuningPlan, region: str, now: float) -> dict:
    s = tuning_summary(row, plan, now)
    req = row["request"]
    out = {
        "HyperParameterTuningJobName": s["HyperParameterTuningJobName"],
        "HyperParameterTuningJobArn": s["HyperParameterTuningJobArn"],
        "HyperParameterTuningJobConfig": _described_config(req, plan),
        "TrainingJobDefinition": _described_definition(req, plan),
        "HyperParameterTuningJobStatus": s["HyperParameterTuningJobStatus"],
        "CreationTime": s["CreationTime"],
        "LastModifiedTime": s["LastModifiedTime"],
        "TrainingJobStatusCounters": s["TrainingJobStatusCounters"],
        "ObjectiveStatusCounters": s["ObjectiveStatusCounters"],
    }
    if "HyperParameterTuningEndTime" in s:
        out["HyperParameterTuningEndTime"] = s["HyperParameterTuningEndTime"]
        out["ConsumedResources"] = {"RuntimeInSeconds": int(round(plan.end - plan.created))}
    if plan.failure_reason and now >= plan.end:
        out["FailureReason"] = plan.failure_reason
    b = best(plan, now)
    if b is not None:
        out["BestTrainingJob"] = training_summary(b, plan, region, now)
    return out
