"""The launcher: queued candidates become tuning jobs, at most `max_parallel_tuning_jobs` in flight.

Each launch is journaled before (`launching`) and after (`launched`) its Create call. The name is a
pure function of (study, candidate, generation), so a process killed between the two finds
`launching`, calls Create again, meets `ResourceInUse`, checks the job's `jstui:study` tag and adopts
it: no job is lost and none is created twice. The account's tuning-job quota is waited out
(`WaitingForQuota`); an instance quota is not (ServiceRefused, exit 4)."""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from typing import Any, Callable

from botocore.exceptions import ClientError

from . import naming
from .clients import Clients, error_code, error_message, service_errors
from .errors import JstuiError, ServiceRefused, UsageError
from .journal import DROPPED, LAUNCHED, LAUNCHING, PENDING_STATES, QUEUED, REFUSED, WAITING, Journal, Launch
from .snapshot import TERMINAL_TUNING
from .study.model import Candidate, ParameterRange, Study

log = logging.getLogger(__name__)

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

JumpStartLookup = Callable[[Candidate], Any]  # -> core.jumpstart.JumpStartModel
ImageLookup = Callable[[str], str]  # algorithm -> training image


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
                {"Name": r.name, "MinValue": fmt(r.min), "MaxValue": fmt(r.max), "ScalingType": r.scaling}
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


@dataclass
class LaunchReport:
    launched: list[str] = dataclasses.field(default_factory=list)  # candidates
    adopted: list[str] = dataclasses.field(default_factory=list)
    waiting: str | None = None  # why launching paused (the account's tuning-job quota)
    messages: list[str] = dataclasses.field(default_factory=list)


class Launcher:
    def __init__(
        self,
        clients: Clients,
        journal: Journal,
        study: Study,
        *,
        jumpstart_lookup: JumpStartLookup,
        image_lookup: ImageLookup,
        price_of: Callable[[str], float | None] = lambda _t: None,
        budget_usd: float | None = None,
    ):
        self.clients = clients
        self.journal = journal
        self.study = study
        self.jumpstart_lookup = jumpstart_lookup
        self.image_lookup = image_lookup
        self.price_of = price_of
        self.budget_usd = budget_usd
        self.halted = False  # set by the budget guard: nothing launches afterwards

    # --- queueing (journal only) ----------------------------------------------------------
    def queue(self, candidates: list[str] | None = None) -> list[str]:
        """Queue candidates never launched (all when None); refused or dropped ones are requeued."""
        current = self.journal.current_launches(self.study.name)
        names = candidates if candidates is not None else [c.name for c in self.study.candidates]
        queued = []
        for cname in names:
            cand = self.study.candidate(cname)
            launch = current.get(cname)
            if launch is None:
                generation = 1
            elif launch.state in (REFUSED, DROPPED):
                generation = launch.generation  # same name: nothing was created under it
                self.journal.set_launch_state(self.study.name, cname, generation, QUEUED)
                queued.append(cname)
                continue
            else:
                continue
            name = naming.tuning_job_name(self.study.name, cname, generation)
            if self.journal.queue(self.study.name, cname, generation, name, model_key(cand), recipe=recipe_json(cand)):
                queued.append(cname)
        return queued

    def queue_retry(self, candidate: str) -> str:
        """A new generation of a candidate: a new name, so the failed job stays as it was."""
        cand = self.study.candidate(candidate)
        current = self.journal.current_launches(self.study.name).get(candidate)
        generation = (current.generation + 1) if current else 1
        name = naming.tuning_job_name(self.study.name, candidate, generation)
        self.journal.queue(self.study.name, candidate, generation, name, model_key(cand), recipe=recipe_json(cand))
        self.journal.add_event(self.study.name, "retry", f"{candidate}: queued again as {name} (generation {generation})")
        return name

    def drop(self, candidate: str) -> bool:
        current = self.journal.current_launches(self.study.name).get(candidate)
        if current is None or current.state not in (QUEUED, WAITING, REFUSED):
            return False
        self.journal.set_launch_state(self.study.name, candidate, current.generation, DROPPED, "stopped before launch")
        return True

    # --- launching --------------------------------------------------------------------------
    def in_flight(self) -> int:
        jobs = self.journal.tuning_jobs(self.study.name)
        busy = 0
        for launch in self.journal.current_launches(self.study.name).values():
            if launch.state == LAUNCHING:
                busy += 1
            elif launch.state == LAUNCHED:
                rec = jobs.get(launch.tuning_job_name)
                status = None
                if rec is not None:
                    status = (rec.describe or rec.summary or {}).get("HyperParameterTuningJobStatus")
                if status not in TERMINAL_TUNING:
                    busy += 1
        return busy

    def pending(self) -> list[Launch]:
        """Launches still to make, interrupted ones (`launching`) first, then in queue order."""
        current = self.journal.current_launches(self.study.name)
        order = {c.name: i for i, c in enumerate(self.study.candidates)}
        rows = [l for l in current.values() if l.state in PENDING_STATES and l.candidate in order]
        return sorted(rows, key=lambda l: (l.state != LAUNCHING, order[l.candidate]))

    def launch_ready(self) -> LaunchReport:
        """Launch pending candidates while slots are free. Raises ServiceRefused (after journaling
        the refusal) for what waiting cannot fix; connection and throttling errors propagate with
        the launch left `launching`, to be retried."""
        report = LaunchReport()
        if self.halted:
            return report
        free = self.study.max_parallel_tuning_jobs - self.in_flight()
        for launch in self.pending():
            if launch.state != LAUNCHING:
                if free <= 0:
                    break
                free -= 1
            outcome = self._launch_one(launch, report)
            if outcome == "waiting":
                break
        return report

    def _launch_one(self, launch: Launch, report: LaunchReport) -> str:
        study, cname, gen = self.study.name, launch.candidate, launch.generation
        candidate = self.study.candidate(cname)
        self.journal.set_launch_state(study, cname, gen, LAUNCHING)
        try:
            request = self.request_for(candidate, launch.tuning_job_name)
        except JstuiError as exc:
            self.journal.set_launch_state(study, cname, gen, REFUSED, str(exc))
            self.journal.add_event(study, "refused", f"{cname}: {exc}")
            raise
        try:
            self.clients.sagemaker.create_hyper_parameter_tuning_job(**request)
        except ClientError as exc:
            code = error_code(exc)
            if code == "ResourceInUse":
                return self._adopt_existing(launch, report)
            if code == "ResourceLimitExceeded":
                return self._quota(launch, candidate, error_message(exc), report)
            if code in ("ValidationException", "ValidationError") or code.startswith("AccessDenied"):
                reason = f"{cname}: the service refused tuning job {launch.tuning_job_name}: {code}: {error_message(exc)}"
                self.journal.set_launch_state(study, cname, gen, REFUSED, reason)
                self.journal.add_event(study, "refused", reason)
                raise ServiceRefused(reason) from None
            with service_errors(f"creating tuning job {launch.tuning_job_name}"):
                raise
        except Exception:
            with service_errors(f"creating tuning job {launch.tuning_job_name}"):
                raise
        self.journal.set_launch_state(study, cname, gen, LAUNCHED)
        self.journal.add_event(study, "launched", f"{cname}: launched {launch.tuning_job_name}")
        report.launched.append(cname)
        return "launched"

    def _adopt_existing(self, launch: Launch, report: LaunchReport) -> str:
        """The name is taken: ours (a launch interrupted after its Create) or someone else's."""
        study, name = self.study.name, launch.tuning_job_name
        with service_errors(f"checking the existing tuning job {name}"):
            arn = self.clients.sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)[
                "HyperParameterTuningJobArn"
            ]
            tags = {t["Key"]: t["Value"] for t in self.clients.sagemaker.list_tags(ResourceArn=arn).get("Tags", [])}
        owner = tags.get(TAG_STUDY)
        if owner == study:
            self.journal.set_launch_state(study, launch.candidate, launch.generation, LAUNCHED)
            self.journal.add_event(study, "adopted", f"{launch.candidate}: {name} already existed (ours): adopted")
            report.adopted.append(launch.candidate)
            return "adopted"
        reason = (
            f"tuning job name {name} is taken by a job of "
            + (f"study {owner!r}" if owner else "another tool (no jstui:study tag)")
            + f"; rename study {study!r} or forget the other one"
        )
        self.journal.set_launch_state(study, launch.candidate, launch.generation, REFUSED, reason)
        self.journal.add_event(study, "refused", reason)
        raise ServiceRefused(reason)

    def _quota(self, launch: Launch, candidate: Candidate, message: str, report: LaunchReport) -> str:
        study = self.study.name
        itype = candidate.resources.instance_type
        if itype in message or "instance" in message.lower():
            reason = (
                f"{candidate.name}: instance quota: {message.strip()} — raise the SageMaker quota "
                f"'{itype} for training job usage' (Service Quotas) or choose another instance type"
            )
            self.journal.set_launch_state(study, candidate.name, launch.generation, REFUSED, reason)
            self.journal.add_event(study, "refused", reason)
            raise ServiceRefused(reason)
        reason = f"the account's concurrent tuning-job quota is reached ({message.strip()}); waiting for a slot"
        self.journal.set_launch_state(study, candidate.name, launch.generation, WAITING, reason)
        report.waiting = reason
        return "waiting"

    def request_for(self, candidate: Candidate, name: str) -> dict:
        if candidate.model_id:
            js, image = self.jumpstart_lookup(candidate), None
        else:
            js, image = None, self.image_lookup(candidate.algorithm or "")
        price = self.price_of(candidate.resources.instance_type)
        runtime = budget_runtime_s(self.study, candidate, self.budget_usd, price)
        return build_tuning_request(self.study, candidate, name, jumpstart=js, builtin_image=image, max_runtime_s=runtime)


# --- adoption (`launch --adopt PREFIX`) ---------------------------------------------------------
def _tags_of(sm: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn).get("Tags", [])}


def identify_model(describe: dict, tags: dict[str, str], known_ids: list[str]) -> str | None:
    """Which model a tuning job trains, the way the emulator recognises it: the JumpStart tag (or
    ours); else a built-in's image plus its selecting hyperparameters; else the longest known model
    id inside an input channel's or hyperparameter's S3 URI."""
    from .study.algorithms import SELECTING_HYPERPARAMETERS, catalog_id_for

    for key in (TAG_JS_MODEL, TAG_MODEL):
        if tags.get(key):
            return tags[key]
    definition = describe.get("TrainingJobDefinition") or {}
    static = definition.get("StaticHyperParameters") or {}
    image = (definition.get("AlgorithmSpecification") or {}).get("TrainingImage") or ""
    repo = image.rsplit("/", 1)[-1].split(":", 1)[0]
    if repo in SELECTING_HYPERPARAMETERS:
        return catalog_id_for(repo, static)
    uris = [str(v) for v in static.values()]
    for ch in definition.get("InputDataConfig") or []:
        uris.append(str(((ch.get("DataSource") or {}).get("S3DataSource") or {}).get("S3Uri", "")))
    hits = [m for m in known_ids if any(m in u for u in uris)]
    return max(hits, key=len) if hits else None


def adopt(launcher: Launcher, prefix: str) -> tuple[dict[str, str], list[str]]:
    """Existing tuning jobs named PREFIX... become launches of the candidates training the same
    model (newest job first; a candidate already launched is left alone).
    Returns ({tuning job name: candidate}, [names matched to no candidate])."""
    study, journal, sm = launcher.study, launcher.journal, launcher.clients.sagemaker
    jobs: list[dict] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"NameContains": prefix, "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        page = sm.list_hyper_parameter_tuning_jobs(**kwargs)
        jobs += [j for j in page.get("HyperParameterTuningJobSummaries", []) if j["HyperParameterTuningJobName"].startswith(prefix)]
        token = page.get("NextToken")
        if not token:
            break
    jobs.sort(key=lambda j: str(j.get("CreationTime", "")), reverse=True)
    current = journal.current_launches(study.name)
    known_names = {l.tuning_job_name for l in journal.launches(study.name)}
    by_model: dict[str, list[str]] = {}
    for c in study.candidates:
        by_model.setdefault(model_key(c), []).append(c.name)
    matched: dict[str, str] = {}
    unmatched: list[str] = []
    for job in jobs:
        name = job["HyperParameterTuningJobName"]
        if name in known_names:
            continue
        describe = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        tags = _tags_of(sm, describe["HyperParameterTuningJobArn"])
        model = identify_model(describe, tags, list(by_model))
        free = [
            c
            for c in by_model.get(model or "", [])
            if (c not in current or current[c].state in (QUEUED, WAITING, REFUSED, DROPPED)) and c not in matched.values()
        ]
        if tags.get(TAG_CANDIDATE) in free:
            free = [tags[TAG_CANDIDATE]]
        if not free:
            unmatched.append(name)
            continue
        cand = free[0]
        generation = current[cand].generation + 1 if cand in current else 1
        journal.queue(study.name, cand, generation, name, model or "", state=LAUNCHED, adopted=True)
        journal.add_event(study.name, "adopted", f"{cand}: adopted {name}")
        matched[name] = cand
    journal.add_adopt_prefix(study.name, prefix)
    if unmatched:
        journal.add_event(study.name, "adopt-unmatched", f"{len(unmatched)} job(s) named {prefix}* match no candidate")
    return matched, unmatched


# --- what changed since the last launch (shown with the plan) ----------------------------------
def launch_changes(study: Study, journal: Journal) -> list[str]:
    """One line per difference between the study file and what was launched: candidates added
    (a launch would queue them), removed (their jobs are left alone), or whose recipe changed (the
    running job keeps its recipe; `--retry-failed` or a new candidate name would use the new one)."""
    current = journal.current_launches(study.name)
    if not current:
        return []
    lines = []
    names = {c.name for c in study.candidates}
    for c in study.candidates:
        launch = current.get(c.name)
        if launch is None:
            lines.append(f"+ {c.name}: new since the last launch; `launch --yes` queues it")
        elif launch.recipe and launch.recipe != recipe_json(c):
            old, new = json.loads(launch.recipe), json.loads(recipe_json(c))
            what = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            lines.append(
                f"~ {c.name}: {', '.join(what)} changed since {launch.tuning_job_name} was queued; it keeps its "
                "recipe (a retry of a Failed or Stopped job uses the new one)"
            )
    for cname in sorted(set(current) - names):
        lines.append(f"- {cname}: no longer in the study file; {current[cname].tuning_job_name} is left alone")
    return lines
