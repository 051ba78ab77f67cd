"""Hosting steps on the service: create a deployment (journaled, resumable), follow it, delete it,
and list what it costs (`core.smoke_test` invokes it). `core.deploy` puts these together for a
study session.

Three resources, all named after the endpoint (as the SageMaker SDK names them) and all tagged
`jstui:study` / `jstui:model-id` (plus JumpStart's tags): the Model (inference image + the best
training job's ModelArtifacts), the EndpointConfig, the Endpoint. Each step is journaled before
and after its call (the journal's `endpoints` table; its `state` says how far a deploy got), so a
deploy killed at any moment is resumed by running it again (`resume_deploy`) or removed
(`delete_deployment`): a Create that finds its resource already there adopts it after checking
its `jstui:study` tag, like the launcher does with tuning jobs.

Clients and the journal are passed in; nothing here reads the local clock for ages or spend
("now" comes from the backend)."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, UTC
from typing import Any
from collections.abc import Callable

from jstui.domain.endpoints import (  # the pure rules, re-exported for the hosting steps' callers
    DELETING,
    DeployStep,
    MODEL_TAG,
    STEPS,
    STUDY_TAG,
    TERMINAL_STATUSES,
    accrued_usd,
    endpoint_name_problem,
    hourly_usd,
)
from jstui.aws.errors import is_already_exists, is_not_found, translate
from jstui.domain.errors import JobFailed, JstuiError, ServiceRefused, UsageError
from jstui.domain.model import Candidate, Study
from jstui.domain.prices import PriceTable
from jstui.domain.snapshot import EndpointRow

log = logging.getLogger(__name__)

# ListTags right after a Create may not show the tags yet (tagging is eventually consistent; the
# emulator's `tag_lag_s` fault models it): a resource without our tag is read again after these waits
# before it is called someone else's. `_sleep` is replaced by tests that drive a simulated clock.
TAG_WAITS_S = (1.0, 2.0, 4.0, 8.0)
_sleep: Callable[[float], None] = time.sleep

# --- what to deploy --------------------------------------------------------------------------
@dataclass(frozen=True)
class DeployRequest:
    study: str
    candidate: str
    model_id: str
    training_job_name: str
    endpoint_name: str
    image_uri: str
    model_data_url: str
    role_arn: str
    instance_type: str
    instance_count: int
    jumpstart_model_id: str | None = None
    jumpstart_version: str | None = None

    @property
    def model_name(self) -> str:
        return self.endpoint_name

    @property
    def config_name(self) -> str:
        return self.endpoint_name

    def tags(self) -> list[dict[str, str]]:
        tags = [{"Key": STUDY_TAG, "Value": self.study}, {"Key": MODEL_TAG, "Value": self.model_id}]
        if self.jumpstart_model_id:
            tags.append({"Key": "sagemaker-sdk:jumpstart-model-id", "Value": self.jumpstart_model_id})
            if self.jumpstart_version:
                tags.append({"Key": "sagemaker-sdk:jumpstart-model-version", "Value": self.jumpstart_version})
        return tags

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeployRequest:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class DeployTarget:
    """The candidate's best training job and what hosting it needs (from the service)."""

    candidate: Candidate
    training_job_name: str
    model_data_url: str
    training_image: str


def best_training_job_name(sm: Any, tuning_job_name: str) -> str:
    """The tuning job's BestTrainingJob (absent until a job has reported the objective)."""
    d = service_call(sm.describe_hyper_parameter_tuning_job, "describing the tuning job",
              HyperParameterTuningJobName=tuning_job_name)
    best = (d.get("BestTrainingJob") or {}).get("TrainingJobName")
    if not best:
        raise UsageError(f"tuning job {tuning_job_name} has no best training job yet: nothing to deploy")
    return best


def describe_target(sm: Any, candidate: Candidate, training_job_name: str) -> DeployTarget:
    d = service_call(sm.describe_training_job, "describing the training job", TrainingJobName=training_job_name)
    if d.get("TrainingJobStatus") != "Completed":
        raise UsageError(f"training job {training_job_name} is {d.get('TrainingJobStatus')}, not Completed: "
                         "only a completed job has a model to deploy")
    artifacts = (d.get("ModelArtifacts") or {}).get("S3ModelArtifacts")
    if not artifacts:
        raise UsageError(f"training job {training_job_name} has no ModelArtifacts.S3ModelArtifacts")
    image = (d.get("AlgorithmSpecification") or {}).get("TrainingImage", "")
    return DeployTarget(candidate, training_job_name, artifacts, image)


@dataclass(frozen=True)
class InferenceSpec:
    image_uri: str
    default_instance_type: str
    jumpstart_version: str | None


def build_request(study: Study, target: DeployTarget, spec: InferenceSpec, endpoint_name: str,
                  instance_type: str, instance_count: int, taken: set[str] | frozenset[str] = frozenset()) -> DeployRequest:
    problem = endpoint_name_problem(endpoint_name, taken)
    if problem:
        raise UsageError(problem)
    if instance_count < 1:
        raise UsageError(f"instance count must be at least 1, not {instance_count}")
    if not instance_type.startswith("ml."):
        raise UsageError(f"instance type {instance_type!r} is not a SageMaker instance type (ml.*)")
    c = target.candidate
    return DeployRequest(
        study=study.name, candidate=c.name, model_id=c.catalog_id, training_job_name=target.training_job_name,
        endpoint_name=endpoint_name, image_uri=spec.image_uri, model_data_url=target.model_data_url,
        role_arn=study.role_arn, instance_type=instance_type, instance_count=int(instance_count),
        jumpstart_model_id=c.model_id, jumpstart_version=spec.jumpstart_version,
    )


# --- creating, journaled ---------------------------------------------------------------------
def start_deploy(sm: Any, journal: Any, req: DeployRequest) -> None:
    """Create Model, EndpointConfig and Endpoint (each journaled before and after); return once
    the endpoint is being created. Safe to run again on the same request after a crash."""
    record = {r["name"]: r for r in journal.endpoints(req.study)}.get(req.endpoint_name)
    state = record["state"] if record else None
    if state not in STEPS or (record and record.get("status")):  # the service has had it: check again
        state = None
    if record is None:
        journal.save_endpoint(req.endpoint_name, req.study, candidate=req.candidate,
                              training_job_name=req.training_job_name, instance_type=req.instance_type,
                              instance_count=req.instance_count, state=DeployStep.PLANNED, body=req.to_dict())
        journal.add_event(req.study, "deploy", f"deploying {req.candidate} to endpoint {req.endpoint_name}")
        state = DeployStep.PLANNED
    done = STEPS.index(state or DeployStep.PLANNED)
    if done < STEPS.index(DeployStep.MODEL):
        _create_or_adopt(sm, req, "model", lambda: sm.create_model(
            ModelName=req.model_name, ExecutionRoleArn=req.role_arn, Tags=req.tags(),
            PrimaryContainer={"Image": req.image_uri, "ModelDataUrl": req.model_data_url, "Mode": "SingleModel"},
        ), lambda: sm.describe_model(ModelName=req.model_name)["ModelArn"])
        journal.save_endpoint(req.endpoint_name, req.study, state=DeployStep.MODEL)
    if done < STEPS.index(DeployStep.CONFIG):
        _create_or_adopt(sm, req, "endpoint config", lambda: sm.create_endpoint_config(
            EndpointConfigName=req.config_name, Tags=req.tags(),
            ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": req.model_name,
                                 "InitialInstanceCount": req.instance_count, "InstanceType": req.instance_type,
                                 "InitialVariantWeight": 1.0}],
        ), lambda: sm.describe_endpoint_config(EndpointConfigName=req.config_name)["EndpointConfigArn"])
        journal.save_endpoint(req.endpoint_name, req.study, state=DeployStep.CONFIG)
    if done < STEPS.index(DeployStep.ENDPOINT):
        _create_or_adopt(sm, req, "endpoint", lambda: sm.create_endpoint(
            EndpointName=req.endpoint_name, EndpointConfigName=req.config_name, Tags=req.tags(),
        ), lambda: sm.describe_endpoint(EndpointName=req.endpoint_name)["EndpointArn"])
        journal.save_endpoint(req.endpoint_name, req.study, state=DeployStep.ENDPOINT)


def resume_deploy(sm: Any, journal: Any, study: str, endpoint_name: str) -> DeployRequest | None:
    """Finish an interrupted deploy from its journaled request (None if nothing to resume)."""
    record = {r["name"]: r for r in journal.endpoints(study)}.get(endpoint_name)
    if not record or record["state"] not in STEPS[:-1] or not record.get("body"):
        return None
    req = DeployRequest.from_dict(record["body"])
    start_deploy(sm, journal, req)
    return req


def interrupted_deploys(journal: Any, study: str) -> list[str]:
    """Endpoints whose deploy stopped before CreateEndpoint was answered."""
    return [r["name"] for r in journal.endpoints(study) if r["state"] in STEPS[:-1]]


def _already_exists(exc: BaseException) -> bool:
    # Training jobs answer ResourceInUse; hosting resources answer ValidationException
    # "Cannot create already existing ..." (jstui.aws.errors classifies both).
    return is_already_exists(exc)


def _create_or_adopt(sm: Any, req: DeployRequest, what: str, create: Callable[[], Any], arn_of: Callable[[], str]) -> None:
    try:
        create()
        return
    except Exception as exc:  # botocore's ClientError; anything else is translated below
        if not _already_exists(exc):
            raise translate_error(exc, f"creating the {what} {req.endpoint_name}") from None
    arn = service_call(arn_of, f"describing the existing {what} {req.endpoint_name}")
    tags = _tags(sm, arn)
    if tags.get(STUDY_TAG) != req.study:
        raise ServiceRefused(f"a {what} named {req.endpoint_name} already exists and jstui did not create it "
                             f"for study {req.study}; choose another endpoint name (--name)")
    log.info("adopting existing %s %s", what, req.endpoint_name)


def _tags(sm: Any, arn: str, waits: tuple[float, ...] = TAG_WAITS_S) -> dict[str, str]:
    """The resource's tags; read again (after `waits`) while the jstui:study tag is missing."""
    tags = {t["Key"]: t["Value"] for t in service_call(sm.list_tags, "reading tags", ResourceArn=arn).get("Tags", [])}
    for wait in waits:
        if STUDY_TAG in tags:
            break
        _sleep(wait)
        tags = {t["Key"]: t["Value"] for t in service_call(sm.list_tags, "reading tags", ResourceArn=arn).get("Tags", [])}
    return tags


# --- following -------------------------------------------------------------------------------
@dataclass(frozen=True)
class EndpointStatus:
    name: str
    status: str
    failure_reason: str | None = None


def endpoint_status(sm: Any, name: str) -> EndpointStatus | None:
    """The endpoint's status, or None when the service does not know it."""
    try:
        d = sm.describe_endpoint(EndpointName=name)
    except Exception as exc:
        if _not_found(exc):
            return None
        raise translate_error(exc, f"describing endpoint {name}") from None
    return EndpointStatus(name, d.get("EndpointStatus", "Unknown"), d.get("FailureReason"))


def wait_for_endpoint(sm: Any, name: str, *, poll_s: float = 5.0, timeout_s: float = 3600.0,
                      sleep: Callable[[float], None] = time.sleep,
                      on_status: Callable[[EndpointStatus], None] | None = None) -> EndpointStatus:
    """Poll DescribeEndpoint until InService, Failed or OutOfService (no waiter needed: boto3's
    waits 30 s between polls, far too slow for the emulator)."""
    waited, last = 0.0, None
    while True:
        st = endpoint_status(sm, name)
        if st is None:
            raise JobFailed(f"endpoint {name} disappeared while being created")
        if on_status and (last is None or st.status != last.status):
            on_status(st)
        last = st
        if st.status in TERMINAL_STATUSES:
            return st
        if waited >= timeout_s:
            raise JstuiError(f"endpoint {name} still {st.status} after {timeout_s:.0f} s; it keeps being created "
                             "(see `jstui endpoints`)")
        sleep(poll_s)
        waited += poll_s


def record_status(journal: Any, study: str, st: EndpointStatus) -> None:
    journal.save_endpoint(st.name, study, status=st.status)
    if st.status == "Failed":
        journal.add_event(study, "deploy", f"endpoint {st.name} failed: {st.failure_reason or 'no reason given'}")
    elif st.status == "InService":
        journal.add_event(study, "deploy", f"endpoint {st.name} is InService")


# --- deleting --------------------------------------------------------------------------------
def delete_deployment(sm: Any, journal: Any, study: str | None, name: str) -> None:
    """Delete the endpoint, its config and its model; only ones jstui created (in the journal)."""
    records = {r["name"]: r for r in journal.endpoints(study)}
    record = records.get(name)
    if record is None:
        where = f"study {study}" if study else "any study"
        raise UsageError(f"endpoint {name!r} was not created by jstui for {where}: not deleting it")
    journal.save_endpoint(name, record["study"], state=DELETING)
    for what, call in (("endpoint", lambda: sm.delete_endpoint(EndpointName=name)),
                       ("endpoint config", lambda: sm.delete_endpoint_config(EndpointConfigName=name)),
                       ("model", lambda: sm.delete_model(ModelName=name))):
        try:
            call()
        except Exception as exc:
            if not _not_found(exc):
                raise translate_error(exc, f"deleting the {what} {name}") from None
    journal.delete_endpoint(name)
    journal.add_event(record["study"], "deploy", f"deleted endpoint {name} (and its config and model)")


# --- leftovers: jstui's models and endpoint configs that no endpoint uses ------------------------
@dataclass(frozen=True)
class Leftover:
    """A Model and/or EndpointConfig tagged for the study that no endpoint uses (an endpoint deleted
    outside jstui, or a deploy given up on): nothing bills for it, but it clutters the account."""

    name: str
    model_arn: str | None
    config_arn: str | None

    @property
    def what(self) -> str:
        return " and ".join(k for k, a in (("model", self.model_arn), ("endpoint config", self.config_arn)) if a)


def _list_all(fn: Callable[..., Any], key: str, name_key: str, arn_key: str, doing: str) -> dict[str, str]:
    out: dict[str, str] = {}
    kwargs: dict[str, Any] = {"MaxResults": 100}
    while True:
        page = service_call(fn, doing, **kwargs)
        for item in page.get(key, []):
            out[item[name_key]] = item[arn_key]
        token = page.get("NextToken")
        if not token:
            return out
        kwargs["NextToken"] = token


def leftovers(sm: Any, journal: Any, study: str) -> list[Leftover]:
    """Models and endpoint configs tagged `jstui:study = study` that no endpoint of the account uses and
    no deploy in progress (journaled a step short of CreateEndpoint) will use. Costs one ListModels and
    one ListEndpointConfigs call per 100, one ListEndpoints per 100, and one ListTags per model or config
    that is neither used nor in progress."""
    models = _list_all(sm.list_models, "Models", "ModelName", "ModelArn", "listing models")
    configs = _list_all(sm.list_endpoint_configs, "EndpointConfigs", "EndpointConfigName", "EndpointConfigArn",
                        "listing endpoint configs")
    busy = set(list_endpoint_summaries(sm)) | {r["name"] for r in journal.endpoints(None) if r["state"] in STEPS[:-1]}
    out = []
    for name in sorted((set(models) | set(configs)) - busy):
        mine = {}
        for kind, arn in (("model", models.get(name)), ("config", configs.get(name))):
            if arn and _tags(sm, arn, waits=()).get(STUDY_TAG) == study:
                mine[kind] = arn
        if mine:
            out.append(Leftover(name, mine.get("model"), mine.get("config")))
    return out


def delete_leftover(sm: Any, journal: Any, study: str, name: str) -> Leftover:
    """Delete one leftover (its config, then its model); refuses what is not a leftover of this study."""
    found = {lo.name: lo for lo in leftovers(sm, journal, study)}.get(name)
    if found is None:
        raise UsageError(f"{name!r} is neither an endpoint nor a leftover model or endpoint config jstui made for "
                         f"study {study}: not deleting it")
    for what, arn, call in (("endpoint config", found.config_arn, lambda: sm.delete_endpoint_config(EndpointConfigName=name)),
                            ("model", found.model_arn, lambda: sm.delete_model(ModelName=name))):
        if arn is None:
            continue
        try:
            call()
        except Exception as exc:
            if not _not_found(exc):
                raise translate_error(exc, f"deleting the {what} {name}") from None
    journal.add_event(study, "deploy", f"deleted the leftover {found.what} {name}")
    return found


# --- the endpoints table ---------------------------------------------------------------------
def list_endpoint_summaries(sm: Any) -> dict[str, dict]:
    """Every endpoint the account has, by name (ListEndpoints, 100 a page)."""
    out: dict[str, dict] = {}
    kwargs: dict[str, Any] = {"MaxResults": 100}
    while True:
        page = service_call(sm.list_endpoints, "listing endpoints", **kwargs)
        for e in page.get("Endpoints", []):
            out[e["EndpointName"]] = e
        token = page.get("NextToken")
        if not token:
            return out
        kwargs["NextToken"] = token


def endpoint_row(record: dict, summary: dict | None, now: datetime, usd_per_hour: float | None,
                 failure_reason: str | None = None) -> EndpointRow:
    """One row of the endpoints table from the journal's record and ListEndpoints' summary."""
    body = record.get("body") or {}
    if summary is None:
        step = record["state"]
        status = "Interrupted" if step in STEPS[:-1] else step if step == DELETING else (record.get("status") or step)
        reason = (f"deploy stopped after step '{record['state']}'; run the deploy again or delete it"
                  if status == "Interrupted" else failure_reason)
        created = None
    else:
        status = summary.get("EndpointStatus", "Unknown")
        created = _as_datetime(summary.get("CreationTime"))
        reason = failure_reason
    last = _as_datetime(summary.get("LastModifiedTime")) if summary else None
    return EndpointRow(
        name=record["name"], status=status, candidate=record.get("candidate") or body.get("candidate"),
        training_job_name=record.get("training_job_name") or body.get("training_job_name"),
        instance_type=record.get("instance_type") or body.get("instance_type") or "",
        instance_count=int(record.get("instance_count") or body.get("instance_count") or 1),
        usd_per_hour=usd_per_hour, accrued_usd=accrued_usd(status, created, last, now, usd_per_hour),
        created_at=created, failure_reason=reason,
    )


def endpoint_rows(sm: Any, journal: Any, study: Study | str, now: datetime,
                  prices: dict[str, float] | None = None, table: PriceTable | None = None) -> tuple[EndpointRow, ...]:
    """Every endpoint jstui created for the study, with status, $/hour and accrued cost: one
    ListEndpoints page per 100 endpoints, plus a DescribeEndpoint for each Failed one (its reason).
    Endpoints deleted outside jstui leave the journal."""
    name = study if isinstance(study, str) else study.name
    overrides = prices if prices is not None else ({} if isinstance(study, str) else study.prices)
    records = journal.endpoints(name)
    if not records:
        return ()
    summaries = list_endpoint_summaries(sm)
    rows = []
    for rec in records:
        summary = summaries.get(rec["name"])
        if summary is None and rec["state"] not in STEPS[:-1] and rec["state"] != DELETING:
            journal.delete_endpoint(rec["name"])  # gone from the service: nothing left to pay for
            continue
        if summary is None and rec["state"] == DELETING:
            journal.delete_endpoint(rec["name"])
            continue
        reason = None
        if summary is not None and summary.get("EndpointStatus") == "Failed":
            st = endpoint_status(sm, rec["name"])
            reason = st.failure_reason if st else None
        if summary is not None and summary.get("EndpointStatus") != rec.get("status"):
            journal.save_endpoint(rec["name"], name, status=summary.get("EndpointStatus"))
        price = hourly_usd(rec.get("instance_type") or "", rec.get("instance_count") or 1, overrides, table)
        rows.append(endpoint_row(rec, summary, now, price, reason))
    return tuple(rows)


# --- errors: classified in one place, jstui.aws.errors -----------------------------------------
def _not_found(exc: BaseException) -> bool:
    return is_not_found(exc)


def translate_error(exc: BaseException, doing: str) -> JstuiError:
    return translate(exc, doing)


def service_call(fn: Callable[..., Any], doing: str, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except Exception as exc:
        raise translate_error(exc, doing) from None


def _as_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=UTC)
    return None
