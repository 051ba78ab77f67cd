"""A tuning job's whole life as a pure function of its stored definition, its stop requests, the seed and
the catalog: which training jobs start when, with which hyperparameters, how each one ends and what it
logs. Views at a given simulated time (`views`) read this plan, so nothing but requests is stored."""

from __future__ import annotations

import hashlib
import logging
import random
import re
import threading
from dataclasses import dataclass, field

import regex as regex_engine

from jstui.domain.catalog import Catalog
from jstui.domain.metrics import search_metric
from jstui.emulator.families import JobContext, builtin_metric_definitions, run_job
from jstui.emulator.recognition import ModelProfile, recognise
from jstui.emulator.search import Searcher, dims_of, grid

STARTING_S = 120.0  # instance provisioning ("Preparing the instances for training")
DOWNLOADING_S = 45.0
UPLOADING_S = 30.0
# A stop (StopTrainingJob, StopHyperParameterTuningJob, the tuning job's ResourceLimits.MaxRuntimeInSeconds, or
# the training job's own StoppingCondition.MaxRuntimeInSeconds) ends a running container only after its
# grace: "SageMaker sends the algorithm the SIGTERM signal, which delays job termination for 120 seconds"
# (API reference, StopTrainingJob; the same words in StoppingCondition: "When the job reaches the time limit,
# SageMaker ends the training job ... To stop a training job, SageMaker sends the algorithm the SIGTERM
# signal, which delays job termination for 120 seconds"; and StoppingCondition.MaxRuntimeInSeconds counts
# time "after it has been stopped" in a job's total). The emulator is never kinder: the container uses the
# whole window, and the job bills until it ends. A job stopped while still provisioning (before
# TrainingStartTime) has no container: it ends STOPPING_S later and bills nothing.
STOP_GRACE_S = 120.0
STOPPING_S = 30.0
LAUNCH_DELAY_S = 8.0  # the tuning job's first training jobs are created a few seconds after it
RELAUNCH_DELAY_S = 4.0
FINALIZE_S = 10.0
SPOT_BILLABLE_FRACTION = 0.3  # managed spot: a typical 70 % saving, in billable seconds
# StoppingCondition.MaxRuntimeInSeconds: "The default value is 1 day. The maximum value is 28 days"
# (botocore's service model, shape StoppingCondition); create refuses more (api_tuning).
DEFAULT_MAX_RUNTIME_S = 86400.0
MAX_TRAINING_RUNTIME_S = 28 * 86400.0

TERMINAL = ("Completed", "Failed", "Stopped")


@dataclass(frozen=True)
class Transition:
    status: str
    start: float
    message: str


@dataclass
class TrainingPlan:
    index: int
    name: str
    tuning_job: str
    tuned: dict[str, str]
    hyperparameters: dict[str, str]
    profile: ModelProfile
    metric_definitions: tuple[tuple[str, str], ...]
    created: float
    training_start: float  # TrainingStartTime: Downloading begins
    end: float  # TrainingEndTime
    final_status: str
    stop_at: float | None  # a stop (user, tuning job, max runtime) that ended it
    transitions: tuple[Transition, ...]
    lines: tuple[tuple[float, str], ...]  # absolute simulated times
    failure_reason: str | None
    spot: bool
    objective_name: str | None
    objective: float | None = None  # the final objective value, when the job reported it
    never_started: bool = False  # stopped while provisioning: no TrainingStartTime, nothing billed

    def status_at(self, now: float) -> str:
        if now >= self.end:
            return self.final_status
        if self.stop_at is not None and now >= self.stop_at:
            return "Stopping"
        return "InProgress"

    def seconds(self) -> tuple[int, int]:
        """(TrainingTimeInSeconds, BillableTimeInSeconds) once ended."""
        if self.never_started:
            return 0, 0
        training = max(0, int(round(self.end - self.training_start))) if self.end > self.training_start else 0
        billable = training
        if self.spot and training:
            billable = max(1, int(round(training * SPOT_BILLABLE_FRACTION)))
        return training, billable


@dataclass
class TuningPlan:
    name: str
    jobs: list[TrainingPlan]
    created: float
    stop_at: float | None
    end: float
    final_status: str
    failure_reason: str | None
    objective_name: str
    maximize: bool
    by_name: dict[str, TrainingPlan] = field(default_factory=dict)
    max_jobs: int = 0  # training jobs it runs at most (Grid: the grid's size)
    builtin_metric_definitions: tuple[tuple[str, str], ...] = ()  # the service's own, for a built-in

    def status_at(self, now: float) -> str:
        if now >= self.end:
            return self.final_status
        if self.stop_at is not None and now >= self.stop_at:
            return "Stopping"
        return "InProgress"


def training_job_name(tuning_job: str, index: int, seed: int) -> str:
    """SageMaker's form: `<tuning job>-<3-digit index>-<8 hex>`."""
    tail = hashlib.sha1(f"{seed}|{tuning_job}|{index}".encode()).hexdigest()[:8]
    return f"{tuning_job}-{index:03d}-{tail}"


# Metric regexes come from the request, so one with catastrophic backtracking (`(a+)+$`, `(\S+\s?)*=`)
# must not hang the emulator (and with it an embedded TUI). Each is run by the `regex` package, whose
# matching takes a timeout, one log line at a time (a line is at most MAX_METRIC_LINE characters); a regex
# that times out once is "runaway" for the rest of the process and reads no value, as if it never matched
# (a metric the service cannot read is simply absent from the job). A pathological regex therefore costs
# at most one time box (jstui.domain.metrics.REGEX_TIMEOUT_S, confirmed once), however many jobs and lines use it.
MAX_METRIC_LINE = 4096
# The time box and its confirmation (a wall-clock timeout retried once with more time before the regex is
# given up) are jstui.domain.metrics.search_metric's, shared with jstui's own log readers.
_compiled: dict[str, object] = {}
_runaway: set[str] = set()
_regex_lock = threading.Lock()
log = logging.getLogger("jstui.emulator")


def _compile(regex: str):
    with _regex_lock:
        if regex in _runaway:
            return None
        if regex in _compiled:
            return _compiled[regex]
    try:
        rx = regex_engine.compile(regex)
    except (regex_engine.error, re.error, ValueError, TypeError, OverflowError, RecursionError):
        rx = None
    with _regex_lock:
        if len(_compiled) > 10_000:
            _compiled.clear()
        _compiled[regex] = rx
    return rx


def metric_value(regex: str, lines) -> tuple[float, float] | None:
    """The last (time, value) the regex's first group matched, as the service reads metrics."""
    rx = _compile(regex)
    if rx is None:
        return None
    found = None
    for t, line in lines:
        try:
            m = search_metric(rx, line[:MAX_METRIC_LINE])
        except TimeoutError:
            with _regex_lock:
                _runaway.add(regex)
            log.warning("metric regex %r timed out on a log line (catastrophic backtracking?); it reads no value",
                        regex)
            return None
        if m and m.groups():
            try:
                found = (t, float(m.group(1)))
            except (TypeError, ValueError, IndexError):
                continue
    return found


_cache: dict[tuple, TuningPlan] = {}
_cache_lock = threading.Lock()


def plan_tuning_job(row: dict, training_stops: dict[str, float], catalog: Catalog) -> TuningPlan:
    key = (row["name"], row["created"], row["stop_time"], tuple(sorted(training_stops.items())), id(catalog))
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    plan = _plan(row, training_stops, catalog)
    with _cache_lock:
        if len(_cache) > 2000:
            _cache.clear()
        _cache[key] = plan
    return plan


def _plan(row: dict, training_stops: dict[str, float], catalog: Catalog) -> TuningPlan:
    req, settings = row["request"], row["settings"]
    name, created = row["name"], float(row["created"])
    seed, noise, fail_rate = int(settings["seed"]), float(settings["noise"]), float(settings.get("fail_rate", 0.0))
    cfg = req["HyperParameterTuningJobConfig"]
    tdef = req["TrainingJobDefinition"]
    limits = cfg["ResourceLimits"]
    objective = cfg.get("HyperParameterTuningJobObjective") or {}
    objective_name = objective.get("MetricName", "")
    maximize = objective.get("Type", "Maximize") == "Maximize"
    strategy = cfg.get("Strategy", "Bayesian")
    dims = dims_of(cfg.get("ParameterRanges") or {})
    max_jobs = limits.get("MaxNumberOfTrainingJobs")
    if strategy == "Grid":
        n_grid = len(grid(dims)) if dims else 1
        max_jobs = min(max_jobs, n_grid) if max_jobs else n_grid
    max_jobs = int(max_jobs or 1)
    parallel = int(limits["MaxParallelTrainingJobs"])
    stop_at = row["stop_time"]
    cap = None  # the tuning job's own runtime cap: fixed at creation, unlike a stop request
    if limits.get("MaxRuntimeInSeconds"):
        cap = created + float(limits["MaxRuntimeInSeconds"])
        stop_at = cap if stop_at is None else min(stop_at, cap)

    algo = tdef.get("AlgorithmSpecification") or {}
    static = {k: str(v) for k, v in (tdef.get("StaticHyperParameters") or {}).items()}
    tags = {t["Key"]: t.get("Value", "") for t in settings.get("tags", [])}
    uris = [
        ((c.get("DataSource") or {}).get("S3DataSource") or {}).get("S3Uri", "")
        for c in tdef.get("InputDataConfig") or []
    ]
    max_run = min(float((tdef.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds", DEFAULT_MAX_RUNTIME_S)),
                  MAX_TRAINING_RUNTIME_S)
    channels = {c.get("ChannelName", ""): c.get("ContentType") for c in tdef.get("InputDataConfig") or []}
    isolated = bool(tdef.get("EnableNetworkIsolation"))
    spot = bool(tdef.get("EnableManagedSpotTraining"))
    searcher = Searcher(strategy, dims, f"{seed}|{name}", maximize)

    jobs: list[TrainingPlan] = []
    t = created + LAUNCH_DELAY_S
    while len(jobs) < max_jobs:
        if stop_at is not None and t >= stop_at:
            break
        running = [j for j in jobs if j.end > t]
        if len(running) >= parallel:
            t = min(j.end for j in running) + RELAUNCH_DELAY_S
            continue
        finished = [
            (j.tuned, j.objective) for j in jobs
            if j.end <= t and j.final_status == "Completed" and j.objective is not None
        ]
        tuned = searcher.next(finished)
        index = len(jobs) + 1
        jname = training_job_name(name, index, seed)
        hps = {**static, **tuned}
        profile = recognise(catalog, tags, algo.get("TrainingImage"), hps, uris)
        definitions = builtin_metric_definitions(profile.family) if _is_builtin(algo, profile) else tuple(
            (m["Name"], m["Regex"]) for m in algo.get("MetricDefinitions") or []
        )
        stops = [s for s in (training_stops.get(jname), stop_at) if s is not None]
        job = _plan_training_job(
            index, jname, name, tuned, hps, profile, definitions, t, min(stops) if stops else None,
            max_run, spot, objective_name, catalog, seed, noise, fail_rate, cap, channels, isolated,
        )
        jobs.append(job)
        t += 1.0
    natural_end = (max(j.end for j in jobs) if jobs else t) + FINALIZE_S
    failure = None
    if stop_at is not None and stop_at < natural_end:
        status, end = "Stopped", max([stop_at] + [j.end for j in jobs]) + FINALIZE_S
    elif jobs and all(j.final_status == "Failed" for j in jobs):
        status, end = "Failed", natural_end
        failure = "All training jobs failed. See the training jobs' FailureReason for details."
    else:
        status, end = "Completed", natural_end
    plan = TuningPlan(name, jobs, created, stop_at, end, status, failure, objective_name, maximize,
                      max_jobs=max_jobs)
    base = recognise(catalog, tags, algo.get("TrainingImage"), static, uris)
    if _is_builtin(algo, base):
        plan.builtin_metric_definitions = builtin_metric_definitions(base.family)
    plan.by_name = {j.name: j for j in jobs}
    return plan


def _is_builtin(algo: dict, profile: ModelProfile) -> bool:
    return profile.family.startswith("builtin-") and not algo.get("MetricDefinitions")


def _plan_training_job(
    index, name, tuning_job, tuned, hps, profile, definitions, created, stop, max_run, spot, objective_name,
    catalog, seed, noise, fail_rate, cap=None, channels=None, isolated=False,
) -> TrainingPlan:
    frng = random.Random(f"fail|{seed}|{name}")
    fails_at = 0.2 + 0.6 * frng.random() if frng.random() < fail_rate else None
    start = created + STARTING_S
    phase = start + DOWNLOADING_S
    # Lazy simulation: only the part of the Training phase the runtime caps let anyone see is written
    # out (both caps are fixed at creation; a stop request is not, so it must not change the run).
    horizon = max(0.0, min(start + max_run, cap if cap is not None else float("inf")) - phase)
    ctx = JobContext(name, profile, hps, catalog, seed, noise, fails_at, horizon,
                     channels=dict(channels or {}), network_isolation=isolated)
    run = run_job(ctx)
    train_end = phase + run.seconds
    trans = [
        Transition("Starting", created, "Preparing the instances for training"),
        Transition("Downloading", start, "Downloading input data"),
        Transition("Training", phase, "Training image download completed. Training in progress."),
    ]
    if run.failure:
        end, final, reason = train_end, "Failed", run.failure
        trans.append(Transition("Failed", end, "Training job failed"))
    else:
        end, final, reason = train_end + UPLOADING_S, "Completed", None
        trans.append(Transition("Uploading", train_end, "Uploading generated training model"))
        trans.append(Transition("Completed", end, "Training job completed"))
    stop_at = None
    limit = start + max_run
    if limit < end and (stop is None or limit <= stop):
        # reaching the runtime limit is a stop (SIGTERM, then the grace), as the stop path below bills it
        stop_at, end, final, reason = limit, limit + STOP_GRACE_S, "Stopped", None
        trans = [x for x in trans if x.start < limit]
        trans.append(Transition("MaxRuntimeExceeded", limit, "Job stopped because max runtime was exceeded"))
    elif stop is not None and stop < end:
        grace = STOP_GRACE_S if stop >= start else STOPPING_S
        stop_at, end, final, reason = stop, stop + grace, "Stopped", None
        trans = [x for x in trans if x.start < stop]
        trans.append(Transition("Stopping", stop, "Stopping the training job"))
        trans.append(Transition("Stopped", end, "Training job stopped"))
    cut = stop_at if stop_at is not None else end
    lines = tuple((phase + t, m) for t, m in run.lines if phase + t <= cut)
    job = TrainingPlan(
        index, name, tuning_job, tuned, hps, profile, definitions, created, start, end, final, stop_at,
        tuple(trans), lines, reason, spot, objective_name,
        never_started=stop_at is not None and stop_at < start,
    )
    regex = dict(definitions).get(objective_name)
    if regex and final in ("Completed", "Stopped"):
        found = metric_value(regex, lines)
        job.objective = found[1] if found else None
    return job
